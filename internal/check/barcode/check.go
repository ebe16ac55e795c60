package barcode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Engine reads the barcodes of a subject's documents once and serves
// document.barcode, and data.consistency and the document dates of data.age
// and data.expiry as a docdata.Source.
type Engine struct {
	Reader Reader
}

// found is the memoised reading of a subject.
type found struct {
	kind     kyc.DocumentKind // the side the codes were read from
	codes    []Code
	license  License
	aamva    bool        // license holds an AAMVA DL/ID record
	national *NationalID // a national identity QR code read (ParseNational)
	parseErr error       // an AAMVA header whose record does not parse, a national code whose fields do not hold
	reason   string
	missing  bool
	err      error
}

// sides are read in this order: licences carry their PDF417 on the back.
var sides = []kyc.DocumentKind{kyc.DocIDBack, kyc.DocIDFront}

// read decodes the newest id_back, then id_front, until one holds an AAMVA
// record; codes that are not one are kept as found.
func (e *Engine) read(ctx context.Context, s *check.Subject) found {
	return s.Memo("barcode", func() any {
		if err := e.Reader.Available(); err != nil {
			return found{reason: err.Error(), missing: true}
		}
		newest := s.Newest(kyc.DocIDFront, kyc.DocIDBack)
		if len(newest) == 0 {
			return found{reason: "no id_front or id_back document to read"}
		}
		var other found // the first side with codes but no AAMVA record
		for _, kind := range sides {
			d, ok := newest[kind]
			if !ok || d.ContentType == "application/pdf" {
				continue
			}
			// the decoded image, its grey copy and one turned copy (larger) at a time
			img, release, err := s.Env.DecodeImage(ctx, d, 3)
			if err != nil {
				return found{err: err}
			}
			codes, err := e.Reader.ReadImage(ctx, img)
			release()
			if err != nil {
				return found{err: err}
			}
			f := found{kind: kind, codes: codes}
			for _, c := range codes {
				if c.Format == "QRCode" {
					n, err := ParseNational(c.Text)
					if err == nil {
						f.national, f.parseErr = &n, nil
						return f
					}
					if !errors.Is(err, ErrNotNational) && f.parseErr == nil {
						f.parseErr = err
					}
					continue
				}
				if c.Format != "PDF417" {
					continue
				}
				l, err := ParseAAMVA([]byte(c.Text))
				if err == nil {
					f.license, f.aamva, f.parseErr = l, true, nil
					return f
				}
				if !errors.Is(err, ErrNotAAMVA) && f.parseErr == nil {
					f.parseErr = err
				}
			}
			if len(codes) > 0 && (other.codes == nil || other.parseErr == nil && f.parseErr != nil) {
				other = f
			}
		}
		if other.codes != nil {
			return other
		}
		return found{reason: "no PDF417 or QR code found on id_back or id_front"}
	}).(found)
}

// Checkers returns the engine's checks.
func (e *Engine) Checkers() []check.Checker { return []check.Checker{DocumentCheck{e}} }

// Problems of an AAMVA record that keep document.barcode from passing.
const (
	DoubtMissing = "missing_elements" // a mandatory element is absent or not a date
	DoubtDates   = "impossible_dates" // birth after issue or expiry, issue after expiry, a birth in the future
	DoubtIssuer  = "issuer_mismatch"  // the header's IIN belongs to another country's issuer than the record's DCG
)

// mandatory are the elements a record must hold for its holder to be
// known, by the Reading field they fill.
var mandatory = []struct{ element, field string }{
	{"DAQ", "document_number"}, {"DCS", "surname"}, {"DBB", "date_of_birth"}, {"DBA", "date_of_expiry"},
}

// assess lists what is wrong with a record: the mandatory elements it
// lacks, and dates that contradict each other.
func assess(l License, now time.Time) (missing, doubts []string) {
	values := map[string]string{"document_number": l.DocumentNumber, "surname": l.Surname, "date_of_birth": l.DateOfBirth,
		"date_of_expiry": l.DateOfExpiry}
	for _, m := range mandatory {
		if values[m.field] == "" {
			missing = append(missing, m.field)
		}
	}
	if len(missing) > 0 {
		doubts = append(doubts, DoubtMissing)
	}
	b, e, i := l.DateOfBirth, l.DateOfExpiry, l.DateOfIssue // YYYY-MM-DD compare as strings
	today := now.UTC().Format(time.DateOnly)
	if b != "" && (b > today || e != "" && b >= e || i != "" && b > i) || i != "" && (e != "" && i > e || i > today) {
		doubts = append(doubts, DoubtDates)
	}
	if !issuerAgrees(l) {
		doubts = append(doubts, DoubtIssuer)
	}
	return missing, doubts
}

