package mrz

import (
	"fmt"
	"image"
	"math"
	"os"
	"slices"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The glyph matcher is the reader's second opinion on small text. Every
// MRZ is printed in one typeface, OCR-B, so a character cell of a
// straightened line can be compared with each of the 37 characters the
// zone may hold, rendered from an OCR-B font at the line's scale and
// blurred as the capture blurred the line (normalised cross-correlation,
// a few pixels of shift either way). At 5–8 px letters, where tesseract
// reads D as O, N as W and K as X with high confidence, the shapes still
// differ where a matcher that knows the font looks for them.

// mrzAlphabet is what an MRZ may hold.
const mrzAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

// DefaultGlyphFont is OCR-B as Debian's fonts-ocr-b installs it. The
// "Sharp" cut: the regular one draws '<' and '8' with a CFF operator (flex)
// the Go font parser does not read; at MRZ sizes the two are the same.
const DefaultGlyphFont = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"

// GlyphFont is a parsed OCR-B font and the templates made from it.
type GlyphFont struct {
	f        *sfnt.Font
	capUnits float64 // the height of H, font units
	advUnits float64 // the advance of every character (monospaced), font units
	mu       sync.Mutex
	sets     map[[3]int]*templateSet
}

// LoadGlyphFont parses an OCR-B font file and checks it draws every MRZ
// character.
func LoadGlyphFont(path string) (*GlyphFont, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("glyph font: %w", err)
	}
	f, err := sfnt.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("glyph font %s: %w", path, err)
	}
	var buf sfnt.Buffer
	em := fixed.I(int(f.UnitsPerEm()))
	gf := &GlyphFont{f: f, sets: map[[3]int]*templateSet{}}
	for _, r := range mrzAlphabet {
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			return nil, fmt.Errorf("glyph font %s has no %q", path, r)
		}
		if _, err := f.LoadGlyph(&buf, gi, em, nil); err != nil {
			return nil, fmt.Errorf("glyph font %s cannot draw %q: %w", path, r, err)
		}
		adv, err := f.GlyphAdvance(&buf, gi, em, font.HintingNone)
		if err != nil {
			return nil, fmt.Errorf("glyph font %s: %w", path, err)
		}
		gf.advUnits = math.Max(gf.advUnits, float64(adv)/64)
		if r == 'H' {
			bd, _, err := f.GlyphBounds(&buf, gi, em, font.HintingNone)
			if err != nil {
				return nil, fmt.Errorf("glyph font %s: %w", path, err)
			}
			gf.capUnits = float64(bd.Max.Y-bd.Min.Y) / 64
		}
	}
	if gf.capUnits <= 0 || gf.advUnits <= 0 {
		return nil, fmt.Errorf("glyph font %s: no usable metrics", path)
	}
	return gf, nil
}

// render draws r with caps capPx high on a w×h canvas, its advance box
// centred across and its caps centred down; coverage 0–1.
func (gf *GlyphFont) render(r rune, capPx float64, w, h int) []float32 {
	var buf sfnt.Buffer
	gi, _ := gf.f.GlyphIndex(&buf, r)
	ppem := fixed.Int26_6(math.Round(capPx / gf.capUnits * float64(gf.f.UnitsPerEm()) * 64))
	segs, err := gf.f.LoadGlyph(&buf, gi, ppem, nil)
	out := make([]float32, w*h)
	if err != nil {
		return out
	}
	adv := gf.advUnits * capPx / gf.capUnits
	ox, oy := float32(float64(w)/2-adv/2), float32(float64(h)/2+capPx/2)
	z := vector.NewRasterizer(w, h)
	pt := func(p fixed.Point26_6) (float32, float32) {
		return ox + float32(p.X)/64, oy + float32(p.Y)/64
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			z.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			x3, y3 := pt(s.Args[2])
			z.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	z.ClosePath()
	dst := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(dst, dst.Bounds(), image.Opaque, image.Point{})
	for i, a := range dst.Pix {
		out[i] = float32(a) / 255
	}
	return out
}

// templateSet holds the 37 characters at one scale and blur, as ink
// (dark = high) with zero mean and unit norm, ready for correlation.
type templateSet struct {
	w, h int
	t    [][]float32 // in mrzAlphabet order
}

// templates returns (and caches) the characters with caps capPx high on
// w-wide cells, blurred by a Gaussian of sigma px.
func (gf *GlyphFont) templates(capPx float64, w int, sigma float64) *templateSet {
	key := [3]int{int(math.Round(capPx * 4)), w, int(math.Round(sigma * 10))}
	gf.mu.Lock()
	defer gf.mu.Unlock()
	if s, ok := gf.sets[key]; ok {
		return s
	}
	h := int(math.Round(capPx * 1.3))
	s := &templateSet{w: w, h: h}
	for _, r := range mrzAlphabet {
		// drawn four times larger and reduced: coverage of the small cell
		big := gf.render(r, capPx*4, w*4, h*4)
		t := make([]float32, w*h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var sum float32
				for dy := 0; dy < 4; dy++ {
					for dx := 0; dx < 4; dx++ {
						sum += big[(y*4+dy)*w*4+x*4+dx]
					}
				}
				t[y*w+x] = sum / 16
			}
		}
		t = gaussBlur(t, w, h, sigma)
		s.t = append(s.t, normalise(t))
	}
	gf.sets[key] = s
	return s
}

