package screening

import (
	"slices"
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// Token kinds: ordinary name parts weigh fully; particles, legal forms and
// initials weigh less (they are often dropped, added or abbreviated).
const (
	kindName = iota
	kindParticle
	kindForm
	kindInitial
	kindNumber
)

// token is one normalised part of a name.
type token struct {
	text string // lower-case ASCII after transliteration and canonical forms
	raw  string // the spelling before canonical forms (typos of Mohammed)
	skel string // consonant skeleton: matches across scripts and spellings
	kind uint8
	// foreign: the part was written in a script without vowels (Arabic,
	// Persian, Hebrew): it matches on its skeleton.
	foreign bool
}

// arabic maps Arabic and Persian letters to Latin consonants (vowel
// letters to vowels, which skeletons drop): the consonantal spelling that
// Latin transliterations of these names share.
var arabic = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ء': "", 'ؤ': "u", 'ئ': "i",
	'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh",
	'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z",
	'ع': "a", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n",
	'ه': "h", 'ة': "a", 'و': "w", 'ي': "y", 'ى': "a",
	// Persian and Urdu
	'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ی': "y", 'ۀ': "a", 'ہ': "h", 'ے': "e", 'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ں': "n",
}

// cyrillic are the ICAO 9303 choices where unidecode differs.
var cyrillic = strings.NewReplacer("ё", "е", "Ё", "Е", "й", "и", "Й", "И", "ъ", "", "Ъ", "", "ь", "", "Ь", "")

func isArabic(r rune) bool { return unicode.Is(unicode.Arabic, r) }
func isHebrew(r rune) bool { return unicode.Is(unicode.Hebrew, r) }

// words splits a name into lower-case ASCII words, transliterating other
// scripts; foreign reports, per word, whether it came from an abjad.
func words(name string) (ws []string, foreign []bool, syllabic []bool) {
	name = norm.NFKC.String(name)
	var cur strings.Builder
	curForeign, curSyllable := false, false
	flush := func() {
		if cur.Len() > 0 {
			ws = append(ws, cur.String())
			foreign = append(foreign, curForeign)
			syllabic = append(syllabic, curSyllable)
			cur.Reset()
		}
		curForeign, curSyllable = false, false
	}
	rs := []rune(name)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case isArabic(r):
			if cur.Len() == 0 && r == 'ا' && i+2 < len(rs) && rs[i+1] == 'ل' && isArabic(rs[i+2]) && i+3 < len(rs) && isArabic(rs[i+3]) {
				// the article al- written onto the word: its own word
				ws, foreign, syllabic = append(ws, "al"), append(foreign, true), append(syllabic, false)
				i++
				continue
			}
			if t, ok := arabic[r]; ok {
				cur.WriteString(t)
				curForeign = true
			} // diacritics (harakat) and tatweel drop out
		case isHebrew(r):
			cur.WriteString(strings.ToLower(unidecode.Unidecode(string(r))))
			curForeign = true
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == 'ʻ':
			// apostrophes join: O'Brien, Hyo'k
		case r == '.' && i > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) && (i < 2 || !unicode.IsLetter(rs[i-2])):
			// dotted initialisms join: J.P., p.l.c., G.m.b.H. (not "V. V.")
		case r == '&':
			flush()
			ws, foreign, syllabic = append(ws, "and"), append(foreign, false), append(syllabic, false)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			s := string(r)
			if r >= 0x80 {
				if unicode.Is(unicode.Cyrillic, r) {
					s = cyrillic.Replace(s)
				}
				s = unidecode.Unidecode(s)
				if unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) {
					// kana spell words syllable by syllable: one word per run
					cur.WriteString(strings.TrimSpace(strings.ToLower(s)))
					curForeign = true
					continue
				}
				if !unicode.In(r, unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Armenian, unicode.Georgian, unicode.Han, unicode.Hangul) {
					// abugidas (Devanagari, Khmer, Thai...) drop vowels: match on consonants
					curForeign = true
				}
				if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) {
					// one syllable per character: a word each, joined later
					cur.WriteString(strings.TrimSpace(strings.ToLower(s)))
					curSyllable = true
					flush()
					continue
				}
			}
			for _, c := range strings.ToLower(s) {
				if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
					cur.WriteRune(c)
				} else if c == ' ' {
					flush()
				}
			}
		default:
			flush()
		}
	}
	flush()
	return legalForms(ws, foreign, syllabic)
}

// legalForms rewrites multi-word legal forms to their abbreviation
// (dotted initialisms were joined while reading).
func legalForms(ws []string, foreign, syllabic []bool) ([]string, []bool, []bool) {
	w2, f2, s2 := ws, foreign, syllabic
	for _, ph := range formPhrases {
		for i := 0; i+len(ph.words) <= len(w2); i++ {
			if slices.Equal(w2[i:i+len(ph.words)], ph.words) {
				w2 = slices.Replace(w2, i, i+len(ph.words), ph.form)
				f2 = slices.Replace(f2, i, i+len(ph.words), false)
				s2 = slices.Replace(s2, i, i+len(ph.words), false)
			}
		}
	}
	return w2, f2, s2
}

