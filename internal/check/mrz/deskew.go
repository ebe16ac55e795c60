package mrz

import (
	"image"
	"math"

	"github.com/openkyc/openkyc/internal/check/quality"
)

// Documents are photographed a few degrees off level; the band finder and
// tesseract want level text rows. deskew estimates the angle of the text
// rows from the dark pixels' projection profile (level rows give the
// sharpest profile) and turns the image back by it.

const (
	maxSkew   = 10.0 // degrees searched either way
	skewStep  = 0.5  // degrees
	minSkew   = 0.75 // below this the image is left as it is
	skewWidth = 640  // width of the copy the angle is estimated on
	skewGain  = 1.08 // the turned profile must be this much sharper than the level one
)

// skewAngle returns the angle (degrees, counter-clockwise positive) by which
// the text rows of g are turned, or 0 when no angle is clearly better.
func skewAngle(g *image.Gray) float64 {
	small := g
	if g.Rect.Dx() > skewWidth {
		small = toGray(g, skewWidth)
	}
	w, h := small.Rect.Dx(), small.Rect.Dy()
	if w < 32 || h < 32 {
		return 0
	}
	// Stroke pixels: below Otsu's threshold of the whole image with a light
	// pixel two columns to the left or right — the edges of characters,
	// not the inside of dark areas (a desk, a portrait) whose borders would
	// outweigh the text.
	thr := quality.Otsu(small.Pix)
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
	if math.Abs(bestDeg) < minSkew || best < level*skewGain {
		return 0
	}
	return bestDeg
}

// rotateGray turns g by deg degrees (counter-clockwise positive) about its
// centre, keeping its size; uncovered corners are white.
func rotateGray(g *image.Gray, deg float64) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// source of (x, y): the inverse turn
			dx, dy := float64(x)-cx, float64(y)-cy
			sx, sy := dx*c-dy*s+cx, dx*s+dy*c+cy
			out.Pix[y*out.Stride+x] = quality.SampleGray(g, sx, sy)
		}
	}
	return out
}

// scaleGray enlarges g by f (bilinear).
func scaleGray(g *image.Gray, f float64) *image.Gray {
	ow, oh := int(float64(g.Rect.Dx())*f), int(float64(g.Rect.Dy())*f)
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			out.Pix[y*out.Stride+x] = sampleCubic(g, (float64(x)+0.5)/f-0.5, (float64(y)+0.5)/f-0.5)
		}
	}
	return out
}
