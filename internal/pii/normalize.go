// Package pii validates and normalises personal data as it arrives, and
// derives the normalised keys whose keyed hashes find duplicates and
// blocklist matches.
package pii

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Normalize validates every present field and returns the canonical form:
// trimmed NFC names, ISO alpha-2 countries, lower-case e-mail, E.164 phone,
// upper-case document number. Errors name the wire field and the rule.
func Normalize(in kyc.PII, now time.Time) (kyc.PII, error) {
	out := kyc.PII{}
	var err error
	if out.FirstName, err = name("first_name", in.FirstName); err != nil {
		return out, err
	}
	if out.LastName, err = name("last_name", in.LastName); err != nil {
		return out, err
	}
	if out.DateOfBirth, err = birthDate(in.DateOfBirth, now); err != nil {
		return out, err
	}
	if out.Nationality, err = country("nationality", in.Nationality); err != nil {
		return out, err
	}
	if out.Email, err = email(in.Email); err != nil {
		return out, err
	}
	if out.DocumentNumber, err = documentNumber(in.DocumentNumber); err != nil {
		return out, err
	}
	if in.DocumentExpiry != "" {
		d, err := time.Parse(time.DateOnly, in.DocumentExpiry)
		if err != nil || d.Year() < 1950 || d.Year() > 2200 {
			return out, kyc.Invalid("document_expiry", "format", "document_expiry must be a date as YYYY-MM-DD")
		}
		out.DocumentExpiry = d.Format(time.DateOnly)
	}
	if in.DocumentType != "" {
		if !slices.Contains(kyc.DocumentTypes, in.DocumentType) {
			return out, kyc.Invalid("document_type", "enum", "document_type must be one of %s", strings.Join(kyc.DocumentTypes, ", "))
		}
		out.DocumentType = in.DocumentType
	}
	if out.DocumentCountry, err = country("document_country", in.DocumentCountry); err != nil {
		return out, err
	}
	if in.Address != nil {
		a := *in.Address
		var addr kyc.Address
		if addr.Line1, err = text("address.line1", a.Line1, 200); err != nil {
			return out, err
		}
		if addr.City, err = text("address.city", a.City, 100); err != nil {
			return out, err
		}
		if addr.State, err = text("address.state", a.State, 100); err != nil {
			return out, err
		}
		if addr.PostalCode, err = text("address.postal_code", a.PostalCode, 20); err != nil {
			return out, err
		}
		if addr.Country, err = country("address.country", a.Country); err != nil {
			return out, err
		}
		if addr != (kyc.Address{}) {
			out.Address = &addr
		}
	}
	region := out.Nationality
	if out.Address != nil && out.Address.Country != "" {
		region = out.Address.Country
	}
	if out.Phone, err = phone(in.Phone, region); err != nil {
		return out, err
	}
	return out, nil
}

// ExternalID validates a merchant-chosen key (external_user_id, reference):
// control and format characters are refused by kyc.CheckIdentifier.
func ExternalID(field, s string) (string, error) {
	if s == "" {
		return "", kyc.Invalid(field, "required", "%s is required", field)
	}
	if len(s) > 128 {
		return "", kyc.Invalid(field, "max_length", "%s must be at most 128 bytes", field)
	}
	if err := kyc.CheckIdentifier(field, s); err != nil {
		return "", err
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", kyc.Invalid(field, "format", "%s must be printable characters without spaces", field)
		}
	}
	return s, nil
}

func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(norm.NFC.String(s))
	if !utf8.ValidString(s) {
		return "", kyc.Invalid(field, "format", "%s must be valid UTF-8", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", kyc.Invalid(field, "max_length", "%s must be at most %d characters", field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", kyc.Invalid(field, "format", "%s must not contain control characters", field)
		}
	}
	return s, nil
}

