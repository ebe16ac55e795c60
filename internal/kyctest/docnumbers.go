package kyctest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The generated fronts print document numbers as their issuers make them
// (the public descriptions of each scheme), so that a reader is measured
// on the characters real numbers hold: a German serial number never holds
// an O, a Portuguese one ends in a check digit, an Indonesian NIK and a UK
// licence number encode the holder's birth date.

// nlLetters are the letters Dutch document numbers use: all but O.
const nlLetters = "ABCDEFGHIJKLMNPQRSTUVWXYZ"

// pick draws n characters of set.
func pick(r *rand.Rand, set string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(set[r.IntN(len(set))])
	}
	return b.String()
}

func birthOf(f IDFront) time.Time {
	t, err := time.Parse(time.DateOnly, f.BirthDate)
	if err != nil {
		panic(err) // drawn by RandomIDFront
	}
	return t
}

// ptCitizenCard: the civil number (8 digits), its check digit (modulo
// 11), the card's version (two letters) and a check digit over the whole
// (every second value from the right doubled, less 9 above 9; letters
// A=10 … Z=35; the sum a multiple of 10), printed "DDDDDDDD D AAD".
func ptCitizenCard(r *rand.Rand) string {
	civil := digits(r, 8)
	sum := 0
	for i, c := range civil {
		sum += int(c-'0') * (9 - i)
	}
	cd := (11 - sum%11) % 11 % 10
	version := letters(r, 2)
	body := fmt.Sprintf("%s%d%s", civil, cd, version)
	for last := range 10 {
		v := fmt.Sprintf("%s%d", body, last)
		if ptSum(v)%10 == 0 {
			return fmt.Sprintf("%s %d %s%d", civil, cd, version, last)
		}
	}
	panic("no Portuguese check digit") // one of the ten always holds
}

func ptSum(v string) int {
	sum := 0
	for i := len(v) - 1; i >= 0; i-- {
		c := v[i]
		n := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			n = int(c-'A') + 10
		}
		if (len(v)-1-i)%2 == 1 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum
}

// indonesianNIK: province (11–94), regency and district, the birth day
// (plus 40 for a woman), month and two-digit year, a serial.
func indonesianNIK(r *rand.Rand, f IDFront) string {
	b := birthOf(f)
	day := b.Day()
	if f.Sex == "F" {
		day += 40
	}
	return fmt.Sprintf("%02d%02d%02d%02d%02d%02d%04d", 11+r.IntN(84), 1+r.IntN(79), 1+r.IntN(50), day, int(b.Month()), b.Year()%100, 1+r.IntN(9999))
}

// vietnameseCCCD: province (001–096), a digit for sex and century (0/1 a
// man/woman born in the 1900s, 2/3 in the 2000s), the two-digit birth
// year, a serial of six digits.
func vietnameseCCCD(r *rand.Rand, f IDFront) string {
	b := birthOf(f)
	sc := 2 * ((b.Year() - 1900) / 100)
	if f.Sex == "F" {
		sc++
	}
	return fmt.Sprintf("%03d%d%02d%s", 1+r.IntN(96), sc, b.Year()%100, digits(r, 6))
}

// ukLicence: the surname's first five letters (padded with 9s), the
// decade of birth, the month (plus 50 for a woman), the day, the year
// within the decade, the first two initials (padded with 9s), a digit
// (9 on most) and two check letters.
func ukLicence(r *rand.Rand, f IDFront) string {
	b := birthOf(f)
	month := int(b.Month())
	if f.Sex == "F" {
		month += 50
	}
	var initials string
	for _, g := range strings.Fields(asciiLetters(f.GivenNames, true)) {
		initials += g[:1]
	}
	return fmt.Sprintf("%s%d%02d%02d%d%s9%s", pad9(asciiLetters(f.Surname, false), 5), b.Year()%100/10, month, b.Day(), b.Year()%10,
		pad9(initials, 2), letters(r, 2))
}

// asciiLetters folds s to A–Z, dropping accents and everything else but
// (when keepSpace) the spaces between words.
func asciiLetters(s string, keepSpace bool) string {
	var out strings.Builder
	for _, c := range norm.NFD.String(strings.ToUpper(s)) {
		switch {
		case c >= 'A' && c <= 'Z':
			out.WriteRune(c)
		case keepSpace && (unicode.IsSpace(c) || c == '-'):
			out.WriteByte(' ')
		}
	}
	return out.String()
}

func pad9(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat("9", n-len(s))
}

// chineseID: a resident identity card number (GB 11643-1999): the
// region's administrative code, the birth date YYYYMMDD, a sequence whose
// last digit is odd for a man and even for a woman, and an ISO 7064
// MOD 11-2 check character (0–9 or X).
func chineseID(r *rand.Rand, f IDFront) string {
	regions := []string{"110101", "310104", "440305", "510107", "330106", "420102"}
	seq := 10*r.IntN(100) + 2*r.IntN(5)
	if f.Sex == "M" {
		seq++
	}
	body := fmt.Sprintf("%s%s%03d", regions[r.IntN(len(regions))], birthOf(f).Format("20060102"), seq)
	return body + string(cnCheck(body))
}

// cnCheck is the MOD 11-2 check character of 17 digits.
func cnCheck(body string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}
