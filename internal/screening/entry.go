// Package screening loads sanctions and PEP lists from their official raw
// formats, indexes their names for fuzzy, multilingual search, and scores
// candidates with an explanation of every hit.
package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Entity types.
const (
	TypePerson   = "person"
	TypeEntity   = "entity" // companies, organisations
	TypeVessel   = "vessel"
	TypeAircraft = "aircraft"
)

// List names as the API reports them.
const (
	ListOFAC = "us_ofac"
	ListUN   = "un_sc"
	ListEU   = "eu_fsf"
	ListUK   = "uk_hmt"
	// OpenSanctions datasets are "opensanctions:<dataset>".
)

// Name is one name of an entry.
type Name struct {
	Text string `json:"text"`
	// Weak marks low-quality aliases (OFAC "fka"/weak a.k.a., UN "Low"):
	// they need a stronger match to raise a hit.
	Weak bool `json:"weak,omitempty"`
	// Original marks a name in its original script.
	Original bool `json:"original,omitempty"`
}

// Date is a (possibly partial) birth date: Month and Day are 0 when unknown.
// A range of years (UN "BETWEEN") sets ToYear.
type Date struct {
	Year, Month, Day int
	ToYear           int
}

func (d Date) String() string {
	switch {
	case d.ToYear != 0:
		return fmt.Sprintf("%04d..%04d", d.Year, d.ToYear)
	case d.Day != 0:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	case d.Month != 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d", d.Year)
}

// Entry is one listed person, entity, vessel or aircraft.
type Entry struct {
	List       string   `json:"list"`
	ID         string   `json:"entry_id"` // the source's own id (OFAC ent_num, UN DATAID)
	Type       string   `json:"type"`
	Names      []Name   `json:"names"` // the first is the primary name
	BirthDates []Date   `json:"-"`
	Countries  []string `json:"countries,omitempty"` // ISO 3166 alpha-2: nationality, citizenship
	Gender     string   `json:"gender,omitempty"`    // "male", "female" or ""
	Programs   []string `json:"programs,omitempty"`
	Documents  []string `json:"documents,omitempty"` // passport and id numbers
	Remarks    string   `json:"remarks,omitempty"`
}

// Hash identifies the entry's content: a changed entry re-alerts.
func (e *Entry) Hash() string {
	h := sha256.New()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(e.List)
	w(e.ID)
	w(e.Type)
	for _, n := range e.Names {
		w(n.Text)
	}
	for _, d := range e.BirthDates {
		w(d.String())
	}
	c := append([]string(nil), e.Countries...)
	sort.Strings(c)
	w(strings.Join(c, ","))
	w(e.Gender)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Version describes one load of one list.
type Version struct {
	List      string    `json:"list"`
	Source    string    `json:"source"`    // file names or URL
	Published time.Time `json:"published"` // the list's own date when it states one
	LoadedAt  time.Time `json:"loaded_at"`
	Fetched   time.Time `json:"fetched"` // when the file was written (lists update, lists import)
	SHA256    string    `json:"sha256"`  // of the raw files
	Entries   int       `json:"entries"`
	Names     int       `json:"names"`
	People    int       `json:"people"`
}

// addCountry adds the ISO code of a country name or code, once; unknown
// names are left out.
func (e *Entry) addCountry(raw string) {
	if c := Country(raw); c != "" && !contains(e.Countries, c) {
		e.Countries = append(e.Countries, c)
	}
}

// entryType maps the lists' kinds (OFAC sdnType, UK group type) to ours;
// anything else is an entity.
func entryType(kind string) string {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "individual":
		return TypePerson
	case "vessel", "ship":
		return TypeVessel
	case "aircraft":
		return TypeAircraft
	}
	return TypeEntity
}

// Age is how old the list is at now: since the later of when it was fetched
// and the date it was published.
func (v Version) Age(now time.Time) time.Duration {
	t := v.Fetched
	if v.Published.After(t) {
		t = v.Published
	}
	if t.IsZero() {
		t = v.LoadedAt
	}
	return now.Sub(t)
}