func name(field, s string) (string, error) {
	s, err := text(field, s, 100)
	if err != nil || s == "" {
		return s, err
	}
	hasLetter := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			hasLetter = true
		case r == ' ' || r == '-' || r == '\'' || r == '.' || r == ',' || r == '’':
		default:
			return "", kyc.Invalid(field, "format", "%s may contain letters, spaces, hyphens, apostrophes and dots only", field)
		}
	}
	if !hasLetter {
		return "", kyc.Invalid(field, "format", "%s must contain a letter", field)
	}
	return strings.Join(strings.Fields(s), " "), nil
}

func birthDate(s string, now time.Time) (string, error) {
	if s == "" {
		return "", nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", kyc.Invalid("date_of_birth", "format", "date_of_birth must be a date as YYYY-MM-DD")
	}
	if d.After(now) {
		return "", kyc.Invalid("date_of_birth", "range", "date_of_birth must not be in the future")
	}
	if d.Year() < 1900 {
		return "", kyc.Invalid("date_of_birth", "range", "date_of_birth must be in 1900 or later")
	}
	return d.Format(time.DateOnly), nil
}

// Country normalises an ISO 3166-1 alpha-2 or alpha-3 code to alpha-2.
func Country(field, s string) (string, error) { return country(field, s) }

func country(field, s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	bad := kyc.Invalid(field, "iso3166", "%s must be an ISO 3166-1 alpha-2 or alpha-3 country code", field)
	if (len(s) != 2 && len(s) != 3) || strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "", bad
	}
	r, err := language.ParseRegion(s)
	if err != nil || !r.IsCountry() {
		return "", bad
	}
	return r.String(), nil
}

func email(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if err := kyc.CheckIdentifier("email", s); err != nil {
		return "", err
	}
	bad := kyc.Invalid("email", "format", "email must be an e-mail address such as name@example.com")
	if len(s) > 254 {
		return "", kyc.Invalid("email", "max_length", "email must be at most 254 characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") {
		return "", bad
	}
	return s[:at] + "@" + strings.ToLower(s[at+1:]), nil
}

// Phone normalises a phone number to E.164, reading national numbers in region.
func Phone(s, region string) (string, error) { return phone(s, region) }

func phone(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > 32 {
		return "", kyc.Invalid("phone", "max_length", "phone must be at most 32 characters")
	}
	if region == "" {
		region = "ZZ"
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", kyc.Invalid("phone", "e164", "phone must be a valid number in international format such as +14155550123")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// MaxDocumentNumber is the longest document number, in characters (the
// card-binding seed's "Maximum 128 characters"; ICAO numbers are 9).
const MaxDocumentNumber = 128

// documentNumber upper-cases a document number as printed: up to
// MaxDocumentNumber characters, none of them a control or format character
// (which would display as other text). Duplicate search compares its letters
// and digits only (DocumentNumberKey).
func documentNumber(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", kyc.Invalid("document_number", "format", "document_number must be UTF-8 text")
	}
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if utf8.RuneCountInString(s) > MaxDocumentNumber {
		return "", kyc.Invalid("document_number", "max_length", "document_number must be at most %d characters", MaxDocumentNumber)
	}
	if err := kyc.CheckIdentifier("document_number", s); err != nil {
		return "", err
	}
	return s, nil
}

// Lookup keys: the normalised forms whose keyed hashes find duplicates.

// EmailKey is the whole address lower-cased.
func EmailKey(email string) string { return strings.ToLower(email) }

// DocumentNumberKey is what duplicate search, the blocklist and the MRZ
// comparison see of a document number: its letters and digits, of any
// script, NFKC-folded (a full-width digit is the digit) and upper-cased;
// spaces and punctuation dropped. Numbers of Latin letters and digits keep
// the keys they always had.
func DocumentNumberKey(n string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, strings.ToUpper(norm.NFKC.String(n)))
}

// NameKey is a name folded for matching: accents removed, lower case, only
// letters and single spaces.
func NameKey(name string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, name)
	if err != nil {
		folded = name
	}
	folded = strings.ToLower(folded)
	folded = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return ' '
	}, folded)
	return strings.Join(strings.Fields(folded), " ")
}
