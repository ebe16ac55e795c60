package kyctest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// OCRBFontPath is the OCR-B face of Debian's fonts-ocr-b whose glyphs
// golang.org/x/image/font/sfnt can all draw (OCRB.otf's 8 and < use a CFF
// operator it does not support).
const OCRBFontPath = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"

var (
	ocrbOnce sync.Once
	ocrbFont *opentype.Font
	ocrbErr  error
)

// OCRB returns the OCR-B font (Debian fonts-ocr-b). Tests skip without it
// unless OPENKYC_REQUIRE_OCR is set (as .ci/run does).
func OCRB(t testing.TB) *opentype.Font {
	ocrbOnce.Do(func() {
		b, err := os.ReadFile(OCRBFontPath)
		if err != nil {
			ocrbErr = err
			return
		}
		ocrbFont, ocrbErr = opentype.Parse(b)
	})
	if ocrbErr != nil {
		if os.Getenv("OPENKYC_REQUIRE_OCR") != "" {
			t.Fatalf("OCR-B font: %v (apt-get install fonts-ocr-b)", ocrbErr)
		}
		t.Skipf("OCR-B font not available (apt-get install fonts-ocr-b): %v", ocrbErr)
	}
	return ocrbFont
}

// SyntheticDocument renders a passport data page (or ID card) of the given
// width: a portrait, printed fields as bars, and the MRZ lines in OCR-B at
// the bottom, black on a light background. Nothing copyrighted is used.
func SyntheticDocument(t testing.TB, lines []string, width int) *image.RGBA {
	f := OCRB(t)
	// The MRZ spans 90% of the width: measure the line at 100 pt, then scale.
	ref, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 100, DPI: 72})
	if err != nil {
		t.Fatal(err)
	}
	adv := font.MeasureString(ref, lines[0])
	ref.Close()
	size := 100 * float64(width) * 0.9 / (float64(adv) / 64)
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	lineH := int(size * 1.35)
	height := int(float64(width)*0.68) + lineH*(len(lines)-2)
	top := height - lineH*len(lines) - lineH/2 // of the MRZ
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{232, 236, 240, 255}), image.Point{}, draw.Src)
	// portrait and printed fields
	pw, ph := width/4, min(height/2, top-lineH-height/10)
	portrait := SyntheticFace(pw, ph)
	draw.Draw(img, image.Rect(width/20, height/10, width/20+pw, height/10+ph), portrait, image.Point{}, draw.Src)
	for y := height / 8; y < min(height*3/5, top-lineH); y += height / 14 {
		for x := width * 2 / 5; x < width*9/10; x += 11 {
			draw.Draw(img, image.Rect(x, y, x+7, y+height/45), image.NewUniform(color.RGBA{60, 60, 90, 255}), image.Point{}, draw.Src)
		}
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{10, 10, 10, 255}), Face: face}
	x0 := width / 20
	for i, l := range lines {
		d.Dot = fixed.P(x0, top+lineH*(i+1))
		d.DrawString(l)
	}
	return img
}

// Degrade simulates a phone photo of the document: perspective and
// rotation, blur, noise, a glare spot, lower light and JPEG compression
// (quality 95 down to 45), by severity 0–1.
func Degrade(src image.Image, severity float64, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	// Output with a margin (background), the document slightly rotated and keystoned.
	mw, mh := w/10, h/10
	out := image.NewRGBA(image.Rect(0, 0, w+2*mw, h+2*mh))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.RGBA{70, 60, 55, 255}), image.Point{}, draw.Src)
	angle := (r.Float64()*2 - 1) * 0.035 * severity
	keystone := (r.Float64()*2 - 1) * 0.04 * severity
	cx, cy := float64(w)/2, float64(h)/2
	cos, sin := math.Cos(angle), math.Sin(angle)
	noise := 14 * severity
	shade := 1 - 0.25*severity*r.Float64()
	gx, gy, gr := r.Float64()*float64(w), r.Float64()*float64(h)*0.5, float64(w)*0.12*severity
	for y := 0; y < out.Bounds().Dy(); y++ {
		for x := 0; x < out.Bounds().Dx(); x++ {
			// inverse map into the source
			dx, dy := float64(x-mw)-cx, float64(y-mh)-cy
			sx := cos*dx + sin*dy
			sy := -sin*dx + cos*dy
			sx *= 1 + keystone*(sy/cy)
			sx, sy = sx+cx, sy+cy
			if sx < 0 || sy < 0 || sx >= float64(w-1) || sy >= float64(h-1) {
				continue
			}
			c := bilinear(src, b.Min.X, b.Min.Y, sx, sy)
			for k := 0; k < 3; k++ {
				v := c[k]*shade + r.NormFloat64()*noise
				if gr > 0 {
					dd := math.Hypot(float64(x)-gx, float64(y)-gy)
					v += 90 * math.Exp(-dd*dd/(2*gr*gr))
				}
				c[k] = math.Max(0, math.Min(255, v))
			}
			out.SetRGBA(x, y, color.RGBA{uint8(c[0]), uint8(c[1]), uint8(c[2]), 255})
		}
	}
	if severity > 0.3 {
		out = boxBlur(out, 1)
	}
	return recompress(out, int(95-50*severity))
}

// recompress saves img as a JPEG of the given quality and reads it back, as
// a phone's camera and messaging apps do.
func recompress(img *image.RGBA, quality int) *image.RGBA {
	var buf bytes.Buffer
	if jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}) != nil {
		return img
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		return img
	}
	out := image.NewRGBA(dec.Bounds())
	draw.Draw(out, out.Bounds(), dec, dec.Bounds().Min, draw.Src)
	return out
}

func bilinear(src image.Image, ox, oy int, x, y float64) [3]float64 {
	x0, y0 := int(x), int(y)
	ax, ay := x-float64(x0), y-float64(y0)
	var out [3]float64
	for _, p := range []struct {
		dx, dy int
		w      float64
	}{{0, 0, (1 - ax) * (1 - ay)}, {1, 0, ax * (1 - ay)}, {0, 1, (1 - ax) * ay}, {1, 1, ax * ay}} {
		r, g, b, _ := src.At(ox+x0+p.dx, oy+y0+p.dy).RGBA()
		out[0] += float64(r>>8) * p.w
		out[1] += float64(g>>8) * p.w
		out[2] += float64(b>>8) * p.w
	}
	return out
}

func boxBlur(src *image.RGBA, radius int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var sr, sg, sb, n int
			for dy := -radius; dy <= radius; dy++ {
				for dx := -radius; dx <= radius; dx++ {
					c := src.RGBAAt(min(max(x+dx, b.Min.X), b.Max.X-1), min(max(y+dy, b.Min.Y), b.Max.Y-1))
					sr, sg, sb, n = sr+int(c.R), sg+int(c.G), sb+int(c.B), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255})
		}
	}
	return dst
}

// NeedOCR skips the test when an OCR engine is unavailable (err), unless
// OPENKYC_REQUIRE_OCR is set (as .ci/run does), where it fails it.
func NeedOCR(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("OPENKYC_REQUIRE_OCR") != "" {
		t.Fatal(err)
	}
	t.Skip(err)
}
