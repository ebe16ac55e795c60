package viz

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
)

// Engine reads the printed zone of a subject's id_front once and serves
// document.viz, and data.consistency and document.classification as a
// docdata.Source.
type Engine struct {
	Reader *Reader
	// Zones are the other readers of the same document (the MRZ's, the
	// barcode's): document.viz compares the printed zone with them.
	Zones []docdata.Source
}

// found is the memoised reading of a subject.
type found struct {
	reading Reading
	ok      bool
	reason  string
	missing bool
	err     error
}

// DoubtOCR is the doubt every printed-zone reading carries: OCR of a
// printed zone has no check digits, so what it reads informs a reviewer
// and is compared, but a difference asks a person rather than rejecting,
// and its dates are not used for data.age or data.expiry.
const DoubtOCR = "printed_zone_ocr"

// read OCRs the newest id_front: the printed zone is on the front (a
// passport's data page is uploaded as id_front).
func (e *Engine) read(ctx context.Context, s *check.Subject) found {
	return s.Memo("viz", func() any {
		if err := e.Reader.Available(); err != nil {
			return found{reason: err.Error(), missing: true}
		}
		d, ok := s.Newest(kyc.DocIDFront)[kyc.DocIDFront]
		switch {
		case !ok:
			return found{reason: "no id_front document to read"}
		case d.ContentType == "application/pdf":
			return found{reason: "the id_front is a PDF: its printed zone is not read"}
		}
		country := strings.ToUpper(s.Applicant.PII.DocumentCountry)
		if country == "" {
			_, c, err := s.Env.DocumentChoice(ctx, s.Verification.MerchantID, s.Verification.ID)
			if err != nil {
				return found{err: err}
			}
			country = strings.ToUpper(c)
		}
		// the decoded image, its grey copy, the levelled and flattened ones
		img, release, err := s.Env.DecodeImage(ctx, d, 4)
		if err != nil {
			return found{err: err}
		}
		defer release()
		rd, err := e.Reader.Read(ctx, img, country, s.Now)
		if err != nil {
			return found{err: err}
		}
		return found{reading: rd, ok: true}
	}).(found)
}

// Checkers returns the engine's checks.
func (e *Engine) Checkers() []check.Checker { return []check.Checker{DocumentCheck{e}} }

// atLeast is the field if read at or above confidence least.
func (rd Reading) atLeast(name string, least float64) (Field, bool) {
	f, ok := rd.Fields[name]
	return f, ok && f.Confidence >= least
}

// Data is the printed zone as docdata reads it (docdata.Source): the
// fields read at or above Confident, always in doubt (DoubtOCR). A reading
// that failed (OCR past its time limit) is a source missing, not an error
// of the checks it serves: document.viz reports the error, and the others
// go on with the MRZ and the barcode.
func (e *Engine) Data(ctx context.Context, s *check.Subject) docdata.Found {
	f := e.read(ctx, s)
	switch {
	case f.err != nil:
		return docdata.Found{Reason: "the printed zone was not read: " + f.err.Error(), Unavailable: true}
	case !f.ok:
		return docdata.Found{Reason: f.reason, Unavailable: f.missing}
	}
	return docdata.Found{OK: true, Reading: f.reading.docdata()}
}

func (rd Reading) docdata() docdata.Reading { return rd.docdataAt(Confident) }

// docdataAt is the reading with the fields read at or above confidence
// least.
func (rd Reading) docdataAt(least float64) docdata.Reading {
	out := docdata.Reading{Source: "viz", Document: kyc.DocIDFront, DocumentTypes: rd.DocumentTypes, IssuingCountry: rd.IssuingCountry,
		Doubts: []string{DoubtOCR}, DoubtReason: kyc.ReasonDataMismatch}
	if n, ok := rd.Name(); ok && n.Confidence >= least {
		if fn, ok := rd.Fields[FieldFullName]; ok && fn.Value == n.Value {
			out.Surname = n.Value // one full name: compared whole
		} else {
			out.Surname, out.GivenNames = rd.Fields[FieldSurname].Value, rd.Fields[FieldGivenNames].Value
		}
	}
	if v, ok := rd.atLeast(FieldBirthDate, least); ok {
		out.BirthDate = v.Value
	}
	if v, ok := rd.atLeast(FieldExpiryDate, least); ok {
		out.ExpiryDate = v.Value
	}
	if v, ok := rd.atLeast(FieldIssueDate, least); ok {
		out.IssueDate = v.Value
	}
	if v, ok := rd.atLeast(FieldDocumentNumber, least); ok {
		out.DocumentNumber = v.Value
	}
	if v, ok := rd.atLeast(FieldNationality, least); ok {
		out.Nationality = v.Value
	}
	return out
}

