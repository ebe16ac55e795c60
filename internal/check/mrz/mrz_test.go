package mrz_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/mrz"
)

func init() {
	mrz.Now = func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }
}

func TestCompute(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]byte{"L898902C3": '6', "740812": '2', "120415": '9', "ZE184226B<<<<<": '1', "D23145890": '7', "520727": '3'} {
		got, err := mrz.Compute(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), s)
	}
	_, err := mrz.Compute("ab")
	require.ErrorIs(t, err, mrz.ErrFormat)
}

// Specimens printed in ICAO Doc 9303 (parts 4–7, the fictional state Utopia)
// and the public specimen of the German identity card.
func TestSpecimens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lines    []string
		format   mrz.Format
		surname  string
		given    string
		number   string
		birth    string
		expiry   string
		sex      string
		nat      string
		optional string
	}{
		{"ICAO 9303-4 TD3 passport", []string{
			"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
			"L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
			mrz.TD3, "ERIKSSON", "ANNA MARIA", "L898902C3", "1974-08-12", "2012-04-15", "F", "UTO", "ZE184226B"},
		{"ICAO 9303-5 TD1 identity card", []string{
			"I<UTOD231458907<<<<<<<<<<<<<<<",
			"7408122F1204159UTO<<<<<<<<<<<6",
			"ERIKSSON<<ANNA<MARIA<<<<<<<<<<"},
			mrz.TD1, "ERIKSSON", "ANNA MARIA", "D23145890", "1974-08-12", "2012-04-15", "F", "UTO", ""},
		{"ICAO 9303-6 TD2", []string{
			"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
			"D231458907UTO7408122F1204159<<<<<<<6"},
			mrz.TD2, "ERIKSSON", "ANNA MARIA", "D23145890", "1974-08-12", "2012-04-15", "F", "UTO", ""},
		{"ICAO 9303-7 MRV-A visa", []string{
			"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
			"L8988901C4XXX4009078F96121096ZE184226B<<<<<<"},
			mrz.MRVA, "ERIKSSON", "ANNA MARIA", "L8988901C", "1940-09-07", "1996-12-10", "F", "XXX", "6ZE184226B"},
		{"ICAO 9303-7 MRV-B visa", []string{
			"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
			"L8988901C4XXX4009078F9612109<<<<<<<<"},
			mrz.MRVB, "ERIKSSON", "ANNA MARIA", "L8988901C", "1940-09-07", "1996-12-10", "F", "XXX", ""},
		{"German identity card specimen (TD1, D<<)", []string{
			"IDD<<T220001293<<<<<<<<<<<<<<<",
			"6408125<2010315D<<<<<<<<<<<<<4",
			"MUSTERMANN<<ERIKA<<<<<<<<<<<<<"},
			mrz.TD1, "MUSTERMANN", "ERIKA", "T22000129", "1964-08-12", "2020-10-31", "X", "D", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := mrz.Parse(tc.lines...)
			require.NoError(t, err)
			require.True(t, d.Valid())
			require.Equal(t, tc.format, d.Format)
			require.Equal(t, tc.surname, d.Surname)
			require.Equal(t, tc.given, d.GivenNames)
			require.Equal(t, tc.number, d.DocumentNumber)
			require.Equal(t, tc.birth, d.BirthDate.String())
			require.Equal(t, tc.expiry, d.ExpiryDate.String())
			require.Equal(t, tc.sex, d.Sex)
			require.Equal(t, tc.nat, d.Nationality)
			require.Equal(t, tc.optional, d.OptionalData1)
			// One string with line breaks parses the same.
			d2, err := mrz.Parse(strings.Join(tc.lines, "\n"))
			require.NoError(t, err)
			require.Equal(t, d, d2)
		})
	}
}

