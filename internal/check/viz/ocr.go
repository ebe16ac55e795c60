package viz

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/draw"

	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/check/tesseract"
)

// Reader reads the printed zone of a document image with tesseract and
// Debian's language models (tesseract-ocr-eng, -fra, -spa, …).
type Reader struct {
	Tesseract string // program; default "tesseract" on PATH (it also lists the models and tells a page's orientation)
	// OCR runs tesseract's recognitions; nil: tesseract workers when
	// libtesseract loads and Tesseract is empty, else the program
	// (tesseract.For).
	OCR     tesseract.Runner
	Timeout time.Duration // per image; default 10 s
	// Width is the width images are scaled to before OCR (default 1600 px:
	// an ID-1 card's labels then stand about 15 px tall).
	Width int

	mu     sync.Mutex
	ok     bool     // tesseract and its English model were found
	models []string // the language models tesseract has
}

// ErrUnavailable says what is missing for OCR.
var ErrUnavailable = errors.New("printed zone reader unavailable")

func (r *Reader) prog() string {
	if r.Tesseract == "" {
		return "tesseract"
	}
	return r.Tesseract
}

// Available reports what is missing, if anything: tesseract and its
// English model.
func (r *Reader) Available() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ok {
		return nil
	}
	// failures are not kept: a tesseract installed later, or a slow first
	// call, is found on the next reading
	if _, err := exec.LookPath(r.prog()); err != nil {
		return fmt.Errorf("%w: the tesseract program is not installed (apt-get install tesseract-ocr, or scripts/install-assets.sh)", ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, r.prog(), "--list-langs").Output()
	if err != nil {
		return fmt.Errorf("%w: tesseract --list-langs: %v", ErrUnavailable, err)
	}
	var models []string
	for _, l := range strings.Split(string(out), "\n")[1:] {
		if l = strings.TrimSpace(l); l != "" {
			models = append(models, l)
		}
	}
	if !slices.Contains(models, "eng") {
		return fmt.Errorf("%w: tesseract's English model is missing (apt-get install tesseract-ocr-eng)", ErrUnavailable)
	}
	r.models, r.ok = models, true
	return nil
}

// Models are the tesseract models used for a country's documents: its
// languages' that are installed, then English; and the ones missing.
func (r *Reader) Models(country string) (use, missing []string) {
	for _, l := range countryLanguages[country] {
		m := Languages[l]
		if slices.Contains(r.models, m) {
			use = append(use, m)
		} else {
			missing = append(missing, m)
		}
	}
	return append(use, "eng"), missing
}

// Reading is the printed zone of one image.
type Reading struct {
	Result
	Models        []string `json:"models"`                   // tesseract models used
	MissingModels []string `json:"missing_models,omitempty"` // models the country's languages need that are not installed
	Scale         float64  `json:"scale"`                    // the image was scaled by this before OCR
	Skew          float64  `json:"skew"`                     // degrees the image was turned to level its text
	Turn          int      `json:"turn,omitempty"`           // then turned clockwise by this many degrees (a photo taken sideways or upside down)
}

