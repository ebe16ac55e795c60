package mrz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/check/tesseract"
)

// Reader finds and reads the MRZ of a photographed document with tesseract
// and the OCR-B model (ocrb_int.traineddata).
type Reader struct {
	Tesseract   string        // program; default "tesseract" on PATH
	TessdataDir string        // folder holding ocrb_int.traineddata
	Timeout     time.Duration // per image, locating and every OCR pass; default 10 s
	Debug       Debugger      // receives intermediate images and readings when set
	Glyphs      *GlyphFont    // OCR-B for the glyph matcher's second opinion on small text; nil: tesseract alone
	// OCR runs tesseract; nil: tesseract workers when libtesseract loads and
	// Tesseract is empty, else the program (tesseract.For).
	OCR tesseract.Runner
}

// ErrUnavailable says what is missing for OCR (the check reports not_run).
var ErrUnavailable = errors.New("mrz reader unavailable")

// Available reports what is missing, if anything.
func (r Reader) Available() error {
	if r.ocrRunner().Mode() == "program" {
		prog := r.Tesseract
		if prog == "" {
			prog = "tesseract"
		}
		if _, err := exec.LookPath(prog); err != nil {
			return fmt.Errorf("%w: the tesseract program is not installed (apt-get install tesseract-ocr, or scripts/install-assets.sh)", ErrUnavailable)
		}
	}
	if _, err := os.Stat(filepath.Join(r.TessdataDir, "ocrb_int.traineddata")); err != nil {
		return fmt.Errorf("%w: ocrb_int.traineddata is missing from %s (scripts/install-assets.sh)", ErrUnavailable, r.TessdataDir)
	}
	return nil
}

// Reading is what OCR found.
type Reading struct {
	Lines      []string  `json:"lines"`      // after repair
	Raw        []string  `json:"raw"`        // as tesseract read them
	Confidence []float64 `json:"confidence"` // per line, 0–100
	Repaired   int       `json:"repaired"`   // characters changed by check-digit repair
	Fitted     int       `json:"fitted"`     // characters added (fillers) or cut off to fit the layout
	// Ambiguous: letters read among the document number's digits hold
	// every check digit as well as the zeros the reading chose.
	Ambiguous  bool    `json:"ambiguous,omitempty"`
	Band       [4]int  `json:"band"`        // x0, y0, x1, y1 of the MRZ band in the image (after deskewing)
	Skew       float64 `json:"skew"`        // degrees the image was turned to level its text rows
	Turn       int     `json:"turn"`        // quarter turns (0, 90, 180, 270 degrees clockwise) the image needed
	CharHeight float64 `json:"char_height"` // height of the MRZ's characters in the submitted image, pixels
	// OtherMRZs counts the MRZs of other documents on the same image (two
	// passports photographed together): which one is the applicant's is
	// not for the reader to guess.
	OtherMRZs  int      `json:"other_mrzs,omitempty"`
	Document   Document `json:"document"`
	ParseError string   `json:"parse_error,omitempty"`
	// CharConfidence is tesseract's confidence (0–100) of each character
	// of Lines; -1 for a filler added to fit the layout.
	CharConfidence [][]float64 `json:"char_confidence,omitempty"`
}

// toGray converts img to grayscale, scaled down so its width is at most maxW.
func toGray(img image.Image, maxW int) *image.Gray {
	b := img.Bounds()
	scale := 1.0
	if b.Dx() > maxW {
		scale = float64(maxW) / float64(b.Dx())
	}
	w, h := int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)
	g := image.NewGray(image.Rect(0, 0, w, h))
	lum := inkGrey(img)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// average the source pixels of this cell (box filter) to keep thin strokes
			x0, y0 := b.Min.X+int(float64(x)/scale), b.Min.Y+int(float64(y)/scale)
			x1, y1 := max(x0+1, b.Min.X+int(float64(x+1)/scale)), max(y0+1, b.Min.Y+int(float64(y+1)/scale))
			var sum, n uint32
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					sum += uint32(lum(sx, sy))
					n++
				}
			}
			g.Pix[y*w+x] = uint8(sum / n)
		}
	}
	return g
}

