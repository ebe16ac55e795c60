package viz

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// months maps month names and the abbreviations documents print, in the
// dictionaries' languages (folded), to month numbers.
var months = func() map[string]int {
	m := map[string]int{}
	add := func(n int, names ...string) {
		for _, s := range names {
			m[s] = n
		}
	}
	add(1, "jan", "january", "janvier", "janv", "enero", "ene", "januar", "janeiro", "gennaio", "gen", "januari", "jänner", "janner", "enero")
	add(2, "feb", "february", "fevrier", "fevr", "fev", "febrero", "februar", "fevereiro", "febbraio", "februari", "pebrero", "peb")
	add(3, "mar", "march", "mars", "marzo", "marz", "maerz", "marco", "maart", "maa", "mrt", "marso", "maret")
	add(4, "apr", "april", "avril", "avr", "abril", "abr", "aprile", "abril")
	add(5, "may", "mai", "mayo", "maio", "maggio", "mag", "mei")
	add(6, "jun", "june", "juin", "junio", "juni", "junho", "giugno", "giu", "hunyo", "hun")
	add(7, "jul", "july", "juillet", "juil", "julio", "juli", "julho", "luglio", "lug", "hulyo", "hul")
	add(8, "aug", "august", "aout", "agosto", "ago", "augustus", "agustus", "agt")
	add(9, "sep", "sept", "september", "septembre", "septiembre", "set", "setembro", "settembre", "setyembre")
	add(10, "oct", "october", "octobre", "octubre", "okt", "oktober", "outubro", "out", "ottobre", "ott", "oktubre")
	add(11, "nov", "november", "novembre", "noviembre", "novembro", "nobyembre", "nob")
	add(12, "dec", "december", "decembre", "diciembre", "dic", "dez", "dezember", "dezembro", "dicembre", "disyembre", "desember", "des")
	return m
}()

// Date is a date read from the printed zone.
type Date struct {
	ISO string // YYYY-MM-DD
	// Certain is false when the text allows another reading: a numeric
	// date whose day and month could swap, where the country's order is
	// unknown. (A two-digit year takes the century the field implies.)
	Certain bool
}

var (
	numericDate = regexp.MustCompile(`(\d{1,4})\s*([./\-])\s*(\d{1,2})\s*[./\-]\s*(\d{2,4})`)
	spacedDate  = regexp.MustCompile(`\b(\d{1,2})\s+(\d{1,2})\s+(\d{4})\b`)
	compactDate = regexp.MustCompile(`^(\d{2})(\d{2})(\d{4})$`)
	hanDate     = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	digitish    = strings.NewReplacer("O", "0", "o", "0", "D", "0", "Q", "0", "I", "1", "l", "1", "|", "1", "i", "1", "S", "5", "s", "5", "B", "8", "Z", "2", "z", "2", "G", "6", "@", "0")
)

// digitFold reads as digits the letters OCR puts for them in tokens that
// are mostly digits already ("2O24", "l5.03.1990").
func digitFold(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '/' || r == '.' || r == '-' || r == ',' })
	for _, f := range fields {
		digits, letters := 0, 0
		for _, r := range f {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r < 128 && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '|' || r == '@'):
				letters++
			}
		}
		if digits >= 1 && letters >= 1 && digits >= letters && len(f) <= 4 {
			s = strings.Replace(s, f, digitish.Replace(f), 1)
		}
	}
	return s
}

