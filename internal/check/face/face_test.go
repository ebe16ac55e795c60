package face_test

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
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
		require.Less(t, face.Cosine(refEmb, embs[i]), 0.3, "impostor pair: astronaut vs face %d", i)
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

// Faces of sample2.jpg: a head in profile, and a woman looking down with
// her eyes closed.
var (
	profileBox    = image.Rect(300, 60, 600, 480)
	eyesClosedBox = image.Rect(1380, 100, 1700, 450)
)

func loadJPEG(t testing.TB, dir, name string) image.Image {
	f, err := os.Open(filepath.Join(dir, "fixtures", name))
	if err != nil {
		t.Skip("face fixture missing (scripts/install-assets.sh): ", err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	require.NoError(t, err)
	return img
}

func crop(img image.Image, r image.Rectangle) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	return out
}

// closeEyes paints each eye over with the skin below it and draws a lid line.
func closeEyes(img image.Image, lm [5][2]float64) *image.RGBA {
	out := crop(img, img.Bounds())
	d := lm[1][0] - lm[0][0]
	for _, c := range lm[:2] {
		skin := out.RGBAAt(int(c[0]), int(c[1]+d*0.45))
		rx, ry := d*0.32, d*0.2
		for y := int(c[1] - ry); y <= int(c[1]+ry); y++ {
			for x := int(c[0] - rx); x <= int(c[0]+rx); x++ {
				dx, dy := (float64(x)-c[0])/rx, (float64(y)-c[1])/ry
				if dx*dx+dy*dy <= 1 {
					out.SetRGBA(x, y, skin)
				}
			}
		}
		for x := int(c[0] - rx*0.9); x <= int(c[0]+rx*0.9); x++ {
			dx := (float64(x) - c[0]) / rx
			y := int(c[1] + ry*0.3*(1-dx*dx))
			out.SetRGBA(x, y, color.RGBA{40, 30, 30, 255})
			out.SetRGBA(x, y+1, color.RGBA{60, 45, 45, 255})
		}
	}
	return out
}

// TestPoseEyesPassive runs fr_pose, fr_eye and fr_liveness on real photos.
func TestPoseEyesPassive(t *testing.T) {
	t.Parallel()
	e, dir := engine(t)
	one := func(img image.Image) face.Face {
		faces, err := e.Detect(img)
		require.NoError(t, err)
		require.Len(t, faces, 1)
		return faces[0]
	}
	sample2 := loadJPEG(t, dir, "sample2.jpg")
	profile := crop(sample2, profileBox)
	p, err := e.Pose(profile, one(profile))
	require.NoError(t, err)
	require.Greater(t, math.Abs(p.Yaw), face.MaxSelfieYaw, "a head in profile: %+v", p)

	closed := crop(sample2, eyesClosedBox)
	eyes, err := e.EyesOpen(closed, one(closed))
	require.NoError(t, err)
	require.Less(t, max(eyes[0], eyes[1]), face.MinEyeOpen, "closed eyes: %v", eyes)

	ref := astronaut(t, dir)
	f := one(ref)
	eyes, err = e.EyesOpen(ref, f)
	require.NoError(t, err)
	require.Greater(t, min(eyes[0], eyes[1]), 0.9, "open eyes: %v", eyes)
	painted := closeEyes(ref, f.Landmarks)
	eyes, err = e.EyesOpen(painted, one(painted))
	require.NoError(t, err)
	require.Less(t, max(eyes[0], eyes[1]), face.MinEyeOpen, "eyes painted shut: %v", eyes)

	// Passive liveness: the live photo against the same face printed on a card.
	live, err := e.Passive(ref, f)
	require.NoError(t, err)
	card := kyctest.SyntheticCard(856, 540).(*image.RGBA)
	draw.Draw(card, image.Rect(40, 120, 300, 380), ref, image.Pt(100, 0), draw.Src)
	printed, err := e.Passive(card, one(card))
	require.NoError(t, err)
	require.Greater(t, live, 0.9)
	require.Less(t, printed, live-0.5, "a recaptured portrait scores lower (live %.3f, printed %.3f)", live, printed)
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
