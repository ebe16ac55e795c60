package barcode

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check/quality"
)

// Code is one barcode found in an image.
type Code struct {
	Format string `json:"format"` // PDF417, QRCode, …
	Text   string `json:"text"`
}

// Reader finds and decodes barcodes with zxing-cpp's ZXingReader (Debian
// zxing-cpp-tools): PDF417 and QR codes, in any rotation.
type Reader struct {
	Program string        // "" is ZXingReader on the PATH
	Timeout time.Duration // per ZXingReader run (ReadImage makes two at most); 0 is 20 s
}

// Formats are the symbologies identity documents carry.
var Formats = []string{"PDF417", "QRCode"}

// Available reports whether the decoder can run.
func (r Reader) Available() error {
	if _, err := exec.LookPath(r.program()); err != nil {
		return fmt.Errorf("barcode reader %s not installed (Debian: zxing-cpp-tools; scripts/install-assets.sh installs it): %w", r.program(), err)
	}
	return nil
}

func (r Reader) program() string {
	if r.Program == "" {
		return "ZXingReader"
	}
	return r.Program
}

// Read decodes every PDF417 and QR code in the image file at path; none
// found is an empty result, not an error.
func (r Reader) Read(ctx context.Context, path string) ([]Code, error) {
	abs, err := filepath.Abs(path) // never read as an option
	if err != nil {
		return nil, err
	}
	all, err := r.run(ctx, []string{abs}, nil)
	return all[abs], err
}

// run runs ZXingReader once over the files (prepared by setup) and returns
// each one's codes.
func (r Reader) run(ctx context.Context, paths []string, setup func(*exec.Cmd)) (map[string][]Code, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append([]string{"-1", "-format", strings.Join(Formats, ",")}, paths...)
	cmd := exec.CommandContext(ctx, r.program(), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = time.Second // a child left behind may not hold the pipes open past the limit
	if setup != nil {
		setup(cmd)
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("barcode reader: %w", ctx.Err())
		}
		// stderr only: stdout holds what was decoded, personal data
		return nil, fmt.Errorf("barcode reader: %w: %s", err, truncate(strings.TrimSpace(errOut.String())))
	}
	return parseOutput(out.String(), paths)
}

// parseOutput reads ZXingReader's one-line-per-barcode output: the file
// name, the format and the text in quotes with non-graphical characters
// escaped (see Unescape); "None" when nothing was found in a file. Each
// file's codes are keyed by its path.
func parseOutput(out string, paths []string) (map[string][]Code, error) {
	codes := map[string][]Code{}
	for n, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var path, rest string
		for _, p := range paths { // the longest path the line starts with
			if r, ok := strings.CutPrefix(line, p+" "); ok && len(p) > len(path) {
				path, rest = p, r
			}
		}
		if path == "" {
			return nil, fmt.Errorf("barcode reader: unexpected output on line %d", n+1) // not quoted: it may hold what was decoded
		}
		if rest == "None" {
			continue
		}
		format, text, ok := strings.Cut(rest, " ")
		if !ok || len(text) < 2 || text[0] != '"' || text[len(text)-1] != '"' {
			if strings.Contains(rest, "Error") {
				continue // a symbol found but not decoded (checksum)
			}
			return nil, fmt.Errorf("barcode reader: unexpected output on line %d", n+1)
		}
		codes[path] = append(codes[path], Code{Format: format, Text: Unescape(text[1 : len(text)-1])})
	}
	return codes, nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// controlNames are the names ZXingReader's -escape writes for ASCII
// control characters, in angle brackets.
var controlNames = map[string]byte{"NUL": 0, "SOH": 1, "STX": 2, "ETX": 3, "EOT": 4, "ENQ": 5, "ACK": 6, "BEL": 7, "BS": 8, "HT": 9,
	"LF": 10, "VT": 11, "FF": 12, "CR": 13, "SO": 14, "SI": 15, "DLE": 16, "DC1": 17, "DC2": 18, "DC3": 19, "DC4": 20, "NAK": 21,
	"SYN": 22, "ETB": 23, "CAN": 24, "EM": 25, "SUB": 26, "ESC": 27, "FS": 28, "GS": 29, "RS": 30, "US": 31, "DEL": 127}

