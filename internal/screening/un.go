package screening

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

type unList struct {
	Generated   string     `xml:"dateGenerated,attr"`
	Individuals []unRecord `xml:"INDIVIDUALS>INDIVIDUAL"`
	Entities    []unRecord `xml:"ENTITIES>ENTITY"`
}

type unRecord struct {
	DataID         string    `xml:"DATAID"`
	First          string    `xml:"FIRST_NAME"`
	Second         string    `xml:"SECOND_NAME"`
	Third          string    `xml:"THIRD_NAME"`
	Fourth         string    `xml:"FOURTH_NAME"`
	ListType       string    `xml:"UN_LIST_TYPE"`
	Reference      string    `xml:"REFERENCE_NUMBER"`
	Gender         string    `xml:"GENDER"`
	Comments       string    `xml:"COMMENTS1"`
	OriginalScript string    `xml:"NAME_ORIGINAL_SCRIPT"`
	Nationality    []string  `xml:"NATIONALITY>VALUE"`
	Aliases        []unAlias `xml:"INDIVIDUAL_ALIAS"`
	EntityAliases  []unAlias `xml:"ENTITY_ALIAS"`
	Births         []unDOB   `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	Documents      []struct {
		Number string `xml:"NUMBER"`
	} `xml:"INDIVIDUAL_DOCUMENT"`
	Addresses []struct {
		Country string `xml:"COUNTRY"`
	} `xml:"ENTITY_ADDRESS"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type unDOB struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

// ParseUN reads the UN Security Council consolidated list (sc-sanctions.xsd):
// individuals and entities, aliases with their quality ("Low" aliases are
// weak), names in original script, birth dates, nationalities.
func ParseUN(r io.Reader) ([]*Entry, time.Time, error) {
	var l unList
	d := xml.NewDecoder(r)
	if err := d.Decode(&l); err != nil {
		return nil, time.Time{}, fmt.Errorf("un consolidated xml: %w", err)
	}
	published, _ := time.Parse(time.RFC3339, l.Generated)
	var out []*Entry
	for _, rec := range l.Individuals {
		out = append(out, unEntry(rec, TypePerson))
	}
	for _, rec := range l.Entities {
		out = append(out, unEntry(rec, TypeEntity))
	}
	for _, e := range out {
		if e.ID == "" || len(e.Names) == 0 || e.Names[0].Text == "" {
			return nil, time.Time{}, fmt.Errorf("un consolidated xml: a record without DATAID or name")
		}
	}
	return out, published, nil
}

func unEntry(rec unRecord, typ string) *Entry {
	e := &Entry{List: ListUN, ID: strings.TrimSpace(rec.DataID), Type: typ, Remarks: strings.TrimSpace(rec.Comments)}
	var parts []string
	for _, p := range []string{rec.First, rec.Second, rec.Third, rec.Fourth} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	e.Names = append(e.Names, Name{Text: strings.Join(parts, " ")})
	for _, a := range append(rec.Aliases, rec.EntityAliases...) {
		if n := strings.TrimSpace(a.Name); n != "" {
			e.Names = append(e.Names, Name{Text: n, Weak: strings.EqualFold(strings.TrimSpace(a.Quality), "Low")})
		}
	}
	if n := strings.TrimSpace(rec.OriginalScript); n != "" {
		e.Names = append(e.Names, Name{Text: n, Original: true})
	}
	if rec.ListType != "" {
		e.Programs = append(e.Programs, strings.TrimSpace(rec.ListType))
	}
	for _, n := range rec.Nationality {
		e.addCountry(n)
	}
	for _, a := range rec.Addresses {
		e.addCountry(a.Country)
	}
	switch strings.ToLower(strings.TrimSpace(rec.Gender)) {
	case "male":
		e.Gender = "male"
	case "female":
		e.Gender = "female"
	}
	for _, b := range rec.Births {
		if dt, ok := unDate(b); ok {
			e.BirthDates = append(e.BirthDates, dt)
		}
	}
	for _, doc := range rec.Documents {
		if n := strings.TrimSpace(doc.Number); n != "" {
			e.Documents = append(e.Documents, n)
		}
	}
	return e
}

func unDate(b unDOB) (Date, bool) {
	atoi := func(s string) int { n, _ := strconv.Atoi(strings.TrimSpace(s)); return n }
	switch {
	case strings.TrimSpace(b.Date) != "":
		if t, err := time.Parse("2006-01-02", strings.TrimSpace(b.Date)[:min(10, len(strings.TrimSpace(b.Date)))]); err == nil {
			return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, true
		}
	case atoi(b.FromYear) > 0 && atoi(b.ToYear) >= atoi(b.FromYear):
		return Date{Year: atoi(b.FromYear), ToYear: atoi(b.ToYear)}, true
	case atoi(b.Year) > 0:
		return Date{Year: atoi(b.Year)}, true
	}
	return Date{}, false
}
