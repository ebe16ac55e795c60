package barcode

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NationalID is the identity data of a national identity card's QR code,
// in a layout its issuer made public.
type NationalID struct {
	Format         string `json:"format"`  // FormatVNCitizenID
	Country        string `json:"country"` // issuing country, alpha-2
	DocumentNumber string `json:"document_number"`
	OldNumber      string `json:"old_number,omitempty"` // the identity card number it replaced
	FullName       string `json:"full_name"`
	DateOfBirth    string `json:"date_of_birth"` // YYYY-MM-DD
	Sex            string `json:"sex,omitempty"` // M or F
	Address        string `json:"address,omitempty"`
	DateOfIssue    string `json:"date_of_issue,omitempty"`
}

// FormatVNCitizenID is the QR code of Vietnam's chip-based citizen identity
// card (Căn cước công dân, 2021) and its 2024 successor: fields separated by
// "|" — the 12-digit number, the 9-digit identity card number it replaced
// (or empty), the full name, the birth date (DDMMYYYY), the sex (Nam/Nữ),
// the permanent address and the date of issue (DDMMYYYY).
const FormatVNCitizenID = "vn_citizen_id"

// ErrNotNational says a code's text is not a national format known here.
var ErrNotNational = errors.New("not a known national identity QR code")

// maxNational bounds the text parsed (the Vietnamese code holds about 150
// bytes; a QR code holds at most about 3 KB).
const maxNational = 1024

// ParseNational reads a QR code's text as a national identity format:
// ErrNotNational when it is none, another error when it is one whose
// fields do not hold (naming the field, never its value: the error is
// evidence in the clear).
func ParseNational(text string) (NationalID, error) {
	if len(text) > maxNational || !utf8.ValidString(text) || strings.Count(text, "|") < 6 {
		return NationalID{}, ErrNotNational
	}
	f := strings.Split(strings.TrimRight(text, "\r\n"), "|")
	// the number's first three digits are the province, 001–096
	if len(f) < 7 || len(f) > 10 || len(f[0]) != 12 || !digits(f[0]) || f[0][0] != '0' {
		return NationalID{}, ErrNotNational
	}
	n := NationalID{Format: FormatVNCitizenID, Country: "VN", DocumentNumber: f[0], OldNumber: f[1], FullName: strings.Join(strings.Fields(f[2]), " "),
		Address: strings.Join(strings.Fields(f[5]), " ")}
	var err error
	if n.OldNumber != "" && (len(n.OldNumber) != 9 && len(n.OldNumber) != 12 || !digits(n.OldNumber)) {
		return n, errors.New("vn citizen id: the old number is not 9 or 12 digits")
	}
	if n.FullName == "" || utf8.RuneCountInString(n.FullName) > 100 || strings.ContainsFunc(n.FullName, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != ' ' && r != '-' && r != '\''
	}) {
		return n, errors.New("vn citizen id: the name is empty, too long or not letters")
	}
	if n.DateOfBirth, err = ddmmyyyy(f[3]); err != nil {
		return n, fmt.Errorf("vn citizen id: birth date: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(f[4])) {
	case "nam":
		n.Sex = "M"
	case "nữ", "nu":
		n.Sex = "F"
	default:
		return n, errors.New("vn citizen id: the sex is neither Nam nor Nữ")
	}
	if n.DateOfIssue, err = ddmmyyyy(f[6]); err != nil {
		return n, fmt.Errorf("vn citizen id: date of issue: %w", err)
	}
	return n, nil
}

// ddmmyyyy reads a date written DDMMYYYY as YYYY-MM-DD.
func ddmmyyyy(s string) (string, error) {
	t, err := time.Parse("02012006", strings.TrimSpace(s))
	if err != nil {
		return "", errors.New("not a date DDMMYYYY")
	}
	return t.Format(time.DateOnly), nil
}
