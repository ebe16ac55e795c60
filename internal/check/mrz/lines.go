package mrz

import (
	"image"
	"math"
	"slices"
	"sort"

	"github.com/openkyc/openkyc/internal/check/quality"
)

// The line finder locates the MRZ from its characters rather than from the
// texture of rows: it binarises the image against its local mean, takes the
// connected components of character size, chains them into text lines
// (neighbours of similar height, close and level with each other) and looks
// for two or three parallel lines of the same length, equally spaced, whose
// character count matches an MRZ layout (30, 36 or 44 per line). Each line
// carries its own fitted centre line and character height, so a tilted or
// keystoned document is straightened line by line, small text is scaled to
// a common height, and the band reaches from the first to the last
// character of the line — neither a character cut off nor a printed line
// above caught in.

// comp is a connected component of dark pixels: its box and pixel count.
type comp struct {
	x0, y0, x1, y1 int // box, x1 and y1 exclusive
	n              int
}

func (c comp) w() int            { return c.x1 - c.x0 }
func (c comp) h() int            { return c.y1 - c.y0 }
func (c comp) cx() float64       { return float64(c.x0+c.x1) / 2 }
func (c comp) cy() float64       { return float64(c.y0+c.y1) / 2 }
func (c comp) fill() float64     { return float64(c.n) / float64(c.w()*c.h()) }
func (c comp) sizeOK() bool      { return c.h() >= 5 && c.n >= 6 && c.w() <= 3*c.h()+2 }
func absf(v float64) float64     { return math.Abs(v) }
func ratio(a, b float64) float64 { return math.Max(a, b) / math.Max(1e-9, math.Min(a, b)) }

// textLine is a chain of components read as one line of text.
type textLine struct {
	comps []comp  // left to right
	slope float64 // dy/dx of the fitted centre line
	icpt  float64 // its y at x = 0
	capH  float64 // character height (upper quartile of the component heights)
	pitch float64 // centre-to-centre distance of neighbouring characters
}

func (l textLine) x0() float64           { return float64(l.comps[0].x0) }
func (l textLine) x1() float64           { return float64(l.comps[len(l.comps)-1].x1) }
func (l textLine) yAt(x float64) float64 { return l.slope*x + l.icpt }
func (l textLine) midY() float64         { return l.yAt((l.x0() + l.x1()) / 2) }

// chars estimates how many character cells the line spans.
func (l textLine) chars() float64 {
	if l.pitch <= 0 {
		return float64(len(l.comps))
	}
	return (l.x1()-l.x0())/l.pitch + 0.3
}

// darkMask marks pixels darker than their neighbourhood's mean by more
// than k (Bradley's adaptive threshold over a win×win window, from an
// integral image), and not lighter than minLight of the image's range, so a
// plain light background stays light.
func darkMask(g *image.Gray, win int, k float64) []bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	dark := make([]bool, w*h)
	quality.WindowSums(g.Pix, w, h, g.Stride, win/2, func(x, y int, sum, n int64) {
		p := int64(g.Pix[y*g.Stride+x])
		dark[y*w+x] = float64(p*n) < float64(sum)*(1-k)
	})
	return dark
}

// components labels the 8-connected dark regions of mask (two passes with
// union–find) and returns their boxes.
func components(mask []bool, w, h int) []comp {
	label := make([]int32, w*h)
	parent := []int32{0}
	find := func(a int32) int32 {
		for parent[a] != a {
			parent[a] = parent[parent[a]]
			a = parent[a]
		}
		return a
	}
	union := func(a, b int32) int32 {
		a, b = find(a), find(b)
		if a == b {
			return a
		}
		if a < b {
			parent[b] = a
			return a
		}
		parent[a] = b
		return b
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if !mask[i] {
				continue
			}
			var l int32
			see := func(j int) {
				if lj := label[j]; lj != 0 {
					if l == 0 {
						l = lj
					} else if lj != l {
						l = union(l, lj)
					}
				}
			}
			if x > 0 {
				see(i - 1)
			}
			if y > 0 {
				if x > 0 {
					see(i - w - 1)
				}
				see(i - w)
				if x < w-1 {
					see(i - w + 1)
				}
			}
			if l == 0 {
				l = int32(len(parent))
				parent = append(parent, l)
			}
			label[i] = l
		}
	}
	idx := make([]int32, len(parent))
	var out []comp
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			l := label[y*w+x]
			if l == 0 {
				continue
			}
			r := find(l)
			if idx[r] == 0 {
				out = append(out, comp{x0: x, y0: y, x1: x + 1, y1: y + 1})
				idx[r] = int32(len(out))
			}
			c := &out[idx[r]-1]
			c.x0, c.x1 = min(c.x0, x), max(c.x1, x+1)
			c.y0, c.y1 = min(c.y0, y), max(c.y1, y+1)
			c.n++
		}
	}
	return out
}

