package screening

// Hangul syllables are romanised as sanctions lists spell Korean names:
// McCune–Reischauer without its diacritics, as North Korean names are
// published (Kim Jong Un, Choe Ryong Hae, Ri Pyong Chol, Jang Song Thaek).
// go-unidecode's readings (coe, ceol, bag) match neither that nor the
// Revised Romanisation.
var (
	hangulInitials = [19]string{"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th", "ph", "h"}
	hangulMedials  = [21]string{"a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"}
	hangulFinals   = [28]string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "h"}
)

// hangulSyllable romanises one precomposed Hangul syllable; first marks
// the first syllable of a name part, where 이 is the family name Ri.
func hangulSyllable(r rune, first bool) (string, bool) {
	if r < 0xAC00 || r > 0xD7A3 {
		return "", false
	}
	if first && r == '이' {
		return "ri", true
	}
	n := int(r - 0xAC00)
	return hangulInitials[n/588] + hangulMedials[n%588/28] + hangulFinals[n%28], true
}

// hangulGlyph is a Hangul syllable as South Korean spelling writes it at
// the start of a word (the initial sound law): ㄹ before i or y is
// dropped (리 = 이, 류 = 유), before other vowels read ㄴ (로 = 노); ㄴ
// before i or y is dropped (녀 = 여). North Korean spellings keep them;
// the two name one person.
func hangulGlyph(r rune, first bool) rune {
	if !first {
		return r
	}
	const ieung, nieun, rieul = 11, 2, 5
	n := int(r - 0xAC00)
	initial, medial := n/588, n%588/28
	iy := false
	switch medial {
	case 2, 3, 6, 7, 12, 17, 20: // ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ
		iy = true
	}
	switch {
	case (initial == rieul || initial == nieun) && iy:
		initial = ieung
	case initial == rieul:
		initial = nieun
	}
	return rune(0xAC00 + initial*588 + n%588)
}
