package face_test

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/policy"
)

type env struct {
	files     map[string][]byte
	faces     *[]stored // embeddings "stored" by earlier runs
	challenge []string
}

func (e env) LivenessChallenge(context.Context, string, string) ([]string, time.Time, bool, error) {
	if e.challenge == nil {
		return nil, time.Time{}, false, nil
	}
	return e.challenge, time.Time{}, true, nil
}

func (env) DocumentChoice(context.Context, string, string) (string, string, error) {
	return "", "", nil
}

type stored struct {
	applicant string
	v         []float32
}

func (e env) NearestFace(_ context.Context, _, exclude string, v []float32) (check.FaceHit, error) {
	hit := check.FaceHit{Score: -1}
	if e.faces == nil {
		return hit, nil
	}
	for _, f := range *e.faces {
		if f.applicant != exclude {
			hit.Compared++
			if c := face.Cosine(v, f.v); c > hit.Score {
				hit.Score, hit.ApplicantID = c, f.applicant
			}
		}
	}
	return hit, nil
}

func (e env) PutFaceEmbedding(_ context.Context, d kyc.Document, v []float32) error {
	if e.faces != nil {
		*e.faces = append(*e.faces, stored{d.ApplicantID, v})
	}
	return nil
}

func (e env) OpenDocument(_ context.Context, d kyc.Document) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(e.files[d.ID])), nil
}
func (e env) DecodeImage(ctx context.Context, d kyc.Document, copies int) (image.Image, func(), error) {
	return check.DecodeWith(ctx, testDecoder, e.OpenDocument, d, copies)
}

// testDecoder decodes within a budget, as the service does.
var testDecoder = docfile.NewDecoder(docfile.NewBudget(256<<20), docfile.Limits{}, 10*time.Second)

func (env) ApplicantsWithHash(context.Context, string, string, string, string) ([]string, error) {
	return nil, nil
}
func (env) ScreeningDismissals(context.Context, string, string) (map[string]string, error) {
	return nil, nil
}
func (env) Blocklisted(context.Context, string, string, string) (bool, error) { return false, nil }
func (env) Seal(p []byte, _ string) (string, error)                           { return string(p), nil }

func TestMatchCheck(t *testing.T) {
	t.Parallel()
	_, dir := engine(t)
	ref := astronaut(t, dir)
	// An ID card whose portrait is the astronaut's head.
	card := kyctest.SyntheticCard(1200, 760).(*image.RGBA)
	draw.Draw(card, image.Rect(60, 150, 60+300, 150+300), ref, image.Pt(80, 0), draw.Src)
	group, err := os.ReadFile(filepath.Join(dir, "fixtures", "sample1.jpg"))
	require.NoError(t, err)
	groupImg, err := jpeg.Decode(bytes.NewReader(group))
	require.NoError(t, err)

	checks := &face.Checks{Config: face.Config{RuntimeLib: filepath.Join(dir, "onnxruntime", "libonnxruntime.so.1"), ModelsDir: filepath.Join(dir, "models")}}
	m := checks.Checkers()[0]
	run := func(selfie image.Image) check.Result {
		s := &check.Subject{Documents: []kyc.Document{{ID: "doc_1", Kind: kyc.DocIDFront, ContentType: "image/jpeg"}, {ID: "doc_2", Kind: kyc.DocSelfie, ContentType: "image/jpeg"}},
			Env: env{files: map[string][]byte{"doc_1": kyctest.JPEG(t, card), "doc_2": kyctest.JPEG(t, selfie)}}}
		return m.Run(context.Background(), s)
	}
	r := run(ref)
	require.Equal(t, kyc.CheckPassed, r.Status, "%v", r.Evidence)
	ev := r.Evidence.(map[string]any)
	require.Greater(t, ev["score"], 0.5, "genuine pair: the card portrait and the photo")
	eyes := ev["selfie_eyes_open"].([2]float64)
	require.Greater(t, eyes[0], 0.9, "the astronaut's eyes are open")
	require.Greater(t, eyes[1], 0.9)
	require.Less(t, math.Abs(ev["selfie_pose"].(face.Pose).Yaw), face.MaxSelfieYaw)
	require.Greater(t, ev["selfie_passive_liveness"], 0.5, "advisory score of a live photo")
	require.InDelta(t, 0.75, ev["selfie_quality"], 0.25, "the detector is sure of a sharp frontal face")
	for _, k := range []string{"document_crop", "selfie_crop"} { // the test env "seals" as is
		crop, err := jpeg.Decode(bytes.NewReader([]byte(ev[k].(string))))
		require.NoError(t, err, k)
		require.Equal(t, image.Rect(0, 0, 112, 112), crop.Bounds(), k)
	}

	// Real photos of a head in profile and of closed eyes; and the
	// astronaut with her eyes painted shut.
	sample2 := loadJPEG(t, dir, "sample2.jpg")
	r = run(crop(sample2, profileBox))
	require.Equal(t, kyc.CheckFailed, r.Status, "%v", r.Evidence)
	require.Equal(t, face.ReasonFacePose, r.ReasonCode, "%v", r.Evidence)
	r = run(crop(sample2, eyesClosedBox))
	require.Equal(t, kyc.CheckFailed, r.Status, "%v", r.Evidence)
	require.Equal(t, face.ReasonEyesClosed, r.ReasonCode, "%v", r.Evidence)
	e0, _ := engine(t)
	rf, err := e0.Detect(ref)
	require.NoError(t, err)
	r = run(closeEyes(ref, rf[0].Landmarks))
	require.Equal(t, face.ReasonEyesClosed, r.ReasonCode, "%v", r.Evidence)

	// A level may demand more: the same pair then only asks for review.
	strict := &check.Subject{Level: policy.Level{FaceMatch: &policy.FaceThresholds{Match: 1, Review: 0.2}},
		Documents: []kyc.Document{{ID: "doc_1", Kind: kyc.DocIDFront, ContentType: "image/jpeg"}, {ID: "doc_2", Kind: kyc.DocSelfie, ContentType: "image/jpeg"}},
		Env:       env{files: map[string][]byte{"doc_1": kyctest.JPEG(t, card), "doc_2": kyctest.JPEG(t, ref)}}}
	require.Equal(t, kyc.CheckReview, m.Run(context.Background(), strict).Status)

	r = run(groupImg)
	require.Equal(t, kyc.CheckFailed, r.Status, "%v", r.Evidence)
	require.Equal(t, face.ReasonSeveralFaces, r.ReasonCode)

	// One face of another person.
	e, _ := engine(t)
	faces, err := e.Detect(groupImg)
	require.NoError(t, err)
	pick := faces[0] // a face with open eyes
	for _, f := range faces {
		if eyes, err := e.EyesOpen(groupImg, f); err == nil && min(eyes[0], eyes[1]) > 0.5 {
			pick = f
			break
		}
	}
	box := pick.Box.Inset(-pick.Box.Dx() / 2)
	other := image.NewRGBA(image.Rect(0, 0, box.Dx(), box.Dy()))
	draw.Draw(other, other.Bounds(), groupImg, box.Min, draw.Src)
	r = run(other)
	require.NotEqual(t, kyc.CheckPassed, r.Status, "%v", r.Evidence)
	require.Equal(t, kyc.ReasonFaceMismatch, r.ReasonCode, "%v", r.Evidence)

	r = run(kyctest.SyntheticCard(600, 400))
	require.Equal(t, kyc.CheckFailed, r.Status)
	require.Equal(t, face.ReasonNoFace, r.ReasonCode)

	off := (&face.Checks{Config: face.Config{RuntimeLib: "/nonexistent.so", ModelsDir: dir}}).Checkers()[0]
	require.Equal(t, kyc.CheckNotRun, off.Run(context.Background(), &check.Subject{}).Status)
}

