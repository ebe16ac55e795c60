package viz

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSettleNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, country string
		types         []string
		text          string // the titles' folded text
		read          string
		surname       string
		birth         string
		want          string
		scheme        bool
		confident     bool
		problem       string
	}{
		{"a zero where a German serial cannot hold an O", "DE", []string{"id_card"}, "", "L01X0OT47", "", "", "L01X00T47", true, true, ""},
		{"German: a vowel is a digit", "DE", []string{"id_card"}, "", "LI1X00T47", "", "", "L11X00T47", true, true, ""},
		{"German: Z and 2 both allowed, stays in doubt", "DE", []string{"id_card"}, "", "LZ6311T47", "", "", "LZ6311T47", true, false, ""},
		{"Californian licence: a letter first, O, Q or D", "US", []string{"driving_license"}, " california driver license ", "07623713", "", "", "O7623713", true, false, ""},
		{"Californian licence: digits after the letter", "US", []string{"driving_license"}, " california driver license ", "Z76Z3713", "", "", "Z7623713", true, true, ""},
		{"another state: no scheme applies, letters and confusables in doubt", "US", []string{"driving_license"}, " ohio ", "O7623713", "", "", "O7623713", false, false, ""},
		{"Portuguese check digit holds", "PT", []string{"id_card"}, "", "000000000AA9", "", "", "000000000AA9", true, true, ""},
		{"Portuguese check digit fails", "PT", []string{"id_card"}, "", "000000000AA0", "", "", "000000000AA0", true, false, "its check digit does not hold"},
		{"UK licence: the surname settles its letters", "GB", []string{"driving_license"}, "", "M0RGA6O7115SM9IJ", "MORGAN", "1965-07-11", "MORGA607115SM9IJ", true, true, ""},
		{"UK licence: without the surname an O may be a Q", "GB", []string{"driving_license"}, "", "M0RGA6O7115SM9IJ", "", "1965-07-11", "MORGA607115SM9IJ", true, false, ""},
		{"UK licence with the card's issue number after it", "GB", []string{"driving_license"}, "", "MORGA607115SM9IJ35", "MORGAN", "1965-07-11", "MORGA607115SM9IJ", true, true, ""},
		{"UK licence encoding another birth date", "GB", []string{"driving_license"}, "", "MORGA607115SM9IJ", "MORGAN", "1966-07-11", "", true, false,
			"the birth date it encodes differs from the one printed"},
		{"UK licence of another surname", "GB", []string{"driving_license"}, "", "MORGA607115SM9IJ", "MORRIS", "1965-07-11", "", true, false,
			"the surname it encodes differs from the one printed"},
		{"UK licence: a woman's month plus 50", "GB", []string{"driving_license"}, "", "LI999962310J99AB", "LI", "1990-12-31", "LI999962310J99AB", true, true, ""},
		{"Indonesian NIK agrees with the birth date", "ID", []string{"id_card"}, "", "3171015708850001", "", "1985-08-17", "3171015708850001", true, true, ""},
		{"NIK of seventeen digits fits nothing", "ID", []string{"id_card"}, "", "31710157088500012", "", "1985-08-17", "31710157088500012", false, false,
			"it fits no number scheme of the document"},
		{"Spanish DNI letter holds", "ES", []string{"id_card"}, "", "12345678Z", "", "", "12345678Z", true, true, ""},
		{"Spanish DNI letter fails", "ES", []string{"id_card"}, "", "12345679Z", "", "", "12345679Z", true, false, "its check digit does not hold"},
		{"Chinese number: check character and birth date hold", "CN", []string{"id_card"}, "", "110101199001120011", "", "1990-01-12", "110101199001120011", true, true, ""},
		{"Chinese number: a digit misread breaks the check", "CN", []string{"id_card"}, "", "110101199001120071", "", "1990-01-12", "", true, false, "its check digit does not hold"},
		{"Chinese number: O for 0 settled", "CN", []string{"id_card"}, "", "11O101199001120011", "", "1990-01-12", "110101199001120011", true, true, ""},
		{"a Spanish DNI is not rewritten into a support number", "ES", []string{"id_card"}, "", "12500003D", "", "", "12500003D", true, true, ""},
		{"an Italian paper card's number", "IT", []string{"id_card"}, "", "AA1234582", "", "", "AA1234582", true, true, ""},
		// CJ03381G0 is an electronic card's CJ03381GO or a paper card's
		// CJ0338160: the current card's reading, in doubt
		{"two Italian schemes read it otherwise: the current one's, in doubt", "IT", []string{"id_card"}, "", "CJ03381G0", "", "", "CJ03381GO", true, false, ""},
		{"an Italian electronic card's letters", "IT", []string{"id_card"}, "", "CA00000A8", "", "", "CA00000AB", true, true, ""},
		{"a Vietnamese number's leading zero read 8: settled, in doubt", "VN", []string{"id_card"}, "", "828152660571", "", "", "028152660571", true, false, ""},
		{"a Dutch number with a character read twice", "NL", []string{"id_card"}, "", "FJ2ZZQWVK9", "", "", "FJ2ZQWVK9", true, false, ""},
		{"characters read twice, two drops that read otherwise: no fit", "NL", []string{"id_card"}, "", "FJ2ZZQWWK9", "", "", "FJ2ZZQWWK9", false, false,
			"it fits no number scheme of the document"},
		{"Florida's scheme on a licence titled Florida", "US", []string{"driving_license"}, " florida driver license ", "H123456789012", "", "", "H123456789012", true, true, ""},
		{"an address in Florida does not make a Texan licence Floridian", "US", []string{"driving_license"}, " texas driver license 12 florida st ", "12345678", "", "", "12345678", true, true, ""},
		{"UK licence: MAC written MC", "GB", []string{"driving_license"}, "", "MCDON607115SM9IJ", "MACDONALD", "1965-07-11", "MCDON607115SM9IJ", true, true, ""},
		{"no known scheme and no confusion: as read", "FR", []string{"id_card"}, "", "X4RTCPFW4", "", "", "X4RTCPFW4", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Result{Fields: map[string]Field{FieldDocumentNumber: {Value: tt.read, Confidence: 0.95}}, DocumentTypes: tt.types, IssuingCountry: tt.country}
			if tt.surname != "" {
				r.Fields[FieldSurname] = Field{Value: tt.surname, Confidence: 0.95}
			}
			if tt.birth != "" {
				r.Fields[FieldBirthDate] = Field{Value: tt.birth, Confidence: 0.95}
			}
			r.settleNumber(tt.country, tt.text)
			f := r.Fields[FieldDocumentNumber]
			if tt.want != "" {
				require.Equal(t, tt.want, f.Value)
			}
			require.Equal(t, tt.scheme, f.Scheme != "", f.Scheme)
			require.Equal(t, tt.confident, f.Confidence >= Confident, f.Confidence)
			require.Equal(t, tt.problem, f.Problem)
		})
	}
}

