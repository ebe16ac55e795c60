// Package mrz parses and validates machine readable zones of travel
// documents (ICAO Doc 9303): TD1 identity cards (3×30), TD2 (2×36) and TD3
// passports (2×44), and the MRV-A (2×44) and MRV-B (2×36) visas. Every check
// digit is verified, names are split, country codes checked, and dates read
// with century inference. Pure Go, no allocation-heavy dependencies.
package mrz

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Format is the layout of an MRZ.
type Format string

// Formats.
const (
	TD1  Format = "TD1"   // 3 lines of 30: identity cards
	TD2  Format = "TD2"   // 2 lines of 36: identity cards, older documents
	TD3  Format = "TD3"   // 2 lines of 44: passports
	MRVA Format = "MRV-A" // 2 lines of 44: visas
	MRVB Format = "MRV-B" // 2 lines of 36: visas
)

// Date is an MRZ date. Year, Month or Day is 0 when the MRZ leaves it
// unknown (filler characters, allowed for birth dates).
type Date struct {
	Year, Month, Day int
	Raw              string // the six characters as printed
}

// String is the date as YYYY-MM-DD ("" when wholly unknown; XX for unknown parts).
func (d Date) String() string {
	if d.Year == 0 {
		return ""
	}
	part := func(v int) string {
		if v == 0 {
			return "XX"
		}
		return fmt.Sprintf("%02d", v)
	}
	return fmt.Sprintf("%04d-%s-%s", d.Year, part(d.Month), part(d.Day))
}

// MarshalJSON writes the date as String does.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads what MarshalJSON writes (a sealed reading, opened by
// the console and the dialects): "" or YYYY-MM-DD with XX for an unknown
// month or day. Raw, not written, stays empty.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("mrz date: %w", err)
	}
	*d = Date{}
	if s == "" {
		return nil
	}
	ys, ms, ds, ok := cut3(s)
	year, err := strconv.Atoi(ys)
	if !ok || len(ys) != 4 || err != nil || year < 1 {
		return fmt.Errorf("mrz date %q: want YYYY-MM-DD", s)
	}
	part := func(p string, hi int) (int, bool) {
		if p == "XX" {
			return 0, true
		}
		v, err := strconv.Atoi(p)
		return v, err == nil && len(p) == 2 && v >= 1 && v <= hi
	}
	month, okM := part(ms, 12)
	day, okD := part(ds, 31)
	if !okM || !okD {
		return fmt.Errorf("mrz date %q: want YYYY-MM-DD", s)
	}
	*d = Date{Year: year, Month: month, Day: day}
	return nil
}

// cut3 splits s at its two dashes.
func cut3(s string) (a, b, c string, ok bool) {
	a, rest, ok1 := strings.Cut(s, "-")
	b, c, ok2 := strings.Cut(rest, "-")
	return a, b, c, ok1 && ok2
}

// Time is the date at midnight UTC; ok is false when a part is unknown.
func (d Date) Time() (time.Time, bool) {
	if d.Year == 0 || d.Month == 0 || d.Day == 0 {
		return time.Time{}, false
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC), true
}

// CheckDigit is one check digit of the MRZ and whether it holds.
type CheckDigit struct {
	Field    string `json:"field"`    // document_number, birth_date, expiry_date, optional_data, composite
	Printed  string `json:"printed"`  // as printed ("<" counts as 0)
	Computed string `json:"computed"` // over the field
	Valid    bool   `json:"valid"`
}

// Document is a parsed MRZ.
type Document struct {
	Format         Format       `json:"format"`
	DocumentCode   string       `json:"document_code"` // P, I, ID, V, AC, …
	IssuingState   string       `json:"issuing_state"` // as printed (ICAO code)
	Surname        string       `json:"surname"`       // primary identifier
	GivenNames     string       `json:"given_names"`   // secondary identifier, space-separated
	DocumentNumber string       `json:"document_number"`
	Nationality    string       `json:"nationality"`
	BirthDate      Date         `json:"birth_date"`
	Sex            string       `json:"sex"` // M, F, X (unspecified)
	ExpiryDate     Date         `json:"expiry_date"`
	OptionalData1  string       `json:"optional_data_1"`
	OptionalData2  string       `json:"optional_data_2,omitempty"`
	CheckDigits    []CheckDigit `json:"check_digits"`
	Lines          []string     `json:"lines"`
}