// luma reads the grey level of img's pixels: straight from the luma plane
// of a JPEG or the pixels of a grey or RGBA image (a 40-megapixel photo is
// converted in a fraction of a second), through the colour model otherwise.
func luma(img image.Image) func(x, y int) uint8 {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) uint8 { return m.Y[m.YOffset(x, y)] }
	case *image.Gray:
		return func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)] }
	case *image.RGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			return uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
		}
	case *image.NRGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			return uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
		}
	}
	return func(x, y int) uint8 { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y }
}

// inkGrey reads each pixel's grey level as the mean of its luma and its
// lightest channel. MRZ ink is black; coloured print, annotations and the
// tinted guilloche behind the zone lighten towards the paper while the
// characters keep their contrast. The lightest channel alone carries the
// chroma noise of JPEG compression; the mean halves it. On the public
// specimen set it read 6 more images correctly than luma alone, none
// wrongly (bench/results/mrz-real.md).
func inkGrey(img image.Image) func(x, y int) uint8 {
	switch img.(type) {
	case *image.YCbCr, *image.Gray, *image.RGBA, *image.NRGBA:
		l, v := luma(img), ink(img)
		return func(x, y int) uint8 { return uint8((uint16(l(x, y)) + uint16(v(x, y)) + 1) / 2) }
	}
	// other colour models: one conversion of each pixel serves both
	return func(x, y int) uint8 {
		c := img.At(x, y)
		r, g, b, _ := c.RGBA()
		l := uint16(color.GrayModel.Convert(c).(color.Gray).Y)
		return uint8((l + uint16(max(r, g, b)>>8) + 1) / 2)
	}
}

// ink reads how light each pixel is in its lightest channel (HSV value):
// MRZ ink is black, so coloured print and background patterns lighten
// while the characters keep their contrast.
func ink(img image.Image) func(x, y int) uint8 {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) uint8 {
			yy := int32(m.Y[m.YOffset(x, y)]) << 16
			ci := m.COffset(x, y)
			cb, cr := int32(m.Cb[ci])-128, int32(m.Cr[ci])-128
			r := yy + 91881*cr
			g := yy - 22554*cb - 46802*cr
			b := yy + 116130*cb
			return clamp16(max(r, g, b))
		}
	case *image.Gray:
		return func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)] }
	case *image.RGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			return max(p[0], p[1], p[2])
		}
	case *image.NRGBA:
		return func(x, y int) uint8 {
			p := m.Pix[m.PixOffset(x, y):]
			return max(p[0], p[1], p[2])
		}
	}
	return func(x, y int) uint8 {
		r, g, b, _ := img.At(x, y).RGBA()
		return uint8(max(r, g, b) >> 8)
	}
}