// Data is the AAMVA record as docdata reads it (docdata.Source); in doubt
// when document.barcode would not pass it.
func (e *Engine) Data(ctx context.Context, s *check.Subject) docdata.Found {
	f := e.read(ctx, s)
	switch {
	case f.err != nil:
		return docdata.Found{Err: f.err}
	case f.missing:
		return docdata.Found{Reason: f.reason, Unavailable: true}
	case f.national != nil:
		n := f.national
		doubts := assessNational(*n, s.Now)
		return docdata.Found{OK: true, Reading: docdata.Reading{Source: "barcode", Document: f.kind, Surname: n.FullName, BirthDate: n.DateOfBirth,
			IssueDate: n.DateOfIssue, DocumentNumber: n.DocumentNumber, DocumentTypes: []string{docdata.TypeIDCard}, IssuingCountry: n.Country,
			Doubts: doubts, DoubtReason: reasonFor(doubts)}}
	case !f.aamva:
		reason := f.reason
		if f.codes != nil {
			reason = "no AAMVA DL/ID barcode or national identity QR code on id_back or id_front"
		}
		return docdata.Found{Reason: reason}
	}
	l := f.license
	_, doubts := assess(l, s.Now)
	var types []string
	for _, sf := range l.Subfiles {
		switch sf {
		case "DL":
			types = append(types, docdata.TypeDrivingLicense)
		case "ID":
			types = append(types, docdata.TypeIDCard)
		}
	}
	return docdata.Found{OK: true, Reading: docdata.Reading{Source: "barcode", Document: f.kind, Surname: l.Surname, GivenNames: l.GivenNames,
		BirthDate: l.DateOfBirth, ExpiryDate: l.DateOfExpiry, IssueDate: l.DateOfIssue, DocumentNumber: l.DocumentNumber,
		DocumentTypes: types, IssuingCountry: issuingCountry(l),
		Doubts: doubts, DoubtReason: reasonFor(doubts)}}
}

// assessNational lists what is wrong with a national identity code's
// data: dates that contradict each other (born after the card was issued,
// in the future, issued in the future).
func assessNational(n NationalID, now time.Time) (doubts []string) {
	today := now.UTC().Format(time.DateOnly)
	if b, i := n.DateOfBirth, n.DateOfIssue; b > today || i != "" && (b > i || i > today) {
		doubts = append(doubts, DoubtDates)
	}
	return doubts
}

// issuingCountry is the record's country (DCG), else its issuer's, as
// alpha-2.
func issuingCountry(l License) string {
	c := l.Country
	if is, ok := IssuerOf(l.IIN); c == "" && ok {
		c = is.Country
	}
	return map[string]string{"USA": "US", "CAN": "CA", "MEX": "MX"}[c]
}

// reasonFor is the reason code of a record's doubts: contradicting dates
// in an error-corrected barcode hint at an edited one, an issuer that does
// not match the record at one made up.
func reasonFor(doubts []string) string {
	for _, d := range doubts {
		if d == DoubtDates || d == DoubtIssuer {
			return kyc.ReasonTamperHints
		}
	}
	if len(doubts) > 0 {
		return kyc.ReasonDocumentUnreadable
	}
	return ""
}

// DocumentCheck is document.barcode: a barcode on the document decoded and,
// for an AAMVA DL/ID record, the holder's data read from it.
type DocumentCheck struct{ e *Engine }

func (DocumentCheck) Kind() kyc.CheckKind { return kyc.KindBarcode }
func (DocumentCheck) Version() string     { return "1" }

