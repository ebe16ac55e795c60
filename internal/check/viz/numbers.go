package viz

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Document numbers follow their issuer's published scheme: a length, the
// characters each position may hold, often a check digit, and on some
// documents the holder's birth date. Knowing the scheme settles what OCR
// cannot: in a German serial number, which never holds a vowel, an O is a
// zero; in a Californian licence number, whose first character is a
// letter, a 0 there is an O. A reading that fits no scheme of a document
// whose scheme is known stays below Confident, and so does one whose
// check digit fails or whose birth date differs from the one printed
// beside it.

// numberFormat is one issuer's document number scheme.
type numberFormat struct {
	name    string   // what it is, for the evidence
	country string   // issuing country, alpha-2
	types   []string // the document types it is printed on (docdata Type*)
	where   string   // a folded title the document must print (a US state), "" for any
	classes []string // the characters each position may hold
	// valid, when set, is a rule beyond the classes (the order of a
	// padded name part).
	valid func(v string) bool
	// check, when set, is the number's check digit: true when it holds.
	check func(v string) bool
	// birth, when set, reads the birth date the number encodes: two-digit
	// year, month, day (0 where not encoded) and whether it could.
	birth func(v string) (yy, mm, dd int, ok bool)
	// surname, when not 0: the number begins with that many letters of
	// the holder's surname, padded with 9s.
	surname int
	// keep, when not 0: the characters of the number proper (what
	// follows is printed after it, not part of it)
	keep int
	// withdrawn: documents of this scheme are no longer valid; where the
	// current scheme reads a number otherwise, its reading is preferred
	// (in doubt)
	withdrawn bool
}

const (
	digitChars  = "0123456789"
	letterChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alnumChars  = letterChars + digitChars
	// the German serial number alphabet: no vowels, no B, D, Q, S
	deLetterChars = "CFGHJKLMNPRTVWXYZ"
	// Dutch document numbers never hold the letter O
	nlLetterChars = "ABCDEFGHIJKLMNPQRSTUVWXYZ"
)

// rep is n positions of one class.
func rep(class string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = class
	}
	return out
}

func seq(parts ...[]string) []string { return slices.Concat(parts...) }

var (
	idCard   = []string{"id_card"}
	passport = []string{"passport"}
	licence  = []string{"driving_license"}
	resident = []string{"residence_permit"}
)

