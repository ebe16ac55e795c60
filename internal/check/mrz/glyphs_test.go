package mrz

import (
	"image"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// glyphFont is Debian's OCR-B (fonts-ocr-b); the test skips without it
// unless OPENKYC_REQUIRE_OCR is set.
func glyphFont(t testing.TB) *GlyphFont {
	kyctest.OCRB(t)
	gf, err := LoadGlyphFont(DefaultGlyphFont)
	require.NoError(t, err)
	return gf
}

func TestLoadGlyphFontErrors(t *testing.T) {
	t.Parallel()
	_, err := LoadGlyphFont(filepath.Join(t.TempDir(), "none.otf"))
	require.ErrorContains(t, err, "glyph font")
	_, err = LoadGlyphFont("glyphs.go") // not a font
	require.ErrorContains(t, err, "glyph font glyphs.go")
}

// renderLine draws text in OCR-B as a straightened line (caps capHeight
// high, centred where straighten centres them), after it was captured with
// caps charH px high: drawn at the capture's size with a blur, then scaled
// up as straighten scales it. It returns the line and its cells' centres.
func renderLine(t testing.TB, gf *GlyphFont, text string, charH, blur float64) (*image.Gray, []float64) {
	k := charH / capHeight
	pitch := 1.05 * capHeight * k // capture px
	w := int(float64(len(text)+2) * pitch)
	h := int(2 * 0.85 * charH)
	small := make([]float32, w*h)
	cw, ch := int(math.Ceil(pitch))+2, h
	for i, r := range text {
		g := gf.render(r, charH, cw, ch)
		x0 := pitch*float64(i+1) + pitch/2 - float64(cw)/2
		for y := 0; y < ch; y++ {
			for x := 0; x < cw; x++ {
				xx := int(math.Round(x0)) + x
				if xx >= 0 && xx < w {
					small[y*w+xx] = max(small[y*w+xx], g[y*cw+x])
				}
			}
		}
	}
	small = gaussBlur(small, w, h, blur)
	src := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range small {
		src.Pix[i] = uint8(235 - 200*v)
	}
	s := capHeight / charH
	out := image.NewGray(image.Rect(0, 0, int(float64(w)*s), int(float64(h)*s)))
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			out.Pix[y*out.Stride+x] = sampleCubic(src, float64(x)/s, float64(y)/s)
		}
	}
	xs := make([]float64, len(text))
	for i := range xs {
		xs[i] = (pitch*float64(i+1) + pitch/2) * s
	}
	return out, xs
}

// TestGlyphMatcherReadsSmallText reads lines of the characters tesseract
// confuses at 5–8 px (D/O, N/W, K/X, H/M, B/8, E/F) captured small and
// blurred.
func TestGlyphMatcherReadsSmallText(t *testing.T) {
	t.Parallel()
	gf := glyphFont(t)
	for _, tc := range []struct {
		text  string
		mask  string
		charH float64
		blur  float64
	}{
		{"DONWKXHMBEF<<PARAUDZINS", "", 7, 0.5},
		{"DONWKXHMBEF<<PARAUDZINS", "", 6, 0.7},
		{"OSPELTBECK<<MARISA<<<<<", "", 5.5, 0.6},
	} {
		line, xs := renderLine(t, gf, tc.text, tc.charH, tc.blur)
		got := gf.readLine(line, xs, tc.mask, tc.charH)
		require.Equal(t, tc.text, got.text, "%s at %.1f px", tc.text, tc.charH)
		require.Len(t, got.chars, len(tc.text))
	}
	// a position's class decides between look-alikes: O drawn where a
	// digit belongs reads 0, 0 drawn where a letter belongs reads O
	line, xs := renderLine(t, gf, "O08B<", 7, 0.5)
	require.Equal(t, "0O8B<", gf.readLine(line, xs, "nanax", 7).text)
}

func TestCellCentres(t *testing.T) {
	t.Parallel()
	xs := make([]float64, 30)
	for k := range xs {
		xs[k] = 40 + 36.5*float64(k)
	}
	bent := append([]float64(nil), xs...)
	bent[7] += 20 // one misplaced box
	full := hocrLine{text: "I<UTOD231458907<<<<<<<<<<<<<<<", chars: make([]float64, 30), xs: bent}
	short := hocrLine{text: "I<UTOD23145890", chars: make([]float64, 14), xs: xs[:14]}
	got := cellCentres([][]hocrLine{{short}, {full}}, 0, 30)
	require.Len(t, got, 30)
	for k := range got {
		require.InDelta(t, xs[k], got[k], 0.01)
	}
	require.Nil(t, cellCentres([][]hocrLine{{short}}, 0, 30), "no reading of the full width")
}

func TestGlyphVote(t *testing.T) {
	t.Parallel()
	tess := func(text string, conf float64) hocrLine {
		l := hocrLine{text: text}
		for range text {
			l.chars = append(l.chars, conf)
		}
		return l
	}
	glyph := func(text string, conf ...float64) hocrLine { return hocrLine{text: text, chars: conf} }
	for _, tc := range []struct {
		name  string
		reads []hocrLine
		g     hocrLine
		want  string
		conf  []float64
	}{
		{"all agree: tesseract's confidence", []hocrLine{tess("AN", 99), tess("AN", 97), tess("AN", 98)}, glyph("AN", 95, 40), "AN", []float64{98, 98}},
		{"the matcher and one reading beat two", []hocrLine{tess("AW", 99), tess("AW", 97), tess("AN", 90)}, glyph("AN", 90, 90), "AN", []float64{(99 + 97 + 90) / 3.0, 90 * 2.2 / 4.2}},
		{"two readings beat the matcher alone", []hocrLine{tess("AW", 99), tess("AW", 97), tess("AV", 90)}, glyph("AN", 90, 100), "AW", []float64{(99 + 97 + 90) / 3.0, 98 * 2 / 4.5}},
		{"an unsure dissent casts no doubt", []hocrLine{tess("AW", 99), tess("AW", 99), tess("AW", 99)}, glyph("AN", 99, 45), "AW", []float64{99, 99}},
		{"a sure dissent does", []hocrLine{tess("AW", 99), tess("AW", 99), tess("AW", 99)}, glyph("AN", 99, 100), "AW", []float64{99, 99 * 3 / 4.5}},
		{"readings of another length do not vote", []hocrLine{tess("AWW", 99), tess("AW", 99)}, glyph("AN", 100, 100), "AN", []float64{99, 100 * 1.5 / 2.5}},
	} {
		got, ok := glyphVote(tc.reads, tc.g)
		require.True(t, ok, tc.name)
		require.Equal(t, tc.want, got.text, tc.name)
		require.InDeltaSlice(t, tc.conf, got.chars, 0.01, tc.name)
	}
	_, ok := glyphVote([]hocrLine{tess("AWW", 99)}, glyph("AN", 99, 99))
	require.False(t, ok, "no reading of the matcher's length")
}

// BenchmarkGlyphLine is the glyph matcher's cost on one TD3 line of small
// text (every size and blur tried).
func BenchmarkGlyphLine(b *testing.B) {
	kyctest.OCRB(b)
	gf, err := LoadGlyphFont(DefaultGlyphFont)
	require.NoError(b, err)
	text := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	line, xs := renderLine(b, gf, text, 7, 0.6)
	gf.readLine(line, xs, "", 7) // templates cached, as in a running server
	b.ResetTimer()
	for b.Loop() {
		gf.readLine(line, xs, "", 7)
	}
}
