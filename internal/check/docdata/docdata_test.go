package docdata_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/kyc"
)

// source is a docdata.Source that found f.
type source docdata.Found

func (s source) Data(context.Context, *check.Subject) docdata.Found { return docdata.Found(s) }

var (
	mrzTan = docdata.Reading{Source: "mrz", Document: kyc.DocIDFront, Surname: "TAN", GivenNames: "MEI LING", BirthDate: "1991-03-04",
		ExpiryDate: "2031-01-01", DocumentNumber: "K1234567A", Nationality: "SG", DoubtReason: kyc.ReasonMRZDoubtful}
	barcodeTan = docdata.Reading{Source: "barcode", Document: kyc.DocIDBack, Surname: "TAN", GivenNames: "MEI LING", BirthDate: "1991-03-04",
		ExpiryDate: "2031-01-01", IssueDate: "2021-01-01", DocumentNumber: "K1234567A"}
	declaredTan = kyc.PII{FirstName: "Mei Ling", LastName: "Tan", DateOfBirth: "1991-03-04", Nationality: "SG", DocumentNumber: "k 1234567-a"}
)

func with(r docdata.Reading, edit func(*docdata.Reading)) docdata.Reading {
	edit(&r)
	return r
}

// TestConsistency: declared data against every source read, and the
// sources against each other.
func TestConsistency(t *testing.T) {
	t.Parallel()
	missing := source{Reason: "tesseract not installed", Unavailable: true}
	none := source{Reason: "no machine readable zone found"}
	tests := []struct {
		name     string
		declared kyc.PII
		sources  []source
		status   kyc.CheckStatus
		kind     kyc.NotRunKind
		reason   string
		evidence string // a part of the evidence JSON
	}{
		{"one source agrees", declaredTan, []source{{OK: true, Reading: mrzTan}}, kyc.CheckPassed, "", "", `"mismatches":[]`},
		{"two sources agree", declaredTan, []source{{OK: true, Reading: mrzTan}, {OK: true, Reading: barcodeTan}}, kyc.CheckPassed, "", "",
			`"sources":["mrz","barcode"]`},
		{"the declared name differs", kyc.PII{FirstName: "John", LastName: "Smith", DateOfBirth: "1980-01-01"},
			[]source{{OK: true, Reading: mrzTan}}, kyc.CheckFailed, "", kyc.ReasonDataMismatch, `"mismatches":["name","date_of_birth"]`},
		{"the declared birth date differs from the barcode only", declaredTan,
			[]source{{OK: true, Reading: mrzTan}, {OK: true, Reading: with(barcodeTan, func(r *docdata.Reading) { r.BirthDate = "1991-04-03" })}},
			kyc.CheckFailed, "", kyc.ReasonDataMismatch, `"date_of_birth":{"match":false,"score":0}`},
		{"a mismatch against a reading in doubt asks a reviewer", kyc.PII{LastName: "Smith"},
			[]source{{OK: true, Reading: with(mrzTan, func(r *docdata.Reading) { r.Doubts = []string{"low_confidence"} })}},
			kyc.CheckReview, "", kyc.ReasonMRZDoubtful, `"doubts":["low_confidence"]`},
		{"the sources disagree with each other", kyc.PII{LastName: "Tan", FirstName: "Mei Ling"},
			[]source{{OK: true, Reading: mrzTan}, {OK: true, Reading: with(barcodeTan, func(r *docdata.Reading) { r.BirthDate = "1990-03-04" })}},
			kyc.CheckReview, "", kyc.ReasonTamperHints, `"disagreements":[{"field":"date_of_birth","sources":["mrz","barcode"]}]`},
		{"an engine missing and nothing read", declaredTan, []source{missing, none}, kyc.CheckNotRun, kyc.NotRunUnavailable,
			kyc.ReasonCheckUnavailable, "tesseract not installed; no machine readable zone found"},
		{"an engine missing, another source read", declaredTan, []source{missing, {OK: true, Reading: barcodeTan}}, kyc.CheckPassed, "", "",
			`"sources":["barcode"]`},
		{"nothing on the document", declaredTan, []source{none}, kyc.CheckNotRun, kyc.NotRunNotApplicable, "", "no machine readable zone"},
		{"a birth date the MRZ leaves partly unknown agrees", declaredTan, []source{{OK: true, Reading: with(mrzTan, func(r *docdata.Reading) { r.BirthDate = "1991-XX-XX" })}},
			kyc.CheckPassed, "", "", `"date_of_birth":{"match":true,"score":1}`},
		{"a birth date the MRZ leaves partly unknown differs", declaredTan, []source{{OK: true, Reading: with(mrzTan, func(r *docdata.Reading) { r.BirthDate = "2010-XX-XX" })}},
			kyc.CheckFailed, "", kyc.ReasonDataMismatch, `"mismatches":["date_of_birth"]`},
		{"nothing declared", kyc.PII{}, []source{{OK: true, Reading: mrzTan}}, kyc.CheckNotRun, kyc.NotRunNotApplicable, "",
			"no declared data"},
		{"a source failed", declaredTan, []source{{OK: true, Reading: mrzTan}, {Err: errors.New("decode: truncated")}}, kyc.CheckError, "",
			kyc.ReasonCheckUnavailable, "truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var srcs []docdata.Source
			for _, s := range tc.sources {
				srcs = append(srcs, s)
			}
			res := docdata.Consistency{Sources: srcs}.Run(t.Context(), &check.Subject{Applicant: kyc.Applicant{PII: tc.declared}})
			ev, err := json.Marshal(res.Evidence)
			require.NoError(t, err)
			require.Equal(t, tc.status, res.Status, "%s", ev)
			require.Equal(t, tc.kind, res.NotRunKind)
			require.Equal(t, tc.reason, res.ReasonCode)
			require.Contains(t, string(ev), tc.evidence)
		})
	}
}

