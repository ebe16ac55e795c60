package mrz

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Doubts: why a reading whose check digits hold is still sent to review.
// Check digits cover the document number and the dates, not the names, and
// a reading can be made to satisfy them (by OCR chance or by the repair
// step); these catch the readings that should not be trusted without a
// person looking.
const (
	// DoubtDates: a date that cannot be (month 13, 30 February, a birth
	// date in the future, expiry before birth).
	DoubtDates = "impossible_date"
	// DoubtFields: a field breaks a rule of the format other than a check
	// digit (an unknown country code, a sex other than M/F/X, digits in
	// the names, an empty surname).
	DoubtFields = "field_problem"
	// DoubtNames: filler patterns the name field does not allow (a run of
	// three or more fillers inside the names, a second "<<" separator,
	// letters strewn in the trailing fillers: noise read as K or <).
	DoubtNames = "name_fillers"
	// DoubtAmbiguous: a letter OCR confuses with a digit (O/0, I/1, Z/2,
	// S/5, B/8, …) stands among digits only in the document number, where
	// a check digit can hold by chance or by repair; or the zeros read for
	// letters O there hold every check digit as the letters did.
	DoubtAmbiguous = "ambiguous_characters"
	// DoubtConfidence: a field holds a character OCR read with low
	// confidence.
	DoubtConfidence = "low_confidence"
	// DoubtRepairs: the repair step changed many characters to make the
	// reading fit.
	DoubtRepairs = "many_repairs"
	// DoubtFitted: characters were added or cut off to fit the layout (a
	// line read too short or too long: a character dropped or invented).
	DoubtFitted = "layout_fitted"
	// DoubtResolution: the MRZ's characters are fewer than MinCharHeight
	// pixels high in the submitted image; OCR-B letters that small are
	// told apart by a pixel or two (O/Q/D, E/F, I/T), so names read from
	// them are guesses.
	DoubtResolution = "low_resolution"
	// DoubtSeveral: the image holds the MRZs of several documents.
	DoubtSeveral = "several_documents"
)

// Thresholds of the review rule (bench/mrz-real.sh measures them).
const (
	// MinCharConfidence is the lowest character confidence (tesseract,
	// 0–100) accepted in a field. Tesseract is sure of most misread
	// characters too (they score 80–99 on the public set); with the line
	// finder no correct passing reading had a field below 85, and one whose
	// check digits held by chance had its document number at 81.
	MinCharConfidence = 85
	// MinNameConfidence is the lowest character confidence accepted in the
	// names, which no check digit covers. With the line finder, the two
	// misspelt names that still passed on the public set (an H read W at
	// 96.9, a T read Y at 95.7) were the only passing readings with a
	// name character between 95 and 97; 2 of ~300 correct passing
	// readings fall there too and go to review.
	// A letter in the document number needs MinNameConfidence too:
	// letters ten apart in value (A/K/U, C/M/W, …) leave every check digit
	// holding when one is read for the other (weights 7, 3, 1 times 10).
	// On the public set an annotation stroke across a C gave an M at 90
	// whose check digits held.
	MinNameConfidence = 97
	// MaxRepairs is the most characters the repair step may change: no
	// correct reading of the public set needed more than one, most wrong
	// ones that passed needed two or more.
	MaxRepairs = 1
	// MaxFitted is the most characters that may be added or cut off to fit
	// the layout.
	MaxFitted = 2
	// MinCharHeight is the smallest character height (pixels of the
	// submitted image) names are trusted at: ICAO 9303 prints OCR-B at
	// 2.3–2.9 mm, so 8 px is ~75 dpi; the only name of the public set read
	// wrong with every character confident came from 7 px letters.
	MinCharHeight = 8
)

// Assessment is what document.mrz concludes from a reading.
type Assessment struct {
	Status     kyc.CheckStatus
	ReasonCode string
	// Doubts say why a valid reading goes to review (Doubt* codes).
	Doubts []string
	// LowFields are the fields with a character below MinCharConfidence
	// (MinNameConfidence in the names).
	LowFields []string
	// FieldConfidence is the lowest character confidence (0–100) of each
	// field read: document_number, birth_date, expiry_date, surname,
	// given_names (a field left empty is absent).
	FieldConfidence map[string]float64
}