// DocumentCheck is document.viz: the printed zone of the id_front read,
// and compared with the other zones of the document.
type DocumentCheck struct{ e *Engine }

func (DocumentCheck) Kind() kyc.CheckKind { return kyc.KindVIZ }
func (DocumentCheck) Version() string     { return "1" }

// Evidence is document.viz's evidence. Nothing personal is in the clear:
// the values read are sealed to the verification (Sealed); the evidence
// says which fields were read, how sure, and how they compare.
type Evidence struct {
	Reason string                  `json:"reason,omitempty"`
	Fields map[string]FieldSummary `json:"fields"`
	// Missing are the holder's fields (name, birth date, document number)
	// neither read at or above the confidence used nor confirmed by
	// another zone.
	Missing []string `json:"missing,omitempty"`
	// Zones are the other zones compared (mrz, barcode) with the fields
	// that agree and those that disagree.
	Zones          []ZoneComparison `json:"zones,omitempty"`
	DocumentTypes  []string         `json:"document_types,omitempty"`
	IssuingCountry string           `json:"issuing_country,omitempty"`
	Labels         int              `json:"labels"`
	Models         []string         `json:"models"`
	MissingModels  []string         `json:"missing_models,omitempty"`
	Skew           float64          `json:"skew"`
	Sealed         string           `json:"reading_sealed,omitempty"`
}

