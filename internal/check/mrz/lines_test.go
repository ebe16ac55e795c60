package mrz

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"
)

// row makes a text line of n character boxes of height h from x at y,
// rising by slope per pixel; every third is a filler (shorter, lower).
func row(x, y, n, h int, slope float64) []comp {
	var cs []comp
	pitch := h * 7 / 10
	for i := 0; i < n; i++ {
		cx := x + i*pitch
		cy := y + int(slope*float64(i*pitch))
		c := comp{x0: cx, y0: cy, x1: cx + pitch*3/4, y1: cy + h, n: h * pitch / 2}
		if i%3 == 2 {
			c.y0 += h / 4
			c.y1 -= h / 4
		}
		cs = append(cs, c)
	}
	return cs
}

// splitChar breaks the i-th character of a row into its top and bottom
// halves; its neighbours are letters, the left one a pixel lower and the
// right one a pixel higher, so each half is the nearer to one side (as a
// JPEG-broken 3 was).
func splitChar(cs []comp, i int) []comp {
	c := cs[i]
	mid := (c.y0 + c.y1) / 2
	top, bottom := c, c
	top.y1, bottom.y0 = mid-1, mid+1
	top.n, bottom.n = c.n/2, c.n/2
	cs[i-1].y0, cs[i-1].y1 = c.y0+1, c.y1+1
	cs[i+1].y0, cs[i+1].y1 = c.y0-1, c.y1-1
	return append(append(cs[:i:i], bottom, top), cs[i+1:]...)
}

func TestFindZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		comps []comp
		width int
		lines int
		top   int // y of the zone's first line
	}{
		{"TD3", append(row(50, 500, 44, 20, 0), row(50, 535, 44, 20, 0)...), 44, 2, 500},
		{"TD1 tilted", append(append(row(40, 300, 30, 24, 0.05), row(38, 342, 30, 24, 0.05)...), row(36, 384, 30, 24, 0.05)...), 30, 3, 300},
		// a printed line above the MRZ, shorter and farther: not part of it
		{"TD3 under a printed line", append(append(row(50, 420, 28, 20, 0), row(50, 500, 44, 20, 0)...), row(50, 535, 44, 20, 0)...), 44, 2, 500},
		// a chain broken by a stamp: merged back
		{"TD2 broken", append(append(row(50, 200, 15, 20, 0), row(50+19*14, 200, 17, 20, 0)...), row(50, 235, 36, 20, 0)...), 36, 2, 200},
		// a character broken into a top and a bottom half: one ends the
		// first piece, the other starts the second, over it
		{"TD3 a character in two halves", append(splitChar(row(50, 200, 44, 20, 0), 16), row(50, 235, 44, 20, 0)...), 44, 2, 200},
		// an image cropped to the zone: characters a fifth of its height
		{"TD3 cropped", append(row(10, 20, 44, 25, 0), row(10, 70, 44, 25, 0)...), 44, 2, 20},
		// blur fused the first six and five characters of two lines into
		// blobs too wide for characters: the lines start late, the right
		// ends align
		{"TD1 first characters lost", append(append(row(40+6*16, 300, 24, 24, 0), row(40+5*16, 342, 25, 24, 0)...), row(40, 384, 30, 24, 0)...), 30, 3, 300},
		// a mark drawn round the zone touches the first line's start (two
		// blobs chained before it); the second line's first character is
		// too faint to be found
		{"TD3 marked and faint", append(append(row(20, 500, 2, 20, 0), row(50, 500, 44, 20, 0)...), row(50+14, 535, 43, 20, 0)...), 44, 2, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			imgH := 1000
			if tc.name == "TD3 cropped" {
				imgH = 125
			}
			zs := findZones(findLines(tc.comps, imgH))
			require.NotEmpty(t, zs)
			z := zs[0]
			require.Equal(t, tc.width, z.width)
			require.Len(t, z.lines, tc.lines)
			require.InDelta(t, tc.top, z.lines[0].comps[0].y0, 8)
		})
	}
	// paragraph text of uneven lines is no MRZ
	var para []comp
	for i, n := range []int{12, 19, 9, 22} {
		para = append(para, row(60, 100+i*40, n, 18, 0)...)
	}
	require.Empty(t, findZones(findLines(para, 1000)))
}

func TestVote(t *testing.T) {
	t.Parallel()
	v, ok := vote([]hocrLine{
		{text: "AB1", chars: []float64{90, 90, 90}},
		{text: "AB7", chars: []float64{90, 90, 60}},
		{text: "A81", chars: []float64{90, 50, 90}},
	})
	require.True(t, ok)
	require.Equal(t, "AB1", v.text)
	require.InDelta(t, 60, v.chars[1], 0.01) // two of three agree: confidence shrinks
	require.InDelta(t, 90, v.chars[0], 0.01)
	_, ok = vote([]hocrLine{{text: "AB", chars: []float64{1, 1}}, {text: "ABC", chars: []float64{1, 1, 1}}})
	require.False(t, ok)
}

