package kyctest

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// Chromium finds Debian's Chromium. The browser tests are skipped without
// it unless OPENKYC_REQUIRE_BROWSER is set (as .ci/run does).
func Chromium(t testing.TB) string {
	for _, p := range []string{os.Getenv("OPENKYC_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("OPENKYC_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium not found: apt-get install chromium")
	}
	t.Skip("Chromium not found (apt-get install chromium); set OPENKYC_REQUIRE_BROWSER=1 to fail instead")
	return ""
}

// Artifacts is where screenshots go: OPENKYC_ARTIFACTS_DIR, else a folder
// under the system temp dir.
func Artifacts(t testing.TB) string {
	dir := os.Getenv("OPENKYC_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "openkyc-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// WriteY4M writes a Y4M video (4:2:0) of n copies of img for Chromium's
// fake camera.
func WriteY4M(t testing.TB, path string, img image.Image, n int) {
	b := img.Bounds()
	w, h := b.Dx()&^1, b.Dy()&^1
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	y := make([]byte, w*h)
	cb := make([]byte, w*h/4)
	cr := make([]byte, w*h/4)
	for py := 0; py < h; py++ {
		for px := 0; px < w; px++ {
			r, g, bl, _ := img.At(b.Min.X+px, b.Min.Y+py).RGBA()
			yy, u, v := color.RGBToYCbCr(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
			y[py*w+px] = yy
			if px%2 == 0 && py%2 == 0 {
				cb[(py/2)*(w/2)+px/2], cr[(py/2)*(w/2)+px/2] = u, v
			}
		}
	}
	for i := 0; i < n; i++ {
		_, _ = bw.WriteString("FRAME\n")
		_, _ = bw.Write(y)
		_, _ = bw.Write(cb)
		_, _ = bw.Write(cr)
	}
	require.NoError(t, bw.Flush())
}

// Browser starts headless Chromium; video is the fake camera's file, or ""
// for a machine without a camera.
func Browser(t testing.TB, video string) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
	}
	if video != "" {
		opts = append(opts, chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("use-file-for-fake-video-capture", video))
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// Into runs a and keeps its value.
func Into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// RunBrowser runs actions and saves a screenshot when they fail.
func RunBrowser(t testing.TB, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if shot, err := chromedp.Run(sctx, chromedp.FullScreenshot(80)); err == nil {
			_ = os.WriteFile(filepath.Join(Artifacts(t), "failed-"+name+".jpg"), shot, 0o644)
		}
		text, _ := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("%s: %v (page says: %q)", name, err, text)
	}
}
