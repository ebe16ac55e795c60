// Package barcode reads the barcodes of identity documents: the PDF417 of
// North American driver's licences and ID cards (the AAMVA DL/ID card
// design standard) and QR codes, decoded by zxing-cpp's ZXingReader.
package barcode

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// License is the identity data of an AAMVA DL/ID barcode.
type License struct {
	IIN                 string   `json:"iin"`                      // issuer identification number (6 digits)
	Version             int      `json:"version"`                  // AAMVA standard version (01–10)
	JurisdictionVersion int      `json:"jurisdiction_version"`     // the issuer's own version (0 for version 01)
	Subfiles            []string `json:"subfiles"`                 // DL, ID, and the issuer's Z? subfiles
	DocumentNumber      string   `json:"document_number"`          // DAQ
	Surname             string   `json:"surname"`                  // DCS (DAB, or DAA's first part, in old versions)
	GivenNames          string   `json:"given_names"`              // DAC and DAD (DCT in old versions)
	DateOfBirth         string   `json:"date_of_birth,omitempty"`  // DBB, YYYY-MM-DD
	DateOfExpiry        string   `json:"date_of_expiry,omitempty"` // DBA
	DateOfIssue         string   `json:"date_of_issue,omitempty"`  // DBD
	Sex                 string   `json:"sex,omitempty"`            // DBC: M, F or X
	Street              string   `json:"street,omitempty"`         // DAG
	City                string   `json:"city,omitempty"`           // DAI
	State               string   `json:"state,omitempty"`          // DAJ, the jurisdiction's code
	PostalCode          string   `json:"postal_code,omitempty"`    // DAK, fillers trimmed
	Country             string   `json:"country,omitempty"`        // DCG: USA or CAN
	// Elements are every data element of the DL or ID subfile by its
	// three-letter id, as encoded (trailing spaces trimmed).
	Elements map[string]string `json:"elements"`
}

// Address is the holder's address on one line: street, city, state and
// postal code.
func (l License) Address() string {
	return JoinAddress(l.Street, l.City, l.State, l.PostalCode)
}

// JoinAddress writes an address on one line ("1234 ANY STREET, CITY, CA
// 00000"), leaving out the parts that are empty.
func JoinAddress(street, city, state, postalCode string) string {
	parts := slices.DeleteFunc([]string{street, city, strings.TrimSpace(state + " " + postalCode)}, func(s string) bool { return s == "" })
	return strings.Join(parts, ", ")
}

// ErrNotAAMVA says the text is not an AAMVA DL/ID barcode.
var ErrNotAAMVA = errors.New("not an AAMVA DL/ID barcode")

// MaxAAMVA bounds the text parsed (a PDF417 holds at most about 1.1 KB of
// text; the bound leaves room for binary-mode encodings).
const MaxAAMVA = 4096

// ParseAAMVA reads an AAMVA DL/ID barcode's text: the header (compliance
// indicator, separators, file type, IIN, versions, subfile designators)
// and the DL or ID subfile's data elements. Offsets in the designators are
// honoured when they point at their subfile and searched for otherwise
// (issuers get them wrong). A text that is not AAMVA is ErrNotAAMVA; a
// malformed one an error naming what is wrong.
func ParseAAMVA(text []byte) (License, error) {
	var l License
	if len(text) > MaxAAMVA {
		return l, fmt.Errorf("aamva: %d bytes, more than %d", len(text), MaxAAMVA)
	}
	// Some encoders drop or change the separators after "@".
	start := bytes.IndexByte(text, '@')
	ft := bytes.Index(text, []byte("ANSI "))
	if ft < 0 {
		ft = bytes.Index(text, []byte("AAMVA"))
	}
	if start != 0 || ft < 0 || ft > 8 {
		return l, ErrNotAAMVA
	}
	h := text[ft+5:]
	num := func(b []byte) (int, bool) {
		if !digits(string(b)) {
			return 0, false
		}
		n, err := strconv.Atoi(string(b))
		return n, err == nil
	}
	if len(h) < 10 {
		return l, errors.New("aamva: header cut short")
	}
	l.IIN = string(h[:6])
	if !digits(l.IIN) {
		return l, fmt.Errorf("aamva: IIN %q is not 6 digits", h[:6])
	}
	v, ok := num(h[6:8])
	if !ok || v < 1 || v > 99 {
		return l, fmt.Errorf("aamva: version %q is not a number", h[6:8])
	}
	l.Version = v
	p := 8
	if v >= 2 {
		if l.JurisdictionVersion, ok = num(h[8:10]); !ok {
			return l, fmt.Errorf("aamva: jurisdiction version %q is not a number", h[8:10])
		}
		p = 10
	}
	if len(h) < p+2 {
		return l, errors.New("aamva: header cut short")
	}
	n, ok := num(h[p : p+2])
	if !ok || n < 1 || n > 20 {
		return l, fmt.Errorf("aamva: number of entries %q is not 1–20", h[p:p+2])
	}
	p += 2
	type designator struct {
		typ         string
		offset, len int
	}
	var ds []designator
	for i := 0; i < n; i++ {
		if len(h) < p+10 {
			return l, errors.New("aamva: subfile designators cut short")
		}
		off, ok1 := num(h[p+2 : p+6])
		ln, ok2 := num(h[p+6 : p+10])
		if !ok1 || !ok2 {
			return l, fmt.Errorf("aamva: subfile designator %d is malformed", i+1)
		}
		ds = append(ds, designator{string(h[p : p+2]), off, ln})
		l.Subfiles = append(l.Subfiles, string(h[p:p+2]))
		p += 10
	}
	headerEnd := ft + 5 + p
	var body []byte
	for _, d := range ds {
		if d.typ != "DL" && d.typ != "ID" {
			continue
		}
		if d.offset >= headerEnd && d.offset+2 <= len(text) && string(text[d.offset:d.offset+2]) == d.typ {
			body = text[d.offset+2:]
		} else if i := bytes.Index(text[headerEnd:], []byte(d.typ)); i >= 0 {
			body = text[headerEnd+i+2:]
		}
		if body != nil {
			break
		}
	}
	if body == nil {
		return l, errors.New("aamva: no DL or ID subfile")
	}
	// The separators the header declares: the data element separator
	// (LF) and the segment terminator (CR) as the standard has them.
	sep, term := byte('\n'), byte('\r')
	if len(text) > 3 && text[1] < 0x20 && text[3] < 0x20 && text[1] != text[3] {
		sep, term = text[1], text[3]
	}
	if i := bytes.IndexByte(body, term); i >= 0 {
		body = body[:i]
	}
	l.Elements = map[string]string{}
	for _, f := range bytes.Split(body, []byte{sep}) {
		f = bytes.TrimRight(f, " \x00")
		if len(f) < 3 {
			continue
		}
		id := string(f[:3])
		if !isElementID(id) {
			continue
		}
		if _, dup := l.Elements[id]; !dup {
			l.Elements[id] = strings.TrimSpace(string(f[3:]))
		}
	}
	if len(l.Elements) == 0 {
		return l, errors.New("aamva: the subfile has no data elements")
	}
	l.fill()
	return l, nil
}

