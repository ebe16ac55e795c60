package mrz

import (
	"errors"
	"strings"
)

// Character classes of MRZ positions: n numeric (dates, check digits), a
// alphabetic (names, codes, sex), x either (numbers, optional data).
var masks = map[int][]string{
	// TD1: the document code's second character is the issuer's choice
	// (the US permanent resident card prints C1).
	30: {"ax" + "aaa" + strings.Repeat("x", 9) + "n" + strings.Repeat("x", 15), "nnnnnnnannnnnnnaaa" + strings.Repeat("x", 11) + "n", strings.Repeat("a", 30)},
	36: {strings.Repeat("a", 36), strings.Repeat("x", 9) + "naaannnnnnnannnnnnn" + strings.Repeat("x", 7) + "n"},
	44: {strings.Repeat("a", 44), strings.Repeat("x", 9) + "naaannnnnnnannnnnnn" + strings.Repeat("x", 14) + "nn"},
}

// visaMasks are the second lines of visas (MRV-A, MRV-B): optional data to
// the end, no personal-number or composite check digit.
var visaMasks = map[int]string{
	36: strings.Repeat("x", 9) + "naaannnnnnnannnnnnn" + strings.Repeat("x", 8),
	44: strings.Repeat("x", 9) + "naaannnnnnnannnnnnn" + strings.Repeat("x", 16),
}

var toDigit = map[byte]byte{'O': '0', 'Q': '0', 'D': '0', 'U': '0', 'I': '1', 'L': '1', 'Z': '2', 'S': '5', 'G': '6', 'B': '8', 'T': '7'}
var toLetter = map[byte]byte{'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B', '4': 'A', '7': 'T'}

// swaps are the confusions tried in alphanumeric fields to satisfy a check digit.
var swaps = map[byte][]byte{'0': {'O', 'D'}, 'O': {'0'}, 'D': {'0'}, '1': {'I', 'L'}, 'I': {'1'}, 'L': {'1'}, '5': {'S'}, 'S': {'5'},
	'8': {'B'}, 'B': {'8'}, '2': {'Z'}, 'Z': {'2', '7'}, '6': {'G'}, 'G': {'6'}, '7': {'Z', 'T'}, 'T': {'7'}}

// Repair fits OCR lines to the nearest MRZ layout (padding or trimming
// fillers at the end), fixes letter/digit confusions by position (0/O, 1/I,
// 5/S, 8/B, …) and, in document numbers and optional data, tries the
// confusions that make the check digit hold. It returns the lines and how
// many characters it changed.
func Repair(lines []string) ([]string, int) {
	f := repair(lines)
	return f.lines, f.changed
}

// fitted is the result of repair: the lines, how many characters were
// changed, and where each character came from.
type fitted struct {
	lines   []string
	changed int
	// src[i][j] is the index, in the i-th cleaned input line, of the
	// character now at position j; -1 for a filler added to fill the layout.
	src [][]int
	// dropped counts characters read but cut off to fit the layout
	// (leading noise and the excess at the end).
	dropped int
	// ambiguous: the characters as read, letters O among digits, held
	// every check digit as well as the zeros chosen.
	ambiguous bool
}

// repair is Repair keeping track of each character's origin.
func repair(lines []string) fitted {
	var clean []string
	for _, l := range lines {
		l = strings.ToUpper(strings.ReplaceAll(l, " ", ""))
		if l != "" {
			clean = append(clean, l)
		}
	}
	if len(clean) < 2 || len(clean) > 3 {
		return fitted{lines: clean}
	}
	width := 30
	if len(clean) == 2 {
		width = 44
		if absDiff(len(clean[0]), 36)+absDiff(len(clean[1]), 36) < absDiff(len(clean[0]), 44)+absDiff(len(clean[1]), 44) {
			width = 36
		}
	}
	// A line longer than the layout may start with noise (the document's
	// edge read as 1 or I) or hold a character read twice or a speck read
	// as one: keep the alignment that yields the most valid check digits.
	cuts, dels := make([]int, len(clean)), make([]int, len(clean))
	for i := range dels {
		dels[i] = -1
	}
	for _, l := range clean {
		if len(l) > width {
			cuts, dels = bestAlignment(clean, width)
			break
		}
	}
	cut := make([]string, len(clean))
	for i, l := range clean {
		cut[i] = without(l[cuts[i]:], dels[i])
	}
	f := repairAligned(cut, width)
	for i := range f.src {
		f.dropped += cuts[i] + max(0, len(cut[i])-width)
		if dels[i] >= 0 {
			f.dropped++
		}
		for j, from := range f.src[i] {
			if from < 0 {
				continue
			}
			if dels[i] >= 0 && from >= dels[i] {
				from++
			}
			f.src[i][j] = from + cuts[i]
		}
	}
	return f
}