// TestDates: the first source with a reading not in doubt gives the
// dates and is named; without one, the reasons of missing engines.
func TestDates(t *testing.T) {
	t.Parallel()
	doubtful := with(mrzTan, func(r *docdata.Reading) { r.Doubts = []string{"low_confidence"} })
	tests := []struct {
		name    string
		sources []source
		want    check.DocumentDates
		ok      bool
	}{
		{"the first source", []source{{OK: true, Reading: mrzTan}, {OK: true, Reading: barcodeTan}},
			check.DocumentDates{BirthDate: "1991-03-04", ExpiryDate: "2031-01-01", BirthSource: "mrz", ExpirySource: "mrz"}, true},
		{"no dates from a reading in doubt", []source{{OK: true, Reading: doubtful}, {OK: true, Reading: barcodeTan}},
			check.DocumentDates{BirthDate: "1991-03-04", ExpiryDate: "2031-01-01", BirthSource: "barcode", ExpirySource: "barcode"}, true},
		{"each date from the first source that holds it whole", []source{{OK: true, Reading: with(mrzTan, func(r *docdata.Reading) { r.BirthDate = "1991-XX-XX" })},
			{OK: true, Reading: barcodeTan}},
			check.DocumentDates{BirthDate: "1991-03-04", ExpiryDate: "2031-01-01", BirthSource: "barcode", ExpirySource: "mrz"}, true},
		{"nothing read, an engine missing", []source{{Reason: "zxing-cpp not installed", Unavailable: true}, {Reason: "no MRZ"}},
			check.DocumentDates{Unavailable: "zxing-cpp not installed"}, false},
		{"nothing read", []source{{OK: true, Reading: doubtful}, {Reason: "no barcode"}}, check.DocumentDates{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var srcs []docdata.Source
			for _, s := range tc.sources {
				srcs = append(srcs, s)
			}
			got, ok := docdata.Dates(srcs...)(t.Context(), &check.Subject{Now: time.Now()})
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNameSimilarity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		min  float64
		max  float64
	}{
		{"Tan Mei Ling", "TAN MEI LING", 1, 1},
		{"Müller Jürgen", "MULLER JURGEN", 1, 1},
		{"Mei Ling Tan", "TAN MEI LING", 1, 1},
		{"Иванов Пётр", "IVANOV PETR", 0.85, 1},
		{"Christopherson Alexandra", "CHRISTOPHERSO ALEXANDRA", 0.9, 1}, // truncated in the MRZ
		{"Smith John", "TAN MEI LING", 0, 0.4},
	}
	for _, tc := range tests {
		s := docdata.NameSimilarity(tc.a, tc.b)
		require.GreaterOrEqual(t, s, tc.min, "%s vs %s", tc.a, tc.b)
		require.LessOrEqual(t, s, tc.max, "%s vs %s", tc.a, tc.b)
	}
}

// TestClassificationBothDeclared: when the hosted page and the merchant
// declare different documents, the one read cannot agree with both: review.
func TestClassificationBothDeclared(t *testing.T) {
	t.Parallel()
	licence := with(barcodeTan, func(r *docdata.Reading) {
		r.DocumentTypes, r.IssuingCountry = []string{docdata.TypeDrivingLicense}, "US"
	})
	s := &check.Subject{Env: choice{docType: "driving_license", country: "us"},
		Applicant: kyc.Applicant{PII: kyc.PII{DocumentType: "passport", DocumentCountry: "US"}}}
	res := docdata.Classification{Sources: []docdata.Source{source{OK: true, Reading: licence}}}.Run(t.Context(), s)
	require.Equal(t, kyc.CheckReview, res.Status)
	require.Equal(t, kyc.ReasonDocumentTypeMismatch, res.ReasonCode)
	ev, err := json.Marshal(res.Evidence)
	require.NoError(t, err)
	require.Contains(t, string(ev), `"declared_type":"driving_license,passport","declared_country":"US","mismatches":["type"]`)
}

// choice is a check.Env whose hosted page declared a document.
type choice struct {
	check.Env
	docType, country string
	err              error
}

func (c choice) DocumentChoice(context.Context, string, string) (string, string, error) {
	return c.docType, c.country, c.err
}

// TestClassification: the type and issuer read against the declared ones.
func TestClassification(t *testing.T) {
	t.Parallel()
	passport := with(mrzTan, func(r *docdata.Reading) { r.DocumentTypes, r.IssuingCountry = docdata.MRZTypes("P"), "SG" })
	card := with(mrzTan, func(r *docdata.Reading) { r.DocumentTypes, r.IssuingCountry = docdata.MRZTypes("IR"), "FR" })
	licence := with(barcodeTan, func(r *docdata.Reading) {
		r.DocumentTypes, r.IssuingCountry = []string{docdata.TypeDrivingLicense}, "US"
	})
	tests := []struct {
		name     string
		sources  []source
		declared choice
		status   kyc.CheckStatus
		kind     kyc.NotRunKind
		reason   string
		evidence string
	}{
		{"a passport declared and read", []source{{OK: true, Reading: passport}}, choice{docType: "passport", country: "sg"},
			kyc.CheckPassed, "", "", `"types":["passport"],"country":"SG","confidence":0.99`},
		{"a card code allows a residence permit", []source{{OK: true, Reading: card}}, choice{docType: "residence_permit", country: "FR"},
			kyc.CheckPassed, "", "", `"types":["id_card","residence_permit"]`},
		{"a passport declared, a licence read", []source{{Reason: "no MRZ"}, {OK: true, Reading: licence}}, choice{docType: "passport", country: "US"},
			kyc.CheckReview, "", kyc.ReasonDocumentTypeMismatch, `"mismatches":["type"]`},
		{"another country", []source{{OK: true, Reading: passport}}, choice{docType: "passport", country: "PH"},
			kyc.CheckReview, "", kyc.ReasonDocumentTypeMismatch, `"declared_country":"PH","mismatches":["country"]`},
		{"two sources disagree", []source{{OK: true, Reading: passport}, {OK: true, Reading: licence}}, choice{},
			kyc.CheckReview, "", kyc.ReasonDocumentTypeMismatch, `"mismatches":["sources"]`},
		{"a reading in doubt lowers the confidence", []source{{OK: true, Reading: with(passport, func(r *docdata.Reading) { r.Doubts = []string{"x"} })}},
			choice{docType: "passport"}, kyc.CheckPassed, "", "", `"confidence":0.6`},
		{"nothing declared: kept as evidence", []source{{OK: true, Reading: licence}}, choice{}, kyc.CheckNotRun, kyc.NotRunNotApplicable, "",
			`"types":["driving_license"],"country":"US"`},
		{"nothing read", []source{{Reason: "no MRZ"}, {Reason: "no barcode"}}, choice{docType: "passport"}, kyc.CheckNotRun,
			kyc.NotRunNotApplicable, "", "no MRZ; no barcode"},
		{"an engine missing", []source{{Reason: "no tesseract", Unavailable: true}, {Reason: "no barcode"}}, choice{docType: "passport"},
			kyc.CheckNotRun, kyc.NotRunUnavailable, kyc.ReasonCheckUnavailable, "no tesseract"},
		{"nothing comparable read", []source{{OK: true, Reading: with(passport, func(r *docdata.Reading) { r.DocumentTypes = nil })}},
			choice{docType: "passport"}, kyc.CheckNotRun, kyc.NotRunNotApplicable, "", "was not read"},
		{"the type agrees but the country declared was not read", []source{{OK: true, Reading: with(licence, func(r *docdata.Reading) { r.IssuingCountry = "" })}},
			choice{docType: "driving_license", country: "US"}, kyc.CheckNotRun, kyc.NotRunNotApplicable, "", "was not read"},
		{"the declaration cannot be read", []source{{OK: true, Reading: passport}}, choice{err: errors.New("store down")},
			kyc.CheckError, "", kyc.ReasonCheckUnavailable, "store down"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var srcs []docdata.Source
			for _, s := range tc.sources {
				srcs = append(srcs, s)
			}
			res := docdata.Classification{Sources: srcs}.Run(t.Context(), &check.Subject{Env: tc.declared})
			// the same declaration made with the applicant instead of on the hosted page
			viaAPI := docdata.Classification{Sources: srcs}.Run(t.Context(), &check.Subject{Env: choice{err: tc.declared.err},
				Applicant: kyc.Applicant{PII: kyc.PII{DocumentType: tc.declared.docType, DocumentCountry: strings.ToUpper(tc.declared.country)}}})
			require.Equal(t, res, viaAPI)
			ev, err := json.Marshal(res.Evidence)
			require.NoError(t, err)
			require.Equal(t, tc.status, res.Status, "%s", ev)
			require.Equal(t, tc.kind, res.NotRunKind)
			require.Equal(t, tc.reason, res.ReasonCode)
			require.Contains(t, string(ev), tc.evidence)
		})
	}
}