// numberFormats are the schemes known, from the issuers' public
// descriptions.
var numberFormats = []numberFormat{
	{name: "German identity card or passport serial number", country: "DE", types: slices.Concat(idCard, passport, resident),
		classes: seq(rep(deLetterChars, 1), rep(deLetterChars+digitChars, 8))},
	{name: "Spanish DNI support number", country: "ES", types: idCard, classes: seq(rep(letterChars, 3), rep(digitChars, 6))},
	{name: "Spanish DNI number", country: "ES", types: idCard, classes: seq(rep(digitChars, 8), rep(letterChars, 1)), check: dniLetter},
	{name: "Spanish NIE", country: "ES", types: resident, classes: seq(rep("XYZ", 1), rep(digitChars, 7), rep(letterChars, 1)), check: dniLetter},
	// "C<letter><5 digits><2 letters>" (CA00000AA), the Ministry's
	// description
	{name: "Italian electronic identity card number", country: "IT", types: idCard, classes: seq(rep("C", 1), rep(letterChars, 1), rep(digitChars, 5), rep(letterChars, 2))},
	// the paper card has no MRZ and ceased to be valid on 3 August 2026
	// (Regulation (EU) 2019/1157, Art. 5(2)); people still show it
	{name: "Italian paper identity card number", country: "IT", types: idCard, classes: seq(rep(letterChars, 2), rep(digitChars, 7)), withdrawn: true},
	{name: "Portuguese citizen card number", country: "PT", types: idCard,
		classes: seq(rep(digitChars, 9), rep(alnumChars, 2), rep(digitChars, 1)), check: ptCitizenCard},
	{name: "Dutch document number", country: "NL", types: slices.Concat(idCard, passport),
		classes: seq(rep(nlLetterChars, 2), rep(nlLetterChars+digitChars, 6), rep(digitChars, 1))},
	{name: "Philippine card number (PCN)", country: "PH", types: idCard, classes: rep(digitChars, 16)},
	{name: "Indonesian population number (NIK)", country: "ID", types: idCard, classes: rep(digitChars, 16), birth: nikBirth},
	// province 001–096, a digit for sex and century, the birth year, a serial
	{name: "Vietnamese citizen identity number", country: "VN", types: idCard, classes: seq(rep("0", 1), rep(digitChars, 11)), birth: cccdBirth},
	{name: "Vietnamese identity card number (CMND)", country: "VN", types: idCard, classes: rep(digitChars, 9)},
	{name: "Chinese resident identity card number", country: "CN", types: idCard, classes: seq(rep(digitChars, 17), rep(digitChars+"X", 1)),
		check: cnCheck, birth: cnBirth},
	{name: "California driver licence number", country: "US", types: licence, where: "california", classes: seq(rep(letterChars, 1), rep(digitChars, 7))},
	{name: "Florida driver licence number", country: "US", types: licence, where: "florida", classes: seq(rep(letterChars, 1), rep(digitChars, 12))},
	{name: "Illinois driver licence number", country: "US", types: licence, where: "illinois", classes: seq(rep(letterChars, 1), rep(digitChars, 11))},
	{name: "New York driver licence number", country: "US", types: licence, where: "new york", classes: rep(digitChars, 9)},
	{name: "Texas driver licence number", country: "US", types: licence, where: "texas", classes: rep(digitChars, 8)},
	{name: "Pennsylvania driver licence number", country: "US", types: licence, where: "pennsylvania", classes: rep(digitChars, 8)},
	{name: "UK driving licence number", country: "GB", types: licence,
		classes: gbLicence, valid: gbPadding, birth: gbBirth, surname: 5},
	// the photocard prints the licence's issue number after it
	{name: "UK driving licence number", country: "GB", types: licence, classes: seq(gbLicence, rep(digitChars, 2)), keep: len(gbLicence),
		valid: gbPadding, birth: gbBirth, surname: 5},
}

// gbLicence: the surname's first five letters padded with 9s, the birth
// date (six digits), two initials padded with 9s, a digit, two check
// letters.
var gbLicence = seq(rep(letterChars, 1), rep(letterChars+"9", 4), rep(digitChars, 6), rep(letterChars+"9", 2), rep(digitChars, 1), rep(letterChars, 2))

// confusions are the characters OCR takes for one another in most faces:
// for a character read, what else it may be.
var confusions = map[byte]string{
	'0': "OQD", 'O': "0Q", 'Q': "O0", 'D': "0",
	'1': "I", 'I': "1",
	'2': "Z", 'Z': "2", '5': "S", 'S': "5", '8': "B", 'B': "8", '6': "G", 'G': "6",
}

// maxAmbiguous is how many ambiguous positions a check digit may settle:
// the more readings tried, the likelier a wrong one holds a mod-10 check.
const maxAmbiguous = 2

// numberFit is a document number read against the schemes.
type numberFit struct {
	value  string // the reading, each position settled by its scheme
	format string // the scheme's name
	// alts: the positions not settled, with the characters they may be
	alts map[int][]byte
	// rivals: another scheme of the document reads the number otherwise
	rivals bool
	// problem, when set: why the fit is in doubt (a check digit or birth
	// date that does not hold)
	problem string
	// forced counts what the fit changed beyond OCR's usual confusions: a
	// position only one character may hold read as another, a character
	// read twice dropped. Such a fit is used, but not as sure.
	forced int
	f      *numberFormat
}

