package screening

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ---- OFAC SDN XML (sdn.xml) ----

type ofacXML struct {
	Published string `xml:"publshInformation>Publish_Date"`
	Entries   []struct {
		UID       string   `xml:"uid"`
		LastName  string   `xml:"lastName"`
		FirstName string   `xml:"firstName"`
		Type      string   `xml:"sdnType"`
		Programs  []string `xml:"programList>program"`
		Remarks   string   `xml:"remarks"`
		AKAs      []struct {
			Category  string `xml:"category"`
			LastName  string `xml:"lastName"`
			FirstName string `xml:"firstName"`
		} `xml:"akaList>aka"`
		Nationality []string `xml:"nationalityList>nationality>country"`
		Citizenship []string `xml:"citizenshipList>citizenship>country"`
		DOBs        []string `xml:"dateOfBirthList>dateOfBirthItem>dateOfBirth"`
		IDs         []struct {
			Type   string `xml:"idType"`
			Number string `xml:"idNumber"`
		} `xml:"idList>id"`
		Addresses []string `xml:"addressList>address>country"`
		Flag      string   `xml:"vesselInfo>vesselFlag"`
	} `xml:"sdnEntry"`
}

// ParseOFACXML reads OFAC's SDN XML (sdn.xml): names, a.k.a. with their
// strong/weak category, nationalities, citizenships, birth dates, ids and
// gender (an id of type "Gender").
func ParseOFACXML(r io.Reader) ([]*Entry, time.Time, error) {
	var l ofacXML
	if err := xml.NewDecoder(r).Decode(&l); err != nil {
		return nil, time.Time{}, fmt.Errorf("ofac sdn xml: %w", err)
	}
	published, _ := time.Parse("01/02/2006", strings.TrimSpace(l.Published))
	var out []*Entry
	for _, x := range l.Entries {
		e := &Entry{List: ListOFAC, ID: strings.TrimSpace(x.UID), Type: TypeEntity, Programs: x.Programs, Remarks: strings.TrimSpace(x.Remarks)}
		e.Type = entryType(strings.TrimSpace(x.Type))
		join := func(first, last string) string {
			return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
		}
		e.Names = append(e.Names, Name{Text: join(x.FirstName, x.LastName)})
		for _, a := range x.AKAs {
			if n := join(a.FirstName, a.LastName); n != "" {
				e.Names = append(e.Names, Name{Text: n, Weak: strings.EqualFold(strings.TrimSpace(a.Category), "weak")})
			}
		}
		for _, c := range append(append(x.Nationality, x.Citizenship...), x.Flag) {
			e.addCountry(c)
		}
		if e.Type != TypePerson {
			for _, c := range x.Addresses {
				e.addCountry(c)
			}
		}
		for _, d := range x.DOBs {
			e.BirthDates = append(e.BirthDates, parseOFACDates(d)...)
		}
		for _, id := range x.IDs {
			switch t := strings.ToLower(strings.TrimSpace(id.Type)); {
			case t == "gender":
				e.Gender = strings.ToLower(strings.TrimSpace(id.Number))
			case strings.Contains(t, "passport") || strings.Contains(t, "national id"):
				e.Documents = append(e.Documents, strings.TrimSpace(id.Number))
			}
		}
		if e.ID == "" || e.Names[0].Text == "" {
			return nil, time.Time{}, errors.New("ofac sdn xml: an entry without uid or name")
		}
		out = append(out, e)
	}
	return out, published, nil
}

// ---- EU financial sanctions files (FSF XML) ----

type euXML struct {
	Generated string `xml:"generationDate,attr"`
	Entities  []struct {
		LogicalID string `xml:"logicalId,attr"`
		EURef     string `xml:"euReferenceNumber,attr"`
		Remark    string `xml:"remark"`
		Subject   struct {
			Code string `xml:"code,attr"`
		} `xml:"subjectType"`
		Regulations []struct {
			Programme string `xml:"programme,attr"`
		} `xml:"regulation"`
		Names []struct {
			Whole    string `xml:"wholeName,attr"`
			First    string `xml:"firstName,attr"`
			Middle   string `xml:"middleName,attr"`
			Last     string `xml:"lastName,attr"`
			Gender   string `xml:"gender,attr"`
			Strong   string `xml:"strong,attr"`
			Language string `xml:"nameLanguage,attr"`
		} `xml:"nameAlias"`
		Citizenships []struct {
			ISO2 string `xml:"countryIso2Code,attr"`
		} `xml:"citizenship"`
		Births []struct {
			Date  string `xml:"birthdate,attr"`
			Year  string `xml:"year,attr"`
			Month string `xml:"monthOfYear,attr"`
			Day   string `xml:"dayOfMonth,attr"`
		} `xml:"birthdate"`
		IDs []struct {
			Number string `xml:"number,attr"`
		} `xml:"identification"`
	} `xml:"sanctionEntity"`
}

