package review

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/kyc"
)

// TestReadEvidence: the case view reads each check's evidence through the
// check's own type; a malformed row, or a seal that does not open, names
// the check in Unreadable and never panics.
func TestReadEvidence(t *testing.T) {
	t.Parallel()
	reading, err := json.Marshal(mrz.Reading{Lines: []string{"P<UTOERIKSSON<<ANNA<MARIA"}})
	require.NoError(t, err)
	sealed := map[string][]byte{"seal-doc": {0xff, 0xd8}, "seal-selfie": {0xff, 0xd9}, "seal-mrz": reading}
	open := func(s string) ([]byte, error) {
		if b, ok := sealed[s]; ok {
			return b, nil
		}
		return nil, errors.New("does not open")
	}
	ev := func(kind kyc.CheckKind, v any) kyc.Check {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return kyc.Check{ID: "chk_" + string(kind), Kind: kind, Status: kyc.CheckPassed, Evidence: b}
	}
	score, live := 0.91, 0.8
	good := map[kyc.CheckKind]kyc.Check{
		kyc.KindFaceMatch: ev(kyc.KindFaceMatch, face.MatchEvidence{Score: &score, DocumentCrop: "seal-doc", SelfieCrop: "seal-selfie", PassiveLiveness: &live}),
		kyc.KindMRZ:       ev(kyc.KindMRZ, mrz.Evidence{ReadingSealed: "seal-mrz"}),
		kyc.KindConsistency: ev(kyc.KindConsistency, docdata.ConsistencyEvidence{Fields: map[string]docdata.FieldMatch{
			"name": {Match: true, Score: 0.97}, "date_of_birth": {Match: false}}, Mismatches: []string{"date_of_birth"}}),
		kyc.KindTamperHints: ev(kyc.KindTamperHints, document.TamperEvidence{Documents: map[string]document.TamperDocument{
			"id_front": {Hints: []document.Hint{{Kind: "editor_software", Strong: true}}}}}),
		kyc.KindFaceDuplicate: ev(kyc.KindFaceDuplicate, face.DuplicateEvidence{ApplicantID: "apl_b", BestScore: &score, Compared: 3}),
	}
	var c Case
	c.readEvidence(good, open)
	require.Empty(t, c.Unreadable)
	require.Equal(t, &FaceEvidence{Status: kyc.CheckPassed, Score: 0.91, DocumentCrop: []byte{0xff, 0xd8}, SelfieCrop: []byte{0xff, 0xd9},
		PassiveLive: 0.8, HasPassiveLive: true}, c.Face)
	require.Equal(t, []string{"P<UTOERIKSSON<<ANNA<MARIA"}, c.MRZ.Lines)
	require.Equal(t, []ConsistencyRow{{Field: "date_of_birth"}, {Field: "name", Match: true, Score: 0.97}}, c.Consistency)
	require.Len(t, c.Tamper, 1)
	require.True(t, c.Tamper[0].Hints[0].Strong)
	require.Equal(t, []Duplicate{{ApplicantID: "apl_b", Field: "face", Score: 0.91}}, c.Duplicates)

	bad := map[kyc.CheckKind]kyc.Check{}
	for kind, ck := range good {
		ck.Evidence = []byte(`{"score":"high","reading_sealed":7,"fields":[1],"documents":"x","applicant_id":{}}`)
		bad[kind] = ck
	}
	bad[kyc.KindDuplicateIdentity] = kyc.Check{Kind: kyc.KindDuplicateIdentity, Evidence: []byte(`{"matches":{"field":1}}`)}
	var b Case
	require.NotPanics(t, func() { b.readEvidence(bad, open) })
	require.ElementsMatch(t, []kyc.CheckKind{kyc.KindFaceMatch, kyc.KindMRZ, kyc.KindConsistency, kyc.KindTamperHints, kyc.KindFaceDuplicate,
		kyc.KindDuplicateIdentity}, b.Unreadable)
	require.Nil(t, b.Face)
	require.Nil(t, b.MRZ)

	// well-formed, but the sealed reading and the face crops do not open
	var sealedBad Case
	sealedBad.readEvidence(map[kyc.CheckKind]kyc.Check{kyc.KindMRZ: ev(kyc.KindMRZ, mrz.Evidence{ReadingSealed: "other"}),
		kyc.KindFaceMatch: ev(kyc.KindFaceMatch, face.MatchEvidence{Score: &score, DocumentCrop: "nope", SelfieCrop: "seal-selfie"})}, open)
	require.ElementsMatch(t, []kyc.CheckKind{kyc.KindMRZ, kyc.KindFaceMatch}, sealedBad.Unreadable)
	require.NotNil(t, sealedBad.Face, "the score is still shown")
}