// normalise makes v zero-mean and unit-norm (a flat v stays zero).
func normalise(v []float32) []float32 {
	var mean float64
	for _, x := range v {
		mean += float64(x)
	}
	mean /= float64(len(v))
	var ss float64
	out := make([]float32, len(v))
	for i, x := range v {
		d := float64(x) - mean
		out[i] = float32(d)
		ss += d * d
	}
	if ss == 0 {
		return out
	}
	k := float32(1 / math.Sqrt(ss))
	for i := range out {
		out[i] *= k
	}
	return out
}

// gaussBlur blurs a w×h plane (separable, edges clamped).
func gaussBlur(v []float32, w, h int, sigma float64) []float32 {
	if sigma < 0.2 {
		return v
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	var ks float32
	for i := range k {
		d := float64(i - r)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		ks += k[i]
	}
	for i := range k {
		k[i] /= ks
	}
	tmp := make([]float32, len(v))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float32
			for i, kv := range k {
				xx := min(max(x+i-r, 0), w-1)
				s += kv * v[y*w+xx]
			}
			tmp[y*w+x] = s
		}
	}
	out := make([]float32, len(v))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float32
			for i, kv := range k {
				yy := min(max(y+i-r, 0), h-1)
				s += kv * tmp[yy*w+x]
			}
			out[y*w+x] = s
		}
	}
	return out
}

// inkPlane turns a grey image into ink (dark = high, 0–1) at half size:
// the matcher works at caps of capHeight/2 px, enough for text that was
// under 12 px in the capture.
func inkPlane(g *image.Gray) ([]float32, int, int) {
	w, h := g.Rect.Dx()/2, g.Rect.Dy()/2
	out := make([]float32, w*h)
	for y := 0; y < h; y++ {
		r0, r1 := g.Pix[(2*y)*g.Stride:], g.Pix[(2*y+1)*g.Stride:]
		for x := 0; x < w; x++ {
			s := int(r0[2*x]) + int(r0[2*x+1]) + int(r1[2*x]) + int(r1[2*x+1])
			out[y*w+x] = 1 - float32(s)/(4*255)
		}
	}
	return out, w, h
}

// cellScore is each character's best correlation with one cell.
type cellScore [len(mrzAlphabet)]float32

// best returns the best-scoring character the position's class allows
// (n digits, a letters, x either; fillers everywhere), its score and the
// runner-up's.
func (c cellScore) best(class byte) (byte, float32, float32) {
	bi, b, second := 0, float32(-2), float32(-2)
	for i, s := range c {
		if !allowed(class, mrzAlphabet[i]) {
			continue
		}
		switch {
		case s > b:
			second, bi, b = b, i, s
		case s > second:
			second = s
		}
	}
	return mrzAlphabet[bi], b, second
}