// ParseEU reads the EU consolidated financial sanctions file (FSF XML,
// export/sanctionEntity): name aliases (strong="false" ones are weak),
// subject type person/enterprise, citizenships, birth dates, ids.
func ParseEU(r io.Reader) ([]*Entry, time.Time, error) {
	var l euXML
	if err := xml.NewDecoder(r).Decode(&l); err != nil {
		return nil, time.Time{}, fmt.Errorf("eu fsf xml: %w", err)
	}
	published, _ := time.Parse("2006-01-02T15:04:05", strings.TrimSpace(l.Generated)[:min(19, len(strings.TrimSpace(l.Generated)))])
	var out []*Entry
	for _, x := range l.Entities {
		e := &Entry{List: ListEU, ID: strings.TrimSpace(x.LogicalID), Type: TypeEntity, Remarks: strings.TrimSpace(x.Remark)}
		if strings.EqualFold(x.Subject.Code, "person") {
			e.Type = TypePerson
		}
		for _, reg := range x.Regulations {
			if p := strings.TrimSpace(reg.Programme); p != "" && !contains(e.Programs, p) {
				e.Programs = append(e.Programs, p)
			}
		}
		for _, n := range x.Names {
			text := strings.TrimSpace(n.Whole)
			if text == "" {
				text = strings.Join(strings.Fields(n.First+" "+n.Middle+" "+n.Last), " ")
			}
			if text == "" {
				continue
			}
			e.Names = append(e.Names, Name{Text: text, Weak: strings.EqualFold(n.Strong, "false")})
			switch strings.ToUpper(strings.TrimSpace(n.Gender)) {
			case "M":
				e.Gender = "male"
			case "F":
				e.Gender = "female"
			}
		}
		for _, c := range x.Citizenships {
			e.addCountry(c.ISO2)
		}
		for _, b := range x.Births {
			if d, ok := parseISODate(b.Date); ok {
				e.BirthDates = append(e.BirthDates, d)
			} else if y, _ := strconv.Atoi(b.Year); y > 0 {
				m, _ := strconv.Atoi(b.Month)
				day, _ := strconv.Atoi(b.Day)
				e.BirthDates = append(e.BirthDates, Date{Year: y, Month: m, Day: day})
			}
		}
		for _, id := range x.IDs {
			if n := strings.TrimSpace(id.Number); n != "" {
				e.Documents = append(e.Documents, n)
			}
		}
		if e.ID == "" || len(e.Names) == 0 {
			return nil, time.Time{}, errors.New("eu fsf xml: a sanctionEntity without logicalId or name")
		}
		out = append(out, e)
	}
	return out, published, nil
}

func parseISODate(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s[:min(10, len(s))]); err == nil {
		return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, true
	}
	return Date{}, false
}

// ukDate reads "dd/mm/yyyy" with 00 for unknown parts.
func ukDate(s string) (Date, bool) {
	p := strings.Split(strings.TrimSpace(s), "/")
	if len(p) != 3 {
		return Date{}, false
	}
	d, _ := strconv.Atoi(p[0])
	m, _ := strconv.Atoi(p[1])
	y, err := strconv.Atoi(p[2])
	if err != nil || y < 1800 || m > 12 || d > 31 {
		return Date{}, false
	}
	if m == 0 {
		d = 0
	}
	return Date{Year: y, Month: m, Day: d}, true
}

// ---- UK: OFSI consolidated list CSV (ConList.csv) ----