// clamp16 turns a 16.16 fixed-point level into 0–255.
func clamp16(v int32) uint8 {
	v = (v + 1<<15) >> 16
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// locateBand finds the MRZ: the lowest group of two or three text rows
// whose dark/light transitions span most of the document's width. Rows are
// scored by transitions per row over a local threshold.
func locateBand(g *image.Gray) (image.Rectangle, bool) {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	if w < 100 || h < 40 {
		return image.Rectangle{}, false
	}
	thr := quality.Otsu(g.Pix)
	score := make([]float64, h)
	left, right := make([]int, h), make([]int, h)
	for y := 0; y < h; y++ {
		row := g.Pix[y*w : (y+1)*w]
		n, first, last := 0, -1, -1
		dark := row[0] < thr
		for x := 1; x < w; x++ {
			d := row[x] < thr
			if d != dark {
				n++
				if first < 0 {
					first = x
				}
				last = x
			}
			dark = d
		}
		score[y], left[y], right[y] = float64(n)/float64(w), first, last
	}
	// smooth over a few rows
	sm := make([]float64, h)
	for y := range sm {
		var s float64
		k := 0
		for d := -2; d <= 2; d++ {
			if y+d >= 0 && y+d < h {
				s += score[y+d]
				k++
			}
		}
		sm[y] = s / float64(k)
	}
	// text rows: dense transitions; the MRZ rows have the densest, most
	// regular ones (many narrow characters across the width).
	sorted := append([]float64(nil), sm...)
	sort.Float64s(sorted)
	cut := math.Max(0.03, sorted[int(float64(h)*0.9)]*0.3)
	type run struct{ y0, y1 int }
	var runs []run
	for y := 0; y < h; {
		if sm[y] < cut {
			y++
			continue
		}
		y0 := y
		for y < h && sm[y] >= cut {
			y++
		}
		if y-y0 >= 3 {
			runs = append(runs, run{y0, y})
		}
	}
	if len(runs) == 0 {
		return image.Rectangle{}, false
	}
	// The MRZ is the bottom group of up to three runs (text lines) that
	// follow each other closely: extend upwards from the last run while the
	// gap is at most 1.5 line heights.
	first := len(runs) - 1
	for first > 0 && len(runs)-first < 3 {
		hgt := runs[first].y1 - runs[first].y0
		if runs[first].y0-runs[first-1].y1 > hgt*3/2 {
			break
		}
		first--
	}
	y0, y1 := runs[first].y0, runs[len(runs)-1].y1
	lineH := (y1 - y0) / max(1, len(runs)-first)
	pad := max(4, lineH/2)
	// Horizontal extent: the columns with some but not all pixels dark. The
	// background around a photographed document is dark in every row; it
	// must stay out, or its edge is read as a character.
	frac := make([]float64, w)
	for x := 0; x < w; x++ {
		n := 0
		for y := y0; y < y1; y++ {
			if g.Pix[y*w+x] < thr {
				n++
			}
		}
		frac[x] = float64(n) / float64(y1-y0)
	}
	isText := func(x int) bool { return frac[x] > 0.02 && frac[x] < 0.8 }
	x0, x1 := 0, w-1
	for x0 < w && !isText(x0) {
		x0++
	}
	for x1 > x0 && !isText(x1) {
		x1--
	}
	// Skip a thin dark sliver (the document's edge, tilted into the band)
	// that a blank gap separates from the text.
	for x0 < w/10 {
		end := x0
		for end < x1 && frac[end] > 0.02 {
			end++
		}
		gap := end
		for gap < x1 && frac[gap] <= 0.02 {
			gap++
		}
		if end-x0 > w/80 || gap-end < 4 || gap >= x1 || maxFrac(frac[x0:end]) < 0.45 {
			break // a character (it spans one line, an edge spans the band)
		}
		x0 = gap
	}
	for x1 > w-w/10 {
		end := x1
		for end > x0 && frac[end] > 0.02 {
			end--
		}
		gap := end
		for gap > x0 && frac[gap] <= 0.02 {
			gap--
		}
		if x1-end > w/80 || end-gap < 4 || gap <= x0 || maxFrac(frac[end+1:x1+1]) < 0.45 {
			break
		}
		x1 = gap
	}
	// pad over blank (document) columns only
	for k := 0; k < pad && x0 > 0 && frac[x0-1] <= 0.02; k++ {
		x0--
	}
	for k := 0; k < pad && x1 < w-1 && frac[x1+1] <= 0.02; k++ {
		x1++
	}
	_, _ = left, right
	r := image.Rect(x0, max(0, y0-pad), x1+1, min(h, y1+pad))
	if r.Dx() < w/3 {
		return image.Rectangle{}, false
	}
	return r, true
}

// prepare crops the band, scales it so characters are ~40 px high and
// binarises it with Otsu's threshold (black text on white).
func prepare(g *image.Gray, band image.Rectangle) *image.Gray {
	w := g.Bounds().Dx()
	cw, ch := band.Dx(), band.Dy()
	scale := math.Max(1, 1400/float64(cw))
	ow, oh := int(float64(cw)*scale), int(float64(ch)*scale)
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	crop := make([]uint8, 0, cw*ch)
	for y := band.Min.Y; y < band.Max.Y; y++ {
		crop = append(crop, g.Pix[y*w+band.Min.X:y*w+band.Max.X]...)
	}
	thr := quality.Otsu(crop)
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			// bilinear sample
			fx, fy := float64(x)/scale, float64(y)/scale
			x0, y0 := int(fx), int(fy)
			x1, y1 := min(x0+1, cw-1), min(y0+1, ch-1)
			ax, ay := fx-float64(x0), fy-float64(y0)
			p := func(xx, yy int) float64 { return float64(crop[yy*cw+xx]) }
			v := (p(x0, y0)*(1-ax)+p(x1, y0)*ax)*(1-ay) + (p(x0, y1)*(1-ax)+p(x1, y1)*ax)*ay
			if v < float64(thr) {
				out.Pix[y*ow+x] = 0
			} else {
				out.Pix[y*ow+x] = 255
			}
		}
	}
	// Blank dark runs touching the left or right border: slivers of the
	// document's edge, which OCR reads as 1 or I. Text does not touch the
	// border (the band is padded with blank columns where there are some).
	col := func(x int) bool { // a tall dark run: an edge, not a character
		n := 0
		for y := 0; y < oh; y++ {
			if out.Pix[y*ow+x] == 0 {
				n++
			}
		}
		return n > oh*6/10
	}
	blank := func(x int) {
		for y := 0; y < oh; y++ {
			out.Pix[y*ow+x] = 255
		}
	}
	for x := 0; x < ow/25 && col(x); x++ {
		blank(x)
	}
	for x := ow - 1; x > ow-ow/25 && col(x); x-- {
		blank(x)
	}
	return out
}