// isElementID says whether s looks like a data element id (D and two
// capital letters or digits; Z for issuer elements).
func isElementID(s string) bool {
	if s[0] != 'D' && s[0] != 'Z' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// fill sets the named fields from the elements.
func (l *License) fill() {
	e := l.Elements
	l.DocumentNumber = e["DAQ"]
	l.Surname = first(e["DCS"], e["DAB"])
	l.GivenNames = strings.TrimSpace(first(e["DAC"], e["DCT"]) + " " + e["DAD"])
	if l.Surname == "" && e["DAA"] != "" { // version 01: "LAST,FIRST,MIDDLE"
		parts := strings.Split(e["DAA"], ",")
		l.Surname = strings.TrimSpace(parts[0])
		if len(parts) > 1 && l.GivenNames == "" {
			l.GivenNames = strings.TrimSpace(strings.Join(parts[1:], " "))
		}
	}
	if l.GivenNames != "" {
		l.GivenNames = strings.Join(strings.FieldsFunc(l.GivenNames, func(r rune) bool { return r == ' ' || r == ',' }), " ")
	}
	l.Country = e["DCG"]
	canada := l.Country == "CAN"
	l.DateOfBirth = date(e["DBB"], canada)
	l.DateOfExpiry = date(e["DBA"], canada)
	l.DateOfIssue = date(e["DBD"], canada)
	switch e["DBC"] {
	case "1", "M":
		l.Sex = "M"
	case "2", "F":
		l.Sex = "F"
	case "9", "X":
		l.Sex = "X"
	}
	l.Street = first(e["DAG"], e["DAL"])
	l.City = first(e["DAI"], e["DAN"])
	l.State = first(e["DAJ"], e["DAO"])
	pc := strings.TrimSpace(first(e["DAK"], e["DAP"]))
	l.PostalCode = pc
	if l.Country != "CAN" && len(pc) >= 5 && digits(pc[:5]) { // a US ZIP; ZIP+4 is often zero-filled
		l.PostalCode = pc[:5]
		if len(pc) >= 9 && digits(pc[5:9]) && pc[5:9] != "0000" {
			l.PostalCode += "-" + pc[5:9]
		}
	}
}

// date reads an AAMVA date: MMDDCCYY in the United States, CCYYMMDD in
// Canada; the other order when the expected one is not a date. "" when
// neither is.
func date(s string, canada bool) string {
	if len(s) != 8 {
		return ""
	}
	us := func() (time.Time, error) { return time.Parse("01022006", s) }
	ca := func() (time.Time, error) { return time.Parse("20060102", s) }
	tries := []func() (time.Time, error){us, ca}
	if canada {
		tries = []func() (time.Time, error){ca, us}
	}
	for _, f := range tries {
		if t, err := f(); err == nil && t.Year() >= 1900 && t.Year() <= 2199 {
			return t.Format(time.DateOnly)
		}
	}
	return ""
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
