package viz

import (
	"image"
	"strings"
	"testing"
	"time"

	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

// row lays out words left to right at height y, 20 px tall, 12 px per
// character, one space between words; "|" starts a new column 300 px on.
func row(y int, text string, conf float64) []Word {
	var out []Word
	x := 100
	for i, col := range strings.Split(text, "|") {
		if i > 0 {
			x = 100 + 300*i
		}
		for _, w := range strings.Fields(col) {
			out = append(out, Word{Text: w, Box: image.Rect(x, y, x+12*len([]rune(w)), y+20), Conf: conf})
			x += 12*len([]rune(w)) + 8
		}
	}
	return out
}

func page(rows ...string) []Word {
	var out []Word
	for i, r := range rows {
		out = append(out, row(40+i*40, r, 95)...)
	}
	return out
}

func TestExtract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		words   []Word
		country string
		want    map[string]string
		types   []string
		issuer  string
	}{
		{"bilingual labels above their values", page("PASSPORT PASSEPORT CANADA", "Surname/Nom", "AMAN", "Given names/Prénoms", "RITA TANIA",
			"Date of birth/Date de naissance", "07 DEC /DEC 84", "Passport No./N° de passeport", "ERE82721", "Sex/Sexe", "F"), "",
			map[string]string{FieldSurname: "AMAN", FieldGivenNames: "RITA TANIA", FieldBirthDate: "1984-12-07", FieldDocumentNumber: "ERE82721", FieldSex: "F"},
			[]string{"passport"}, "CA"},
		{"OCR confusions in labels", page("Sumame/Nom", "AMAN", "Date of birthyDate de naissance", "07 DEC 1984"), "",
			map[string]string{FieldSurname: "AMAN", FieldBirthDate: "1984-12-07"}, nil, ""},
		{"inline, value in a column to the right", page("REPUBLIK INDONESIA", "NIK | : 3171234567890001", "Nama | : BUDI SANTOSO",
			"Tempat/Tgl Lahir | : JAKARTA, 17-08-1985", "Jenis Kelamin | : LAKI-LAKI"), "",
			map[string]string{FieldDocumentNumber: "3171234567890001", FieldFullName: "BUDI SANTOSO", FieldBirthDate: "1985-08-17", FieldSex: "M"}, nil, "ID"},
		{"licence: short labels and values on one row, month first", page("CALIFORNIA DRIVER LICENSE", "DL D1234562", "LN SAMPLE", "FN JOHN QUINCY",
			"DOB 08/31/1977", "EXP 08/31/2031"), "",
			map[string]string{FieldDocumentNumber: "D1234562", FieldSurname: "SAMPLE", FieldGivenNames: "JOHN QUINCY", FieldBirthDate: "1977-08-31",
				FieldExpiryDate: "2031-08-31"}, []string{"driving_license"}, "US"},
		{"German Name is the surname", page("BUNDESREPUBLIK DEUTSCHLAND PERSONALAUSWEIS", "Name", "MÜLLER", "Vornamen", "ANNA", "Geburtsdatum", "12.03.1990"), "",
			map[string]string{FieldSurname: "MÜLLER", FieldGivenNames: "ANNA", FieldBirthDate: "1990-03-12"}, []string{"id_card"}, "DE"},
		{"English Name is the whole name", page("Name", "JOHN SMITH"), "", map[string]string{FieldFullName: "JOHN SMITH"}, nil, ""},
		{"the MRZ is not the printed zone", page("Surname", "P<CANAMAN<<RITA<TANIA<<<<<<<<<<<<<<<<<<<<<<<<"), "", map[string]string{}, nil, ""},
		{"a short label of another language alone is no label", page("So", "ABC12345"), "", map[string]string{}, nil, ""},
		{"Vietnamese labels when the country is known", page("Số / No | : 001234567890", "Họ và tên / Full name | : NGUYỄN VĂN AN",
			"Ngày sinh / Date of birth | : 01/02/1990", "Có giá trị đến / Date of expiry : 11/03/2032"), "VN",
			map[string]string{FieldDocumentNumber: "001234567890", FieldFullName: "NGUYỄN VĂN AN", FieldBirthDate: "1990-02-01",
				FieldExpiryDate: "2032-03-11"}, nil, ""},
		{"EU licence: numbered fields", page("DRIVING LICENCE UNITED KINGDOM", "1. MORGAN", "2. SARAH MEREDITH", "3. 11.03.1976 UNITED KINGDOM",
			"4a. 19.01.2013 | 4c. DVLA", "4b. 18.01.2023", "5. MORGA753116SM9IJ 35", "8. 122 BURNS CRESCENT EDINBURGH", "9. AM/A/B1/B/f/k/l/n/p/q"), "",
			map[string]string{FieldSurname: "MORGAN", FieldGivenNames: "SARAH MEREDITH", FieldBirthDate: "1976-03-11", FieldIssueDate: "2013-01-19",
				FieldExpiryDate: "2023-01-18", FieldDocumentNumber: "MORGA753116SM9IJ", FieldAddress: "122 BURNS CRESCENT EDINBURGH"},
			[]string{"driving_license"}, "GB"},
		{"EU licence: values glued to their numbers, OCR's l for 1", page("FÜHRERSCHEIN BUNDESREPUBLIK DEUTSCHLAND", "l.MUSTERMANN", "2.ERIKA",
			"3. 12.08.1964 BERLIN", "4b. 01.02.2033"), "",
			map[string]string{FieldSurname: "MUSTERMANN", FieldGivenNames: "ERIKA", FieldBirthDate: "1964-08-12", FieldExpiryDate: "2033-02-01"},
			[]string{"driving_license"}, "DE"},
		{"Chinese resident identity card", page("中 华人 民 共 和 国 居民 身份 证", "姓名 | 张 伟", "性别 | 男", "民族 | 汉", "出生 | 1990 年 1 月 12 日",
			"公民身份号码 | 110101199001120011", "有效期限 | 2016.03.01-2036.03.01"), "CN",
			map[string]string{FieldFullName: "张伟", FieldSex: "M", FieldBirthDate: "1990-01-12", FieldDocumentNumber: "110101199001120011",
				FieldExpiryDate: "2036-03-01"}, []string{"id_card"}, "CN"},
		{"a period of validity without end", page("有效期限 | 2016.03.01-长期"), "CN", map[string]string{}, nil, ""},
		{"a period of validity misread: its end folded, its dash read 一", page("有效期限 | 2016.03.01一2O36.O3.01"), "CN",
			map[string]string{FieldExpiryDate: "2036-03-01"}, nil, ""},
		{"a period whose end cannot be read gives no expiry", page("有效期限 | 2016.03.01-2036.0"), "CN", map[string]string{}, nil, ""},
		{"a date with O for 0 is no numbered label", page("DRIVING LICENCE UNITED KINGDOM", "1. MORGAN", "3. | l.O3.1976"), "",
			map[string]string{FieldSurname: "MORGAN"}, []string{"driving_license"}, "GB"},
		{"a misread translation is no value", page("Vornamen / Geen names", "ERIKA"), "DE",
			map[string]string{FieldGivenNames: "ERIKA"}, nil, ""},
		{"a translation that reads nearly as a label is no value, even alone", page("Name / Surname", "COSTA", "Vornamen / Giver names"), "DE",
			map[string]string{FieldSurname: "COSTA"}, nil, ""},
		// a name's label misread: the other name's row gives it
		{"given names below the surname, their label misread", page("Name / Surname", "NGUYEN", "Ves", "GIULIA", "Geburtsdatum / Date of birth", "19.09.1993"), "DE",
			map[string]string{FieldSurname: "NGUYEN", FieldGivenNames: "GIULIA", FieldBirthDate: "1993-09-19"}, nil, ""},
		{"the surname above the given names, its label misread", page("Apylydo", "eo PEREIRA", "Mga Pangalan / Given Names", "INES"), "PH",
			map[string]string{FieldSurname: "PEREIRA", FieldGivenNames: "INES"}, nil, ""},
		{"a label in capitals is no name", page("COGNOME / SURNAME", "ROSSI", "NOMF / NAMF"), "IT",
			map[string]string{FieldSurname: "ROSSI"}, nil, ""},
		{"a value after a slash is one", page("Vornamen / MARIA"), "DE", map[string]string{FieldGivenNames: "MARIA"}, nil, ""},
		// the label misread: the one word that fits the state's scheme
		{"licence: a misread label, the number by its scheme", page("CALIFORNIA DRIVER LICENSE", "DE D1234562", "LN SAMPLE", "DOB 08/31/1977"), "",
			map[string]string{FieldDocumentNumber: "D1234562", FieldSurname: "SAMPLE", FieldBirthDate: "1977-08-31"}, []string{"driving_license"}, "US"},
		{"licence: two words fit the scheme, neither is taken", page("CALIFORNIA DRIVER LICENSE", "DE D1234562", "XX A7654321", "LN SAMPLE"), "",
			map[string]string{FieldSurname: "SAMPLE"}, []string{"driving_license"}, "US"},
		// labels misread: a date far back is the birth date, one ahead the
		// expiry, one between (an issue) nothing
		{"licence: misread date labels, the dates by elimination", page("CALIFORNIA DRIVER LICENSE", "DL D1234562", "ai 08/31/1977", "xs 01/02/2022",
			"oe 08/31/2031"), "",
			map[string]string{FieldDocumentNumber: "D1234562", FieldBirthDate: "1977-08-31", FieldExpiryDate: "2031-08-31"}, []string{"driving_license"}, "US"},
		{"two dates far back: neither is the birth date", page("CALIFORNIA DRIVER LICENSE", "ai 08/31/1977", "xs 01/02/1980"), "",
			map[string]string{}, []string{"driving_license"}, "US"},
		{"a two-digit year is no date by elimination", page("CALIFORNIA DRIVER LICENSE", "ai 08/31/77"), "",
			map[string]string{}, []string{"driving_license"}, "US"},
		{"numbers are no labels on an identity card", page("RÉPUBLIQUE FRANÇAISE CARTE NATIONALE D'IDENTITÉ", "1. MARTIN", "Nom", "DUBOIS"), "",
			map[string]string{FieldSurname: "DUBOIS"}, []string{"id_card"}, "FR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Extract(tt.words, tt.country, now)
			got := map[string]string{}
			for k, f := range res.Fields {
				got[k] = f.Value
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.types, res.DocumentTypes)
			require.Equal(t, tt.issuer, res.IssuingCountry)
			for _, k := range []string{FieldDocumentNumber, FieldBirthDate, FieldExpiryDate, FieldSurname, FieldGivenNames} {
				if f, ok := res.Fields[k]; ok && f.Label == "" {
					require.Less(t, f.Confidence, Confident, "%s: a value no label names is never confident", k)
				}
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, country, field, want string
		certain                    bool
	}{
		{"07 DEC /DEC 84", "", FieldBirthDate, "1984-12-07", true},
		{"25 MAY /MAY 24", "", FieldExpiryDate, "2024-05-25", true},
		{"12.03.1990", "DE", FieldBirthDate, "1990-03-12", true},
		{"12/03/1990", "", FieldBirthDate, "1990-03-12", false}, // day and month could swap
		{"12/03/1990", "US", FieldBirthDate, "1990-12-03", true},
		{"13/03/1990", "", FieldBirthDate, "1990-03-13", true}, // only day first makes a date
		{"03/13/1990", "", FieldBirthDate, "1990-03-13", true},
		{"1990-03-12", "FR", FieldBirthDate, "1990-03-12", true},
		{"JANUARY 12, 1990", "PH", FieldBirthDate, "1990-01-12", true},
		{"12 de enero de 1990", "ES", FieldBirthDate, "1990-01-12", true},
		{"12. März 1990", "DE", FieldBirthDate, "1990-03-12", true},
		{"10 MAA/MAR 1965", "NL", FieldBirthDate, "1965-03-10", true},
		{"1990年3月12日", "CN", FieldBirthDate, "1990-03-12", true},
		{"JAKARTA, 17-08-1985", "ID", FieldBirthDate, "1985-08-17", true},
		{"l5.O3.199O", "DE", FieldBirthDate, "1990-03-15", true}, // OCR's letters for digits
		{"12 03 1990", "FR", FieldBirthDate, "1990-03-12", true},
		{"12031990", "FR", FieldBirthDate, "1990-03-12", false}, // separators lost
	}
	for _, tt := range tests {
		d, ok := ParseDate(tt.text, tt.country, tt.field, now)
		require.True(t, ok, tt.text)
		require.Equal(t, tt.want, d.ISO, tt.text)
		require.Equal(t, tt.certain, d.Certain, tt.text)
	}
	for _, bad := range []string{"", "31/02/1990", "SEUMUR HIDUP", "99.99.9999", "12 FOO 1990", "1850-01-01"} {
		_, ok := ParseDate(bad, "", FieldBirthDate, now)
		require.False(t, ok, bad)
	}
}

func TestNumberValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, want   string
		clean, mixes bool
	}{
		{"ERE82721", "ERE82721", true, true}, // 8, 2 and 1 beside letters: B, Z, I may be printed
		{"3171234567890001", "3171234567890001", true, false},
		{"E R E 8 2 7 4 7", "ERE82747", true, true},
		{"0039-7470-8891-9664", "0039747088919664", true, false},
		{"KHMPT4", "KHMPT4", true, false},
		{"60464343 @ SLO", "604643430SLO", false, true},
		{"NONE", "", false, false},
		{"SMITH8@9068JP9DS", "SMITH809068JP9DS", false, true},
		{"6464—2233-1588-6118", "6464223315886118", true, false},
		{"CI11587]X", "CI11587JX", false, true}, // ] is a J misread
		{"HTJLCWJYZ", "HTJLCWJYZ", true, true},  // a German serial without a digit
		{"DOCUMENT", "", false, false},          // a word is not a number
		{"NACIONALIDAD", "", false, false},
		{"N. HTJLCWJYZ", "HTJLCWJYZ", false, true},
	}
	for _, tt := range tests {
		v, clean := numberValue(tt.text)
		require.Equal(t, tt.want, v, tt.text)
		require.Equal(t, tt.clean, clean, tt.text)
		require.Equal(t, tt.mixes, mixesConfusables(v), tt.text)
	}
}

