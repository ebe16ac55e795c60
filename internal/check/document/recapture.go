package document

import (
	"context"
	"image"
	"image/color"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Recapture signals. A photo of a screen carries the screen's pixel grid,
// which the camera's own grid turns into moiré: sharp, isolated peaks in
// the image's spectrum at frequencies no printed document has across its
// whole surface. A photocopy or a print-out in black and white has lost the
// document's colours.

// RecaptureReport is what the recapture analysis measured on one photo.
type RecaptureReport struct {
	// Screen is the strength of the strongest isolated spectral peak
	// (natural log of its power over the median power at its frequency
	// radius, the median over the tiles analysed): a photo of paper stays
	// near 3–6, the simulated screen photos of bench/recapture.sh 7–14.
	Screen float64 `json:"screen"`
	// Colour is the share of the document region's pixels with a visible
	// colour once the photo's colour cast is removed: a colour document
	// photographed is well above 2 %, a grey photocopy or a black-and-white
	// print-out below (the region as document.quality finds it, so a grey
	// copy on a coloured desk still counts as grey).
	Colour float64 `json:"colour"`
	// Tiles is how many tiles the spectrum was measured on (0: the photo is
	// smaller than one tile).
	Tiles int `json:"tiles"`
}

// Thresholds of the recapture hints (bench/recapture.sh measures them).
const (
	ScreenThreshold = 7.0  // Screen above: a screen's pixel grid
	GreyThreshold   = 0.02 // Colour below: a grey copy
)

// Hints are the recapture hints of the report: "screen" and "grey_copy".
func (r RecaptureReport) Hints() []string {
	var h []string
	if r.Tiles > 0 && r.Screen > ScreenThreshold {
		h = append(h, "screen")
	}
	if r.Colour < GreyThreshold {
		h = append(h, "grey_copy")
	}
	return h
}

// tileSize is the side of the square tiles whose spectrum is measured.
const tileSize = 256

// Recapture measures img: the spectrum of up to five tiles around its
// centre (where the document is) and the share of coloured pixels.
func Recapture(img image.Image) RecaptureReport {
	b := img.Bounds()
	region := img
	if sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		region = sub.SubImage(quality.DocumentRegion(img))
	}
	r := RecaptureReport{Colour: colourShare(region)}
	if b.Dx() < tileSize || b.Dy() < tileSize {
		return r
	}
	cx, cy := b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2
	var scores []float64
	seen := map[image.Point]bool{}
	for _, d := range [][2]int{{0, 0}, {-1, -1}, {1, -1}, {-1, 1}, {1, 1}} {
		x := cx + d[0]*b.Dx()/5 - tileSize/2
		y := cy + d[1]*b.Dy()/5 - tileSize/2
		x = min(max(x, b.Min.X), b.Max.X-tileSize)
		y = min(max(y, b.Min.Y), b.Max.Y-tileSize)
		p := image.Pt(x, y)
		if seen[p] {
			continue
		}
		seen[p] = true
		scores = append(scores, peakScore(img, p))
	}
	slices.Sort(scores)
	r.Tiles = len(scores)
	r.Screen = math.Round(scores[len(scores)/2]*100) / 100
	return r
}

