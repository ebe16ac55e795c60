package kyctest_test

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// page is a light 200×100 image with a dark bar in the middle.
func page() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{230, 230, 230, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(40, 45, 160, 55), image.NewUniform(color.RGBA{20, 20, 20, 255}), image.Point{}, draw.Src)
	return img
}

func gray(img image.Image, x, y int) uint8 {
	return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
}

func TestCapture(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		apply func(image.Image) image.Image
		size  image.Point
		check func(t *testing.T, out image.Image)
	}{
		{"rotate 0 keeps the image", func(i image.Image) image.Image { return kyctest.Rotate(i, 0) }, image.Pt(200, 100), func(t *testing.T, out image.Image) {
			require.Equal(t, gray(page(), 10, 10), gray(out, 10, 10))
			require.Equal(t, gray(page(), 100, 50), gray(out, 100, 50))
		}},
		{"rotate 90 swaps the sides", func(i image.Image) image.Image { return kyctest.Rotate(i, 90) }, image.Pt(100, 200), func(t *testing.T, out image.Image) {
			require.Less(t, gray(out, 50, 100), uint8(60), "the bar stays at the centre")
			require.Less(t, gray(out, 50, 50), uint8(60), "and now runs vertically")
		}},
		{"rotate 5 fills the corners", func(i image.Image) image.Image { return kyctest.Rotate(i, 5) }, image.Pt(208, 118), func(t *testing.T, out image.Image) {
			require.Equal(t, kyctest.Background, out.At(0, 0))
		}},
		{"keystone narrows the top", func(i image.Image) image.Image { return kyctest.Keystone(i, 0.1) }, image.Pt(200, 100), func(t *testing.T, out image.Image) {
			require.Equal(t, kyctest.Background, out.At(2, 0))
			require.NotEqual(t, kyctest.Background, out.At(2, 99))
			require.Equal(t, gray(page(), 100, 50), gray(out, 100, 50))
		}},
		{"keystone below narrows the bottom", func(i image.Image) image.Image { return kyctest.Keystone(i, -0.1) }, image.Pt(200, 100), func(t *testing.T, out image.Image) {
			require.Equal(t, kyctest.Background, out.At(2, 99))
			require.NotEqual(t, kyctest.Background, out.At(2, 0))
		}},
		{"scale", func(i image.Image) image.Image { return kyctest.Scale(i, 0.5) }, image.Pt(100, 50), func(t *testing.T, out image.Image) {
			require.Less(t, gray(out, 50, 25), uint8(60))
		}},
		{"jpeg", func(i image.Image) image.Image { return kyctest.JPEGQuality(i, 50) }, image.Pt(200, 100), func(t *testing.T, out image.Image) {
			require.InDelta(t, 230, int(gray(out, 10, 10)), 8)
		}},
		{"noise is seeded", func(i image.Image) image.Image { return kyctest.Noise(i, 6, 1) }, image.Pt(200, 100), func(t *testing.T, out image.Image) {
			require.Equal(t, kyctest.Noise(page(), 6, 1), out)
			require.NotEqual(t, kyctest.Noise(page(), 6, 2), out)
		}},
		{"defocus spreads the bar", func(i image.Image) image.Image { return kyctest.Defocus(i, 3) }, image.Pt(200, 100), func(t *testing.T, out image.Image) {
			require.Equal(t, uint8(230), gray(out, 10, 10), "flat areas stay")
			edge := gray(out, 100, 44)
			require.Greater(t, edge, uint8(30))
			require.Less(t, edge, uint8(220))
		}},
		{"light darkens somewhere", func(i image.Image) image.Image { return kyctest.Light(i, 3) }, image.Pt(200, 100), func(t *testing.T, out image.Image) {
			darkest := uint8(255)
			for _, p := range []image.Point{{0, 0}, {199, 0}, {0, 99}, {199, 99}} {
				darkest = min(darkest, gray(out, p.X, p.Y))
			}
			require.Less(t, darkest, uint8(230*0.8))
			require.Equal(t, kyctest.Light(page(), 3), out)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.apply(page())
			require.Equal(t, tc.size, out.Bounds().Size())
			tc.check(t, out)
		})
	}
}
