package mrz_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestPipeline runs the MRZ checks inside the verification pipeline: a
// passport photo whose MRZ matches the declared data passes document.mrz and
// data.consistency (and data.age/data.expiry use the MRZ's dates); declared
// data that differs goes to review with DATA_MISMATCH; evidence holds no
// personal data in the clear.
func TestPipeline(t *testing.T) {
	t.Parallel()
	r := reader(t)
	// Only the OCR assets: the face engine stays off (the synthetic selfie has no real face).
	tess, err := filepath.Abs(r.TessdataDir)
	require.NoError(t, err)
	abs := t.TempDir()
	require.NoError(t, os.Symlink(tess, filepath.Join(abs, "tessdata")))
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000, Workers: true, AssetsDir: abs}
	a, _ := apptest.Start(t, cfg)
	ctx := context.Background()
	m, err := a.Merchants.Create(ctx, "M", "test")
	require.NoError(t, err)
	p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}

	lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "SGP", Surname: "TAN", GivenNames: "MEI LING", DocumentNumber: "K1234567A",
		Nationality: "SGP", BirthDate: "910304", Sex: "F", ExpiryDate: "310101"})
	require.NoError(t, err)
	photo := kyctest.JPEG(t, kyctest.Degrade(kyctest.SyntheticDocument(t, lines, 1200), 0.3, 11))

	run := func(user string, pii kyc.PII, photo []byte) (kyc.Verification, map[kyc.CheckKind]kyc.Check) {
		return apptest.Decided(t, a, p, user, pii, map[kyc.DocumentKind][]byte{kyc.DocIDFront: photo,
			kyc.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(600, 800))})
	}

	v, checks := run("mei", kyc.PII{FirstName: "Mei Ling", LastName: "Tan", DateOfBirth: "1991-03-04", Nationality: "SG", DocumentNumber: "K1234567A"}, photo)
	require.Equal(t, kyc.StateCompleted, v.State, "%v", checks)
	require.Equal(t, kyc.DecisionApproved, v.Decision)
	require.Equal(t, kyc.CheckPassed, checks["document.mrz"].Status, "%s", checks["document.mrz"].Evidence)
	require.Equal(t, kyc.CheckPassed, checks["data.consistency"].Status, "%s", checks["data.consistency"].Evidence)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(checks["data.age"].Evidence, &ev))
	require.Equal(t, "mrz", ev["source"], "the age comes from the document")
	require.NoError(t, json.Unmarshal(checks["data.expiry"].Evidence, &ev))
	require.Equal(t, "2031-01-01", ev["expiry_date"])
	for _, c := range checks {
		require.NotContains(t, string(c.Evidence), "K1234567A", "%s evidence holds the document number in the clear", c.Kind)
		require.NotContains(t, string(c.Evidence), "MEI", c.Kind)
	}
	// The sealed reading opens for the verification only.
	require.NoError(t, json.Unmarshal(checks["document.mrz"].Evidence, &ev))
	plain, err := a.Verifications.OpenEvidence(ev["reading_sealed"].(string), v.ID)
	require.NoError(t, err)
	require.Contains(t, string(plain), "K1234567A")
	var rd mrz.Reading // as the console and PayCools open it
	require.NoError(t, json.Unmarshal(plain, &rd))
	require.Equal(t, "1991-03-04", rd.Document.BirthDate.String())
	require.Equal(t, "K1234567A", rd.Document.DocumentNumber)
	_, err = a.Verifications.OpenEvidence(ev["reading_sealed"].(string), "ver_other")
	require.Error(t, err)

	v, checks = run("impostor", kyc.PII{FirstName: "John", LastName: "Smith", DateOfBirth: "1980-01-01", Nationality: "SG", DocumentNumber: "K1234567A"}, photo)
	require.Equal(t, kyc.StateReview, v.State, "a mismatch goes to a reviewer")
	c := checks["data.consistency"]
	require.Equal(t, kyc.CheckFailed, c.Status)
	require.Equal(t, kyc.ReasonDataMismatch, c.ReasonCode)
	require.Contains(t, string(c.Evidence), `"mismatches":["name","date_of_birth"]`)

	// A reading whose check digits hold but which is in doubt (a letter O
	// among the digits of the document number: A000O0O0 reads as well as
	// A0000000) is never approved: document.mrz asks for review, with the
	// confidence of each field, and its dates are not used.
	doubtful, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "SGP", Surname: "TAN", GivenNames: "MEI LING", DocumentNumber: "A000O0O0",
		Nationality: "SGP", BirthDate: "910304", Sex: "F", ExpiryDate: "310101"})
	require.NoError(t, err)
	v, checks = run("doubt", kyc.PII{FirstName: "Mei Ling", LastName: "Tan", DateOfBirth: "1991-03-04", Nationality: "SG"},
		kyctest.JPEG(t, kyctest.Degrade(kyctest.SyntheticDocument(t, doubtful, 1200), 0.3, 11)))
	require.Equal(t, kyc.StateReview, v.State, "%v", checks)
	c = checks["document.mrz"]
	require.Equal(t, kyc.CheckReview, c.Status, "%s", c.Evidence)
	require.Equal(t, kyc.ReasonMRZDoubtful, c.ReasonCode)
	require.NoError(t, json.Unmarshal(c.Evidence, &ev))
	require.Contains(t, ev["doubts"], mrz.DoubtAmbiguous)
	require.Contains(t, ev["field_confidence"], "document_number")
	require.NotContains(t, string(c.Evidence), "A000O0O0")
	require.NoError(t, json.Unmarshal(checks["data.age"].Evidence, &ev))
	require.NotEqual(t, "mrz", ev["source"], "no dates from a reading in doubt")
}