// ocr runs tesseract on the band and returns the text lines (the last
// three of at least 20 characters), their mean word confidence and each
// character's confidence.
func (r Reader) ocr(ctx context.Context, band *image.Gray) ([]string, []float64, [][]float64, error) {
	all, err := r.tesseract(ctx, band)
	if err != nil {
		return nil, nil, nil, err
	}
	var texts []string
	var confs []float64
	var chars [][]float64
	for _, l := range all {
		if len(l.text) < 20 {
			continue // noise
		}
		texts, confs = append(texts, l.text), append(confs, l.meanWordConf())
		chars = append(chars, l.chars)
	}
	if len(texts) < 2 {
		return texts, confs, chars, errors.New("the machine readable zone could not be read")
	}
	if len(texts) > 3 {
		texts, confs, chars = texts[len(texts)-3:], confs[len(confs)-3:], chars[len(chars)-3:]
	}
	return texts, confs, chars, nil
}

// mrzVars are the MRZ's tesseract settings: its alphabet, no
// dictionary, hOCR with each character's box and confidence.
var mrzVars = []tesseract.Var{
	{Name: "tessedit_char_whitelist", Value: mrzAlphabet},
	{Name: "load_system_dawg", Value: "0"}, {Name: "load_freq_dawg", Value: "0"},
	{Name: "hocr_char_boxes", Value: "1"},
}

// ocrRunner runs tesseract for the reader: OCR when set, else libtesseract
// workers when it loads and no program is named, else the program.
func (r Reader) ocrRunner() tesseract.Runner {
	if r.OCR != nil {
		return r.OCR
	}
	return tesseract.For(tesseract.ModeAuto, r.Tesseract)
}