func TestVote(t *testing.T) {
	t.Parallel()
	a := Result{Fields: map[string]Field{"x": {Value: "1", Confidence: 0.9, Label: "L"}, "y": {Value: "A", Confidence: 0.9, Label: "L"},
		"z": {Value: "Z", Confidence: 0.9, Label: "L"}, "u": {Value: "U", Confidence: 0.79}}}
	b := Result{Fields: map[string]Field{"x": {Value: "1", Confidence: 0.95, Label: "L"}, "y": {Value: "B", Confidence: 0.8, Label: "L"},
		"w": {Value: "W", Confidence: 0.5, Label: "L"}, "u": {Value: "U", Confidence: 0.93, Label: "L"}}}
	v := vote(a, b)
	require.Equal(t, Field{Value: "1", Confidence: 0.95, Passes: PassesAgree, Label: "L"}, v.Fields["x"])
	require.Equal(t, Field{Value: "A", Confidence: 0.4, Passes: PassesDiffer, Label: "L"}, v.Fields["y"])
	require.Equal(t, Field{Value: "Z", Confidence: 0.72, Passes: PassesOneFound, Label: "L"}, v.Fields["z"])
	require.Equal(t, Field{Value: "W", Confidence: 0.4, Passes: PassesOneFound, Label: "L"}, v.Fields["w"])
	// one pass found it by no label: the agreement confirms nothing
	require.Equal(t, Field{Value: "U", Confidence: Confident - 0.01, Passes: PassesAgree}, v.Fields["u"])
}

