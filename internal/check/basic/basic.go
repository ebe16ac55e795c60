// Package basic holds the checks that need no model: required documents,
// document integrity, minimum age, document expiry, duplicate identities and
// merchant blocklists.
package basic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Checkers returns every model-free check. dates, when not nil, reads
// dates from the document (the MRZ engine) for the age and expiry checks.
func Checkers(limits docfile.Limits, decoder *docfile.Decoder, dates check.DatesFunc) []check.Checker {
	return []check.Checker{
		DocumentsRequired{}, DocumentIntegrity{Limits: limits, Decoder: decoder}, Age{Dates: dates}, Expiry{Dates: dates}, Duplicates{}, Blocklist{},
		RelianceReports{Limits: limits, Decoder: decoder},
	}
}

// RelianceReports checks the partner's AML and IDV reports of a shared KYC:
// both present, each a valid PDF without active content (read whole, object
// streams included) whose bytes still match their sha256.
type RelianceReports struct {
	Limits  docfile.Limits
	Decoder *docfile.Decoder
}

func (RelianceReports) Kind() kyc.CheckKind { return kyc.KindRelianceReports }
func (RelianceReports) Version() string     { return "1" }

func (c RelianceReports) Run(ctx context.Context, s *check.Subject) check.Result {
	found := map[kyc.DocumentKind]bool{}
	var docs []map[string]any
	failed := false
	for _, d := range s.Documents {
		if !d.Kind.IsReport() {
			continue
		}
		found[d.Kind] = true
		e := map[string]any{"document_id": d.ID, "kind": d.Kind, "size": d.Size}
		if err := (DocumentIntegrity{Limits: c.Limits, Decoder: c.Decoder}).verify(ctx, s, d); err != nil {
			var fe *kyc.FieldError
			if !errors.As(err, &fe) {
				return check.Errored(fmt.Errorf("document %s: %w", d.ID, err))
			}
			e["problem"] = fe.Msg
			failed = true
		}
		docs = append(docs, e)
	}
	missing := []string{}
	for _, k := range []kyc.DocumentKind{kyc.DocAMLReport, kyc.DocIDVReport} {
		if !found[k] {
			missing = append(missing, string(k))
		}
	}
	ev := map[string]any{"reports": docs, "missing": missing}
	switch {
	case len(missing) > 0:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDocumentMissing, Evidence: ev}
	case failed:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDocumentQuality, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// DocumentsRequired checks that the level's mandatory kinds were uploaded.
type DocumentsRequired struct{}

func (DocumentsRequired) Kind() kyc.CheckKind { return kyc.KindDocumentsRequired }
func (DocumentsRequired) Version() string     { return "1" }

func (DocumentsRequired) Run(_ context.Context, s *check.Subject) check.Result {
	have := map[kyc.DocumentKind]bool{}
	for _, d := range s.Documents {
		have[d.Kind] = true
	}
	missing := []string{}
	for _, k := range s.Level.RequiredDocuments {
		if !have[k] {
			missing = append(missing, string(k))
		}
	}
	ev := map[string]any{"required": s.Level.RequiredDocuments, "missing": missing}
	if len(missing) > 0 {
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDocumentMissing, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// DocumentIntegrity re-reads every stored document through the upload
// validation (type, size, structure, PDF safety), decodes images again and
// reads PDFs whole (docfile.CheckPDF).
type DocumentIntegrity struct {
	Limits  docfile.Limits
	Decoder *docfile.Decoder
}

func (DocumentIntegrity) Kind() kyc.CheckKind { return kyc.KindDocumentIntegrity }
func (DocumentIntegrity) Version() string     { return "1" }

func (c DocumentIntegrity) Run(ctx context.Context, s *check.Subject) check.Result {
	if len(s.Documents) == 0 {
		return check.NotApplicable("no documents were uploaded")
	}
	var docs []map[string]any
	failed := false
	for _, d := range s.Documents {
		e := map[string]any{"document_id": d.ID, "kind": d.Kind, "content_type": d.ContentType, "size": d.Size, "width": d.Width, "height": d.Height}
		if err := c.verify(ctx, s, d); err != nil {
			var fe *kyc.FieldError
			if !errors.As(err, &fe) {
				return check.Errored(fmt.Errorf("document %s: %w", d.ID, err))
			}
			e["problem"] = fe.Msg
			failed = true
		}
		docs = append(docs, e)
	}
	ev := map[string]any{"documents": docs}
	if failed {
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDocumentQuality, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

func (c DocumentIntegrity) verify(ctx context.Context, s *check.Subject, d kyc.Document) error {
	rc, err := s.Env.OpenDocument(ctx, d)
	if err != nil {
		return err
	}
	v := docfile.NewValidator(d.Kind, c.Limits)
	_, err = io.Copy(v, rc)
	rc.Close()
	if err != nil {
		return err
	}
	res, err := v.Close()
	if err != nil {
		return err
	}
	if res.SHA256 != d.SHA256 {
		return kyc.Invalid("file", "sha256", "stored bytes do not match the uploaded document's sha256")
	}
	if res.Trailer != nil { // the upload stores images without one
		return kyc.Invalid("file", "trailer", "stored bytes carry data after the end of the image")
	}
	dec := c.Decoder
	if dec == nil {
		dec = docfile.NewDecoder(nil, c.Limits, 0)
	}
	open := func() (io.ReadCloser, error) { return s.Env.OpenDocument(ctx, d) }
	if res.ContentType == docfile.PDF {
		return dec.CheckPDF(ctx, open)
	}
	_, err = dec.Decode(ctx, open, 1, nil)
	return err
}

// Age checks the applicant's age against the level's minimum: the birth
// date read from the document when there is one, else the declared one.
type Age struct{ Dates check.DatesFunc }

func (Age) Kind() kyc.CheckKind { return kyc.KindAge }
func (Age) Version() string     { return "2" }

func (c Age) Run(ctx context.Context, s *check.Subject) check.Result {
	dob, source := s.Applicant.PII.DateOfBirth, "declared"
	unavailable := ""
	if c.Dates != nil {
		d, ok := c.Dates(ctx, s)
		if ok && d.BirthDate != "" {
			dob, source = d.BirthDate, d.BirthSource
		}
		unavailable = d.Unavailable
	}
	if dob == "" && unavailable != "" {
		return check.Unavailable("date_of_birth is not declared and the document could not be read: " + unavailable)
	}
	if dob == "" {
		return check.NotApplicable("date_of_birth is unknown (not declared, not read from the document)")
	}
	t, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return check.Errored(fmt.Errorf("stored date_of_birth is malformed"))
	}
	age := YearsBetween(t, s.Now)
	ev := map[string]any{"age": age, "min_age": s.Level.MinAge, "source": source}
	if age < s.Level.MinAge {
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonUnderage, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// YearsBetween is the age in whole years on day now of someone born on dob
// (born 29 February: a year older on 1 March in common years).
func YearsBetween(dob, now time.Time) int {
	y := now.Year() - dob.Year()
	if now.Month() < dob.Month() || now.Month() == dob.Month() && now.Day() < dob.Day() {
		y--
	}
	return y
}

// Expiry checks that the identity document has not expired, when its expiry
// date is known: read from the document when possible, else declared.
type Expiry struct{ Dates check.DatesFunc }

func (Expiry) Kind() kyc.CheckKind { return kyc.KindExpiry }
func (Expiry) Version() string     { return "2" }

func (c Expiry) Run(ctx context.Context, s *check.Subject) check.Result {
	exp, source := s.Applicant.PII.DocumentExpiry, "declared"
	unavailable := ""
	if c.Dates != nil {
		d, ok := c.Dates(ctx, s)
		if ok && d.ExpiryDate != "" {
			exp, source = d.ExpiryDate, d.ExpirySource
		}
		unavailable = d.Unavailable
	}
	if exp == "" && unavailable != "" {
		return check.Unavailable("the document's expiry date is not declared and the document could not be read: " + unavailable)
	}
	if exp == "" {
		return check.NotApplicable("the document's expiry date is unknown")
	}
	t, err := time.Parse(time.DateOnly, exp)
	if err != nil {
		return check.Errored(fmt.Errorf("stored document_expiry is malformed"))
	}
	today := s.Now.UTC().Truncate(24 * time.Hour)
	ev := map[string]any{"expiry_date": exp, "source": source}
	if t.Before(today) {
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDocExpired, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// Duplicates looks for other applicants of the merchant with the same
// document number, e-mail or phone (by keyed hash).
type Duplicates struct{}

// DuplicateMatch is another applicant sharing an identifier, as
// duplicate.identity's evidence lists it (fields in the order the stored
// JSON has them).
type DuplicateMatch struct {
	ApplicantID string `json:"applicant_id"`
	Field       string `json:"field"` // document_number, email or phone
}

// DuplicateEvidence is duplicate.identity's evidence.
type DuplicateEvidence struct {
	Matches []DuplicateMatch `json:"matches"`
}

// BlocklistEvidence is blocklist's evidence: the kinds of entries that
// matched (BlocklistKinds).
type BlocklistEvidence struct {
	Matched []string `json:"matched"`
}

func (Duplicates) Kind() kyc.CheckKind { return kyc.KindDuplicateIdentity }
func (Duplicates) Version() string     { return "1" }

func (Duplicates) Run(ctx context.Context, s *check.Subject) check.Result {
	a := s.Applicant
	fields := []struct{ name, hash string }{
		{"document_number", a.DocNumberHash}, {"email", a.EmailHash}, {"phone", a.PhoneHash},
	}
	matches := []DuplicateMatch{}
	compared := 0
	for _, f := range fields {
		if f.hash == "" {
			continue
		}
		compared++
		ids, err := s.Env.ApplicantsWithHash(ctx, a.MerchantID, f.name, f.hash, a.ID)
		if err != nil {
			return check.Errored(err)
		}
		for _, id := range ids {
			matches = append(matches, DuplicateMatch{ApplicantID: id, Field: f.name})
		}
	}
	if compared == 0 {
		return check.NotApplicable("the applicant has no document number, e-mail or phone to compare")
	}
	ev := map[string]any{"matches": matches}
	if len(matches) > 0 {
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDuplicate, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// Blocklist matches the applicant against the merchant's blocklists.
type Blocklist struct{}

func (Blocklist) Kind() kyc.CheckKind { return kyc.KindBlocklist }
func (Blocklist) Version() string     { return "1" }

// BlocklistKinds are the kinds of blocklist entries.
var BlocklistKinds = []string{"document_number", "email", "phone", "name"}

func (Blocklist) Run(ctx context.Context, s *check.Subject) check.Result {
	p := s.Applicant.PII
	values := map[string]string{"document_number": p.DocumentNumber, "email": p.Email, "phone": p.Phone, "name": FullName(p)}
	hits := []string{}
	for _, kind := range BlocklistKinds {
		if values[kind] == "" {
			continue
		}
		hit, err := s.Env.Blocklisted(ctx, s.Applicant.MerchantID, kind, values[kind])
		if err != nil {
			return check.Errored(err)
		}
		if hit {
			hits = append(hits, kind)
		}
	}
	ev := map[string]any{"matched": hits}
	if len(hits) > 0 {
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonBlocklisted, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// FullName is first and last name joined.
func FullName(p kyc.PII) string {
	return strings.Join(slices.DeleteFunc([]string{p.FirstName, p.LastName}, func(s string) bool { return s == "" }), " ")
}
