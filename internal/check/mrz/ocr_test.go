package mrz_test

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// reader is the OCR reader of the tests: tesseract and the installed OCR-B
// model (scripts/install-assets.sh). Without them the tests skip unless
// OPENKYC_REQUIRE_OCR is set (as .ci/run does).
func reader(t testing.TB) mrz.Reader {
	dir := os.Getenv("OPENKYC_ASSETS_DIR")
	if dir == "" {
		dir = "../../../assets"
	}
	// a generous deadline: the tests run in parallel under the race
	// detector, and they test what is read, not how fast
	r := mrz.Reader{TessdataDir: filepath.Join(dir, "tessdata"), Timeout: 2 * time.Minute}
	if err := r.Available(); err != nil {
		if os.Getenv("OPENKYC_REQUIRE_OCR") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	kyctest.OCRB(t) // skips without fonts-ocr-b (fails under OPENKYC_REQUIRE_OCR)
	gf, err := mrz.LoadGlyphFont(mrz.DefaultGlyphFont)
	require.NoError(t, err)
	r.Glyphs = gf
	return r
}

func TestReadSpecimen(t *testing.T) {
	t.Parallel()
	r := reader(t)
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	for _, tc := range []struct {
		name     string
		severity float64
	}{{"clean", 0}, {"degraded", 0.6}} {
		img := kyctest.Degrade(kyctest.SyntheticDocument(t, lines, 1200), tc.severity, 7)
		f, _ := os.Create(filepath.Join(kyctest.Artifacts(t), "mrz-"+tc.name+".png"))
		_ = png.Encode(f, img)
		f.Close()
		rd, err := r.Read(context.Background(), img)
		require.NoError(t, err, tc.name)
		require.Equal(t, lines, rd.Lines, "%s: raw %q", tc.name, rd.Raw)
		require.Empty(t, rd.ParseError)
		require.True(t, rd.Document.Valid())
		require.Len(t, rd.Confidence, 2)
	}
}

// TestReadCroppedStrip: an image cropped to the MRZ itself (characters a
// fifth of its height and more) is read like a whole document.
func TestReadCroppedStrip(t *testing.T) {
	t.Parallel()
	r := reader(t)
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	doc := kyctest.SyntheticDocument(t, lines, 1200)
	b := doc.Bounds()
	// at 1200 px the lines are 50 px apart and end 25 px above the foot
	strip := doc.SubImage(image.Rect(0, b.Max.Y-112, b.Dx(), b.Max.Y-12))
	rd, err := r.Read(context.Background(), strip)
	require.NoError(t, err)
	require.Equal(t, lines, rd.Lines, "raw %q", rd.Raw)
	require.Greater(t, rd.CharHeight*5, float64(strip.Bounds().Dy()), "characters over a fifth of the strip's height")
}