// Evidence is document.barcode's evidence. Nothing personal is in the
// clear: the codes' text and the parsed record are sealed to the
// verification (Sealed).
type Evidence struct {
	Reason   string           `json:"reason,omitempty"`
	Document kyc.DocumentKind `json:"document,omitempty"`
	Codes    []CodeSummary    `json:"codes,omitempty"`
	AAMVA    *AAMVASummary    `json:"aamva,omitempty"`
	// National is a national identity QR code's format and country.
	National *NationalSummary `json:"national,omitempty"`
	// Problem is why an AAMVA header's record did not parse.
	Problem string   `json:"problem,omitempty"`
	Missing []string `json:"missing,omitempty"`
	Doubts  []string `json:"doubts,omitempty"`
	Sealed  string   `json:"reading_sealed,omitempty"`
}

// CodeSummary is one code found: its symbology and size.
type CodeSummary struct {
	Format string `json:"format"`
	Bytes  int    `json:"bytes"`
}

// AAMVASummary is an AAMVA record's header: who issued it, to which
// version.
type AAMVASummary struct {
	IIN                 string   `json:"iin"`
	Version             int      `json:"version"`
	JurisdictionVersion int      `json:"jurisdiction_version"`
	Subfiles            []string `json:"subfiles"`
	Country             string   `json:"country,omitempty"`
	// Issuer is the jurisdiction AAMVA's list gives the IIN (nil when it
	// is not on the list).
	Issuer *Issuer `json:"issuer,omitempty"`
}

// NationalSummary is a national identity QR code's format.
type NationalSummary struct {
	Format  string `json:"format"`
	Country string `json:"country"`
}

// Sealed is what document.barcode seals: every code's text and the AAMVA
// record or national identity data read from one.
type Sealed struct {
	Codes    []Code      `json:"codes"`
	License  *License    `json:"license,omitempty"`
	National *NationalID `json:"national,omitempty"`
}

// Run passes an AAMVA record holding the mandatory elements with dates
// that agree, or a national identity QR code (ParseNational) whose dates
// agree; asks a reviewer when elements are missing (DOCUMENT_UNREADABLE),
// the dates contradict each other or the header's issuer is another
// country's than the record's (TAMPER_HINTS), or an AAMVA header's
// record does not parse; does not run without the decoder (unavailable)
// or without a barcode, or with only barcodes of other kinds (not
// applicable; what was found is kept, sealed).
func (c DocumentCheck) Run(ctx context.Context, s *check.Subject) check.Result {
	f := c.e.read(ctx, s)
	switch {
	case f.err != nil:
		return check.Errored(f.err)
	case f.missing:
		return check.Unavailable(f.reason)
	case f.codes == nil:
		return check.NotApplicable(f.reason)
	}
	ev := Evidence{Document: f.kind}
	sealed := Sealed{Codes: f.codes}
	for _, code := range f.codes {
		ev.Codes = append(ev.Codes, CodeSummary{Format: code.Format, Bytes: len(code.Text)})
	}
	if f.aamva {
		l := f.license
		sealed.License = &l
		ev.AAMVA = &AAMVASummary{IIN: l.IIN, Version: l.Version, JurisdictionVersion: l.JurisdictionVersion, Subfiles: l.Subfiles, Country: l.Country}
		if is, ok := IssuerOf(l.IIN); ok {
			ev.AAMVA.Issuer = &is
		}
		ev.Missing, ev.Doubts = assess(l, s.Now)
	}
	if n := f.national; n != nil {
		sealed.National = n
		ev.National = &NationalSummary{Format: n.Format, Country: n.Country}
		ev.Doubts = assessNational(*n, s.Now)
	}
	plain, err := json.Marshal(sealed)
	if err != nil {
		return check.Errored(err)
	}
	if ev.Sealed, err = s.Env.Seal(plain, s.Verification.ID); err != nil {
		return check.Errored(err)
	}
	switch {
	case (f.aamva || f.national != nil) && len(ev.Doubts) > 0:
		return check.Result{Status: kyc.CheckReview, ReasonCode: reasonFor(ev.Doubts), Evidence: ev}
	case f.aamva || f.national != nil:
		return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
	case f.parseErr != nil:
		ev.Problem = f.parseErr.Error()
		return check.Result{Status: kyc.CheckReview, ReasonCode: kyc.ReasonDocumentUnreadable, Evidence: ev}
	}
	ev.Reason = fmt.Sprintf("no AAMVA DL/ID barcode or national identity QR code on %s: the %d code(s) found are kept as evidence", f.kind, len(f.codes))
	return check.Result{Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable, Evidence: ev}
}