// Read OCRs img (words with boxes and confidences) and extracts its
// fields. country is the issuing country when known (alpha-2).
func (r *Reader) Read(ctx context.Context, img image.Image, country string, now time.Time) (Reading, error) {
	if err := r.Available(); err != nil {
		return Reading{}, err
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	levelled, scale, skew := r.prepare(img)
	g := quality.Flatten(levelled, flattenRadius)
	models, missing := r.Models(country)
	words, err := r.tesseract(ctx, g, models, psmBlock)
	if err != nil {
		return Reading{}, err
	}
	first := Extract(words, country, now)
	turn := 0
	if first.Labels < 2 {
		// a front photographed a quarter or half turn round: tesseract's
		// orientation detection names the turn; the turned image is read
		// again and kept when it reads more labels (its script detection
		// is not reliable enough to choose a model by)
		t, err := r.orientation(ctx, unscaled(levelled, scale))
		if err != nil {
			return Reading{}, err
		}
		if t != 0 {
			tg := quality.Turn(g, t)
			tw, err := r.tesseract(ctx, tg, models, psmBlock)
			if err != nil {
				return Reading{}, err
			}
			if res := Extract(tw, country, now); res.Labels > first.Labels {
				g, words, first, turn = tg, tw, res, t
			}
		}
	}
	if first.Labels < 2 {
		// no printed zone this reader knows (another script, a blank
		// side, a thumbnail): a second pass would not find one
		rd := Reading{Result: first, Models: models, MissingModels: missing, Scale: round2(scale), Skew: round2(skew), Turn: turn}
		rd.Fields = map[string]Field{}
		for k, f := range first.Fields {
			f.Confidence, f.Passes = onePass(f.Confidence), PassesOneFound
			rd.Fields[k] = f
		}
		return rd, nil
	}
	if country == "" && first.IssuingCountry != "" {
		// the titles named the country: the second pass reads in its languages
		country = first.IssuingCountry
		models, missing = r.Models(country)
	}
	// the second pass reads a larger copy: OCR's misreadings change with
	// the scale, the printed text does not
	other := image.NewGray(image.Rect(0, 0, g.Rect.Dx()*secondNum/secondDen, g.Rect.Dy()*secondNum/secondDen))
	draw.BiLinear.Scale(other, other.Bounds(), g, g.Bounds(), draw.Src, nil)
	// and with English first: a country's model and English misread
	// different things (Vietnamese reads a slashed 0 as 9)
	second2 := append([]string{"eng"}, slices.DeleteFunc(slices.Clone(models), func(m string) bool { return m == "eng" })...)
	words2, err := r.tesseract(ctx, other, second2, psmBlock)
	if err != nil {
		return Reading{}, err
	}
	for i := range words2 {
		b := words2[i].Box
		words2[i].Box = image.Rect(b.Min.X*secondDen/secondNum, b.Min.Y*secondDen/secondNum, b.Max.X*secondDen/secondNum, b.Max.Y*secondDen/secondNum)
	}
	second := Extract(words2, country, now)
	rd := Reading{Result: vote(second, first), Models: models, MissingModels: missing, Scale: round2(scale), Skew: round2(skew), Turn: turn}
	if err := r.confirmNames(ctx, g, rd.Fields, models); err != nil {
		return Reading{}, err
	}
	return rd, nil
}

// Page segmentation modes: a block of text (the whole image), one line
// (the names' sheet).
const (
	psmBlock = 6
	psmLine  = 7
)

// nameFields are the fields that hold the holder's name.
var nameFields = []string{FieldSurname, FieldGivenNames, FieldFullName}

// confirmNames reads each name the two passes agree on at or above
// Confident once more, alone: its box, with a margin, enlarged twice, the
// names side by side on one sheet read as one line (one tesseract run:
// most of a small run's time is loading the models). OCR's confident
// misreadings of a face (I as T in "MARIA") change with the crop and the
// scale; a name the third reading does not confirm is in doubt
// (PassesDiffer, confidence halved). No check digit protects a name.
// fields are updated in place.
func (r *Reader) confirmNames(ctx context.Context, g *image.Gray, fields map[string]Field, models []string) error {
	var keys []string
	var crops []*image.Gray
	for _, k := range nameFields {
		f, ok := fields[k]
		if !ok || f.Confidence < Confident {
			continue
		}
		b := image.Rect(f.Box[0], f.Box[1], f.Box[2], f.Box[3])
		pad := max(4, b.Dy()/3)
		b = image.Rect(b.Min.X-pad, b.Min.Y-pad, b.Max.X+pad, b.Max.Y+pad).Intersect(g.Rect)
		if b.Empty() {
			continue
		}
		crop := image.NewGray(image.Rect(0, 0, 2*b.Dx(), 2*b.Dy()))
		draw.CatmullRom.Scale(crop, crop.Bounds(), g, b, draw.Src, nil)
		keys, crops = append(keys, k), append(crops, crop)
	}
	if len(crops) == 0 {
		return nil
	}
	sheet, slots := stack(crops)
	ws, err := r.tesseract(ctx, sheet, models, psmLine)
	if err != nil {
		return err
	}
	rows := make([][]Word, len(slots))
	for _, w := range ws {
		cx := (w.Box.Min.X + w.Box.Max.X) / 2
		for i, sl := range slots {
			if cx >= sl.Min.X && cx < sl.Max.X {
				rows[i] = append(rows[i], w)
			}
		}
	}
	for i, k := range keys {
		f := fields[k]
		again, _ := nameValue(strings.Join(wordTexts(rows[i]), " "))
		if again != f.Value {
			f.Confidence, f.Passes = round2(f.Confidence*0.5), PassesDiffer
			fields[k] = f
		}
	}
	return nil
}

// stack draws images side by side on a white sheet, vertically centred,
// a gap of the tallest one's height between them and around, and returns
// the sheet and each image's columns (its slot, gap halves included: a
// word belongs to the slot its centre falls in). The sheet is read as one
// line, as each name alone would be.
func stack(imgs []*image.Gray) (*image.Gray, []image.Rectangle) {
	w, h := 0, 0
	for _, im := range imgs {
		w, h = w+im.Rect.Dx(), max(h, im.Rect.Dy())
	}
	gap := max(8, h)
	sheet := image.NewGray(image.Rect(0, 0, w+gap*(len(imgs)+1), h+2*gap/2))
	draw.Draw(sheet, sheet.Rect, image.White, image.Point{}, draw.Src)
	slots := make([]image.Rectangle, len(imgs))
	x := gap
	for i, im := range imgs {
		y := (sheet.Rect.Dy() - im.Rect.Dy()) / 2
		r := image.Rect(x, y, x+im.Rect.Dx(), y+im.Rect.Dy())
		draw.Draw(sheet, r, im, im.Rect.Min, draw.Src)
		slots[i] = image.Rect(x-gap/2, 0, x+im.Rect.Dx()+gap/2, sheet.Rect.Dy())
		x += im.Rect.Dx() + gap
	}
	return sheet, slots
}

// Agreement of the two passes, in a field's evidence.
const (
	PassesAgree    = "agree"    // both passes read this value
	PassesDiffer   = "differ"   // the passes read different values: the confidence is halved
	PassesOneFound = "one_pass" // one pass found the field
)

// vote merges two passes' fields: a value both read keeps the higher
// confidence (below Confident when one pass found it by no label); values that differ keep the more confident one (a number
// fitting its scheme over one that does not) at half the lower confidence;
// a field one pass found keeps 80 % of its confidence,
// below Confident.
// The titles are the first result's, else the second's.
func vote(a, b Result) Result {
	out := a
	out.Fields = map[string]Field{}
	for k, fa := range a.Fields {
		fb, ok := b.Fields[k]
		switch {
		case !ok:
			fa.Confidence, fa.Passes = onePass(fa.Confidence), PassesOneFound
			out.Fields[k] = fa
		case fa.Value == fb.Value:
			fa.Confidence, fa.Passes = max(fa.Confidence, fb.Confidence), PassesAgree
			if fa.Label == "" || fb.Label == "" {
				// a value one pass found by no label (unlabelledName…)
				// confirms nothing: the other pass's may be its misreading
				fa.Confidence = min(fa.Confidence, Confident-0.01)
			}
			out.Fields[k] = fa
		default:
			best := fa
			if fits(fb) != fits(fa) && fits(fb) || fits(fb) == fits(fa) && fb.Confidence > fa.Confidence {
				best = fb // a number that fits its scheme over one that does not, else the more confident
			}
			best.Confidence, best.Passes = round2(min(fa.Confidence, fb.Confidence)*0.5), PassesDiffer
			out.Fields[k] = best
		}
	}
	for k, fb := range b.Fields {
		if _, ok := a.Fields[k]; !ok {
			fb.Confidence, fb.Passes = onePass(fb.Confidence), PassesOneFound
			out.Fields[k] = fb
		}
	}
	if len(out.DocumentTypes) == 0 {
		out.DocumentTypes = b.DocumentTypes
	}
	if out.IssuingCountry == "" {
		out.IssuingCountry = b.IssuingCountry
	}
	out.Keywords = appendNew(out.Keywords, b.Keywords...)
	out.Labels = max(a.Labels, b.Labels)
	return out
}

// fits: a document number that fits its issuer's scheme without a problem.
func fits(f Field) bool { return f.Scheme != "" && f.Problem == "" }

// onePass is the confidence of a field one pass alone read: 80 % of its
// own, and below Confident (an unconfirmed value is never used).
func onePass(c float64) float64 { return min(round2(c*0.8), Confident-0.01) }

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// prepare converts img to grey, scaled to the reader's width (at most 3×
// up, so thumbnails do not become a minute of OCR) and turned level when
// its text rows are off by more than quality.MinSkew degrees. It returns
// the scale and the angle turned. Read divides it by its paper (uneven
// light, a shadow) for OCR, but detects its orientation on it as it came
// (not divided, not enlarged): on an enlarged capture tesseract's
// orientation detection reads upright text as upside down.
func (r *Reader) prepare(img image.Image) (*image.Gray, float64, float64) {
	w := r.Width
	if w <= 0 {
		w = 1600
	}
	b := img.Bounds()
	// at most maxPixels after scaling, whatever the shape: a tall strip
	// scaled to the width would hold hundreds of megapixels
	scale := min(3, float64(w)/float64(max(1, b.Dx())), math.Sqrt(maxPixels/float64(max(1, b.Dx()*b.Dy()))))
	g := image.NewGray(image.Rect(0, 0, max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))))
	draw.BiLinear.Scale(g, g.Bounds(), img, b, draw.Src, nil)
	small := g
	if g.Rect.Dx() > quality.SkewWidth {
		small = image.NewGray(image.Rect(0, 0, quality.SkewWidth, max(1, g.Rect.Dy()*quality.SkewWidth/g.Rect.Dx())))
		draw.ApproxBiLinear.Scale(small, small.Bounds(), g, g.Bounds(), draw.Src, nil)
	}
	skew := quality.SkewAngle(small)
	if skew != 0 {
		g = quality.Rotate(g, skew)
	}
	return g, scale, skew
}

