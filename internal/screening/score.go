package screening

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Part is one aligned pair of name parts in an explanation.
type Part struct {
	Query string  `json:"query"`
	Entry string  `json:"entry"`
	How   string  `json:"how"` // exact, canonical, nickname, fuzzy, phonetic, initial, compound
	Score float64 `json:"score"`
}

// NameMatch explains a name score.
type NameMatch struct {
	Score float64 `json:"score"`
	Parts []Part  `json:"parts"`
	// Unmatched name parts of the query and of the entry's name.
	QueryUnmatched []string `json:"query_unmatched,omitempty"`
	EntryUnmatched []string `json:"entry_unmatched,omitempty"`
}

// weigher gives a token's weight: its rarity in the lists (inverse
// document frequency), scaled down for particles, forms and initials.
type weigher func(t token) float64

// kindWeight scales the rarity weight of a token by its kind.
func kindWeight(t token) float64 {
	switch t.kind {
	case kindParticle:
		return 0.15
	case kindForm:
		return 0.25
	case kindGeneric:
		return 0.4
	case kindInitial:
		return 0.4
	case kindNumber:
		return 0.3
	}
	return 1
}

// tokenSim scores two tokens 0–1 and names how they matched. Dissimilar
// tokens score 0: partial credit only for spellings one typo or one
// transliteration apart.
func tokenSim(q, c token) (float64, string) {
	switch {
	case q.glyph != 0 && c.glyph != 0: // both in Hangul: as written
		if q.glyph == c.glyph {
			return 1, "exact"
		}
		return 0, ""
	case q.text == c.text:
		return 1, "exact"
	case q.hangul || c.hangul || q.han || c.han:
		return 0, ""
	case q.kind == kindNumber || c.kind == kindNumber:
		return 0, ""
	case q.kind == kindInitial && c.kind != kindInitial:
		if c.text[0] == q.text[0] {
			return 0.8, "initial"
		}
		return 0, ""
	case c.kind == kindInitial && q.kind != kindInitial:
		if q.text[0] == c.text[0] {
			return 0.8, "initial"
		}
		return 0, ""
	}
	if n, ok := nicknames[q.text]; ok && n == c.text {
		return 0.9, "nickname"
	}
	if n, ok := nicknames[c.text]; ok && n == q.text {
		return 0.9, "nickname"
	}
	if abdOf(q, c) || abdOf(c, q) {
		return abdBare, "abd"
	}
	if crossAbjad(q, c) {
		// an abjad spelling and a Latin one compare on letter classes and
		// the abjad's written vowels, not on consonant skeletons
		a, l := q, c
		if c.abjad {
			a, l = c, q
		}
		if s := abjadVSim(a.abjv, l.abjv) * 0.92; s >= 0.7 {
			return s, "abjad"
		}
		return 0, ""
	}
	best, how := 0.0, ""
	if !q.foreign && !c.foreign {
		if s := editSimMin(q.text, c.text, 0.7); s >= 0.7 {
			best, how = s, "fuzzy"
		} else if max(len(q.text), len(c.text)) <= 3 && min(len(q.text), len(c.text)) >= 2 && damerau(q.text, c.text) == 1 {
			// a slip in a short part (Ail for Ali, Kmi for Kim) keeps the part
			// matched, for little: two short names one letter apart are as
			// often two people (Jin, Jun)
			best, how = shortTypo, "typo"
		}
		if (q.raw != q.text) != (c.raw != c.text) { // a misspelt canonical name (Mohamme): compare as written
			if s := editSimMin(q.raw, c.raw, 0.8); s >= 0.8 && s > best {
				best, how = s, "fuzzy"
			}
		}
	}
	if len(q.skel) >= 2 && len(c.skel) >= 2 {
		s := editSimMin(q.skel, c.skel, 0.7/0.92)
		// a same-script respelling needs the letters to agree too
		if !q.foreign && !c.foreign {
			s = math.Min(s, 0.5+editSimMin(q.text, c.text, 0.4)/2)
		}
		s *= 0.92
		if s >= 0.7 && s > best {
			best, how = s, "phonetic"
		}
	}
	return best, how
}

// crossAbjad: one token spelt in an abjad, the other in the Latin alphabet
// (or another with every vowel written): they compare on letter classes.
func crossAbjad(a, b token) bool {
	return a.abj != "" && b.abj != "" && (a.abjad && !b.foreign || b.abjad && !a.foreign)
}