// peakScore is the strongest isolated peak of the tile at p's spectrum:
// the log power over the median log power of its radius, within the band
// of periods 2–12 px, leaving out the axes (text lines and edges) and the
// frequencies of JPEG's 8-pixel blocks.
func peakScore(img image.Image, p image.Point) float64 {
	const n = tileSize
	rows := make([][]complex128, n)
	var mean float64
	for y := range n {
		rows[y] = make([]complex128, n)
		for x := range n {
			g := color.GrayModel.Convert(img.At(p.X+x, p.Y+y)).(color.Gray).Y
			rows[y][x] = complex(float64(g), 0)
			mean += float64(g)
		}
	}
	mean /= n * n
	hann := make([]float64, n)
	for i := range hann {
		hann[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	for y := range n {
		for x := range n {
			rows[y][x] = complex((real(rows[y][x])-mean)*hann[x]*hann[y], 0)
		}
		fourier.CoefficientsRadix2(rows[y])
	}
	col := make([]complex128, n)
	for x := range n {
		for y := range n {
			col[y] = rows[y][x]
		}
		fourier.CoefficientsRadix2(col)
		for y := range n {
			rows[y][x] = col[y]
		}
	}
	freq := func(i int) int {
		if i > n/2 {
			return i - n
		}
		return i
	}
	excluded := func(f int) bool {
		a := f
		if a < 0 {
			a = -a
		}
		if a <= 2 {
			return true // the axis
		}
		m := a % (n / 8)
		return m <= 1 || m >= n/8-1 // JPEG's 8-pixel grid and its harmonics
	}
	type bin struct {
		r int
		l float64
	}
	byRadius := map[int][]float64{}
	var bins []bin
	for y := range n/2 + 1 { // half the plane: the spectrum of a real image is symmetric
		fy := freq(y)
		for x := range n {
			fx := freq(x)
			rad := math.Hypot(float64(fx), float64(fy))
			if rad < n/12 || rad > n/2 || excluded(fx) || excluded(fy) {
				continue
			}
			l := math.Log(cmplx.Abs(rows[y][x])*cmplx.Abs(rows[y][x]) + 1e-9)
			ri := int(rad)
			byRadius[ri] = append(byRadius[ri], l)
			bins = append(bins, bin{ri, l})
		}
	}
	median := map[int]float64{}
	for r, ls := range byRadius {
		slices.Sort(ls)
		median[r] = ls[len(ls)/2]
	}
	best := 0.0
	for _, b := range bins {
		best = max(best, b.l-median[b.r])
	}
	return best
}

// colourShare is the share of pixels (sampled on a grid of at most about
// 250,000) whose colour differs visibly from the photo's overall cast: a
// chroma of at least 24 (of 255) once the median red–green and blue–green
// differences are taken away, so a grey copy photographed under warm or
// cold light stays grey.
func colourShare(img image.Image) float64 {
	b := img.Bounds()
	step := max(1, int(math.Sqrt(float64(b.Dx()*b.Dy())/250_000)))
	var rg, bg []float64
	for y := b.Min.Y; y < b.Max.Y; y += step {
		for x := b.Min.X; x < b.Max.X; x += step {
			r, g, bl, _ := img.At(x, y).RGBA()
			rg = append(rg, float64(r>>8)-float64(g>>8))
			bg = append(bg, float64(bl>>8)-float64(g>>8))
		}
	}
	if len(rg) == 0 {
		return 0
	}
	mrg, mbg := median(rg), median(bg)
	coloured := 0
	for i := range rg {
		dr, db := rg[i]-mrg, bg[i]-mbg
		// the chroma of the corrected pixel: its channels' spread
		if max(math.Abs(dr), math.Abs(db), math.Abs(dr-db)) >= 24 {
			coloured++
		}
	}
	return math.Round(float64(coloured)/float64(len(rg))*10000) / 10000
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// RecaptureCheck is document.recapture: the newest id_front photo was
// taken of the document itself, not of a screen showing it or of a grey
// photocopy. It asks for a reviewer (DOCUMENT_RECAPTURE) and never
// rejects, and it is off in the default level: its detection rate is
// measured on simulated recaptures only, and printed periodic patterns (a
// barcode, fine guilloche, the halftone of a scanned print-out) and grey
// scans of real documents raise it too (bench/recapture.sh).
type RecaptureCheck struct{}

func (RecaptureCheck) Kind() kyc.CheckKind { return kyc.KindRecapture }
func (RecaptureCheck) Version() string     { return "1" }

// RecaptureEvidence is document.recapture's evidence: per document kind,
// what was measured and the hints it gave.
type RecaptureEvidence struct {
	Documents map[string]RecaptureDocument `json:"documents"`
}

// RecaptureDocument is one photo's part of RecaptureEvidence.
type RecaptureDocument struct {
	RecaptureReport
	Hints []string `json:"hints"`
}

func (RecaptureCheck) Run(ctx context.Context, s *check.Subject) check.Result {
	var docs []kyc.Document // the front only: a licence's back is mostly a PDF417, whose modules are periodic too
	for _, d := range newestPhotos(s) {
		if d.Kind == kyc.DocIDFront {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return check.NotApplicable("no id_front photo")
	}
	ev := RecaptureEvidence{Documents: map[string]RecaptureDocument{}}
	hinted, untested, score := false, false, 1.0
	for _, d := range docs {
		img, release, err := s.Env.DecodeImage(ctx, d, 1)
		if err != nil {
			return check.Errored(err)
		}
		r := Recapture(img)
		release()
		h := r.Hints()
		if h == nil {
			h = []string{}
		}
		ev.Documents[string(d.Kind)] = RecaptureDocument{RecaptureReport: r, Hints: h}
		hinted = hinted || len(h) > 0
		untested = untested || r.Tiles == 0
		// 1 far from either hint, 0.5 at a threshold, lower beyond it
		score = min(score, max(0, 1-r.Screen/(2*ScreenThreshold)), min(1, r.Colour/(2*GreyThreshold)))
	}
	score = math.Round(score*100) / 100
	if hinted {
		return check.Result{Status: kyc.CheckReview, ReasonCode: kyc.ReasonRecapture, Score: score, Evidence: ev}
	}
	if untested { // too small for the screen test: not a pass
		return check.Result{Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: score, Evidence: ev}
}
