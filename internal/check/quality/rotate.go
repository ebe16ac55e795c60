package quality

import (
	"image"
	"math"
)

// Rotate turns g by deg degrees (counter-clockwise positive) about its
// centre on a canvas large enough to hold all of it, sampling bilinearly;
// uncovered corners are white. The MRZ reader and the barcode reader use it
// to try a document a few degrees off level.
func Rotate(g *image.Gray, deg float64) *image.Gray {
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	s, c := math.Sincos(deg * math.Pi / 180)
	ow, oh := int(math.Abs(w*c)+math.Abs(h*s)+0.5), int(math.Abs(w*s)+math.Abs(h*c)+0.5)
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	cx, cy, ocx, ocy := w/2, h/2, float64(ow)/2, float64(oh)/2
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			dx, dy := float64(x)-ocx, float64(y)-ocy
			out.Pix[y*out.Stride+x] = SampleGray(g, dx*c-dy*s+cx, dx*s+dy*c+cy)
		}
	}
	return out
}

// SampleGray is g at (x, y), interpolated bilinearly; white outside.
func SampleGray(g *image.Gray, x, y float64) uint8 {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < 0 || y0 < 0 || x0+1 >= g.Rect.Dx() || y0+1 >= g.Rect.Dy() {
		return 255
	}
	fx, fy := x-float64(x0), y-float64(y0)
	p := func(xx, yy int) float64 { return float64(g.Pix[yy*g.Stride+xx]) }
	v := p(x0, y0)*(1-fx)*(1-fy) + p(x0+1, y0)*fx*(1-fy) + p(x0, y0+1)*(1-fx)*fy + p(x0+1, y0+1)*fx*fy
	return uint8(math.Round(v))
}

// Turn turns g by a multiple of 90 degrees, clockwise (any other angle
// leaves it as it is). The MRZ and printed-zone readers use it for
// documents photographed a quarter or half turn round.
func Turn(g *image.Gray, deg int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	switch deg {
	case 90, 270:
		out := image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if deg == 90 {
					out.Pix[x*h+(h-1-y)] = g.Pix[g.PixOffset(g.Rect.Min.X+x, g.Rect.Min.Y+y)]
				} else {
					out.Pix[(w-1-x)*h+y] = g.Pix[g.PixOffset(g.Rect.Min.X+x, g.Rect.Min.Y+y)]
				}
			}
		}
		return out
	case 180:
		out := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[(h-1-y)*w+(w-1-x)] = g.Pix[g.PixOffset(g.Rect.Min.X+x, g.Rect.Min.Y+y)]
			}
		}
		return out
	}
	return g
}
