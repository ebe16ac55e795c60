package screening

import (
	"fmt"
	"hash/maphash"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Index is an immutable search structure over the entries of one or more
// lists. Build one per list version and swap it in whole.
//
// The large tables hold no pointers, so the garbage collector does not
// scan them: candidate keys and tokens are 64-bit hashes (a collision only
// adds a candidate, which the scorer then rejects), and the postings are
// one flat array addressed by offset and length.
type Index struct {
	entries  []*Entry
	names    []iname
	post     map[uint64]uint64 // key hash → offset<<32 | length in postings
	postings []int32           // name ids
	dfText   map[uint64]int32  // names holding a token (rarity)
	dfSkel   map[uint64]int32
	dfAbj    map[uint64]int32 // names holding a letter-class key (abjad queries' rarity)
	n        float64          // names indexed
	byKey    map[string]*Entry
	seed     maphash.Seed
	scratch  sync.Pool
}

func (ix *Index) hash(b []byte) uint64  { return maphash.Bytes(ix.seed, b) }
func (ix *Index) hashS(s string) uint64 { return maphash.String(ix.seed, s) }
func (ix *Index) postingsOf(h uint64) []int32 {
	v, ok := ix.post[h]
	if !ok {
		return nil
	}
	return ix.postings[v>>32 : v>>32+v&0xffffffff]
}

// iname is one indexed name of an entry.
type iname struct {
	entry int32
	name  int32 // position in Entry.Names
	toks  []token
}

// Build indexes the entries. Every name is tokenised; each token is
// reachable by its exact text, its one-letter deletions (typos), its
// consonant skeleton and the skeleton's deletions (respellings and other
// scripts).
func Build(entries []*Entry) *Index {
	ix := &Index{entries: entries, dfText: map[uint64]int32{}, dfSkel: map[uint64]int32{}, dfAbj: map[uint64]int32{}, byKey: map[string]*Entry{}, seed: maphash.MakeSeed()}
	post := map[uint64][]int32{}
	for ei, e := range entries {
		ix.byKey[e.List+"\x00"+e.ID] = e
		for ni, nm := range e.Names {
			toks := tokenize(nm.Text)
			if len(toks) == 0 {
				continue
			}
			id := int32(len(ix.names))
			ix.names = append(ix.names, iname{entry: int32(ei), name: int32(ni), toks: toks})
			seen := map[string]bool{}
			add := func(k string) {
				if !seen[k] {
					seen[k] = true
					h := ix.hashS(k)
					post[h] = append(post[h], id)
				}
			}
			for _, t := range toks {
				if !seen["T"+t.text] {
					ix.dfText[ix.hashS(t.text)]++
					seen["T"+t.text] = true
				}
				if t.skel != "" && !seen["S"+t.skel] {
					ix.dfSkel[ix.hashS(t.skel)]++
					seen["S"+t.skel] = true
				}
				if t.abj != "" && !seen["A"+t.abj] {
					ix.dfAbj[ix.hashS(t.abj)]++
					seen["A"+t.abj] = true
				}
				if t.kind == kindParticle {
					continue
				}
				// legal forms are indexed (a query's misspelt "Corportaion" finds
				// them) but never looked up as they are: every company has one
				for _, k := range storedKeys(t) {
					add(k)
				}
			}
		}
	}
	// flatten the postings
	ix.post = make(map[uint64]uint64, len(post))
	total := 0
	for _, p := range post {
		total += len(p)
	}
	ix.postings = make([]int32, 0, total)
	for h, p := range post {
		ix.post[h] = uint64(len(ix.postings))<<32 | uint64(len(p))
		ix.postings = append(ix.postings, p...)
	}
	ix.n = float64(len(ix.names))
	ix.scratch.New = func() any {
		return &scratch{acc: make([]float32, len(ix.names)), tok: make([]int32, len(ix.names))}
	}
	return ix
}

// storedKeys are the keys a name's token is indexed under: its text, its
// one-letter deletions (typos), its consonant skeleton and the skeleton's
// deletions. queryKeys looks them up from the query side.
func storedKeys(t token) []string {
	ks := []string{"t" + t.text} // the same spelling (in the same script)
	if !t.foreign && len(t.text) >= 4 {
		for _, d := range deletions(t.text) {
			ks = append(ks, "d"+d)
		}
	}
	if len(t.skel) >= 2 && t.kind != kindNumber {
		ks = append(ks, "s"+t.skel)
		if len(t.skel) >= 4 {
			for _, d := range deletions(t.skel) {
				ks = append(ks, "e"+d)
			}
		}
	}
	if t.abj != "" && t.kind != kindNumber {
		ks = append(ks, "a"+t.abj)
		if len(t.abj) >= 4 {
			for _, d := range deletions(t.abj) {
				ks = append(ks, "b"+d)
			}
		}
	}
	return ks
}

// queryKeys calls fn with each key a query token looks up, built in buf
// without allocating, with the share of the token's weight it credits:
// the same spelling 1, one typo apart 0.7–0.8 (symmetric deletion: the
// query's text against stored deletions, its deletions against stored
// texts and deletions), the skeleton 0.75 and its typos 0.5–0.6.
func queryKeys(t token, buf *[]byte, fn func(k []byte, f float32)) {
	emit := func(prefix byte, s string, skip int, f float32) {
		b := append((*buf)[:0], prefix)
		if skip < 0 {
			b = append(b, s...)
		} else {
			b = append(append(b, s[:skip]...), s[skip+1:]...)
		}
		*buf = b
		fn(b, f)
	}
	dels := deletionsOf
	emit('t', t.text, -1, 1)
	if !t.foreign && len(t.text) >= 4 {
		emit('d', t.text, -1, 0.8)
		dels(t.text, func(i int) { emit('t', t.text, i, 0.8); emit('d', t.text, i, 0.7) })
	}
	if len(t.skel) >= 2 && t.kind != kindNumber {
		emit('s', t.skel, -1, 0.75)
		if len(t.skel) >= 4 {
			emit('e', t.skel, -1, 0.6)
			dels(t.skel, func(i int) { emit('s', t.skel, i, 0.6); emit('e', t.skel, i, 0.5) })
		}
	}
	if t.abjad && t.abj != "" {
		abjadKeys(t.abj, 1, emit, dels)
	}
}

// abjadKeys emits the letter-class keys of an abjad spelling (a word or a
// compound) in each of its Latin spellings: the key 0.8, one letter apart
// 0.55–0.65, times scale.
func abjadKeys(key string, scale float32, emit func(byte, string, int, float32), dels func(string, func(int))) {
	abjadSpellings(key, func(k string) {
		emit('a', k, -1, 0.8*scale)
		if len(k) >= 4 {
			emit('b', k, -1, 0.65*scale)
			dels(k, func(i int) { emit('a', k, i, 0.65*scale); emit('b', k, i, 0.55*scale) })
		}
	})
}

// abjadCompounds calls fn with the letter-class keys of the compounds an
// abjad spelling starting at qt[i] may be written as in Latin script: two
// or three words joined (شهيد خيل = Shahidkhel, حبيب الله = Habibullah, بن
// الشيبة = Binalshibh, الصيد = Elsseid), an article inside with and without
// its l (جلال الدين = Jalaluddin, سيف الرحمن = Saifurrahman); end is the
// token after the compound.
func abjadCompounds(qt []token, i int, fn func(key, vowelled string, end int)) {
	if !qt[i].abjad || qt[i].abj == "" || qt[i].kind == kindParticle && qt[i].text != "al" && !patronymic[qt[i].text] {
		return
	}
	var parts, vparts [3]string
	for n := 2; n <= 3 && i+n <= len(qt); n++ {
		last := qt[i+n-1]
		if !last.abjad || last.abj == "" {
			return
		}
		for k := 0; k < n; k++ {
			parts[k], vparts[k] = qt[i+k].abj, qt[i+k].abjv
		}
		if last.kind != kindName {
			continue
		}
		fn(joinKeys(parts[:n]...), joinKeys(vparts[:n]...), i+n)
		// the article inside, assimilated: al-Din read -ud-din
		if n == 3 && qt[i+1].text == "al" {
			fn(joinKeys(parts[0], parts[2]), joinKeys(vparts[0], "V", vparts[2]), i+n)
		}
	}
}

// joinKeys concatenates letter-class keys. A letter doubled at a junction
// stays: a vowel was there (سعد الدين = Saduddin); vowels meeting there are
// one (مطيع الله = Matiullah).
func joinKeys(ks ...string) string {
	var b []byte
	for _, k := range ks {
		if len(b) > 0 && len(k) > 0 && b[len(b)-1] == 'V' && k[0] == 'V' {
			k = k[1:]
		}
		b = append(b, k...)
	}
	return string(b)
}

// deletionsOf calls f with each position whose deletion gives a distinct
// string.
func deletionsOf(s string, f func(i int)) {
	for i := range len(s) {
		if i > 0 && s[i] == s[i-1] {
			continue
		}
		f(i)
	}
}

func deletions(s string) []string {
	out := make([]string, 0, len(s))
	for i := range len(s) {
		if i > 0 && s[i] == s[i-1] {
			continue
		}
		out = append(out, s[:i]+s[i+1:])
	}
	return out
}

// weight is a token's weight: rarity in the indexed names times its kind.
func (ix *Index) weight(t token) float64 {
	df := ix.dfText[ix.hashS(t.text)]
	switch {
	case t.abjad && t.abj != "":
		abjadSpellings(t.abj, func(k string) { df = max(df, ix.dfAbj[ix.hashS(k)]) })
	case t.foreign:
		df = ix.dfSkel[ix.hashS(t.skel)]
	}
	return kindWeight(t) * (1 + math.Log(1+ix.n/(1+float64(df))))
}

type scratch struct {
	acc   []float32
	tok   []int32 // last query token (+1, per query stamp) that credited the name
	stamp int32
	hit   []int32
}

// Query is a screening request.
type Query struct {
	Name        string
	BirthDate   string // YYYY, YYYY-MM or YYYY-MM-DD
	Nationality string // ISO alpha-2 or an English country name
	Gender      string // male, female
	Type        string // person, entity, vessel, aircraft; "" for any
	Threshold   float64
	Limit       int
}

// Qualifier explains a score adjustment from data beyond the name.
type Qualifier struct {
	Field  string  `json:"field"`
	Query  string  `json:"query"`
	Entry  string  `json:"entry,omitempty"`
	Result string  `json:"result"` // exact, year, close, mismatch, match
	Effect float64 `json:"effect"`
}

// Explanation says why an entry scored what it did.
type Explanation struct {
	MatchedName string      `json:"matched_name"`
	WeakAlias   bool        `json:"weak_alias,omitempty"`
	NameScore   float64     `json:"name_score"`
	Parts       []Part      `json:"parts"`
	QueryExtra  []string    `json:"query_unmatched,omitempty"`
	EntryExtra  []string    `json:"entry_unmatched,omitempty"`
	Qualifiers  []Qualifier `json:"qualifiers,omitempty"`
}

// Hit is one listed entry that matches a query.
type Hit struct {
	List        string      `json:"list"`
	EntryID     string      `json:"entry_id"`
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Score       float64     `json:"score"`
	Explanation Explanation `json:"explanation"`
	// Sources are every list entry of one listed party, this hit's first,
	// when several lists name it (groupHits); empty when one does.
	Sources []Source `json:"sources,omitempty"`
	Entry   *Entry   `json:"-"`
}

// maxBoost is the most the qualifiers add (exact birth date and nationality).
const maxBoost = 0.08 + 0.03

// Defaults of a query.
const (
	DefaultThreshold = 0.65
	DefaultLimit     = 10
	maxCandidates    = 150
	maxPosting       = 20000
)

// SearchInfo says where a search was bounded: a long name is compared
// on its first MaxQueryParts parts, and only the maxCandidates names most
// credited by the index are scored in full.
type SearchInfo struct {
	PartsIgnored     int  // name parts beyond MaxQueryParts
	CandidatesCapped bool // more names shared keys with the query than were scored
}

// MaxQueryParts is the most name parts of a query compared.
const MaxQueryParts = 12

// Warnings are the answer's words for the bounds met.
func (si SearchInfo) Warnings() []string {
	var w []string
	if si.PartsIgnored > 0 {
		w = append(w, fmt.Sprintf("name: only the first %d name parts were compared (%d more ignored)", MaxQueryParts, si.PartsIgnored))
	}
	if si.CandidatesCapped {
		w = append(w, fmt.Sprintf("name: common parts; the %d listed names sharing most with it were scored", maxCandidates))
	}
	return w
}

// Search finds the entries that match the query, best first.
func (ix *Index) Search(q Query) []Hit {
	hits, _ := ix.SearchInfo(q)
	return hits
}

// SearchInfo is Search, with where the search was bounded.
func (ix *Index) SearchInfo(q Query) ([]Hit, SearchInfo) {
	var info SearchInfo
	qt := tokenize(q.Name)
	if len(qt) == 0 || len(ix.names) == 0 {
		return nil, info
	}
	if len(qt) > MaxQueryParts {
		info.PartsIgnored = len(qt) - MaxQueryParts
		qt = qt[:MaxQueryParts]
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.stamp++
	if s.stamp > math.MaxInt32/64 {
		clear(s.tok)
		s.stamp = 1
	}
	s.hit = s.hit[:0]
	var total float64
	credit := func(ti int, w float32, k []byte) {
		p := ix.postingsOf(ix.hash(k))
		if len(p) > maxPosting {
			return
		}
		mark := s.stamp*64 + int32(ti%63) + 1
		for _, id := range p {
			if s.tok[id] == mark {
				continue
			}
			if s.tok[id]/64 != s.stamp {
				s.acc[id] = 0
				s.hit = append(s.hit, id)
			}
			s.tok[id] = mark
			s.acc[id] += w
		}
	}
	var kb []byte // key buffer: map lookups with string(kb) do not allocate
	for i, t := range qt {
		w := ix.weight(t)
		total += w
		// an abjad spelling in several words may be one word in Latin
		// script; the compound credits on behalf of its last word
		abjadCompounds(qt, i, func(key, _ string, end int) {
			cw := float32(w + ix.weight(qt[end-1]))
			abjadKeys(key, 1, func(prefix byte, s string, skip int, f float32) {
				kb = append(kb[:0], prefix)
				if skip < 0 {
					kb = append(kb, s...)
				} else {
					kb = append(append(kb, s[:skip]...), s[skip+1:]...)
				}
				credit(end-1, cw*f, kb)
			}, deletionsOf)
		})
		if t.kind == kindParticle || t.kind == kindForm {
			continue
		}
		queryKeys(t, &kb, func(k []byte, f float32) { credit(i, float32(w)*f, k) })
		if i+1 < len(qt) && !t.foreign && qt[i+1].kind == kindName { // "jin ping" → "jinping"
			kb = append(append(append(kb[:0], 't'), t.text...), qt[i+1].text...)
			credit(i, float32(w), kb)
		}
	}
	// the best-credited names are scored in full
	cands := s.hit
	// a candidate needs a share of the query's weight: more when the
	// threshold asks for a strong match
	minAcc := float32(0.2 * total)
	if q.Threshold >= 0.5 {
		minAcc = float32(0.45 * total)
	}
	kept := cands[:0:0]
	for _, id := range cands {
		if s.acc[id] >= minAcc {
			kept = append(kept, id)
		}
	}
	if len(kept) > maxCandidates {
		info.CandidatesCapped = true
		sort.Slice(kept, func(a, b int) bool {
			x, y := kept[a], kept[b]
			if s.acc[x] != s.acc[y] {
				return s.acc[x] > s.acc[y]
			}
			return len(ix.names[x].toks) < len(ix.names[y].toks) // the closer length first
		})
		kept = kept[:maxCandidates]
	}
	best := map[int32]Hit{}
	qd, qdOK := parseQueryDate(q.BirthDate)
	qc := Country(q.Nationality)
	for _, id := range kept {
		nm := ix.names[id]
		e := ix.entries[nm.entry]
		if q.Type != "" && e.Type != q.Type && !(q.Type == TypeEntity && e.Type != TypePerson) {
			continue
		}
		org := e.Type != TypePerson
		m := scoreNames(qt, nm.toks, ix.weight, false, org)
		if m.Score == 0 {
			continue
		}
		name := e.Names[nm.name]
		score := m.Score
		if name.Weak {
			score *= 0.9
		}
		if score+maxBoost < q.Threshold { // even the best qualifiers cannot lift it
			continue
		}
		if h, ok := best[nm.entry]; ok && h.Explanation.NameScore >= score {
			continue
		}
		m = scoreNames(qt, nm.toks, ix.weight, true, org)
		best[nm.entry] = Hit{List: e.List, EntryID: e.ID, Name: e.Names[0].Text, Type: e.Type, Score: score, Entry: e,
			Explanation: Explanation{MatchedName: name.Text, WeakAlias: name.Weak, NameScore: round3(score), Parts: m.Parts,
				QueryExtra: m.QueryUnmatched, EntryExtra: m.EntryUnmatched}}
	}
	hits := make([]Hit, 0, len(best))
	for _, h := range best {
		h.Score, h.Explanation.Qualifiers = qualify(h.Score, h.Entry, qd, qdOK, qc, strings.ToLower(q.Gender), q.BirthDate, q.Nationality)
		if h.Score >= q.Threshold && h.Score > 0 {
			hits = append(hits, h)
		}
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].Score != hits[b].Score {
			return hits[a].Score > hits[b].Score
		}
		if hits[a].List != hits[b].List {
			return hits[a].List < hits[b].List
		}
		return hits[a].EntryID < hits[b].EntryID
	})
	hits = groupHits(hits)
	if len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	return hits, info
}

