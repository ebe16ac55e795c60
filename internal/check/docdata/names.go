package docdata

import (
	"math"
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// NameThreshold is the similarity below which names do not match.
const NameThreshold = 0.85

// NameKey transliterates (any script to Latin), folds case and diacritics,
// and keeps the name's letters as sorted words, as the MRZ writes names.
func NameKey(s string) []string {
	s = icaoCyrillic.Replace(norm.NFC.String(s))
	s = unidecode.Unidecode(s)
	s = strings.ToUpper(s)
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return words
}

// icaoCyrillic applies the ICAO 9303 transliterations that differ from
// unidecode's (ё → E, й → I, ъ → IE).
var icaoCyrillic = strings.NewReplacer("ё", "е", "Ё", "Е", "й", "и", "Й", "И", "ъ", "ие", "Ъ", "ИЕ")

// NameSimilarity scores two full names 0–1: words are aligned greedily by
// normalised Levenshtein similarity, in any order (MRZ names may be reordered
// or truncated), weighted by length.
func NameSimilarity(a, b string) float64 {
	wa, wb := NameKey(a), NameKey(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	used := make([]bool, len(wb))
	var total, weight float64
	for _, x := range wa {
		best, bi := 0.0, -1
		for j, y := range wb {
			if used[j] {
				continue
			}
			sim := 1 - float64(Levenshtein([]byte(x), []byte(y)))/float64(max(len(x), len(y)))
			if strings.HasPrefix(x, y) && len(y) >= 3 { // truncated in the MRZ
				sim = math.Max(sim, 0.95)
			}
			if sim > best {
				best, bi = sim, j
			}
		}
		if bi >= 0 {
			used[bi] = true
		}
		total += best * float64(len(x))
		weight += float64(len(x))
	}
	// words of b left unmatched lower the score
	for j, y := range wb {
		if !used[j] {
			weight += float64(len(y)) / 2
		}
	}
	return total / weight
}

// Levenshtein is the edit distance between a and b (insertions, deletions,
// substitutions), over bytes, runes or anything comparable.
func Levenshtein[T comparable](a, b []T) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
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
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
