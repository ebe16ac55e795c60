package viz

import (
	"image"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/check/docdata"
)

// Word is one word OCR read, with its box in the image and its confidence
// (0–100).
type Word struct {
	Text string
	Box  image.Rectangle
	Conf float64
}

// segment is a run of words on one text row with no wide gap between them:
// a label, a value, or both ("Surname: DOE", "DOB 01/02/1990").
type segment struct {
	words []Word
	box   image.Rectangle
	text  string
	// label: the field the segment's first words name, and how many words
	// that takes (0: not a label).
	field      string
	labelWords int
	used       bool // taken as a value
	tried      bool // offered to a label as its value, and not one
}

func (s *segment) height() int { return s.box.Dy() }

// conf is the mean confidence of the words from i on.
func (s *segment) conf(from int) float64 {
	var sum float64
	n := 0
	for _, w := range s.words[from:] {
		sum += w.Conf
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// valueText is the segment's text from word i on.
func (s *segment) valueText(from int) string {
	parts := make([]string, 0, len(s.words)-from)
	for _, w := range s.words[from:] {
		parts = append(parts, w.Text)
	}
	return strings.Join(parts, " ")
}

// segments groups words into rows and splits rows at gaps wider than
// 1.3 times the text height (columns of a layout, a label and its value
// far to the right).
func segments(words []Word) []*segment {
	ws := slices.Clone(words)
	ws = slices.DeleteFunc(ws, func(w Word) bool { return strings.TrimSpace(w.Text) == "" || w.Box.Dy() <= 0 })
	sort.SliceStable(ws, func(i, j int) bool {
		if ws[i].Box.Min.X != ws[j].Box.Min.X {
			return ws[i].Box.Min.X < ws[j].Box.Min.X
		}
		return ws[i].Box.Min.Y < ws[j].Box.Min.Y
	})
	var out []*segment
	for _, w := range ws {
		var best *segment
		bestGap := math.MaxInt
		for _, s := range out {
			last := s.words[len(s.words)-1].Box
			h := max(last.Dy(), w.Box.Dy())
			gap := w.Box.Min.X - last.Max.X
			if float64(gap) > 1.3*float64(h) {
				continue
			}
			// rows overlap by at least half the smaller height, and heights are alike
			ov := min(last.Max.Y, w.Box.Max.Y) - max(last.Min.Y, w.Box.Min.Y)
			lo, hi := min(last.Dy(), w.Box.Dy()), max(last.Dy(), w.Box.Dy())
			if 2*ov < lo || 2*hi > 5*lo {
				continue
			}
			if gap < bestGap {
				best, bestGap = s, gap
			}
		}
		if best == nil {
			out = append(out, &segment{words: []Word{w}, box: w.Box})
			continue
		}
		best.words = append(best.words, w)
		best.box = best.box.Union(w.Box)
	}
	for _, s := range out {
		s.text = s.valueText(0)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].box.Min.Y != out[j].box.Min.Y {
			return out[i].box.Min.Y < out[j].box.Min.Y
		}
		return out[i].box.Min.X < out[j].box.Min.X
	})
	return out
}

// labelMatch finds how many of the segment's first words are labels (one
// or several phrases of the dictionary, in any of its languages: bilingual
// labels "Surname/Nom"), and which field the first phrase names. langs
// break ties between languages that use one word for different fields
// (German "Name" is the surname).
func labelMatch(words []Word, langs []string) (field string, n int) {
	var toks []string  // folded word pieces
	var owner []int    // the word each piece belongs to
	var slashed []bool // the piece follows a "/": a translation of the label before it
	prevSlash := false
	for i, w := range words {
		for pi, part := range strings.Split(w.Text, "/") {
			for j, t := range strings.Fields(fold(part)) {
				toks = append(toks, t)
				owner = append(owner, i)
				slashed = append(slashed, j == 0 && (pi > 0 || prevSlash))
			}
		}
		prevSlash = strings.HasSuffix(w.Text, "/")
	}
	if len(toks) > 8 {
		toks, owner, slashed = toks[:8], owner[:8], slashed[:8]
	}
	if len(toks) == 0 {
		return "", 0
	}
	fields := cover(toks, slashed, langs)
	// the longest prefix of pieces the phrases cover; whole words only: a
	// word split into pieces ("N°123") is a label word only when all its
	// pieces are
	for k := len(toks); k >= 1; k-- {
		if fields[k] == "" {
			continue
		}
		if k < len(toks) && owner[k] == owner[k-1] {
			continue
		}
		return fields[k], owner[k-1] + 1
	}
	return "", 0
}

