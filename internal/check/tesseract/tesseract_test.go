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
	if out, err := exec.Command("tesseract", "--list-langs").Output(); err != nil || !strings.Contains(string(out), "\neng") {
		skip(fmt.Errorf("tesseract's English model is missing: %v", err))
	}
	l, err := tesseract.Shared()
	if err != nil {
		skip(err)
	}
	return l, tessdata
}

// needWorkers is need, and the shared workers.
func needWorkers(t *testing.T) (*tesseract.Workers, string) {
	t.Helper()
	_, tessdata := need(t)
	ws, err := tesseract.SharedWorkers()
	require.NoError(t, err)
	return ws, tessdata
}

var mrzLines = []string{
	"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
	"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
}

// mrzImage is a synthetic passport page in OCR-B, grey.
func mrzImage(t *testing.T) *image.Gray { return mrzImageOf(t, mrzLines) }

func mrzImageOf(t *testing.T, lines []string) *image.Gray {
	rgba := kyctest.SyntheticDocument(t, lines, 900)
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

// numbers are the document numbers of the concurrent tests' pages.
var numbers = []string{"L898902C3", "K12345678", "M00011122", "Z98765432"}

// concurrentReads reads pages with different document numbers, many at
// once, and a blank page: each reading has its own page's text (an engine
// or worker serving two jobs at once, or mixing their outputs, would show).
func concurrentReads(t *testing.T, r tesseract.Runner, tessdata string) {
	jobs := make([]tesseract.Job, len(numbers))
	for i, n := range numbers {
		j := mrzJob(t, tessdata)
		j.Image = mrzImageOf(t, []string{mrzLines[0], n + mrzLines[1][9:]})
		jobs[i] = j
	}
	blank := image.NewGray(image.Rect(0, 0, 300, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 12 {
		wg.Go(func() {
			if i%4 == 3 {
				out, err := r.Run(context.Background(), tesseract.Job{Image: blank, Models: []string{"eng"}, PSM: 6, Output: tesseract.TSV})
				if err != nil || strings.Contains(string(out), "\n5\t") {
					errs <- fmt.Errorf("blank page %d: %v %q", i, err, out)
				}
				return
			}
			k := i % len(numbers)
			out, err := r.Run(context.Background(), jobs[k])
			if err != nil {
				errs <- err
				return
			}
			text := hocrText(out)
			if !strings.Contains(text, numbers[k]) {
				errs <- fmt.Errorf("run %d: %q is not page %s", i, text, numbers[k])
			}
			for n := range numbers {
				if n != k && strings.Contains(text, numbers[n]) {
					errs <- fmt.Errorf("run %d: page %s read %s", i, numbers[k], numbers[n])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestLibraryConcurrent(t *testing.T) {
	t.Parallel()
	l, tessdata := need(t)
	concurrentReads(t, l, tessdata)
}

func TestWorkersConcurrent(t *testing.T) {
	t.Parallel()
	ws, tessdata := needWorkers(t)
	concurrentReads(t, ws, tessdata)
}

// The workers read as the program does, each job alone in a helper
// process.
func TestWorkersMatchProgram(t *testing.T) {
	t.Parallel()
	ws, tessdata := needWorkers(t)
	require.Equal(t, "workers", ws.Mode())
	require.True(t, strings.HasPrefix(ws.Version(), "5."), ws.Version())
	mj := mrzJob(t, tessdata)
	for range 2 { // a fresh engine, then a reused one
		byWorker, err := ws.Run(context.Background(), mj)
		require.NoError(t, err)
		byProg, err := tesseract.Program{}.Run(context.Background(), mj)
		require.NoError(t, err)
		require.Equal(t, bodyOf(byProg), bodyOf(byWorker))
	}
	// a sub-image (its own stride and origin) is sent as its pixels
	sub := mj
	sub.Image = mj.Image.SubImage(image.Rect(0, 500, 900, 612)).(*image.Gray)
	out, err := ws.Run(context.Background(), sub)
	require.NoError(t, err)
	require.Contains(t, hocrText(out), "L898902C3")
}

// A worker that dies, idle or during a recognition, costs at most that
// recognition: the next one starts a new worker. A recognition whose
// context ends kills its worker at once.
func TestWorkersDie(t *testing.T) {
	_, tessdata := need(t)
	ws, err := tesseract.NewWorkers(4)
	require.NoError(t, err)
	mj := mrzJob(t, tessdata)
	_, err = ws.Run(context.Background(), mj)
	require.NoError(t, err)

	ws.KillIdle()
	out, err := ws.Run(context.Background(), mj)
	require.NoError(t, err, "an idle worker that died is replaced")
	require.Contains(t, hocrText(out), "L898902C3")

	// killed during a recognition (tesseract aborting does the same)
	slow := mj
	slow.Image = tiled(mj.Image, 3, 4)
	done := make(chan error, 1)
	go func() {
		_, err := ws.Run(context.Background(), slow)
		done <- err
	}()
	// once the worker has the whole job (killed while it is still taking
	// it, the job goes to a new worker instead)
	require.Eventually(t, func() bool { return ws.KillReading() > 0 }, 30*time.Second, time.Millisecond)
	err = <-done
	require.ErrorContains(t, err, "the worker ended during the recognition")
	out, err = ws.Run(context.Background(), mj)
	require.NoError(t, err)
	require.Contains(t, hocrText(out), "L898902C3")

	// cancelled during a recognition: the worker is killed, the call
	// returns at once
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(150 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, err = ws.Run(ctx, slow)
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(start), 5*time.Second)

	// a deadline
	ctx, cancel = context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err = ws.Run(ctx, slow)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// tiled repeats g cols × rows times: a page that takes seconds to read.
func tiled(g *image.Gray, cols, rows int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	big := image.NewGray(image.Rect(0, 0, cols*w, rows*h))
	for y := range rows {
		for x := range cols {
			draw.Draw(big, image.Rect(x*w, y*h, (x+1)*w, (y+1)*h), g, g.Rect.Min, draw.Src)
		}
	}
	return big
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
	slow := mj
	slow.Image = tiled(mj.Image, 3, 4)
	start := time.Now()
	_, err = l.Run(context.Background(), slow) // also loads the engine
	require.NoError(t, err)
	full := time.Since(start)
	ctx, cancel = context.WithTimeout(context.Background(), full/10)
	defer cancel()
	start = time.Now()
	_, err = l.Run(ctx, slow)
	require.Less(t, time.Since(start), full*3/4, "tesseract's monitor stops the recognition")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestFor(t *testing.T) {
	t.Parallel()
	require.Equal(t, "program", tesseract.For(tesseract.ModeProgram, "").Mode())
	require.Equal(t, "program", tesseract.For(tesseract.ModeAuto, "/usr/bin/tesseract").Mode())
	if _, err := tesseract.SharedWorkers(); err == nil {
		require.Equal(t, "workers", tesseract.For(tesseract.ModeAuto, "").Mode())
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
		require.Zero(t, l.IdleEngines())
	}
}
