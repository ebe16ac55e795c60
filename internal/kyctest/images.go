package kyctest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/require"
)

// SyntheticCard draws an ID-card-like image: light background, a portrait
// box and dark text-like bars (sharp, no glare).
func SyntheticCard(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{200, 215, 230, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(w/20, h/5, w/3, h*4/5), image.NewUniform(color.RGBA{120, 110, 100, 255}), image.Point{}, draw.Src)
	for y := h / 5; y < h*4/5; y += h / 10 {
		for x := w * 2 / 5; x < w*19/20; x += 9 {
			draw.Draw(img, image.Rect(x, y, x+5, y+h/25), image.NewUniform(color.RGBA{20, 25, 40, 255}), image.Point{}, draw.Src)
		}
	}
	return img
}

// SyntheticFace draws a face-like image: skin ellipse, eyes and mouth.
func SyntheticFace(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{90, 120, 150, 255}), image.Point{}, draw.Src)
	cx, cy, rx, ry := w/2, h/2, w/5, h/3
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
			if dx*dx+dy*dy <= 1 {
				img.Set(x, y, color.RGBA{225, 185, 160, 255})
			}
		}
	}
	for _, r := range []image.Rectangle{image.Rect(cx-rx/2-10, cy-ry/4, cx-rx/2+20, cy-ry/4+12), image.Rect(cx+rx/2-20, cy-ry/4, cx+rx/2+10, cy-ry/4+12),
		image.Rect(cx-rx/3, cy+ry/2, cx+rx/3, cy+ry/2+8)} {
		draw.Draw(img, r, image.NewUniform(color.RGBA{40, 30, 30, 255}), image.Point{}, draw.Src)
	}
	return img
}

// JPEG encodes img at quality 92.
func JPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}))
	return b.Bytes()
}