// ParseUKCSV reads OFSI's consolidated list CSV: a "Last Updated" line, a
// header, then one row per name of a designation; rows share "Group ID".
// Name 6 is the family name, Name 1–5 the given names.
func ParseUKCSV(r io.Reader) ([]*Entry, time.Time, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	first, err := cr.Read()
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("uk csv: %w", err)
	}
	var published time.Time
	header := first
	if len(first) > 0 && strings.EqualFold(strings.TrimSpace(first[0]), "Last Updated") {
		if len(first) > 1 {
			if d, ok := ukDate(first[1]); ok && d.Day > 0 {
				published = time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
			}
		}
		if header, err = cr.Read(); err != nil {
			return nil, time.Time{}, fmt.Errorf("uk csv header: %w", err)
		}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"name 6", "group id", "group type"} {
		if _, ok := col[need]; !ok {
			return nil, time.Time{}, fmt.Errorf("uk csv: no %q column", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	byID := map[string]*Entry{}
	var out []*Entry
	for line := 3; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("uk csv line %d: %w", line, err)
		}
		id := get(rec, "group id")
		if id == "" {
			continue
		}
		e := byID[id]
		if e == nil {
			e = &Entry{List: ListUK, ID: id, Type: TypeEntity, Remarks: get(rec, "other information")}
			e.Type = entryType(get(rec, "group type"))
			if reg := get(rec, "regime"); reg != "" {
				e.Programs = append(e.Programs, reg)
			}
			byID[id] = e
			out = append(out, e)
		}
		var parts []string
		for _, n := range []string{"name 1", "name 2", "name 3", "name 4", "name 5", "name 6"} {
			if v := get(rec, n); v != "" {
				parts = append(parts, v)
			}
		}
		name := Name{Text: strings.Join(parts, " "), Weak: strings.EqualFold(get(rec, "alias quality"), "Low")}
		if name.Text != "" {
			if strings.EqualFold(get(rec, "alias type"), "Primary name") {
				e.Names = append([]Name{name}, e.Names...)
			} else {
				e.Names = append(e.Names, name)
			}
		}
		if nl := get(rec, "name non-latin script"); nl != "" {
			e.Names = append(e.Names, Name{Text: nl, Original: true})
		}
		if d, ok := ukDate(get(rec, "dob")); ok && !containsDate(e.BirthDates, d) {
			e.BirthDates = append(e.BirthDates, d)
		}
		for _, n := range strings.Split(get(rec, "nationality"), ",") {
			e.addCountry(strings.TrimPrefix(strings.TrimSpace(n), "(1) "))
		}
		if p := get(rec, "passport number"); p != "" && !contains(e.Documents, p) {
			e.Documents = append(e.Documents, p)
		}
	}
	for _, e := range out {
		if len(e.Names) == 0 {
			return nil, time.Time{}, fmt.Errorf("uk csv: group %s has no name", e.ID)
		}
	}
	return out, published, nil
}

func containsDate(ds []Date, d Date) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// ---- UK Sanctions List XML (FCDO) ----

type ukXML struct {
	Published    string `xml:"DateGenerated"`
	Designations []struct {
		UniqueID string `xml:"UniqueID"`
		Regime   string `xml:"RegimeName"`
		Kind     string `xml:"IndividualEntityShip"`
		Names    []struct {
			Name1    string `xml:"Name1"`
			Name2    string `xml:"Name2"`
			Name3    string `xml:"Name3"`
			Name4    string `xml:"Name4"`
			Name5    string `xml:"Name5"`
			Name6    string `xml:"Name6"`
			Type     string `xml:"NameType"`
			Strength string `xml:"AliasStrength"`
		} `xml:"Names>Name"`
		NonLatin      []string `xml:"NonLatinNames>NonLatinName>NameNonLatinScript"`
		DOBs          []string `xml:"IndividualDetails>Individual>DOBs>DOB"`
		Nationalities []string `xml:"IndividualDetails>Individual>Nationalities>Nationality"`
		Genders       []string `xml:"IndividualDetails>Individual>Genders>Gender"`
		Passports     []string `xml:"IndividualDetails>Individual>PassportDetails>PassportDetail>PassportNumber"`
		Other         string   `xml:"OtherInformation"`
	} `xml:"Designation"`
}