func parseQueryDate(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 {
		return Date{}, false
	}
	var d Date
	var err error
	if d.Year, err = strconv.Atoi(s[:4]); err != nil {
		return Date{}, false
	}
	if len(s) >= 7 {
		d.Month, _ = strconv.Atoi(s[5:7])
	}
	if len(s) >= 10 {
		d.Day, _ = strconv.Atoi(s[8:10])
	}
	return d, true
}

// qualify adjusts a name score by birth date, nationality and gender.
// Agreement adds a little; a clear disagreement takes more away, since a
// different birth year is strong evidence of a different person.
func qualify(score float64, e *Entry, qd Date, qdOK bool, qc, qg, rawDate, rawNat string) (float64, []Qualifier) {
	var qs []Qualifier
	if qdOK && len(e.BirthDates) > 0 {
		best := Qualifier{Field: "date_of_birth", Query: rawDate, Result: "mismatch", Effect: -0.15}
		rank := map[string]int{"mismatch": 0, "close": 1, "range": 2, "year": 3, "exact": 4}
		for _, d := range e.BirthDates {
			r := Qualifier{Field: "date_of_birth", Query: rawDate, Entry: d.String()}
			switch {
			case d.ToYear != 0 && qd.Year >= d.Year && qd.Year <= d.ToYear:
				r.Result, r.Effect = "range", 0.02
			case d.Year == qd.Year && d.Month != 0 && qd.Month != 0 && d.Day != 0 && qd.Day != 0:
				if d.Month == qd.Month && d.Day == qd.Day {
					r.Result, r.Effect = "exact", 0.08
				} else {
					r.Result, r.Effect = "year", 0.0
				}
			case d.Year == qd.Year:
				r.Result, r.Effect = "year", 0.04
			case abs(d.Year-qd.Year) <= 1 || d.ToYear != 0 && (abs(d.ToYear-qd.Year) <= 1 || abs(d.Year-qd.Year) <= 1):
				r.Result, r.Effect = "close", 0
			default:
				r.Result, r.Effect = "mismatch", -0.15
			}
			if rank[r.Result] > rank[best.Result] || best.Entry == "" && r.Result == "mismatch" {
				best = r
			}
		}
		qs = append(qs, best)
	}
	if qc != "" && len(e.Countries) > 0 {
		r := Qualifier{Field: "nationality", Query: rawNat, Entry: strings.Join(e.Countries, ","), Result: "mismatch", Effect: -0.05}
		if contains(e.Countries, qc) {
			r.Result, r.Effect = "match", 0.03
		}
		qs = append(qs, r)
	}
	if (qg == "male" || qg == "female") && e.Gender != "" {
		r := Qualifier{Field: "gender", Query: qg, Entry: e.Gender, Result: "match", Effect: 0}
		if qg != e.Gender {
			r.Result, r.Effect = "mismatch", -0.1
		}
		qs = append(qs, r)
	}
	for _, x := range qs {
		score += x.Effect
	}
	return round3(math.Max(0, math.Min(1, score))), qs
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