func TestStack(t *testing.T) {
	t.Parallel()
	a, b := image.NewGray(image.Rect(0, 0, 100, 20)), image.NewGray(image.Rect(5, 5, 65, 35)) // black
	sheet, slots := stack([]*image.Gray{a, b})
	require.Len(t, slots, 2)
	require.False(t, slots[0].Overlaps(slots[1]))
	for i, im := range []*image.Gray{a, b} {
		// each image lies inside its slot (side by side), black on the white sheet
		var dark int
		for y := slots[i].Min.Y; y < slots[i].Max.Y; y++ {
			for x := slots[i].Min.X; x < slots[i].Max.X; x++ {
				if sheet.GrayAt(x, y).Y == 0 {
					dark++
				}
			}
		}
		require.Equal(t, im.Rect.Dx()*im.Rect.Dy(), dark)
	}
}

func TestParseTSV(t *testing.T) {
	t.Parallel()
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"1\t1\t0\t0\t0\t0\t0\t0\t926\t657\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t114\t30\t98\t16\t96.07\tPASSPORT\n" +
		"5\t1\t1\t1\t1\t2\t220\t30\t40\t16\t-1\t \n" +
		"5\t1\t1\t1\t1\t3\tx\t30\t40\t16\t90\tBAD\n"
	require.Equal(t, []Word{{Text: "PASSPORT", Box: image.Rect(114, 30, 212, 46), Conf: 96.07}}, ParseTSV([]byte(tsv)))
}