// cover finds which prefixes of the pieces, joined, are a sequence of
// phrases: fields[k] is the field of the first phrase when the first k
// pieces are covered, else "".
func cover(toks []string, slashed []bool, langs []string) []string {
	s := []rune(strings.Join(toks, ""))
	bounds := map[int]bool{0: true}
	ends := []int{0}
	var numeric []bool // the rune belongs to a piece of digits only: a value, never a label
	afterSlash := map[int]bool{}
	at := 0
	for k, t := range toks {
		n := utf8.RuneCountInString(t)
		afterSlash[at] = slashed[k]
		digits := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
		for range n {
			numeric = append(numeric, digits)
		}
		at += n
		bounds[at] = true
		ends = append(ends, at)
	}
	// first[i] != nil: s[:i] is covered, starting with that phrase
	if len(s) > maxLabelRunes {
		s = s[:maxLabelRunes] // labels are short; the rest is a value
	}
	first := make([]*labelPhrase, len(s)+1)
	first[0] = &labelPhrase{}
	for i := 0; i < len(s); i++ {
		if first[i] == nil {
			continue
		}
		for pi := range phrases {
			p := &phrases[pi]
			if p.short && !slices.Contains(langs, p.lang) && (i == 0 || !afterSlash[i]) {
				continue // a short label of another language is too likely a word of this one (a name: "HO", "TEN"); after a "/" ("Surname/Nom") it is the label's translation
			}
			for _, j := range phraseEnds(p, s, i, bounds) {
				if slices.Contains(numeric[i:j], true) {
					continue
				}
				switch {
				case i == 0:
					first[j] = pick(first[j], p, langs)
				case first[j] == nil:
					first[j] = first[i]
				}
			}
		}
	}
	out := make([]string, len(toks)+1)
	for k := 1; k <= len(toks) && ends[k] <= len(s); k++ {
		if f := first[ends[k]]; f != nil {
			out[k] = f.field
		}
	}
	return out
}

// maxLabelRunes bounds the text searched for labels at a segment's start.
const maxLabelRunes = 64

// pick chooses between the fields phrases of one text name: the one of the
// first of the document's languages (langs, in order of preference), else
// the first found.
func pick(cur *labelPhrase, p *labelPhrase, langs []string) *labelPhrase {
	rank := func(l string) int {
		if i := slices.Index(langs, l); i >= 0 {
			return i
		}
		return len(langs)
	}
	if cur == nil || rank(p.lang) < rank(cur.lang) {
		return p
	}
	return cur
}

// phraseEnds are the ends j such that s[i:j] reads as p: exactly for a
// short phrase starting and ending at word boundaries; else within one
// edit per six characters, after folding OCR confusions (the first and
// last characters kept in phrases under eight).
func phraseEnds(p *labelPhrase, s []rune, i int, bounds map[int]bool) []int {
	if p.short {
		j := i + len(p.runes)
		if j <= len(s) && bounds[i] && bounds[j] && (string(s[i:j]) == p.text || ocrFold.Replace(string(s[i:j])) == ocrFold.Replace(p.text)) {
			return []int{j}
		}
		return nil
	}
	tol := len(p.runes) / 6
	var out []int
	for j := i + len(p.runes) - tol - 1; j <= i+len(p.runes)+tol; j++ {
		if j <= i || j > len(s) {
			continue
		}
		cand := string(s[i:j])
		if cand == p.text {
			out = append(out, j)
			continue
		}
		a, b := []rune(ocrFold.Replace(cand)), []rune(ocrFold.Replace(p.text))
		if string(a) == string(b) {
			out = append(out, j)
			continue
		}
		// a short phrase's ends are kept ("Sumame", but not "Carte N" read
		// as "carten"); a long one's may be off ("birthyDate")
		ends := len(b) >= 8 || len(a) > 0 && len(b) > 0 && a[0] == b[0] && a[len(a)-1] == b[len(b)-1]
		if tol > 0 && ends && docdata.Levenshtein(a, b) <= tol {
			out = append(out, j)
		}
	}
	return out
}

// isValueLike reports whether text could be a value: it holds a letter or
// digit of a script, beyond stray marks.
func isValueLike(text string) bool {
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n >= 1
}