// ParseUKXML reads the UK Sanctions List XML (Designations/Designation):
// names 1–6 (6 the family name) with their type and alias strength,
// non-Latin names, birth dates, nationalities and gender.
func ParseUKXML(r io.Reader) ([]*Entry, time.Time, error) {
	var l ukXML
	if err := xml.NewDecoder(r).Decode(&l); err != nil {
		return nil, time.Time{}, fmt.Errorf("uk sanctions list xml: %w", err)
	}
	published, _ := time.Parse("2006-01-02", strings.TrimSpace(l.Published)[:min(10, len(strings.TrimSpace(l.Published)))])
	var out []*Entry
	for _, x := range l.Designations {
		e := &Entry{List: ListUK, ID: strings.TrimSpace(x.UniqueID), Type: TypeEntity, Remarks: strings.TrimSpace(x.Other)}
		e.Type = entryType(strings.TrimSpace(x.Kind))
		if reg := strings.TrimSpace(x.Regime); reg != "" {
			e.Programs = append(e.Programs, reg)
		}
		for _, n := range x.Names {
			text := strings.Join(strings.Fields(strings.Join([]string{n.Name1, n.Name2, n.Name3, n.Name4, n.Name5, n.Name6}, " ")), " ")
			if text == "" {
				continue
			}
			nm := Name{Text: text, Weak: strings.EqualFold(strings.TrimSpace(n.Strength), "Weak")}
			if strings.EqualFold(strings.TrimSpace(n.Type), "Primary Name") {
				e.Names = append([]Name{nm}, e.Names...)
			} else {
				e.Names = append(e.Names, nm)
			}
		}
		for _, n := range x.NonLatin {
			if n = strings.TrimSpace(n); n != "" {
				e.Names = append(e.Names, Name{Text: n, Original: true})
			}
		}
		for _, d := range x.DOBs {
			if dt, ok := ukDate(d); ok {
				e.BirthDates = append(e.BirthDates, dt)
			}
		}
		for _, n := range x.Nationalities {
			e.addCountry(n)
		}
		for _, g := range x.Genders {
			if g = strings.ToLower(strings.TrimSpace(g)); g == "male" || g == "female" {
				e.Gender = g
			}
		}
		e.Documents = append(e.Documents, x.Passports...)
		if e.ID == "" || len(e.Names) == 0 {
			return nil, time.Time{}, errors.New("uk sanctions list xml: a designation without UniqueID or name")
		}
		out = append(out, e)
	}
	return out, published, nil
}

// ---- OpenSanctions FollowTheMoney JSON lines ----

type ftmEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
	Datasets   []string            `json:"datasets"`
	Target     *bool               `json:"target"`
}

// MaxLineBytes bounds one JSON line of an OpenSanctions export.
const MaxLineBytes = 16 << 20

// ParseFTM reads OpenSanctions FollowTheMoney entities, one JSON object per
// line. People, organisations, companies, legal entities, vessels and
// airplanes that are targets become entries of "opensanctions:<dataset>"
// (the dataset argument, else the entity's first dataset).
func ParseFTM(r io.Reader, dataset string) ([]*Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLineBytes)
	var out []*Entry
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var x ftmEntity
		if err := json.Unmarshal(b, &x); err != nil {
			return nil, fmt.Errorf("ftm line %d: %w", line, err)
		}
		if x.Target != nil && !*x.Target {
			continue
		}
		typ := map[string]string{"Person": TypePerson, "Organization": TypeEntity, "Company": TypeEntity, "LegalEntity": TypeEntity,
			"PublicBody": TypeEntity, "Vessel": TypeVessel, "Airplane": TypeAircraft}[x.Schema]
		if typ == "" {
			continue
		}
		ds := dataset
		if ds == "" && len(x.Datasets) > 0 {
			ds = x.Datasets[0]
		}
		if ds == "" {
			ds = "default"
		}
		p := x.Properties
		e := &Entry{List: "opensanctions:" + ds, ID: x.ID, Type: typ, Programs: p["program"], Remarks: strings.Join(p["notes"], " ")}
		for _, n := range p["name"] {
			e.Names = append(e.Names, Name{Text: n})
		}
		for _, n := range p["alias"] {
			e.Names = append(e.Names, Name{Text: n})
		}
		for _, n := range p["weakAlias"] {
			e.Names = append(e.Names, Name{Text: n, Weak: true})
		}
		for _, d := range p["birthDate"] {
			if dt, ok := parseISODate(d); ok {
				e.BirthDates = append(e.BirthDates, dt)
			} else if y, err := strconv.Atoi(strings.TrimSpace(d)[:min(4, len(strings.TrimSpace(d)))]); err == nil && y > 1800 {
				dt := Date{Year: y}
				if len(d) >= 7 {
					dt.Month, _ = strconv.Atoi(d[5:7])
				}
				e.BirthDates = append(e.BirthDates, dt)
			}
		}
		for _, k := range []string{"nationality", "citizenship", "country", "jurisdiction", "flag"} {
			for _, c := range p[k] {
				e.addCountry(c)
			}
		}
		if g := p["gender"]; len(g) > 0 && (g[0] == "male" || g[0] == "female") {
			e.Gender = g[0]
		}
		e.Documents = append(e.Documents, p["passportNumber"]...)
		if e.ID == "" || len(e.Names) == 0 {
			continue // entities without a name cannot be screened
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ftm: %w", err)
	}
	return out, nil
}