// Unescape turns ZXingReader's escapes back into characters: <LF>, <RS>,
// … (ASCII control names) and <U+E9> (a code point). Text that happens to
// hold such a sequence literally reads as the character it names; AAMVA
// data never does.
func Unescape(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+1 : i+j]
		b.WriteString(s[:i])
		if c, ok := unescape(name); ok {
			b.WriteString(c)
			s = s[i+j+1:]
			continue
		}
		b.WriteByte('<') // a literal '<' (zxing does not escape it): go on after it
		s = s[i+1:]
	}
}

// Turns are the angles (degrees) an image is also read at when nothing is
// found level: zxing-cpp finds a PDF417 only within about a degree of
// level (4° off, none of 40 generated cards was read; see
// BenchmarkDecodeRate), and phones photograph cards a few degrees off.
var Turns = []float64{-4, 4, -8, 8}

// unescape is the character an escape's name stands for.
func unescape(name string) (string, bool) {
	if c, ok := controlNames[name]; ok {
		return string([]byte{c}), true
	}
	if hex, ok := strings.CutPrefix(name, "U+"); ok && len(hex) >= 2 && len(hex) <= 6 {
		if r, err := strconv.ParseUint(hex, 16, 32); err == nil && r <= 0x10FFFF {
			return string(rune(r)), true
		}
	}
	return "", false
}

// ReadImage decodes the barcodes of a decoded image, level and, when none
// is found, turned by each of Turns (one ZXingReader run for those). The
// images reach ZXingReader through pipes (/dev/fd/3, …) as binary PGM:
// nothing of the document is written to disk. The turned copies are made
// one at a time, as ZXingReader reads them in order, so at most the grey
// copy and one turned copy are held beside img.
func (r Reader) ReadImage(ctx context.Context, img image.Image) ([]Code, error) {
	g := grey(img)
	codes, err := r.readPiped(ctx, 1, func(int) *image.Gray { return g })
	if err != nil {
		return nil, err
	}
	if len(codes[0]) > 0 {
		return codes[0], nil
	}
	all, err := r.readPiped(ctx, len(Turns), func(i int) *image.Gray { return quality.Rotate(g, Turns[i]) })
	if err != nil {
		return nil, err
	}
	for _, c := range all { // the first turn that read anything
		if len(c) > 0 {
			return c, nil
		}
	}
	return nil, nil
}

// readPiped runs ZXingReader once over n images, the i-th made by next(i)
// when its turn to be written comes and written as PGM to a pipe the
// reader opens as /dev/fd/(3+i); it returns each one's codes.
func (r Reader) readPiped(ctx context.Context, n int, next func(i int) *image.Gray) ([][]Code, error) {
	paths := make([]string, n)
	readers := make([]*os.File, n)
	writers := make([]*os.File, n)
	closeAll := func(fs []*os.File) {
		for _, f := range fs {
			if f != nil {
				f.Close()
			}
		}
	}
	defer closeAll(readers)
	for i := range n {
		var err error
		if readers[i], writers[i], err = os.Pipe(); err != nil {
			closeAll(writers)
			return nil, fmt.Errorf("barcode reader: %w", err)
		}
		paths[i] = fmt.Sprintf("/dev/fd/%d", 3+i) // ExtraFiles start at 3
	}
	done := make(chan struct{})
	go func() { // one writer: ZXingReader reads its files in order
		defer close(done)
		for i, w := range writers {
			if ctx.Err() == nil {
				_ = writePGM(w, next(i)) // a reader that stops early breaks the pipe: its output says what it read
			}
			w.Close()
		}
	}()
	all, err := r.run(ctx, paths, func(cmd *exec.Cmd) { cmd.ExtraFiles = readers })
	closeAll(readers) // the child holds its own copies
	readers = nil
	closeAll(writers) // a write still blocked (the reader stopped, or left a child holding the pipe) ends
	<-done
	if err != nil {
		return nil, err
	}
	out := make([][]Code, n)
	for i, p := range paths {
		out[i] = all[p]
	}
	return out, nil
}

// writePGM writes g as a binary PGM (P5), which ZXingReader's image loader
// reads without seeking.
func writePGM(w io.Writer, g *image.Gray) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	b := g.Bounds()
	fmt.Fprintf(bw, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := 0; y < b.Dy(); y++ {
		i := g.PixOffset(b.Min.X, b.Min.Y+y)
		if _, err := bw.Write(g.Pix[i : i+b.Dx()]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// grey is img's luma.
func grey(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Pix[y*out.Stride+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
		}
	}
	return out
}
