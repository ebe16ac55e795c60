package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/webhook"
)

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		code int
	}{
		{errors.New("disk on fire"), CodeGeneral},
		{kyc.ErrUnauthenticated, CodeAppID},
		{kyc.ErrForbidden, CodeUnavailable},
		{kyc.Conflict("x", "taken"), CodeDuplicate},
		{kyc.ErrNotFound, CodeNotFound},
		{kyc.Invalid("return_url", "url", "bad"), CodeParam},
		{fail(CodeExpired, "timestamp: stale"), CodeExpired},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		(&Dialect{}).writeErr(w, httptest.NewRequest(http.MethodPost, PathInit, nil), tc.err)
		require.Equal(t, http.StatusOK, w.Code)
		var res Response
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &res))
		require.Equal(t, tc.code, res.Code, "%v", tc.err)
		require.NotContains(t, res.Message, "disk on fire")
		require.Empty(t, res.Sign, "errors carry no data and no signature")
	}
}

func TestAggregate(t *testing.T) {
	t.Parallel()
	c := func(kind kyc.CheckKind, s kyc.CheckStatus) kyc.Check { return kyc.Check{Kind: kind, Status: s} }
	all := func(kyc.CheckKind) bool { return true }
	require.Equal(t, "Pending", aggregate(nil, all), "nothing ran yet")
	na := kyc.Check{Kind: "b", Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable}
	require.Equal(t, "Success", aggregate([]kyc.Check{c("a", kyc.CheckPassed), na}, all), "nothing to check counts neither way")
	require.Equal(t, "Pending", aggregate([]kyc.Check{c("a", kyc.CheckPassed), c("b", kyc.CheckNotRun)}, all), "an engine that could not run is no success")
	require.Equal(t, "Failure", aggregate([]kyc.Check{c("a", kyc.CheckPassed), c("b", kyc.CheckFailed)}, all))
	require.Equal(t, "Pending", aggregate([]kyc.Check{c("a", kyc.CheckPassed), c("b", kyc.CheckError)}, all))
	require.Equal(t, "Pending", aggregate([]kyc.Check{c("a", kyc.CheckNotRun)}, all))
}

// FuzzInitParam feeds arbitrary param objects to the Init validator: it
// never panics, refuses with 21002/21008/21009 naming the field, and what it
// accepts keeps the rules.
func FuzzInitParam(f *testing.F) {
	f.Add(`{"mchOrderId":"A1","userId":"u","docType":"PASSPORT","notifyUrl":"https://m.example/n","locale":"zh_CN"}`)
	f.Add(`{"mchOrderId":123,"userId":null,"timestamp":"x"}`)
	f.Add(`{"mchOrderId":"A1","userId":"u","flow":"H5"}`)
	f.Add(`{"mchOrderId":"A1","userId":{"a":1}}`)
	h := New(Config{ValidateURL: webhook.URLValidator{Lookup: kyctest.Lookup}.Validate, Now: func() time.Time { return time.UnixMilli(1_732_988_442_913) }})
	f.Fuzz(func(t *testing.T, param string) {
		var r request
		if json.Unmarshal([]byte(param), &r.fields) != nil || r.fields == nil {
			return
		}
		in, err := h.initParam(context.Background(), r)
		if err != nil {
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, CodeParam, e.Code)
			return
		}
		require.Regexp(t, `^[A-Za-z0-9]{1,32}$`, in.MchOrderID)
		require.NotEmpty(t, in.UserID)
		require.Contains(t, []string{"", "en", "zh-CN"}, in.Locale)
	})
}

