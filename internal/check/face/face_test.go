package face_test

import (
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// engine opens the face engine on the installed assets; the tests skip
// without them unless OPENKYC_REQUIRE_FACE is set.
func engine(t testing.TB) (*face.Engine, string) {
	dir := os.Getenv("OPENKYC_ASSETS_DIR")
	if dir == "" {
		dir = "../../../assets"
	}
	cfg := face.Config{RuntimeLib: filepath.Join(dir, "onnxruntime", "libonnxruntime.so.1"), ModelsDir: filepath.Join(dir, "models")}
	e, err := face.Open(cfg)
	if err != nil {
		if os.Getenv("OPENKYC_REQUIRE_FACE") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return e, dir
}

func astronaut(t testing.TB, dir string) image.Image {
	f, err := os.Open(filepath.Join(dir, "fixtures", "astronaut.png"))
	if err != nil {
		if os.Getenv("OPENKYC_REQUIRE_FACE") != "" {
			t.Fatal(err)
		}
		t.Skip("face fixture missing (scripts/install-assets.sh): ", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

func TestDetectAndCompare(t *testing.T) {
	t.Parallel()
	e, dir := engine(t)
	img := astronaut(t, dir)
	faces, err := e.Detect(img)
	require.NoError(t, err)
	require.Len(t, faces, 1, "%+v", faces)
	f := faces[0]
	require.GreaterOrEqual(t, f.Score, face.MinScore)
	// The astronaut's face is in the upper middle of the 512×512 picture.
	c := f.Box.Min.Add(f.Box.Max).Div(2)
	require.InDelta(t, 230, c.X, 60)
	require.InDelta(t, 130, c.Y, 60)
	// eyes above the mouth, left eye left of the right eye
	require.Less(t, f.Landmarks[0][0], f.Landmarks[1][0])
	require.Less(t, f.Landmarks[0][1], f.Landmarks[3][1])

	emb, err := e.Embed(img, f)
	require.NoError(t, err)
	require.Len(t, emb, 512)
	require.InDelta(t, 1, face.Cosine(emb, emb), 1e-4)

	// The same face cut out, shifted and scaled: still the same person.
	crop := image.NewRGBA(image.Rect(0, 0, 300, 300))
	draw.Draw(crop, crop.Bounds(), img, image.Pt(80, 0), draw.Src)
	faces2, err := e.Detect(crop)
	require.NoError(t, err)
	require.Len(t, faces2, 1)
	emb2, err := e.Embed(crop, faces2[0])
	require.NoError(t, err)
	same := face.Cosine(emb, emb2)
	require.Greater(t, same, 0.8, "same photo, other framing")

	// No face on a document without a portrait photo.
	none, err := e.Detect(kyctest.SyntheticCard(800, 500))
	require.NoError(t, err)
	require.Empty(t, none)
}

// TestImpostors embeds every face of the group photos: different people
// score low against each other and against the astronaut.
func TestImpostors(t *testing.T) {
	t.Parallel()
	e, dir := engine(t)
	ref := astronaut(t, dir)
	rf, err := e.Detect(ref)
	require.NoError(t, err)
	refEmb, err := e.Embed(ref, rf[0])
	require.NoError(t, err)
	var embs [][]float32
	for i := 1; i <= 6; i++ {
		f, err := os.Open(filepath.Join(dir, "fixtures", fmt.Sprintf("sample%d.jpg", i)))
		if err != nil {
			t.Skip("group photos missing (scripts/install-assets.sh)")
		}
		img, err := jpeg.Decode(f)
		f.Close()
		require.NoError(t, err)
		faces, err := e.Detect(img)
		require.NoError(t, err)
		for _, fc := range faces {
			if fc.Box.Dx() < 40 {
				continue
			}
			emb, err := e.Embed(img, fc)
			require.NoError(t, err)
			embs = append(embs, emb)
		}
	}
	require.Greater(t, len(embs), 6, "faces found in the group photos")
	high := 0
	pairs := 0
	for i := range embs {
		require.Less(t, face.Cosine(refEmb, embs[i]), 0.4, "astronaut vs face %d", i)
		for j := i + 1; j < len(embs); j++ {
			pairs++
			if face.Cosine(embs[i], embs[j]) >= 0.4 {
				high++
			}
		}
	}
	// The photos may show one person twice; nearly all pairs are different people.
	require.Less(t, float64(high)/float64(pairs), 0.05, "%d of %d pairs score ≥ 0.4", high, pairs)
	t.Logf("%d faces, %d pairs, %d at ≥ 0.4", len(embs), pairs, high)
}

// TestConcurrent runs detections from several goroutines at once (the
// session pool); go test -race watches them.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	e, dir := engine(t)
	img := astronaut(t, dir)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			faces, err := e.Detect(img)
			if err == nil && len(faces) != 1 {
				err = fmt.Errorf("%d faces", len(faces))
			}
			errs <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
}