// formatsFor are the schemes that may apply: the country's, for the types
// the document names (all of them when it names none); a US state's when it
// is the first state the text names (the title, above any address). known
// reports whether the country has a scheme for the type.
func formatsFor(country string, types []string, text string) (fs []*numberFormat, known bool) {
	for i := range numberFormats {
		f := &numberFormats[i]
		if f.country != country || len(types) > 0 && !slices.ContainsFunc(types, func(t string) bool { return slices.Contains(f.types, t) }) {
			continue
		}
		if f.where != "" && f.where != firstState(text) {
			continue
		}
		fs = append(fs, f)
	}
	return fs, len(fs) > 0 && len(types) > 0
}

// firstState is the US state the folded text names first ("" for none).
func firstState(text string) string {
	first, at := "", len(text)
	for _, c := range countryKeywords {
		if c.country != "US" {
			continue
		}
		for _, k := range c.keywords {
			if i := strings.Index(text, " "+k+" "); i >= 0 && i < at && k != "usa" && k != "united states of america" {
				first, at = k, i
			}
		}
	}
	return first
}

// fitNumber reads v (capital letters and digits) against every scheme of
// its length: ok false when none fits. When several fit, a fit whose check
// digit holds is taken over the others; fits that read v differently
// otherwise leave the number unsure (rivals), as read unless one scheme
// alone is current: a Spanish DNI must not be rewritten into a support
// number.
func fitNumber(v string, fs []*numberFormat) (numberFit, bool) {
	fits := fitAll(v, fs)
	if len(fits) == 0 {
		return doubled(v, fs)
	}
	checked := slices.DeleteFunc(slices.Clone(fits), func(f numberFit) bool { return f.f.check == nil || f.problem != "" || !f.sure() })
	if len(checked) == 1 {
		return checked[0], true
	}
	for _, f := range fits[1:] {
		if f.value != fits[0].value {
			// schemes that read it differently: the current scheme's
			// reading when one alone is current, else as read; in doubt
			if current := slices.DeleteFunc(slices.Clone(fits), func(f numberFit) bool { return f.f.withdrawn }); len(current) == 1 {
				fit := current[0]
				fit.rivals = true
				return fit, true
			}
			return numberFit{value: v, rivals: true}, true
		}
	}
	return fits[0], true
}

// fitAll is v fitted to each scheme of its length that it fits.
func fitAll(v string, fs []*numberFormat) []numberFit {
	var fits []numberFit
	for _, f := range fs {
		if len(v) != len(f.classes) {
			continue
		}
		if fit, ok := f.fit(v); ok {
			fits = append(fits, fit.proper())
		}
	}
	return fits
}

// doubled fits v, one character too long for every scheme, as a number
// OCR read one character of twice: two neighbours alike (ZZ), one of which
// is dropped. It fits only when every such drop that fits a scheme reads
// the same number, and then not as sure. (A character read as two
// different ones, 1I for I, is not tried: in a number of letters and
// digits, dropping either of a pair of confusions fits as often.)
func doubled(v string, fs []*numberFormat) (numberFit, bool) {
	var got numberFit
	found := false
	for i := 0; i+1 < len(v); i++ {
		if v[i] != v[i+1] {
			continue
		}
		for _, fit := range fitAll(v[:i]+v[i+1:], fs) {
			switch {
			case !found:
				got, found = fit, true
			case fit.value != got.value:
				return numberFit{}, false
			}
		}
	}
	got.forced++
	return got, found
}

