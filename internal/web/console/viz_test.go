package console_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestCaseViewPrintedZone: a licence whose front's printed zone and back's
// barcode agree, declared with another birth date, goes to review; the
// case view lists the printed zone's fields with their confidences, how
// it compares with the barcode, and a viz column beside the declared data.
func TestCaseViewPrintedZone(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	kyctest.NeedOCR(t, (&viz.Reader{}).Available())
	text, err := os.ReadFile("../../check/barcode/testdata/us_v08.txt")
	require.NoError(t, err)
	back := kyctest.LicenceBack(t, strings.Replace(string(text), "DBA08312022", "DBA08312031", 1))
	front := kyctest.IDFront{Style: "US-DL", Country: "US", DocumentType: "driving_license", Surname: "SAMPLE", GivenNames: "JOHN QUINCY",
		BirthDate: "1977-08-31", ExpiryDate: "2031-08-31", IssueDate: "2017-08-29", DocumentNumber: "D1234562", Sex: "M"}
	// a generous OCR limit: the race detector and the parallel suites slow tesseract many times over
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.AssetsDir, c.MRZTimeout = t.TempDir(), 2*time.Minute })
	v := e.caseWith(e.pA, "john", kyc.PII{FirstName: "John Quincy", LastName: "Sample", DateOfBirth: "1980-01-01", DocumentNumber: "D1234562"},
		map[kyc.DocumentKind][]byte{kyc.DocIDFront: kyctest.JPEG(t, front.Render(1200, 3)),
			kyc.DocIDBack: kyctest.JPEG(t, back), kyc.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(600, 800))})

	st, page := e.login("rev1").get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, page, `<section id="viz">`)
	require.Contains(t, page, `<td>surname</td><td><bdi>LN</bdi></td><td><bdi>SAMPLE</bdi></td>`)
	require.Contains(t, page, "Against the barcode: agree on name")
	require.Contains(t, page, `<th>declared</th><th>barcode</th><th>viz</th>`)
	require.Contains(t, page, `<tr><td>date_of_issue</td><td></td><td><bdi>2017-08-29</bdi></td><td><bdi>2017-08-29</bdi></td></tr>`)
}
