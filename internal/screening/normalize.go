package screening

import (
	"slices"
	"strconv"
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
	kindGeneric // words of many company names: International, Services
)

// token is one normalised part of a name.
type token struct {
	text string // lower-case ASCII after transliteration and canonical forms
	raw  string // the spelling before canonical forms (typos of Mohammed)
	skel string // consonant skeleton: matches across scripts and spellings
	kind uint8
	// foreign: the part was written in a script without vowels (Arabic,
	// Persian, Hebrew, abugidas, kana): it matches on its skeleton.
	foreign bool
	// abjad: the part was written in Arabic, Persian or Hebrew letters; it
	// meets Latin spellings on its letter-class key.
	abjad bool
	// hangul: one Hangul syllable, romanised as the lists spell it: it
	// matches exactly or not at all (Yong is not Pyong, Sang is not Song)
	hangul bool
	// han: one Han syllable: like Hangul it matches exactly or not at all
	// (Jin is not Jing, Peng is not Ping: other characters)
	han bool
	// glyph: a Hangul syllable as written, its initial softened at the
	// start of a word as South Korean spelling does (리 = 이, 로 = 노):
	// two Hangul spellings compare on it, not on the romanisation that
	// merges 정 and 종 (both Jong)
	glyph rune
	run   int    // the run of letters the part came from: a Hangul word's syllables share one
	abj   string // letter-class key (abjadKey)
	abjv  string // the same with its vowels (classKey.Vowelled)
}

// Origins of a word: the script it was written in, as matching needs it.
const (
	originAlphabet = iota // Latin, Cyrillic, Greek...: every vowel written
	originAbjad           // Arabic, Persian, Hebrew: short vowels unwritten
	originOther           // abugidas and kana: matched on consonants
)

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
	'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ی': "y", 'ۀ': "a", 'ہ': "h", 'ے': "e", 'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ں': "n", 'ھ': "h",
	// Pashto
	'ټ': "t", 'ډ': "d", 'ړ': "r", 'ږ': "zh", 'ښ': "sh", 'ګ': "g", 'ڼ': "n", 'ۍ': "y", 'ې': "e", 'څ': "s", 'ځ': "z",
}

// cyrillic are the ICAO 9303 choices where unidecode differs.
var cyrillic = strings.NewReplacer("ё", "е", "Ё", "Е", "й", "и", "Й", "И", "ъ", "", "Ъ", "", "ь", "", "Ь", "")

func isArabic(r rune) bool { return unicode.Is(unicode.Arabic, r) }
func isHebrew(r rune) bool { return unicode.Is(unicode.Hebrew, r) }

// winfo describes one word of words.
type winfo struct {
	origin   uint8
	syllabic bool   // one syllable of a Han or Hangul name
	hangul   bool   // that syllable is Hangul
	glyph    rune   // that Hangul syllable, as token.glyph
	run      int    // the run of letters (between spaces or marks) it came from
	abj      string // an Arabic-script word's letter-class key, from its letters
	abjv     string // the same with its written vowels (classKey.Vowelled)
}

