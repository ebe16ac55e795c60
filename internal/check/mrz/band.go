package mrz

import (
	"image"
	"math"
	"sort"

	"github.com/openkyc/openkyc/internal/check/quality"
)

// capHeight is the character height (px) every MRZ line is scaled to
// before OCR: small text in a wide shot and large text in a close-up reach
// tesseract alike.
const capHeight = 34

// straighten samples one MRZ line of g along its fitted centre line, from
// x0 to x1 (image columns), scaled so its characters are capHeight high:
// the line comes out level whatever the document's tilt or keystone.
func straighten(g *image.Gray, l textLine, x0, x1 float64) *image.Gray {
	s := capHeight / l.capH
	norm := math.Hypot(1, l.slope)
	dx, dy := 1/norm, l.slope/norm // along the line
	nx, ny := -dy, dx              // across it, downwards
	length := (x1 - x0) * norm
	half := 0.85 * l.capH
	ow, oh := int(length*s), int(2*half*s)
	out := image.NewGray(image.Rect(0, 0, max(1, ow), max(1, oh)))
	px, py := x0, l.yAt(x0)
	for v := 0; v < oh; v++ {
		off := float64(v)/s - half
		for u := 0; u < ow; u++ {
			along := float64(u) / s
			out.Pix[v*out.Stride+u] = sampleCubic(g, px+dx*along+nx*off, py+dy*along+ny*off)
		}
	}
	return out
}

// zoneImages straightens every line of the zone over one common span (the
// lines of an MRZ are equally long: the first and last characters of any
// line bound all of them), with the margin of most of a character.
func zoneImages(g *image.Gray, z zoneLines) []*image.Gray {
	x0, x1 := math.Inf(1), math.Inf(-1)
	var pitch float64
	for _, l := range z.lines {
		x0, x1 = math.Min(x0, l.x0()), math.Max(x1, l.x1())
		pitch += l.pitch / float64(len(z.lines))
	}
	x0, x1 = math.Max(0, x0-0.9*pitch), math.Min(float64(g.Rect.Dx()-1), x1+0.9*pitch)
	out := make([]*image.Gray, len(z.lines))
	for i, l := range z.lines {
		out[i] = straighten(g, l, x0, x1)
	}
	return out
}

// Binarisations of a straightened line; tesseract reads each and the
// readings are voted. Different captures favour different ones: a stretched
// grey keeps thin strokes of a faint print, a global threshold ignores a
// textured background lighter than the ink, a local one survives a shadow.
var binarisations = []struct {
	name string
	fn   func(*image.Gray) *image.Gray
}{
	{"grey", func(g *image.Gray) *image.Gray { return stretch(flatten(g)) }},
	{"otsu", func(g *image.Gray) *image.Gray { return otsu(flatten(g)) }},
	{"local", local},
}

// flatten divides a straightened line by its paper: the lightest level
// within about a character's width, smoothed. Uneven light, a shadow or the
// darker edge of a card across the line leave the paper white and the ink
// dark, so a global threshold and the stretched grey see one contrast along
// the whole line (a gradient left a fifth of a line black under Otsu).
func flatten(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return g
	}
	const r = capHeight / 2 // wider than a stroke, so the paper around it shows
	bg := quality.MaxFilter(quality.MaxFilter(g.Pix, w, h, r, true), w, h, r, false)
	bg = quality.BoxBlur(bg, w, h, r)
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p, b := int(g.Pix[y*g.Stride+x]), max(1, int(bg[y*w+x]))
			out.Pix[y*out.Stride+x] = uint8(min(255, p*255/b))
		}
	}
	return out
}

// stretch maps the line's 2nd–98th percentile of grey to black–white.
func stretch(g *image.Gray) *image.Gray {
	lo, hi := percentile(g.Pix, 0.02), percentile(g.Pix, 0.98)
	out := image.NewGray(g.Rect)
	span := math.Max(1, float64(hi)-float64(lo))
	for i, p := range g.Pix {
		out.Pix[i] = uint8(math.Max(0, math.Min(255, (float64(p)-float64(lo))*255/span)))
	}
	return out
}

// otsu binarises with Otsu's threshold of the line.
func otsu(g *image.Gray) *image.Gray {
	t := quality.Otsu(g.Pix)
	out := image.NewGray(g.Rect)
	for i, p := range g.Pix {
		if p >= t {
			out.Pix[i] = 255
		}
	}
	return out
}

// local binarises against the mean of a window of two characters.
func local(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	dark := darkMask(g, 2*capHeight+1, 0.12)
	out := image.NewGray(g.Rect)
	for i := 0; i < w*h; i++ {
		if !dark[i] {
			out.Pix[i] = 255
		}
	}
	return out
}

func percentile(pix []uint8, q float64) uint8 {
	var hist [256]int
	for _, p := range pix {
		hist[p]++
	}
	want := int(q * float64(len(pix)))
	n := 0
	for v, c := range hist {
		n += c
		if n > want {
			return uint8(v)
		}
	}
	return 255
}

// sheetMargin is the white border around a sheet's lines: a line's
// columns on the sheet are its own plus sheetMargin.
const sheetMargin = 24

