package screening

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sample is a small hand-made list for tests that need no shared data.
func sample() []*Entry {
	return []*Entry{
		{List: ListUN, ID: "1", Type: TypePerson, Names: []Name{{Text: "SADDAM HUSSEIN AL-TIKRITI"}, {Text: "صدام حسين التكريتي", Original: true}}, BirthDates: []Date{{Year: 1937, Month: 4, Day: 28}}, Countries: []string{"iq"}, Gender: "male"},
		{List: ListOFAC, ID: "2", Type: TypePerson, Names: []Name{{Text: "Vladimir Vladimirovich PUTIN"}}, BirthDates: []Date{{Year: 1952, Month: 10, Day: 7}}, Countries: []string{"ru"}, Gender: "male"},
		{List: ListUN, ID: "3", Type: TypePerson, Names: []Name{{Text: "KIM JONG UN"}}, BirthDates: []Date{{Year: 1984, Month: 1, Day: 8}}, Countries: []string{"kp"}},
		{List: ListOFAC, ID: "4", Type: TypePerson, Names: []Name{{Text: "Abdul Rahman YASIN"}, {Text: "Aboud YASIN", Weak: true}}, BirthDates: []Date{{Year: 1960, Month: 4, Day: 10}}, Countries: []string{"us"}},
		{List: ListOFAC, ID: "5", Type: TypePerson, Names: []Name{{Text: "Mohammed Ali HASSAN"}}, BirthDates: []Date{{Year: 1971}}},
		{List: ListOFAC, ID: "6", Type: TypeEntity, Names: []Name{{Text: "TACTICAL MISSILES CORPORATION JOINT STOCK COMPANY"}, {Text: "KTRV"}}},
		{List: ListUN, ID: "7", Type: TypePerson, Names: []Name{{Text: "Doku Khamatovich UMAROV"}, {Text: "Умаров Доку Хаматович", Original: true}}, BirthDates: []Date{{Year: 1964, Month: 4, Day: 13}}},
		{List: ListOFAC, ID: "8", Type: TypeVessel, Names: []Name{{Text: "SAND SWAN"}}},
		{List: ListOFAC, ID: "9", Type: TypePerson, Names: []Name{{Text: "Hans Peter MUELLER"}}, BirthDates: []Date{{Year: 1970}}, Gender: "male"},
		{List: ListOFAC, ID: "10", Type: TypePerson, Names: []Name{{Text: "Olga Ivanovna SMIRNOVA"}}, BirthDates: []Date{{Year: 1980}}, Gender: "female"},
	}
}

func TestSearchVariants(t *testing.T) {
	t.Parallel()
	ix := Build(sample())
	for _, c := range []struct {
		query, want string
		q           Query
	}{
		{"Saddam Hussein", "1", Query{}},
		{"Sadam Husein al Takriti", "1", Query{}},                    // respelled
		{"HUSSEIN, Saddam", "1", Query{}},                            // comma order
		{"صدام حسين", "1", Query{}},                                  // Arabic script
		{"Vladimir Putin", "2", Query{}},                             // patronymic dropped
		{"Владимир Путин", "2", Query{}},                             // Cyrillic
		{"Putin Vladimir", "2", Query{}},                             // reordered
		{"V. V. Putin", "2", Query{}},                                // initials
		{"Vladmir Puttin", "2", Query{}},                             // two typos
		{"Kim Jong-un", "3", Query{}},                                // hyphenated
		{"Kim Jongun", "3", Query{}},                                 // compound
		{"Abdulrahman Yasin", "4", Query{}},                          // Abd form joined
		{"Abd al-Rahman Yaseen", "4", Query{}},                       // Abd al form
		{"Muhammad Ali Hasan", "5", Query{}},                         // Mohammed family
		{"Tactical Missiles Corp JSC", "6", Query{Type: TypeEntity}}, // legal forms
		{"Dokku Umarov", "7", Query{}},
		{"Доку Умаров", "7", Query{}},
		{"Hans Peter Müller", "9", Query{}}, // diacritics
		{"Sand Swan", "8", Query{Type: TypeVessel}},
	} {
		q := c.q
		q.Name, q.Threshold = c.query, DefaultThreshold
		hs := ix.Search(q)
		require.NotEmpty(t, hs, c.query)
		require.Equal(t, c.want, hs[0].EntryID, "%s: %+v", c.query, hs[0].Explanation)
		require.NotEmpty(t, hs[0].Explanation.Parts, c.query)
	}
	// unrelated names raise nothing
	for _, q := range []string{"John Smith", "Maria Garcia Lopez", "Li Wei", "Ahmed Khan", "Tactical Solutions Ltd"} {
		require.Empty(t, ix.Search(Query{Name: q, Threshold: DefaultThreshold}), q)
	}
}

func TestQualifiers(t *testing.T) {
	t.Parallel()
	ix := Build(sample())
	score := func(q Query) (float64, []Qualifier) {
		q.Name = "Vladimir Putin"
		hs := ix.Search(q)
		require.NotEmpty(t, hs)
		return hs[0].Score, hs[0].Explanation.Qualifiers
	}
	base, none := score(Query{})
	require.Empty(t, none)
	exact, qs := score(Query{BirthDate: "1952-10-07"})
	require.Greater(t, exact, base)
	require.Equal(t, "exact", qs[0].Result)
	year, qs := score(Query{BirthDate: "1952"})
	require.Greater(t, year, base)
	require.Less(t, year, exact)
	require.Equal(t, "year", qs[0].Result)
	close, qs := score(Query{BirthDate: "1953"})
	require.Equal(t, base, close)
	require.Equal(t, "close", qs[0].Result)
	far, qs := score(Query{BirthDate: "1990-01-01"})
	require.Less(t, far, base)
	require.Equal(t, "mismatch", qs[0].Result)
	nat, qs := score(Query{Nationality: "Russia"})
	require.Greater(t, nat, base)
	require.Equal(t, Qualifier{Field: "nationality", Query: "Russia", Entry: "ru", Result: "match", Effect: 0.03}, qs[0])
	other, _ := score(Query{Nationality: "FR"})
	require.Less(t, other, base)
	g, qs := score(Query{Gender: "female"})
	require.Less(t, g, base)
	require.Equal(t, "mismatch", qs[0].Result)
}