// words splits a name into lower-case ASCII words, transliterating other
// scripts; info says, per word, the kind of script it came from.
func words(name string) (ws []string, info []winfo) {
	name = norm.NFKC.String(name)
	var cur strings.Builder
	var key classKey
	curOrigin, curSyllable, curHangul := uint8(originAlphabet), false, false
	var curGlyph rune
	run := 0
	flush := func() {
		if cur.Len() > 0 {
			ws = append(ws, cur.String())
			info = append(info, winfo{origin: curOrigin, syllabic: curSyllable, hangul: curHangul, glyph: curGlyph, run: run, abj: key.String(), abjv: key.Vowelled()})
			cur.Reset()
		}
		key.reset()
		curOrigin, curSyllable, curHangul, curGlyph = originAlphabet, false, false, 0
	}
	word := func(w string, origin uint8, abj, abjv string) {
		ws, info = append(ws, w), append(info, winfo{origin: origin, abj: abj, abjv: abjv})
	}
	rs := []rune(name)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case isArabic(r):
			if n := allahAt(rs, i); cur.Len() == 0 && n > 0 {
				// Allah is one word, not the article and a word: "Habib Allah"
				// is written Habibullah
				word("allah", originAbjad, "l", "VlV")
				i += n - 1
				continue
			}
			if cur.Len() == 0 && r == 'ا' && i+2 < len(rs) && rs[i+1] == 'ل' && isArabic(rs[i+2]) && i+3 < len(rs) && isArabic(rs[i+3]) &&
				(i == 0 || !isArabic(rs[i-1])) { // once per word: الالفي is al-Alfi
				// the article al- written onto the word: its own word
				word("al", originAbjad, "l", "Vl")
				i++
				continue
			}
			if t, ok := arabic[r]; ok {
				cur.WriteString(t)
				curOrigin = originAbjad
				if c := arabicClass[r]; c != 0 {
					key.add(c)
				} else {
					key.vowel()
				}
			} // diacritics (harakat) and tatweel drop out
		case isHebrew(r):
			cur.WriteString(strings.ToLower(unidecode.Unidecode(string(r))))
			curOrigin = originAbjad
		case unicode.Is(unicode.Cf, r):
			// zero-width joiners and non-joiners, direction marks: nothing
			// (پزشک‌فر is one word)
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == 'ʻ':
			// apostrophes join: O'Brien, Hyo'k
		case r == '.' && i > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) && (i < 2 || !unicode.IsLetter(rs[i-2])):
			// dotted initialisms join: J.P., p.l.c., G.m.b.H. (not "V. V.")
		case r == '&':
			flush()
			word("and", originAlphabet, "", "")
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r): // Mc: Devanagari vowel signs
			s := string(r)
			if r >= 0x80 {
				if unicode.Is(unicode.Cyrillic, r) {
					s = cyrillic.Replace(s)
				}
				s = unidecode.Unidecode(s)
				if unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) {
					// kana spell words syllable by syllable: one word per run
					cur.WriteString(strings.TrimSpace(strings.ToLower(s)))
					curOrigin = originOther
					continue
				}
				if !unicode.In(r, unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Armenian, unicode.Georgian, unicode.Han, unicode.Hangul) {
					// abugidas (Devanagari, Khmer, Thai...) drop vowels: match on consonants
					curOrigin = originOther
					if unicode.In(r, unicode.Devanagari, unicode.Bengali, unicode.Gujarati, unicode.Gurmukhi, unicode.Oriya) {
						// Indian names write च ch and छ chh (unidecode: c, ch)
						if strings.HasPrefix(s, "ch") {
							s = "chh" + s[2:]
						} else if strings.HasPrefix(s, "c") {
							s = "ch" + s[1:]
						}
					}
				}
				if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) {
					// one syllable per character: a word each, joined later
					first := i == 0 || !unicode.Is(unicode.Hangul, rs[i-1])
					if h, ok := hangulSyllable(r, first); ok {
						s, curHangul, curGlyph = h, true, hangulGlyph(r, first)
					}
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
			run++
		}
	}
	flush()
	return legalForms(ws, info)
}

// allahAt is the length of the word Allah (الله, with a shadda or the
// Urdu heh) starting at rs[i] and ending a word, or 0.
func allahAt(rs []rune, i int) int {
	j := i
	next := func(want ...rune) bool {
		for j < len(rs) && (rs[j] == 'ّ' || rs[j] == 'ٰ' || rs[j] == 'َ') { // shadda, dagger alif, fatha
			j++
		}
		if j < len(rs) && slices.Contains(want, rs[j]) {
			j++
			return true
		}
		return false
	}
	if !next('ا', 'ٱ') || !next('ل') || !next('ل') || !next('ه', 'ہ', 'ھ') {
		return 0
	}
	for j < len(rs) && unicode.Is(unicode.Mn, rs[j]) {
		j++
	}
	if j < len(rs) && isArabic(rs[j]) {
		return 0
	}
	return j - i
}

