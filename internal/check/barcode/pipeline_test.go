package barcode_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestPipeline runs document.barcode inside the verification pipeline on
// a licence without an MRZ: its PDF417 is read from the back, the holder's
// data feeds data.consistency, and its dates data.age and data.expiry
// (each naming the barcode as its source); declared data that differs
// goes to review; an expired licence is rejected; evidence holds no
// personal data in the clear.
func TestPipeline(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	text, err := os.ReadFile(filepath.Join("testdata", "us_v08.txt"))
	require.NoError(t, err)
	valid := strings.Replace(string(text), "DBA08312022", "DBA08312031", 1) // same length: the offsets hold
	back := kyctest.JPEG(t, kyctest.Rotate(kyctest.LicenceBack(t, valid), 3))
	expired := kyctest.JPEG(t, kyctest.LicenceBack(t, string(text)))

	// No OCR assets or face models: those checks are unavailable, which
	// apptest's level allows.
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000, Workers: true,
		AssetsDir: t.TempDir()}
	a, _ := apptest.Start(t, cfg)
	ctx := context.Background()
	m, err := a.Merchants.Create(ctx, "M", "test")
	require.NoError(t, err)
	p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}

	run := func(user string, pii kyc.PII, back []byte) (kyc.Verification, map[kyc.CheckKind]kyc.Check) {
		return apptest.Decided(t, a, p, user, pii, map[kyc.DocumentKind][]byte{kyc.DocIDFront: kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)),
			kyc.DocIDBack: back, kyc.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(600, 800))})
	}
	source := func(c kyc.Check) map[string]any {
		var ev map[string]any
		require.NoError(t, json.Unmarshal(c.Evidence, &ev))
		return ev
	}

	john := kyc.PII{FirstName: "John Quincy", LastName: "Sample", DateOfBirth: "1977-08-31", DocumentNumber: "D1234562"}
	v, checks := run("john", john, back)
	require.Equal(t, kyc.StateCompleted, v.State, "%v", checks)
	require.Equal(t, kyc.DecisionApproved, v.Decision)
	c := checks[kyc.KindBarcode]
	require.Equal(t, kyc.CheckPassed, c.Status, "%s", c.Evidence)
	var ev barcode.Evidence
	require.NoError(t, json.Unmarshal(c.Evidence, &ev))
	require.Equal(t, kyc.DocIDBack, ev.Document)
	require.Equal(t, &barcode.AAMVASummary{IIN: "636014", Version: 8, Subfiles: []string{"DL", "ZC"}, Country: "USA",
		Issuer: &barcode.Issuer{Name: "California", Code: "CA", Country: "USA"}}, ev.AAMVA)
	require.Equal(t, []barcode.CodeSummary{{Format: "PDF417", Bytes: len(valid)}}, ev.Codes)
	plain, err := a.Verifications.OpenEvidence(ev.Sealed, v.ID)
	require.NoError(t, err)
	var sealed barcode.Sealed
	require.NoError(t, json.Unmarshal(plain, &sealed))
	require.Equal(t, "D1234562", sealed.License.DocumentNumber)
	require.Equal(t, valid, sealed.Codes[0].Text)
	_, err = a.Verifications.OpenEvidence(ev.Sealed, "ver_other")
	require.Error(t, err)

	require.Equal(t, kyc.CheckPassed, checks[kyc.KindConsistency].Status, "%s", checks[kyc.KindConsistency].Evidence)
	require.Equal(t, []any{"barcode"}, source(checks[kyc.KindConsistency])["sources"])
	require.Equal(t, "barcode", source(checks[kyc.KindAge])["source"])
	require.Equal(t, "barcode", source(checks[kyc.KindExpiry])["source"])
	require.Equal(t, "2031-08-31", source(checks[kyc.KindExpiry])["expiry_date"])
	for _, c := range checks {
		require.NotContains(t, string(c.Evidence), "D1234562", "%s evidence holds the document number in the clear", c.Kind)
		require.NotContains(t, string(c.Evidence), "SAMPLE", c.Kind)
		require.NotContains(t, string(c.Evidence), "ANY STREET", c.Kind)
	}

	impostor := john
	impostor.DateOfBirth = "1980-01-01"
	v, checks = run("impostor", impostor, back)
	require.Equal(t, kyc.StateReview, v.State, "a mismatch goes to a reviewer")
	c = checks[kyc.KindConsistency]
	require.Equal(t, kyc.CheckFailed, c.Status)
	require.Equal(t, kyc.ReasonDataMismatch, c.ReasonCode)
	require.Equal(t, []any{"date_of_birth"}, source(c)["mismatches"])

	v, checks = run("expired", john, expired)
	require.Equal(t, kyc.DecisionRejected, v.Decision, "%v", checks)
	c = checks[kyc.KindExpiry]
	require.Equal(t, kyc.CheckFailed, c.Status)
	require.Equal(t, kyc.ReasonDocExpired, c.ReasonCode)
	require.Equal(t, "barcode", source(c)["source"])
}

// TestPipelineProductLevel: under the product's own level, a licence read
// only from its barcode does not yet count as the holder's data, declared
// or not (DOCUMENT_UNREADABLE: nothing ties the back's barcode to the
// front's portrait until the front is read); classification still passes
// the licence declared and sends a passport declared to review.
func TestPipelineProductLevel(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	text, err := os.ReadFile(filepath.Join("testdata", "us_v08.txt"))
	require.NoError(t, err)
	back := kyctest.JPEG(t, kyctest.LicenceBack(t, strings.Replace(string(text), "DBA08312022", "DBA08312031", 1)))
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000, Workers: true,
		AssetsDir: t.TempDir()}
	a, _ := apptest.StartStrict(t, cfg)
	m, err := a.Merchants.Create(context.Background(), "M", "test")
	require.NoError(t, err)
	p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}
	docs := map[kyc.DocumentKind][]byte{kyc.DocIDFront: kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)), kyc.DocIDBack: back,
		kyc.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(600, 800))}
	john := kyc.PII{FirstName: "John Quincy", LastName: "Sample", DateOfBirth: "1977-08-31", DocumentNumber: "D1234562"}

	declared := john
	declared.DocumentType, declared.DocumentCountry = "driving_license", "US"
	v, checks := apptest.Decided(t, a, p, "declared", declared, docs)
	require.Equal(t, kyc.CheckPassed, checks[kyc.KindClassification].Status, "%s", checks[kyc.KindClassification].Evidence)
	require.Equal(t, kyc.CheckPassed, checks[kyc.KindBarcode].Status)
	require.Equal(t, kyc.StateReview, v.State)
	require.Contains(t, v.Reasons, kyc.ReasonDocumentUnreadable, "a barcode alone does not stand for the holder's data")

	v, checks = apptest.Decided(t, a, p, "undeclared", john, docs)
	require.Equal(t, kyc.NotRunNotApplicable, checks[kyc.KindClassification].NotRunKind)
	require.Contains(t, v.Reasons, kyc.ReasonDocumentUnreadable)

	passport := john
	passport.DocumentType = "passport"
	v, checks = apptest.Decided(t, a, p, "passport", passport, docs)
	require.Equal(t, kyc.CheckReview, checks[kyc.KindClassification].Status)
	require.Contains(t, v.Reasons, kyc.ReasonDocumentTypeMismatch)
}
