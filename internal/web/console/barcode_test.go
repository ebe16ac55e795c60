package console_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestCaseViewBarcode: a licence whose barcode disagrees with the declared
// birth date goes to review; the case view shows the barcode's record and
// sets the declared data beside it, the differing values marked.
func TestCaseViewBarcode(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	text, err := os.ReadFile("../../check/barcode/testdata/us_v08.txt")
	require.NoError(t, err)
	back := kyctest.LicenceBack(t, strings.Replace(string(text), "DBA08312022", "DBA08312031", 1))
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.AssetsDir = t.TempDir() })
	v := e.caseWith(e.pA, "john", kyc.PII{FirstName: "John Quincy", LastName: "Sample", DateOfBirth: "1980-01-01", DocumentNumber: "D1234562"},
		map[kyc.DocumentKind][]byte{kyc.DocIDFront: kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)),
			kyc.DocIDBack: kyctest.JPEG(t, back), kyc.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(600, 800))})

	st, page := e.login("rev1").get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, page, `<section id="barcode">`)
	require.Contains(t, page, "version 8, issuer <bdi>636014</bdi> (California), <bdi>USA</bdi>, subfiles DL, ZC")
	require.Contains(t, page, `<th>declared</th><th>barcode</th>`)
	require.Contains(t, page, `<tr><td>date_of_birth</td><td class="bad"><bdi>1980-01-01</bdi> ✗</td><td class="bad"><bdi>1977-08-31</bdi> ✗</td></tr>`)
	require.Contains(t, page, `<tr><td>document_number</td><td><bdi>D1234562</bdi></td><td><bdi>D1234562</bdi></td></tr>`)
	require.Contains(t, page, `<td><bdi>1234 ANY STREET, CITY, CA 00000</bdi></td>`)
}

// TestCaseViewNationalQR: a Vietnamese card's QR code is shown as a
// national identity code, its reading beside the declared data (a birth
// date that differs sends the case to review).
func TestCaseViewNationalQR(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	qr := "001099012345|123456789|Nguyễn Văn An|01021990|Nam|12 Phố Huế, Hà Nội|15062021"
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.AssetsDir = t.TempDir() })
	v := e.caseWith(e.pA, "an", kyc.PII{FirstName: "Văn An", LastName: "Nguyễn", DateOfBirth: "1991-02-01", DocumentNumber: "001099012345"},
		map[kyc.DocumentKind][]byte{kyc.DocIDFront: kyctest.JPEG(t, kyctest.CardWithCode(t, "QRCode", qr)),
			kyc.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(600, 800))})
	st, page := e.login("rev1").get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, page, "<dt>National identity code</dt><dd>vn_citizen_id, VN</dd>")
	require.Contains(t, page, `<tr><td>document_number</td><td><bdi>001099012345</bdi></td><td><bdi>001099012345</bdi></td></tr>`)
	require.Contains(t, page, `<tr><td>date_of_birth</td><td class="bad"><bdi>1991-02-01</bdi> ✗</td><td class="bad"><bdi>1990-02-01</bdi> ✗</td></tr>`)
}