// Valid reports whether every check digit holds.
func (d Document) Valid() bool {
	for _, c := range d.CheckDigits {
		if !c.Valid {
			return false
		}
	}
	return len(d.CheckDigits) > 0
}

// FieldError is one problem of one field.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// Error lists every problem found; the Document returned with it holds
// what could be read.
type Error struct {
	Problems []FieldError
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "mrz: " + strings.Join(parts, "; ")
}

// ErrFormat is a layout problem: wrong number or length of lines, or
// characters outside A–Z, 0–9 and <.
var ErrFormat = errors.New("mrz: not a TD1, TD2 or TD3 machine readable zone")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// value is a character's check-digit value.
func value(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c == '<':
		return 0, true
	}
	return 0, false
}

// Compute returns the check digit of s (weights 7, 3, 1).
func Compute(s string) (byte, error) {
	sum := 0
	for i := 0; i < len(s); i++ {
		v, ok := value(s[i])
		if !ok {
			return 0, formatErr("invalid character %q", s[i])
		}
		sum += v * [3]int{7, 3, 1}[i%3]
	}
	return byte('0' + sum%10), nil
}

// Now is the clock of century inference (tests may fix it).
var Now = time.Now

// Parse reads an MRZ given as its lines (or as one string with line breaks).
// Surrounding spaces are trimmed and letters upper-cased. A layout problem is
// ErrFormat; field problems are an *Error returned with the Document.
func Parse(lines ...string) (Document, error) {
	if len(lines) == 1 {
		lines = strings.Fields(lines[0])
	}
	clean := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.ToUpper(strings.TrimSpace(l))
		if l != "" {
			clean = append(clean, l)
		}
	}
	for i, l := range clean {
		for j := 0; j < len(l); j++ {
			if _, ok := value(l[j]); !ok {
				return Document{}, formatErr("line %d, position %d: invalid character %q", i+1, j+1, l[j])
			}
		}
	}
	p := &parser{doc: Document{Lines: clean}}
	switch {
	case len(clean) == 3 && len(clean[0]) == 30 && len(clean[1]) == 30 && len(clean[2]) == 30:
		p.td1(clean)
	case len(clean) == 2 && len(clean[0]) == 44 && len(clean[1]) == 44:
		if clean[0][0] == 'V' {
			p.visa(clean, MRVA)
		} else {
			p.td3(clean)
		}
	case len(clean) == 2 && len(clean[0]) == 36 && len(clean[1]) == 36:
		if clean[0][0] == 'V' {
			p.visa(clean, MRVB)
		} else {
			p.td2(clean)
		}
	default:
		lens := make([]string, len(clean))
		for i, l := range clean {
			lens[i] = fmt.Sprint(len(l))
		}
		return Document{}, formatErr("%d lines of %s characters; expected 3×30, 2×36 or 2×44", len(clean), strings.Join(lens, ", "))
	}
	if len(p.problems) > 0 {
		return p.doc, &Error{Problems: p.problems}
	}
	return p.doc, nil
}

type parser struct {
	doc      Document
	problems []FieldError
}