// legalForms rewrites multi-word legal forms to their abbreviation
// (dotted initialisms were joined while reading).
func legalForms(ws []string, info []winfo) ([]string, []winfo) {
	for _, ph := range formPhrases {
		for i := 0; i+len(ph.words) <= len(ws); i++ {
			if slices.Equal(ws[i:i+len(ph.words)], ph.words) {
				ws = slices.Replace(ws, i, i+len(ph.words), ph.form)
				info = slices.Replace(info, i, i+len(ph.words), winfo{})
			}
		}
	}
	return ws, info
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
	{strings.Fields("sp z oo"), "llc"},
	{strings.Fields("sdn bhd"), "bhd"},
	{strings.Fields("kabushiki kaisha"), "kk"},
	{strings.Fields("godo kaisha"), "gk"},
	{strings.Fields("sociedad limitada"), "sl"},
	{strings.Fields("sociedad anonima de capital variable"), "sa"},
	{strings.Fields("sa de cv"), "sa"},
	{strings.Fields("perseroan terbatas"), "pt"},
	{strings.Fields("tovarystvo z obmezhenoiu vidpovidalnistiu"), "llc"},
	{strings.Fields("private limited"), "pvt"},
	{strings.Fields("obshchestvo s ogranichennoi otvetstvennostiu"), "llc"},
	{strings.Fields("obshchestvo s ogranichennoi otvetstvennostyu"), "llc"},
	{strings.Fields("obshchestvo s ogranichennoy otvetstvennostyu"), "llc"},
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
		// more countries' forms, as registries abbreviate them
		"ltda": "ltda", "limitada": "ltda", "cv": "cv", "sl": "sl", "slu": "sl", "sro": "sro", "doo": "doo", "kft": "kft", "zrt": "zrt", "nyrt": "zrt",
		"bhd": "bhd", "berhad": "bhd", "sdn": "sdn", "tbk": "tbk", "pt": "pt", "kk": "kk", "gk": "gk", "pvt": "pvt", "private": "pvt", "oyj": "oy",
		"aps": "aps", "tov": "llc", "eirl": "eirl", "sac": "sa", "saa": "sa", "sapi": "sa", "sae": "sa", "wll": "wll",
		"kgaa": "kg", "ohg": "ohg", "ug": "ug", "gie": "gie", "cia": "co", "compania": "co", "companhia": "co", "cie": "co",
	}
	// words of many company names in many languages: they weigh little
	generic = set("international internacional internationale intl industries industry industrial industrias industria industrie services service servicios solutions global enterprises partners ventures investments investment inversiones capital management development resources systems technologies technology tech general commercial comercial import export importadora exportadora trade center centre sociedad compania societe gesellschaft firma")
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
	ws, info := words(name)
	// "LAST, FIRST": the comma form of lists puts the family name first
	if i := strings.IndexByte(name, ','); i > 0 && strings.Count(name, ",") == 1 {
		if tail := strings.TrimSpace(name[i+1:]); tail != "" && !strings.ContainsAny(tail, ".") && len(strings.Fields(tail)) <= 3 {
			if _, isForm := forms[strings.ToLower(strings.Trim(tail, " ."))]; !isForm {
				a, _ := words(name[:i])
				if n := len(a); n > 0 && n < len(ws) {
					ws = append(ws[n:], ws[:n]...)
					info = append(info[n:], info[:n]...)
				}
			}
		}
	}
	ws, info = numberWords(ws, info)
	var out []token
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if titles[w] && len(ws) > 1 {
			continue
		}
		wi := info[i]
		// Abd forms: "abd al rahman", "abdul rahman", "abdulrahman" → "abdrahman"
		if abdForms[w] && i+1 < len(ws) {
			j := i + 1
			if particles[ws[j]] && j+1 < len(ws) {
				j++
			}
			w = "abd" + ws[j]
			wi.origin = max(wi.origin, info[j].origin)
			wi.abj, wi.abjv = abdKeys(info[j], ws[j])
			i = j
		} else {
			for _, p := range []string{"abdul", "abdel", "abdal", "abdoul", "abdur", "abdul", "abdol"} {
				if strings.HasPrefix(w, p) && len(w) >= len(p)+2 {
					w = "abd" + w[len(p):]
					wi.abj, wi.abjv = abdKeys(winfo{}, w[3:])
					break
				}
			}
		}
		t := token{text: w, raw: w, foreign: wi.origin != originAlphabet, abjad: wi.origin == originAbjad, hangul: wi.hangul, han: wi.syllabic && !wi.hangul, glyph: wi.glyph, run: wi.run}
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
		if f, ok := forms[w]; ok && len(ws) > 1 && !wi.syllabic && wi.origin == originAlphabet {
			t.kind, t.text = kindForm, f
		} else if generic[w] && len(ws) > 1 && wi.origin == originAlphabet {
			t.kind = kindGeneric
		}
		t.skel = skeleton(t.text)
		switch {
		case wi.abj != "":
			t.abj, t.abjv = wi.abj, wi.abjv
		case !t.foreign || t.abjad:
			t.abj, t.abjv = abjadKeys2(t.text)
		}
		out = append(out, t)
	}
	return out
}

