package kyctest

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// IDFront is a generated identity document front without an MRZ: the
// printed zone of one country's style, in its languages and date format.
// The values are the ground truth a reader of the printed zone must find.
type IDFront struct {
	Style          string // the country style (IDFrontStyles)
	Country        string // issuing country, alpha-2
	DocumentType   string // id_card, driving_license, residence_permit
	Surname        string // "" when the style prints one full name
	GivenNames     string
	FullName       string // styles with one name label: surname first
	BirthDate      string // YYYY-MM-DD
	ExpiryDate     string
	IssueDate      string
	DocumentNumber string
	Sex            string // M or F
	Nationality    string // alpha-2
	Font           string // the face the values are printed in
}

// idStyle is how one country prints its card: titles, labels (per field;
// "" leaves the field out), the date format and the layout.
type idStyle struct {
	country, docType string
	titles           []string
	labels           map[string]string
	date             func(t time.Time) string
	layout           string // "above": label over value; "inline": "Label: value"; "table": label column, value column
	sex              map[string]string
	nationality      string                               // as printed
	number           func(r *rand.Rand, f IDFront) string // the issuer's scheme, from the holder where it encodes them
	ethnic           string                               // printed under its own label ("ethnic"), where the card has one
	// validity, when set, prints the expiry as the period of validity
	// (issue and expiry dates together), under the expiry's label
	validity func(issue, expiry time.Time) string
	cjk      bool // drawn in a CJK font (CJKFont)
}

// IDFrontStyles are the country styles the generator draws, by name.
var IDFrontStyles = []string{"FR", "DE", "ES", "IT", "PT", "NL", "PH", "ID", "VN", "US-DL", "GB-DL", "CN"}

var monthsEN = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
var monthsNL = []string{"JAN", "FEB", "MAA", "APR", "MEI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEC"}
var monthsFull = []string{"JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func letters(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('A' + r.IntN(26)))
	}
	return b.String()
}

