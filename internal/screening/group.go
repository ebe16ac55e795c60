package screening

import (
	"strings"
	"unicode"
)

// Source is one list entry of a hit: a person listed by OFAC, the UN, the
// EU and the UK is one hit with four sources.
type Source struct {
	List    string  `json:"list"`
	EntryID string  `json:"entry_id"`
	Name    string  `json:"name"`
	Score   float64 `json:"score"`
	Entry   *Entry  `json:"-"`
}

// Entries are the list entries of a hit: its sources, or the hit's own
// entry when it has no others.
func (h Hit) Entries() []Source {
	if len(h.Sources) > 0 {
		return h.Sources
	}
	return []Source{{List: h.List, EntryID: h.EntryID, Name: h.Name, Score: h.Score, Entry: h.Entry}}
}

// groupHits folds hits on different lists that are the same person or
// organisation into the best-scored one, whose Sources then list every
// entry, best first. Two entries are the same when they share a document
// number, or when they are of one type, share a full birth date (people)
// and their names match closely.
func groupHits(hits []Hit) []Hit {
	if len(hits) < 2 {
		return hits
	}
	group := make([]int, len(hits)) // index of the hit each one folds into
	for i := range hits {
		group[i] = i
		for j := range i {
			if group[j] == j && sameParty(hits[j].Entry, hits[i].Entry) {
				group[i] = j
				break
			}
		}
	}
	out := hits[:0:0]
	for i, h := range hits {
		if group[i] != i {
			continue
		}
		var src []Source
		for j := i; j < len(hits); j++ {
			if group[j] == i {
				src = append(src, Source{List: hits[j].List, EntryID: hits[j].EntryID, Name: hits[j].Name, Score: hits[j].Score, Entry: hits[j].Entry})
			}
		}
		if len(src) > 1 {
			h.Sources = src
		}
		out = append(out, h)
	}
	return out
}

// sameParty: two entries of different lists are one listed party.
func sameParty(a, b *Entry) bool {
	if a == nil || b == nil || a.List == b.List || a.Type != b.Type {
		return false
	}
	for _, x := range a.Documents {
		for _, y := range b.Documents {
			if dx, dy := docKey(x), docKey(y); len(dx) >= 6 && dx == dy {
				return true
			}
		}
	}
	if a.Type == TypePerson && !sharedFullDate(a.BirthDates, b.BirthDates) {
		return false
	}
	if a.Type != TypePerson && !sharedCountry(a.Countries, b.Countries) {
		return false
	}
	for i, x := range a.Names {
		for j, y := range b.Names {
			if x.Weak || y.Weak || i >= 6 || j >= 6 {
				continue
			}
			if ScoreNames(x.Text, y.Text).Score >= 0.9 {
				return true
			}
		}
	}
	return false
}

// docKey is a document number's letters and digits, upper case (lists
// write "A 123-456" and "A123456").
func docKey(s string) string {
	// a list's document field may carry a label and the issuer: keep the
	// longest run holding a digit
	best := ""
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '(' || r == ')' }) {
		var b strings.Builder
		digit := false
		for _, r := range f {
			if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				b.WriteRune(unicode.ToUpper(r))
				digit = digit || unicode.IsDigit(r)
			}
		}
		if digit && b.Len() > len(best) {
			best = b.String()
		}
	}
	return best
}

func sharedFullDate(a, b []Date) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Day != 0 && x.ToYear == 0 && x == y {
				return true
			}
		}
	}
	return false
}

func sharedCountry(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