// Assess judges a reading: failed (MRZ_INVALID) when a check digit does not
// hold; review (MRZ_DOUBTFUL) when every check digit holds but the fields
// disagree with each other or with the format, characters were read with
// low confidence, or the repair step changed many characters; passed
// otherwise. A reading that would have been wrong must never pass on
// check digits alone.
func Assess(rd Reading, now time.Time) Assessment {
	if now.IsZero() {
		now = Now()
	}
	d := rd.Document
	a := Assessment{FieldConfidence: fieldConfidence(rd)}
	if !d.Valid() {
		a.Status, a.ReasonCode = kyc.CheckFailed, kyc.ReasonMRZInvalid
		return a
	}
	doubt := func(code string) {
		for _, c := range a.Doubts {
			if c == code {
				return
			}
		}
		a.Doubts = append(a.Doubts, code)
	}
	for _, p := range parseProblems(rd) {
		switch p.Field {
		case "birth_date", "expiry_date":
			doubt(DoubtDates)
		default:
			doubt(DoubtFields)
		}
	}
	if impossibleDates(d, now) {
		doubt(DoubtDates)
	}
	if d.DocumentCode == "" || !strings.ContainsRune("ACIPV", rune(d.DocumentCode[0])) {
		doubt(DoubtFields) // ICAO 9303 document codes start with A, C, I, P or V
	}
	if badNameFillers(d) {
		doubt(DoubtNames)
	}
	if rd.Ambiguous || ambiguousNumber(d.DocumentNumber) {
		doubt(DoubtAmbiguous)
	}
	for _, f := range []string{"document_number", "birth_date", "expiry_date", "surname", "given_names"} {
		floor := float64(MinCharConfidence)
		if f == "surname" || f == "given_names" {
			floor = MinNameConfidence
		}
		c, ok := a.FieldConfidence[f]
		if f == "document_number" {
			if l, has := numberLetterConfidence(rd); has && l < MinNameConfidence {
				c, ok, floor = l, true, MinNameConfidence
			}
		}
		if ok && c < floor {
			a.LowFields = append(a.LowFields, f)
			doubt(DoubtConfidence)
		}
	}
	if rd.Repaired > MaxRepairs {
		doubt(DoubtRepairs)
	}
	if rd.Fitted > MaxFitted {
		doubt(DoubtFitted)
	}
	if rd.CharHeight > 0 && rd.CharHeight < MinCharHeight {
		doubt(DoubtResolution)
	}
	if rd.OtherMRZs > 0 {
		doubt(DoubtSeveral)
	}
	if len(a.Doubts) > 0 {
		a.Status, a.ReasonCode = kyc.CheckReview, kyc.ReasonMRZDoubtful
		return a
	}
	a.Status = kyc.CheckPassed
	return a
}

