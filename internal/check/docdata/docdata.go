// Package docdata gathers what the engines read from an identity document
// — the MRZ, the barcode — and judges it: data.consistency compares the
// declared data with every source read and the sources with each other,
// and Dates gives data.age and data.expiry the document's own dates from
// the best source read.
package docdata

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
)

// Reading is the identity data one source read from a document. Dates are
// YYYY-MM-DD, with XX for a month or day the document leaves unknown (an
// MRZ may); a field the source does not hold is "".
type Reading struct {
	Source         string           // "mrz", "barcode"
	Document       kyc.DocumentKind // the side it was read from
	Surname        string
	GivenNames     string
	BirthDate      string
	ExpiryDate     string
	IssueDate      string
	DocumentNumber string
	Nationality    string // ISO 3166 alpha-2
	// DocumentTypes are the types the document may be (Type*), by what the
	// source read (an MRZ's document code, a barcode's subfiles); several
	// when the source cannot tell them apart.
	DocumentTypes []string
	// IssuingCountry is the issuer's country, ISO 3166 alpha-2 ("" when the
	// issuer is not a country or is unknown).
	IssuingCountry string
	// Doubts are the source's reasons to doubt the reading: it is compared,
	// but a disagreement asks a reviewer (DoubtReason) rather than failing,
	// and its dates are not used.
	Doubts      []string
	DoubtReason string
}

// Found is a source's outcome for a subject: a reading, or why there is
// none.
type Found struct {
	Reading Reading
	OK      bool   // Reading holds what was read, fit to compare
	Reason  string // why there is no reading
	// Unavailable: the source's engine is missing (an operator's problem),
	// not the document's.
	Unavailable bool
	Err         error // reading failed
}

// Source reads a subject's document data; it memoises its work on the
// subject, as the checks it also serves read the same.
type Source interface {
	Data(ctx context.Context, s *check.Subject) Found
}

// Consistency is data.consistency over sources, in order of trust (the
// first one's dates win).
type Consistency struct {
	Sources []Source
}

func (Consistency) Kind() kyc.CheckKind { return kyc.KindConsistency }
func (Consistency) Version() string     { return "3" } // 3: the printed zone among the sources