var idStyles = map[string]idStyle{
	"FR": {country: "FR", docType: "id_card", titles: []string{"RÉPUBLIQUE FRANÇAISE", "CARTE NATIONALE D'IDENTITÉ"},
		labels: map[string]string{"surname": "NOM / Surname", "given": "Prénoms / Given names", "birth": "Date de naissance / Date of birth",
			"expiry": "Date d'expiration / Expiry date", "number": "N° du document / Document No", "sex": "Sexe / Sex", "nationality": "Nationalité / Nationality"},
		date: func(t time.Time) string { return t.Format("02 01 2006") }, layout: "above", nationality: "FRA",
		number: func(r *rand.Rand, _ IDFront) string {
			return letters(r, 2) + digits(r, 2) + letters(r, 2) + digits(r, 3)
		}},
	"DE": {country: "DE", docType: "id_card", titles: []string{"BUNDESREPUBLIK DEUTSCHLAND", "PERSONALAUSWEIS / IDENTITY CARD"},
		labels: map[string]string{"surname": "Name / Surname", "given": "Vornamen / Given names", "birth": "Geburtsdatum / Date of birth",
			"expiry": "Gültig bis / Date of expiry", "number": "Ausweisnummer", "nationality": "Staatsangehörigkeit / Nationality"},
		date: func(t time.Time) string { return t.Format("02.01.2006") }, layout: "above", nationality: "DEUTSCH",
		// serial numbers since 2010: nine characters, no vowels, no B, D, Q, S
		number: func(r *rand.Rand, _ IDFront) string {
			return pick(r, "CFGHJKLMNPRTVWXYZ", 1) + pick(r, "CFGHJKLMNPRTVWXYZ0123456789", 8)
		}},
	"ES": {country: "ES", docType: "id_card", titles: []string{"REINO DE ESPAÑA", "DOCUMENTO NACIONAL DE IDENTIDAD"},
		labels: map[string]string{"surname": "APELLIDOS", "given": "NOMBRE", "birth": "FECHA DE NACIMIENTO", "expiry": "VALIDO HASTA",
			"number": "NUM SOPORTE", "sex": "SEXO", "nationality": "NACIONALIDAD", "issue": "EMISIÓN"},
		date: func(t time.Time) string { return t.Format("02 01 2006") }, layout: "above", nationality: "ESP",
		sex:    map[string]string{"M": "M", "F": "F"},
		number: func(r *rand.Rand, _ IDFront) string { return letters(r, 3) + digits(r, 6) }},
	"IT": {country: "IT", docType: "id_card", titles: []string{"REPUBBLICA ITALIANA", "CARTA DI IDENTITÀ / IDENTITY CARD"},
		labels: map[string]string{"surname": "COGNOME / SURNAME", "given": "NOME / NAME", "birth": "DATA DI NASCITA / DATE OF BIRTH",
			"expiry": "SCADENZA / EXPIRY", "issue": "EMISSIONE / ISSUING", "number": "N. DOCUMENTO", "sex": "SESSO / SEX", "nationality": "CITTADINANZA / NATIONALITY"},
		date: func(t time.Time) string { return t.Format("02.01.2006") }, layout: "above", nationality: "ITA",
		number: func(r *rand.Rand, _ IDFront) string { return "C" + letters(r, 1) + digits(r, 5) + letters(r, 2) }},
	"PT": {country: "PT", docType: "id_card", titles: []string{"REPÚBLICA PORTUGUESA", "CARTÃO DE CIDADÃO"},
		labels: map[string]string{"surname": "Apelido(s)", "given": "Nome(s)", "birth": "Data de nascimento", "expiry": "Data de validade",
			"number": "N.º Documento", "sex": "Sexo", "nationality": "Nacionalidade"},
		date: func(t time.Time) string { return t.Format("02 01 2006") }, layout: "above", nationality: "PRT",
		number: func(r *rand.Rand, _ IDFront) string { return ptCitizenCard(r) }},
	"NL": {country: "NL", docType: "id_card", titles: []string{"KONINKRIJK DER NEDERLANDEN", "IDENTITEITSKAART"},
		labels: map[string]string{"surname": "Naam / Surname", "given": "Voornamen / Given names", "birth": "Geboortedatum / Date of birth",
			"expiry": "Geldig tot / Date of expiry", "number": "Documentnummer / Document no", "sex": "Geslacht / Sex", "nationality": "Nationaliteit / Nationality"},
		date: func(t time.Time) string {
			return fmt.Sprintf("%02d %s/%s %d", t.Day(), monthsNL[t.Month()-1], monthsEN[t.Month()-1], t.Year())
		}, layout: "above", nationality: "Nederlandse",
		sex: map[string]string{"M": "M/M", "F": "V/F"},
		// two letters, six letters or digits, a digit; never the letter O
		number: func(r *rand.Rand, _ IDFront) string {
			return pick(r, nlLetters, 2) + pick(r, nlLetters+"0123456789", 6) + digits(r, 1)
		}},
	"PH": {country: "PH", docType: "id_card", titles: []string{"REPUBLIKA NG PILIPINAS", "Pambansang Pagkakakilanlan / Philippine Identification Card"},
		labels: map[string]string{"surname": "Apelyido / Last Name", "given": "Mga Pangalan / Given Names", "birth": "Petsa ng Kapanganakan / Date of Birth",
			"number": "PCN"},
		date: func(t time.Time) string {
			return fmt.Sprintf("%s %02d, %d", monthsFull[t.Month()-1], t.Day(), t.Year())
		}, layout: "above",
		number: func(r *rand.Rand, _ IDFront) string {
			return digits(r, 4) + "-" + digits(r, 4) + "-" + digits(r, 4) + "-" + digits(r, 4)
		}},
	"ID": {country: "ID", docType: "id_card", titles: []string{"PROVINSI DKI JAKARTA", "REPUBLIK INDONESIA"},
		labels: map[string]string{"number": "NIK", "full": "Nama", "birth": "Tempat/Tgl Lahir", "sex": "Jenis Kelamin", "nationality": "Kewarganegaraan",
			"expiry": "Berlaku Hingga"},
		date: func(t time.Time) string { return t.Format("02-01-2006") }, layout: "inline", nationality: "WNI",
		sex:    map[string]string{"M": "LAKI-LAKI", "F": "PEREMPUAN"},
		number: indonesianNIK}, // region, birth day (+40 for a woman), month, year, serial
	"VN": {country: "VN", docType: "id_card", titles: []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CĂN CƯỚC CÔNG DÂN"},
		labels: map[string]string{"number": "Số / No", "full": "Họ và tên / Full name", "birth": "Ngày sinh / Date of birth", "sex": "Giới tính / Sex",
			"nationality": "Quốc tịch / Nationality", "expiry": "Có giá trị đến / Date of expiry"},
		date: func(t time.Time) string { return t.Format("02/01/2006") }, layout: "inline", nationality: "Việt Nam",
		sex:    map[string]string{"M": "Nam", "F": "Nữ"},
		number: vietnameseCCCD},
	"US-DL": {country: "US", docType: "driving_license", titles: []string{"CALIFORNIA", "DRIVER LICENSE"},
		labels: map[string]string{"number": "DL", "expiry": "EXP", "surname": "LN", "given": "FN", "birth": "DOB", "sex": "SEX", "issue": "ISS"},
		date:   func(t time.Time) string { return t.Format("01/02/2006") }, layout: "table",
		number: func(r *rand.Rand, _ IDFront) string { return letters(r, 1) + digits(r, 7) }},
	// the resident identity card's portrait side, its period of validity
	// (printed on the other side) beside it
	"CN": {country: "CN", docType: "id_card", titles: []string{"中华人民共和国", "居民身份证"},
		labels: map[string]string{"full": "姓名", "sex": "性别", "ethnic": "民族", "birth": "出生", "number": "公民身份号码", "expiry": "有效期限"},
		date:   func(t time.Time) string { return fmt.Sprintf("%d 年 %d 月 %d 日", t.Year(), t.Month(), t.Day()) }, layout: "table",
		sex: map[string]string{"M": "男", "F": "女"}, ethnic: "汉", number: chineseID, cjk: true,
		validity: func(issue, expiry time.Time) string {
			return issue.Format("2006.01.02") + "-" + expiry.Format("2006.01.02")
		}},
	"GB-DL": {country: "GB", docType: "driving_license", titles: []string{"DRIVING LICENCE", "UNITED KINGDOM"},
		// the EU model's numbered fields
		labels: map[string]string{"surname": "1.", "given": "2.", "birth": "3.", "issue": "4a.", "expiry": "4b.", "authority": "4c.",
			"number": "5."},
		date: func(t time.Time) string { return t.Format("02.01.2006") }, layout: "numbered",
		number: ukLicence},
}