func TestFieldErrors(t *testing.T) {
	t.Parallel()
	good := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	tests := []struct {
		name  string
		l2    string
		l1    string
		field []string
	}{
		{"document number digit", "L898902C37UTO7408122F1204159ZE184226B<<<<<10", "", []string{"document_number", "composite"}},
		{"birth date digit", "L898902C36UTO7408123F1204159ZE184226B<<<<<10", "", []string{"birth_date", "composite"}},
		{"expiry digit", "L898902C36UTO7408122F1204158ZE184226B<<<<<10", "", []string{"expiry_date", "composite"}},
		{"optional data digit", "L898902C36UTO7408122F1204159ZE184226B<<<<<20", "", []string{"optional_data", "composite"}},
		{"composite digit", "L898902C36UTO7408122F1204159ZE184226B<<<<<11", "", []string{"composite"}},
		{"not a date", "L898902C36UTO7413322F1204159ZE184226B<<<<<10", "", []string{"birth_date", "birth_date", "composite"}},
		{"bad sex", "L898902C36UTO7408122Q1204159ZE184226B<<<<<10", "", []string{"sex"}},
		{"bad nationality", "L898902C36QQQ7408122F1204159ZE184226B<<<<<10", "", []string{"nationality"}},
		{"bad issuer", "", "P<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", []string{"issuing_state"}},
		{"digits in name", "", "P<UTOERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", []string{"name"}},
	}
	for _, tc := range tests {
		l1, l2 := good[0], good[1]
		if tc.l1 != "" {
			l1 = tc.l1
		}
		if tc.l2 != "" {
			l2 = tc.l2
		}
		d, err := mrz.Parse(l1, l2)
		var e *mrz.Error
		require.ErrorAs(t, err, &e, tc.name)
		var fields []string
		for _, p := range e.Problems {
			fields = append(fields, p.Field)
		}
		require.Equal(t, tc.field, fields, "%s: %v", tc.name, e)
		require.Equal(t, tc.name == "bad issuer" || tc.name == "digits in name" || tc.name == "bad sex" || tc.name == "bad nationality", d.Valid(), tc.name)
		require.Equal(t, "L898902C3", d.DocumentNumber, "what could be read is returned")
	}
	for _, bad := range [][]string{
		{"P<UTOERIKSSON"},
		{good[0], good[1][:43]},
		{good[0], strings.Replace(good[1], "L", "l", 1) + "é"},
		{good[0], strings.Replace(good[1], "L", "*", 1)},
		{good[0], good[1], good[1]},
	} {
		_, err := mrz.Parse(bad...)
		require.ErrorIs(t, err, mrz.ErrFormat, "%q", bad)
	}
	// Lower case and spaces around are tolerated (OCR output).
	_, err := mrz.Parse(" "+strings.ToLower(good[0])+" ", good[1])
	require.NoError(t, err)
}

func TestDates(t *testing.T) {
	t.Parallel()
	gen := func(birth, expiry string) mrz.Document {
		lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "NLD", Surname: "DE BRUIJN", GivenNames: "WILLEKE LISELOTTE",
			DocumentNumber: "SPECI2021", Nationality: "NLD", BirthDate: birth, Sex: "F", ExpiryDate: expiry})
		require.NoError(t, err)
		d, _ := mrz.Parse(lines...)
		return d
	}
	require.Equal(t, "1965-03-10", gen("650310", "310802").BirthDate.String(), "a birth year after this year is last century")
	require.Equal(t, "2019-03-10", gen("190310", "310802").BirthDate.String())
	require.Equal(t, "2031-08-02", gen("650310", "310802").ExpiryDate.String())
	require.Equal(t, "1998-08-02", gen("650310", "980802").ExpiryDate.String(), "more than 50 years ahead is last century")
	require.Equal(t, "DE BRUIJN", gen("650310", "310802").Surname)
	// Unknown day and month of birth (fillers) are allowed.
	d := gen("65<<<<", "310802")
	require.True(t, d.Valid())
	require.Equal(t, "1965-XX-XX", d.BirthDate.String())
	_, ok := d.BirthDate.Time()
	require.False(t, ok)
}

