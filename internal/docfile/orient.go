package docfile

import (
	"encoding/binary"
	"image"
	"image/color"
)

// Orientation is a JPEG's EXIF orientation (tag 0x0112): how the stored
// pixels turn into the picture as the camera held it. 1 is as stored;
// 2–8 are the flips and quarter turns of the EXIF standard. Phones store a
// portrait photo as landscape pixels with orientation 6 or 8.
type Orientation int

// Swaps says the upright picture's width is the stored height.
func (o Orientation) Swaps() bool { return o >= 5 && o <= 8 }

// jpegOrientation reads the EXIF orientation from the start of a JPEG
// (head: its first bytes, where the APP1 segment is); 1 when it has none
// or it cannot be read.
func jpegOrientation(head []byte) Orientation {
	if len(head) < 4 || head[0] != 0xFF || head[1] != 0xD8 {
		return 1
	}
	p := 2
	for p+4 <= len(head) {
		if head[p] != 0xFF {
			return 1
		}
		marker := head[p+1]
		if marker == 0xFF { // fill byte
			p++
			continue
		}
		if marker == 0xD9 || marker == 0xDA { // end of image, start of scan: no metadata after
			return 1
		}
		n := int(binary.BigEndian.Uint16(head[p+2:]))
		if n < 2 {
			return 1
		}
		// An EXIF segment may run past the bytes at hand (up to 64 KB of
		// thumbnails and maker notes); IFD0 sits at its start, so what is
		// here is read.
		seg := head[p+4 : min(p+2+n, len(head))]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		if p+2+n > len(head) {
			return 1
		}
		p += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of IFD0 of a TIFF structure (an EXIF
// APP1 payload).
func tiffOrientation(t []byte) Orientation {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd64 := int64(bo.Uint32(t[4:]))
	if ifd64 < 8 || ifd64 > int64(len(t)-2) {
		return 1
	}
	ifd := int(ifd64)
	n := int(bo.Uint16(t[ifd:]))
	for i := 0; i < n; i++ {
		e := ifd + 2 + 12*i
		if e > len(t)-12 {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if typ, count := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:]); typ != 3 || count != 1 { // one SHORT
			return 1
		}
		if o := Orientation(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}

// Upright turns an image stored under orientation o into the picture as
// the camera held it. A grey image stays grey; any other comes out RGBA.
// Orientation 1 returns img itself.
func Upright(img image.Image, o Orientation) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o.Swaps() {
		dw, dh = h, w
	}
	// src maps a pixel of the upright picture to the stored one.
	src := func(x, y int) (int, int) {
		switch o {
		case 2:
			return w - 1 - x, y
		case 3:
			return w - 1 - x, h - 1 - y
		case 4:
			return x, h - 1 - y
		case 5:
			return y, x
		case 6:
			return y, h - 1 - x
		case 7:
			return w - 1 - y, h - 1 - x
		default: // 8
			return w - 1 - y, x
		}
	}
	if g, ok := img.(*image.Gray); ok {
		out := image.NewGray(image.Rect(0, 0, dw, dh))
		for y := 0; y < dh; y++ {
			row := out.Pix[y*out.Stride:]
			for x := 0; x < dw; x++ {
				sx, sy := src(x, y)
				row[x] = g.Pix[g.PixOffset(b.Min.X+sx, b.Min.Y+sy)]
			}
		}
		return out
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	pixel := rgbaOf(img)
	for y := 0; y < dh; y++ {
		row := out.Pix[y*out.Stride:]
		for x := 0; x < dw; x++ {
			sx, sy := src(x, y)
			c := pixel(b.Min.X+sx, b.Min.Y+sy)
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c.R, c.G, c.B, c.A
		}
	}
	return out
}

// rgbaOf reads pixels as 8-bit RGBA, directly for the YCbCr images JPEG
// decodes to.
func rgbaOf(img image.Image) func(x, y int) color.RGBA {
	if yc, ok := img.(*image.YCbCr); ok {
		return func(x, y int) color.RGBA {
			r, g, b := color.YCbCrToRGB(yc.Y[yc.YOffset(x, y)], yc.Cb[yc.COffset(x, y)], yc.Cr[yc.COffset(x, y)])
			return color.RGBA{r, g, b, 255}
		}
	}
	return func(x, y int) color.RGBA {
		return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
	}
}