func (p *parser) problem(field, format string, args ...any) {
	p.problems = append(p.problems, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// check verifies the check digit printed for field over data.
func (p *parser) check(field, data string, printed byte) {
	computed, _ := Compute(data)
	pr := printed
	if pr == '<' {
		pr = '0'
	}
	ok := pr == computed && (printed != '<' || strings.Trim(data, "<") == "")
	p.doc.CheckDigits = append(p.doc.CheckDigits, CheckDigit{Field: field, Printed: string(printed), Computed: string(computed), Valid: ok})
	if printed != '<' && (printed < '0' || printed > '9') {
		p.problem(field, "check digit %q is not a digit", printed)
	} else if !ok {
		p.problem(field, "check digit is %c, computed %c", printed, computed)
	}
}

func trimFill(s string) string { return strings.TrimRight(s, "<") }

// header reads the document code and issuing state.
func (p *parser) header(code, state string) {
	p.doc.DocumentCode = trimFill(code)
	if p.doc.DocumentCode == "" || p.doc.DocumentCode[0] < 'A' || p.doc.DocumentCode[0] > 'Z' {
		p.problem("document_code", "must start with a letter (P, I, A, C, V)")
	}
	p.doc.IssuingState = trimFill(state)
	if !ValidCountry(state) {
		p.problem("issuing_state", "%q is not an ICAO country code", state)
	}
}

// names splits the name field: primary << secondary, < between words.
func (p *parser) names(field string) {
	primary, secondary, _ := strings.Cut(trimFill(field), "<<")
	p.doc.Surname = strings.Join(strings.FieldsFunc(primary, isFill), " ")
	p.doc.GivenNames = strings.Join(strings.FieldsFunc(secondary, isFill), " ")
	if p.doc.Surname == "" {
		p.problem("name", "the primary identifier (surname) is empty")
	}
	if strings.ContainsAny(trimFill(field), "0123456789") {
		p.problem("name", "names may not contain digits")
	}
}

func isFill(r rune) bool { return r == '<' }

func (p *parser) nationality(s string) {
	p.doc.Nationality = trimFill(s)
	if !ValidCountry(s) {
		p.problem("nationality", "%q is not an ICAO country code", s)
	}
}

func (p *parser) sex(c byte) {
	switch c {
	case 'M', 'F':
		p.doc.Sex = string(c)
	case '<', 'X':
		p.doc.Sex = "X"
	default:
		p.problem("sex", "%q must be M, F, X or <", c)
	}
}

// date reads YYMMDD. Birth dates take the latest century not in the future;
// expiry dates the century that puts them within 50 years of today.
func (p *parser) date(field, raw string, birth bool) Date {
	d := Date{Raw: raw}
	num := func(s string) (int, bool) {
		if s == "<<" {
			return 0, true
		}
		if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
			return 0, false
		}
		return int(s[0]-'0')*10 + int(s[1]-'0'), true
	}
	yy, ok1 := num(raw[0:2])
	mm, ok2 := num(raw[2:4])
	dd, ok3 := num(raw[4:6])
	if !ok1 || !ok2 || !ok3 || (!birth && (raw[0:2] == "<<" || raw[2:4] == "<<" || raw[4:6] == "<<")) {
		p.problem(field, "%q is not a date (YYMMDD)", raw)
		return d
	}
	if raw[0:2] == "<<" {
		return d // wholly unknown birth date
	}
	now := Now().UTC()
	year := 2000 + yy
	if birth && year > now.Year() {
		year -= 100
	}
	if !birth && year > now.Year()+50 {
		year -= 100
	}
	d.Year, d.Month, d.Day = year, mm, dd
	if mm > 12 || (mm != 0 && dd > 0 && time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC).Day() != dd) || (mm == 0 && dd != 0) {
		p.problem(field, "%q is not a calendar date", raw)
	}
	if birth {
		if t, ok := d.Time(); ok && t.After(now) {
			p.problem(field, "%s is in the future", d)
		}
	}
	return d
}

// number reads a document number of 9 characters with its check digit; a
// longer number continues in the optional data (TD1, TD2: the 9 characters,
// "<" in place of the check digit, then the rest and its check digit ending
// the optional data's first run).
func (p *parser) number(num string, cd byte, optional string) (rest string) {
	if cd == '<' && strings.Trim(optional, "<") != "" {
		run := optional
		if i := strings.IndexByte(optional, '<'); i >= 0 {
			run = optional[:i]
		}
		if len(run) >= 2 {
			full := num + run[:len(run)-1]
			p.doc.DocumentNumber = full
			p.check("document_number", full, run[len(run)-1])
			return strings.TrimLeft(optional[len(run):], "<")
		}
	}
	p.doc.DocumentNumber = trimFill(num)
	p.check("document_number", num, cd)
	if p.doc.DocumentNumber == "" {
		p.problem("document_number", "is empty")
	}
	return optional
}