// formPhrases are legal forms written out in words.
var formPhrases = []struct {
	words []string
	form  string
}{
	{strings.Fields("public limited company"), "plc"},
	{strings.Fields("open joint stock company"), "jsc"},
	{strings.Fields("closed joint stock company"), "jsc"},
	{strings.Fields("public joint stock company"), "jsc"},
	{strings.Fields("joint stock company"), "jsc"},
	{strings.Fields("limited liability company"), "llc"},
	{strings.Fields("limited liability partnership"), "llp"},
	{strings.Fields("limited partnership"), "lp"},
	{strings.Fields("sp zoo"), "llc"},
	{strings.Fields("obshchestvo s ogranichennoi otvetstvennostiu"), "llc"},
	{strings.Fields("aktsionernoe obshchestvo"), "jsc"},
	{strings.Fields("otkrytoe aktsionernoe obshchestvo"), "jsc"},
	{strings.Fields("publichnoe aktsionernoe obshchestvo"), "jsc"},
	{strings.Fields("gesellschaft mit beschrankter haftung"), "gmbh"},
	{strings.Fields("societatea cu raspundere limitata"), "srl"},
	{strings.Fields("sociedad anonima"), "sa"},
	{strings.Fields("societe anonyme"), "sa"},
	{[]string{"aktiengesellschaft"}, "ag"},
}

// Words that are not names.
var (
	titles = set("mr mrs ms miss dr prof sir madam mme mlle herr frau sheikh shaikh shaykh sheik cheikh haji hajji hadji alhaj alhaji mullah mulla maulvi mawlawi maulana mawlana molvi qari sayyid sayed syed general gen colonel col major maj captain capt lieutenant lt brigadier admiral commander prince princess king queen president minister judge imam ayatollah hojatoleslam")
	// particles link name parts (al-, bin, van, de): kept, but light
	particles = set("the of for al el ul bin bn ben ibn bint binti bte b van von der den de da di del della dela dos das du la le los las y e ter ten zu")
	// legal forms of companies, by canonical spelling
	forms = map[string]string{
		"inc": "inc", "incorporated": "inc", "llc": "llc", "ltd": "ltd", "limited": "ltd", "plc": "plc",
		"ag": "ag", "gmbh": "gmbh", "corp": "corp", "corporation": "corp", "co": "co", "company": "co",
		"jsc": "jsc", "ojsc": "jsc", "pjsc": "jsc", "cjsc": "jsc", "oao": "jsc", "ooo": "llc", "zao": "jsc", "pao": "jsc", "ao": "jsc",
		"sa": "sa", "sarl": "sarl", "sas": "sas", "bv": "bv", "nv": "nv", "spa": "spa", "srl": "srl", "llp": "llp", "lp": "lp",
		"pte": "pte", "pty": "pty", "kg": "kg", "ab": "ab", "as": "as", "oy": "oy", "fze": "fze", "fzco": "fzco", "fzc": "fzc",
		"holding": "holding", "holdings": "holding", "group": "group", "trading": "trading", "and": "and",
		"establishment": "est", "est": "est", "enterprise": "ent", "enterprises": "ent",
	}
	// the Mohammed family and other very common Arabic spellings
	canonical = map[string]string{
		"mohammed": "muhammad", "mohamed": "muhammad", "mohammad": "muhammad", "mohamad": "muhammad", "muhammed": "muhammad",
		"muhamed": "muhammad", "mohd": "muhammad", "mohamud": "muhammad", "mohummad": "muhammad", "muhamad": "muhammad", "mehmet": "muhammad", "mehmed": "muhammad",
		"mhmd": "muhammad", "muhammad": "muhammad", "mahomed": "muhammad",
		"ahmed": "ahmad", "ahmet": "ahmad", "achmed": "ahmad", "hmd": "ahmad",
		"hussein": "husayn", "hussain": "husayn", "husain": "husayn", "hosein": "husayn", "hossein": "husayn", "husein": "husayn", "hsyn": "husayn",
		"hassan": "hasan", "yusuf": "yusuf", "yousef": "yusuf", "youssef": "yusuf", "yousuf": "yusuf", "yussuf": "yusuf", "josef": "joseph",
		"organisation": "organization",
	}
	// nicknames and short forms of given names
	nicknames = map[string]string{
		"ben": "benjamin", "benny": "benjamin", "ted": "theodore", "teddy": "theodore", "bill": "william", "billy": "william", "will": "william",
		"bob": "robert", "bobby": "robert", "rob": "robert", "dick": "richard", "rick": "richard", "jim": "james", "jimmy": "james",
		"mike": "michael", "mick": "michael", "alex": "alexander", "sasha": "alexander", "sascha": "alexander", "tony": "anthony",
		"tom": "thomas", "tommy": "thomas", "joe": "joseph", "dave": "david", "dan": "daniel", "danny": "daniel", "sam": "samuel",
		"pat": "patrick", "chris": "christopher", "nick": "nicholas", "steve": "stephen", "liz": "elizabeth", "beth": "elizabeth",
		"kate": "katherine", "kathy": "katherine", "peggy": "margaret", "meg": "margaret", "jack": "john", "johnny": "john",
		"ed": "edward", "eddie": "edward", "ted2": "edward", "fred": "frederick", "harry": "henry", "hank": "henry", "jerry": "gerald",
		"larry": "lawrence", "matt": "matthew", "andy": "andrew", "greg": "gregory", "jeff": "jeffrey", "ken": "kenneth", "ron": "ronald",
		"don": "donald", "tim": "timothy", "vlad": "vladimir", "volodya": "vladimir", "misha": "mikhail", "kolya": "nikolai", "dima": "dmitry",
		"seryozha": "sergey", "vanya": "ivan", "sergei": "sergey", "dmitri": "dmitry", "dmitriy": "dmitry", "aleksandr": "alexander", "aleksander": "alexander",
	}
)

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// roman numerals of series (Fund IV, Trust XX) after the first word
var roman = set("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx")

