package face_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestPipeline runs face.match and face.duplicate in the verification
// pipeline with the real store and keyring: the first applicant is
// approved, a second applicant with the same face goes to review with the
// first one named.
func TestPipeline(t *testing.T) {
	t.Parallel()
	_, dir := engine(t)
	ref := astronaut(t, dir)
	abs := t.TempDir() // only the face assets
	for _, sub := range []string{"onnxruntime", "models"} {
		src, err := filepath.Abs(filepath.Join(dir, sub))
		require.NoError(t, err)
		require.NoError(t, os.Symlink(src, filepath.Join(abs, sub)))
	}
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000, Workers: true, AssetsDir: abs}
	a, _ := apptest.Start(t, cfg)
	ctx := context.Background()
	m, err := a.Merchants.Create(ctx, "M", "test")
	require.NoError(t, err)
	p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}

	card := kyctest.SyntheticCard(1200, 760).(*image.RGBA)
	draw.Draw(card, image.Rect(60, 150, 360, 450), ref, image.Pt(80, 0), draw.Src)
	reframed := image.NewRGBA(image.Rect(0, 0, 320, 320))
	draw.Draw(reframed, reframed.Bounds(), ref, image.Pt(70, 0), draw.Src)

	run := func(user string, selfie []byte) (kyc.Verification, map[kyc.CheckKind]kyc.Check) {
		return apptest.Decided(t, a, p, user, kyc.PII{FirstName: "A", LastName: user, DateOfBirth: "1980-01-01"},
			map[kyc.DocumentKind][]byte{kyc.DocIDFront: kyctest.JPEG(t, card), kyc.DocSelfie: selfie})
	}
	v, checks := run("first", kyctest.JPEG(t, ref))
	require.Equal(t, kyc.CheckPassed, checks["face.match"].Status, "%s", checks["face.match"].Evidence)
	require.Equal(t, kyc.CheckPassed, checks["face.duplicate"].Status, "%s", checks["face.duplicate"].Evidence)
	require.Equal(t, kyc.DecisionApproved, v.Decision)
	firstApplicant := v.ApplicantID

	v, checks = run("second", kyctest.JPEG(t, reframed))
	require.Equal(t, kyc.StateReview, v.State)
	c := checks["face.duplicate"]
	require.Equal(t, kyc.CheckFailed, c.Status)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(c.Evidence, &ev))
	require.Equal(t, firstApplicant, ev["applicant_id"])

	// A phone's portrait selfie: landscape pixels marked with EXIF
	// orientation 6. The engines see it upright, so the face matches (read
	// as stored, face.match failed: the genuine user was refused).
	sideways := kyctest.WithOrientation(kyctest.JPEG(t, kyctest.TurnCCW(ref)), 6, binary.BigEndian)
	_, checks = run("sideways", sideways)
	require.Equal(t, kyc.CheckPassed, checks["face.match"].Status, "%s", checks["face.match"].Evidence)
}
