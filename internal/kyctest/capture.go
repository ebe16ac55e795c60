package kyctest

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
)

// Capture degradations: what a phone or a web upload does to a real
// document image, one effect at a time, each deterministic for its
// parameters (and seed). The reader's evaluation on real specimens
// (bench/cmd/mrzreal) applies them; Degrade above is the all-in-one
// variant for generated documents.

// Background is the colour around a rotated or keystoned document (a desk).
var Background = color.RGBA{70, 60, 55, 255}

// ToRGBA returns img as *image.RGBA with its origin at 0,0 (a copy unless it
// already is one).
func ToRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

// sample is the bilinear colour of src at (x, y); ok is false outside.
func sample(src *image.RGBA, x, y float64) ([3]float64, bool) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	if x < 0 || y < 0 || x > float64(w-1) || y > float64(h-1) {
		return [3]float64{}, false
	}
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	ax, ay := x-float64(x0), y-float64(y0)
	var out [3]float64
	for _, p := range [4]struct {
		x, y int
		w    float64
	}{{x0, y0, (1 - ax) * (1 - ay)}, {x1, y0, ax * (1 - ay)}, {x0, y1, (1 - ax) * ay}, {x1, y1, ax * ay}} {
		i := p.y*src.Stride + p.x*4
		out[0] += float64(src.Pix[i]) * p.w
		out[1] += float64(src.Pix[i+1]) * p.w
		out[2] += float64(src.Pix[i+2]) * p.w
	}
	return out, true
}

// warp fills a w×h image by inverse mapping each pixel through inv into
// src (Background outside).
func warp(src *image.RGBA, w, h int, inv func(x, y float64) (float64, float64)) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := inv(float64(x), float64(y))
			c, ok := sample(src, sx, sy)
			i := y*out.Stride + x*4
			if !ok {
				out.Pix[i], out.Pix[i+1], out.Pix[i+2] = Background.R, Background.G, Background.B
			} else {
				out.Pix[i], out.Pix[i+1], out.Pix[i+2] = uint8(c[0]+0.5), uint8(c[1]+0.5), uint8(c[2]+0.5)
			}
			out.Pix[i+3] = 255
		}
	}
	return out
}

// Rotate turns img by degrees (counter-clockwise) about its centre on a
// canvas grown to hold it all, the corners filled with Background.
func Rotate(img image.Image, degrees float64) *image.RGBA {
	src := ToRGBA(img)
	w, h := float64(src.Rect.Dx()), float64(src.Rect.Dy())
	a := degrees * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	ow := int(math.Ceil(math.Abs(w*cos) + math.Abs(h*sin) - 1e-6))
	oh := int(math.Ceil(math.Abs(w*sin) + math.Abs(h*cos) - 1e-6))
	return warp(src, ow, oh, func(x, y float64) (float64, float64) {
		dx, dy := x-float64(ow)/2, y-float64(oh)/2
		return cos*dx - sin*dy + w/2, sin*dx + cos*dy + h/2
	})
}

// Keystone is the perspective of a document photographed from below or
// above: one edge (the top for frac > 0, the bottom for frac < 0) is
// shorter than the other by |frac| of the width.
func Keystone(img image.Image, frac float64) *image.RGBA {
	src := ToRGBA(img)
	ow, oh := src.Rect.Dx(), src.Rect.Dy()
	w, h := float64(ow-1), float64(oh-1) // pixel centres of the last column and row
	in := math.Abs(frac) * w / 2
	// the image's corners TL, TR, BR, BL go to:
	dst := [4][2]float64{{in, 0}, {w - in, 0}, {w, h}, {0, h}}
	if frac < 0 {
		dst = [4][2]float64{{0, 0}, {w, 0}, {w - in, h}, {in, h}}
	}
	corners := [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}
	hm := homography(dst, corners) // output → source
	return warp(src, ow, oh, func(x, y float64) (float64, float64) {
		d := hm[6]*x + hm[7]*y + 1
		return (hm[0]*x + hm[1]*y + hm[2]) / d, (hm[3]*x + hm[4]*y + hm[5]) / d
	})
}

// homography returns the 8 coefficients of the projective map taking the
// points from to the points to.
func homography(from, to [4][2]float64) [8]float64 {
	var m [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := from[i][0], from[i][1], to[i][0], to[i][1]
		m[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		m[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := 0; c < 8; c++ { // Gauss-Jordan with partial pivoting
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := 0; r < 8; r++ {
			if r != c {
				f := m[r][c] / m[c][c]
				for k := c; k < 9; k++ {
					m[r][k] -= f * m[c][k]
				}
			}
		}
	}
	var h [8]float64
	for i := range h {
		h[i] = m[i][8] / m[i][i]
	}
	return h
}

// Scale resizes img by f (0 < f ≤ 1) averaging the source pixels of each
// output pixel, as a camera further away or a resized upload does.
func Scale(img image.Image, f float64) *image.RGBA {
	src := ToRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	ow, oh := max(1, int(float64(w)*f)), max(1, int(float64(h)*f))
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		y0, y1 := y*h/oh, max(y*h/oh+1, (y+1)*h/oh)
		for x := 0; x < ow; x++ {
			x0, x1 := x*w/ow, max(x*w/ow+1, (x+1)*w/ow)
			var s [3]int
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					i := sy*src.Stride + sx*4
					s[0], s[1], s[2] = s[0]+int(src.Pix[i]), s[1]+int(src.Pix[i+1]), s[2]+int(src.Pix[i+2])
				}
			}
			n := (y1 - y0) * (x1 - x0)
			i := y*out.Stride + x*4
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), 255
		}
	}
	return out
}

