package quality

import (
	"image"
	"math"
)

// Deskewing and flat-fielding shared by the readers of printed text (the
// MRZ's, the printed zone's).

const (
	maxSkew   = 10.0 // degrees searched either way
	skewStep  = 0.5  // degrees
	MinSkew   = 0.75 // below this the image is left as it is
	SkewWidth = 640  // width of the copy the angle is best estimated on
	skewGain  = 1.08 // the turned profile must be this much sharper than the level one
)

// SkewAngle returns the angle (degrees, counter-clockwise positive) by which
// the text rows of small are turned, or 0 when no angle is clearly better.
// It estimates the angle from the dark pixels' projection profile (level
// rows give the sharpest profile); callers pass a copy about SkewWidth
// pixels wide.
func SkewAngle(small *image.Gray) float64 {
	w, h := small.Rect.Dx(), small.Rect.Dy()
	if w < 32 || h < 32 {
		return 0
	}
	// Stroke pixels: below Otsu's threshold of the whole image with a light
	// pixel two columns to the left or right — the edges of characters,
	// not the inside of dark areas (a desk, a portrait) whose borders would
	// outweigh the text.
	thr := Otsu(small.Pix)
	var xs, ys []float64
	for y := 0; y < h; y++ {
		row := small.Pix[y*small.Stride:]
		for x := 2; x < w-2; x++ {
			if row[x] < thr && (row[x-2] >= thr || row[x+2] >= thr) {
				xs, ys = append(xs, float64(x)-float64(w)/2), append(ys, float64(y))
			}
		}
	}
	if len(xs) < 200 || len(xs) > w*h/2 {
		return 0
	}
	bins := make([]float64, 2*h+2*w)
	profile := func(deg float64) float64 {
		clear(bins)
		s, c := math.Sincos(deg * math.Pi / 180)
		off := float64(w)
		for i := range xs {
			r := int(ys[i]*c - xs[i]*s + off)
			if r >= 0 && r < len(bins) {
				bins[r]++
			}
		}
		var sharp float64
		for i := 1; i < len(bins); i++ {
			d := bins[i] - bins[i-1]
			sharp += d * d
		}
		return sharp
	}
	level := profile(0)
	best, bestDeg := level, 0.0
	for deg := -maxSkew; deg <= maxSkew; deg += skewStep {
		if deg == 0 {
			continue
		}
		if p := profile(deg); p > best {
			best, bestDeg = p, deg
		}
	}
	if math.Abs(bestDeg) < MinSkew || best < level*skewGain {
		return 0
	}
	return bestDeg
}

// Flatten divides g by its paper: the lightest level within r pixels (wider
// than a stroke, so the paper around it shows), smoothed. Uneven light, a
// shadow or a darker edge leave the paper white and the ink dark, so a
// global threshold sees one contrast across the image.
func Flatten(g *image.Gray, r int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return g
	}
	pix := g.Pix
	if g.Stride != w {
		pix = make([]uint8, w*h)
		for y := range h {
			copy(pix[y*w:(y+1)*w], g.Pix[y*g.Stride:])
		}
	}
	bg := MaxFilter(MaxFilter(pix, w, h, r, true), w, h, r, false)
	bg = BoxBlur(bg, w, h, r)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p, b := int(pix[y*w+x]), max(1, int(bg[y*w+x]))
			out.Pix[y*out.Stride+x] = uint8(min(255, p*255/b))
		}
	}
	return out
}

// MaxFilter is the largest value within r of each pixel along rows
// (horizontal) or columns; pix has stride w. Van Herk / Gil–Werman: a
// running maximum forwards and backwards in blocks of 2r+1, so the cost
// does not grow with r.
func MaxFilter(pix []uint8, w, h, r int, horizontal bool) []uint8 {
	out := make([]uint8, w*h)
	n, m, step, next := w, h, 1, w // positions along the filter, lines across it
	if !horizontal {
		n, m, step, next = h, w, w, 1
	}
	win := 2*r + 1
	fwd, bwd := make([]uint8, n), make([]uint8, n)
	for line := 0; line < m; line++ {
		base := line * next
		at := func(i int) uint8 { return pix[base+i*step] }
		for i := 0; i < n; i++ {
			if i%win == 0 {
				fwd[i] = at(i)
			} else {
				fwd[i] = max(fwd[i-1], at(i))
			}
		}
		for i := n - 1; i >= 0; i-- {
			if i == n-1 || (i+1)%win == 0 {
				bwd[i] = at(i)
			} else {
				bwd[i] = max(bwd[i+1], at(i))
			}
		}
		for i := 0; i < n; i++ {
			lo, hi := max(0, i-r), min(n-1, i+r)
			switch {
			case lo/win != hi/win: // the window straddles two blocks
				out[base+i*step] = max(bwd[lo], fwd[hi])
			case lo%win == 0: // it starts a block (clipped at the left edge)
				out[base+i*step] = fwd[hi]
			default: // it ends the last block (clipped at the right edge)
				out[base+i*step] = bwd[lo]
			}
		}
	}
	return out
}

// BoxBlur is the mean within r of each pixel (a (2r+1)² window clipped to
// the image); pix has stride w.
func BoxBlur(pix []uint8, w, h, r int) []uint8 {
	out := make([]uint8, w*h)
	WindowSums(pix, w, h, w, r, func(x, y int, sum, n int64) { out[y*w+x] = uint8(sum / n) })
	return out
}

// WindowSums calls fn with the sum and count of the pixels within r of
// each pixel (a (2r+1)² window clipped to the image), from an integral
// image; pix has the given stride.
func WindowSums(pix []uint8, w, h, stride, r int, fn func(x, y int, sum, n int64)) {
	ii := make([]int64, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		var row int64
		for x := 0; x < w; x++ {
			row += int64(pix[y*stride+x])
			ii[(y+1)*(w+1)+x+1] = ii[y*(w+1)+x+1] + row
		}
	}
	for y := 0; y < h; y++ {
		ya, yb := max(0, y-r), min(h, y+r+1)
		for x := 0; x < w; x++ {
			xa, xb := max(0, x-r), min(w, x+r+1)
			sum := ii[yb*(w+1)+xb] - ii[ya*(w+1)+xb] - ii[yb*(w+1)+xa] + ii[ya*(w+1)+xa]
			fn(x, y, sum, int64((yb-ya)*(xb-xa)))
		}
	}
}