// abdOf: a is Abd joined to b's name (Abdul Hanif, Hanif): the same name
// is often written with and without its Abd.
func abdOf(a, b token) bool {
	return len(b.text) >= 3 && len(a.text) == len(b.text)+3 && strings.HasPrefix(a.text, "abd") && a.text[3:] == b.text && !b.foreign
}

// abdBare is the credit of a name against the same name with Abd.
const abdBare = 0.7

// shortTypo is the credit of a short name part one edit away.
const shortTypo = 0.4

// editSim is 1 − Damerau–Levenshtein distance / longer length; short words
// get no credit for a second edit.
func editSim(a, b string) float64 { return editSimMin(a, b, 0) }

// editSimMin is editSim, or 0 as soon as the similarity cannot reach lo
// (the length difference alone rules most pairs out).
func editSimMin(a, b string, lo float64) float64 {
	if a == b {
		return 1
	}
	n := max(len(a), len(b))
	if 1-float64(abs(len(a)-len(b)))/float64(n) < lo {
		return 0
	}
	d := damerau(a, b)
	if n <= 4 && d > 1 {
		return 0
	}
	return 1 - float64(d)/float64(n)
}

func damerau(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		a, b = a[:min(len(a), 64)], b[:min(len(b), 64)]
	}
	var rows [3][65]int
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// pairing is a candidate alignment of query tokens [qi, qj) with entry
// tokens [ci, cj) (one side may span two tokens: a compound).
type pairing struct {
	qi, qj, ci, cj int
	sim            float64
	how            string
}

// nameScore aligns the query's tokens with an entry name's tokens (greedy
// by similarity, any order, compounds of two adjacent parts allowed) and
// scores the alignment. Unmatched query parts cost their full weight;
// unmatched entry parts cost less (lists carry long full names: a query
// with first and last name only still matches), but matching only a small
// share of either side is penalised.
func nameScore(q, c []token, w weigher) NameMatch { return scoreNames(q, c, w, true, false) }