// findLines chains character-sized components into text lines. A
// character is at most a quarter of the image's height: an image cropped to
// the two lines of a passport's MRZ holds characters a fifth of its height.
func findLines(comps []comp, imgH int) []textLine {
	var cs []comp
	for _, c := range comps {
		if c.sizeOK() && 4*c.h() <= imgH && c.fill() > 0.08 {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].x0 < cs[j].x0 })
	// Each component's best right neighbour: a similar height (a filler is
	// about half a letter), level with it and close.
	next, prev := make([]int, len(cs)), make([]int, len(cs))
	for i := range next {
		next[i], prev[i] = -1, -1
	}
	cost := make([]float64, len(cs))
	for i, a := range cs {
		best, bestCost := -1, math.Inf(1)
		ha := float64(a.h())
		for j := i + 1; j < len(cs); j++ {
			b := cs[j]
			if float64(b.x0) > float64(a.x1)+1.6*ha {
				break
			}
			hb := float64(b.h())
			hm := math.Max(ha, hb)
			if b.cx() <= a.cx() || ratio(ha, hb) > 2.6 {
				continue
			}
			gap := float64(b.x0 - a.x1)
			dy := absf(b.cy() - a.cy())
			if gap < -0.25*hm || gap > 1.4*hm || dy > 0.35*hm {
				continue
			}
			c := math.Max(gap, 0)/hm + 2*dy/hm
			if c < bestCost {
				best, bestCost = j, c
			}
		}
		if best >= 0 {
			// keep the closest left neighbour of each component
			if p := prev[best]; p >= 0 {
				if cost[p] <= bestCost {
					continue
				}
				next[p] = -1
			}
			next[i], prev[best], cost[i] = best, i, bestCost
		}
	}
	var lines []textLine
	for i := range cs {
		if prev[i] >= 0 {
			continue
		}
		var chain []comp
		for j := i; j >= 0; j = next[j] {
			chain = append(chain, cs[j])
		}
		if len(chain) >= 8 {
			lines = append(lines, fitLine(chain))
		}
	}
	return mergeLines(lines)
}

// fitLine fits the centre line of a chain (least squares over the centres
// of its capital-height components, then again without those far off the
// first fit: a stamp or a guilloche fused to a character) and measures its
// character height and pitch.
func fitLine(chain []comp) textLine {
	hs := make([]float64, len(chain))
	for i, c := range chain {
		hs[i] = float64(c.h())
	}
	sort.Float64s(hs)
	capH := hs[len(hs)*3/4]
	l := textLine{comps: chain, capH: capH, icpt: chain[0].cy()}
	use := func(c comp) bool { h := float64(c.h()); return h >= 0.7*capH && h <= 1.3*capH } // fillers sit lower
	for pass := 0; pass < 2; pass++ {
		var sx, sy, sxx, sxy, n float64
		for _, c := range chain {
			if !use(c) || pass > 0 && absf(c.cy()-l.yAt(c.cx())) > 0.25*capH {
				continue
			}
			x, y := c.cx(), c.cy()
			sx, sy, sxx, sxy, n = sx+x, sy+y, sxx+x*x, sxy+x*y, n+1
		}
		if d := n*sxx - sx*sx; n >= 2 && d > 0 {
			l.slope = (n*sxy - sx*sy) / d
			l.icpt = (sy - l.slope*sx) / n
		} else if n >= 1 {
			l.slope, l.icpt = 0, sy/n
		}
	}
	// pitch: median distance between neighbouring centres, merged pairs
	// (a distance near two pitches) left out by the median
	ds := make([]float64, 0, len(chain))
	for i := 1; i < len(chain); i++ {
		ds = append(ds, chain[i].cx()-chain[i-1].cx())
	}
	sort.Float64s(ds)
	l.pitch = ds[len(ds)/2]
	return l
}