// TestRepairInserted: a line read with one character too many inside it
// (a speck read as a character) is fitted by deleting the character whose
// removal makes the check digits hold, and the deletion is counted.
func TestRepairInserted(t *testing.T) {
	t.Parallel()
	want := []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
	read := []string{want[0], "74081227F1204159UTO<<<<<<<<<<<6", want[2]}
	f := repair(read)
	require.Equal(t, want, f.lines)
	require.Equal(t, 1, f.dropped)
	require.Equal(t, 8, f.src[1][7]) // the 'F' came from position 8 of what was read
}

// TestLuma: the fast paths give the colour model's grey (within rounding;
// NRGBA is read unpremultiplied, as an opaque image is).
func TestLuma(t *testing.T) {
	t.Parallel()
	rect := image.Rect(3, 5, 9, 8)
	rgba, nrgba, gray := image.NewRGBA(rect), image.NewNRGBA(rect), image.NewGray(rect)
	ycc := image.NewYCbCr(rect, image.YCbCrSubsampleRatio444)
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			c := color.RGBA{uint8(x * 40), uint8(y * 30), uint8(x * y), 255}
			rgba.Set(x, y, c)
			nrgba.Set(x, y, c)
			gray.Set(x, y, c)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yy, cb, cr
		}
	}
	for _, img := range []image.Image{rgba, nrgba, gray, ycc} {
		lum := luma(img)
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				want := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
				require.InDelta(t, want, lum(x, y), 2, "%T at %d,%d", img, x, y)
			}
		}
	}
}

func TestAgreed(t *testing.T) {
	t.Parallel()
	got := agreed([]hocrLine{
		{text: "SOPHI", chars: []float64{99, 99, 99, 97, 99}},
		{text: "SOPWI", chars: []float64{99, 99, 99, 98, 99}},
		{text: "SOPHI", chars: []float64{99, 99, 99, 96, 99}},
		{text: "SOPH", chars: []float64{99, 99, 99, 99}},
	})
	require.InDelta(t, 99, got[0].chars[0], 0.01) // three peers agree
	require.InDelta(t, (97+96)/3.0, got[0].chars[3], 0.01)
	require.InDelta(t, 98/3.0, got[1].chars[3], 0.01) // the W stands alone
	require.Equal(t, "SOPWI", got[1].text)
	require.InDelta(t, 99/4.0, got[3].chars[0], 0.01) // no peer: uncorroborated
	one := []hocrLine{{text: "AB", chars: []float64{90, 91}}}
	require.Equal(t, one, agreed(one))
}

// TestRepairByCheckDigit: a document number is repaired to satisfy its
// check digit only when every check digit of the zone then holds; where
// another digit fails (a specimen printed with wrong check digits, or a
// second misreading), the characters stay as read.
func TestRepairByCheckDigit(t *testing.T) {
	t.Parallel()
	line1 := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	tests := []struct {
		name, read, want string
		changed          int
		ambiguous        bool
	}{
		{"confirmed by the composite", "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10", "L898902C36UTO7408122F1204159ZE184226B<<<<<10", 1, false},
		{"birth check digit fails", "L8989D2C36UTO7408123F1204159ZE184226B<<<<<10", "L8989D2C36UTO7408123F1204159ZE184226B<<<<<10", 0, false},
		{"composite fails", "L8989D2C36UTO7408122F1204159ZE184226B<<<<<11", "L8989D2C36UTO7408122F1204159ZE184226B<<<<<11", 0, false},
		// An O among digits is a zero whatever the check digits say; one
		// next to a letter stays as read.
		{"O among digits", "L8989O2C36UTO7408123F1204159ZE184226B<<<<<10", "L898902C36UTO7408123F1204159ZE184226B<<<<<10", 1, false},
		{"O next to a letter", "L898902CO6UTO7408122F1204159ZE184226B<<<<<10", "L898902CO6UTO7408122F1204159ZE184226B<<<<<10", 0, false},
		// Letters and zeros hold every check digit alike: zeros, in doubt.
		{"O or 0 alike", "O00O0O00<0UTO7408122F1204159<<<<<<<<<<<<<<00", "00000000<0UTO7408122F1204159<<<<<<<<<<<<<<00", 3, true},
		{"O breaks a check digit that held", "L8989O2C30UTO7408122F1204159ZE184226B<<<<<10", "L8989O2C30UTO7408122F1204159ZE184226B<<<<<10", 0, false},
		// Two O read for 0 in a number of digits: one change (a 0 turned
		// into O) would also satisfy the check digit, but in a number of
		// digits no digit is turned into a letter.
		{"letters among digits", "30400OO0<5UTO7408122F1204159<<<<<<<<<<<<<<00", "30400000<5UTO7408122F1204159<<<<<<<<<<<<<<00", 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := repair([]string{line1, tt.read})
			require.Equal(t, []string{line1, tt.want}, f.lines)
			require.Equal(t, tt.changed, f.changed)
			require.Equal(t, tt.ambiguous, f.ambiguous)
		})
	}
}