// matchCells correlates the templates a position's class allows with
// the cells centred at xs (ink plane columns) on the row cy+dy0, trying
// shifts of up to dxMax columns and dyMax rows, and returns each cell's
// scores (-1 for characters not tried) and the row shift its best
// character settled at.
func matchCells(ink []float32, w, h int, ts *templateSet, xs []float64, mask string, cy float64, dy0, dxMax, dyMax int) ([]cellScore, []int) {
	out := make([]cellScore, len(xs))
	rows := make([]int, len(xs))
	patch := make([]float32, ts.w*ts.h)
	for k, cx := range xs {
		for i := range out[k] {
			out[k][i] = -1
		}
		class := classAt(mask, k)
		bestAll := float32(-2)
		x0c := int(math.Round(cx - float64(ts.w)/2))
		y0c := int(math.Round(cy-float64(ts.h)/2)) + dy0
		for dy := -dyMax; dy <= dyMax; dy++ {
			for dx := -dxMax; dx <= dxMax; dx++ {
				x0, y0 := x0c+dx, y0c+dy
				var mean float64
				for y := 0; y < ts.h; y++ {
					yy := min(max(y0+y, 0), h-1)
					for x := 0; x < ts.w; x++ {
						xx := min(max(x0+x, 0), w-1)
						v := ink[yy*w+xx]
						patch[y*ts.w+x] = v
						mean += float64(v)
					}
				}
				mean /= float64(len(patch))
				var ss float64
				for i, v := range patch {
					d := float64(v) - mean
					patch[i] = float32(d)
					ss += d * d
				}
				if ss < 1e-6 {
					continue
				}
				norm := float32(1 / math.Sqrt(ss))
				for gi, t := range ts.t {
					if !allowed(class, mrzAlphabet[gi]) {
						continue
					}
					dot := dot32(t, patch) * norm
					if dot > out[k][gi] {
						out[k][gi] = dot
					}
					if dot > bestAll {
						bestAll, rows[k] = dot, dy0+dy
					}
				}
			}
		}
	}
	return out, rows
}

// allowed says whether a position of the class (n digits, a letters, x
// either) may hold ch; fillers fit everywhere.
func allowed(class, ch byte) bool {
	return !(class == 'n' && ch >= 'A' && ch <= 'Z' || class == 'a' && ch >= '0' && ch <= '9')
}