// TestDataTable: the declared data beside the MRZ's and the barcode's
// readings; a declared value one source contradicts is marked in both,
// and two sources that disagree are marked where they do.
func TestDataTable(t *testing.T) {
	t.Parallel()
	lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD1, DocumentCode: "I", IssuingState: "USA", Surname: "SAMPLE", GivenNames: "JOHN",
		DocumentNumber: "D1234562", Nationality: "USA", BirthDate: "770831", Sex: "M", ExpiryDate: "310831"})
	require.NoError(t, err)
	d, err := mrz.Parse(lines...)
	require.NoError(t, err)
	c := Case{Applicant: kyc.Applicant{PII: kyc.PII{FirstName: "John", LastName: "Sample", DateOfBirth: "1977-08-31",
		Address: &kyc.Address{Line1: "1 Main St", City: "Springfield"}}}, MRZ: &mrz.Reading{Document: d},
		Barcode: &BarcodeView{License: &barcode.License{Surname: "SAMPLE", GivenNames: "JOHN", DateOfBirth: "1977-08-30",
			DocumentNumber: "D1234562", DateOfExpiry: "2031-08-31"}}}
	tab := c.dataTable(docdata.ConsistencyEvidence{Sources: []string{"mrz", "barcode"},
		BySource: map[string]map[string]docdata.FieldMatch{"mrz": {"date_of_birth": {Match: true, Score: 1}},
			"barcode": {"date_of_birth": {Match: false}}},
		Disagreements: []docdata.Disagreement{{Field: "date_of_birth", Sources: [2]string{"mrz", "barcode"}}}})
	require.Equal(t, []string{"declared", "mrz", "barcode"}, tab.Columns)
	rows := map[string][]DataCell{}
	for _, r := range tab.Rows {
		rows[r.Field] = r.Cells
	}
	require.Equal(t, []DataCell{{Value: "1977-08-31", Bad: true}, {Value: "1977-08-31", Bad: true}, {Value: "1977-08-30", Bad: true}},
		rows["date_of_birth"])
	require.Equal(t, []DataCell{{Value: "Sample"}, {Value: "SAMPLE"}, {Value: "SAMPLE"}}, rows["surname"])
	require.Equal(t, []DataCell{{Value: "1 Main St, Springfield"}, {}, {}}, rows["address"])
	require.Equal(t, []DataCell{{}, {Value: "USA"}, {}}, rows["nationality"])
	require.NotContains(t, rows, "date_of_issue", "no column holds it")
	require.Nil(t, (&Case{}).dataTable(docdata.ConsistencyEvidence{}), "nothing read from the document")

	// the printed zone's column: fields at the confidence used, a full name whole
	c.VIZ = &VIZView{Fields: map[string]viz.Field{viz.FieldFullName: {Value: "JOHN SAMPLE", Confidence: 0.9},
		viz.FieldBirthDate: {Value: "1977-08-31", Confidence: 0.5}, viz.FieldIssueDate: {Value: "2017-08-29", Confidence: 0.95}}}
	tab = c.dataTable(docdata.ConsistencyEvidence{Sources: []string{"mrz", "barcode", "viz"}})
	require.Equal(t, []string{"declared", "mrz", "barcode", "viz"}, tab.Columns)
	rows = map[string][]DataCell{}
	for _, r := range tab.Rows {
		rows[r.Field] = r.Cells
	}
	require.Equal(t, DataCell{Value: "JOHN SAMPLE"}, rows["surname"][3])
	require.Equal(t, DataCell{}, rows["date_of_birth"][3], "below the confidence used")
	require.Equal(t, DataCell{Value: "2017-08-29"}, rows["date_of_issue"][3])
	require.Equal(t, []VIZRow{{Name: viz.FieldFullName, Field: viz.Field{Value: "JOHN SAMPLE", Confidence: 0.9}, Used: true},
		{Name: viz.FieldBirthDate, Field: viz.Field{Value: "1977-08-31", Confidence: 0.5}},
		{Name: viz.FieldIssueDate, Field: viz.Field{Value: "2017-08-29", Confidence: 0.95}, Used: true}}, c.VIZ.Rows())
}
