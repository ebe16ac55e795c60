package docdata

import (
	"context"
	"slices"
	"strings"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Document types, as the hosted page offers them (and visas, which an MRZ
// names).
const (
	TypePassport        = "passport"
	TypeIDCard          = "id_card"
	TypeDrivingLicense  = "driving_license"
	TypeResidencePermit = "residence_permit"
	TypeVisa            = "visa"
)

// MRZTypes are the types an ICAO 9303 document code allows: P is a
// passport, V a visa; A, C and I are the cards, which an issuer uses for
// identity cards and residence permits alike (IR, AR, IT, C1 are residence
// permits of the public specimens, ID and I< identity cards — but the
// second letter is the issuer's to choose), so both are allowed.
func MRZTypes(code string) []string {
	if code == "" {
		return nil
	}
	switch code[0] {
	case 'P':
		return []string{TypePassport}
	case 'V':
		return []string{TypeVisa}
	case 'A', 'C', 'I':
		return []string{TypeIDCard, TypeResidencePermit}
	}
	return nil
}

// Classification is document.classification: the document's type and
// issuing country as the sources read them, against those declared for it.
type Classification struct {
	Sources []Source
}

func (Classification) Kind() kyc.CheckKind { return kyc.KindClassification }
func (Classification) Version() string     { return "2" } // 2: the printed zone's titles among the sources

// ClassificationEvidence is document.classification's evidence.
type ClassificationEvidence struct {
	Reason     string   `json:"reason,omitempty"`
	Types      []string `json:"types"`   // the types every source allows
	Country    string   `json:"country"` // ISO alpha-2, "" unknown
	Confidence float64  `json:"confidence"`
	Sources    []string `json:"sources"`
	// DeclaredType and DeclaredCountry are what was declared (comma-separated
	// when the hosted page and the merchant declared different ones).
	DeclaredType    string `json:"declared_type,omitempty"`
	DeclaredCountry string `json:"declared_country,omitempty"`
	// Mismatches are "type" and "country" when they differ from the
	// declared ones, "sources" when two sources disagree with each other.
	Mismatches []string `json:"mismatches"`
}

// Run classifies from every reading: the types all sources allow and the
// issuing country. It passes when everything declared was read and agrees
// — the declared type is among the types and the declared country is the
// issuer's —; review with DOCUMENT_TYPE_MISMATCH
// when either differs, or when two sources disagree (a passport's MRZ
// and a licence's barcode on one verification). Not applicable with
// nothing declared (the classification is kept as evidence) or nothing
// read; unavailable when something was declared, nothing was read and a
// source's engine is missing.
func (c Classification) Run(ctx context.Context, s *check.Subject) check.Result {
	hostedType, hostedCountry, err := s.Env.DocumentChoice(ctx, s.Verification.MerchantID, s.Verification.ID)
	if err != nil {
		return check.Errored(err)
	}
	// Both declarations count: the hosted page's choice and the merchant's
	// (the applicant's document_type, document_country); each must agree.
	types := declaredValues(hostedType, s.Applicant.PII.DocumentType)
	countries := declaredValues(strings.ToUpper(hostedCountry), strings.ToUpper(s.Applicant.PII.DocumentCountry))
	declared := len(types) > 0 || len(countries) > 0
	readings, reasons, unavailable, err := gather(ctx, s, c.Sources, func(r Reading) bool { return len(r.DocumentTypes) > 0 || r.IssuingCountry != "" })
	if err != nil {
		return check.Errored(err)
	}
	if len(readings) == 0 {
		switch {
		case !declared:
			return check.NotApplicable("no document type or country declared to compare with, and none read: " + strings.Join(reasons, "; "))
		case unavailable:
			return check.Unavailable(strings.Join(reasons, "; "))
		}
		return check.NotApplicable(strings.Join(reasons, "; "))
	}
	ev := ClassificationEvidence{Mismatches: []string{}, Confidence: 0.99}
	for i, rd := range readings {
		ev.Sources = append(ev.Sources, rd.Source)
		if len(rd.Doubts) > 0 {
			ev.Confidence = 0.6 // the document code or issuer may be misread
		}
		switch {
		case i == 0 || len(ev.Types) == 0:
			ev.Types = slices.Clone(rd.DocumentTypes)
		case len(rd.DocumentTypes) > 0:
			both := slices.DeleteFunc(slices.Clone(ev.Types), func(t string) bool { return !slices.Contains(rd.DocumentTypes, t) })
			if len(both) == 0 {
				ev.Mismatches = appendNew(ev.Mismatches, "sources")
				ev.Types = append(ev.Types, rd.DocumentTypes...)
			} else {
				ev.Types = both
			}
		}
		switch {
		case ev.Country == "":
			ev.Country = rd.IssuingCountry
		case rd.IssuingCountry != "" && rd.IssuingCountry != ev.Country:
			ev.Mismatches = appendNew(ev.Mismatches, "sources")
		}
	}
	if ev.Types == nil {
		ev.Types = []string{}
	}
	ev.DeclaredType, ev.DeclaredCountry = strings.Join(types, ","), strings.Join(countries, ",")
	for _, t := range types {
		if len(ev.Types) > 0 && !slices.Contains(ev.Types, t) {
			ev.Mismatches = appendNew(ev.Mismatches, "type")
		}
	}
	for _, c := range countries {
		if ev.Country != "" && c != ev.Country {
			ev.Mismatches = appendNew(ev.Mismatches, "country")
		}
	}
	typeCompared := len(types) > 0 && len(ev.Types) > 0
	countryCompared := len(countries) > 0 && ev.Country != ""
	switch {
	case len(ev.Mismatches) > 0:
		return check.Result{Status: kyc.CheckReview, ReasonCode: kyc.ReasonDocumentTypeMismatch, Evidence: ev}
	case !declared:
		ev.Reason = "no document type or country declared to compare with"
		return check.Result{Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable, Evidence: ev}
	case len(types) > 0 && !typeCompared || len(countries) > 0 && !countryCompared:
		ev.Reason = "the document's type or issuing country declared was not read from it"
		return check.Result{Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: ev.Confidence, Evidence: ev}
}

// declaredValues are the distinct non-empty values of a and b.
func declaredValues(a, b string) []string {
	var out []string
	for _, v := range []string{a, b} {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