func TestDuplicateCheck(t *testing.T) {
	t.Parallel()
	_, dir := engine(t)
	ref := astronaut(t, dir)
	group, err := os.ReadFile(filepath.Join(dir, "fixtures", "sample2.jpg"))
	require.NoError(t, err)
	groupImg, err := jpeg.Decode(bytes.NewReader(group))
	require.NoError(t, err)
	e, _ := engine(t)
	faces, err := e.Detect(groupImg)
	require.NoError(t, err)
	require.NotEmpty(t, faces)
	pick := faces[0] // a face with open eyes
	for _, f := range faces {
		if eyes, err := e.EyesOpen(groupImg, f); err == nil && min(eyes[0], eyes[1]) > 0.5 {
			pick = f
			break
		}
	}
	box := pick.Box.Inset(-pick.Box.Dx() / 2).Intersect(groupImg.Bounds())
	other := image.NewRGBA(image.Rect(0, 0, box.Dx(), box.Dy()))
	draw.Draw(other, other.Bounds(), groupImg, box.Min, draw.Src)
	reframed := image.NewRGBA(image.Rect(0, 0, 300, 300))
	draw.Draw(reframed, reframed.Bounds(), ref, image.Pt(80, 0), draw.Src)

	var db []stored
	checks := &face.Checks{Config: face.Config{RuntimeLib: filepath.Join(dir, "onnxruntime", "libonnxruntime.so.1"), ModelsDir: filepath.Join(dir, "models")}}
	dup := checks.Checkers()[1]
	require.Equal(t, kyc.KindFaceDuplicate, dup.Kind())
	run := func(applicant string, selfie image.Image) check.Result {
		s := &check.Subject{Applicant: kyc.Applicant{ID: applicant, MerchantID: "mer_1"},
			Documents: []kyc.Document{{ID: "doc_" + applicant, ApplicantID: applicant, Kind: kyc.DocSelfie, ContentType: "image/jpeg"}},
			Env:       env{files: map[string][]byte{"doc_" + applicant: kyctest.JPEG(t, selfie)}, faces: &db}}
		return dup.Run(context.Background(), s)
	}
	r := run("apl_a", ref)
	require.Equal(t, kyc.CheckPassed, r.Status, "the first face: %v", r.Evidence)
	r = run("apl_b", other)
	require.Equal(t, kyc.CheckPassed, r.Status, "another person: %v", r.Evidence)
	r = run("apl_c", reframed)
	require.Equal(t, kyc.CheckFailed, r.Status, "the astronaut again, under another applicant: %v", r.Evidence)
	require.Equal(t, kyc.ReasonDuplicate, r.ReasonCode)
	require.Equal(t, "apl_a", r.Evidence.(face.DuplicateEvidence).ApplicantID)
	require.Len(t, db, 3, "every selfie's embedding is stored")
}
