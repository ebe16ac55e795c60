package mrz

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestDeskew: a document photographed a few degrees off level is turned
// back to within a degree; a level one is left as it is.
func TestDeskew(t *testing.T) {
	t.Parallel()
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	doc := kyctest.SyntheticDocument(t, lines, 1200)
	require.Zero(t, skewAngle(toGray(doc, 1600)), "level: left alone")
	for _, deg := range []float64{-7, -4, -2, 2, 3.5, 6} {
		g := toGray(kyctest.Rotate(doc, deg), 1600)
		a := skewAngle(g)
		require.NotZero(t, a, "%.1f°", deg)
		require.Less(t, math.Abs(skewAngle(rotateGray(g, a))), 1.0, "%.1f° turned back by %.1f°", deg, a)
	}
}

// TestInkGrey: black ink stays black and paper white, in every colour
// model; a red annotation and a tinted background lighten towards the paper
// (luma alone makes pure red darker than mid-grey).
func TestInkGrey(t *testing.T) {
	t.Parallel()
	colours := []color.RGBA{{0, 0, 0, 255}, {255, 255, 255, 255}, {230, 0, 0, 255}, {170, 200, 230, 255}}
	rgba := image.NewRGBA(image.Rect(0, 0, len(colours)*16, 16))
	for i, c := range colours {
		draw.Draw(rgba, image.Rect(i*16, 0, i*16+16, 16), image.NewUniform(c), image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 95}))
	ycc, err := jpeg.Decode(&buf)
	require.NoError(t, err)
	for _, img := range []image.Image{rgba, ycc, image.NewPaletted(rgba.Bounds(), nil)} {
		if p, ok := img.(*image.Paletted); ok {
			p.Palette = color.Palette{colours[0], colours[1], colours[2], colours[3]}
			for i := range colours {
				draw.Draw(p, image.Rect(i*16, 0, i*16+16, 16), image.NewUniform(colours[i]), image.Point{}, draw.Src)
			}
		}
		grey, lum := inkGrey(img), luma(img)
		at := func(f func(x, y int) uint8, i int) int { return int(f(i*16+8, 8)) }
		require.InDelta(t, 0, at(grey, 0), 3, "%T: black", img)
		require.InDelta(t, 255, at(grey, 1), 3, "%T: white", img)
		require.Greater(t, at(grey, 2), at(lum, 2)+60, "%T: red lightens", img)
		require.Greater(t, at(grey, 3), at(lum, 3)+10, "%T: a tinted background lightens", img)
	}
}

// TestFlatten: paper darkening from 240 to 60 across a line (a card's
// edge, a shadow) comes out (near) white everywhere, and ink stays dark against
// it, so one Otsu threshold separates them along the whole line.
func TestFlatten(t *testing.T) {
	t.Parallel()
	w, h := 600, 2*capHeight
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			paper := 240 - 180*float64(x)/float64(w)
			v := paper
			if x%40 >= 10 && x%40 < 16 && y > h/4 && y < 3*h/4 { // a stroke every 40 px
				v = paper * 0.3
			}
			g.Pix[y*g.Stride+x] = uint8(v)
		}
	}
	require.Less(t, g.Pix[h/2*g.Stride+w-5], g.Pix[h/2*g.Stride+12], "before: the paper on the right is darker than the ink on the left, so no global threshold separates them")
	f := flatten(g)
	for _, x := range []int{5, w / 2, w - 5} {
		require.GreaterOrEqual(t, int(f.Pix[h/2*f.Stride+x]), 215, "paper at x=%d", x)
	}
	for _, x := range []int{12, 292, w - 28} {
		require.Less(t, int(f.Pix[h/2*f.Stride+x]), 100, "ink at x=%d", x)
	}
	b := otsu(f)
	require.Equal(t, uint8(255), b.Pix[h/2*b.Stride+w-5])
	require.Equal(t, uint8(0), b.Pix[h/2*b.Stride+w-28])
}

// TestMaxFilter: the running-maximum filter equals the direct maximum over
// the clipped window, along rows and columns, for windows smaller and larger
// than the image.
func BenchmarkWorkingCopy(b *testing.B) {
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	doc := kyctest.SyntheticDocument(b, lines, 1200)
	b.Run("ink", func(b *testing.B) {
		for b.Loop() {
			toGray(doc, workWidth)
		}
	})
	b.Run("flatten-line", func(b *testing.B) {
		g := image.NewGray(image.Rect(0, 0, 1700, 2*capHeight*85/100))
		for b.Loop() {
			flatten(g)
		}
	})
}