// names to draw from: surnames and given names of the styles' countries,
// with their diacritics.
var (
	genSurnames = []string{"MARTIN", "BERNARD", "DUBOIS", "MÜLLER", "SCHMIDT", "SCHÄFER", "GARCÍA", "MARTÍNEZ", "FERNÁNDEZ", "ROSSI", "BIANCHI",
		"ESPOSITO", "SILVA", "SANTOS", "GONÇALVES", "DE VRIES", "JANSEN", "VAN DIJK", "DELA CRUZ", "REYES", "SANTOSO", "WIJAYA", "NGUYEN", "TRAN",
		"JOHNSON", "WILLIAMS", "O'BRIEN", "SMITH-JONES", "LEFÈVRE", "KOWALSKI", "PEREIRA", "FERREIRA", "COSTA", "RICCI", "BAKKER"}
	genGiven = []string{"CAMILLE", "JEAN PIERRE", "ANNA", "LUKAS", "SOFÍA", "JOSÉ LUIS", "GIULIA", "MARCO", "JOÃO", "INÊS", "DAAN", "EMMA SOPHIE",
		"MARIA CLARA", "JOSE", "BUDI", "SITI", "VAN AN", "THI HOA", "MICHAEL", "JENNIFER", "ÉLODIE", "FRANÇOIS", "ANNE-MARIE", "PEDRO", "LUCA"}
	vnSurnames = []string{"NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "VŨ"}
	vnGiven    = []string{"VĂN AN", "THỊ HOA", "MINH TUẤN", "THU HÀ", "QUỐC BẢO"}
	idNames    = []string{"BUDI SANTOSO", "SITI RAHAYU", "AGUS WIJAYA", "DEWI LESTARI", "RINI PUSPITASARI", "ANDI PRATAMA"}
	cnNames    = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴桂英"}
)

// RandomIDFront draws the truth of one front: a style (cycled by n so every
// style appears), a made-up holder, dates around now.
func RandomIDFront(r *rand.Rand, n int, now time.Time) IDFront {
	name := IDFrontStyles[n%len(IDFrontStyles)]
	st := idStyles[name]
	birth := now.AddDate(-18-r.IntN(60), -r.IntN(12), -r.IntN(28))
	issue := now.AddDate(-r.IntN(9), -r.IntN(12), -r.IntN(28))
	expiry := issue.AddDate(10, 0, -1)
	f := IDFront{Style: name, Country: st.country, DocumentType: st.docType, BirthDate: birth.Format(time.DateOnly),
		Sex: []string{"M", "F"}[r.IntN(2)]}
	if _, ok := st.labels["expiry"]; ok {
		f.ExpiryDate = expiry.Format(time.DateOnly)
	}
	if _, ok := st.labels["issue"]; ok || st.validity != nil {
		f.IssueDate = issue.Format(time.DateOnly)
	}
	switch name {
	case "VN":
		f.FullName = vnSurnames[r.IntN(len(vnSurnames))] + " " + vnGiven[r.IntN(len(vnGiven))]
	case "ID":
		f.FullName = idNames[r.IntN(len(idNames))]
	case "CN":
		f.FullName = cnNames[r.IntN(len(cnNames))]
	default:
		f.Surname = genSurnames[r.IntN(len(genSurnames))]
		f.GivenNames = genGiven[r.IntN(len(genGiven))]
	}
	f.DocumentNumber = st.number(r, f)
	if _, ok := st.labels["sex"]; !ok {
		f.Sex = ""
	}
	if _, ok := st.labels["nationality"]; ok {
		f.Nationality = st.country
	}
	return f
}

var (
	goFontsOnce sync.Once
	goFonts     map[string]*opentype.Font
)

// fonts are the Go fonts (golang.org/x/image/font/gofont): none of them is
// among tesseract's training fonts.
func fonts() map[string]*opentype.Font {
	goFontsOnce.Do(func() {
		goFonts = map[string]*opentype.Font{}
		for name, ttf := range map[string][]byte{"Go Regular": goregular.TTF, "Go Medium": gomedium.TTF, "Go Bold": gobold.TTF, "Go Mono Bold": gomonobold.TTF} {
			f, err := opentype.Parse(ttf)
			if err != nil {
				panic(err) // the fonts are compiled in
			}
			goFonts[name] = f
		}
	})
	return goFonts
}

var valueFonts = []string{"Go Medium", "Go Bold", "Go Mono Bold", "Go Regular"}

// Render draws the front at width px (ID-1 proportions): a tinted
// background with fine guilloche lines, the titles, a portrait, and the
// fields in the style's layout; labels in Go Regular, values in the face
// seeded by seed.
func (f *IDFront) Render(width int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 7))
	st := idStyles[f.Style]
	h := width * 63 / 100
	img := image.NewRGBA(image.Rect(0, 0, width, h))
	bg := color.RGBA{uint8(225 + r.IntN(25)), uint8(225 + r.IntN(25)), uint8(215 + r.IntN(35)), 255}
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	guilloche(img, r)
	s := float64(width) / 1000
	f.Font = valueFonts[r.IntN(len(valueFonts))]
	labelFace := face(fonts()["Go Regular"], 15*s)
	valueFace := face(fonts()[f.Font], 23*s)
	titleFace := face(fonts()["Go Bold"], 26*s)
	drawable := drawable
	if st.cjk {
		// Han in the CJK font, digits and Latin in the Go fonts
		cjk, name, err := CJKFont()
		if err != nil {
			panic(err) // callers check CJKFont first
		}
		f.Font = name + " + " + f.Font
		labelFace = fallbackFace{faces: []font.Face{face(cjk, 15*s), labelFace}, fonts: []*opentype.Font{cjk, fonts()["Go Regular"]}}
		valueFace = fallbackFace{faces: []font.Face{face(cjk, 23*s), valueFace}, fonts: []*opentype.Font{cjk, fonts()[valueFonts[0]]}}
		titleFace = fallbackFace{faces: []font.Face{face(cjk, 26*s), titleFace}, fonts: []*opentype.Font{cjk, fonts()["Go Bold"]}}
		drawable = func(s string) string { return s }
	}
	defer labelFace.Close()
	defer valueFace.Close()
	defer titleFace.Close()
	ink := image.NewUniform(color.RGBA{20, 22, 35, 255})
	labelInk := image.NewUniform(color.RGBA{70, 60, 90, 255})
	// titles, centred
	y := int(45 * s)
	for _, t := range st.titles {
		text := drawable(t)
		w := font.MeasureString(titleFace, text).Ceil()
		(&font.Drawer{Dst: img, Src: ink, Face: titleFace, Dot: fixed.P((width-w)/2, y)}).DrawString(text)
		y += int(36 * s)
	}
	// portrait
	pw, ph := int(230*s), int(290*s)
	draw.Draw(img, image.Rect(int(40*s), y, int(40*s)+pw, y+ph), SyntheticFace(pw, ph), image.Point{}, draw.Src)
	// fields
	x := int(310 * s)
	y += int(20 * s)
	for _, fv := range f.printed(st) {
		label := drawable(fv[0])
		value := drawable(fv[1])
		switch st.layout {
		case "inline":
			d := font.Drawer{Dst: img, Src: labelInk, Face: valueFace, Dot: fixed.P(x, y+int(20*s))}
			d.DrawString(label)
			d.Dot.X = max(d.Dot.X+fixed.I(int(8*s)), fixed.I(x+int(260*s)))
			d.DrawString(": ")
			d.Src = ink
			d.DrawString(value)
			y += int(44 * s)
		case "numbered":
			d := font.Drawer{Dst: img, Src: labelInk, Face: valueFace, Dot: fixed.P(x, y+int(20*s))}
			d.DrawString(label)
			d.Src, d.Dot = ink, fixed.P(x+int(52*s), y+int(20*s))
			d.DrawString(value)
			y += int(42 * s)
		case "table":
			d := font.Drawer{Dst: img, Src: labelInk, Face: labelFace, Dot: fixed.P(x, y+int(20*s))}
			d.DrawString(label)
			d.Src, d.Face, d.Dot = ink, valueFace, fixed.P(x+int(150*s), y+int(20*s))
			d.DrawString(value)
			y += int(42 * s)
		default: // above
			(&font.Drawer{Dst: img, Src: labelInk, Face: labelFace, Dot: fixed.P(x, y+int(14*s))}).DrawString(label)
			(&font.Drawer{Dst: img, Src: ink, Face: valueFace, Dot: fixed.P(x, y+int(42*s))}).DrawString(value)
			y += int(58 * s)
		}
	}
	return img
}

