package docfile_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// markedJPEG is a 40×20 grey picture with a blue 10×10 block in its top
// left corner.
func markedJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := color.RGBA{128, 128, 128, 255}
			if x < 10 && y < 10 {
				c = color.RGBA{0, 0, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}))
	return b.Bytes()
}

// TestDecodeAppliesOrientation: a JPEG's EXIF orientation is applied on
// decoding, so every engine and viewer sees the picture as the camera held
// it (a phone's portrait photo is stored as landscape pixels with
// orientation 6); the reported size is the upright picture's, and the
// upright copy is in the decode's memory estimate.
func TestDecodeAppliesOrientation(t *testing.T) {
	t.Parallel()
	plain := markedJPEG(t)
	// Where the blue block lands, and the upright size.
	tests := []struct {
		o      uint16
		corner string // t/b, l/r
		w, h   int
	}{
		{1, "tl", 40, 20}, {2, "tr", 40, 20}, {3, "br", 40, 20}, {4, "bl", 40, 20},
		{5, "tl", 20, 40}, {6, "tr", 20, 40}, {7, "br", 20, 40}, {8, "bl", 20, 40},
		{9, "tl", 40, 20}, {0, "tl", 40, 20}, // out of range: as stored
	}
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, tc := range tests {
			file := kyctest.WithOrientation(plain, tc.o, bo)
			d := docfile.NewDecoder(nil, docfile.Limits{MaxPixels: 1 << 20}, time.Second)
			var got image.Image
			im, err := d.Decode(t.Context(), opener(file), 1, func(img image.Image, _ docfile.Image) error {
				got = img
				return nil
			})
			require.NoError(t, err, "orientation %d", tc.o)
			require.Equal(t, [2]int{tc.w, tc.h}, [2]int{im.Width, im.Height}, "orientation %d", tc.o)
			require.Equal(t, image.Rect(0, 0, tc.w, tc.h), got.Bounds(), "orientation %d", tc.o)
			x, y := 4, 4
			if tc.corner[1] == 'r' {
				x = tc.w - 5
			}
			if tc.corner[0] == 'b' {
				y = tc.h - 5
			}
			r, _, b, _ := got.At(x, y).RGBA()
			require.Greater(t, b>>8, uint32(200), "orientation %d: blue at %d,%d", tc.o, x, y)
			require.Less(t, r>>8, uint32(60), "orientation %d", tc.o)
			r, _, b, _ = got.At(tc.w-1-x, tc.h-1-y).RGBA()
			require.InDelta(t, 128, float64(r>>8), 20, "orientation %d: grey opposite", tc.o)
			require.InDelta(t, 128, float64(b>>8), 20, "orientation %d", tc.o)
		}
	}

	plainIm, err := docfile.NewDecoder(nil, docfile.Limits{}, time.Second).Inspect(opener(plain))
	require.NoError(t, err)
	turned, err := docfile.NewDecoder(nil, docfile.Limits{}, time.Second).Inspect(opener(kyctest.WithOrientation(plain, 6, binary.LittleEndian)))
	require.NoError(t, err)
	require.Equal(t, docfile.Orientation(6), turned.Orientation)
	require.Equal(t, plainIm.DecodedBytes, turned.DecodedBytes, "the per-image cap sees the decode alone")
	require.Equal(t, int64(40*20*4), turned.UprightBytes, "the upright copy is taken from the budget")
}

// TestUprightGrey: a grey image stays grey when turned.
func TestUprightGrey(t *testing.T) {
	t.Parallel()
	g := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(g.Pix, []byte{1, 2, 3, 4, 5, 6})
	out, ok := docfile.Upright(g, 6).(*image.Gray)
	require.True(t, ok)
	require.Equal(t, image.Rect(0, 0, 2, 3), out.Bounds())
	require.Equal(t, []byte{4, 1, 5, 2, 6, 3}, out.Pix, "turned a quarter clockwise")
	require.Same(t, g, docfile.Upright(g, 1))
}

// TestOrientationInLargeEXIF: an EXIF segment longer than the header bytes
// inspected (a phone's thumbnail and maker notes fill it towards 64 KB)
// still gives its orientation: IFD0 sits at its start.
func TestOrientationInLargeEXIF(t *testing.T) {
	t.Parallel()
	file := kyctest.WithOrientation(markedJPEG(t), 6, binary.LittleEndian)
	n := int(binary.BigEndian.Uint16(file[4:6]))
	pad := make([]byte, 65000)
	big := append([]byte{}, file[:4+n]...) // SOI, marker, then the segment's length and payload (n bytes)
	big = append(big, pad...)
	big = append(big, file[4+n:]...)
	binary.BigEndian.PutUint16(big[4:6], uint16(n+len(pad)))
	im, err := docfile.NewDecoder(nil, docfile.Limits{}, time.Second).Inspect(opener(big))
	require.NoError(t, err)
	require.Equal(t, docfile.Orientation(6), im.Orientation)
	require.Equal(t, [2]int{20, 40}, [2]int{im.Width, im.Height})
}