// ParseDate finds a date in a printed value: numeric (in the country's
// order, day-month-year where unknown), with a month name or abbreviation
// in any dictionary language ("07 DEC /DEC 84", "12 de enero de 1990",
// "JANUARY 12, 1990"), or Chinese (1990年1月12日). field decides the
// century of a two-digit year: a birth is in the past, an expiry in the
// future. now is the reading's time.
func ParseDate(text, country, field string, now time.Time) (Date, bool) {
	text = digitFold(text)
	if m := hanDate.FindStringSubmatch(text); m != nil {
		return makeDate(m[1], m[2], m[3], field, now, true)
	}
	if d, ok := namedDate(text, field, now); ok {
		return d, true
	}
	order, ok := dateOrders[country]
	if !ok && country != "" {
		order = "DMY" // most countries
	}
	if m := numericDate.FindStringSubmatch(text); m != nil {
		a, b, c := m[1], m[3], m[4]
		if len(a) == 4 { // year first, whatever the country
			return makeDate(a, b, c, field, now, true)
		}
		if len(a) > 2 {
			return Date{}, false
		}
		return dayMonth(a, b, c, order, field, now)
	}
	if m := spacedDate.FindStringSubmatch(text); m != nil {
		return dayMonth(m[1], m[2], m[3], order, field, now)
	}
	if m := compactDate.FindStringSubmatch(strings.TrimSpace(text)); m != nil {
		// eight digits alone: a date whose separators OCR lost; never sure
		d, ok := dayMonth(m[1], m[2], m[3], order, field, now)
		if order == "YMD" || ok && m[1] >= "19" && m[1] <= "20" && m[3] > "12" {
			d, ok = makeDate(m[1]+m[2], m[3][:2], m[3][2:], field, now, true)
		}
		d.Certain = false
		return d, ok
	}
	return Date{}, false
}

// dayMonth reads d1/d2/y in the country's order (MDY, YMD, DMY); where
// the order is unknown (""), day first, unless only month first makes a date; uncertain when
// both do and differ.
func dayMonth(d1, d2, y, order, field string, now time.Time) (Date, bool) {
	switch order {
	case "MDY":
		return makeDate(y, d1, d2, field, now, true)
	case "YMD": // a two-digit year first is not told from a day; take the printed order
		return makeDate(y, d2, d1, field, now, true)
	case "":
		dmy, okD := makeDate(y, d2, d1, field, now, true)
		mdy, okM := makeDate(y, d1, d2, field, now, true)
		switch {
		case okD && okM && dmy.ISO != mdy.ISO:
			dmy.Certain = false
			return dmy, true
		case okD:
			return dmy, true
		case okM:
			return mdy, true
		}
		return Date{}, false
	}
	return makeDate(y, d2, d1, field, now, true)
}

// namedDate reads a date written with a month name: the day and year are
// the numbers nearest to it.
func namedDate(text, field string, now time.Time) (Date, bool) {
	words := strings.Fields(fold(text))
	for i, w := range words {
		mon, ok := months[w]
		if !ok {
			continue
		}
		var nums []string // the numbers around the month, in order, skipping other words
		var at []int
		for j := max(0, i-3); j < min(len(words), i+5); j++ {
			if _, err := strconv.Atoi(words[j]); err == nil && len(words[j]) <= 4 {
				nums, at = append(nums, words[j]), append(at, j)
			}
		}
		var day, year string
		for k, n := range nums {
			switch {
			case len(n) == 4 && year == "":
				year = n
			case len(n) <= 2 && day == "" && at[k] < i:
				day = n // day before the month: 12 JAN 1990
			}
		}
		if day == "" { // month first: JANUARY 12, 1990
			for k, n := range nums {
				if len(n) <= 2 && at[k] > i {
					day = n
					break
				}
			}
		}
		if year == "" { // a two-digit year: the last two-digit number that is not the day
			for k := len(nums) - 1; k >= 0; k-- {
				if len(nums[k]) == 2 && nums[k] != day && at[k] > i {
					year = nums[k]
					break
				}
			}
		}
		if day == "" || year == "" {
			continue
		}
		return makeDate(year, strconv.Itoa(mon), day, field, now, true)
	}
	return Date{}, false
}

// makeDate validates a date; a two-digit year takes the century the field
// implies (a birth or issue in the past, an expiry from 2000).
func makeDate(y, m, d, field string, now time.Time, certain bool) (Date, bool) {
	yy, err1 := strconv.Atoi(y)
	mm, err2 := strconv.Atoi(m)
	dd, err3 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || err3 != nil || mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return Date{}, false
	}
	if len(y) == 2 {
		century := 2000
		nowYY := now.Year() % 100
		switch field {
		case FieldBirthDate, FieldIssueDate:
			if yy > nowYY {
				century = 1900
			}
		}
		yy += century
	} else if len(y) != 4 {
		return Date{}, false
	}
	if yy < 1900 || yy > 2100 {
		return Date{}, false
	}
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Day() != dd { // 31 April
		return Date{}, false
	}
	return Date{ISO: fmt.Sprintf("%04d-%02d-%02d", yy, mm, dd), Certain: certain}, true
}
