package tesseract_test

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/tesseract"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// need skips without tesseract, its English model, the assets' OCR-B
// model and the library, unless OPENKYC_REQUIRE_OCR is set (as .ci/run
// does; its build has cgo and Debian's libtesseract5).
func need(t *testing.T) (*tesseract.Library, string) {
	t.Helper()
	dir := os.Getenv("OPENKYC_ASSETS_DIR")
	if dir == "" {
		dir = "../../../assets"
	}
	tessdata := filepath.Join(dir, "tessdata")
	skip := func(err error) {
		if os.Getenv("OPENKYC_REQUIRE_OCR") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if _, err := exec.LookPath("tesseract"); err != nil {
		skip(err)
	}
	if _, err := os.Stat(filepath.Join(tessdata, "ocrb_int.traineddata")); err != nil {
		skip(err)
	}
	l, err := tesseract.Shared()
	if err != nil {
		skip(err)
	}
	return l, tessdata
}

var mrzLines = []string{
	"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
	"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
}

// mrzImage is a synthetic passport page in OCR-B, grey.
func mrzImage(t *testing.T) *image.Gray {
	rgba := kyctest.SyntheticDocument(t, mrzLines, 900)
	g := image.NewGray(rgba.Bounds())
	draw.Draw(g, g.Bounds(), rgba, rgba.Bounds().Min, draw.Src)
	return g
}

func mrzJob(t *testing.T, tessdata string) tesseract.Job {
	return tesseract.Job{
		Image: mrzImage(t), Models: []string{"ocrb_int"}, TessdataDir: tessdata, PSM: 6, Output: tesseract.HOCR,
		Vars: []tesseract.Var{
			{Name: "tessedit_char_whitelist", Value: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"},
			{Name: "load_system_dawg", Value: "0"}, {Name: "load_freq_dawg", Value: "0"},
			{Name: "hocr_char_boxes", Value: "1"},
		},
	}
}

// bodyOf is the hOCR page (the program writes it inside an HTML
// document) or the TSV rows without the program's header.
func bodyOf(out []byte) string {
	s := string(out)
	if i := strings.Index(s, "<div class='ocr_page'"); i >= 0 {
		s = s[i:]
		if j := strings.Index(s, "</body>"); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.Replace(s, `image "stdin"`, `image "unknown"`, 1)
	s = strings.TrimPrefix(s, "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n")
	return strings.TrimSpace(s)
}

var hocrCharRE = regexp.MustCompile(`ocrx_cinfo'[^>]*>([^<]*)</span>`)

// hocrText is the characters of an hOCR page with character boxes.
func hocrText(out []byte) string {
	var b strings.Builder
	for _, m := range hocrCharRE.FindAllSubmatch(out, -1) {
		b.Write(m[1])
	}
	return b.String()
}

// The library and the program read the same image with the same settings
// into the same output: the readers' parsers and figures hold whichever
// runs.
func TestLibraryMatchesProgram(t *testing.T) {
	t.Parallel()
	l, tessdata := need(t)
	ctx := context.Background()
	mj := mrzJob(t, tessdata)
	tj := tesseract.Job{Image: mj.Image, Models: []string{"eng"}, PSM: 6, Output: tesseract.TSV,
		Vars: []tesseract.Var{{Name: "tessedit_do_invert", Value: "0"}}}
	for name, j := range map[string]tesseract.Job{"hocr ocrb": mj, "tsv eng": tj} {
		byLib, err := l.Run(ctx, j)
		require.NoError(t, err, name)
		byProg, err := tesseract.Program{}.Run(ctx, j)
		require.NoError(t, err, name)
		require.Equal(t, bodyOf(byProg), bodyOf(byLib), name)
		require.NotEmpty(t, bodyOf(byLib), name)
	}
	out, err := l.Run(ctx, mj)
	require.NoError(t, err)
	require.Contains(t, hocrText(out), "L898902C3")
}

// Engines are reused and never shared: many readings at once, of two
// pools, each get their own image's text.
func TestLibraryConcurrent(t *testing.T) {
	t.Parallel()
	l, tessdata := need(t)
	mj := mrzJob(t, tessdata)
	blank := image.NewGray(image.Rect(0, 0, 300, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Go(func() {
			j := mj
			if i%3 == 2 {
				j = tesseract.Job{Image: blank, Models: []string{"eng"}, PSM: 6, Output: tesseract.TSV}
			}
			out, err := l.Run(context.Background(), j)
			switch {
			case err != nil:
				errs <- err
			case i%3 == 2 && strings.Contains(hocrText(out), "L898902C3"):
				errs <- os.ErrInvalid
			case i%3 != 2 && !strings.Contains(hocrText(out), "L898902C3"):
				errs <- fmt.Errorf("run %d: %s", i, out)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestLibraryErrors(t *testing.T) {
	t.Parallel()
	l, tessdata := need(t)
	mj := mrzJob(t, tessdata)

	missing := mj
	missing.Models = []string{"no_such_model"}
	_, err := l.Run(context.Background(), missing)
	require.ErrorContains(t, err, "cannot load the models no_such_model")

	empty := mj
	empty.Image = image.NewGray(image.Rect(0, 0, 0, 0))
	_, err = l.Run(context.Background(), empty)
	require.ErrorContains(t, err, "empty image")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Run(ctx, mj)
	require.ErrorIs(t, err, context.Canceled)

	// a deadline that passes during recognition stops it
	mw, mh := mj.Image.Rect.Dx(), mj.Image.Rect.Dy()
	big := image.NewGray(image.Rect(0, 0, 3*mw, 4*mh))
	for y := range 4 {
		for x := range 3 {
			draw.Draw(big, image.Rect(x*mw, y*mh, (x+1)*mw, (y+1)*mh), mj.Image, image.Point{}, draw.Src)
		}
	}
	slow := mj
	slow.Image = big
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = l.Run(ctx, slow)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestFor(t *testing.T) {
	t.Parallel()
	require.Equal(t, "program", tesseract.For(tesseract.ModeProgram, "").Mode())
	require.Equal(t, "program", tesseract.For(tesseract.ModeAuto, "/usr/bin/tesseract").Mode())
	if _, err := tesseract.Shared(); err == nil {
		require.Equal(t, "library", tesseract.For(tesseract.ModeAuto, "").Mode())
	}
}

// With no idle engine kept, each recognition loads its models and reads
// as well.
func TestLibraryNoIdle(t *testing.T) {
	l, tessdata := need(t)
	l.SetIdleEngines(0)
	defer l.SetIdleEngines(tesseract.DefaultIdleEngines)
	for range 2 {
		out, err := l.Run(context.Background(), mrzJob(t, tessdata))
		require.NoError(t, err)
		require.Contains(t, hocrText(out), "L898902C3")
	}
}