// printed are the style's label and value pairs, in its order.
func (f *IDFront) printed(st idStyle) [][2]string {
	date := func(iso string) string {
		t, _ := time.Parse(time.DateOnly, iso)
		return st.date(t)
	}
	sex := f.Sex
	if v, ok := st.sex[f.Sex]; ok {
		sex = v
	}
	var out [][2]string
	add := func(key, value string) {
		if l, ok := st.labels[key]; ok && value != "" {
			out = append(out, [2]string{l, value})
		}
	}
	add("number", f.DocumentNumber)
	add("surname", f.Surname)
	add("given", f.GivenNames)
	add("full", f.FullName)
	birth := date(f.BirthDate)
	if f.Style == "ID" {
		birth = "JAKARTA, " + birth
	}
	add("birth", birth)
	add("sex", sex)
	add("ethnic", st.ethnic)
	add("nationality", st.nationality)
	if f.IssueDate != "" {
		add("issue", date(f.IssueDate))
	}
	switch {
	case f.ExpiryDate != "" && st.validity != nil:
		issue, _ := time.Parse(time.DateOnly, f.IssueDate)
		expiry, _ := time.Parse(time.DateOnly, f.ExpiryDate)
		add("expiry", st.validity(issue, expiry))
	case f.ExpiryDate != "":
		add("expiry", date(f.ExpiryDate))
	}
	if st.layout == "numbered" {
		// in the fields' order; the birth date with the place, the
		// authority, the number with the card's issue number after it
		add("authority", "DVLA")
		for i, lv := range out {
			switch lv[0] {
			case st.labels["birth"]:
				out[i][1] += " UNITED KINGDOM"
			case st.labels["number"]:
				out[i][1] += fmt.Sprintf(" %02d", 10+len(f.Surname)%80)
			}
		}
		slices.SortStableFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	}
	return out
}