// English number words and ordinals, as names of organisations spell
// their numbers (Brigade Forty-Four, First International Bank).
var (
	unitWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
		"eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
		"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
	tensWords = map[string]int{"ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
)

// numberWords writes number words (one to ninety-nine, first to tenth) as
// digits, tens and units joined (Forty-Four, Forty 4: 44), and drops the
// suffix of digit ordinals (1st: 1), so a number meets its digits. Only in
// names of several words written in an alphabet; ten stays a particle
// before a name (Erik ten Hag).
func numberWords(ws []string, info []winfo) ([]string, []winfo) {
	if len(ws) < 2 {
		return ws, info
	}
	var ow []string
	var oi []winfo
	for i := 0; i < len(ws); i++ {
		w, wi := ws[i], info[i]
		if wi.origin != originAlphabet {
			ow, oi = append(ow, w), append(oi, wi)
			continue
		}
		if n := len(w); n >= 3 && w[0] >= '0' && w[0] <= '9' {
			if sfx := w[n-2:]; (sfx == "st" || sfx == "nd" || sfx == "rd" || sfx == "th") && strings.TrimLeft(w[:n-2], "0123456789") == "" {
				w = w[:n-2]
			}
		}
		if t, ok := tensWords[w]; ok && !(w == "ten" && i > 0) {
			v := t
			if i+1 < len(ws) && info[i+1].origin == originAlphabet {
				u, isUnit := unitWords[ws[i+1]]
				if d := ws[i+1]; len(d) == 1 && d[0] >= '1' && d[0] <= '9' {
					u, isUnit = int(d[0]-'0'), true
				}
				if isUnit && u < 10 && t >= 20 {
					v += u
					i++
				}
			}
			w = strconv.Itoa(v)
		} else if u, ok := unitWords[w]; ok {
			w = strconv.Itoa(u)
		}
		ow, oi = append(ow, w), append(oi, wi)
	}
	return ow, oi
}

// abdKeys are the letter-class keys of Abd joined to the name after it
// (its info and text), built from the parts: the joined spelling could
// read a digraph across the join (Abd + Haq is not "dh").
func abdKeys(next winfo, text string) (string, string) {
	k, v := next.abj, next.abjv
	if k == "" {
		k, v = abjadKeys2(text)
	}
	return "bd" + k, joinKeys("Vbd", v)
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

// abjadKey reduces a spelling to the letter classes on which an Arabic,
// Persian or Hebrew spelling and its Latin transliterations agree. Short
// vowels are not written in an abjad and long ones are spelt as vowels or
// consonants at will (ا و ي, w y v), so every vowel drops; the letters that
// transliterations render differently share a class: ح ه خ (h, kh), ق ك
// (q, k, c), ض د ظ ذ ز (d, dh, z: Persian and Urdu read them z), ت ط ث
// (t, th), ص س (s), غ گ (gh, g), ش (sh, ch), پ ب (p, b). Doubled letters
// collapse (shadda is not written; sun letters assimilate the article's
// l: Saifurrahman = سيف الرحمن) and a final h drops (ة and ه end as -a,
// -ah or -at: Hamza = حمزة, Abdullah = عبد الله).
func abjadKey(w string) string {
	k, _ := abjadKeys2(w)
	return k
}

// abjadKeys2 is abjadKey and the same key with vowels (classKey.Vowelled).
func abjadKeys2(w string) (string, string) {
	if w == "" || w[0] >= '0' && w[0] <= '9' {
		return "", ""
	}
	var k classKey
	for i := 0; i < len(w); i++ {
		c := w[i]
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		if next == 'h' {
			if d, ok := abjadDigraphs[c]; ok {
				k.add(d)
				i++
				continue
			}
		}
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w', 'v':
			k.vowel()
			continue
		case 'c':
			c = 'k'
			if next == 'e' || next == 'i' || next == 'y' { // French: Lounici
				c = 's'
			}
		case 'q':
			c = 'k'
		case 'p':
			c = 'b'
		case 'x':
			k.add('k')
			c = 's'
		case 'd':
			if next == 'j' {
				i++
				c = 'j'
			}
		}
		k.add(c)
	}
	return k.String(), k.Vowelled()
}

// classKey builds a letter-class key: a letter doubled with no vowel
// between is written once (Haqqani = حقانی), a final h drops.
type classKey struct {
	b      []byte
	v      []byte // with a V for each vowel (a run of Latin vowels; a written long vowel, ع or ة)
	vowels bool   // a vowel since the last letter: the two are not a double
}

func (k *classKey) add(c byte) {
	if len(k.b) == 0 || k.b[len(k.b)-1] != c || k.vowels {
		k.b = append(k.b, c)
		k.v = append(k.v, c)
	}
	k.vowels = false
}

func (k *classKey) vowel() {
	k.vowels = true
	if len(k.v) == 0 || k.v[len(k.v)-1] != 'V' {
		k.v = append(k.v, 'V')
	}
}

func (k *classKey) reset() { k.b, k.v, k.vowels = k.b[:0], k.v[:0], false }

func (k *classKey) String() string { return string(dropFinalH(k.b)) }

// Vowelled is the key with its vowels: an abjad writes long vowels (and
// ع, ة), so a Latin spelling must have a vowel wherever the abjad spelling
// has one (هانيه, Haniyeh, is not Khan); short vowels are not written, so
// the Latin spelling's other vowels are free (abjadVSim).
func (k *classKey) Vowelled() string { return string(dropFinalH(k.v)) }

func dropFinalH(b []byte) []byte {
	switch n := len(b); {
	case n > 1 && b[n-1] == 'h':
		return b[:n-1]
	case n > 2 && b[n-2] == 'h' && b[n-1] == 'V': // طه = Taha
		if b[n-3] == 'V' {
			return b[:n-2]
		}
		return append(b[:n-2:n-2], 'V')
	}
	return b
}

// arabicClass is each Arabic-script consonant's letter class (abjadKey's
// classes); letters that are vowels or carriers (ا و ي ى ع ء ة) are 0.
// Upper case marks a letter that Latin spellings render in two classes
// (abjadVariants).
var arabicClass = map[rune]byte{
	'ب': 'b', 'پ': 'b', 'ت': 't', 'ط': 't', 'ث': 'T', 'ٹ': 't', 'ټ': 't', 'ج': 'j', 'ژ': 'j', 'ږ': 'j', 'چ': 'x',
	'ح': 'h', 'خ': 'h', 'ه': 'h', 'ہ': 'h', 'ھ': 'h', 'د': 'd', 'ذ': 'D', 'ض': 'D', 'ظ': 'D', 'ز': 'z',
	'ڈ': 'd', 'ډ': 'd', 'ځ': 'D', 'ر': 'r', 'ڑ': 'r', 'ړ': 'r', 'س': 's', 'ص': 's', 'څ': 's', 'ش': 'x', 'ښ': 'x',
	'غ': 'g', 'گ': 'g', 'ګ': 'g', 'ف': 'f', 'ق': 'Q', 'ك': 'k', 'ک': 'k', 'ل': 'l', 'م': 'm', 'ن': 'n', 'ں': 'n', 'ڼ': 'n',
}

// abjadVariants are the Latin classes of the letters transliterations
// render two ways: ذ ض ظ ځ as d or z (Arabic Dhiya, Persian and Urdu Zia =
// ضیا; Fazl = فضل), ث as t or s (Uthman, Persian Saqib = ثاقب), ق as k or g
// (Maghreb and Gulf Gasmi = قاسمي).
var abjadVariants = map[byte]string{'D': "dz", 'T': "ts", 'Q': "kg"}

// abjadSpellings calls fn with each Latin-class spelling of an abjad key
// (every variant letter in each of its classes, at most three of them
// expanded; a key with more is given as it is).
func abjadSpellings(k string, fn func(string)) {
	n := 0
	for i := 0; i < len(k); i++ {
		if abjadVariants[k[i]] != "" {
			n++
		}
	}
	if n == 0 || n > 3 {
		fn(k)
		return
	}
	b := []byte(k)
	var rec func(i int)
	rec = func(i int) {
		for i < len(b) && abjadVariants[k[i]] == "" {
			i++
		}
		if i == len(b) {
			fn(string(b))
			return
		}
		for _, c := range []byte(abjadVariants[k[i]]) {
			b[i] = c
			rec(i + 1)
		}
	}
	rec(0)
}

// abjadDigraphs are the Latin digraphs of single Arabic letters, by their
// first letter, with the class each stands for.
var abjadDigraphs = map[byte]byte{'k': 'h', 'g': 'g', 's': 'x', 'c': 'x', 't': 't', 'd': 'd', 'p': 'f'}

// abjadNear are the classes that transliterations still confuse: ث read s
// in Persian (Saqib = ثاقب), ج written g in Egypt (Gamal), ق written g in
// the Gulf, ش written s, ج/ځ written z or d in Pashto names (Zadran), ظ
// written th (Kathim = كاظم), d and z for one another.
var abjadNear = [128][128]bool{}

func init() {
	for _, p := range []string{"ts", "gj", "gk", "sx", "jd", "bf", "td", "dz"} {
		abjadNear[p[0]][p[1]], abjadNear[p[1]][p[0]] = true, true
	}
}

// abjadCost is the cost of reading class x as class y.
func abjadCost(x, y byte) float64 {
	switch {
	case x == y:
		return 0
	case abjadVariants[x] != "":
		c := 1.0
		for _, v := range []byte(abjadVariants[x]) {
			c = min(c, abjadCost(v, y))
		}
		return c
	case abjadVariants[y] != "":
		return abjadCost(y, x)
	case x < 128 && y < 128 && abjadNear[x][y]:
		return 0.4
	}
	return 1
}

// abjadVSim compares an abjad spelling's vowelled key a with a Latin
// spelling's b: 1 − a weighted edit distance over the letters of the
// longer. A Latin vowel with no written vowel against it is free (a short
// vowel), a written vowel with no Latin vowel costs half (a whole letter at
// the end); letters compare as in abjadSim.
func abjadVSim(a, b string) float64 {
	if len(a) > 32 || len(b) > 32 {
		a, b = a[:min(len(a), 32)], b[:min(len(b), 32)]
	}
	delA := func(i int) float64 {
		switch c := a[i]; {
		case c == 'V' && i == len(a)-1:
			return 1 // a written final vowel is a suffix: Mohammadi is not Muhammad
		case c == 'V':
			return 0.5
		}
		return 1
	}
	delB := func(c byte) float64 {
		if c == 'V' {
			return 0
		}
		return 1
	}
	var rows [3][33]float64
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + delB(b[j-1])
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = prev[0] + delA(i-1)
		for j := 1; j <= len(b); j++ {
			x, y := a[i-1], b[j-1]
			cost := 1.0
			switch {
			case x == 'V' && y == 'V':
				cost = 0
			case x != 'V' && y != 'V':
				cost = abjadCost(x, y)
			}
			cur[j] = min(prev[j]+delA(i-1), cur[j-1]+delB(y), prev[j-1]+cost)
			// two letters, the second h, that a Latin digraph stands for in
			// one class: اسحاق = Ishaq (sh read ش), لكحل = Lakhal
			if x == 'h' && i > 1 && abjadDigraphs[a[i-2]] == y && y != 'h' || x == 'h' && i > 1 && a[i-2] == 'k' && y == 'h' {
				cur[j] = min(cur[j], prev2[j-1]+0.3)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	d := prev[len(b)]
	n := max(letters(a), letters(b), 1)
	if n <= 3 && d > 0.5 {
		return 0 // a short key has no room for a wrong letter
	}
	return max(0, 1-d/float64(n))
}

// letters counts the letters of a vowelled key.
func letters(k string) int { return len(k) - strings.Count(k, "V") }

// abjadSim is 1 − a weighted Damerau–Levenshtein distance between two
// letter-class keys over the longer length: a substitution within
// abjadNear costs 0.4, an h missing on one side 0.5 (aspirates and ه are
// written or left out: Chaudhry = چوہدری).
func abjadSim(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) > 32 || len(b) > 32 {
		a, b = a[:min(len(a), 32)], b[:min(len(b), 32)]
	}
	n := max(len(a), len(b))
	var rows [3][33]float64
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	indel := func(c byte) float64 {
		if c == 'h' {
			return 0.5
		}
		return 1
	}
	prev[0] = 0
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + indel(b[j-1])
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = prev[0] + indel(a[i-1])
		for j := 1; j <= len(b); j++ {
			cost := abjadCost(a[i-1], b[j-1])
			v := min(prev[j]+indel(a[i-1]), cur[j-1]+indel(b[j-1]), prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	d := prev[len(b)]
	if n <= 3 && d > 0.5 {
		return 0 // a short key has no room for a wrong letter
	}
	return 1 - d/float64(n)
}