// field is an alphanumeric field of a layout: its line, its positions and
// those of its check digit (-1: none of its own).
type field struct{ line, from, to, cd int }

// repairAligned fits lines to width and repairs them by position and check digit.
func repairAligned(clean []string, width int) fitted {
	f := fitted{lines: make([]string, len(clean)), src: make([][]int, len(clean))}
	for i, l := range clean {
		f.src[i] = make([]int, width)
		for j := range f.src[i] {
			f.src[i][j] = j
			if j >= len(l) {
				f.src[i][j] = -1
			}
		}
		if len(l) < width {
			l += strings.Repeat("<", width-len(l))
		}
		l = l[:width]
		b := []byte(l)
		mask := masks[width][i]
		if vm, ok := visaMasks[width]; ok && i == 1 && visa(clean[0]) {
			mask = vm
		}
		for j, c := range b {
			switch mask[j] {
			case 'n':
				if d, ok := toDigit[c]; ok {
					b[j] = d
				}
			case 'a':
				if d, ok := toLetter[c]; ok {
					b[j] = d
				}
			}
			if b[j] != c {
				f.changed++
			}
		}
		f.lines[i] = string(b)
	}
	// Check-digit driven repair of alphanumeric fields.
	var fields []field
	switch width {
	case 30:
		fields = []field{{0, 5, 14, 14}, {0, 15, 30, -1}}
	case 36:
		fields = []field{{1, 0, 9, 9}}
	case 44:
		fields = []field{{1, 0, 9, 9}}
		if !visa(clean[0]) {
			fields = append(fields, field{1, 28, 42, 42})
		}
	}
	// Two readings compete: the characters as read, and with each O among
	// digits read as a zero (see digitRuns); each is then repaired by its
	// check digits. The zeros win unless fewer check digits then hold (a
	// number printed with a letter O among its digits keeps it when its
	// check digit says so). Where both hold every check digit the reading
	// is ambiguous and stays in doubt (at least two O were changed: one O's
	// weight never changes a check digit by a multiple of ten).
	ruled := append([]string(nil), f.lines...)
	k := 0
	for _, fd := range fields {
		l := []byte(ruled[fd.line])
		k += digitRuns(l[fd.from:fd.to])
		ruled[fd.line] = string(l)
	}
	checked := fields[:0:0]
	for _, fd := range fields {
		if fd.cd >= 0 {
			checked = append(checked, fd)
		}
	}
	asRead, n := fixByCheckDigits(f.lines, checked)
	if k > 0 {
		alt, m := fixByCheckDigits(ruled, checked)
		if v, w := validCount(alt), validCount(asRead); v >= w {
			f.ambiguous = allValid(f.lines)
			asRead, n = alt, k+m
		}
	}
	f.lines, f.changed = asRead, f.changed+n
	return f
}

// digitRuns turns each run of O in an alphanumeric field that stands
// among digits — a digit on one side, a digit, a filler or the field's
// edge on the other, never a letter — into zeros, and returns how many it
// changed. Issuers avoid the letter O in document numbers because of that
// very confusion (the Netherlands and Germany leave it out; ICAO's
// specimens have none), while tesseract reads OCR-B's zero as O at small
// sizes; a check digit alone cannot settle it when several O were read
// (each changed alone may satisfy it). Letters next to the O (a French
// residence number ending in LO) leave it as read.
func digitRuns(f []byte) int {
	kind := func(i int) byte { // 'd' digit, 'a' letter, '-' filler or edge
		switch {
		case i < 0 || i >= len(f) || f[i] == '<':
			return '-'
		case isDigit(f[i]):
			return 'd'
		}
		return 'a'
	}
	n := 0
	for i := 0; i < len(f); {
		if f[i] != 'O' {
			i++
			continue
		}
		j := i
		for j < len(f) && f[j] == 'O' {
			j++
		}
		if l, r := kind(i-1), kind(j); l != 'a' && r != 'a' && (l == 'd' || r == 'd') {
			for k := i; k < j; k++ {
				f[k] = '0'
			}
			n += j - i
		}
		i = j
	}
	return n
}

// validCount is how many check digits of the lines hold.
func validCount(lines []string) int {
	d, _ := Parse(lines...)
	n := 0
	for _, c := range d.CheckDigits {
		if c.Valid {
			n++
		}
	}
	return n
}

// fixByCheckDigits repairs lines' alphanumeric fields to fit their check
// digits (fixByCheckDigit). A repair stands only when every check digit of
// the repaired zone holds: the composite (or, in a TD1, the other fields)
// then confirms it. Otherwise the characters stay as read; specimens print
// wrong check digits on purpose, and a repair that satisfies one wrong
// digit invents a document number (a Romanian specimen's SS099993 became
// 5SD99993, breaking the composite that held). It returns the lines and
// how many characters it changed.
func fixByCheckDigits(lines []string, fields []field) ([]string, int) {
	fixed := append([]string(nil), lines...)
	n := 0
	for _, fd := range fields {
		l := []byte(fixed[fd.line])
		if k := fixByCheckDigit(l, fd.from, fd.to, l[fd.cd]); k > 0 {
			n += k
			fixed[fd.line] = string(l)
		}
	}
	if n > 0 && allValid(fixed) {
		return fixed, n
	}
	return lines, 0
}