// The second pass reads the image at secondNum/secondDen of the first's size.
const secondNum, secondDen = 5, 4

// maxPixels bounds the image OCR reads (and the copies prepare makes).
const maxPixels = 4_000_000

// flattenRadius is the paper's neighbourhood at the reader's width: wider
// than the strokes of a bold value.
const flattenRadius = 12

// tesseract reads img (one OpenMP thread, the given models and page
// segmentation mode) into words with boxes and confidences.
func (r *Reader) tesseract(ctx context.Context, img *image.Gray, models []string, psm int) ([]Word, error) {
	ocr := r.OCR
	if ocr == nil {
		ocr = tesseract.For(tesseract.ModeAuto, r.Tesseract)
	}
	out, err := ocr.Run(ctx, tesseract.Job{
		Image: img, Models: models, PSM: psm, Output: tesseract.TSV,
		Vars: []tesseract.Var{{Name: "tessedit_do_invert", Value: "0"}},
	})
	if err != nil {
		return nil, err
	}
	return ParseTSV(out), nil
}

// unscaled is g at the size it was before prepare enlarged it by scale:
// tesseract's orientation detection reads enlarged small print upside
// down.
func unscaled(g *image.Gray, scale float64) *image.Gray {
	if scale <= 1 {
		return g
	}
	out := image.NewGray(image.Rect(0, 0, max(1, int(float64(g.Rect.Dx())/scale)), max(1, int(float64(g.Rect.Dy())/scale))))
	draw.ApproxBiLinear.Scale(out, out.Bounds(), g, g.Bounds(), draw.Src, nil)
	return out
}