// parseProblems are the problems of the reading's parse other than check
// digits.
func parseProblems(rd Reading) []FieldError {
	_, err := Parse(rd.Lines...)
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []FieldError
	for _, p := range e.Problems {
		if strings.HasPrefix(p.Problem, "check digit") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// MaxAge is the oldest a holder is taken to be when the century of a birth
// date is inferred.
const MaxAge = 120

// impossibleDates: a birth date in the future, or an expiry date before the
// birth date in every century the birth date may be in (the MRZ has two
// digits of the year: a holder born in 1912 reads as 2012).
func impossibleDates(d Document, now time.Time) bool {
	b, okB := d.BirthDate.Time()
	e, okE := d.ExpiryDate.Time()
	if okB && b.After(now) {
		return true
	}
	if !okB || !okE {
		return false
	}
	for ; now.Sub(b) <= time.Duration(MaxAge)*365*24*time.Hour; b = b.AddDate(-100, 0, 0) {
		if e.After(b) {
			return false
		}
	}
	return true
}

// badNameFillers reports filler patterns a name field does not allow: a
// run of three or more fillers, or a second "<<", before the last letter.
func badNameFillers(d Document) bool {
	var field string
	switch d.Format {
	case TD1:
		if len(d.Lines) == 3 {
			field = d.Lines[2]
		}
	case TD2, TD3, MRVA, MRVB:
		if len(d.Lines) >= 1 && len(d.Lines[0]) > 5 {
			field = d.Lines[0][5:]
		}
	}
	name := strings.TrimRight(field, "<")
	return strings.Contains(name, "<<<") || strings.Count(name, "<<") > 1
}

// ambiguousNumber reports, in a document number, a letter OCR confuses with
// a digit (O Q D I L Z S B G) whose neighbours are all digits (or fillers,
// or the field's end): "A000O0O0". A letter starting the number is common
// (L898902C3) and only O and Q count there.
func ambiguousNumber(num string) bool {
	digit := func(i int) bool { return i >= len(num) || num[i] == '<' || (num[i] >= '0' && num[i] <= '9') }
	for i := 0; i < len(num); i++ {
		set := "OQDILZSBG"
		if i == 0 {
			set = "OQ"
		}
		if strings.IndexByte(set, num[i]) >= 0 && (i == 0 || digit(i-1)) && digit(i+1) && len(num) > 1 {
			return true
		}
	}
	return false
}

// span is a field's positions on a line.
type span struct{ line, from, to int }

// fieldSpans are the positions of the scored fields in a reading's lines
// (names: from the first to the last letter of the primary and secondary
// identifiers).
func fieldSpans(d Document) map[string]span {
	var num, birth, expiry, names span
	switch d.Format {
	case TD1:
		num, birth, expiry, names = span{0, 5, 15}, span{1, 0, 7}, span{1, 8, 15}, span{2, 0, 30}
	case TD2, MRVB:
		num, birth, expiry, names = span{1, 0, 10}, span{1, 13, 20}, span{1, 21, 28}, span{0, 5, 36}
	case TD3, MRVA:
		num, birth, expiry, names = span{1, 0, 10}, span{1, 13, 20}, span{1, 21, 28}, span{0, 5, 44}
	default:
		return nil
	}
	out := map[string]span{"document_number": num, "birth_date": birth, "expiry_date": expiry}
	if names.line >= len(d.Lines) || names.to > len(d.Lines[names.line]) {
		return out
	}
	field := d.Lines[names.line][names.from:names.to]
	end := len(strings.TrimRight(field, "<"))
	sep := strings.Index(field[:end], "<<")
	if sep < 0 {
		sep = end
	}
	if sep > 0 {
		out["surname"] = span{names.line, names.from, names.from + sep}
	}
	if sep+2 < end {
		out["given_names"] = span{names.line, names.from + sep + 2, names.from + end}
	}
	return out
}

// numberLetterConfidence is the lowest confidence of a letter in the
// document number (false when it holds none).
func numberLetterConfidence(rd Reading) (float64, bool) {
	sp, ok := fieldSpans(rd.Document)["document_number"]
	if !ok || sp.line >= len(rd.CharConfidence) || sp.line >= len(rd.Document.Lines) ||
		sp.to > len(rd.CharConfidence[sp.line]) || sp.to > len(rd.Document.Lines[sp.line]) {
		return 0, false
	}
	low, has := 100.0, false
	line := rd.Document.Lines[sp.line]
	for i := sp.from; i < sp.to; i++ {
		if line[i] >= 'A' && line[i] <= 'Z' {
			low, has = math.Min(low, math.Max(0, rd.CharConfidence[sp.line][i])), true
		}
	}
	return math.Round(low*10) / 10, has
}

// fieldConfidence is the lowest character confidence of each field (a
// filler added to fit the layout counts as 0 inside a field).
func fieldConfidence(rd Reading) map[string]float64 {
	out := map[string]float64{}
	for name, sp := range fieldSpans(rd.Document) {
		if sp.line >= len(rd.CharConfidence) || sp.to > len(rd.CharConfidence[sp.line]) {
			continue
		}
		low := 100.0
		for _, c := range rd.CharConfidence[sp.line][sp.from:sp.to] {
			low = math.Min(low, math.Max(0, c))
		}
		out[name] = math.Round(low*10) / 10
	}
	return out
}