func face(f *opentype.Font, size float64) font.Face {
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(err) // a valid size of a compiled-in font
	}
	return fc
}

var (
	cjkOnce sync.Once
	cjkFont *opentype.Font
	cjkName string
	cjkErr  error
)

// cjkFonts are where Debian installs a font with the Han characters the
// Go font parser reads (fonts-droid-fallback, which scripts/install-assets.sh
// and .ci/run install; Go's sfnt does not read WenQuanYi's collection).
var cjkFonts = []struct{ path, name string }{
	{"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "Droid Sans Fallback"},
}

// CJKFont is the installed font the Chinese style is drawn in, and its
// name; an error when none is installed (the style cannot be drawn).
func CJKFont() (*opentype.Font, string, error) {
	cjkOnce.Do(func() {
		cjkErr = errors.New("no CJK font installed (Debian fonts-droid-fallback)")
		for _, c := range cjkFonts {
			b, err := os.ReadFile(c.path)
			if err != nil {
				continue
			}
			if cjkFont, cjkErr = opentype.Parse(b); cjkErr == nil {
				cjkName = c.name
				return
			}
			cjkErr = fmt.Errorf("%s: %w", c.path, cjkErr)
		}
	})
	return cjkFont, cjkName, cjkErr
}

// fallbackFace draws each character in the first of its faces whose font
// has it (Han in a CJK font, digits in a Go font).
type fallbackFace struct {
	faces []font.Face
	fonts []*opentype.Font
}

func (f fallbackFace) pick(r rune) font.Face {
	var buf sfnt.Buffer
	for i, fn := range f.fonts {
		if gi, err := fn.GlyphIndex(&buf, r); err == nil && gi != 0 {
			return f.faces[i]
		}
	}
	return f.faces[len(f.faces)-1]
}

func (f fallbackFace) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	return f.pick(r).Glyph(dot, r)
}
func (f fallbackFace) GlyphBounds(r rune) (fixed.Rectangle26_6, fixed.Int26_6, bool) {
	return f.pick(r).GlyphBounds(r)
}
func (f fallbackFace) GlyphAdvance(r rune) (fixed.Int26_6, bool) { return f.pick(r).GlyphAdvance(r) }
func (f fallbackFace) Kern(r0, r1 rune) fixed.Int26_6            { return 0 }
func (f fallbackFace) Metrics() font.Metrics                     { return f.faces[0].Metrics() }
func (f fallbackFace) Close() error {
	for _, x := range f.faces {
		x.Close()
	}
	return nil
}