// scoreNames is nameScore; without explain it skips building the parts
// (most candidates of a search fall below the threshold). An org(anisation)
// is scored on both names' coverage: a company's name is its whole name
// (Pioneer is not Pioneer Machinery), and two different numbers are two
// different companies (Fund VIII, Fund IX).
func scoreNames(q, c []token, w weigher, explain, org bool) NameMatch {
	if len(q) == 0 || len(c) == 0 {
		return NameMatch{}
	}
	var ps []pairing
	for i := range q {
		for j := range c {
			if s, how := tokenSim(q[i], c[j]); s > 0 {
				ps = append(ps, pairing{i, i + 1, j, j + 1, s, how})
			}
			if i+1 < len(q) && q[i].kind != kindParticle && q[i+1].kind != kindParticle && near(len(q[i].text)+len(q[i+1].text), len(c[j].text)) {
				if s := compoundSim(q[i].text+q[i+1].text, c[j], q[i].han || q[i].hangul || q[i+1].han || q[i+1].hangul); s > 0 {
					ps = append(ps, pairing{i, i + 2, j, j + 1, s, "compound"})
				}
			}
			if j+1 < len(c) && c[j].kind != kindParticle && c[j+1].kind != kindParticle && near(len(c[j].text)+len(c[j+1].text), len(q[i].text)) {
				if s := compoundSim(c[j].text+c[j+1].text, q[i], c[j].han || c[j].hangul || c[j+1].han || c[j+1].hangul); s > 0 {
					ps = append(ps, pairing{i, i + 1, j, j + 2, s, "compound"})
				}
			}
			// an abjad spelling in several words against one Latin word, and
			// two Latin words against one abjad word (أبوغيث = Abo Ghaith), either way
			if q[i].abjad && j+1 < len(c) && c[j+1].kind == kindName && crossAbjad(q[i], c[j]) && crossAbjad(q[i], c[j+1]) {
				if s := abjadCompoundSim(q[i].abjv, c[j].abjv+c[j+1].abjv); s > 0 {
					ps = append(ps, pairing{i, i + 1, j, j + 2, s, "compound"})
				}
			}
			if c[j].abjad && i+1 < len(q) && q[i+1].kind == kindName && crossAbjad(q[i], c[j]) && crossAbjad(q[i+1], c[j]) {
				if s := abjadCompoundSim(c[j].abjv, q[i].abjv+q[i+1].abjv); s > 0 {
					ps = append(ps, pairing{i, i + 2, j, j + 1, s, "compound"})
				}
			}
			if !c[j].foreign && c[j].kind == kindName {
				abjadCompounds(q, i, func(_, vowelled string, end int) {
					if s := abjadCompoundSim(vowelled, c[j].abjv); s > 0 {
						ps = append(ps, pairing{i, end, j, j + 1, s, "compound"})
					}
				})
			}
			if !q[i].foreign && q[i].kind == kindName {
				abjadCompounds(c, j, func(_, vowelled string, end int) {
					if s := abjadCompoundSim(vowelled, q[i].abjv); s > 0 {
						ps = append(ps, pairing{i, i + 1, j, end, s, "compound"})
					}
				})
			}
		}
	}
	// particles pair last: an article matched alone must not take the
	// one a compound needs (نور الدين = Noureddine)
	particles := func(p pairing) bool {
		return p.qj-p.qi == 1 && p.cj-p.ci == 1 && q[p.qi].kind == kindParticle && c[p.ci].kind == kindParticle
	}
	sort.SliceStable(ps, func(a, b int) bool {
		if pa, pb := particles(ps[a]), particles(ps[b]); pa != pb {
			return pb
		}
		return ps[a].sim > ps[b].sim
	})
	qUsed, cUsed := make([]float64, len(q)), make([]float64, len(c))
	qTaken, cTaken := make([]bool, len(q)), make([]bool, len(c))
	qTo := make([]int, len(q)) // entry position each query part matched
	var m NameMatch
	// a name against the same name with Abd pairs last, and only where
	// the bare name's side has nothing else left: Abdul Jan against
	// Mohammad Jan is another name, not an added Abd
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].how != "abd" && ps[b].how == "abd" })
	for _, p := range ps {
		free := true
		for i := p.qi; i < p.qj; i++ {
			free = free && !qTaken[i]
		}
		for j := p.ci; j < p.cj; j++ {
			free = free && !cTaken[j]
		}
		if p.how == "abd" && free {
			if len(q[p.qi].text) < len(c[p.ci].text) {
				free = allNamesTaken(q, qTaken, p.qi)
			} else {
				free = allNamesTaken(c, cTaken, p.ci)
			}
		}
		if !free {
			continue
		}
		var qs, cs []string
		for i := p.qi; i < p.qj; i++ {
			qTaken[i], qUsed[i], qTo[i] = true, p.sim, p.ci
			if explain {
				qs = append(qs, q[i].text)
			}
		}
		for j := p.ci; j < p.cj; j++ {
			cTaken[j], cUsed[j] = true, p.sim
			if explain {
				cs = append(cs, c[j].text)
			}
		}
		if explain {
			m.Parts = append(m.Parts, Part{Query: strings.Join(qs, " "), Entry: strings.Join(cs, " "), How: p.how, Score: round3(p.sim)})
		}
	}
	qs, cs := tally(q, qUsed, qTaken, w, explain), tally(c, cUsed, cTaken, w, explain)
	m.QueryUnmatched, m.EntryUnmatched = qs.unmatched, cs.unmatched
	qw, qm, qNames, qNameHits := qs.weight, qs.matched, qs.names, qs.nameHits
	cw, cm, cNames, cNameHits := cs.weight, cs.matched, cs.names, cs.nameHits
	if qw == 0 || cw == 0 || qm == 0 {
		return m
	}
	// The shorter name's coverage decides; the longer name's extra parts
	// (patronymics, grandfathers' names, legal forms) cost a little.
	qcov, ccov := qm/qw, cm/cw
	short, long := qcov, ccov
	if cw < qw {
		short, long = ccov, qcov
	}
	s := short * (0.75 + 0.25*long)
	// a name in Hangul is its syllables: each one left over on either side
	// is another person's name (Jong Sik Yong Hui is not Jong Sik)
	hangul := slices.ContainsFunc(q, func(t token) bool { return t.hangul })
	if org || hangul {
		s = short * (0.55 + 0.45*long)
		if unmatchedNumber(q, qTaken) && unmatchedNumber(c, cTaken) {
			s *= 0.6
		}
	}
	// a name part on each side left unmatched is a substitution (another
	// father's or clan name), not an omission
	if qNameHits < qNames && cNameHits < cNames {
		if hangul {
			s *= 0.7
		} else {
			s *= 0.82
		}
	}
	// one matched name part of several is weak evidence
	if qNameHits <= 1 && (qNames > 1 || cNames > 1) {
		s *= 0.8
	}
	s *= orderFactor(q, qTaken, qTo)
	m.Score = round3(s)
	return m
}