// fit settles each position of v by the class the scheme gives it: a
// character the class allows stays, one it does not becomes its likeliest
// confusion the class allows; a position is ambiguous when the class
// allows more than one of the character and its confusions. A check
// digit, then the holder's name (settle), settle ambiguous positions.
func (f *numberFormat) fit(v string) (numberFit, bool) {
	b := []byte(v)
	alts := map[int][]byte{}
	forced := 0
	for i, c := range b {
		class := f.classes[i]
		var can []byte
		if strings.IndexByte(class, c) >= 0 {
			can = append(can, c)
		}
		for _, o := range []byte(confusions[c]) {
			if strings.IndexByte(class, o) >= 0 {
				can = append(can, o)
			}
		}
		switch len(can) {
		case 0:
			if len(class) != 1 || !isDigit(class[0]) || !isDigit(c) {
				return numberFit{}, false
			}
			// a position only one digit may hold (a Vietnamese number's
			// leading 0) read as another digit (a slashed zero read 8)
			can = []byte(class)
			forced++
		case 1:
		default:
			alts[i] = can
		}
		b[i] = can[0]
	}
	fit := numberFit{value: string(b), format: f.name, alts: alts, forced: forced, f: f}
	if f.valid != nil && !f.valid(fit.value) {
		return numberFit{}, false
	}
	if f.check == nil {
		return fit, true
	}
	if len(alts) > maxAmbiguous {
		if !f.check(fit.value) {
			fit.problem = "its check digit does not hold"
		}
		return fit, true
	}
	// every reading of the ambiguous positions; keep those that hold
	var holding []string
	pos := slices.Sorted(maps.Keys(alts))
	var try func(k int, cur []byte)
	try = func(k int, cur []byte) {
		if k == len(pos) {
			if s := string(cur); (f.valid == nil || f.valid(s)) && f.check(s) {
				holding = append(holding, s)
			}
			return
		}
		for _, o := range alts[pos[k]] {
			cur[pos[k]] = o
			try(k+1, cur)
		}
	}
	try(0, slices.Clone(b))
	switch len(holding) {
	case 0:
		fit.problem = "its check digit does not hold"
	case 1:
		fit.value, fit.alts = holding[0], nil
	}
	return fit, true
}

// proper is the fit cut to the number proper.
func (fit numberFit) proper() numberFit {
	if fit.f == nil || fit.f.keep == 0 || len(fit.value) <= fit.f.keep {
		return fit
	}
	fit.value = fit.value[:fit.f.keep]
	for i := range fit.alts {
		if i >= fit.f.keep {
			delete(fit.alts, i)
		}
	}
	return fit
}

// sure: every position settled by OCR's usual confusions, and no other
// scheme reads it otherwise.
func (fit numberFit) sure() bool { return len(fit.alts) == 0 && !fit.rivals && fit.forced == 0 }

// settleName settles the positions of a number that encode the holder's
// surname (a UK licence) by the surname read: "" when they agree, else the
// problem.
func (fit *numberFit) settleName(surname string) string {
	if fit.f == nil || fit.f.surname == 0 || surname == "" {
		return ""
	}
	want := []byte(namePart(surname, fit.f.surname))
	b := []byte(fit.value)
	for i, w := range want {
		switch {
		case b[i] == w:
			delete(fit.alts, i)
		case slices.Contains(fit.alts[i], w):
			b[i] = w
			delete(fit.alts, i)
		default:
			return "the surname it encodes differs from the one printed"
		}
	}
	fit.value = string(b)
	return ""
}

// namePart is the first n letters of a surname, A–Z, padded with 9s (a
// surname beginning MAC written MC, as the DVLA writes it).
func namePart(surname string, n int) string {
	var b strings.Builder
	for _, c := range norm.NFD.String(strings.ToUpper(surname)) {
		if c >= 'A' && c <= 'Z' {
			b.WriteRune(c)
		}
	}
	letters := b.String()
	if strings.HasPrefix(letters, "MAC") {
		letters = "MC" + letters[3:]
	}
	if len(letters) >= n {
		return letters[:n]
	}
	return letters + strings.Repeat("9", n-len(letters))
}

// crossBirth compares the birth date a number encodes with the one read
// (YYYY-MM-DD): "" when they agree or either is missing, else the problem.
func (fit numberFit) crossBirth(birth string) string {
	if fit.f == nil || fit.f.birth == nil || len(birth) != 10 {
		return ""
	}
	yy, mm, dd, ok := fit.f.birth(fit.value)
	if !ok {
		return "the birth date it encodes is not a date"
	}
	y, _ := strconv.Atoi(birth[2:4])
	m, _ := strconv.Atoi(birth[5:7])
	d, _ := strconv.Atoi(birth[8:10])
	if yy != y || mm != 0 && mm != m || dd != 0 && dd != d {
		return "the birth date it encodes differs from the one printed"
	}
	return ""
}

