package mrz

import (
	"context"
	"encoding/json"
	_ "image/jpeg" // photos of documents
	_ "image/png"
	"math"
	"strings"

	"golang.org/x/text/language"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Engine reads the MRZ of a subject's documents once and serves
// document.mrz, and data.consistency and the document dates of data.age
// and data.expiry as a docdata.Source.
type Engine struct {
	Reader Reader
}

// found is the memoised reading of a subject.
type found struct {
	reading Reading
	kind    kyc.DocumentKind
	ok      bool   // an MRZ was read
	reason  string // why not (not_run)
	missing bool   // the OCR pieces are missing (unavailable, else not applicable)
	err     error  // a failure (error)
}

// notRun is the result of a check that has no reading: unavailable without
// the OCR pieces, not applicable without a document or an MRZ on it.
func (f found) notRun() check.Result {
	if f.missing {
		return check.Unavailable(f.reason)
	}
	return check.NotApplicable(f.reason)
}

// read OCRs the newest id_front, then id_back, until one yields an MRZ.
func (e *Engine) read(ctx context.Context, s *check.Subject) found {
	return s.Memo("mrz", func() any {
		if err := e.Reader.Available(); err != nil {
			return found{reason: err.Error(), missing: true}
		}
		newest := s.Newest(kyc.DocIDFront, kyc.DocIDBack)
		if len(newest) == 0 {
			return found{reason: "no id_front or id_back document to read"}
		}
		var lastErr error
		for _, kind := range []kyc.DocumentKind{kyc.DocIDFront, kyc.DocIDBack} {
			d, ok := newest[kind]
			if !ok || d.ContentType == "application/pdf" {
				continue
			}
			img, release, err := s.Env.DecodeImage(ctx, d, 1)
			if err != nil {
				return found{err: err}
			}
			rd, err := e.Reader.Read(ctx, img)
			release()
			if err == nil {
				return found{reading: rd, kind: kind, ok: true}
			}
			lastErr = err
		}
		reason := "no machine readable zone found on id_front or id_back"
		if lastErr != nil && !strings.Contains(lastErr.Error(), "no machine readable zone") && !strings.Contains(lastErr.Error(), "could not be read") {
			return found{err: lastErr}
		}
		return found{reason: reason}
	}).(found)
}

// Data is the MRZ as docdata reads it (docdata.Source): a reading whose
// check digits hold, in doubt when Assess doubts it.
func (e *Engine) Data(ctx context.Context, s *check.Subject) docdata.Found {
	f := e.read(ctx, s)
	switch {
	case f.err != nil:
		return docdata.Found{Err: f.err}
	case !f.ok:
		return docdata.Found{Reason: f.reason, Unavailable: f.missing}
	}
	d := f.reading.Document
	if !d.Valid() {
		return docdata.Found{Reason: "the MRZ's check digits do not hold (document.mrz)"}
	}
	rd := docdata.Reading{Source: "mrz", Document: f.kind, Surname: d.Surname, GivenNames: d.GivenNames,
		DocumentNumber: d.DocumentNumber, BirthDate: d.BirthDate.String(), ExpiryDate: d.ExpiryDate.String(), DoubtReason: kyc.ReasonMRZDoubtful}
	if d.Nationality != "" {
		rd.Nationality = alpha2(d.Nationality)
	}
	rd.DocumentTypes = docdata.MRZTypes(d.DocumentCode)
	if c := alpha2(d.IssuingState); len(c) == 2 {
		rd.IssuingCountry = c // not UNO, XXA, Interpol's INP
	}
	if a := Assess(f.reading, s.Now); a.Status == kyc.CheckReview {
		rd.Doubts = a.Doubts
	}
	return docdata.Found{Reading: rd, OK: true}
}

// Checkers returns the engine's checks.
func (e *Engine) Checkers() []check.Checker { return []check.Checker{DocumentCheck{e}} }

// DocumentCheck is document.mrz: an MRZ was found and every check digit holds.
type DocumentCheck struct{ e *Engine }

func (DocumentCheck) Kind() kyc.CheckKind { return kyc.KindMRZ }
func (DocumentCheck) Version() string     { return "1" }

// Run passes a valid MRZ (score: mean OCR confidence), fails one whose check
// digits do not hold, sends to review one whose check digits hold but which
// Assess doubts (MRZ_DOUBTFUL: fields that disagree, low confidence, many
// repairs), and does not run without the OCR pieces or an MRZ. Evidence
// holds no personal data in the clear: the reading is sealed; the evidence
// has the lowest character confidence per field and the doubts.
func (c DocumentCheck) Run(ctx context.Context, s *check.Subject) check.Result {
	f := c.e.read(ctx, s)
	if f.err != nil {
		return check.Errored(f.err)
	}
	if !f.ok {
		return f.notRun()
	}
	rd := f.reading
	d := rd.Document
	digits := map[string]bool{}
	for _, cd := range d.CheckDigits {
		digits[cd.Field] = cd.Valid
	}
	sealed, err := json.Marshal(rd)
	if err != nil {
		return check.Errored(err)
	}
	box, err := s.Env.Seal(sealed, s.Verification.ID)
	if err != nil {
		return check.Errored(err)
	}
	var conf float64
	for _, v := range rd.Confidence {
		conf += v
	}
	if len(rd.Confidence) > 0 {
		conf /= float64(len(rd.Confidence))
	}
	ev := map[string]any{"document": f.kind, "format": d.Format, "document_code": d.DocumentCode, "issuing_state": d.IssuingState,
		"check_digits": digits, "confidence": math.Round(conf*10) / 10, "repaired_characters": rd.Repaired, "band": rd.Band,
		"reading_sealed": box}
	if rd.ParseError != "" {
		ev["problems"] = problemFields(rd.ParseError)
	}
	a := Assess(rd, s.Now)
	ev["field_confidence"] = a.FieldConfidence
	ev["fitted_characters"] = rd.Fitted
	switch a.Status {
	case kyc.CheckFailed:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: a.ReasonCode, Evidence: ev}
	case kyc.CheckReview:
		ev["doubts"] = a.Doubts
		if len(a.LowFields) > 0 {
			ev["low_confidence_fields"] = a.LowFields
		}
		return check.Result{Status: kyc.CheckReview, Score: math.Round(conf) / 100, ReasonCode: a.ReasonCode, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: math.Round(conf) / 100, Evidence: ev}
}

// problemFields keeps the field names of a parse error (its values may be personal data).
func problemFields(msg string) []string {
	var out []string
	for _, p := range strings.Split(strings.TrimPrefix(msg, "mrz: "), "; ") {
		if f, _, ok := strings.Cut(p, ":"); ok {
			out = append(out, f)
		}
	}
	return out
}

// alpha2 turns an ICAO code into ISO alpha-2 ("D" is Germany).
func alpha2(code string) string {
	if code == "D" {
		return "DE"
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	return r.String()
}