// abdForms are the spellings of "abd" (servant of) that join the next word.
var abdForms = set("abd abdul abdel abdal abdoul abdu abdol abdur abdus abdar abdi")

// tokenize normalises a name into tokens: transliteration, titles dropped,
// Abd-al forms joined (Abdul Rahman = Abd al-Rahman = Abdulrahman), the
// Mohammed family and nicknames canonical, particles, legal forms and
// initials marked.
func tokenize(name string) []token {
	ws, foreign, syllabic := words(name)
	// "LAST, FIRST": the comma form of lists puts the family name first
	if i := strings.IndexByte(name, ','); i > 0 && strings.Count(name, ",") == 1 {
		if tail := strings.TrimSpace(name[i+1:]); tail != "" && !strings.ContainsAny(tail, ".") && len(strings.Fields(tail)) <= 3 {
			if _, isForm := forms[strings.ToLower(strings.Trim(tail, " ."))]; !isForm {
				a, _, _ := words(name[:i])
				if n := len(a); n > 0 && n < len(ws) {
					ws = append(ws[n:], ws[:n]...)
					foreign = append(foreign[n:], foreign[:n]...)
					syllabic = append(syllabic[n:], syllabic[:n]...)
				}
			}
		}
	}
	var out []token
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if titles[w] && len(ws) > 1 {
			continue
		}
		// Abd forms: "abd al rahman", "abdul rahman", "abdulrahman" → "abdrahman"
		if abdForms[w] && i+1 < len(ws) {
			j := i + 1
			if particles[ws[j]] && j+1 < len(ws) {
				j++
			}
			w = "abd" + ws[j]
			foreign[i] = foreign[i] || foreign[j]
			i = j
		} else {
			for _, p := range []string{"abdul", "abdel", "abdal", "abdoul", "abdur", "abdul", "abdol"} {
				if strings.HasPrefix(w, p) && len(w) > len(p)+2 {
					w = "abd" + w[len(p):]
					break
				}
			}
		}
		t := token{text: w, raw: w, foreign: foreign[i]}
		if c, ok := canonical[w]; ok {
			t.text = c
		}
		switch {
		case w[0] >= '0' && w[0] <= '9' || roman[w] && i > 0 && len(ws[i-1]) > 1 && (i == len(ws)-1 || forms[ws[i+1]] != ""):
			t.kind = kindNumber
		case particles[w] && len(ws) > 1:
			t.kind = kindParticle
		case len(w) == 1:
			t.kind = kindInitial
		}
		if f, ok := forms[w]; ok && len(ws) > 1 && !syllabic[i] && !foreign[i] {
			t.kind, t.text = kindForm, f
		}
		t.skel = skeleton(t.text)
		out = append(out, t)
	}
	return out
}

// skeleton reduces a Latin spelling to its consonants, with the digraphs
// of common transliterations merged (kh = h, sh = s, q = k, th = t, dh = d,
// ph = f, c = k, x = ks) and doubled letters collapsed: Saddam, صدام (sdam)
// and Sadam share "sdm"; Hussein, حسين and Husayn share "hsn".
func skeleton(w string) string {
	if w == "" || w[0] >= '0' && w[0] <= '9' {
		return w
	}
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		c := w[i]
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch {
		case next == 'h' && (c == 'k' || c == 's' || c == 't' || c == 'd' || c == 'g' || c == 'z' || c == 'c' || c == 'p'):
			c = map[byte]byte{'k': 'h', 's': 's', 't': 't', 'd': 'd', 'g': 'g', 'z': 'z', 'c': 's', 'p': 'f'}[c]
			i++
		case c == 'd' && next == 'j':
			c = 'j'
			i++
		case c == 'q' || c == 'c':
			c = 'k'
		case c == 'x':
			b = append(b, 'k')
			c = 's'
		case c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c == 'w':
			continue
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}
