package document_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// withEXIF inserts an APP1 EXIF segment (IFD0: Make, Software, DateTime;
// Exif IFD: DateTimeOriginal) after the JPEG's SOI.
func withEXIF(jpg []byte, make_, software, modified, original string) []byte {
	type entry struct {
		tag uint16
		val string
	}
	le := binary.LittleEndian
	var tiff bytes.Buffer
	tiff.Write([]byte("II*\x00"))
	_ = binary.Write(&tiff, le, uint32(8))
	ifd0 := []entry{{0x010f, make_}, {0x0131, software}, {0x0132, modified}}
	// layout: IFD0 at 8, Exif IFD after it, strings after both
	ifd0Size := 2 + 12*(len(ifd0)+1) + 4
	exifAt := 8 + ifd0Size
	exifSize := 2 + 12 + 4
	dataAt := exifAt + exifSize
	var data bytes.Buffer
	put := func(es []entry, extra func()) {
		_ = binary.Write(&tiff, le, uint16(len(es)+boolInt(extra != nil)))
		for _, e := range es {
			s := e.val + "\x00"
			_ = binary.Write(&tiff, le, e.tag)
			_ = binary.Write(&tiff, le, uint16(2)) // ASCII
			_ = binary.Write(&tiff, le, uint32(len(s)))
			_ = binary.Write(&tiff, le, uint32(dataAt+data.Len()))
			data.WriteString(s)
		}
		if extra != nil {
			extra()
		}
		_ = binary.Write(&tiff, le, uint32(0))
	}
	put(ifd0, func() { // ExifIFD pointer
		_ = binary.Write(&tiff, le, uint16(0x8769))
		_ = binary.Write(&tiff, le, uint16(4))
		_ = binary.Write(&tiff, le, uint32(1))
		_ = binary.Write(&tiff, le, uint32(exifAt))
	})
	put([]entry{{0x9003, original}}, nil)
	tiff.Write(data.Bytes())
	app1 := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, app1...)
	return append(out, jpg[2:]...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func kinds(h []document.Hint) map[string]bool {
	m := map[string]bool{}
	for _, x := range h {
		m[x.Kind] = x.Strong
	}
	return m
}

func TestInspect(t *testing.T) {
	t.Parallel()
	base := kyctest.JPEG(t, kyctest.SyntheticCard(640, 400))

	hints, ela := document.Inspect(base)
	require.Equal(t, map[string]bool{"no_camera_metadata": false}, kinds(hints), "a photo without EXIF: a weak hint only")
	require.Contains(t, ela, "max_block_ratio")

	camera := withEXIF(base, "Apple", "17.1", "2026:11:20 10:00:00", "2026:11:20 10:00:00")
	hints, _ = document.Inspect(camera)
	require.Empty(t, hints, "a camera photo, unmodified: %v", hints)

	edited := withEXIF(base, "Apple", "Adobe Photoshop 25.0 (Macintosh)", "2026:11:21 18:30:00", "2026:11:20 10:00:00")
	hints, _ = document.Inspect(edited)
	require.Equal(t, map[string]bool{"editing_software": true, "modified_after_capture": true}, kinds(hints))
}

// env serves documents from memory.
type env struct{ files map[string][]byte }

func (e env) OpenDocument(_ context.Context, d kyc.Document) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(e.files[d.ID])), nil
}
func (e env) DecodeImage(ctx context.Context, d kyc.Document, copies int) (image.Image, func(), error) {
	return check.DecodeWith(ctx, testDecoder, e.OpenDocument, d, copies)
}

// testDecoder decodes within a small budget, as the service does.
var testDecoder = docfile.NewDecoder(docfile.NewBudget(64<<20), docfile.Limits{}, time.Second)