// TestRiskInfoMalformedEvidence: a stored evidence without its check's
// shape gives an error naming the check, never a panic; well-formed
// evidence gives the risk details.
func TestRiskInfoMalformedEvidence(t *testing.T) {
	t.Parallel()
	failed := func(kind kyc.CheckKind, ev string) kyc.Check {
		return kyc.Check{ID: "chk_1", Kind: kind, Status: kyc.CheckFailed, Evidence: []byte(ev)}
	}
	for _, tc := range []struct {
		kind kyc.CheckKind
		ev   string
	}{
		{"duplicate.identity", `{"matches":[{"field":42}]}`},
		{"duplicate.identity", `{"matches":"x"}`},
		{"duplicate.identity", `not json`},
		{"blocklist", `{"matched":[1,2]}`},
		{"blocklist", `{"matched":{"a":1}}`},
	} {
		_, err := riskInfo([]kyc.Check{failed(tc.kind, tc.ev)}, "apl_1")
		require.ErrorContains(t, err, "check chk_1 ("+string(tc.kind)+"): evidence", tc.ev)
	}
	ri, err := riskInfo([]kyc.Check{
		failed("duplicate.identity", `{"matches":[{"applicant_id":"apl_2","field":"phone"},{"applicant_id":"apl_3","field":"email"},{"applicant_id":"apl_4","field":"email"}]}`),
		failed("blocklist", `{"matched":["name"]}`),
	}, "apl_1")
	require.NoError(t, err)
	require.Equal(t, []RiskDetail{{Type: "DUPLICATE", SubType: "EMAIL"}, {Type: "DUPLICATE", SubType: "PHONE"}, {Type: "BLACKLIST", SubType: "NAME"}},
		ri.AdvancedIdnDetail.RiskDetails)
	require.Equal(t, []BlackListEntry{{ListID: "name", ItemID: "apl_1", ItemType: "name", SimilarScore: 100}}, ri.BlackListDetails)
}

// TestAddOCR: the sealed MRZ reading fills ocrResult (the dates of a real
// reading come back as printed); a malformed evidence row or reading is an
// error naming the check, never a panic.
func TestAddOCR(t *testing.T) {
	t.Parallel()
	lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "SGP", Surname: "TAN", GivenNames: "MEI LING", DocumentNumber: "K1234567A",
		Nationality: "SGP", BirthDate: "910304", Sex: "F", ExpiryDate: "310101"})
	require.NoError(t, err)
	d, err := mrz.Parse(lines...)
	require.NoError(t, err)
	reading, err := json.Marshal(mrz.Reading{Lines: lines, Document: d})
	require.NoError(t, err)
	open := func(sealed string) ([]byte, error) {
		switch sealed {
		case "sealed":
			return reading, nil
		case "garbled":
			return []byte(`{"document":{"birth_date":"1991-3-4"}}`), nil
		}
		return nil, errors.New("does not open")
	}
	mrzCheck := func(ev string) []kyc.Check {
		return []kyc.Check{{ID: "chk_m", Kind: kyc.KindMRZ, Status: kyc.CheckPassed, Evidence: []byte(ev)}}
	}
	var res Result
	require.NoError(t, addOCR(mrzCheck(`{"reading_sealed":"sealed","confidence":98}`), &res, open))
	require.Equal(t, OCRResult{IDNumber: "K1234567A", LastName: "TAN", FirstName: "MEI LING", FirstNameFull: "MEI LING TAN", DateOfBirth: "1991-03-04",
		DateOfExpiry: "2031-01-01", CountryCode: "SGP", Sex: "F", IssuingState: "SGP"}, res.IDInfo.OCRResult)
	require.Equal(t, "K1234567A", res.BasicInfo.CertNo)
	require.Equal(t, "1", res.IDInfo.SpoofResult.MaterialCheck)
	for _, ev := range []string{`{"reading_sealed":42}`, `not json`, `{"reading_sealed":"garbled"}`, `{"reading_sealed":"other"}`} {
		require.Error(t, addOCR(mrzCheck(ev), &Result{}, open), ev)
	}
	require.ErrorContains(t, addOCR(mrzCheck(`[]`), &Result{}, open), "check chk_m (document.mrz): evidence")
}

