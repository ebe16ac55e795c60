// Package tesseract runs tesseract OCR for the document readers (the MRZ
// and the printed zone): through libtesseract's C API in helper processes
// that keep their engines loaded (Workers; a cgo build on a machine with
// Debian's libtesseract5), otherwise the tesseract program once per image.
//
// Most of a small recognition's time is loading its models: 0.2 s per
// model on one core, three to six times what reading an MRZ band takes.
// A worker keeps initialised engines pooled by models and settings, so a
// model is loaded once per worker and not once per image; and tesseract,
// which aborts its process on some inputs, runs outside the server's.
// Both ways give the same output for the same image and settings (the
// program's hOCR and TSV are the library's, written out), so the readers
// parse one format whichever ran.
package tesseract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openkyc/openkyc/internal/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Output is the format a job's result is written in.
type Output int

// Outputs.
const (
	TSV  Output = iota // tesseract's TSV: one row per page, block, paragraph, line and word
	HOCR               // hOCR (HTML) of the page
)

// Var is a tesseract parameter set when its models are loaded, as the
// program's -c NAME=VALUE.
type Var struct{ Name, Value string }

// Job is one recognition.
type Job struct {
	Image       *image.Gray
	Models      []string // model names, in order of preference ("eng", "ocrb_int")
	TessdataDir string   // folder of the models; empty: the installed ones
	PSM         int      // page segmentation mode
	Vars        []Var
	Output      Output
}

// startSpan starts the span of one recognition: the OCR time of the
// engine that asked for it.
func startSpan(ctx context.Context, j Job, mode string) (context.Context, trace.Span) {
	var w, h int
	if j.Image != nil {
		w, h = j.Image.Rect.Dx(), j.Image.Rect.Dy()
	}
	return tracing.Start(ctx, "ocr.tesseract", attribute.String("openkyc.ocr.mode", mode), attribute.StringSlice("openkyc.ocr.models", j.Models),
		attribute.Int("openkyc.ocr.psm", j.PSM), attribute.Int("openkyc.ocr.width", w), attribute.Int("openkyc.ocr.height", h))
}

// Runner recognises the text of an image.
type Runner interface {
	Run(ctx context.Context, j Job) ([]byte, error)
	// Mode names the way it runs tesseract: "library" or "program".
	Mode() string
}

// Program runs the tesseract program (Path, default "tesseract" on PATH)
// once per job, with one OpenMP thread, the image as PNG on its standard
// input.
type Program struct{ Path string }

// Mode is "program".
func (Program) Mode() string { return "program" }

// Run runs the program on j.
func (p Program) Run(ctx context.Context, j Job) (_ []byte, err error) {
	ctx, span := startSpan(ctx, j, "program")
	defer func() { tracing.End(span, err) }()
	var in bytes.Buffer
	if err := png.Encode(&in, j.Image); err != nil {
		return nil, err
	}
	prog := p.Path
	if prog == "" {
		prog = "tesseract"
	}
	args := []string{"stdin", "stdout"}
	if j.TessdataDir != "" {
		args = append(args, "--tessdata-dir", j.TessdataDir)
	}
	args = append(args, "-l", strings.Join(j.Models, "+"), "--psm", strconv.Itoa(j.PSM))
	for _, v := range j.Vars {
		args = append(args, "-c", v.Name+"="+v.Value)
	}
	switch j.Output {
	case HOCR:
		args = append(args, "-c", "tessedit_create_hocr=1")
	default:
		args = append(args, "tsv")
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdin = &in
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("tesseract: %w", ctx.Err())
		}
		return nil, fmt.Errorf("tesseract: %w: %s", err, strings.TrimSpace(errOut.String()))
	}
	return out.Bytes(), nil
}

// Modes of the OCR setting (--ocr).
const (
	ModeAuto    = "auto"    // workers keeping libtesseract loaded when it loads, else the program
	ModeProgram = "program" // always the program
)

var (
	libOnce sync.Once
	lib     *Library
	libErr  error
)

// Shared is the process's libtesseract, loaded at the first call (the
// library sets OMP_THREAD_LIMIT=1 in the process's environment before it
// loads, so each recognition uses one thread); the error says why it is
// not available (a build without cgo, the library not installed).
func Shared() (*Library, error) {
	libOnce.Do(func() { lib, libErr = loadLibrary() })
	return lib, libErr
}

var (
	workersOnce sync.Once
	workers     *Workers
	workersErr  error
)

// SharedWorkers are the process's tesseract workers, started at the first
// call (DefaultIdleEngines; see Workers.SetIdleEngines); the error says why
// libtesseract cannot be used (a build without cgo, the library not
// installed).
func SharedWorkers() (*Workers, error) {
	workersOnce.Do(func() { workers, workersErr = NewWorkers(DefaultIdleEngines) })
	return workers, workersErr
}

// For is the runner a reader uses: the tesseract program when one is
// named (program, a path) or mode is ModeProgram, else the shared workers
// when libtesseract loads in them, else the program on PATH.
func For(mode, program string) Runner {
	if program != "" || mode == ModeProgram {
		return Program{Path: program}
	}
	if ws, err := SharedWorkers(); err == nil {
		return ws
	}
	return Program{}
}

// ErrNoLibrary says libtesseract could not be used.
var ErrNoLibrary = errors.New("libtesseract unavailable")

// poolKey identifies engines that can serve one another's jobs: the models
// and the parameters set when they were loaded.
func poolKey(j Job) string {
	var b strings.Builder
	b.WriteString(j.TessdataDir)
	b.WriteByte(0)
	b.WriteString(strings.Join(j.Models, "+"))
	for _, v := range j.Vars {
		b.WriteByte(0)
		b.WriteString(v.Name)
		b.WriteByte('=')
		b.WriteString(v.Value)
	}
	return b.String()
}