// FuzzExtract: any words give an answer in bounded time, never a panic.
func FuzzExtract(f *testing.F) {
	f.Add("Surname/Nom\nAMAN\nDate of birth\n07 DEC 84", "")
	f.Add("NIK | : 3171234567890001\nNama | : BUDI", "ID")
	f.Add("DOB 08/31/1977\nDL D1234562\nSEX F", "US")
	f.Add("姓名 | 张三\n出生 | 1990年1月12日", "CN")
	f.Fuzz(func(t *testing.T, text, country string) {
		if len(text) > 4096 {
			return
		}
		var words []Word
		for i, line := range strings.Split(text, "\n") {
			words = append(words, row(40+i*40, line, 90)...)
		}
		res := Extract(words, country, now)
		for _, fl := range res.Fields {
			require.LessOrEqual(t, fl.Confidence, 1.0)
		}
	})
}

// FuzzParseTSV: tesseract's output is parsed without panics.
func FuzzParseTSV(f *testing.F) {
	f.Add([]byte("5\t1\t1\t1\t1\t1\t114\t30\t98\t16\t96.07\tPASSPORT\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, w := range ParseTSV(b) {
			require.NotEmpty(t, w.Text)
		}
	})
}

// FuzzParseDate: any text, country and field.
func FuzzParseDate(f *testing.F) {
	f.Add("07 DEC /DEC 84", "", FieldBirthDate)
	f.Add("1990年3月12日", "CN", FieldExpiryDate)
	f.Fuzz(func(t *testing.T, text, country, field string) {
		if d, ok := ParseDate(text, country, field, now); ok {
			_, err := time.Parse(time.DateOnly, d.ISO)
			require.NoError(t, err)
		}
	})
}