// TestGeneratedVariants derives misspellings, reorderings and initials
// from every person of the sample list and finds the person again.
func TestGeneratedVariants(t *testing.T) {
	t.Parallel()
	ix := Build(sample())
	r := rand.New(rand.NewPCG(7, 7))
	variants := map[string]func([]string) []string{
		"transposition": func(ws []string) []string {
			i := longest(ws)
			w := []byte(ws[i])
			k := 1 + r.IntN(len(w)-2)
			w[k], w[k+1] = w[k+1], w[k]
			return replace(ws, i, string(w))
		},
		"deletion": func(ws []string) []string {
			i := longest(ws)
			k := 1 + r.IntN(len(ws[i])-1)
			return replace(ws, i, ws[i][:k]+ws[i][k+1:])
		},
		"doubling": func(ws []string) []string {
			i := longest(ws)
			k := r.IntN(len(ws[i]))
			return replace(ws, i, ws[i][:k+1]+ws[i][k:])
		},
		"reorder": func(ws []string) []string { return append([]string{ws[len(ws)-1]}, ws[:len(ws)-1]...) },
		// the first given name as an initial (an Abd compound is one name:
		// "A. Rahman" for "Abdul Rahman" is not generated)
		"initial": func(ws []string) []string {
			if abdForms[strings.ToLower(ws[0])] {
				return ws
			}
			return replace(ws, 0, ws[0][:1]+".")
		},
		"lowercase": func(ws []string) []string {
			out := make([]string, len(ws))
			for i, w := range ws {
				out[i] = strings.ToLower(w)
			}
			return out
		},
	}
	for _, e := range sample() {
		if e.Type != TypePerson {
			continue
		}
		ws := strings.Fields(strings.NewReplacer("-", " ").Replace(e.Names[0].Text))
		names := make([]string, 0, len(variants))
		for n := range variants {
			names = append(names, n)
		}
		sort.Strings(names) // the same draws every run
		for _, name := range names {
			f := variants[name]
			for range 3 {
				q := strings.Join(f(ws), " ")
				hs := ix.Search(Query{Name: q, Threshold: 0.5, Limit: 3})
				found := false
				for _, h := range hs {
					found = found || h.EntryID == e.ID
				}
				require.True(t, found, fmt.Sprintf("%s of %q: %q", name, e.Names[0].Text, q))
			}
		}
	}
}

func longest(ws []string) int {
	best := 0
	for i, w := range ws {
		if len(w) > len(ws[best]) {
			best = i
		}
	}
	return best
}

func replace(ws []string, i int, w string) []string {
	out := append([]string(nil), ws...)
	out[i] = w
	return out
}

func TestScoreNamesExplains(t *testing.T) {
	t.Parallel()
	m := ScoreNames("Mohamed Abdelrahman", "Muhammad Abd al-Rahman")
	require.Equal(t, 1.0, m.Score, "%s", m)
	require.Equal(t, []Part{{Query: "muhammad", Entry: "muhammad", How: "exact", Score: 1}, {Query: "abdrahman", Entry: "abdrahman", How: "exact", Score: 1}}, m.Parts)
	m = ScoreNames("Ben Netanyahu", "Benjamin Netanyahu")
	require.Contains(t, m.Parts, Part{Query: "ben", Entry: "benjamin", How: "nickname", Score: 0.9})
	m = ScoreNames("AHMAD BIN HASAN", "HASAN BIN AHMAD")
	require.Less(t, m.Score, 0.65, "father and son swapped around bin")
	require.Zero(t, ScoreNames("", "x").Score)
}

// TestScoreNamesPairRules: numbers written in words, Hangul compared as
// written, Han syllables exact, a name with and without its Abd.
func TestScoreNamesPairRules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Brigade Forty-Four", "Brigade 44", true},
		{"Brigade Forty 4", "Brigade 44", true},
		{"First International Bank", "1st International Bank", true},
		{"Three Percenters", "3 Percenters", true},
		{"Erik ten Hag", "Erik ten Hag", true},
		{"김정은", "김정은", true},
		{"리병철", "이병철", true},  // the initial sound law
		{"김종은", "김정은", false}, // 종 and 정 are both Jong in the lists' spelling
		{"习近朋", "习近平", false}, // Peng is not Ping
		{"DIN MOHAMMAD ABDUL HANIF", "DIN MOHAMMAD HANIF", true},
		{"ABDUL KABIR ABDUL JAN", "ABDUL KABIR MOHAMMAD JAN", false}, // Abdul Jan for Mohammad Jan: another name
	} {
		m := ScoreNames(c.a, c.b)
		if c.same {
			require.GreaterOrEqual(t, m.Score, DefaultThreshold, "%s ~ %s: %s", c.a, c.b, m)
		} else {
			require.Less(t, m.Score, DefaultThreshold, "%s ≁ %s: %s", c.a, c.b, m)
		}
	}
	require.Equal(t, []string{"brigade", "44"}, texts(tokenize("Brigade Forty-Four")))
	require.Equal(t, []string{"erik", "ten", "hag"}, texts(tokenize("Erik ten Hag")))
	require.Equal(t, []string{"1", "international", "bank"}, texts(tokenize("1st International Bank")))
}
