package viz

import (
	"image"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/openkyc/openkyc/internal/check/docdata"
	"golang.org/x/text/language"
)

// Field is one field read from the printed zone.
type Field struct {
	// Value as normalised for comparison: names in upper case, dates
	// YYYY-MM-DD, sex M/F/X, nationality alpha-2, a document number's
	// letters and digits.
	Value string `json:"value"`
	Text  string `json:"text"` // as printed (read)
	// Confidence (0–1): OCR's confidence in the value's words, lowered
	// for a value that had to be repaired or allows another reading.
	Confidence float64 `json:"confidence"`
	Label      string  `json:"label"`            // the label as read
	Box        [4]int  `json:"box"`              // x0, y0, x1, y1 of the value in the image read
	Passes     string  `json:"passes,omitempty"` // whether the two OCR passes agree (Passes*)
	// Scheme is the issuer's document number scheme the number fits
	// (numbers.go); Problem, why a number is in doubt (it fits no scheme
	// of its document, its check digit or the birth date it encodes does
	// not hold).
	Scheme  string `json:"scheme,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// Result is what the printed zone gave: fields by name, and the document
// type and country its titles name.
type Result struct {
	Fields map[string]Field `json:"fields"`
	// DocumentTypes: the types the titles name (Type* of docdata);
	// IssuingCountry: the country they name (alpha-2).
	DocumentTypes  []string `json:"document_types,omitempty"`
	IssuingCountry string   `json:"issuing_country,omitempty"`
	Keywords       []string `json:"keywords,omitempty"` // the titles found, folded
	Labels         int      `json:"labels"`             // labels recognised
	Words          int      `json:"words"`              // words OCR read
}

// Extract reads the fields of a printed zone from the words OCR found:
// each label of the dictionaries takes the value written after it on its
// row, else the nearest one below it, else to its right. country (alpha-2,
// "" when unknown) sets the label languages preferred and the order of
// numeric dates; now sets the century of two-digit years.
func Extract(words []Word, country string, now time.Time) Result {
	langs := append(slices.Clone(countryLanguages[country]), "en")
	segs := segments(words)
	res := Result{Fields: map[string]Field{}, Words: len(words)}
	// titles first: the country they name sets the label languages
	var all strings.Builder
	for _, s := range segs {
		if looksMRZ(s.text) {
			s.used = true // the MRZ is its own engine's
			continue
		}
		all.WriteString(" " + fold(s.text) + " ")
	}
	res.DocumentTypes, res.IssuingCountry, res.Keywords = titles(all.String())
	dateCountry := country
	switch {
	case country == "" && res.IssuingCountry != "":
		country, dateCountry = res.IssuingCountry, res.IssuingCountry
		langs = append(slices.Clone(countryLanguages[country]), "en")
	case res.IssuingCountry != "" && res.IssuingCountry != country:
		// the titles name another country than declared: its date order
		// is not to be trusted (ambiguous numeric dates stay uncertain)
		dateCountry = ""
	}
	licence := slices.Contains(res.DocumentTypes, docdata.TypeDrivingLicense) && (country == "" || euModel[country])
	for _, s := range segs {
		if s.used {
			continue
		}
		s.field, s.labelWords = labelMatch(s.words, langs)
		if s.labelWords == 0 && licence {
			s.field, s.labelWords = numberedLabel(s)
		}
		if s.labelWords > 0 {
			res.Labels++
		}
	}
	for _, l := range segs {
		if l.labelWords == 0 || l.field == fieldOther {
			continue
		}
		if _, done := res.Fields[l.field]; done {
			continue
		}
		for _, cand := range valueCandidates(l, segs) {
			f, ok := parseField(l.field, cand, dateCountry, now)
			if !ok {
				cand.seg.tried = true
				continue
			}
			f.Label = l.valueText(0)
			if l.labelWords < len(l.words) && cand.seg == l {
				f.Label = strings.Join(wordTexts(l.words[:l.labelWords]), " ")
			}
			res.Fields[l.field] = f
			cand.seg.used = cand.seg != l || cand.seg.used
			if l.field == FieldAddress {
				extendAddress(&f, cand, segs)
				res.Fields[l.field] = f
			}
			break
		}
	}
	res.unlabelledNumber(country, all.String(), segs)
	res.unlabelledDates(segs, dateCountry, now)
	res.unlabelledName(segs)
	res.settleNumber(country, all.String())
	return res
}

// unlabelledDates takes, for a birth date or expiry no label gave (a label
// OCR misread: "ai" for "DOB"), the one date on a row of no label, and
// offered to none, that can only be that field: a date at least
// minBirthAge years back is a birth date, one ahead an expiry (an issue
// date lies between). Two such dates, or a year of two digits, give
// nothing. Never Confident: no label says what it is.
func (r *Result) unlabelledDates(segs []*segment, country string, now time.Time) {
	_, hasBirth := r.Fields[FieldBirthDate]
	_, hasExpiry := r.Fields[FieldExpiryDate]
	if hasBirth && hasExpiry {
		return
	}
	found := map[string]Field{}
	several := map[string]bool{}
	for _, s := range segs {
		if s.used || s.labelWords > 0 || s.tried {
			continue
		}
		for j := range s.words {
			f := fieldOf(s.words[j:])
			if !fullYear.MatchString(f.Text) {
				break
			}
			d, ok := ParseDate(f.Text, country, FieldBirthDate, now)
			if !ok {
				continue
			}
			t, err := time.Parse(time.DateOnly, d.ISO)
			if err != nil {
				break
			}
			field := ""
			switch {
			case t.After(now):
				field = FieldExpiryDate
			case t.Before(now.AddDate(-minBirthAge, 0, 0)):
				field = FieldBirthDate
			}
			if field != "" {
				f.Value, f.Confidence = d.ISO, min(f.Confidence, Confident-0.01)
				if !d.Certain {
					f.Confidence = round2(f.Confidence * 0.5)
				}
				if prev, ok := found[field]; ok && prev.Value != f.Value {
					several[field] = true
				}
				found[field] = f
			}
			break
		}
	}
	for field, f := range found {
		if _, ok := r.Fields[field]; !ok && !several[field] {
			r.Fields[field] = f
		}
	}
}

// unlabelledName takes, when one of surname and given names was read and
// the other's label was not (a label OCR misread), the other from the
// nearest row of capitals offered to no label: the given names below the
// surname, the surname above the given names (every layout read prints
// them in that order, each on its row). Never Confident: no label says
// what it is.
func (r *Result) unlabelledName(segs []*segment) {
	sur, hasSur := r.Fields[FieldSurname]
	given, hasGiven := r.Fields[FieldGivenNames]
	if hasSur == hasGiven {
		return
	}
	if _, ok := r.Fields[FieldFullName]; ok {
		return
	}
	anchor, want, below := sur, FieldGivenNames, true
	if hasGiven {
		anchor, want, below = given, FieldSurname, false
	}
	a := image.Rect(anchor.Box[0], anchor.Box[1], anchor.Box[2], anchor.Box[3])
	h := float64(max(1, a.Dy()))
	var best *segment
	var bestWords []Word
	bestD := math.MaxFloat64
	for _, s := range segs {
		if s.used || s.labelWords > 0 || s.tried || s.box.Overlaps(a) {
			continue
		}
		dy := float64(s.box.Min.Y - a.Max.Y)
		if !below {
			dy = float64(a.Min.Y - s.box.Max.Y)
		}
		overlap := min(s.box.Max.X, a.Max.X) - max(s.box.Min.X, a.Min.X)
		if dy < -h/3 || dy > 3.5*h || math.Abs(float64(s.box.Min.X-a.Min.X)) > 4*h && overlap <= 0 {
			continue
		}
		ws := capitalsRun(s.words)
		if ws == nil {
			continue
		}
		if dy < bestD {
			best, bestWords, bestD = s, ws, dy
		}
	}
	if best == nil {
		return
	}
	f := fieldOf(bestWords)
	v, clean := nameValue(f.Text)
	if v == "" || !clean || labelLike(f.Text) {
		return
	}
	f.Value, f.Confidence = v, min(f.Confidence, Confident-0.01)
	r.Fields[want] = f
}

// capitalsRun is the run of words at the end of a row written in capital
// letters (a name as documents print it; what OCR made of a label before
// it is not), nil when the row does not end in one.
func capitalsRun(ws []Word) []Word {
	i := len(ws)
	for i > 0 && capitals(ws[i-1].Text) {
		i--
	}
	if i == len(ws) {
		return nil
	}
	return ws[i:]
}

// capitals: a word of two or more letters, all capitals (a hyphen or an
// apostrophe inside allowed).
func capitals(w string) bool {
	letters := 0
	for _, r := range w {
		switch {
		case unicode.IsUpper(r):
			letters++
		case r == '-' || r == '\'' || r == '’':
		default:
			return false
		}
	}
	return letters >= 2
}

// fieldOf is a field of words (at least one): their text, box and mean
// confidence; no value yet.
func fieldOf(ws []Word) Field {
	var box image4
	var sum float64
	for i, w := range ws {
		box.add(w, i == 0)
		sum += w.Conf
	}
	return Field{Text: strings.Join(wordTexts(ws), " "), Confidence: round2(sum / float64(len(ws)) / 100), Box: box.b}
}

// minBirthAge is how many years back a date no label names must lie to be
// taken for a birth date: issue dates lie within a document's validity
// (ten years at most for the documents read here).
const minBirthAge = 10

// fullYear is a four-digit year of the last two centuries.
var fullYear = regexp.MustCompile(`(^|\D)(19|20)\d\d(\D|$)`)

// unlabelledNumber takes, when no label named the document number, the
// one word of the text not taken as a value that fits a number scheme of
// the document (a label OCR misread: "DE" for "DL"). Several such words,
// or none, give nothing. It is never Confident: no label says what it is.
func (r *Result) unlabelledNumber(country, text string, segs []*segment) {
	if _, ok := r.Fields[FieldDocumentNumber]; ok {
		return
	}
	if r.IssuingCountry != "" && r.IssuingCountry != country {
		return
	}
	fs, known := formatsFor(country, r.DocumentTypes, text)
	if !known {
		return
	}
	var found Field
	for _, s := range segs {
		if s.used {
			continue
		}
		for _, w := range s.words {
			v, _ := numberValue(w.Text)
			if v == "" {
				continue
			}
			fit, ok := fitNumber(v, fs)
			if !ok || fit.problem != "" {
				continue
			}
			if found.Value != "" && found.Value != v {
				return // two candidates: which is the number is a guess
			}
			found = fieldOf([]Word{w})
			found.Value, found.Confidence = v, min(found.Confidence, Confident-0.01)
		}
	}
	if found.Value != "" {
		r.Fields[FieldDocumentNumber] = found
	}
}

// settleNumber reads the document number against its issuer's schemes
// (numbers.go) for the country and the types the titles name: a fitting
// number is settled position by position and used when every position
// is; one that fits none of a known scheme, fails its check digit or
// encodes another birth date than the one read stays below Confident with
// the problem; a number of no known scheme that mixes letters with the
// characters OCR confuses is in doubt.
func (r *Result) settleNumber(country, text string) {
	f, ok := r.Fields[FieldDocumentNumber]
	if !ok {
		return
	}
	unsure := func() float64 { return round2(f.Confidence * 0.6) }
	var fs []*numberFormat
	known := false
	if r.IssuingCountry == "" || r.IssuingCountry == country {
		// (titles naming another country than declared: no scheme is trusted)
		fs, known = formatsFor(country, r.DocumentTypes, text)
	}
	fit, fits := fitNumber(f.Value, fs)
	switch {
	case fits:
		if s, ok := r.Fields[FieldSurname]; ok && s.Confidence >= Confident && fit.problem == "" {
			fit.problem = fit.settleName(s.Value)
		}
		if b, ok := r.Fields[FieldBirthDate]; ok && b.Confidence >= Confident && fit.problem == "" {
			fit.problem = fit.crossBirth(b.Value)
		}
		f.Value, f.Scheme, f.Problem = fit.value, fit.format, fit.problem
		if !fit.sure() {
			f.Confidence = unsure()
		}
	case known:
		f.Problem = "it fits no number scheme of the document"
	case mixesConfusables(f.Value):
		f.Confidence = unsure()
	}
	if f.Problem != "" {
		f.Confidence = min(f.Confidence, Confident-0.01)
	}
	r.Fields[FieldDocumentNumber] = f
}

// licenceFields are the numbered fields of the EU driving licence model
// (Directive 2006/126/EC, Annex I), which the United Kingdom's and many
// others' follow: "1." surname, "2." given names, "3." date and place of
// birth, "4a." issue, "4b." expiry, "4c." authority, "4d." a personal
// number, "5." licence number, "7." signature, "8." address, "9."
// categories.
var licenceFields = map[string]string{"1": FieldSurname, "2": FieldGivenNames, "3": FieldBirthDate, "4a": FieldIssueDate,
	"4b": FieldExpiryDate, "4c": fieldOther, "4d": fieldOther, "5": FieldDocumentNumber, "7": fieldOther, "8": FieldAddress, "9": fieldOther}

// numberedRE is a licence field's number as OCR reads it: "1.", "4b.",
// "l." (1 read as l), "Ab," (4 read as A), and a value of letters glued to
// it ("1.MORGAN"; never a date: "l.O3.1976" is no label).
var numberedRE = regexp.MustCompile(`^([1-9lI]|[4A][abcd])[.,](\p{L}[^0-9]*)?$`)

// euModel are the countries whose driving licences follow the EU model's
// numbered fields (the EU, the EEA, Switzerland, the United Kingdom); US
// and Canadian licences number their fields otherwise.
var euModel = map[string]bool{"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true, "MT": true, "NL": true, "PL": true,
	"PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true, "IS": true, "LI": true, "NO": true, "CH": true, "GB": true}

// numberedLabel reads a licence segment's first word as a numbered field
// (licenceFields). A value glued to the number is split off into a word
// of its own.
func numberedLabel(s *segment) (string, int) {
	m := numberedRE.FindStringSubmatch(s.words[0].Text)
	if m == nil {
		return "", 0
	}
	key := strings.NewReplacer("l", "1", "I", "1", "|", "1", "A", "4").Replace(m[1])
	field, ok := licenceFields[key]
	if !ok {
		return "", 0
	}
	if m[2] != "" {
		w := s.words[0]
		label, value := w, w
		cut := w.Box.Min.X + w.Box.Dx()*(len(w.Text)-len(m[2]))/len(w.Text)
		label.Text, label.Box.Max.X = strings.TrimSuffix(w.Text, m[2]), cut
		value.Text, value.Box.Min.X = m[2], cut
		s.words = slices.Insert(slices.Clone(s.words), 1, value)
		s.words[0] = label
	}
	return field, 1
}

func wordTexts(ws []Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Text
	}
	return out
}

// candidate is a value a label may take: words of a segment, possibly
// followed by the next segments of its row (a date printed in columns).
type candidate struct {
	seg   *segment
	from  int        // first word
	extra []*segment // following segments of the row
}

func (c candidate) words() []Word {
	ws := slices.Clone(c.seg.words[c.from:])
	for _, e := range c.extra {
		ws = append(ws, e.words...)
	}
	return ws
}

// valueCandidates are where a label's value may be, most likely first: the
// rest of its own segment; the segment below it (left edges aligned, or
// overlapping columns), within two line heights; the next segment to its
// right on its row. Segments that are labels are never values. A rest that
// starts with "/" is more likely a label's misread translation than its
// value: it comes last.
func valueCandidates(l *segment, segs []*segment) []candidate {
	var out []candidate
	if l.labelWords < len(l.words) && isValueLike(l.valueText(l.labelWords)) {
		out = append(out, candidate{seg: l, from: l.labelWords})
	}
	h := float64(l.height())
	var below, right *segment
	bestBelow, bestRight := math.MaxFloat64, math.MaxFloat64
	for _, s := range segs {
		if s == l || s.labelWords > 0 || s.used || !isValueLike(s.text) {
			continue
		}
		dy := float64(s.box.Min.Y - l.box.Max.Y)
		dx := float64(s.box.Min.X - l.box.Min.X)
		overlap := min(s.box.Max.X, l.box.Max.X) - max(s.box.Min.X, l.box.Min.X)
		if dy > -h/3 && dy < 2.2*max(h, float64(s.height())) && (math.Abs(dx) < 2.5*h || overlap > 0 && dx > -float64(l.box.Dx())) {
			if d := dy + math.Abs(dx)/4; d < bestBelow {
				below, bestBelow = s, d
			}
		}
		cy := float64(s.box.Min.Y+s.box.Max.Y) / 2
		if cy > float64(l.box.Min.Y) && cy < float64(l.box.Max.Y) && s.box.Min.X >= l.box.Max.X {
			if d := float64(s.box.Min.X - l.box.Max.X); d < bestRight && d < 20*h {
				right, bestRight = s, d
			}
		}
	}
	row := func(s *segment) candidate {
		c := candidate{seg: s}
		// the next segments of the row, left to right, that are not labels
		last := s
		for {
			var next *segment
			for _, t := range segs {
				if t == last || t.labelWords > 0 || t.used || t.box.Min.X < last.box.Max.X {
					continue
				}
				cy := (t.box.Min.Y + t.box.Max.Y) / 2
				if cy < last.box.Min.Y || cy > last.box.Max.Y || t.box.Min.X-last.box.Max.X > 4*last.height() {
					continue
				}
				if next == nil || t.box.Min.X < next.box.Min.X {
					next = t
				}
			}
			if next == nil || len(c.extra) == 2 {
				return c
			}
			c.extra = append(c.extra, next)
			last = next
		}
	}
	if below != nil {
		out = append(out, row(below))
	}
	if right != nil && right != below {
		out = append(out, row(right))
	}
	if len(out) > 0 && out[0].seg == l && strings.HasPrefix(l.valueText(l.labelWords), "/") {
		// the rest of a bilingual label whose translation was misread
		// ("Vornamen / Geen names"): a value below or beside comes first,
		// and a rest that reads nearly as a label is none
		rest := out[0]
		out = out[1:]
		if !labelLike(l.valueText(l.labelWords)) {
			out = append(out, rest)
		}
	}
	return out
}

// parseField reads a candidate as the field's value. Dates may take the
// next segments of the row; other fields take the candidate's own words.
func parseField(field string, c candidate, country string, now time.Time) (Field, bool) {
	take := func(ws []Word) Field {
		ws = slices.Clone(ws)
		// a separator printed apart from its label (": SITI") is not the value's
		for len(ws) > 0 {
			t := strings.TrimLeft(ws[0].Text, ":;.,-=_|")
			if t != "" {
				ws[0].Text = t
				break
			}
			ws = ws[1:]
		}
		if len(ws) == 0 {
			return Field{}
		}
		return fieldOf(ws)
	}
	switch field {
	case FieldBirthDate, FieldExpiryDate, FieldIssueDate:
		ws := c.seg.words[c.from:]
		if field == FieldExpiryDate {
			ws = validityEnd(ws)
		}
		for k := 0; k <= len(c.extra); k++ {
			if k > 0 {
				ws = append(slices.Clone(ws), c.extra[k-1].words...)
			}
			f := take(ws)
			d, ok := ParseDate(f.Text, country, field, now)
			if !ok {
				continue
			}
			f.Value = d.ISO
			if !d.Certain {
				f.Confidence = round2(f.Confidence * 0.5)
			}
			return f, true
		}
		return Field{}, false
	}
	f := take(c.seg.words[c.from:])
	if f.Text == "" {
		return Field{}, false
	}
	v, factor := valueParsers[field](f.Text)
	if v == "" {
		return Field{}, false
	}
	f.Value, f.Confidence = v, round2(f.Confidence*factor)
	return f, true
}

// A period of validity, "2016.03.01-2036.03.01" (Chinese cards; 长期 for
// one without end): its end is the expiry. periodStart is a period's start
// and separator (OCR reads the dash as 一 or ~), periodEnd its end.
var (
	periodStart = regexp.MustCompile(`^\d{4}\s*[./]\s*\d{1,2}.*[-–—一~至]`)
	periodEnd   = regexp.MustCompile(`[-–—一~至]\s*(\d{4}[./]\d{1,2}[./]\d{1,2}|长期)$`)
)

// validityEnd is the end of a period of validity when the words are one: a
// period whose end cannot be read gives no expiry (never its start).
func validityEnd(ws []Word) []Word {
	// the dashes OCR reads set apart, so that each date folds alone
	text := strings.NewReplacer("一", " - ", "~", " - ", "至", " - ", "–", " - ", "—", " - ").Replace(strings.Join(wordTexts(ws), " "))
	text = digitFold(text)
	if !periodStart.MatchString(text) {
		return ws
	}
	last := ws[len(ws)-1]
	last.Text = ""
	if m := periodEnd.FindStringSubmatch(text); m != nil && m[1] != "长期" {
		last.Text = m[1]
	}
	return []Word{last}
}

// valueParsers read a field's value from its text: the value ("" when the
// text holds none) and a factor on OCR's confidence (below 1 for a value
// that had to be cleaned or may be misread).
var valueParsers = map[string]func(string) (string, float64){
	FieldSurname: nameParser, FieldGivenNames: nameParser, FieldFullName: nameParser,
	FieldDocumentNumber: func(text string) (string, float64) {
		v, clean := numberValue(text)
		return v, pick1(clean, 0.6)
	},
	FieldSex:         func(text string) (string, float64) { return sexValue(text), 1 },
	FieldNationality: func(text string) (string, float64) { return nationalityValue(text), 1 },
	FieldAddress:     func(text string) (string, float64) { return strings.Join(strings.Fields(text), " "), 1 },
}

func nameParser(text string) (string, float64) {
	v, clean := nameValue(text)
	return v, pick1(clean, 0.7)
}

// pick1 is 1 when ok, else low.
func pick1(ok bool, low float64) float64 {
	if ok {
		return 1
	}
	return low
}

type image4 struct{ b [4]int }

func (b *image4) add(w Word, first bool) {
	r := w.Box
	if first {
		b.b = [4]int{r.Min.X, r.Min.Y, r.Max.X, r.Max.Y}
		return
	}
	b.b = [4]int{min(b.b[0], r.Min.X), min(b.b[1], r.Min.Y), max(b.b[2], r.Max.X), max(b.b[3], r.Max.Y)}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// nameValue keeps a name's letters, spaces, hyphens and apostrophes, in
// upper case; clean is false when anything else had to be dropped.
func nameValue(text string) (string, bool) {
	var b strings.Builder
	clean := true
	for _, r := range strings.TrimSpace(text) {
		switch {
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToUpper(r))
		case r == ' ' || r == '-' || r == '\'' || r == '’':
			b.WriteRune(r)
		case r == ',' || r == '.':
			b.WriteRune(' ')
		default:
			clean = false
		}
	}
	v := strings.Join(strings.Fields(strings.Trim(b.String(), " -'’")), " ")
	if v != "" && !strings.ContainsFunc(v, func(r rune) bool { return r != ' ' && !isHan(r) }) {
		v = strings.ReplaceAll(v, " ", "") // a Chinese name is written without spaces; OCR puts them between characters
	}
	letters := 0
	for _, r := range v {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 2 {
		return "", false
	}
	return v, clean
}

var numberRE = regexp.MustCompile(`[A-Z0-9][A-Z0-9 \-]{3,24}[A-Z0-9]`)

// numberValue is the longest run of capital letters and digits (spaces and
// hyphens inside dropped: numbers printed spaced) holding a digit, 5–20
// characters; or, when none holds a digit, a run of 6–20 letters without a
// vowel (a German serial number may hold no digit; a word of the
// dictionaries' languages always holds a vowel). clean is false when the
// text holds anything else (a misread character cut the run short, or
// stood for a letter or digit).
func numberValue(text string) (v string, clean bool) {
	upper := strings.ToUpper(strings.TrimSpace(text))
	// OCR's dashes are hyphens; its @, $, ] and | are a 0, an S, a J and
	// an I misread (the value is then not clean)
	upper = strings.NewReplacer("—", "-", "–", "-", "‐", "-").Replace(upper)
	misread := strings.NewReplacer("@", "0", "$", "S", "]", "J", "|", "I").Replace(upper)
	dirty := misread != upper
	upper = misread
	consonants := ""
	for _, m := range numberRE.FindAllString(upper, -1) {
		for _, part := range strings.Split(m, "  ") { // two spaces: separate values
			p := strings.NewReplacer(" ", "", "-", "").Replace(part)
			switch {
			case len(p) < 5 || len(p) > 20:
			case strings.ContainsAny(p, "0123456789"):
				if len(p) > len(v) {
					v = p
				}
			case len(p) >= 6 && !strings.ContainsAny(p, "AEIOU") && !strings.Contains(part, " ") && consonants == "":
				consonants = p
			}
		}
	}
	if v == "" {
		v = consonants
	}
	if v == "" {
		return "", false
	}
	alnum := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, upper)
	return v, alnum == v && !dirty
}

// mixesConfusables: a number that mixes letters with the characters OCR
// confuses in most faces (O and 0, I and 1) may be either.
func mixesConfusables(v string) bool {
	hasLetter := strings.ContainsFunc(v, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	return hasLetter && strings.ContainsAny(v, confusables)
}

// confusables are the characters OCR confuses in many faces (O and 0, I
// and 1, S and 5, B and 8, Z and 2): in a number that mixes letters and
// digits, either may be printed.
const confusables = "0O1I5S8B2Z"

// sexes are the printed sexes, folded, in the dictionaries' languages.
var sexes = map[string]string{
	"m": "M", "f": "F", "x": "X", "male": "M", "female": "F", "h": "M", "hombre": "M", "mujer": "F",
	"masculin": "M", "feminin": "F", "masculino": "M", "femenino": "F", "feminino": "F", "maschile": "M", "femminile": "F",
	"mannlich": "M", "weiblich": "F", "man": "M", "vrouw": "F", "v": "F", "lalaki": "M", "babae": "F",
	"laki laki": "M", "lakilaki": "M", "laki": "M", "perempuan": "F", "l": "M", "p": "F", "nam": "M", "nu": "F", "男": "M", "女": "F",
}

// sexValue reads the first word of a value as a sex (bilingual values
// "F/F", "M/H" read by their first).
func sexValue(text string) string {
	f := fold(text)
	if v, ok := sexes[f]; ok {
		return v
	}
	if w := strings.Fields(f); len(w) > 0 {
		if v, ok := sexes[w[0]]; ok {
			return v
		}
	}
	return ""
}

// nationalities are nationality words documents print (folded) that are
// not an ISO code.
var nationalities = map[string]string{
	"canadian": "CA", "canadienne": "CA", "british": "GB", "british citizen": "GB", "american": "US", "francaise": "FR", "francais": "FR",
	"deutsch": "DE", "deutsche": "DE", "german": "DE", "espanola": "ES", "espanol": "ES", "spanish": "ES", "portuguesa": "PT", "portuguese": "PT",
	"italiana": "IT", "italiano": "IT", "italian": "IT", "nederlandse": "NL", "nederlands": "NL", "dutch": "NL", "belge": "BE", "belgian": "BE",
	"filipino": "PH", "pilipino": "PH", "indonesia": "ID", "wni": "ID", "indonesian": "ID", "viet nam": "VN", "vietnamese": "VN", "中国": "CN", "chinese": "CN",
	"mexicana": "MX", "mexicano": "MX", "brasileira": "BR", "brasileiro": "BR", "osterreich": "AT", "austrian": "AT", "schweiz": "CH", "swiss": "CH",
}

// nationalityValue reads a nationality: an ISO 3166 alpha-3 (or alpha-2)
// code, or a nationality or country word.
func nationalityValue(text string) string {
	f := fold(text)
	for _, w := range append([]string{f}, strings.Fields(f)...) {
		if v, ok := nationalities[w]; ok {
			return v
		}
	}
	for _, kw := range countryKeywords {
		for _, k := range kw.keywords {
			if f == k || strings.HasPrefix(f, k+" ") {
				return kw.country
			}
		}
	}
	for _, w := range strings.Fields(strings.ToUpper(text)) {
		w = strings.Trim(w, "/.,:;")
		if len(w) == 3 && strings.ToUpper(w) == w {
			if r, err := language.ParseRegion(w); err == nil && r.IsCountry() {
				return r.String()
			}
		}
		if w == "D" {
			return "DE"
		}
	}
	return ""
}

// extendAddress adds the lines below an address's first (left edges
// aligned, close together), up to three.
func extendAddress(f *Field, c candidate, segs []*segment) {
	last := c.seg
	for range 3 {
		var next *segment
		for _, s := range segs {
			if s.used || s.labelWords > 0 || s == last {
				continue
			}
			h := last.height()
			dy := s.box.Min.Y - last.box.Max.Y
			if dy >= -h/3 && dy < h && abs(s.box.Min.X-last.box.Min.X) < 2*h {
				next = s
				break
			}
		}
		if next == nil {
			return
		}
		next.used = true
		f.Text += ", " + next.text
		f.Value += ", " + strings.Join(strings.Fields(next.text), " ")
		f.Confidence = round2(min(f.Confidence, next.conf(0)/100))
		last = next
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// looksMRZ reports whether a row is MRZ text (runs of fillers).
func looksMRZ(text string) bool {
	return strings.Count(text, "<") >= 3 || strings.Contains(text, "<<")
}

// titles finds the document type and issuing country the printed titles
// name, in folded text.
func titles(all string) (types []string, country string, found []string) {
	// OCR splits a Chinese title into characters and pairs ("中 华人 民"):
	// Han keywords are looked for without the spaces
	joined := strings.ReplaceAll(all, " ", "")
	has := func(k string) bool {
		if strings.ContainsFunc(k, isHan) {
			return strings.Contains(joined, k)
		}
		return strings.Contains(all, " "+k+" ")
	}
	for _, t := range docTypeKeywords {
		for _, k := range t.keywords {
			if has(k) {
				if !slices.Contains(types, t.docType) {
					types = append(types, t.docType)
				}
				found = append(found, k)
			}
		}
	}
	for _, c := range countryKeywords {
		for _, k := range c.keywords {
			if has(k) && country == "" {
				country = c.country
				found = append(found, k)
			}
		}
	}
	return types, country, found
}

// isHan reports a Chinese character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// Confident is the confidence from which a field is used: compared with
// the declared data and the other sources, its dates taken. A field below
// it is evidence for a reviewer only.
const Confident = 0.80

// Name is the holder's whole name as read: the full name, or the surname
// and the given names (both, at the lower of their confidences). A surname
// alone is not the name: compared with a declared full name it would
// differ.
func (r Result) Name() (Field, bool) {
	if fn, ok := r.Fields[FieldFullName]; ok {
		return fn, true
	}
	s, okS := r.Fields[FieldSurname]
	g, okG := r.Fields[FieldGivenNames]
	if !okS || !okG {
		return Field{}, false
	}
	s.Value += " " + g.Value
	s.Text += " / " + g.Text
	s.Confidence = min(s.Confidence, g.Confidence)
	return s, true
}
