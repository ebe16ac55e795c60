package quality_test

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/quality"
)

// card draws a document-like image: light background, dark text-like bars.
func card(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{210, 220, 230, 255}), image.Point{}, draw.Src)
	for y := h / 8; y < h*7/8; y += h / 12 {
		for x := w / 10; x < w*9/10; x += 7 {
			draw.Draw(img, image.Rect(x, y, x+4, y+h/30), image.NewUniform(color.RGBA{20, 20, 40, 255}), image.Point{}, draw.Src)
		}
	}
	return img
}

// blur box-blurs img with radius r.
func blur(src *image.RGBA, r int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var sr, sg, sb, n int
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					c := src.RGBAAt(min(max(x+dx, 0), b.Max.X-1), min(max(y+dy, 0), b.Max.Y-1))
					sr, sg, sb, n = sr+int(c.R), sg+int(c.G), sb+int(c.B), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255})
		}
	}
	return dst
}

func TestAssess(t *testing.T) {
	t.Parallel()
	sharp := card(900, 600)
	glare := card(900, 600)
	draw.Draw(glare, image.Rect(200, 100, 600, 400), image.NewUniform(color.White), image.Point{}, draw.Src)
	dark := image.NewRGBA(image.Rect(0, 0, 900, 600))
	draw.Draw(dark, dark.Bounds(), image.NewUniform(color.RGBA{10, 10, 10, 255}), image.Point{}, draw.Src)
	tests := []struct {
		name string
		img  image.Image
		want []string
	}{
		{"sharp card", sharp, []string{}},
		{"blurred card", blur(sharp, 6), []string{quality.Blurry}},
		{"glare", glare, []string{quality.Glare}},
		{"dark and flat", dark, []string{quality.Blurry, quality.TooDark}},
		{"tiny", card(200, 120), []string{quality.TooSmall}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := quality.Assess(tc.img)
			require.Equal(t, tc.want, r.Problems, "%+v", r)
			require.Equal(t, len(tc.want) == 0, r.OK())
		})
	}
}

func TestDocumentRegion(t *testing.T) {
	t.Parallel()
	photo := image.NewRGBA(image.Rect(0, 0, 1000, 800))
	draw.Draw(photo, photo.Bounds(), image.NewUniform(color.RGBA{60, 50, 45, 255}), image.Point{}, draw.Src)
	draw.Draw(photo, image.Rect(150, 120, 850, 560), card(700, 440), image.Point{}, draw.Src)
	r := quality.DocumentRegion(photo)
	require.InDelta(t, 150, r.Min.X, 4)
	require.InDelta(t, 120, r.Min.Y, 4)
	require.InDelta(t, 850, r.Max.X, 4)
	require.InDelta(t, 560, r.Max.Y, 4)
	// A photo that is all document: the whole image.
	require.Equal(t, image.Rect(0, 0, 900, 600), quality.DocumentRegion(card(900, 600)))
}