// TestAddOCRFromPrintedZone: without an MRZ or a barcode, ocrResult takes
// the fields of a printed zone that passed document.viz, read at the
// confidence the pipeline uses (a field below it stays empty); with an
// MRZ, only the address and date of issue the MRZ lacks; a printed zone
// that did not pass gives nothing.
func TestAddOCRFromPrintedZone(t *testing.T) {
	t.Parallel()
	fields := map[string]viz.Field{
		viz.FieldSurname: {Value: "MARTIN", Confidence: 0.95}, viz.FieldGivenNames: {Value: "CAMILLE", Confidence: 0.9},
		viz.FieldBirthDate: {Value: "1990-03-12", Confidence: 0.93}, viz.FieldDocumentNumber: {Value: "X4RTBPFW4", Confidence: 0.5},
		viz.FieldIssueDate: {Value: "2021-05-02", Confidence: 0.9}, viz.FieldAddress: {Value: "12 RUE DE LA PAIX, PARIS", Confidence: 0.85},
	}
	sealed, err := json.Marshal(map[string]any{"viz": fields})
	require.NoError(t, err)
	open := func(s string) ([]byte, error) {
		if s == "sealed" {
			return sealed, nil
		}
		return nil, errors.New("does not open")
	}
	vizCheck := kyc.Check{ID: "chk_v", Kind: kyc.KindVIZ, Status: kyc.CheckPassed, Evidence: []byte(`{"fields":{},"reading_sealed":"sealed","labels":6,"models":["fra","eng"],"skew":0}`)}
	var res Result
	require.NoError(t, addOCR([]kyc.Check{vizCheck}, &res, open))
	require.Equal(t, OCRResult{LastName: "MARTIN", FirstName: "CAMILLE", FirstNameFull: "CAMILLE MARTIN", DateOfBirth: "1990-03-12",
		DateOfIssue: "2021-05-02", Address: "12 RUE DE LA PAIX, PARIS"}, res.IDInfo.OCRResult, "the number is below the confidence used")
	require.Empty(t, res.IDInfo.SpoofResult.MaterialCheck, "a printed zone is no material check")

	lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "FRA", Surname: "MARTIN", GivenNames: "CAMILLE", DocumentNumber: "X4RTBPFW4",
		Nationality: "FRA", BirthDate: "900312", Sex: "F", ExpiryDate: "310101"})
	require.NoError(t, err)
	d, err := mrz.Parse(lines...)
	require.NoError(t, err)
	reading, err := json.Marshal(mrz.Reading{Lines: lines, Document: d})
	require.NoError(t, err)
	both := func(s string) ([]byte, error) {
		if s == "mrz" {
			return reading, nil
		}
		return open(s)
	}
	res = Result{}
	require.NoError(t, addOCR([]kyc.Check{{ID: "chk_m", Kind: kyc.KindMRZ, Status: kyc.CheckPassed, Evidence: []byte(`{"reading_sealed":"mrz"}`)}, vizCheck}, &res, both))
	require.Equal(t, "X4RTBPFW4", res.IDInfo.OCRResult.IDNumber)
	require.Equal(t, "2021-05-02", res.IDInfo.OCRResult.DateOfIssue)
	require.Equal(t, "12 RUE DE LA PAIX, PARIS", res.IDInfo.OCRResult.Address)
	require.Error(t, addOCR([]kyc.Check{{ID: "chk_v", Kind: kyc.KindVIZ, Status: kyc.CheckPassed, Evidence: []byte(`{"reading_sealed":"other"}`)}}, &Result{}, open))
	for _, st := range []kyc.CheckStatus{kyc.CheckReview, kyc.CheckNotRun} {
		res = Result{}
		c := vizCheck
		c.Status = st
		require.NoError(t, addOCR([]kyc.Check{c}, &res, open))
		require.Empty(t, res.IDInfo.OCRResult, "a printed zone that did not pass is no holder's data (%s)", st)
	}
}
