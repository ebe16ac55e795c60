package console_test

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/verification"
)

// faceAssets is the assets folder with the face runtime, models and the
// astronaut photo; the test skips without them unless OPENKYC_REQUIRE_FACE.
func faceAssets(t *testing.T) (string, image.Image) {
	dir := os.Getenv("OPENKYC_ASSETS_DIR")
	if dir == "" {
		dir = "../../../assets"
	}
	dir, err := filepath.Abs(dir)
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(dir, "fixtures", "astronaut.png"))
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "models", "fr_feature.onnx"))
	}
	if err != nil {
		if os.Getenv("OPENKYC_REQUIRE_FACE") != "" {
			t.Fatal(err)
		}
		t.Skip("face assets missing (scripts/install-assets.sh): ", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return dir, img
}

// TestCaseViewFaceEvidence: with the face engine, the case view shows both
// aligned crops with the score, and the duplicate face links to the other
// applicant's case.
func TestCaseViewFaceEvidence(t *testing.T) {
	t.Parallel()
	dir, ref := faceAssets(t)
	only := t.TempDir() // the face assets only: no MRZ reading of the synthetic card
	for _, sub := range []string{"onnxruntime", "models"} {
		require.NoError(t, os.Symlink(filepath.Join(dir, sub), filepath.Join(only, sub)))
	}
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.AssetsDir = only })
	ctx := context.Background()
	card := kyctest.SyntheticCard(1200, 760).(*image.RGBA)
	draw.Draw(card, image.Rect(60, 150, 360, 450), ref, image.Pt(80, 0), draw.Src)
	reframed := image.NewRGBA(image.Rect(0, 0, 320, 320))
	draw.Draw(reframed, reframed.Bounds(), ref, image.Pt(70, 0), draw.Src)
	submit := func(user string, selfie image.Image) kyc.Verification {
		ap, _, err := e.a.Applicants.Create(ctx, e.pA, kyc.SurfaceNative, applicant.Input{ExternalUserID: user,
			PII: kyc.PII{FirstName: "Eileen", LastName: "Collins " + user, DateOfBirth: "1956-11-19"}})
		require.NoError(t, err)
		for kind, img := range map[kyc.DocumentKind]image.Image{kyc.DocIDFront: card, kyc.DocSelfie: selfie} {
			_, err = e.a.Applicants.UploadDocument(ctx, e.pA, ap.ID, kind, bytes.NewReader(kyctest.JPEG(t, img)))
			require.NoError(t, err)
		}
		v, err := e.a.Verifications.Create(ctx, e.pA, kyc.SurfaceNative, verification.CreateInput{ApplicantID: ap.ID, Reference: user})
		require.NoError(t, err)
		_, err = e.a.Verifications.Submit(ctx, e.pA, v.ID)
		require.NoError(t, err)
		return v
	}
	first := e.waitState(e.pA, submit("first", ref).ID, kyc.StateCompleted)
	second := e.waitState(e.pA, submit("second", reframed).ID, kyc.StateReview)

	st, page := e.login("rev1").get("/console/cases/" + second.ID)
	require.Equal(t, http.StatusOK, st)
	require.Len(t, regexp.MustCompile(`<img src="data:image/jpeg;base64,[A-Za-z0-9+/=&#;]{500,}"`).FindAllString(page, -1), 2, "both face crops")
	require.Regexp(t, `id="face-score">0\.\d{3}<`, page)
	require.Contains(t, page, `<a href="/console/cases/`+first.ID+`">`, "the duplicate face links to the first applicant's case")
}