// TestReadingJSON: a sealed reading opens back into what was sealed (the
// console and PayCools read it), dates with unknown parts and a reading
// whose dates could not be read included; what is not a date is refused.
func TestReadingJSON(t *testing.T) {
	t.Parallel()
	for _, birth := range []string{"650310", "65<<<<", "65XX10"} {
		lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "NLD", Surname: "DE BRUIJN", GivenNames: "WILLEKE",
			DocumentNumber: "SPECI2021", Nationality: "NLD", BirthDate: birth, Sex: "F", ExpiryDate: "310802"})
		require.NoError(t, err)
		d, _ := mrz.Parse(lines...)
		rd := mrz.Reading{Lines: lines, Document: d, Confidence: []float64{97, 98}}
		b, err := json.Marshal(rd)
		require.NoError(t, err)
		var back mrz.Reading
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		rd.Document.BirthDate.Raw, rd.Document.ExpiryDate.Raw = "", "" // not written
		require.Equal(t, rd, back, birth)
	}
	var zero mrz.Reading
	b, err := json.Marshal(zero)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &zero))
	for _, bad := range []string{`"1965-13-01"`, `"65-03-10"`, `"1965-03"`, `"1965-3-10"`, `12`, `"0000-01-01"`, `"1965-03-1X"`} {
		var d mrz.Date
		require.Error(t, json.Unmarshal([]byte(bad), &d), bad)
	}
}

// TestGenerated round-trips many random documents of every format, and
// checks that changing any one character of a number or date field is caught.
func TestGenerated(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alnum := letters + "0123456789"
	word := func(n int, set string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[r.IntN(len(set))]
		}
		return string(b)
	}
	date := func(y0, span int) string {
		tm := time.Date(y0+r.IntN(span), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		return tm.Format("060102")
	}
	formats := []mrz.Format{mrz.TD1, mrz.TD2, mrz.TD3, mrz.MRVA, mrz.MRVB}
	states := []string{"UTO", "FRA", "D", "SGP", "CHN", "PHL", "GBR", "XXA"}
	for i := range 500 {
		f := mrz.Fields{Format: formats[i%len(formats)], IssuingState: states[r.IntN(len(states))], Surname: word(3+r.IntN(8), letters),
			GivenNames: word(2+r.IntN(6), letters) + " " + word(2+r.IntN(6), letters), DocumentNumber: word(6+r.IntN(4), alnum),
			Nationality: states[r.IntN(len(states))], BirthDate: date(1940, 80), Sex: []string{"M", "F", "X"}[r.IntN(3)], ExpiryDate: date(2000, 40)}
		if f.Format == mrz.TD1 && i%3 == 0 {
			f.DocumentNumber = word(12, alnum) // long number continues in the optional data
		}
		lines, err := mrz.Generate(f)
		require.NoError(t, err)
		d, err := mrz.Parse(lines...)
		require.NoError(t, err, "%q", lines)
		require.True(t, d.Valid())
		require.Equal(t, f.DocumentNumber, d.DocumentNumber, "%q", lines)
		require.Equal(t, f.Surname, d.Surname)

		// Flip one character of the second (data) line: never accepted as valid.
		li := len(lines) - 1
		if f.Format == mrz.TD1 {
			li = 1
		}
		pos := r.IntN(len(lines[li]))
		orig := lines[li][pos]
		if orig == '<' || orig == 'M' || orig == 'F' || (f.Format == mrz.MRVA || f.Format == mrz.MRVB) && pos >= 28 {
			continue // fillers, sex and visa optional data carry no check digit
		}
		if f.Format == mrz.TD1 && pos >= 15 && pos <= 17 || (f.Format != mrz.TD1 && pos >= 10 && pos <= 12) {
			continue // nationality carries no check digit
		}
		repl := byte('0' + (orig-'0'+1)%10)
		if orig >= 'A' && orig <= 'Z' {
			repl = 'A' + (orig-'A'+1)%26
		}
		bad := append([]string(nil), lines...)
		bad[li] = bad[li][:pos] + string(repl) + bad[li][pos+1:]
		d, err = mrz.Parse(bad...)
		if err == nil || errors.Is(err, mrz.ErrFormat) {
			require.False(t, err == nil && d.Valid(), "one changed character accepted: %q", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	f.Add("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
	f.Add("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6")
	f.Add("IDD<<T22000129<AB1234567<<<<<<\n6408125<2010315D<<<<<<<<<<<<<4\nMUSTERMANN<<ERIKA<<<<<<<<<<<<<")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := mrz.Parse(s)
		if errors.Is(err, mrz.ErrFormat) {
			return
		}
		if err == nil {
			require.True(t, d.Valid())
			require.NotEmpty(t, d.DocumentNumber)
			require.NotEmpty(t, d.Surname)
			return
		}
		var e *mrz.Error
		require.ErrorAs(t, err, &e)
		require.NotEmpty(t, e.Problems)
	})
}