// JPEGQuality saves img as a JPEG of the given quality and decodes it again.
func JPEGQuality(img image.Image, quality int) *image.RGBA {
	return recompress(ToRGBA(img), quality)
}

// Noise adds Gaussian noise of standard deviation sigma to every channel.
func Noise(img image.Image, sigma float64, seed uint64) *image.RGBA {
	src := ToRGBA(img)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := image.NewRGBA(src.Rect)
	for i := 0; i < len(src.Pix); i += 4 {
		for k := 0; k < 3; k++ {
			out.Pix[i+k] = clamp8(float64(src.Pix[i+k]) + r.NormFloat64()*sigma)
		}
		out.Pix[i+3] = 255
	}
	return out
}

// Defocus blurs img with a disc of the given radius (pixels), the blur of
// a lens focused off the document.
func Defocus(img image.Image, radius float64) *image.RGBA {
	src := ToRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	rad := int(math.Ceil(radius))
	half := make([]int, 2*rad+1) // the disc's half width per row offset
	area := 0
	for dy := -rad; dy <= rad; dy++ {
		hw := int(math.Floor(math.Sqrt(math.Max(0, radius*radius-float64(dy*dy)))))
		half[dy+rad] = hw
		area += 2*hw + 1
	}
	// prefix sums per row and channel (columns clamped at the edges), for
	// the 2·rad+1 rows around the current one
	n := 2*rad + 1
	ring := make([][3][]int, n)
	held := make([]int, n)
	for i := range held {
		held[i] = -1
	}
	row := func(sy int) [3][]int {
		slot := sy % n
		if held[slot] != sy {
			for k := 0; k < 3; k++ {
				p := ring[slot][k]
				if p == nil {
					p = make([]int, w+2*rad+1)
					ring[slot][k] = p
				}
				for x := -rad; x < w+rad; x++ {
					cx := min(max(x, 0), w-1)
					p[x+rad+1] = p[x+rad] + int(src.Pix[sy*src.Stride+cx*4+k])
				}
			}
			held[slot] = sy
		}
		return ring[slot]
	}
	out := image.NewRGBA(src.Rect)
	rows := make([][3][]int, n)
	for y := 0; y < h; y++ {
		for dy := -rad; dy <= rad; dy++ {
			rows[dy+rad] = row(min(max(y+dy, 0), h-1))
		}
		for x := 0; x < w; x++ {
			var s [3]int
			for dy := -rad; dy <= rad; dy++ {
				rw := rows[dy+rad]
				hw := half[dy+rad]
				for k := 0; k < 3; k++ {
					p := rw[k]
					s[k] += p[x+hw+rad+1] - p[x-hw+rad]
				}
			}
			i := y*out.Stride + x*4
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = uint8(s[0]/area), uint8(s[1]/area), uint8(s[2]/area), 255
		}
	}
	return out
}

// Light darkens img unevenly, as a room lamp does: brightness falls
// linearly to between 45 % and 60 % along a random direction, and a soft
// shadow (an object between lamp and document) covers a random part at
// 55–70 % brightness.
func Light(img image.Image, seed uint64) *image.RGBA {
	src := ToRGBA(img)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w, h := float64(src.Rect.Dx()), float64(src.Rect.Dy())
	diag := math.Hypot(w, h)
	a := r.Float64() * 2 * math.Pi
	gx, gy := math.Cos(a), math.Sin(a)
	low := 0.45 + 0.15*r.Float64()
	// the shadow: a half-plane through a random point, soft edge
	b := r.Float64() * 2 * math.Pi
	sx, sy := math.Cos(b), math.Sin(b)
	px, py := w*(0.2+0.6*r.Float64()), h*(0.2+0.6*r.Float64())
	dark := 0.55 + 0.15*r.Float64()
	soft := 0.03 * diag
	out := image.NewRGBA(src.Rect)
	for y := 0; y < src.Rect.Dy(); y++ {
		for x := 0; x < src.Rect.Dx(); x++ {
			fx, fy := float64(x), float64(y)
			t := ((fx-w/2)*gx + (fy-h/2)*gy) / diag // -0.5 … 0.5
			f := 1 - (1-low)*(t+0.5)
			d := (fx-px)*sx + (fy-py)*sy // signed distance to the shadow's edge
			f *= 1 - (1-dark)/(1+math.Exp(-d/soft*4))
			i := y*src.Stride + x*4
			for k := 0; k < 3; k++ {
				out.Pix[i+k] = clamp8(float64(src.Pix[i+k]) * f)
			}
			out.Pix[i+3] = 255
		}
	}
	return out
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}