// allValid says every check digit of the lines holds.
func allValid(lines []string) bool {
	d, _ := Parse(lines...)
	for _, c := range d.CheckDigits {
		if !c.Valid {
			return false
		}
	}
	return len(d.CheckDigits) > 0
}

// visa says whether a first MRZ line is a visa's (document code V).
func visa(line0 string) bool { return strings.HasPrefix(strings.ToUpper(line0), "V") }

// fixByCheckDigit tries the confusion swaps in l[from:to] (at most 8
// ambiguous positions) and applies the combination with the fewest changes
// that makes the check digit hold, if it is the only one with that few: two
// equally small repairs are a guess, and the field is left as read. In a
// field read as mostly digits (two thirds or more of its characters) no
// digit is turned into a letter: such numbers rarely hold a letter among
// their digits, and each swap allowed is one more way for a misreading to
// meet its check digit by chance. It returns how many characters it
// changed.
func fixByCheckDigit(l []byte, from, to int, cd byte) int {
	if cd == '<' {
		cd = '0'
	}
	if c, err := Compute(string(l[from:to])); err != nil || c == cd {
		return 0
	}
	var pos []int
	for i := from; i < to && len(pos) < 8; i++ {
		if _, ok := swaps[l[i]]; ok {
			pos = append(pos, i)
		}
	}
	digits, chars := 0, 0
	for _, c := range l[from:to] {
		if c != '<' {
			chars++
			if isDigit(c) {
				digits++
			}
		}
	}
	numeric := chars > 0 && 3*digits >= 2*chars
	allowed := func(orig, alt byte) bool { return !numeric || isDigit(alt) || !isDigit(orig) }
	var best []byte
	bestN, ties := 99, 0
	try := append([]byte(nil), l[from:to]...)
	var walk func(k, n int)
	walk = func(k, n int) {
		if n > bestN {
			return
		}
		if k == len(pos) {
			if c, _ := Compute(string(try)); c == cd && n > 0 {
				if n == bestN {
					ties++
					return
				}
				best, bestN, ties = append([]byte(nil), try...), n, 0
			}
			return
		}
		p := pos[k] - from
		orig := try[p]
		walk(k+1, n)
		for _, alt := range swaps[orig] {
			if allowed(orig, alt) {
				try[p] = alt
				walk(k+1, n+1)
			}
		}
		try[p] = orig
	}
	walk(0, 0)
	if best == nil || ties > 0 {
		return 0
	}
	copy(l[from:to], best)
	return bestN
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

// bestAlignment fits over-long lines to the layout: it drops up to three
// leading characters, or one character anywhere, choosing per line the
// edit whose repaired MRZ has the most valid check digits (on a tie, no
// deletion and the shortest cut). It returns each line's cut and the
// position deleted after the cut (-1 for none).
func bestAlignment(lines []string, width int) (cuts, dels []int) {
	out := append([]string(nil), lines...)
	cuts, dels = make([]int, len(lines)), make([]int, len(lines))
	for i, l := range lines {
		dels[i] = -1
		if len(l) <= width {
			continue
		}
		type edit struct{ cut, del int }
		var edits []edit
		for cut := 0; cut <= min(3, len(l)-width); cut++ {
			edits = append(edits, edit{cut, -1})
		}
		for p := 0; p < width; p++ {
			edits = append(edits, edit{0, p})
		}
		bestScore, best := -1<<30, edit{0, -1}
		for _, e := range edits {
			try := append([]string(nil), out...)
			try[i] = without(l[e.cut:], e.del)
			if sc := alignScore(repairAligned(try, width).lines); sc > bestScore {
				bestScore, best = sc, e
			}
		}
		out[i] = without(l[best.cut:], best.del)
		cuts[i], dels[i] = best.cut, best.del
	}
	return cuts, dels
}

// alignScore rates an aligned, repaired MRZ: valid check digits and a
// known document code count, problems cost.
func alignScore(fixed []string) int {
	d, err := Parse(fixed...)
	score := 0
	for _, c := range d.CheckDigits {
		if c.Valid {
			score += 2
		}
	}
	if d.DocumentCode != "" && strings.ContainsRune("PIACV", rune(d.DocumentCode[0])) {
		score++
	}
	var e *Error
	if errors.As(err, &e) {
		score -= len(e.Problems)
	}
	return score
}

// without is s with the character at p removed (s itself for p < 0).
func without(s string, p int) string {
	if p < 0 || p >= len(s) {
		return s
	}
	return s[:p] + s[p+1:]
}
