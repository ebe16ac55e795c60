package kyctest

import (
	"bytes"
	"encoding/binary"
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

// WithOrientation inserts an EXIF APP1 segment holding orientation o, in
// the byte order bo, right after a JPEG's start-of-image marker, as phones
// write it (a portrait photo stored as landscape pixels carries 6).
func WithOrientation(jpg []byte, o uint16, bo binary.ByteOrder) []byte {
	tiff := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(tiff, "II*\x00")
	} else {
		copy(tiff, "MM\x00*")
	}
	bo.PutUint32(tiff[4:], 8)       // IFD0 right after the header
	bo.PutUint16(tiff[8:], 1)       // one entry
	bo.PutUint16(tiff[10:], 0x0112) // Orientation
	bo.PutUint16(tiff[12:], 3)      // SHORT
	bo.PutUint32(tiff[14:], 1)      // one value
	bo.PutUint16(tiff[18:], o)      // held in the value field
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(payload)))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// TurnCCW is img turned a quarter counter-clockwise: the pixels a camera
// stores for a picture it marks with EXIF orientation 6.
func TurnCCW(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(y, b.Dx()-1-x, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}