// tesseract reads img with the OCR-B model (one thread, the MRZ alphabet,
// one block of uniform text) into hOCR lines.
func (r Reader) tesseract(ctx context.Context, img *image.Gray) ([]hocrLine, error) {
	out, err := r.ocrRunner().Run(ctx, tesseract.Job{
		Image: img, Models: []string{"ocrb_int"}, TessdataDir: r.TessdataDir, PSM: 6, Vars: mrzVars, Output: tesseract.HOCR,
	})
	if err != nil {
		return nil, err
	}
	return parseHOCR(out), nil
}

// hocrLine is one text line of tesseract's hOCR: its characters, their
// confidences and the confidences of its words.
type hocrLine struct {
	text  string
	chars []float64
	xs    []float64 // each character's box centre, image columns
	wconf []float64
	box   image.Rectangle
}

// meanWordConf is the line's mean word confidence, to one decimal.
func (l hocrLine) meanWordConf() float64 {
	if len(l.wconf) == 0 {
		return 0
	}
	var s float64
	for _, c := range l.wconf {
		s += c
	}
	return math.Round(s/float64(len(l.wconf))*10) / 10
}

var (
	hocrLineRE = regexp.MustCompile(`class='ocr_(?:line|header|caption|textfloat)'[^>]*bbox (\d+) (\d+) (\d+) (\d+)`)
	hocrWordRE = regexp.MustCompile(`class='ocrx_word'[^>]*x_wconf ([0-9.]+)`)
	hocrCharRE = regexp.MustCompile(`class='ocrx_cinfo'[^>]*?(?:x_bboxes (\d+) \d+ (\d+) \d+;[^>]*?)?x_conf ([0-9.]+)'>([^<]*)</span>`)
)

// parseHOCR reads tesseract's hOCR (one element per output line, as
// tesseract writes it) with character boxes; words without characters are
// skipped.
func parseHOCR(b []byte) []hocrLine {
	var lines []hocrLine
	var cur *hocrLine
	word := -1.0
	for _, raw := range bytes.Split(b, []byte("\n")) {
		switch {
		case hocrLineRE.Match(raw):
			m := hocrLineRE.FindSubmatch(raw)
			var v [4]int
			for i := range v {
				v[i], _ = strconv.Atoi(string(m[i+1]))
			}
			lines = append(lines, hocrLine{box: image.Rect(v[0], v[1], v[2], v[3])})
			cur = &lines[len(lines)-1]
		case hocrWordRE.Match(raw):
			word, _ = strconv.ParseFloat(string(hocrWordRE.FindSubmatch(raw)[1]), 64)
		default:
			m := hocrCharRE.FindSubmatch(raw)
			if m == nil || cur == nil {
				continue
			}
			c := strings.TrimSpace(html.UnescapeString(string(m[4])))
			if c == "" {
				continue
			}
			if word >= 0 { // the first character of a word
				cur.wconf = append(cur.wconf, word)
				word = -1
			}
			conf, _ := strconv.ParseFloat(string(m[3]), 64)
			x0, _ := strconv.Atoi(string(m[1]))
			x1, _ := strconv.Atoi(string(m[2]))
			for range len(c) {
				cur.chars = append(cur.chars, conf)
				cur.xs = append(cur.xs, float64(x0+x1)/2)
			}
			cur.text += c
		}
	}
	return lines
}

func maxFrac(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// candidates are the line groups an OCR result of n lines may hold, as
// indexes of its lines.
func candidates(n int) [][]int {
	if n < 3 {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return [][]int{out}
	}
	a, b, c := n-3, n-2, n-1
	return [][]int{{a, b, c}, {a, b}, {b, c}}
}

// score rates repaired lines: valid check digits count, problems cost.
func score(lines []string) int {
	d, err := Parse(lines...)
	if errors.Is(err, ErrFormat) {
		return -1000
	}
	sc := 0
	for _, c := range d.CheckDigits {
		if c.Valid {
			sc += 2
		} else {
			sc -= 2
		}
	}
	var e *Error
	if errors.As(err, &e) {
		sc -= len(e.Problems)
	}
	return sc
}