// rotateRE is the turn tesseract's orientation detection prescribes.
var rotateRE = regexp.MustCompile(`(?m)^Rotate: (0|90|180|270)\s*$`)

// orientation is how far img must be turned clockwise for its text to
// stand upright, by tesseract's orientation and script detection (the osd
// model, which Debian's tesseract-ocr installs): 0 when it is upright,
// when the model is missing, or when there is too little text to tell.
func (r *Reader) orientation(ctx context.Context, img *image.Gray) (int, error) {
	if !slices.Contains(r.models, "osd") {
		return 0, nil
	}
	var in bytes.Buffer
	if err := png.Encode(&in, img); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, r.prog(), "stdin", "stdout", "--psm", "0")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdin = &in
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("tesseract: %w", ctx.Err())
		}
		return 0, nil // too few characters to tell: as it is
	}
	m := rotateRE.FindSubmatch(out.Bytes())
	if m == nil {
		return 0, nil
	}
	t, _ := strconv.Atoi(string(m[1]))
	return t, nil
}

// ParseTSV reads the words of tesseract's TSV output (level 5 rows).
func ParseTSV(b []byte) []Word {
	var out []Word
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 12 || f[0] != "5" {
			continue
		}
		var v [4]int
		ok := true
		for i := range v {
			n, err := strconv.Atoi(f[6+i])
			if err != nil || n < 0 || n > 1<<20 {
				ok = false
				break
			}
			v[i] = n
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		text := strings.TrimSpace(strings.Join(f[11:], " "))
		if !ok || err != nil || text == "" || conf < 0 || conf > 100 {
			continue
		}
		out = append(out, Word{Text: text, Box: image.Rect(v[0], v[1], v[0]+v[2], v[1]+v[3]), Conf: conf})
	}
	return out
}
