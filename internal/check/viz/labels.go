package viz

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/openkyc/openkyc/internal/check/docdata"
)

// Fields a printed zone may label.
const (
	FieldSurname        = "surname"
	FieldGivenNames     = "given_names"
	FieldFullName       = "full_name" // one label for the whole name ("Name", "Nama", "Họ và tên", "姓名")
	FieldBirthDate      = "date_of_birth"
	FieldExpiryDate     = "date_of_expiry"
	FieldIssueDate      = "date_of_issue"
	FieldDocumentNumber = "document_number"
	FieldSex            = "sex"
	FieldNationality    = "nationality"
	FieldAddress        = "address"
	// fieldOther labels a value the reader does not take (place of birth,
	// authority, height…); knowing it keeps that value from being taken
	// for a neighbouring field's.
	fieldOther = "other"
)

// Languages the label dictionaries cover (ISO 639-1), and the tesseract
// model of each.
var Languages = map[string]string{
	"en": "eng", "fr": "fra", "es": "spa", "de": "deu", "pt": "por", "it": "ita", "nl": "nld",
	"fil": "fil", "id": "ind", "vi": "vie", "zh": "chi_sim",
}

// labels are the printed labels of each field, per language, as fold
// writes them (lower case, no diacritics, letters and digits only
// between single spaces). A phrase of up to three characters matches only
// a whole word, exactly.
var labels = []struct {
	field, lang string
	phrases     []string
}{
	{FieldSurname, "en", []string{"surname", "last name", "family name", "ln"}},
	{FieldSurname, "fr", []string{"nom", "nom de famille", "nom d usage"}},
	{FieldSurname, "es", []string{"apellidos", "apellido", "primer apellido", "segundo apellido"}},
	{FieldSurname, "de", []string{"familienname", "nachname", "name"}},
	{FieldSurname, "pt", []string{"apelido", "apelidos", "apelido s", "sobrenome"}},
	{FieldSurname, "it", []string{"cognome"}},
	{FieldSurname, "nl", []string{"achternaam", "geslachtsnaam", "naam"}},
	{FieldSurname, "fil", []string{"apelyido", "huling pangalan"}},
	{FieldSurname, "id", []string{"nama keluarga"}},
	{FieldSurname, "vi", []string{"ho"}},
	{FieldSurname, "zh", []string{"姓"}},

	{FieldGivenNames, "en", []string{"given names", "given name", "first name", "first names", "forenames", "forename", "fn"}},
	{FieldGivenNames, "fr", []string{"prenoms", "prenom", "prenom s"}},
	{FieldGivenNames, "es", []string{"nombre", "nombres"}},
	{FieldGivenNames, "de", []string{"vornamen", "vorname"}},
	{FieldGivenNames, "pt", []string{"nome", "nomes", "nome s", "nome proprio", "nomes proprios"}},
	{FieldGivenNames, "it", []string{"nome", "nomi"}},
	{FieldGivenNames, "nl", []string{"voornamen", "voornaam"}},
	{FieldGivenNames, "fil", []string{"mga pangalan", "unang pangalan", "pangalan"}},
	{FieldGivenNames, "id", []string{"nama depan"}},
	{FieldGivenNames, "vi", []string{"ten"}},
	{FieldGivenNames, "zh", []string{"名"}},

	{FieldFullName, "en", []string{"name", "full name", "names", "holder"}},
	{FieldFullName, "id", []string{"nama", "nama lengkap"}},
	{FieldFullName, "vi", []string{"ho va ten", "ho ten", "ho ten khai sinh"}},
	{FieldFullName, "zh", []string{"姓名"}},

	{FieldBirthDate, "en", []string{"date of birth", "birth date", "birthdate", "dob", "born"}},
	{FieldBirthDate, "fr", []string{"date de naissance", "ne le", "nee le", "ne e le"}},
	{FieldBirthDate, "es", []string{"fecha de nacimiento", "fecha nacimiento", "fecha de nac", "fecha nac", "nacimiento"}},
	{FieldBirthDate, "de", []string{"geburtsdatum", "geboren am", "geburtstag"}},
	{FieldBirthDate, "pt", []string{"data de nascimento", "nascimento"}},
	{FieldBirthDate, "it", []string{"data di nascita", "nascita", "luogo e data di nascita"}},
	{FieldBirthDate, "nl", []string{"geboortedatum", "geboren op"}},
	{FieldBirthDate, "fil", []string{"petsa ng kapanganakan", "kapanganakan", "araw ng kapanganakan"}},
	{FieldBirthDate, "id", []string{"tanggal lahir", "tempat tgl lahir", "tempat tanggal lahir", "tgl lahir", "lahir"}},
	{FieldBirthDate, "vi", []string{"ngay sinh", "ngay thang nam sinh", "sinh ngay"}},
	{FieldBirthDate, "zh", []string{"出生", "出生日期"}},

	{FieldExpiryDate, "en", []string{"date of expiry", "expiry date", "expiry", "expires", "expiration date", "exp", "valid until", "valid thru", "valid to"}},
	{FieldExpiryDate, "fr", []string{"date d expiration", "date dexpiration", "expire le", "valable jusqu au", "date de fin de validite", "fin de validite"}},
	{FieldExpiryDate, "es", []string{"fecha de caducidad", "caducidad", "valido hasta", "fecha de vencimiento", "vencimiento", "fecha de expiracion"}},
	{FieldExpiryDate, "de", []string{"gultig bis", "ablaufdatum", "gueltig bis"}},
	{FieldExpiryDate, "pt", []string{"data de validade", "validade", "valido ate"}},
	{FieldExpiryDate, "it", []string{"data di scadenza", "scadenza", "valida fino al"}},
	{FieldExpiryDate, "nl", []string{"geldig tot", "vervaldatum", "einde geldigheid"}},
	{FieldExpiryDate, "fil", []string{"petsa ng pagkawalang bisa", "pagkawalang bisa", "bisa hanggang"}},
	{FieldExpiryDate, "id", []string{"berlaku hingga", "berlaku sampai", "berlaku s d"}},
	{FieldExpiryDate, "vi", []string{"co gia tri den", "gia tri den", "ngay het han"}},
	{FieldExpiryDate, "zh", []string{"有效期至", "有效期限"}},

	{FieldIssueDate, "en", []string{"date of issue", "issue date", "issued", "date issued", "iss", "issued on"}},
	{FieldIssueDate, "fr", []string{"date de delivrance", "delivre le", "delivree le", "date d emission"}},
	{FieldIssueDate, "es", []string{"fecha de expedicion", "fecha de emision", "expedicion", "emision", "expedido"}},
	{FieldIssueDate, "de", []string{"ausstellungsdatum", "ausgestellt am", "datum der ausstellung"}},
	{FieldIssueDate, "pt", []string{"data de emissao", "emissao", "data de emisao"}},
	{FieldIssueDate, "it", []string{"data di rilascio", "rilascio", "data di emissione", "emissione"}},
	{FieldIssueDate, "nl", []string{"datum van afgifte", "afgiftedatum", "afgegeven op"}},
	{FieldIssueDate, "fil", []string{"petsa ng pagkakaloob", "petsa ng pagkakaisyu", "petsa ng paglabas"}},
	{FieldIssueDate, "id", []string{"tanggal dikeluarkan", "dikeluarkan", "tanggal terbit", "diterbitkan"}},
	{FieldIssueDate, "vi", []string{"ngay cap", "ngay thang nam cap"}},
	{FieldIssueDate, "zh", []string{"签发日期", "发证日期"}},

	{FieldDocumentNumber, "en", []string{"document no", "document number", "doc no", "passport no", "passport number", "card no", "card number", "id no", "id number", "licence no", "license no", "licence number", "license number", "dl", "dl no", "no", "number", "lic no"}},
	{FieldDocumentNumber, "fr", []string{"n de passeport", "numero", "n du document", "no du document", "numero du document", "n de la carte", "n", "n d identification"}},
	{FieldDocumentNumber, "es", []string{"num", "num soporte", "numero de soporte", "n de documento", "numero de documento", "num documento", "documento n"}},
	{FieldDocumentNumber, "de", []string{"ausweisnummer", "dokumentennummer", "pass nr", "passnummer", "kartennummer", "nr", "nummer", "ausweis nr"}},
	{FieldDocumentNumber, "pt", []string{"n documento", "numero do documento", "documento n", "n do documento", "n de documento"}},
	{FieldDocumentNumber, "it", []string{"numero documento", "n documento", "carta n", "numero carta"}},
	{FieldDocumentNumber, "nl", []string{"documentnummer", "kaartnummer", "paspoortnummer", "nummer"}},
	{FieldDocumentNumber, "fil", []string{"numero ng dokumento", "blg", "numero ng lisensya", "license no", "pcn", "philsys card number"}},
	{FieldDocumentNumber, "id", []string{"nik", "nomor", "no identitas"}},
	{FieldDocumentNumber, "vi", []string{"so", "so cccd", "so cmnd"}},
	{FieldDocumentNumber, "zh", []string{"公民身份号码", "证件号码", "号码"}},

	{FieldSex, "en", []string{"sex", "gender"}},
	{FieldSex, "fr", []string{"sexe"}},
	{FieldSex, "es", []string{"sexo"}},
	{FieldSex, "de", []string{"geschlecht"}},
	{FieldSex, "pt", []string{"sexo"}},
	{FieldSex, "it", []string{"sesso"}},
	{FieldSex, "nl", []string{"geslacht"}},
	{FieldSex, "fil", []string{"kasarian"}},
	{FieldSex, "id", []string{"jenis kelamin"}},
	{FieldSex, "vi", []string{"gioi tinh"}},
	{FieldSex, "zh", []string{"性别"}},

	{FieldNationality, "en", []string{"nationality", "citizenship"}},
	{FieldNationality, "fr", []string{"nationalite"}},
	{FieldNationality, "es", []string{"nacionalidad"}},
	{FieldNationality, "de", []string{"staatsangehorigkeit", "staatsangehoerigkeit"}},
	{FieldNationality, "pt", []string{"nacionalidade"}},
	{FieldNationality, "it", []string{"cittadinanza", "nazionalita"}},
	{FieldNationality, "nl", []string{"nationaliteit"}},
	{FieldNationality, "fil", []string{"nasyonalidad", "pagkamamamayan"}},
	{FieldNationality, "id", []string{"kewarganegaraan"}},
	{FieldNationality, "vi", []string{"quoc tich"}},
	{FieldNationality, "zh", []string{"国籍"}},

	{FieldAddress, "en", []string{"address", "addr"}},
	{FieldAddress, "fr", []string{"adresse", "domicile"}},
	{FieldAddress, "es", []string{"domicilio", "direccion"}},
	{FieldAddress, "de", []string{"anschrift", "wohnort", "adresse"}},
	{FieldAddress, "pt", []string{"morada", "endereco", "residencia"}},
	{FieldAddress, "it", []string{"residenza", "indirizzo"}},
	{FieldAddress, "nl", []string{"adres", "woonplaats"}},
	{FieldAddress, "fil", []string{"tirahan"}},
	{FieldAddress, "id", []string{"alamat"}},
	{FieldAddress, "vi", []string{"noi thuong tru", "noi cu tru", "thuong tru"}},
	{FieldAddress, "zh", []string{"住址"}},

	{fieldOther, "en", []string{"place of birth", "issuing authority", "authority", "type", "code", "issuing country", "height", "hgt", "weight", "wgt", "eyes", "hair", "class", "restrictions", "rstr", "endorsements", "end", "signature", "holder s signature", "personal no", "personal number", "middle name", "gitnang apelyido", "country code", "issuing state", "place of issue", "blood type", "occupation", "marital status", "religion", "donor", "veteran", "dd"}},
	{fieldOther, "fr", []string{"lieu de naissance", "autorite", "taille", "pays emetteur", "code du pays", "signature du titulaire", "lieu de delivrance", "type"}},
	{fieldOther, "es", []string{"lugar de nacimiento", "autoridad", "estatura", "tipo", "firma", "lugar de expedicion", "dni", "equipo"}},
	{fieldOther, "de", []string{"geburtsort", "behorde", "behoerde", "grosse", "groesse", "augenfarbe", "typ", "unterschrift", "ausstellungsort"}},
	{fieldOther, "pt", []string{"local de nascimento", "altura", "autoridade", "filiacao", "assinatura", "tipo", "naturalidade"}},
	{fieldOther, "it", []string{"luogo di nascita", "statura", "autorita", "comune di", "firma", "codice fiscale", "tipo"}},
	{fieldOther, "nl", []string{"geboorteplaats", "lengte", "autoriteit", "handtekening", "persoonsnummer", "soort"}},
	{fieldOther, "fil", []string{"lugar ng kapanganakan", "taas", "timbang", "lagda", "uri ng dugo"}},
	{fieldOther, "id", []string{"tempat lahir", "agama", "pekerjaan", "status perkawinan", "gol darah", "rt rw", "kel desa", "kecamatan", "provinsi", "kabupaten"}},
	{fieldOther, "vi", []string{"que quan", "noi sinh", "dac diem nhan dang"}},
	{fieldOther, "zh", []string{"民族", "签发机关", "出生地"}},
}