func TestSettleNumberTitlesOfAnotherCountry(t *testing.T) {
	t.Parallel()
	// declared Spanish, the titles Italian: no scheme is trusted, and a
	// number mixing letters with confusable characters is in doubt
	r := Result{Fields: map[string]Field{FieldDocumentNumber: {Value: "AA1234567", Confidence: 0.95}}, DocumentTypes: []string{"id_card"}, IssuingCountry: "IT"}
	r.settleNumber("ES", "")
	f := r.Fields[FieldDocumentNumber]
	require.Equal(t, "AA1234567", f.Value)
	require.Empty(t, f.Scheme)
	require.Less(t, f.Confidence, Confident)
}

func TestPortugueseCheckDigitSettlesTheVersion(t *testing.T) {
	t.Parallel()
	// a version OCR may read as letters or digits (Z or 2, S or 5), settled
	// when exactly one reading holds the check digit
	tried := 0
	for _, version := range []string{"ZZ", "ZS", "SZ", "SS", "BZ", "ZB"} {
		for last := '0'; last <= '9'; last++ {
			v := "000000000" + version + string(last)
			if !ptCitizenCard(v) {
				continue
			}
			holding := 0
			for _, a := range []string{version[:1], confusions[version[0]]} {
				for _, b := range []string{version[1:], confusions[version[1]]} {
					if ptCitizenCard("000000000" + a + b + string(last)) {
						holding++
					}
				}
			}
			read := "000000000" + confusions[version[0]] + version[1:] + string(last) // the first letter read as a digit
			r := Result{Fields: map[string]Field{FieldDocumentNumber: {Value: read, Confidence: 0.95}}, DocumentTypes: []string{"id_card"}}
			r.settleNumber("PT", "")
			f := r.Fields[FieldDocumentNumber]
			if holding == 1 {
				require.Equal(t, v, f.Value)
				require.GreaterOrEqual(t, f.Confidence, Confident)
			} else {
				require.Less(t, f.Confidence, Confident, v)
			}
			tried++
		}
	}
	require.Positive(t, tried)
}

func FuzzFitNumber(f *testing.F) {
	f.Add("L01X00T47", "DE")
	f.Add("RTUOO243431TV0XR", "GB")
	f.Add("604643430SL0", "PT")
	f.Add("OOOOOOOOOOO0", "PT")
	f.Fuzz(func(t *testing.T, v, country string) {
		fs, _ := formatsFor(country, nil, " california ")
		fit, ok := fitNumber(v, fs)
		if ok {
			require.LessOrEqual(t, len(fit.value), len(v))
			_ = fit.crossBirth("1985-01-01")
		}
	})
}
