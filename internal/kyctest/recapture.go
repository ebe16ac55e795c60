package kyctest

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// ScreenPhoto simulates a phone's photo of img shown on a screen: img is
// displayed on an LCD (RGB stripe subpixels with a dark matrix between
// pixel rows) 900–1400 pixels wide, photographed 1.6–3.4 camera pixels per
// screen pixel and turned up to 3° (each camera pixel integrates four
// samples of the screen, as a sensor does: the two grids beat into moiré),
// then softened by the lens, exposed, given sensor noise and saved as a
// JPEG of quality 80–90. Deterministic for a seed.
func ScreenPhoto(img image.Image, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 31))
	pitch := 1.6 + 1.8*r.Float64()
	ws := 900 + r.IntN(500)
	if float64(ws)*pitch > 2600 {
		ws = int(2600 / pitch)
	}
	b := img.Bounds()
	screen := Scale(img, float64(ws)/float64(b.Dx()))
	sb := screen.Bounds()
	theta := (r.Float64()*6 - 3) * math.Pi / 180
	cos, sin := math.Cos(theta), math.Sin(theta)
	margin := 40.0
	w := int(float64(sb.Dx())*pitch + 2*margin)
	h := int(float64(sb.Dy())*pitch + 2*margin)
	gain := 2.2 + 0.4*r.Float64()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)/2
	for y := range h {
		for x := range w {
			var acc [3]float64
			for _, d := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				px, py := float64(x)+d[0]-cx, float64(y)+d[1]-cy
				u := (px*cos+py*sin)/pitch + float64(sb.Dx())/2
				v := (-px*sin+py*cos)/pitch + float64(sb.Dy())/2
				i, j := int(math.Floor(u)), int(math.Floor(v))
				if i < 0 || j < 0 || i >= sb.Dx() || j >= sb.Dy() {
					acc[0], acc[1], acc[2] = acc[0]+18, acc[1]+18, acc[2]+20 // the bezel
					continue
				}
				if v-float64(j) > 0.85 {
					continue // the black matrix between rows
				}
				sub := min(int((u-float64(i))*3), 2)
				o := screen.PixOffset(sb.Min.X+i, sb.Min.Y+j)
				acc[sub] += float64(screen.Pix[o+sub]) * gain
			}
			o := out.PixOffset(x, y)
			for c := range 3 {
				out.Pix[o+c] = clamp8(acc[c] / 4)
			}
			out.Pix[o+3] = 255
		}
	}
	blurred := Defocus(out, 0.8+0.6*r.Float64())
	return JPEGQuality(Noise(blurred, 3, seed), 80+r.IntN(11))
}

// Photocopy simulates a phone's photo of a black-and-white photocopy of
// img: grey, harder contrast, paper grain, photographed under light with a
// warm or cold cast, sensor noise, JPEG quality 85. Deterministic for a
// seed.
func Photocopy(img image.Image, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 37))
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	cast := [3]float64{1 + 0.08*r.Float64(), 1, 1 - 0.08*r.Float64()}
	if r.IntN(2) == 0 {
		cast[0], cast[2] = cast[2], cast[0]
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			g := float64(color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y)
			g = 255 / (1 + math.Exp(-(g-128)/28)) // the copier's contrast
			g += r.NormFloat64() * 5              // the paper's grain
			o := out.PixOffset(x, y)
			for c := range 3 {
				out.Pix[o+c] = clamp8(g * cast[c])
			}
			out.Pix[o+3] = 255
		}
	}
	return JPEGQuality(Noise(out, 2, seed), 85)
}