// mergeLines joins chains broken by a faint or missing character: collinear
// pieces of the same height a few characters apart, or overlapping by up to
// a character (a speck beside a character can start the second piece; the
// second piece's components over the first are dropped).
func mergeLines(lines []textLine) []textLine {
	sort.Slice(lines, func(i, j int) bool { return lines[i].x0() < lines[j].x0() })
	for {
		merged := false
		for i := 0; i < len(lines) && !merged; i++ {
			for j := 0; j < len(lines); j++ {
				a, b := lines[i], lines[j]
				if i == j || b.x0() < a.x1()-a.pitch || b.x1() <= a.x1() || ratio(a.capH, b.capH) > 1.45 {
					continue
				}
				gap := b.x0() - a.x1()
				h := math.Min(a.capH, b.capH)
				if gap > 5*math.Max(a.pitch, h) || absf(a.yAt(b.x0())-b.yAt(b.x0())) > 0.35*h || absf(a.yAt(a.x1())-b.yAt(a.x1())) > 0.35*h {
					continue
				}
				cs := append([]comp(nil), a.comps...)
				for _, c := range b.comps {
					if c.cx() > a.x1() {
						cs = append(cs, c)
					}
				}
				l := fitLine(cs)
				lines[i] = l
				lines = slices.Delete(lines, j, j+1)
				merged = true
				break
			}
		}
		if !merged {
			return lines
		}
	}
}

// zoneLines is the MRZ found by the line finder: its text lines, top to
// bottom, and the characters per line of its layout.
type zoneLines struct {
	lines []textLine
	width int // 30, 36 or 44
}

// findZones ranks the groups of two or three text lines that look like an
// MRZ: parallel, of one height, spanning one width (aligned), equally and
// closely spaced, with a character count of a layout (a line may have lost
// a few characters: from 22 of 30). Among equal groups
// the lowest ranks first (the MRZ is at the foot of the page). Groups
// sharing a line with a better one are left out.
func findZones(lines []textLine) []zoneLines {
	var cands []textLine
	for _, l := range lines {
		if n := l.chars(); n >= 22 && n <= 50 && len(l.comps) >= 16 {
			cands = append(cands, l)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].midY() < cands[j].midY() })
	type scored struct {
		z   zoneLines
		idx []int
		sc  float64
	}
	var all []scored
	consider := func(idx ...int) {
		group := make([]textLine, len(idx))
		for i, k := range idx {
			group[i] = cands[k]
		}
		width, fit := layoutOf(group)
		if width == 0 || (width == 30) != (len(group) == 3) {
			return
		}
		all = append(all, scored{zoneLines{lines: group, width: width}, idx, fit + 0.002*group[len(group)-1].midY()})
	}
	for i := range cands {
		for j := i + 1; j < len(cands); j++ {
			if !sameZone(cands[i], cands[j]) {
				continue
			}
			consider(i, j)
			for k := j + 1; k < len(cands); k++ {
				if sameZone(cands[j], cands[k]) {
					gap1, gap2 := cands[j].midY()-cands[i].midY(), cands[k].midY()-cands[j].midY()
					if ratio(gap1, gap2) < 1.35 {
						consider(i, j, k)
					}
				}
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].sc > all[j].sc })
	used := map[int]bool{}
	var out []zoneLines
	for _, c := range all {
		if slices.ContainsFunc(c.idx, func(k int) bool { return used[k] }) {
			continue
		}
		for _, k := range c.idx {
			used[k] = true
		}
		out = append(out, c.z)
	}
	return out
}

// sameZone says whether b can be the MRZ line that follows a.
func sameZone(a, b textLine) bool {
	h := math.Max(a.capH, b.capH)
	gap := b.midY() - a.midY()
	return ratio(a.capH, b.capH) < 1.35 && absf(a.slope-b.slope) < 0.035 &&
		gap > 1.1*h && gap < 3.2*h && aligned(a, b)
}

