package mrz_test

import (
	"context"
	"image"
	"image/draw"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestReadTurned reads documents photographed tilted far past the deskew
// range, sideways and upside down: the line finder turns them by the
// direction their characters run in, a quarter turn, or half a turn.
func TestReadTurned(t *testing.T) {
	t.Parallel()
	r := reader(t)
	lines := []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
	doc := kyctest.SyntheticDocument(t, lines, 1000)
	for _, tc := range []struct {
		name string
		img  image.Image
		turn float64 // what the reader turns it by, counter-clockwise
	}{
		{"level", doc, 0},
		{"tilted 25°", kyctest.Rotate(doc, 25), -25},
		{"tilted -35°", kyctest.Rotate(doc, -35), 35},
		{"a quarter turn clockwise", kyctest.Rotate(doc, -90), 90},
		{"a quarter turn counter-clockwise", kyctest.Rotate(doc, 90), -90},
		{"upside down", kyctest.Rotate(doc, 180), 180},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rd, err := r.Read(context.Background(), tc.img)
			require.NoError(t, err)
			require.Equal(t, lines, rd.Lines, "raw %q", rd.Raw)
			require.InDelta(t, tc.turn, rd.Skew, 2)
			require.True(t, rd.Document.Valid())
		})
	}
}

// TestReadDebug checks the debug output names what an operator needs: the
// located lines, the images given to OCR and the readings of each pass.
func TestReadDebug(t *testing.T) {
	t.Parallel()
	r := reader(t)
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	d := &memDebug{files: map[string]string{}}
	r.Debug = d
	rd, err := r.Read(context.Background(), kyctest.SyntheticDocument(t, lines, 1200))
	require.NoError(t, err)
	require.Equal(t, lines, rd.Lines)
	require.Contains(t, d.files, "level-lines.png")
	require.Contains(t, d.files, "level-ocr-input-0.png")
	require.Contains(t, d.files["level-readings.txt"], "line 1 grey")
	require.Contains(t, d.files["level-readings.txt"], "chosen")
}

// TestReadNoMRZ: an image with text but no MRZ, a blank one and a tiny one
// say no MRZ was found; none panics.
func TestReadNoMRZ(t *testing.T) {
	t.Parallel()
	r := reader(t)
	blank := image.NewGray(image.Rect(0, 0, 800, 500))
	for i := range blank.Pix {
		blank.Pix[i] = 230
	}
	for name, img := range map[string]image.Image{
		"blank": blank,
		"1x1":   image.NewGray(image.Rect(0, 0, 1, 1)),
		"face":  kyctest.SyntheticFace(600, 800),
	} {
		_, err := r.Read(context.Background(), img)
		require.Error(t, err, name)
		require.True(t, strings.Contains(err.Error(), "no machine readable zone") || strings.Contains(err.Error(), "could not be read"), "%s: %v", name, err)
	}
}

type memDebug struct {
	mu    sync.Mutex
	files map[string]string
}

func (m *memDebug) Image(name string, img image.Image) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = img.Bounds().String()
}

func (m *memDebug) Text(name, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = text
}

// TestReadSmallText reads a document photographed from afar (letters 6–8
// px high), where the names — no check digit covers them — rest on
// tesseract's three readings and the glyph matcher's.
func TestReadSmallText(t *testing.T) {
	t.Parallel()
	r := reader(t)
	lines := []string{"P<UTOHEMINGWAY<<DONOVAN<KAX<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	for _, width := range []int{420, 460} {
		rd, err := r.Read(context.Background(), kyctest.Degrade(kyctest.SyntheticDocument(t, lines, width), 0.3, uint64(width)))
		require.NoError(t, err)
		require.Equal(t, lines, rd.Lines, "width %d: raw %q", width, rd.Raw)
		require.Less(t, rd.CharHeight, 12.0)
	}
}

// TestReadSeveralDocuments: two passports photographed together give one
// reading, in doubt (several_documents): which one is the applicant's is not
// for the reader to guess.
func TestReadSeveralDocuments(t *testing.T) {
	t.Parallel()
	r := reader(t)
	a := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	b := []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
	da, db := kyctest.SyntheticDocument(t, a, 1000), kyctest.SyntheticDocument(t, b, 1000)
	both := image.NewRGBA(image.Rect(0, 0, 1000, da.Rect.Dy()+db.Rect.Dy()+40))
	draw.Draw(both, both.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(both, da.Rect, da, image.Point{}, draw.Src)
	draw.Draw(both, db.Rect.Add(image.Pt(0, da.Rect.Dy()+40)), db, image.Point{}, draw.Src)
	rd, err := r.Read(context.Background(), both)
	require.NoError(t, err)
	require.Equal(t, 1, rd.OtherMRZs, "lines %q", rd.Lines)
	require.Contains(t, mrz.Assess(rd, time.Time{}).Doubts, mrz.DoubtSeveral)

	one, err := r.Read(context.Background(), da)
	require.NoError(t, err)
	require.Zero(t, one.OtherMRZs)
}

// TestReadSpans: a reading inside a traced job records its engine's steps:
// the read, each locating pass and each OCR call, as children.
func TestReadSpans(t *testing.T) {
	t.Parallel()
	r := reader(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, root := tp.Tracer("test").Start(context.Background(), "check document.mrz")
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	_, err := r.Read(ctx, kyctest.SyntheticDocument(t, lines, 1200))
	require.NoError(t, err)
	root.End()
	names := map[string]int{}
	var read sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		names[s.Name()]++
		if s.Name() == "mrz.read" {
			read = s
		}
	}
	require.NotNil(t, read)
	require.Equal(t, root.SpanContext().SpanID(), read.Parent().SpanID())
	require.Positive(t, names["mrz.locate"])
	require.Positive(t, names["ocr.tesseract"])
	for _, s := range rec.Ended() {
		if s.Name() == "mrz.locate" || s.Name() == "ocr.tesseract" {
			require.Equal(t, read.SpanContext().TraceID(), s.SpanContext().TraceID())
		}
	}
}
