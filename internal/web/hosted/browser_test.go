package hosted_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// chromium finds Debian's Chromium. The browser tests are skipped without
// it unless OPENKYC_REQUIRE_BROWSER is set (as .ci/run does).
func chromium(t *testing.T) string {
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

// artifacts is where screenshots go: OPENKYC_ARTIFACTS_DIR, else a folder
// under the system temp dir.
func artifacts(t *testing.T) string {
	dir := os.Getenv("OPENKYC_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "openkyc-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// writeY4M writes a Y4M video (4:2:0) of n copies of img for Chromium's
// fake camera.
func writeY4M(t *testing.T, path string, img image.Image, n int) {
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

// browser starts headless Chromium; video is the fake camera's file, or ""
// for a machine without a camera.
func browser(t *testing.T, video string) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
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

// into runs a and keeps its value.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// run runs actions and saves a screenshot when they fail.
func run(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if shot, err := chromedp.Run(sctx, chromedp.FullScreenshot(80)); err == nil {
			_ = os.WriteFile(filepath.Join(artifacts(t), "failed-"+name+".jpg"), shot, 0o644)
		}
		text, _ := chromedp.Run(sctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("%s: %v (page says: %q)", name, err, text)
	}
}

func TestBrowserFlow(t *testing.T) {
	t.Parallel()
	chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	ret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`<!doctype html><title>merchant</title><p id="back">back at the merchant</p>`))
	}))
	t.Cleanup(ret.Close)
	vid := e.verification(e.keyA, "camera-user")
	url := e.srv.URL + e.link(e.keyA, vid, `{"return_url":"`+ret.URL+`/done","locale":"en"}`)
	dir := t.TempDir()
	cardVideo, faceVideo := filepath.Join(dir, "card.y4m"), filepath.Join(dir, "face.y4m")
	writeY4M(t, cardVideo, syntheticCard(1280, 800), 5)
	writeY4M(t, faceVideo, syntheticFace(1280, 720), 5)

	// The document with a camera showing the ID card.
	ctx := browser(t, cardVideo)
	run(t, ctx, "document", chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("doc_type")),
		chromedp.SetValue(chromedp.ID("doc_type"), "id_card"),
		chromedp.SetValue(chromedp.ID("country"), "SG"),
		chromedp.Click(chromedp.ID("doc-continue")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="front"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="back"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"]`)),
	)

	// The selfie with a camera showing the face: the challenge runs, then review.
	ctx = browser(t, faceVideo)
	var status string
	run(t, ctx, "selfie", chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.WaitVisible(chromedp.ID("back")), // htmx followed HX-Redirect to return_url
		into(&status, chromedp.Location()),
	)
	require.Equal(t, ret.URL+"/done", status)
	_, v := e.api(http.MethodGet, "/v1/verifications/"+vid, e.keyA, "")
	require.Equal(t, "completed", v["state"])
	require.Equal(t, "approved", v["decision"], "%v", v)
}

func TestBrowserUploadFallbackLocaleAndExpiry(t *testing.T) {
	t.Parallel()
	chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	vid := e.verification(e.keyA, "upload-user")
	url := e.srv.URL + e.link(e.keyA, vid, `{"locale":"zh-CN"}`)
	card := filepath.Join(t.TempDir(), "card.jpg")
	require.NoError(t, os.WriteFile(card, jpegBytes(t, syntheticCard(1200, 760)), 0o644))

	// No camera: the page says so and the user uploads a photo; Chinese texts; 375 px wide.
	ctx := browser(t, "")
	var heading, feedback string
	var shot []byte
	run(t, ctx, "fallback",
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("doc_type")),
		into(&heading, chromedp.Text(chromedp.CSS("h1"))),
		chromedp.SetValue(chromedp.ID("doc_type"), "passport"),
		chromedp.SetValue(chromedp.ID("country"), "CN"),
		chromedp.Click(chromedp.ID("doc-continue")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="front"]`)),
		chromedp.Poll[chromedp.Void](`document.getElementById("feedback").textContent.length > 0`),
		into(&feedback, chromedp.Text(chromedp.ID("feedback"))),
		into(&shot, chromedp.FullScreenshot(100)),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{card}),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"]`)), // passport: no back
	)
	require.Equal(t, "选择您的证件", heading)
	require.Contains(t, feedback, "没有可用的相机")
	require.NoError(t, os.WriteFile(filepath.Join(artifacts(t), "hosted-375px-zh-CN.png"), shot, 0o644))

	// An expired link shows a clear page.
	db, err := sql.Open("sqlite", filepath.Join(e.a.Config.DataDir, "openkyc.db"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`UPDATE hosted_links SET expires_at = 0 WHERE verification_id = ?`, vid)
	require.NoError(t, err)
	var text string
	run(t, ctx, "expired", chromedp.Navigate(url), into(&text, chromedp.Text(chromedp.CSS("main"))))
	require.True(t, strings.Contains(text, "此链接已过期"), text)
}