func dot32(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// cellCentres gives the centre column of each of the width characters of
// line i, fitted (least squares, outliers dropped) to the character boxes
// of every reading of the line that has exactly width characters; nil
// when no reading has.
func cellCentres(read [][]hocrLine, i, width int) []float64 {
	var ks, xs []float64
	for _, rs := range read {
		if i >= len(rs) || len(rs[i].text) != width || len(rs[i].xs) != width {
			continue
		}
		for k, x := range rs[i].xs {
			ks, xs = append(ks, float64(k)), append(xs, x)
		}
	}
	if len(ks) < width/2 {
		return nil
	}
	keep := make([]bool, len(ks))
	for j := range keep {
		keep[j] = true
	}
	var a, b float64
	for round := 0; round < 3; round++ {
		var n, sk, sx, skk, skx float64
		for j := range ks {
			if keep[j] {
				n++
				sk, sx, skk, skx = sk+ks[j], sx+xs[j], skk+ks[j]*ks[j], skx+ks[j]*xs[j]
			}
		}
		den := n*skk - sk*sk
		if n < 2 || den == 0 {
			return nil
		}
		b = (n*skx - sk*sx) / den
		a = (sx - b*sk) / n
		for j := range ks {
			keep[j] = math.Abs(xs[j]-(a+b*ks[j])) < 0.3*math.Abs(b)
		}
	}
	if b <= 0 {
		return nil
	}
	out := make([]float64, width)
	for k := range out {
		out[k] = a + b*float64(k)
	}
	return out
}

// glyphBlurs are the blurs tried, in pixels of the capture (the
// straightened line keeps a capture's blur, scaled up with it); the one
// the line matches best is kept.
var glyphBlurs = []float64{0.45, 0.7, 1.0}

// glyphSizes are the character heights tried, relative to the line's
// measured height (the upper quartile of its components' heights, which
// printers' OCR-B and fillers move a little).
var glyphSizes = []float64{0.7, 0.78, 0.88, 1.0}

// glyphProbes is how many cells, spread along the line, choose the size
// and blur the whole line is then matched with.
const glyphProbes = 8

// readLine reads a straightened line with the glyph matcher at the cells
// centred at xs (line columns); mask gives each position's class, charH the
// characters' height in the capture. A dozen cells spread along the line
// choose the size and blur (the best mean correlation) and the row the
// characters sit on; every cell is then matched with those, a couple of
// pixels either way.
func (gf *GlyphFont) readLine(l *image.Gray, xs []float64, mask string, charH float64) hocrLine {
	const capHalf = capHeight / 2.0
	scale := capHalf / math.Max(1, charH) // half-plane px per capture px
	ink, w, h := inkPlane(l)
	half := make([]float64, len(xs))
	for k, x := range xs {
		half[k] = x / 2
	}
	pitch := (half[len(half)-1] - half[0]) / float64(len(half)-1)
	tw := max(4, int(math.Round(pitch)))
	cy := 0.85 * capHalf
	dx := max(2, int(math.Round(0.2*pitch)))
	var probes []float64
	var probeMask []byte
	for i := range min(glyphProbes, len(half)) {
		k := i * (len(half) - 1) / max(1, min(glyphProbes, len(half))-1)
		probes, probeMask = append(probes, half[k]), append(probeMask, classAt(mask, k))
	}
	var best *templateSet
	bestMean, dy0 := math.Inf(-1), 0
	for _, bl := range glyphBlurs {
		for _, sz := range glyphSizes {
			ts := gf.templates(capHalf*sz, tw, math.Max(0.3, bl*scale))
			sc, rows := matchCells(ink, w, h, ts, probes, string(probeMask), cy, 0, dx, 2)
			var mean float64
			for k, c := range sc {
				_, b, _ := c.best(probeMask[k])
				mean += float64(b)
			}
			if mean /= float64(len(sc)); mean > bestMean {
				best, bestMean, dy0 = ts, mean, median(rows)
			}
		}
	}
	sc, _ := matchCells(ink, w, h, best, half, mask, cy, dy0, dx, 1)
	out := hocrLine{xs: xs}
	var txt []byte
	for k, c := range sc {
		ch, b, second := c.best(classAt(mask, k))
		txt = append(txt, ch)
		out.chars = append(out.chars, glyphConfidence(b, second))
	}
	out.text = string(txt)
	return out
}

func median(v []int) int {
	s := append([]int(nil), v...)
	slices.Sort(s)
	return s[len(s)/2]
}

// glyphConfidence turns a cell's best correlation and the runner-up's into
// a 0–100 confidence: how far ahead the best is, and how well it fits.
func glyphConfidence(b, second float32) float64 {
	margin := float64(b - second)
	c := 100 * math.Min(1, margin/0.12) * math.Min(1, math.Max(0, float64(b)-0.3)/0.4)
	return math.Round(c*10) / 10
}

// glyphMask is the character classes of line i of a zone of n lines of
// width characters (masks); a position a visa's second line leaves to
// optional data is either.
func glyphMask(n, width, i int) string {
	m, ok := masks[width]
	if !ok || n != len(m) || i >= len(m) {
		return ""
	}
	mask := []byte(m[i])
	if v, ok := visaMasks[width]; ok && i == 1 {
		for k := range mask {
			if k < len(v) && v[k] != mask[k] {
				mask[k] = 'x'
			}
		}
	}
	return string(mask)
}

func classAt(mask string, k int) byte {
	if k < len(mask) {
		return mask[k]
	}
	return 'x'
}

// glyphWeight is the glyph matcher's say in the names' line against one
// tesseract reading's 1: with one reading on its side it wins, against two
// that agree it loses. Measured on the dev half of the public set (small
// text, every variant): names lines wrong 18 of 93 with tesseract's three
// readings voted, 8 with the glyph matcher voting at 1.2–2.
const glyphWeight = 1.5

// glyphVote combines tesseract's readings of the names' line that have the
// full width with the glyph matcher's reading g. Each position takes the
// character with the most weight (ties to the more confident). Its
// confidence is tesseract's mean confidence in it (the matcher's, when no
// reading agrees) times the share of the weight on its side, the matcher
// counting there only as far as it is sure (nothing at 50 or below, its full
// weight at 100): a contested character stays doubtful, and the matcher's
// unsure dissent does not cast doubt on three readings that agree.
func glyphVote(reads []hocrLine, g hocrLine) (hocrLine, bool) {
	var same []hocrLine
	for _, r := range reads {
		if len(r.text) == len(g.text) && len(r.chars) == len(r.text) {
			same = append(same, r)
		}
	}
	if len(same) == 0 || len(g.chars) != len(g.text) {
		return hocrLine{}, false
	}
	out := hocrLine{chars: make([]float64, len(g.text))}
	b := make([]byte, len(g.text))
	for i := range b {
		gw := glyphWeight * math.Min(1, math.Max(0, (g.chars[i]-50)/50))
		weight := map[byte]float64{g.text[i]: glyphWeight}
		support := map[byte]float64{}
		agree := map[byte]int{}
		for _, r := range same {
			weight[r.text[i]]++
			support[r.text[i]] += r.chars[i]
			agree[r.text[i]]++
		}
		best := g.text[i]
		for c, w := range weight {
			if w > weight[best] || w == weight[best] && (support[c] > support[best] || support[c] == support[best] && c < best) {
				best = c
			}
		}
		conf, side := g.chars[i], 0.0
		if n := agree[best]; n > 0 {
			conf, side = support[best]/float64(n), float64(n)
		}
		if best == g.text[i] {
			side += gw
		}
		b[i], out.chars[i] = best, conf*side/(float64(len(same))+gw)
	}
	out.text = string(b)
	return out, true
}
