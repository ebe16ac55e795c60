package viz_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// licenceFront is a generated Californian-style licence front of the
// holder of ../barcode/testdata/us_v08.txt (or of someone else).
func licenceFront(t *testing.T, surname, number, birth string) []byte {
	f := kyctest.IDFront{Style: "US-DL", Country: "US", DocumentType: "driving_license", Surname: surname, GivenNames: "JOHN QUINCY",
		BirthDate: birth, ExpiryDate: "2031-08-31", IssueDate: "2017-08-29", DocumentNumber: number, Sex: "M"}
	return kyctest.JPEG(t, f.Render(1200, 3))
}

// TestPipeline runs document.viz in the verification pipeline under the
// product's own level, on a licence without an MRZ: the front's printed
// zone agreeing with the back's barcode ties the barcode to the card, so
// the holder's data counts as read (no DOCUMENT_UNREADABLE); a front of
// someone else behind that back is a tamper hint for a reviewer; evidence
// holds no personal data in the clear, the sealed reading does.
func TestPipeline(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	kyctest.NeedOCR(t, (&viz.Reader{}).Available())
	text, err := os.ReadFile(filepath.Join("..", "barcode", "testdata", "us_v08.txt"))
	require.NoError(t, err)
	back := kyctest.JPEG(t, kyctest.LicenceBack(t, strings.Replace(string(text), "DBA08312022", "DBA08312031", 1)))
	// a generous OCR limit: the race detector and the parallel suites slow tesseract many times over
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000, Workers: true,
		AssetsDir: t.TempDir(), MRZTimeout: 2 * time.Minute}
	a, _ := apptest.StartStrict(t, cfg)
	m, err := a.Merchants.Create(context.Background(), "M", "test")
	require.NoError(t, err)
	p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}
	john := kyc.PII{FirstName: "John Quincy", LastName: "Sample", DateOfBirth: "1977-08-31", DocumentNumber: "D1234562",
		DocumentType: "driving_license", DocumentCountry: "US"}
	docs := func(front []byte) map[kyc.DocumentKind][]byte {
		return map[kyc.DocumentKind][]byte{kyc.DocIDFront: front, kyc.DocIDBack: back, kyc.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(600, 800))}
	}

	v, checks := apptest.Decided(t, a, p, "john", john, docs(licenceFront(t, "SAMPLE", "D1234562", "1977-08-31")))
	c := checks[kyc.KindVIZ]
	require.Equal(t, kyc.CheckPassed, c.Status, "%s", c.Evidence)
	var ev viz.Evidence
	require.NoError(t, json.Unmarshal(c.Evidence, &ev))
	require.Empty(t, ev.Missing)
	require.Len(t, ev.Zones, 1)
	require.Equal(t, "barcode", ev.Zones[0].Zone)
	require.Subset(t, ev.Zones[0].Agree, []string{"name", viz.FieldBirthDate, viz.FieldDocumentNumber})
	require.Empty(t, ev.Zones[0].Disagree)
	require.Equal(t, []string{"driving_license"}, ev.DocumentTypes)
	require.Equal(t, "US", ev.IssuingCountry)
	require.NotContains(t, v.Reasons, kyc.ReasonDocumentUnreadable, "the barcode tied to the front is the holder's data")
	require.Equal(t, kyc.CheckPassed, checks[kyc.KindConsistency].Status, "%s", checks[kyc.KindConsistency].Evidence)
	require.Equal(t, kyc.CheckPassed, checks[kyc.KindClassification].Status, "%s", checks[kyc.KindClassification].Evidence)
	plain, err := a.Verifications.OpenEvidence(ev.Sealed, v.ID)
	require.NoError(t, err)
	require.Contains(t, string(plain), "D1234562")
	for _, c := range checks {
		require.NotContains(t, string(c.Evidence), "D1234562", "%s evidence holds the document number in the clear", c.Kind)
		require.NotContains(t, string(c.Evidence), "SAMPLE", c.Kind)
	}

	// someone else's front (another name and number) behind John's back
	v, checks = apptest.Decided(t, a, p, "swapped", john, docs(licenceFront(t, "WILLIAMS", "K7654321", "1985-03-14")))
	c = checks[kyc.KindVIZ]
	require.Equal(t, kyc.CheckReview, c.Status, "%s", c.Evidence)
	require.Equal(t, kyc.ReasonTamperHints, c.ReasonCode)
	require.NoError(t, json.Unmarshal(c.Evidence, &ev))
	require.Contains(t, ev.Zones[0].Disagree, "name")
	require.Equal(t, kyc.StateReview, v.State)
	require.Contains(t, v.Reasons, kyc.ReasonTamperHints)
	require.Contains(t, v.Reasons, kyc.ReasonDocumentUnreadable, "an untied barcode is not the holder's data")
}
