package mrz

import (
	"context"
	"encoding/json"
	_ "image/jpeg" // photos of documents
	_ "image/png"
	"math"
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
)

// Engine reads the MRZ of a subject's documents once and serves the checks
// document.mrz and data.consistency, and the document dates of data.age and
// data.expiry.
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
		newest := map[kyc.DocumentKind]kyc.Document{}
		for _, d := range s.Documents {
			if d.Kind == kyc.DocIDFront || d.Kind == kyc.DocIDBack {
				if cur, ok := newest[d.Kind]; !ok || d.ID > cur.ID { // ids grow with time
					newest[d.Kind] = d
				}
			}
		}
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

// Dates are the MRZ's birth and expiry dates (check.DatesFunc).
func (e *Engine) Dates(ctx context.Context, s *check.Subject) (check.DocumentDates, bool) {
	f := e.read(ctx, s)
	if f.missing {
		return check.DocumentDates{Unavailable: f.reason}, false
	}
	if !f.ok || Assess(f.reading, s.Now).Status != kyc.CheckPassed {
		return check.DocumentDates{}, false // no dates from a reading in doubt
	}
	d := f.reading.Document
	dates := check.DocumentDates{Source: "mrz"}
	if _, ok := d.BirthDate.Time(); ok {
		dates.BirthDate = d.BirthDate.String()
	}
	if _, ok := d.ExpiryDate.Time(); ok {
		dates.ExpiryDate = d.ExpiryDate.String()
	}
	return dates, true
}

// Checkers returns the engine's checks.
func (e *Engine) Checkers() []check.Checker { return []check.Checker{DocumentCheck{e}, Consistency{e}} }

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

// Consistency is data.consistency: the MRZ against the declared data —
// names (transliterated, normalised, similarity), birth date, document
// number, nationality.
type Consistency struct{ e *Engine }

func (Consistency) Kind() kyc.CheckKind { return kyc.KindConsistency }
func (Consistency) Version() string     { return "1" }

// NameThreshold is the similarity below which names do not match.
const NameThreshold = 0.85

func (c Consistency) Run(ctx context.Context, s *check.Subject) check.Result {
	f := c.e.read(ctx, s)
	if f.err != nil {
		return check.Errored(f.err)
	}
	if !f.ok {
		return f.notRun()
	}
	d := f.reading.Document
	if !d.Valid() {
		return check.NotApplicable("the MRZ's check digits do not hold (document.mrz)")
	}
	p := s.Applicant.PII
	fields := map[string]FieldMatch{}
	var mismatches []string
	compare := func(name string, declared string, match bool, score float64) {
		if declared == "" {
			return
		}
		fields[name] = FieldMatch{Match: match, Score: math.Round(score*100) / 100}
		if !match {
			mismatches = append(mismatches, name)
		}
	}
	if p.LastName != "" || p.FirstName != "" {
		sc := NameSimilarity(p.LastName+" "+p.FirstName, d.Surname+" "+d.GivenNames)
		compare("name", p.LastName+p.FirstName, sc >= NameThreshold, sc)
	}
	if bd := d.BirthDate.String(); bd != "" {
		compare("date_of_birth", p.DateOfBirth, p.DateOfBirth == bd, b2f(p.DateOfBirth == bd))
	}
	// declared numbers may carry spaces and punctuation the MRZ drops
	same := pii.DocumentNumberKey(p.DocumentNumber) == pii.DocumentNumberKey(d.DocumentNumber)
	compare("document_number", p.DocumentNumber, same, b2f(same))
	if p.Nationality != "" {
		nat := alpha2(d.Nationality)
		compare("nationality", p.Nationality, strings.EqualFold(nat, p.Nationality), b2f(strings.EqualFold(nat, p.Nationality)))
	}
	if len(fields) == 0 {
		return check.NotApplicable("no declared data to compare with the MRZ")
	}
	ev := map[string]any{"fields": fields, "mismatches": mismatches}
	if len(mismatches) > 0 {
		ev["mismatches"] = mismatches
		if a := Assess(f.reading, s.Now); a.Status == kyc.CheckReview {
			// the reading itself is in doubt (document.mrz): a person compares
			ev["doubts"] = a.Doubts
			return check.Result{Status: kyc.CheckReview, ReasonCode: kyc.ReasonMRZDoubtful, Evidence: ev}
		}
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDataMismatch, Evidence: ev}
	}
	ev["mismatches"] = []string{}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
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

// NameKey transliterates (any script to Latin), folds case and diacritics,
// and keeps the name's letters as sorted words, as the MRZ writes names.
func NameKey(s string) []string {
	s = icaoCyrillic.Replace(norm.NFC.String(s))
	s = unidecode.Unidecode(s)
	s = strings.ToUpper(s)
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return words
}

// icaoCyrillic applies the ICAO 9303 transliterations that differ from
// unidecode's (ё → E, й → I, ъ → IE).
var icaoCyrillic = strings.NewReplacer("ё", "е", "Ё", "Е", "й", "и", "Й", "И", "ъ", "ие", "Ъ", "ИЕ")

// NameSimilarity scores two full names 0–1: words are aligned greedily by
// normalised Levenshtein similarity, in any order (MRZ names may be reordered
// or truncated), weighted by length.
func NameSimilarity(a, b string) float64 {
	wa, wb := NameKey(a), NameKey(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	used := make([]bool, len(wb))
	var total, weight float64
	for _, x := range wa {
		best, bi := 0.0, -1
		for j, y := range wb {
			if used[j] {
				continue
			}
			sim := 1 - float64(levenshtein(x, y))/float64(max(len(x), len(y)))
			if strings.HasPrefix(x, y) && len(y) >= 3 { // truncated in the MRZ
				sim = math.Max(sim, 0.95)
			}
			if sim > best {
				best, bi = sim, j
			}
		}
		if bi >= 0 {
			used[bi] = true
		}
		total += best * float64(len(x))
		weight += float64(len(x))
	}
	// words of b left unmatched lower the score
	for j, y := range wb {
		if !used[j] {
			weight += float64(len(y)) / 2
		}
	}
	return total / weight
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