// allNamesTaken: every name part but toks[except] is matched.
func allNamesTaken(toks []token, taken []bool, except int) bool {
	for i, t := range toks {
		if i != except && t.kind == kindName && !taken[i] {
			return false
		}
	}
	return true
}

// unmatchedNumber: a number of the name is left unmatched.
func unmatchedNumber(toks []token, taken []bool) bool {
	for i, t := range toks {
		if t.kind == kindNumber && !taken[i] {
			return true
		}
	}
	return false
}

// orderFactor penalises matched parts in another order: a little for any
// reordering (lists and documents order names differently), much for
// parts swapped around bin/ibn/ben (father and son are different people).
func orderFactor(q []token, taken []bool, to []int) float64 {
	f := 1.0
	inv := 0
	for i := range q {
		for j := i + 1; j < len(q); j++ {
			if taken[i] && taken[j] && q[i].kind == kindName && q[j].kind == kindName && to[i] > to[j] {
				inv++
			}
		}
	}
	f -= 0.03 * float64(min(inv, 3))
	// the syllables of one Hangul word are one given name: swapped, it is
	// another (Jong Un, Un Jong)
	for i := range q {
		for j := i + 1; j < len(q); j++ {
			if q[i].hangul && q[j].hangul && q[i].run == q[j].run && taken[i] && taken[j] && to[i] > to[j] {
				f *= 0.6
			}
		}
	}
	for k := 1; k+1 < len(q); k++ {
		if patronymic[q[k].text] && taken[k-1] && taken[k+1] && to[k-1] > to[k+1] {
			f *= 0.6
		}
	}
	return f
}

var patronymic = set("bin bn ibn ben bint binti")

// side is one name's share of an alignment.
type side struct {
	weight, matched float64 // total weight, weight × similarity of the matched parts
	names, nameHits int     // name parts (not particles, forms, initials), matched ones
	unmatched       []string
}

func tally(toks []token, used []float64, taken []bool, w weigher, explain bool) side {
	var sd side
	for i, t := range toks {
		x := w(t)
		sd.weight += x
		sd.matched += x * used[i]
		if t.kind == kindName {
			sd.names++
			if taken[i] {
				sd.nameHits++
			}
		}
		if !taken[i] && explain {
			sd.unmatched = append(sd.unmatched, t.text)
		}
	}
	return sd
}

// compoundSim scores a joined pair of parts against one part.
func compoundSim(joined string, t token, syllables bool) float64 {
	if t.kind == kindParticle {
		return 0
	}
	if joined == t.text {
		return 1
	}
	if syllables || t.han || t.hangul { // Han and Hangul syllables: exactly or not at all
		return 0
	}
	if s := editSimMin(joined, t.text, 0.85); s >= 0.85 {
		return s
	}
	return 0
}

// abjadCompoundSim scores the vowelled key of an abjad spelling against a
// Latin one's, one side a compound: as close as a compound of one script
// must be, of at least three letters, discounted like every cross-script
// match.
func abjadCompoundSim(abjad, latin string) float64 {
	la, ll := letters(abjad), letters(latin)
	if ll == 0 || min(la, ll) < 3 || !near(la, ll) && abs(la-ll) > 1 {
		return 0
	}
	lo := 0.8
	if min(la, ll) == 3 {
		lo = 0.9 // three letters: no room for a wrong one
	}
	if s := abjadVSim(abjad, latin); s >= lo {
		return s * 0.92
	}
	return 0
}

// near: lengths within 15% (a compound can match at ≥ 0.85)
func near(a, b int) bool { return float64(abs(a-b)) <= 0.15*float64(max(a, b)) }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// ScoreNames compares two names with the default weights (every name part
// equally rare): the pair scorer used for calibration and tests.
func ScoreNames(a, b string) NameMatch {
	return nameScore(tokenize(a), tokenize(b), kindWeightOnly)
}

func kindWeightOnly(t token) float64 { return kindWeight(t) }

// String renders a name match compactly for logs of tests.
func (m NameMatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%.3f", m.Score)
	for _, p := range m.Parts {
		fmt.Fprintf(&b, " [%s=%s %s %.2f]", p.Query, p.Entry, p.How, p.Score)
	}
	return b.String()
}
