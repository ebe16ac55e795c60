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

// skewAngle returns the angle (degrees, counter-clockwise positive) by which
// the text rows of g are turned, or 0 when no angle is clearly better.
func skewAngle(g *image.Gray) float64 {
	small := g
	if g.Rect.Dx() > quality.SkewWidth {
		small = toGray(g, quality.SkewWidth)
	}
	return quality.SkewAngle(small)
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