// aligned says whether two lines span one MRZ's width: both ends level
// within a few characters, or one end level and the shorter line over at
// least three quarters of the longer. A line's first characters are lost
// when blur fuses them into one blob, or when a mark drawn round the zone
// touches them and lengthens the line instead; the zone is read over the
// span of all its lines (zoneImages), so the lost characters are read.
func aligned(a, b textLine) bool {
	p := math.Max(a.pitch, b.pitch)
	left, right := absf(a.x0()-b.x0()) < 2.5*p, absf(a.x1()-b.x1()) < 2.5*p
	if left && right {
		return true
	}
	overlap := math.Min(a.x1(), b.x1()) - math.Max(a.x0(), b.x0())
	longer := math.Max(a.x1()-a.x0(), b.x1()-b.x0())
	return (left || right) && overlap >= 0.75*longer
}

// layoutOf matches a group's character count to a layout: the width (30,
// 36 or 44) and how well it fits (higher is better), or 0.
func layoutOf(group []textLine) (int, float64) {
	var n, pitchSum float64
	x0, x1 := math.Inf(1), math.Inf(-1)
	for _, l := range group {
		n += float64(len(l.comps))
		pitchSum += l.pitch
		x0, x1 = math.Min(x0, l.x0()), math.Max(x1, l.x1())
	}
	pitch := pitchSum / float64(len(group))
	span := (x1-x0)/pitch + 0.3
	bestW, bestErr := 0, math.Inf(1)
	for _, w := range []int{30, 36, 44} {
		if e := absf(span-float64(w)) / float64(w); e < bestErr {
			bestW, bestErr = w, e
		}
	}
	if bestErr > 0.16 {
		return 0, 0
	}
	// components per line near the layout's character count (fillers
	// count; merged or broken characters move it a little)
	perLine := n / float64(len(group))
	return bestW, 10 - 10*bestErr - 5*absf(perLine-float64(bestW))/float64(bestW) + float64(len(group))
}

// textAngle estimates the direction of the text lines (degrees, in image
// coordinates: positive when lines fall to the right) from the direction
// of each character to its nearest neighbour of similar size. ok is false
// when too few characters agree on one.
func textAngle(comps []comp) (float64, bool) {
	var cs []comp
	for _, c := range comps {
		if c.sizeOK() && c.h() <= 80 && c.fill() > 0.08 {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].cx() < cs[j].cx() })
	var hist [180]float64
	votes := 0
	for i, a := range cs {
		size := float64(max(a.w(), a.h()))
		best, bestD := -1, 2.2*size
		for _, dir := range []int{-1, 1} {
			for j := i + dir; j >= 0 && j < len(cs); j += dir {
				b := cs[j]
				if absf(b.cx()-a.cx()) > bestD {
					break
				}
				if ratio(float64(max(b.w(), b.h())), size) > 1.5 {
					continue
				}
				if d := math.Hypot(b.cx()-a.cx(), b.cy()-a.cy()); d < bestD && d > 0 {
					best, bestD = j, d
				}
			}
		}
		if best < 0 {
			continue
		}
		b := cs[best]
		deg := math.Atan2(b.cy()-a.cy(), b.cx()-a.cx()) * 180 / math.Pi
		for deg < -90 {
			deg += 180
		}
		for deg >= 90 {
			deg -= 180
		}
		hist[int(deg+90)%180]++
		votes++
	}
	if votes < 40 {
		return 0, false
	}
	bestBin, bestSum := 0, 0.0
	for b := range hist {
		var s float64
		for d := -2; d <= 2; d++ {
			s += hist[(b+d+180)%180]
		}
		if s > bestSum {
			bestBin, bestSum = b, s
		}
	}
	if bestSum < 0.2*float64(votes) {
		return 0, false
	}
	// centre of mass of the peak
	var s, m float64
	for d := -2; d <= 2; d++ {
		v := hist[(bestBin+d+180)%180]
		s, m = s+v, m+v*float64(d)
	}
	return float64(bestBin-90) + m/s, true
}