// atoi2 reads two digits at i.
func atoi2(v string, i int) (int, bool) {
	n, err := strconv.Atoi(v[i : i+2])
	return n, err == nil
}

// nikBirth: an Indonesian NIK is region (6), birth day (plus 40 for a
// woman), month and two-digit year, then a serial (4).
func nikBirth(v string) (int, int, int, bool) {
	d, ok1 := atoi2(v, 6)
	m, ok2 := atoi2(v, 8)
	y, ok3 := atoi2(v, 10)
	if d > 40 {
		d -= 40
	}
	return y, m, d, ok1 && ok2 && ok3 && d >= 1 && d <= 31 && m >= 1 && m <= 12
}

// cccdBirth: a Vietnamese citizen identity number is province (3), a digit
// for sex and century (0–9), the two-digit birth year, then a serial (6).
func cccdBirth(v string) (int, int, int, bool) {
	y, ok := atoi2(v, 4)
	return y, 0, 0, ok
}

// gbBirth: a UK licence number is the surname's first five letters, the
// decade of birth, the month (plus 50 for a woman), the day, the year
// within the decade, initials, a digit and two check characters.
func gbBirth(v string) (int, int, int, bool) {
	m, ok1 := atoi2(v, 6)
	d, ok2 := atoi2(v, 8)
	if m > 50 {
		m -= 50
	}
	y := int(v[5]-'0')*10 + int(v[10]-'0')
	return y, m, d, ok1 && ok2 && d >= 1 && d <= 31 && m >= 1 && m <= 12
}

// gbPadding: the surname part and the initials are letters padded on the
// right with 9s, never a letter after a 9.
func gbPadding(v string) bool {
	padded := func(s string) bool {
		i := strings.IndexByte(s, '9')
		return i < 0 || strings.Trim(s[i:], "9") == ""
	}
	return padded(v[:5]) && padded(v[11:13])
}

// dniLetter: a Spanish DNI or NIE ends in the letter of its number modulo
// 23 (an NIE's X, Y, Z standing for 0, 1, 2).
func dniLetter(v string) bool {
	num := strings.NewReplacer("X", "0", "Y", "1", "Z", "2").Replace(v[:len(v)-1])
	n, err := strconv.Atoi(num)
	if err != nil {
		return false
	}
	return "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] == v[len(v)-1]
}

// ptCitizenCard: a Portuguese citizen card number (civil number, its check
// digit, the card's version, a check digit) holds when, from the right,
// every second value doubled (less 9 above 9) and all summed is a
// multiple of 10; letters count A=10 … Z=35.
func ptCitizenCard(v string) bool {
	sum := 0
	for i := len(v) - 1; i >= 0; i-- {
		c := v[i]
		var n int
		switch {
		case c >= '0' && c <= '9':
			n = int(c - '0')
		case c >= 'A' && c <= 'Z':
			n = int(c-'A') + 10
		default:
			return false
		}
		if (len(v)-1-i)%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// cnCheck: a Chinese resident identity card number (GB 11643-1999) ends in
// the ISO 7064 MOD 11-2 check character of its 17 digits (X for 10).
func cnCheck(v string) bool {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(v[i]-'0') * w
	}
	return "10X98765432"[sum%11] == v[17]
}

// cnBirth: the number's region code (6) is followed by the birth date,
// YYYYMMDD.
func cnBirth(v string) (int, int, int, bool) {
	t, err := time.Parse("20060102", v[6:14])
	if err != nil {
		return 0, 0, 0, false
	}
	return t.Year() % 100, int(t.Month()), t.Day(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
