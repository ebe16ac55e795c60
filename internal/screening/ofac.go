package screening

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// OFAC's legacy CSV files have no header; "-0-" marks an empty field.
func ofacField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

func ofacReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return cr
}

// ParseOFAC reads the SDN legacy CSV set: sdn.csv (required), alt.csv and
// add.csv (optional, nil). Birth dates, nationalities, citizenships,
// passports and gender are parsed out of the remarks.
func ParseOFAC(sdn, alt, add io.Reader) ([]*Entry, error) {
	var entries []*Entry
	byID := map[string]*Entry{}
	r := ofacReader(sdn)
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sdn.csv line %d: %w", line, err)
		}
		if len(rec) < 12 {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" || strings.HasPrefix(rec[0], "\x1a") {
				continue // trailing blank or EOF marker
			}
			return nil, fmt.Errorf("sdn.csv line %d: %d fields, want 12", line, len(rec))
		}
		id := ofacField(rec[0])
		if _, err := strconv.Atoi(id); err != nil {
			return nil, fmt.Errorf("sdn.csv line %d: ent_num %q is not a number", line, id)
		}
		e := &Entry{List: ListOFAC, ID: id, Type: TypeEntity}
		e.Type = entryType(ofacField(rec[2]))
		e.Names = []Name{{Text: ofacName(ofacField(rec[1]), e.Type)}}
		for _, p := range strings.Split(strings.Trim(ofacField(rec[3]), "[] "), "] [") {
			if p = strings.TrimSpace(p); p != "" {
				e.Programs = append(e.Programs, p)
			}
		}
		if flag := ofacField(rec[9]); flag != "" && e.Type == TypeVessel {
			e.addCountry(flag)
		}
		e.Remarks = ofacField(rec[11])
		parseRemarks(e)
		entries = append(entries, e)
		byID[id] = e
	}
	if alt != nil {
		r := ofacReader(alt)
		for line := 1; ; line++ {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("alt.csv line %d: %w", line, err)
			}
			if len(rec) < 4 {
				continue
			}
			e := byID[ofacField(rec[0])]
			name := ofacField(rec[3])
			if e == nil || name == "" {
				continue
			}
			// "weak" aliases (OFAC's low-quality a.k.a.) are marked in the remarks
			weak := len(rec) > 4 && strings.Contains(strings.ToLower(rec[4]), "weak")
			e.Names = append(e.Names, Name{Text: ofacName(name, e.Type), Weak: weak})
		}
	}
	if add != nil {
		r := ofacReader(add)
		for line := 1; ; line++ {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("add.csv line %d: %w", line, err)
			}
			if len(rec) < 5 {
				continue
			}
			if e := byID[ofacField(rec[0])]; e != nil && e.Type != TypePerson {
				// an entity's address country is its country
				e.addCountry(ofacField(rec[4]))
			}
		}
	}
	return entries, nil
}

// ofacName turns "LAST, First" of individuals into "First LAST".
func ofacName(s, typ string) string {
	if typ != TypePerson {
		return s
	}
	if i := strings.Index(s, ", "); i > 0 && strings.Count(s, ",") == 1 {
		return strings.TrimSpace(s[i+2:]) + " " + s[:i]
	}
	return s
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

var (
	reDOB     = regexp.MustCompile(`(?i)^(?:alt\. )?DOB (.+)$`)
	reNat     = regexp.MustCompile(`(?i)^(?:alt\. )?(?:nationality|citizen) (.+)$`)
	reGender  = regexp.MustCompile(`(?i)^Gender (Male|Female)$`)
	rePass    = regexp.MustCompile(`(?i)^(?:alt\. )?(?:Passport|National ID No\.|Cedula No\.|Identification Number) ([A-Z0-9\-/ ]+?)(?: \(.*)?$`)
	reYear    = regexp.MustCompile(`\b(1[89]\d\d|20\d\d)\b`)
	reDayDate = regexp.MustCompile(`^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$`)
	reMonDate = regexp.MustCompile(`^([A-Za-z]{3}) (\d{4})$`)
)

// parseRemarks reads the structured parts of an OFAC remark:
// "DOB 12 Jan 1960; alt. DOB 1961; POB ...; nationality Iran; Passport
// X123 (Iran); Gender Male".
func parseRemarks(e *Entry) {
	for _, part := range strings.Split(strings.TrimSuffix(e.Remarks, "."), ";") {
		part = strings.TrimSpace(part)
		switch {
		case reDOB.MatchString(part):
			e.BirthDates = append(e.BirthDates, parseOFACDates(reDOB.FindStringSubmatch(part)[1])...)
		case reNat.MatchString(part):
			e.addCountry(strings.TrimSuffix(reNat.FindStringSubmatch(part)[1], "."))
		case reGender.MatchString(part):
			e.Gender = strings.ToLower(reGender.FindStringSubmatch(part)[1])
		case rePass.MatchString(part):
			e.Documents = append(e.Documents, strings.TrimSpace(rePass.FindStringSubmatch(part)[1]))
		}
	}
}

// parseOFACDates reads "12 Jan 1960", "Jan 1960", "1960", "circa 1960",
// "1960 to 1962".
func parseOFACDates(s string) []Date {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "circa"))
	if m := reDayDate.FindStringSubmatch(s); m != nil {
		if t, err := time.Parse("2 Jan 2006", m[1]+" "+m[2]+" "+m[3]); err == nil {
			return []Date{{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}}
		}
	}
	if m := reMonDate.FindStringSubmatch(s); m != nil {
		if t, err := time.Parse("Jan 2006", m[1]+" "+m[2]); err == nil {
			return []Date{{Year: t.Year(), Month: int(t.Month())}}
		}
	}
	ys := reYear.FindAllString(s, -1)
	switch {
	case len(ys) == 2 && strings.Contains(s, " to "):
		a, _ := strconv.Atoi(ys[0])
		b, _ := strconv.Atoi(ys[1])
		if b >= a && b-a <= 20 {
			return []Date{{Year: a, ToYear: b}}
		}
	case len(ys) >= 1:
		var out []Date
		for _, y := range ys {
			n, _ := strconv.Atoi(y)
			out = append(out, Date{Year: n})
		}
		return out
	}
	return nil
}