func (p *parser) td1(l []string) {
	p.doc.Format = TD1
	p.header(l[0][0:2], l[0][2:5])
	p.doc.OptionalData1 = trimFill(p.number(l[0][5:14], l[0][14], l[0][15:30]))
	p.doc.BirthDate = p.date("birth_date", l[1][0:6], true)
	p.check("birth_date", l[1][0:6], l[1][6])
	p.sex(l[1][7])
	p.doc.ExpiryDate = p.date("expiry_date", l[1][8:14], false)
	p.check("expiry_date", l[1][8:14], l[1][14])
	p.nationality(l[1][15:18])
	p.doc.OptionalData2 = trimFill(l[1][18:29])
	p.check("composite", l[0][5:30]+l[1][0:7]+l[1][8:15]+l[1][18:29], l[1][29])
	p.names(l[2])
}

func (p *parser) td2(l []string) {
	p.doc.Format = TD2
	p.header(l[0][0:2], l[0][2:5])
	p.names(l[0][5:36])
	p.doc.OptionalData1 = trimFill(p.number(l[1][0:9], l[1][9], l[1][28:35]))
	p.nationality(l[1][10:13])
	p.doc.BirthDate = p.date("birth_date", l[1][13:19], true)
	p.check("birth_date", l[1][13:19], l[1][19])
	p.sex(l[1][20])
	p.doc.ExpiryDate = p.date("expiry_date", l[1][21:27], false)
	p.check("expiry_date", l[1][21:27], l[1][27])
	p.check("composite", l[1][0:10]+l[1][13:20]+l[1][21:35], l[1][35])
}

func (p *parser) td3(l []string) {
	p.doc.Format = TD3
	p.header(l[0][0:2], l[0][2:5])
	p.names(l[0][5:44])
	p.doc.DocumentNumber = trimFill(l[1][0:9])
	p.check("document_number", l[1][0:9], l[1][9])
	if p.doc.DocumentNumber == "" {
		p.problem("document_number", "is empty")
	}
	p.nationality(l[1][10:13])
	p.doc.BirthDate = p.date("birth_date", l[1][13:19], true)
	p.check("birth_date", l[1][13:19], l[1][19])
	p.sex(l[1][20])
	p.doc.ExpiryDate = p.date("expiry_date", l[1][21:27], false)
	p.check("expiry_date", l[1][21:27], l[1][27])
	p.doc.OptionalData1 = trimFill(l[1][28:42])
	p.check("optional_data", l[1][28:42], l[1][42])
	p.check("composite", l[1][0:10]+l[1][13:20]+l[1][21:43], l[1][43])
}

// visa reads MRV-A (44) and MRV-B (36): like TD3/TD2 without the optional
// data check digit and the composite.
func (p *parser) visa(l []string, f Format) {
	p.doc.Format = f
	p.header(l[0][0:2], l[0][2:5])
	p.names(l[0][5:])
	p.doc.DocumentNumber = trimFill(l[1][0:9])
	p.check("document_number", l[1][0:9], l[1][9])
	p.nationality(l[1][10:13])
	p.doc.BirthDate = p.date("birth_date", l[1][13:19], true)
	p.check("birth_date", l[1][13:19], l[1][19])
	p.sex(l[1][20])
	p.doc.ExpiryDate = p.date("expiry_date", l[1][21:27], false)
	p.check("expiry_date", l[1][21:27], l[1][27])
	p.doc.OptionalData1 = trimFill(l[1][28:])
}

// icaoCodes are the codes ICAO 9303 part 3 uses besides ISO 3166-1 alpha-3.
var icaoCodes = map[string]bool{
	"D": true, "GBD": true, "GBN": true, "GBO": true, "GBP": true, "GBS": true, "UNO": true, "UNA": true, "UNK": true,
	"XXA": true, "XXB": true, "XXC": true, "XXX": true, "EUE": true, "XBA": true, "XIM": true, "XCC": true, "XCE": true,
	"XCO": true, "XEC": true, "XPO": true, "XES": true, "XMP": true, "XOM": true, "XDC": true, "XAA": true, "XCA": true,
	"RKS": true, "UTO": true, // Kosovo; Utopia, the specimen state of ICAO 9303
}

// ValidCountry reports whether a 3-character field (fillers allowed at the
// end, as in "D<<") holds an ISO 3166-1 alpha-3 code or an ICAO code.
func ValidCountry(field string) bool {
	c := trimFill(field)
	if icaoCodes[c] {
		return true
	}
	if len(c) != 3 {
		return false
	}
	r, err := language.ParseRegion(c)
	return err == nil && r.IsCountry() && r.ISO3() == c
}