// FieldSummary is one field read, without its value.
type FieldSummary struct {
	Confidence float64 `json:"confidence"`
	Passes     string  `json:"passes,omitempty"`
	Used       bool    `json:"used"` // at or above the confidence the pipeline uses
	// Scheme and Problem: a document number's issuer scheme and why it is
	// in doubt (Field)
	Scheme  string `json:"scheme,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// ZoneComparison is the printed zone against another zone of the document.
type ZoneComparison struct {
	Zone     string   `json:"zone"`
	Agree    []string `json:"agree"`
	Disagree []string `json:"disagree"`
}

// holderFields are what identify the holder; the printed zone counts as
// read when all three are.
var holderFields = []string{"name", FieldBirthDate, FieldDocumentNumber}

// Run passes when the holder's name, birth date and document number were
// read — at or above Confident, or confirmed by another zone of the
// document (its MRZ, its barcode) — and none read at or above Confident
// contradicts another zone: a licence's front then ties its barcode to the
// card. It asks a reviewer when the printed zone and
// another zone disagree (TAMPER_HINTS, both readings sealed); it does not
// run without tesseract (unavailable), without an id_front image, or when
// the holder's fields were not all read (not applicable: what was read is
// kept).
func (c DocumentCheck) Run(ctx context.Context, s *check.Subject) check.Result {
	f := c.e.read(ctx, s)
	switch {
	case f.err != nil:
		return check.Errored(f.err)
	case f.missing:
		return check.Unavailable(f.reason)
	case !f.ok:
		return check.NotApplicable(f.reason)
	}
	rd := f.reading
	ev := Evidence{Fields: map[string]FieldSummary{}, DocumentTypes: rd.DocumentTypes, IssuingCountry: rd.IssuingCountry,
		Labels: rd.Labels, Models: rd.Models, MissingModels: rd.MissingModels, Skew: rd.Skew}
	for k, v := range rd.Fields {
		ev.Fields[k] = FieldSummary{Confidence: v.Confidence, Passes: v.Passes, Used: v.Confidence >= Confident, Scheme: v.Scheme, Problem: v.Problem}
	}
	// a field counts as read when OCR is sure of it, or when another zone
	// of the document (error-corrected, or check-digit protected) reads
	// the same; a field OCR is sure of that another zone contradicts is a
	// tamper hint
	sure, all := rd.docdata(), rd.docdataAt(0)
	read := map[string]bool{"name": sure.Surname != "", FieldBirthDate: sure.BirthDate != "", FieldDocumentNumber: sure.DocumentNumber != ""}
	confirmed := map[string]bool{}
	contradicted := map[string][]int{} // field → the zones (indexes in ev.Zones) that contradict a reading OCR is unsure of
	sealed := map[string]any{"viz": rd.Fields}
	for _, z := range c.e.Zones {
		other := z.Data(ctx, s)
		if other.Err != nil {
			return check.Errored(other.Err)
		}
		if !other.OK {
			continue
		}
		// agreement at any confidence (a field another zone confirms);
		// disagreement where OCR is sure, or wherever another zone
		// confirmed the field (one zone confirms, this one contradicts)
		loose, strict := compare(all, other.Reading), compare(sure, other.Reading)
		cmp := ZoneComparison{Zone: strict.Zone, Agree: loose.Agree, Disagree: strict.Disagree}
		for _, f := range loose.Disagree {
			if !slices.Contains(cmp.Disagree, f) {
				contradicted[f] = append(contradicted[f], len(ev.Zones))
			}
		}
		if len(cmp.Agree)+len(cmp.Disagree) == 0 && len(loose.Disagree) == 0 {
			continue
		}
		for _, f := range cmp.Agree {
			confirmed[f] = true
		}
		ev.Zones = append(ev.Zones, cmp)
		sealed[other.Reading.Source] = other.Reading
	}
	for f := range confirmed {
		if len(contradicted[f]) == 0 {
			read[f] = true
			continue
		}
		// one zone confirms what another contradicts: the zones disagree
		for _, i := range contradicted[f] {
			ev.Zones[i].Disagree = append(ev.Zones[i].Disagree, f)
		}
	}
	for _, k := range holderFields {
		if !read[k] {
			ev.Missing = append(ev.Missing, k)
		}
	}
	plain, err := json.Marshal(sealed)
	if err != nil {
		return check.Errored(err)
	}
	if ev.Sealed, err = s.Env.Seal(plain, s.Verification.ID); err != nil {
		return check.Errored(err)
	}
	for _, z := range ev.Zones {
		if len(z.Disagree) > 0 {
			return check.Result{Status: kyc.CheckReview, ReasonCode: kyc.ReasonTamperHints, Evidence: ev}
		}
	}
	if len(ev.Missing) > 0 {
		ev.Reason = fmt.Sprintf("the printed zone was not read well enough: %s not read at confidence %.2f or more", strings.Join(ev.Missing, ", "), Confident)
		return check.Result{Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable, Evidence: ev}
	}
	// the score: the least sure of the holder's fields, a field another
	// zone confirmed counting as sure
	score := 1.0
	for _, k := range holderFields {
		f, _ := rd.Fields[k]
		if k == "name" {
			f, _ = rd.Name()
		}
		if !confirmed[k] {
			score = min(score, f.Confidence)
		}
	}
	return check.Result{Status: kyc.CheckPassed, Score: score, Evidence: ev}
}

// compare lists the holder's fields on which the printed zone and another
// zone agree and disagree (each where both hold it).
func compare(v, o docdata.Reading) ZoneComparison {
	z := ZoneComparison{Zone: o.Source, Agree: []string{}, Disagree: []string{}}
	add := func(name string, same bool) {
		if same {
			z.Agree = append(z.Agree, name)
		} else {
			z.Disagree = append(z.Disagree, name)
		}
	}
	if v.Surname != "" && (o.Surname != "" || o.GivenNames != "") {
		// agreeing takes the same words (an MRZ may truncate or
		// transliterate: similarity 0.95); disagreeing, a name below the
		// matching threshold; between, neither
		a, b := v.Surname+" "+v.GivenNames, o.Surname+" "+o.GivenNames
		sim := docdata.NameSimilarity(a, b)
		switch {
		case sameWords(a, b) || o.Source == "mrz" && sim >= 0.95:
			add("name", true)
		case sim < docdata.NameThreshold:
			add("name", false)
		}
	}
	if v.BirthDate != "" && o.BirthDate != "" && !strings.Contains(o.BirthDate, "X") {
		add(FieldBirthDate, v.BirthDate == o.BirthDate)
	}
	if v.ExpiryDate != "" && o.ExpiryDate != "" && !strings.Contains(o.ExpiryDate, "X") {
		add(FieldExpiryDate, v.ExpiryDate == o.ExpiryDate)
	}
	if v.DocumentNumber != "" && o.DocumentNumber != "" {
		add(FieldDocumentNumber, pii.DocumentNumberKey(v.DocumentNumber) == pii.DocumentNumberKey(o.DocumentNumber))
	}
	return z
}

// sameWords reports whether two names hold the same words, in any order
// (folded, transliterated).
func sameWords(a, b string) bool {
	wa, wb := docdata.NameKey(a), docdata.NameKey(b)
	slices.Sort(wa)
	slices.Sort(wb)
	return slices.Equal(wa, wb)
}
