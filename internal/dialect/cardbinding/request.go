package cardbinding

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/mail"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/kyc"
)

// object reads the fields of one JSON object, recording the first broken
// rule as an A0003 error naming the field (with its parent's prefix).
type object struct {
	prefix string
	m      map[string]json.RawMessage
	used   map[string]bool
	err    *Error
	files  *spooled // the body's file strings, when it was read with them set aside
}

func newObject(prefix string, raw json.RawMessage) (*object, *Error) {
	o := &object{prefix: prefix, used: map[string]bool{}}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fail(CodeParam, strings.TrimSuffix(prefix, ".")+": is required")
	}
	if raw[0] != '{' || json.Unmarshal(raw, &o.m) != nil {
		return nil, fail(CodeParam, strings.TrimSuffix(prefix, ".")+": must be a JSON object")
	}
	return o, nil
}

func (o *object) fail(name, rule string) {
	if o.err == nil {
		o.err = fail(CodeParam, o.prefix+name+": "+rule)
	}
}

// text returns a field as text: a JSON string, or a number as written
// (providers' examples send doc_no and poa_type either way). Absent, null
// and "" are "".
func (o *object) text(name string) string {
	o.used[name] = true
	raw := bytes.TrimSpace(o.m[name])
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			o.fail(name, "must be a string")
		}
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		o.fail(name, "must be a string")
		return ""
	}
	return n.String()
}

// str reads a string of at most max characters; required ones must be present.
func (o *object) str(name string, required bool, max int) string {
	s := strings.TrimSpace(o.text(name))
	switch {
	case s == "" && required:
		o.fail(name, "is required")
	case utf8.RuneCountInString(s) > max:
		o.fail(name, "must be at most "+strconv.Itoa(max)+" characters")
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		o.fail(name, "must not contain control characters")
	}
	return s
}

// id reads an identifier: a str that also refuses Unicode control and
// format characters (kyc.CheckIdentifier), which would display as other text.
func (o *object) id(name string, required bool, max int) string {
	s := o.str(name, required, max)
	if fe := kyc.CheckIdentifier(o.prefix+name, s); fe != nil && o.err == nil {
		o.err = fail(CodeParam, fe.Error())
	}
	return s
}