// labelPhrase is one phrase of the dictionary, folded, without spaces.
type labelPhrase struct {
	field, lang string
	text        string // folded, spaces removed
	runes       []rune
	short       bool // up to three characters: whole words, exactly
}

var phrases = func() []labelPhrase {
	var out []labelPhrase
	for _, l := range labels {
		for _, p := range l.phrases {
			t := strings.ReplaceAll(fold(p), " ", "")
			r := []rune(t)
			out = append(out, labelPhrase{field: l.field, lang: l.lang, text: t, runes: r, short: len(r) <= 3})
		}
	}
	return out
}()

// fold lower-cases s, removes diacritics (đ → d), and keeps letters and
// digits, every run of anything else becoming one space.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'đ':
			r = 'd'
		case r == 'ß':
			b.WriteString("ss")
			space = false
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// labelLike says text reads nearly as a label phrase of the dictionaries
// (of four characters or more): at most one edit in four characters, after
// OCR's confusions are folded ("Giver names" for "Given names").
func labelLike(text string) bool {
	t := []rune(ocrFold.Replace(strings.ReplaceAll(fold(text), " ", "")))
	if len(t) < 4 {
		return false
	}
	for _, p := range phrases {
		if p.short || absInt(len(p.runes)-len(t)) > len(t)/4 {
			continue
		}
		if docdata.Levenshtein([]rune(ocrFold.Replace(p.text)), t) <= max(1, len(p.runes)/4) {
			return true
		}
	}
	return false
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ocrFold folds the confusions OCR makes on small print (rn read for m,
// vv for w, 0 for o, 1 and | for l) on both sides of a label comparison.
var ocrFold = strings.NewReplacer("rn", "m", "vv", "w", "0", "o", "1", "l", "5", "s", "cl", "d")

// docTypeKeywords are the titles that name a document's type, folded.
var docTypeKeywords = []struct {
	docType  string
	keywords []string
}{
	{"passport", []string{"passport", "passeport", "pasaporte", "reisepass", "passaporte", "passaporto", "paspoort", "pasaporte", "paspor", "ho chieu", "护照"}},
	{"driving_license", []string{"driver license", "driver s license", "drivers license", "driving licence", "driving license", "driver licence", "permis de conduire", "licencia de conducir", "licencia de conduccion", "permiso de conduccion", "permiso de conducir", "fuhrerschein", "fuehrerschein", "carta de conducao", "carteira nacional de habilitacao", "patente di guida", "rijbewijs", "lisensya sa pagmamaneho", "surat izin mengemudi", "giay phep lai xe", "驾驶证", "机动车驾驶证"}},
	{"residence_permit", []string{"residence permit", "residence card", "permanent resident", "titre de sejour", "carte de sejour", "carte de resident", "permiso de residencia", "tarjeta de residencia", "aufenthaltstitel", "aufenthaltserlaubnis", "autorizacao de residencia", "titulo de residencia", "permesso di soggiorno", "verblijfsvergunning", "izin tinggal", "the tam tru", "居留证"}},
	// the Indonesian e-KTP prints no type: its title is the province ("PROVINSI …")
	{"id_card", []string{"identity card", "national identity card", "carte nationale d identite", "carte d identite", "documento nacional de identidad", "cedula de identidad", "personalausweis", "identitatskarte", "cartao de cidadao", "bilhete de identidade", "carta d identita", "carta di identita", "identiteitskaart", "identiteitsbewijs", "identity document", "kartu tanda penduduk", "provinsi", "can cuoc cong dan", "can cuoc", "chung minh nhan dan", "居民身份证", "national id", "philippine identification card", "pambansang pagkakakilanlan", "identification card", "id card"}},
}

// countryKeywords name an issuing country in the printed zone, folded.
var countryKeywords = []struct {
	country  string
	keywords []string
}{
	{"FR", []string{"republique francaise", "france"}},
	{"DE", []string{"bundesrepublik deutschland", "deutschland", "federal republic of germany"}},
	{"ES", []string{"reino de espana", "espana", "kingdom of spain"}},
	{"PT", []string{"republica portuguesa", "portugal"}},
	{"IT", []string{"repubblica italiana", "italia"}},
	{"NL", []string{"koninkrijk der nederlanden", "nederland", "kingdom of the netherlands"}},
	{"BE", []string{"belgique", "belgie", "belgien", "belgium", "royaume de belgique"}},
	{"AT", []string{"republik osterreich", "osterreich", "republic of austria"}},
	{"CH", []string{"schweizerische eidgenossenschaft", "confederation suisse", "schweiz", "suisse", "svizzera"}},
	{"LU", []string{"grand duche de luxembourg", "luxembourg"}},
	{"PH", []string{"republika ng pilipinas", "republic of the philippines", "philippines", "pilipinas"}},
	{"ID", []string{"republik indonesia", "indonesia"}},
	{"VN", []string{"cong hoa xa hoi chu nghia viet nam", "socialist republic of viet nam", "viet nam", "vietnam"}},
	{"CN", []string{"中华人民共和国", "people s republic of china"}},
	{"MX", []string{"estados unidos mexicanos", "mexico"}},
	{"BR", []string{"republica federativa do brasil", "brasil"}},
	{"AR", []string{"republica argentina", "argentina"}},
	{"CO", []string{"republica de colombia", "colombia"}},
	{"GB", []string{"united kingdom of great britain and northern ireland", "united kingdom"}},
	{"CA", []string{"canada"}},
	{"US", []string{"united states of america", "usa", "california", "texas", "new york", "florida", "illinois", "pennsylvania", "ohio", "michigan", "north carolina", "new jersey", "virginia", "arizona", "massachusetts", "tennessee", "indiana", "maryland", "colorado", "minnesota", "wisconsin", "oregon", "nevada",
		"alabama", "alaska", "arkansas", "connecticut", "delaware", "hawaii", "idaho", "iowa", "kansas", "kentucky", "louisiana", "maine",
		"mississippi", "missouri", "montana", "nebraska", "new hampshire", "new mexico", "north dakota", "oklahoma", "rhode island",
		"south carolina", "south dakota", "utah", "vermont", "west virginia", "wyoming", "district of columbia"}},
}

// countryLanguages are the languages a country's documents print their
// labels in besides English (ISO 639-1, Languages' keys).
var countryLanguages = map[string][]string{
	"FR": {"fr"}, "BE": {"fr", "nl", "de"}, "LU": {"fr", "de"}, "CH": {"de", "fr", "it"}, "MC": {"fr"},
	"DE": {"de"}, "AT": {"de"}, "LI": {"de"},
	"ES": {"es"}, "MX": {"es"}, "AR": {"es"}, "CO": {"es"}, "CL": {"es"}, "PE": {"es"}, "EC": {"es"}, "VE": {"es"}, "UY": {"es"}, "BO": {"es"}, "PY": {"es"}, "CR": {"es"}, "GT": {"es"}, "DO": {"es"},
	"PT": {"pt"}, "BR": {"pt"}, "AO": {"pt"}, "MZ": {"pt"},
	"IT": {"it"}, "SM": {"it"},
	"NL": {"nl"}, "SR": {"nl"},
	"PH": {"fil"}, "ID": {"id"}, "VN": {"vi"}, "CN": {"zh"}, "SG": {"zh"},
	"CA": {"fr"},
}

// dateOrders are the orders countries print numeric dates in, where not
// day-month-year.
var dateOrders = map[string]string{
	"US": "MDY", "PH": "MDY", "FM": "MDY", "PW": "MDY", "MH": "MDY",
	"CN": "YMD", "TW": "YMD", "JP": "YMD", "KR": "YMD", "HU": "YMD", "LT": "YMD", "MN": "YMD", "IR": "YMD",
}