func (env) ApplicantsWithHash(context.Context, string, string, string, string) ([]string, error) {
	return nil, nil
}
func (env) ScreeningDismissals(context.Context, string, string) (map[string]string, error) {
	return nil, nil
}
func (env) Blocklisted(context.Context, string, string, string) (bool, error) { return false, nil }
func (env) Seal(p []byte, _ string) (string, error)                           { return string(p), nil }
func (env) NearestFace(context.Context, string, string, []float32) (check.FaceHit, error) {
	return check.FaceHit{Score: -1}, nil
}
func (env) PutFaceEmbedding(context.Context, kyc.Document, []float32) error { return nil }
func (env) DocumentChoice(context.Context, string, string) (string, string, error) {
	return "", "", nil
}
func (env) LivenessChallenge(context.Context, string, string) ([]string, time.Time, bool, error) {
	return nil, time.Time{}, false, nil
}

func TestChecks(t *testing.T) {
	t.Parallel()
	good := kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760))
	edited := withEXIF(good, "Apple", "GIMP 2.10", "2026:11:21 18:30:00", "2026:11:21 18:30:00")
	tiny := kyctest.JPEG(t, kyctest.SyntheticCard(300, 190))
	subject := func(front []byte) *check.Subject {
		return &check.Subject{Documents: []kyc.Document{{ID: "doc_1", Kind: kyc.DocIDFront, ContentType: "image/jpeg"}},
			Env: env{files: map[string][]byte{"doc_1": front}}}
	}
	r := document.Quality{}.Run(context.Background(), subject(good))
	require.Equal(t, kyc.CheckPassed, r.Status, "%v", r.Evidence)
	r = document.Quality{}.Run(context.Background(), subject(tiny))
	require.Equal(t, kyc.CheckFailed, r.Status)
	require.Equal(t, kyc.ReasonDocumentQuality, r.ReasonCode)

	r = document.TamperHints{}.Run(context.Background(), subject(good))
	require.Equal(t, kyc.CheckPassed, r.Status, "no EXIF is a weak hint only")
	r = document.TamperHints{}.Run(context.Background(), subject(edited))
	require.Equal(t, kyc.CheckReview, r.Status, "an editor's tag asks for a reviewer, never rejects")
	require.Equal(t, kyc.ReasonTamperHints, r.ReasonCode)

	r = document.Quality{}.Run(context.Background(), &check.Subject{})
	require.Equal(t, kyc.CheckNotRun, r.Status)
}

// TestELAMap: a patch pasted into a photo saved many times glows in the
// heat map; a PNG has none.
func TestELAMap(t *testing.T) {
	t.Parallel()
	img := kyctest.SyntheticCard(640, 400).(*image.RGBA)
	for range 4 { // saved again and again, as photos travel
		var b bytes.Buffer
		require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}))
		dec, err := jpeg.Decode(&b)
		require.NoError(t, err)
		draw.Draw(img, img.Bounds(), dec, image.Point{}, draw.Src)
	}
	patch := image.Rect(400, 240, 560, 360)
	r := rand.New(rand.NewPCG(1, 2))
	for y := patch.Min.Y; y < patch.Max.Y; y++ {
		for x := patch.Min.X; x < patch.Max.X; x++ {
			v := uint8(r.IntN(256))
			img.SetRGBA(x, y, color.RGBA{v, v / 2, 255 - v, 255})
		}
	}
	saved, err := jpeg.Decode(bytes.NewReader(kyctest.JPEG(t, img)))
	require.NoError(t, err)
	m, err := document.ELAMap(saved, 320)
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 320, 200), m.Bounds(), "at most 320 pixels a side")
	mean := func(rc image.Rectangle) float64 {
		var s float64
		for y := rc.Min.Y; y < rc.Max.Y; y++ {
			for x := rc.Min.X; x < rc.Max.X; x++ {
				c := m.At(x, y).(color.RGBA)
				s += float64(c.R) + float64(c.G) + float64(c.B)
			}
		}
		return s / float64(rc.Dx()*rc.Dy())
	}
	in, out := mean(image.Rect(205, 125, 275, 175)), mean(image.Rect(10, 10, 150, 100))
	require.Greater(t, in, 2*out, "the pasted patch stands out: %.1f vs %.1f", in, out)
}