// TestCompare: zones agree on a name only with the same words (an MRZ's
// transliteration within 0.95), disagree below the matching threshold,
// and neither in between; dates and numbers compare exactly.
func TestCompare(t *testing.T) {
	t.Parallel()
	v := docdata.Reading{Source: "viz", Surname: "SMITH", GivenNames: "JOHN QUINCY", BirthDate: "1977-08-31", DocumentNumber: "D1234562"}
	z := compare(v, docdata.Reading{Source: "barcode", Surname: "SMITH", GivenNames: "QUINCY JOHN", BirthDate: "1977-08-31", DocumentNumber: "D 1234562"})
	require.Equal(t, []string{"name", FieldBirthDate, FieldDocumentNumber}, z.Agree)
	require.Empty(t, z.Disagree)
	z = compare(v, docdata.Reading{Source: "barcode", Surname: "SMITH", GivenNames: "JOAN QUINCY", BirthDate: "1977-08-30"})
	require.Empty(t, z.Agree, "a name a letter off is not confirmed")
	require.Equal(t, []string{FieldBirthDate}, z.Disagree, "nor is it a contradiction")
	z = compare(v, docdata.Reading{Source: "barcode", Surname: "WILLIAMS", GivenNames: "ANNA"})
	require.Equal(t, []string{"name"}, z.Disagree)
	z = compare(v, docdata.Reading{Source: "mrz", Surname: "SMITH", GivenNames: "JOHN QUINC", BirthDate: "1977-XX-XX"})
	require.Equal(t, []string{"name"}, z.Agree, "an MRZ may truncate; its unknown date parts compare nothing")
}

func TestVotePrefersTheNumberThatFits(t *testing.T) {
	t.Parallel()
	a := Result{Fields: map[string]Field{FieldDocumentNumber: {Value: "922083262880", Confidence: 0.95, Scheme: "VN", Problem: "it fits no number scheme of the document"}}}
	b := Result{Fields: map[string]Field{FieldDocumentNumber: {Value: "022083262880", Confidence: 0.85, Scheme: "VN"}}}
	for _, v := range []Result{vote(a, b), vote(b, a)} {
		f := v.Fields[FieldDocumentNumber]
		require.Equal(t, "022083262880", f.Value)
		require.Equal(t, PassesDiffer, f.Passes)
		require.Less(t, f.Confidence, Confident)
	}
}