// sheet lays out line images one under another on white, with a gap of
// half a line between lines and a larger one between groups, and returns
// the image and the vertical span of each line (its slot).
func sheet(groups [][]*image.Gray) (*image.Gray, [][2]int) {
	const margin, gap, groupGap = sheetMargin, capHeight * 2 / 3, capHeight * 3 / 2
	var slots [][2]int
	var lines []*image.Gray
	w, y := 0, margin
	for gi, grp := range groups {
		if gi > 0 {
			y += groupGap
		}
		for li, l := range grp {
			if li > 0 {
				y += gap
			}
			slots = append(slots, [2]int{y, y + l.Rect.Dy()})
			lines = append(lines, l)
			w, y = max(w, l.Rect.Dx()), y+l.Rect.Dy()
		}
	}
	out := image.NewGray(image.Rect(0, 0, w+2*margin, y+margin))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for k, l := range lines {
		for r := 0; r < l.Rect.Dy(); r++ {
			copy(out.Pix[(slots[k][0]+r)*out.Stride+margin:], l.Pix[r*l.Stride:r*l.Stride+l.Rect.Dx()])
		}
	}
	return out, slots
}

// slotted assigns OCR lines to the slots their boxes' centres fall in;
// pieces of one slot are joined left to right.
func slotted(lines []hocrLine, slots [][2]int) []hocrLine {
	out := make([]hocrLine, len(slots))
	byX := append([]hocrLine(nil), lines...)
	sort.SliceStable(byX, func(i, j int) bool { return byX[i].box.Min.X < byX[j].box.Min.X })
	for _, l := range byX {
		cy := (l.box.Min.Y + l.box.Max.Y) / 2
		for i, s := range slots {
			if cy >= s[0] && cy < s[1] {
				out[i].text += l.text
				out[i].chars = append(out[i].chars, l.chars...)
				for _, x := range l.xs {
					out[i].xs = append(out[i].xs, x-sheetMargin)
				}
				out[i].wconf = append(out[i].wconf, l.wconf...)
				break
			}
		}
	}
	return out
}

// vote combines readings of one line: among the readings of the most
// common length (at least two), each position takes the character most
// agree on (ties to the more confident), with the summed confidence of its
// supporters divided by the number of those readings — disagreement lowers
// confidence.
func vote(reads []hocrLine) (hocrLine, bool) {
	var all []hocrLine
	byLen := map[int]int{}
	for _, r := range reads {
		if len(r.text) > 0 && len(r.chars) == len(r.text) {
			all = append(all, r)
			byLen[len(r.text)]++
		}
	}
	n, most := 0, 0
	for _, r := range all { // the first reading's length wins a tie
		if c := byLen[len(r.text)]; c > most {
			n, most = len(r.text), c
		}
	}
	if most < 2 {
		return hocrLine{}, false
	}
	var same []hocrLine
	for _, r := range all {
		if len(r.text) == n {
			same = append(same, r)
		}
	}
	out := hocrLine{chars: make([]float64, n)}
	b := make([]byte, n)
	for i := 0; i < n; i++ {
		support := map[byte]float64{}
		count := map[byte]int{}
		for _, r := range same {
			support[r.text[i]] += r.chars[i]
			count[r.text[i]]++
		}
		var best byte
		for _, r := range same {
			c := r.text[i]
			if best == 0 || count[c] > count[best] || count[c] == count[best] && support[c] > support[best] {
				best = c
			}
		}
		b[i], out.chars[i] = best, support[best]/float64(len(same))
	}
	out.text = string(b)
	return out, true
}

// agreed lowers each character's confidence in readings of one line to
// the support it has among its peers, the readings of the same length: the
// summed confidence of the peers that read the same character there, over
// the number of peers. A reading without peers keeps 1/n of its confidence
// (n readings, none aligned with it). A single reading is returned as it is.
func agreed(reads []hocrLine) []hocrLine {
	var all []hocrLine
	for _, r := range reads {
		if len(r.text) > 0 && len(r.chars) == len(r.text) {
			all = append(all, r)
		}
	}
	if len(all) < 2 {
		return reads
	}
	out := make([]hocrLine, len(reads))
	for k, r := range reads {
		out[k] = r
		if len(r.text) == 0 || len(r.chars) != len(r.text) {
			continue
		}
		peers := 0
		for _, o := range all {
			if len(o.text) == len(r.text) {
				peers++
			}
		}
		div := float64(peers)
		if peers < 2 {
			div = float64(len(all))
		}
		out[k].chars = make([]float64, len(r.chars))
		for j := range r.text {
			var support float64
			for _, o := range all {
				if len(o.text) == len(r.text) && o.text[j] == r.text[j] {
					support += o.chars[j]
				}
			}
			out[k].chars[j] = math.Min(r.chars[j], support/div)
		}
	}
	return out
}

// sampleCubic samples g at (x, y) with Catmull–Rom bicubic interpolation,
// clamped to the image; outside it the page is white.
func sampleCubic(g *image.Gray, x, y float64) uint8 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if x < -1 || y < -1 || x > float64(w) || y > float64(h) {
		return 255
	}
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	var wx, wy [4]float64
	cubicWeights(fx, &wx)
	cubicWeights(fy, &wy)
	var v float64
	for j := 0; j < 4; j++ {
		yy := min(max(y0-1+j, 0), h-1)
		row := g.Pix[yy*g.Stride:]
		var r float64
		for i := 0; i < 4; i++ {
			xx := min(max(x0-1+i, 0), w-1)
			r += wx[i] * float64(row[xx])
		}
		v += wy[j] * r
	}
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

func cubicWeights(t float64, w *[4]float64) {
	t2, t3 := t*t, t*t*t
	w[0] = (-t3 + 2*t2 - t) / 2
	w[1] = (3*t3 - 5*t2 + 2) / 2
	w[2] = (-3*t3 + 4*t2 + t) / 2
	w[3] = (t3 - t2) / 2
}