// Run compares the declared data — names (transliterated, normalised,
// similarity), birth date, document number, nationality — with every
// reading, and the readings of different sources with each other. A
// declared field that differs from a reading fails (DATA_MISMATCH), or
// asks a reviewer when every reading it differs from is in doubt; two
// sources that disagree on the holder are a tamper signal (TAMPER_HINTS,
// review). Without a reading the check does not run: unavailable when a
// source's engine is missing, else not applicable.
func (c Consistency) Run(ctx context.Context, s *check.Subject) check.Result {
	readings, reasons, unavailable, err := gather(ctx, s, c.Sources, func(r Reading) bool {
		return r.Surname != "" || r.GivenNames != "" || r.BirthDate != "" || r.DocumentNumber != "" || r.Nationality != ""
	})
	if err != nil {
		return check.Errored(err)
	}
	if len(readings) == 0 {
		if unavailable {
			return check.Unavailable(strings.Join(reasons, "; "))
		}
		return check.NotApplicable(strings.Join(reasons, "; "))
	}
	ev := ConsistencyEvidence{Fields: map[string]FieldMatch{}, Mismatches: []string{}}
	doubtedOnly := true // every mismatch is against a reading in doubt
	reason := ""
	for _, rd := range readings {
		ev.Sources = append(ev.Sources, rd.Source)
		fields := declaredMatches(s.Applicant.PII, rd)
		if len(readings) > 1 && len(fields) > 0 {
			if ev.BySource == nil {
				ev.BySource = map[string]map[string]FieldMatch{}
			}
			ev.BySource[rd.Source] = fields
		}
		for _, name := range fieldOrder {
			m, ok := fields[name]
			if !ok {
				continue
			}
			if cur, ok := ev.Fields[name]; ok { // one source's mismatch is the field's
				m = FieldMatch{Match: cur.Match && m.Match, Score: math.Min(cur.Score, m.Score)}
			}
			ev.Fields[name] = m
			if !m.Match && !slices.Contains(ev.Mismatches, name) {
				ev.Mismatches = append(ev.Mismatches, name)
			}
		}
		for _, m := range fields {
			if !m.Match {
				if len(rd.Doubts) == 0 {
					doubtedOnly = false
				} else {
					ev.Doubts = appendNew(ev.Doubts, rd.Doubts...)
					reason = rd.DoubtReason
				}
				break
			}
		}
	}
	for i, a := range readings {
		for _, b := range readings[i+1:] {
			if a.Source == b.Source {
				continue
			}
			for _, f := range crossMismatches(a, b) {
				ev.Disagreements = append(ev.Disagreements, Disagreement{Field: f, Sources: [2]string{a.Source, b.Source}})
			}
		}
	}
	switch {
	case len(ev.Mismatches) > 0 && !doubtedOnly:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDataMismatch, Evidence: ev}
	case len(ev.Mismatches) > 0:
		// the readings themselves are in doubt: a person compares
		return check.Result{Status: kyc.CheckReview, ReasonCode: reason, Evidence: ev}
	case len(ev.Disagreements) > 0:
		return check.Result{Status: kyc.CheckReview, ReasonCode: kyc.ReasonTamperHints, Evidence: ev}
	case len(ev.Fields) == 0:
		return check.NotApplicable("no declared data to compare with the document")
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// fieldOrder is the order in which fields are compared and listed.
var fieldOrder = []string{"name", "date_of_birth", "document_number", "nationality"}

// gather asks every source for its reading: those fit (OK and keep), or
// why there is none, and whether a source's engine is missing; a source
// that failed is the error.
func gather(ctx context.Context, s *check.Subject, sources []Source, keep func(Reading) bool) (readings []Reading, reasons []string, unavailable bool, err error) {
	for _, src := range sources {
		f := src.Data(ctx, s)
		switch {
		case f.Err != nil:
			return nil, nil, false, f.Err
		case f.OK && keep(f.Reading):
			readings = append(readings, f.Reading)
		case f.OK:
			reasons = append(reasons, f.Reading.Source+": nothing to compare read")
		default:
			reasons = append(reasons, f.Reason)
			unavailable = unavailable || f.Unavailable
		}
	}
	return readings, reasons, unavailable, nil
}

// declaredMatches compares the declared data with a reading, field by
// field, where both hold the field.
func declaredMatches(p kyc.PII, rd Reading) map[string]FieldMatch {
	fields := map[string]FieldMatch{}
	compare := func(name string, match bool, score float64) {
		fields[name] = FieldMatch{Match: match, Score: math.Round(score*100) / 100}
	}
	if (p.LastName != "" || p.FirstName != "") && (rd.Surname != "" || rd.GivenNames != "") {
		sc := NameSimilarity(p.LastName+" "+p.FirstName, rd.Surname+" "+rd.GivenNames)
		compare("name", sc >= NameThreshold, sc)
	}
	if p.DateOfBirth != "" && rd.BirthDate != "" {
		same := sameDate(p.DateOfBirth, rd.BirthDate) // a declared date against what the document holds of it
		compare("date_of_birth", same, b2f(same))
	}
	if p.DocumentNumber != "" && rd.DocumentNumber != "" {
		// declared numbers may carry spaces and punctuation the document drops
		same := pii.DocumentNumberKey(p.DocumentNumber) == pii.DocumentNumberKey(rd.DocumentNumber)
		compare("document_number", same, b2f(same))
	}
	if p.Nationality != "" && rd.Nationality != "" {
		same := strings.EqualFold(p.Nationality, rd.Nationality)
		compare("nationality", same, b2f(same))
	}
	return fields
}

// crossMismatches are the fields on which two sources' readings of the
// holder disagree (each field compared where both hold it).
func crossMismatches(a, b Reading) []string {
	var out []string
	if (a.Surname != "" || a.GivenNames != "") && (b.Surname != "" || b.GivenNames != "") &&
		NameSimilarity(a.Surname+" "+a.GivenNames, b.Surname+" "+b.GivenNames) < NameThreshold {
		out = append(out, "name")
	}
	differ := func(name, x, y string) {
		if x != "" && y != "" && !sameDate(x, y) && !sameDate(y, x) {
			out = append(out, name)
		}
	}
	differ("date_of_birth", a.BirthDate, b.BirthDate)
	differ("date_of_expiry", a.ExpiryDate, b.ExpiryDate)
	differ("document_number", pii.DocumentNumberKey(a.DocumentNumber), pii.DocumentNumberKey(b.DocumentNumber))
	return out
}

// Dates gives data.age and data.expiry the document's dates, each from the
// first source whose reading is not in doubt and holds it whole (an MRZ
// may leave a birth day or month unknown) (check.DatesFunc); without one,
// the reasons of the sources whose engine is missing.
func Dates(sources ...Source) check.DatesFunc {
	return func(ctx context.Context, s *check.Subject) (check.DocumentDates, bool) {
		var missing []string
		var dates check.DocumentDates
		for _, src := range sources {
			f := src.Data(ctx, s)
			if f.Unavailable {
				missing = append(missing, f.Reason)
			}
			rd := f.Reading
			if !f.OK || len(rd.Doubts) > 0 {
				continue // no dates from a reading in doubt
			}
			if dates.BirthDate == "" && whole(rd.BirthDate) {
				dates.BirthDate, dates.BirthSource = rd.BirthDate, rd.Source
			}
			if dates.ExpiryDate == "" && whole(rd.ExpiryDate) {
				dates.ExpiryDate, dates.ExpirySource = rd.ExpiryDate, rd.Source
			}
		}
		if dates.BirthDate == "" && dates.ExpiryDate == "" {
			return check.DocumentDates{Unavailable: strings.Join(missing, "; ")}, false
		}
		return dates, true
	}
}

// whole says whether a date is a whole YYYY-MM-DD (not "" or with XX for
// an unknown month or day).
func whole(d string) bool {
	_, err := time.Parse(time.DateOnly, d)
	return err == nil
}

// sameDate says whether a whole date a and a date b that may leave its
// month or day unknown (XX) agree on every part b holds.
func sameDate(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if b[i] != 'X' && a[i] != b[i] {
			return false
		}
	}
	return true
}

// ConsistencyEvidence is data.consistency's evidence: each declared field
// compared with what the documents say (a field matches when it matches
// every reading that holds it), the names of those that differ, the
// sources compared, each source's comparison when there are several, the
// fields on which two sources disagree, and the doubts of readings in
// doubt.
type ConsistencyEvidence struct {
	Doubts        []string                         `json:"doubts,omitempty"`
	Fields        map[string]FieldMatch            `json:"fields"`
	Mismatches    []string                         `json:"mismatches"`
	Sources       []string                         `json:"sources,omitempty"`
	BySource      map[string]map[string]FieldMatch `json:"by_source,omitempty"`
	Disagreements []Disagreement                   `json:"disagreements,omitempty"`
}

// FieldMatch is one declared field against the document: whether it
// matches and how closely (names: similarity; other fields 0 or 1).
type FieldMatch struct {
	Match bool    `json:"match"`
	Score float64 `json:"score"`
}

// Disagreement is a field two sources read differently.
type Disagreement struct {
	Field   string    `json:"field"`
	Sources [2]string `json:"sources"`
}

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
