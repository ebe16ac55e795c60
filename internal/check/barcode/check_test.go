package barcode_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// env serves decoded images by document id and seals by naming the size.
type env struct {
	check.Env
	imgs map[string]image.Image
}

func (e env) DecodeImage(_ context.Context, d kyc.Document, _ int) (image.Image, func(), error) {
	img, ok := e.imgs[d.ID]
	if !ok {
		return nil, nil, fmt.Errorf("document %s: not an image", d.ID)
	}
	return img, func() {}, nil
}

func (env) Seal(p []byte, _ string) (string, error) {
	return fmt.Sprintf("sealed %d bytes", len(p)), nil
}

// TestDocumentCheck: what document.barcode concludes from what is on the
// back of the card, and from nothing.
func TestDocumentCheck(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	record := func(elements ...string) string {
		return "@\n\x1e\rANSI 636014080001DL00310000DL" + strings.Join(elements, "\n") + "\r"
	}
	vnQR := "001099012345|123456789|Nguyễn Văn An|01021990|Nam|12 Phố Huế, Hai Bà Trưng, Hà Nội|15062021"
	full := []string{"DAQD1234562", "DCSSAMPLE", "DACJOHN", "DBB08311977", "DBD08292020", "DBA08312031", "DCGUSA"}
	tests := []struct {
		name   string
		back   image.Image // nil: no id_back
		reader barcode.Reader
		status kyc.CheckStatus
		kind   kyc.NotRunKind
		reason string
		want   string // a part of the evidence JSON
	}{
		{"a complete record", kyctest.LicenceBack(t, record(full...)), barcode.Reader{}, kyc.CheckPassed, "", "",
			`"aamva":{"iin":"636014","version":8,"jurisdiction_version":0,"subfiles":["DL"],"country":"USA","issuer":{"name":"California","code":"CA","country":"USA"}}`},
		{"a Californian licence mailed to Texas", kyctest.LicenceBack(t, record(append(slices.Clone(full), "DAJTX")...)), barcode.Reader{}, kyc.CheckPassed, "",
			"", `"issuer":{"name":"California","code":"CA","country":"USA"}`},
		{"a Canadian record under California's IIN", kyctest.LicenceBack(t, record(append(slices.Clone(full[:6]), "DCGCAN")...)), barcode.Reader{}, kyc.CheckReview, "",
			kyc.ReasonTamperHints, `"doubts":["issuer_mismatch"]`},
		{"no birth date", kyctest.LicenceBack(t, record(full[0], full[1], full[2], full[5])), barcode.Reader{}, kyc.CheckReview, "",
			kyc.ReasonDocumentUnreadable, `"missing":["date_of_birth"],"doubts":["missing_elements"]`},
		{"born after the licence was issued", kyctest.LicenceBack(t, record(full[0], full[1], full[2], "DBB08312021", full[4], full[5])),
			barcode.Reader{}, kyc.CheckReview, "", kyc.ReasonTamperHints, `"doubts":["impossible_dates"]`},
		{"an AAMVA header cut short", kyctest.LicenceBack(t, "@\n\x1e\rANSI 6360"), barcode.Reader{}, kyc.CheckReview, "",
			kyc.ReasonDocumentUnreadable, `"problem":"aamva: header cut short"`},
		{"a Vietnamese citizen identity card's QR code", kyctest.CardWithCode(t, "QRCode", vnQR), barcode.Reader{}, kyc.CheckPassed, "", "",
			`"national":{"format":"vn_citizen_id","country":"VN"}`},
		{"a Vietnamese card issued before its holder was born", kyctest.CardWithCode(t, "QRCode", strings.Replace(vnQR, "15062021", "15061980", 1)),
			barcode.Reader{}, kyc.CheckReview, "", kyc.ReasonTamperHints, `"doubts":["impossible_dates"]`},
		{"a Vietnamese code whose birth date is no date", kyctest.CardWithCode(t, "QRCode", strings.Replace(vnQR, "01021990", "41021990", 1)),
			barcode.Reader{}, kyc.CheckReview, "", kyc.ReasonDocumentUnreadable, `"problem":"vn citizen id: birth date: not a date DDMMYYYY"`},
		{"a QR code only: kept, not judged", kyctest.CardWithCode(t, "QRCode", "https://example.org/v?id=42"), barcode.Reader{},
			kyc.CheckNotRun, kyc.NotRunNotApplicable, "", `"codes":[{"format":"QRCode","bytes":27}]`},
		{"no barcode", kyctest.SyntheticCard(1000, 630), barcode.Reader{}, kyc.CheckNotRun, kyc.NotRunNotApplicable, "",
			"no PDF417 or QR code found"},
		{"no card", nil, barcode.Reader{}, kyc.CheckNotRun, kyc.NotRunNotApplicable, "", "no id_front or id_back"},
		{"no decoder", kyctest.LicenceBack(t, record(full...)), barcode.Reader{Program: "/nonexistent/ZXingReader"}, kyc.CheckNotRun,
			kyc.NotRunUnavailable, kyc.ReasonCheckUnavailable, "zxing-cpp-tools"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := env{imgs: map[string]image.Image{}}
			s := &check.Subject{Now: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Env: e, Verification: kyc.Verification{ID: "ver_1"}}
			if tc.back != nil {
				e.imgs["doc_2"] = tc.back
				s.Documents = []kyc.Document{{ID: "doc_2", Kind: kyc.DocIDBack, ContentType: "image/png"}}
			}
			eng := &barcode.Engine{Reader: tc.reader}
			res := eng.Checkers()[0].Run(t.Context(), s)
			ev, err := json.Marshal(res.Evidence)
			require.NoError(t, err)
			require.Equal(t, tc.status, res.Status, "%s", ev)
			require.Equal(t, tc.kind, res.NotRunKind)
			require.Equal(t, tc.reason, res.ReasonCode)
			require.Contains(t, string(ev), tc.want)
			require.NotContains(t, string(ev), "SAMPLE")
			require.NotContains(t, string(ev), "example.org")
			for _, personal := range []string{"Nguyễn", "001099012345", "123456789", "01021990", "41021990", "15062021", "Phố Huế"} {
				require.NotContains(t, string(ev), personal)
			}
			// the source agrees with the check
			f := eng.Data(t.Context(), s)
			unparsed := strings.HasPrefix(tc.want, `"problem":`) // a record that does not parse is no data
			require.Equal(t, tc.status == kyc.CheckPassed || tc.status == kyc.CheckReview && !unparsed, f.OK)
			require.Equal(t, tc.kind == kyc.NotRunUnavailable, f.Unavailable)
			if f.OK {
				require.Equal(t, "barcode", f.Reading.Source)
				require.Equal(t, tc.status == kyc.CheckReview, len(f.Reading.Doubts) > 0)
			}
		})
	}
}
