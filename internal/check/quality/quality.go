// Package quality measures what makes a photo of a document or a face
// unusable before the user moves on: too small, blurred, glare, too dark.
// It works on the decoded image on CPU, in a few milliseconds for a
// 1600-pixel photo.
package quality

import (
	"image"
	"math"
)

// Problems a photo can have.
const (
	TooSmall = "too_small"
	Blurry   = "blurry"
	Glare    = "glare"
	TooDark  = "too_dark"
)

// Thresholds of Assess (on the image scaled so its long side is at most
// analysisSide pixels).
const (
	MinShortSide   = 400   // pixels of the original
	MinSharpness   = 100.0 // variance of the Laplacian of the luminance
	MaxGlareShare  = 0.08  // share of pixels at luminance ≥ 250
	MinBrightness  = 50.0  // mean luminance
	analysisSide   = 800
	glareLuminance = 250
)

// Report is the measured quality of one photo.
type Report struct {
	Width      int      `json:"width"`
	Height     int      `json:"height"`
	Sharpness  float64  `json:"sharpness"`
	Glare      float64  `json:"glare"`
	Brightness float64  `json:"brightness"`
	Problems   []string `json:"problems"`
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Assess measures img.
func Assess(img image.Image) Report {
	b := img.Bounds()
	r := Report{Width: b.Dx(), Height: b.Dy(), Problems: []string{}}
	if r.Width == 0 || r.Height == 0 {
		r.Problems = append(r.Problems, TooSmall)
		return r
	}
	lum, w, h := luminance(img)
	var sum float64
	glare := 0
	for _, v := range lum {
		sum += float64(v)
		if v >= glareLuminance {
			glare++
		}
	}
	r.Brightness = sum / float64(len(lum))
	r.Glare = float64(glare) / float64(len(lum))
	r.Sharpness = laplacianVariance(lum, w, h)
	if min(r.Width, r.Height) < MinShortSide {
		r.Problems = append(r.Problems, TooSmall)
	}
	if r.Sharpness < MinSharpness {
		r.Problems = append(r.Problems, Blurry)
	}
	if r.Glare > MaxGlareShare {
		r.Problems = append(r.Problems, Glare)
	}
	if r.Brightness < MinBrightness {
		r.Problems = append(r.Problems, TooDark)
	}
	r.Sharpness = math.Round(r.Sharpness*10) / 10
	r.Glare = math.Round(r.Glare*1000) / 1000
	r.Brightness = math.Round(r.Brightness*10) / 10
	return r
}

// luminance samples img (nearest neighbour) so the long side is at most
// analysisSide, as 8-bit luminance.
func luminance(img image.Image) ([]uint8, int, int) {
	b := img.Bounds()
	step := max(1, (max(b.Dx(), b.Dy())+analysisSide-1)/analysisSide)
	w, h := (b.Dx()+step-1)/step, (b.Dy()+step-1)/step
	out := make([]uint8, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			cr, cg, cb, _ := img.At(b.Min.X+x*step, b.Min.Y+y*step).RGBA()
			out[y*w+x] = uint8((299*cr + 587*cg + 114*cb) / 1000 >> 8)
		}
	}
	return out, w, h
}

// laplacianVariance is the variance of the 4-neighbour Laplacian: low on a
// blurred image, whose edges are soft.
func laplacianVariance(lum []uint8, w, h int) float64 {
	if w < 3 || h < 3 {
		return 0
	}
	var sum, sq float64
	n := 0
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			l := 4*float64(lum[i]) - float64(lum[i-1]) - float64(lum[i+1]) - float64(lum[i-w]) - float64(lum[i+w])
			sum += l
			sq += l * l
			n++
		}
	}
	mean := sum / float64(n)
	return sq/float64(n) - mean*mean
}

// DocumentRegion finds the document on a photo taken against a darker or
// lighter background: the bounding box of the rows and columns where most
// pixels are on the document's side of Otsu's threshold (the side holding
// the image's centre). It returns the whole image when no clear region
// stands out.
func DocumentRegion(img image.Image) image.Rectangle {
	b := img.Bounds()
	lum, w, h := luminance(img)
	step := max(1, (max(b.Dx(), b.Dy())+analysisSide-1)/analysisSide)
	thr := Otsu(lum)
	bright, n := 0, 0 // which side holds most of the central third
	for y := h / 3; y < 2*h/3; y++ {
		for x := w / 3; x < 2*w/3; x++ {
			if lum[y*w+x] >= thr {
				bright++
			}
			n++
		}
	}
	centreBright := bright*2 >= n
	in := func(v uint8) bool { return (v >= thr) == centreBright }
	rows, cols := make([]int, h), make([]int, w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if in(lum[y*w+x]) {
				rows[y]++
				cols[x]++
			}
		}
	}
	y0, y1, x0, x1 := 0, h-1, 0, w-1
	for y0 < h && rows[y0] < w/4 {
		y0++
	}
	for y1 > y0 && rows[y1] < w/4 {
		y1--
	}
	for x0 < w && cols[x0] < h/4 {
		x0++
	}
	for x1 > x0 && cols[x1] < h/4 {
		x1--
	}
	r := image.Rect(b.Min.X+x0*step, b.Min.Y+y0*step, b.Min.X+(x1+1)*step, b.Min.Y+(y1+1)*step).Intersect(b)
	if r.Dx()*r.Dy() < b.Dx()*b.Dy()/4 {
		return b
	}
	return r
}

// Otsu returns the grey level that best splits the pixels in two (Otsu's
// method): pixels below it are the dark class.
func Otsu(pix []uint8) uint8 {
	var hist [256]int
	for _, p := range pix {
		hist[p]++
	}
	total := len(pix)
	var sum float64
	for i, c := range hist {
		sum += float64(i * c)
	}
	var sumB, best float64
	wB, thr := 0, 0
	for i, c := range hist {
		wB += c
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(i * c)
		mB, mF := sumB/float64(wB), (sum-sumB)/float64(wF)
		if v := float64(wB) * float64(wF) * (mB - mF) * (mB - mF); v > best {
			best, thr = v, i
		}
	}
	return uint8(thr + 1)
}
