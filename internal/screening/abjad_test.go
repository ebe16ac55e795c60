package screening

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAbjadKeys(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, key, vowelled string
	}{
		{"Haqqani", "hkn", "hVkVnV"}, // doubled letters once
		{"حقانی", "hQn", "hQVnV"},    // ق renders k or g: Q
		{"Aziz", "zz", "VzVz"},       // a vowel between: not a double
		{"عزيز", "zz", "VzVz"},       // ع and ي are written vowels
		{"Abdullah", "bdl", "VbdlV"}, // Abdul- joins; final h drops
		{"Taha", "t", "tV"},          // -ha after a consonant
		{"طه", "t", "t"},
		{"Lounici", "lns", "lVnVsV"}, // French c before i
		{"Chaudhry", "xdr", "xVdrV"}, // digraphs: ch, dh
		{"ضیا", "D", "DV"},           // ض renders d or z: D
	} {
		toks := tokenize(c.name)
		require.Len(t, toks, 1, c.name)
		require.Equal(t, c.key, toks[0].abj, c.name)
		require.Equal(t, c.vowelled, toks[0].abjv, c.name)
	}
	// Allah is one word; the article and Abd join as Latin spellings do
	require.Equal(t, []string{"hbyb", "allah", "rshad"}, texts(tokenize("حبیب الله رشاد")))
	require.Equal(t, []string{"al", "alfy"}, texts(tokenize("الالفي")), "the article splits once per word")
	require.Equal(t, "VbdhQ", tokenize("عبد الحق")[0].abjv)
	require.Equal(t, "VbdhVk", tokenize("Abdul-Haq")[0].abjv, "Abd + Haq is not the digraph dh")
}

func texts(ts []token) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.text)
	}
	return out
}

// TestAbjadNames: Arabic and Persian spellings against the Latin ones of
// lists (UN entries whose Arabic names the index does not hold), and
// names that share consonants but not the written vowels.
func TestAbjadNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		abjad, latin string
		match        bool
	}{
		{"حبیب الله رشاد", "HABIBULLAH RESHAD", true},                             // Allah compounds
		{"جلال الدين حقانى", "JALALUDDIN HAQQANI", true},                          // the article inside a compound
		{"سيف الرحمن منصور", "SAIFURRAHMAN MANSOUR", true},                        // sun letter assimilated
		{"سعد الدين سيد", "SADUDDIN SAYYED", true},                                // a vowel at the junction
		{"فضل ربيع", "FAZL RABI", true},                                           // ض read z
		{"نور محمد ثاقب", "NOOR MOHAMMAD SAQIB", true},                            // ث read s
		{"طه ياسين رمضان", "TAHA YASSIN RAMADAN", true},                           // final ه
		{"سامي بن خميس بن صالح الصيد", "SAMI BEN KHAMIS BEN SALEH ELSSEID", true}, // article joined in Latin
		{"سليمان جاسم سليمان علي أبوغيث", "SULAIMAN JASSEM SULAIMAN ALI ABO GHAITH", true},
		{"عبدالمنان محمد اسحاق", "ABDUL MANAN MOHAMMAD ISHAK", true}, // س + ح read as the digraph sh
		{"هانيه محمدی", "Mohammad KHAN", false},                      // Haniyeh's written vowels are not Khan's
		{"حسین محمدی", "Hussein MOHAMMAD", false},                    // Mohammadi: a final written vowel is a suffix
		{"حسنی مبارک", "Hassan MUBARAK", false},
	} {
		s := ScoreNames(c.abjad, c.latin)
		if c.match {
			require.GreaterOrEqual(t, s.Score, DefaultThreshold, "%s ~ %s: %s", c.abjad, c.latin, s)
		} else {
			require.Less(t, s.Score, DefaultThreshold, "%s ~ %s: %s", c.abjad, c.latin, s)
		}
	}
}

func TestAbjadVSim(t *testing.T) {
	t.Parallel()
	require.Equal(t, 1.0, abjadVSim("mhmd", "mVhVmVd"), "short vowels are free")
	require.Less(t, abjadVSim("hVnV", "hVn"), 0.7, "a written final vowel is missing")
	require.Equal(t, 1.0, abjadVSim("fDl", "fVzl"), "ض reads z")
	require.InDelta(t, 1-0.3/3, abjadVSim("VshVQ", "VxVk"), 1e-9, "س ح against the digraph sh")
	require.Equal(t, 0.0, abjadVSim("kl", "bl"), "two letters have no room for a wrong one")
}

// FuzzTokenize: any name tokenises without a panic and every token has
// a text; abjad tokens carry their keys.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"حبیب الله رشاد", "عبدالله", "الالفي", "Abdul-Haq", "طه", "ځدران", "ا ل ل ه", "الله الله", "\u200dعلي\u200f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, tk := range tokenize(name) {
			if tk.text == "" {
				t.Fatalf("%q: empty token", name)
			}
			if tk.abjad && tk.abj != "" && tk.abjv == "" {
				t.Fatalf("%q: %q has a key without vowels", name, tk.text)
			}
			_ = abjadVSim(tk.abjv, tk.abjv)
		}
		_ = ScoreNames(name, "Habibullah Reshad")
	})
}

// TestSearchBounds: a long name is compared on its first parts and a
// common one on the names sharing most with it; the search says so.
func TestSearchBounds(t *testing.T) {
	t.Parallel()
	var es []*Entry
	for i := range 400 {
		es = append(es, &Entry{List: ListOFAC, ID: fmt.Sprint(i), Type: TypePerson, Names: []Name{{Text: fmt.Sprintf("Muhammad Ali %c%c%c", 'a'+i%26, 'a'+i/26%26, 'k')}}})
	}
	ix := Build(es)
	_, info := ix.SearchInfo(Query{Name: "Mohammed Ali", Threshold: 0.3})
	require.True(t, info.CandidatesCapped)
	require.Equal(t, []string{"name: common parts; the 150 listed names sharing most with it were scored"}, info.Warnings())
	_, info = ix.SearchInfo(Query{Name: strings.Repeat("Zayd ", 20), Threshold: 0.65})
	require.Equal(t, 8, info.PartsIgnored)
	require.False(t, info.CandidatesCapped)
}