// enum reads an integer among allowed (a number or a numeric string); 0 when
// absent and not required.
func (o *object) enum(name string, required bool, allowed ...int) int {
	s := o.text(name)
	if s == "" {
		if required {
			o.fail(name, "is required")
		}
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || !slices.Contains(allowed, n) {
		parts := make([]string, len(allowed))
		for i, a := range allowed {
			parts[i] = strconv.Itoa(a)
		}
		o.fail(name, "must be "+strings.Join(parts, " or "))
	}
	return n
}

// digits reads a string of min to max ASCII digits.
func (o *object) digits(name string, min, max int) string {
	s := o.str(name, true, max)
	if s != "" && (len(s) < min || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0) {
		if min == 1 {
			o.fail(name, "must be at most "+strconv.Itoa(max)+" digits")
		} else {
			o.fail(name, "must be "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" digits")
		}
	}
	return s
}

// country reads a required ISO 3166-1 alpha-2 code.
func (o *object) country(name string) string {
	s := strings.ToUpper(o.str(name, true, 2))
	if s != "" && (len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') {
		o.fail(name, "must be an ISO 3166-1 alpha-2 country code")
	}
	return s
}

// unknown refuses fields the dialect does not know.
func (o *object) unknown() {
	keys := make([]string, 0, len(o.m))
	for k := range o.m {
		if !o.used[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) > 0 {
		o.fail(keys[0], "unknown field")
	}
}

// file limits: decoded sizes.
const (
	MaxDocBytes  = 2 << 20 // front_doc, back_doc, mix_doc, poa_doc
	MaxSignBytes = 1 << 20 // sign_img
)

// image is a Base64 file of a request: decoded in memory (data), or
// spooled and decoded as it is read (spool).
type image struct {
	field string
	kind  kyc.DocumentKind
	data  []byte
	spool *spool
	max   int // decoded bytes must be fewer
}

// open returns a reader of the file's bytes. A spooled file is decoded as
// it is read; reading fails at the first character outside Base64 or past
// the size limit, with the field's A0003 error.
func (f *image) open() (io.Reader, error) {
	if f.spool == nil {
		return bytes.NewReader(f.data), nil
	}
	r, err := f.spool.decoded()
	if err != nil {
		return nil, fail(CodeParam, f.field+": must be Base64")
	}
	return &fileReader{f: f, r: r}, nil
}

// fileReader maps a spooled file's decoding errors to its field.
type fileReader struct {
	f *image
	r io.Reader
	n int
}

func (fr *fileReader) Read(p []byte) (int, error) {
	n, err := fr.r.Read(p)
	fr.n += n
	if fr.n >= fr.f.max {
		return n, fail(CodeParam, fr.f.field+": must be smaller than "+sizeText(fr.f.max)+" once decoded")
	}
	if err != nil && err != io.EOF {
		return n, fail(CodeParam, fr.f.field+": must be Base64")
	}
	return n, err
}

// file reads a Base64 file of at most max decoded bytes. A data: URL prefix
// and line breaks (MIME Base64) are tolerated.
func (o *object) file(name string, required bool, max int, kind kyc.DocumentKind) *image {
	s := o.text(name)
	if s == "" {
		if required {
			o.fail(name, "is required")
		}
		return nil
	}
	if sp, ok := o.files.spooledFile(s); ok {
		// Decoded when it is read; the text's length bounds it already.
		if base64.StdEncoding.DecodedLen(int(sp.base64Len())) > max+3 {
			o.fail(name, "must be at most "+sizeText(max)+" once decoded")
			return nil
		}
		// Decoded once here, as it streams, for the same refusals as a file
		// read whole; decoded again when it is checked and stored.
		r, err := sp.decoded()
		var n int64
		if err == nil {
			n, err = io.Copy(io.Discard, r)
		}
		if err != nil {
			o.fail(name, "must be Base64")
			return nil
		}
		if n >= int64(max) {
			o.fail(name, "must be smaller than "+sizeText(max)+" once decoded")
			return nil
		}
		return &image{field: o.prefix + name, kind: kind, spool: sp, max: max}
	}
	if strings.HasPrefix(s, "data:") {
		if _, after, ok := strings.Cut(s, ","); ok {
			s = after
		}
	}
	s = strings.NewReplacer("\r", "", "\n", "", " ", "").Replace(s)
	if base64.StdEncoding.DecodedLen(len(s)) > max+3 {
		o.fail(name, "must be at most "+sizeText(max)+" once decoded")
		return nil
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		o.fail(name, "must be Base64")
		return nil
	}
	if len(b) >= max {
		o.fail(name, "must be smaller than "+sizeText(max)+" once decoded")
		return nil
	}
	return &image{field: o.prefix + name, kind: kind, data: b, max: max}
}

func sizeText(n int) string { return strconv.Itoa(n>>20) + " MB" }

// DefaultAddressPattern is the [openkyc] default rule of kyc_info.address:
// letters of any script, digits, spaces and , . - # / ' ( ).
const DefaultAddressPattern = `^[\p{L}\p{M}\p{N} ,.\-#/'()]+$`

var defaultAddress = regexp.MustCompile(DefaultAddressPattern)

// Bind is a validated binding request.
type Bind struct {
	TradeNo     string
	Email       string
	FirstName   string
	LastName    string
	Mobile      string
	MobileCode  string
	Address     string
	Birthday    string
	City        string
	State       string
	Country     string
	Nationality string
	DocNo       string
	DocType     int
	ZipCode     string
	Files       []*image
}

// Options are the merchant's field options.
type Options struct {
	AllowIDCard bool
	Address     *regexp.Regexp // nil: DefaultAddressPattern
}

// parseBind validates a binding request body against every rule of
// DIALECTS.md §4; the first broken rule is an A0003 error naming the field.
func parseBind(body []byte, opt Options, now time.Time, spools *spooled) (Bind, *Error) {
	top, err := newObject("", body)
	if err != nil {
		return Bind{}, fail(CodeParam, "body: must be a JSON object")
	}
	var b Bind
	b.TradeNo = top.id("mc_trade_no", true, 64)
	if top.err != nil {
		return b, top.err
	}
	top.used["base_info"], top.used["kyc_info"] = true, true
	if top.unknown(); top.err != nil {
		return b, top.err
	}
	base, err := newObject("base_info.", top.m["base_info"])
	if err != nil {
		return b, err
	}
	k, err := newObject("kyc_info.", top.m["kyc_info"])
	if err != nil {
		return b, err
	}
	k.files = spools
	b.Email = base.id("email", true, 64)
	if b.Email != "" && base.err == nil {
		if a, perr := mail.ParseAddress(b.Email); perr != nil || a.Address != b.Email || !strings.Contains(b.Email[strings.LastIndexByte(b.Email, '@')+1:], ".") {
			base.fail("email", "must be a valid e-mail address")
		}
	}
	b.FirstName = base.str("first_name", true, 50)
	b.LastName = base.str("last_name", true, 50)
	b.Mobile = base.digits("mobile", 6, 11)
	b.MobileCode = strings.TrimPrefix(base.str("mobile_code", true, 6), "+")
	if b.MobileCode != "" && base.err == nil && (len(b.MobileCode) > 5 || strings.IndexFunc(b.MobileCode, func(r rune) bool { return r < '0' || r > '9' }) >= 0) {
		base.fail("mobile_code", "must be at most 5 digits")
	}
	if ip := base.str("user_ip", false, 45); ip != "" {
		if _, perr := netip.ParseAddr(ip); perr != nil {
			base.fail("user_ip", "must be an IPv4 or IPv6 address")
		}
	}
	if base.unknown(); base.err != nil {
		return b, base.err
	}
	b.Address = k.str("address", true, 256)
	re := opt.Address
	if re == nil {
		re = defaultAddress
	}
	if b.Address != "" && k.err == nil && !re.MatchString(b.Address) {
		if opt.Address == nil {
			k.fail("address", "may contain letters, digits, spaces and , . - # / ' ( ) only")
		} else {
			k.fail("address", "does not match the merchant's address pattern")
		}
	}
	b.Birthday = k.str("birthday", true, 10)
	if b.Birthday != "" && k.err == nil {
		d, perr := time.Parse(time.DateOnly, b.Birthday)
		switch {
		case perr != nil:
			k.fail("birthday", "must be a real date as yyyy-MM-dd")
		case !d.Before(now):
			k.fail("birthday", "must be in the past")
		case d.Year() < 1900:
			k.fail("birthday", "must be in 1900 or later")
		}
	}
	b.City = k.str("city", true, 100)
	b.State = k.str("state", true, 100)
	b.Country = k.country("country_id")
	b.Nationality = k.country("nationality_id")
	b.DocNo = k.id("doc_no", true, 128)
	b.DocType = k.enum("doc_type", true, 1, 2)
	if b.DocType == 2 && !opt.AllowIDCard && k.err == nil {
		k.fail("doc_type", "only 1 (passport) is accepted; identity cards are not enabled for this merchant")
	}
	k.str("emergency_contact", true, 255)
	k.enum("gender", true, 1, 2)
	b.ZipCode = k.str("zip_code", true, 20)
	files := []*image{
		k.file("front_doc", true, MaxDocBytes, kyc.DocIDFront),
		k.file("back_doc", false, MaxDocBytes, kyc.DocIDBack),
		k.file("mix_doc", true, MaxDocBytes, kyc.DocSelfieWithID),
		k.file("sign_img", true, MaxSignBytes, kyc.DocSignature),
		k.file("poa_doc", false, MaxDocBytes, kyc.DocProofOfAddress),
	}
	poaType := k.enum("poa_type", false, 1, 2)
	if poaType == 1 && files[4] == nil && k.err == nil {
		k.fail("poa_doc", "is required when poa_type is 1")
	}
	if k.unknown(); k.err != nil {
		return b, k.err
	}
	for _, f := range files {
		if f != nil {
			b.Files = append(b.Files, f)
		}
	}
	return b, nil
}