// drawable replaces the letters the Go fonts lack (Vietnamese's stacked
// diacritics, ư, ơ) by their base letter: "Ạ" → "A", "Ư" → "U".
func drawable(s string) string {
	f := fonts()["Go Regular"]
	var buf sfnt.Buffer
	var b strings.Builder
	for _, r := range s {
		if i, err := f.GlyphIndex(&buf, r); err == nil && i != 0 || r == ' ' {
			b.WriteRune(r)
			continue
		}
		base := []rune(norm.NFD.String(string(r)))[0]
		if v, ok := map[rune]rune{'ư': 'u', 'Ư': 'U', 'ơ': 'o', 'Ơ': 'O'}[base]; ok {
			base = v
		}
		b.WriteRune(base)
	}
	return b.String()
}

// guilloche draws fine, light sine curves over the background.
func guilloche(img *image.RGBA, r *rand.Rand) {
	b := img.Bounds()
	c := color.RGBA{uint8(170 + r.IntN(50)), uint8(170 + r.IntN(50)), uint8(190 + r.IntN(50)), 255}
	for k := range 14 {
		amp := float64(b.Dy()) / (6 + float64(k))
		freq := (1.5 + r.Float64()*3) * 2 * math.Pi / float64(b.Dx())
		phase := r.Float64() * 2 * math.Pi
		base := float64(b.Dy()) * (0.1 + 0.8*r.Float64())
		for x := b.Min.X; x < b.Max.X; x++ {
			y := int(base + amp*math.Sin(freq*float64(x)+phase))
			if y >= b.Min.Y && y < b.Max.Y {
				img.SetRGBA(x, y, c)
			}
		}
	}
}
