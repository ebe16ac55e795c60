package cardbinding

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/dialect"
)

// A binding request carries its files as Base64 strings inside kyc_info,
// and its signature covers their text. The body is read once, as it
// arrives: everything but those strings is kept (a few kilobytes), each file
// string goes, unescaped, to a temporary file encrypted under a key that
// lives only in this request's memory. The signed string is hashed with the
// files' text streamed back from their spools, and once the signature holds
// each file is Base64-decoded from its spool straight into the document
// intake. No file, and never the whole body, is held in memory.

// fileFields are the kyc_info members that carry files.
var fileFields = map[string]bool{"front_doc": true, "back_doc": true, "mix_doc": true, "sign_img": true, "poa_doc": true}

// maxSpools bounds the file strings one body may set aside (each is an
// open temporary file): every file field once, and a repeat of each.
const maxSpools = 2 * 5

// spoolMark starts the placeholder that stands for a spooled string in the
// kept body: a NUL, which no accepted field may hold, "spool:", a random
// mark of the request (no client can write a placeholder) and N.
const spoolMark = "\x00spool:"

// spooled is a binding request body read with its files set aside.
type spooled struct {
	kept  []byte
	files []*spool
	bad   bool   // not valid JSON: the kept body is made invalid too
	mark  string // random, per request
	// canonical finds the placeholders as the canonical form writes them.
	canonical *regexp.Regexp
}

// spool is one file string, unescaped, in an encrypted temporary file
// (dialect.Spool), with its count of characters other than white space.
type spool struct {
	*dialect.Spool
	nonSpace int64
}

func newSpool() (*spool, error) {
	s, err := dialect.NewSpool("openkyc-cardbinding-*")
	if err != nil {
		return nil, err
	}
	return &spool{Spool: s}, nil
}

func (s *spool) write(p []byte) error {
	for _, c := range p {
		if c != ' ' && c != '\n' && c != '\r' {
			s.nonSpace++
		}
	}
	_, err := s.Write(p)
	return err
}

// open returns a reader of the spooled text.
func (s *spool) open() (io.Reader, error) { return s.Open() }

// Close removes the spools.
func (b *spooled) Close() {
	for _, s := range b.files {
		s.Close()
	}
}

// spoolBody reads a binding request body from r.
func spoolBody(r io.Reader) (*spooled, error) {
	var m [12]byte
	_, _ = rand.Read(m[:])
	out := &spooled{mark: hex.EncodeToString(m[:])}
	out.canonical = regexp.MustCompile(`\\u0000spool:` + out.mark + `:([0-9]+)`)
	sc := &bodyScanner{in: bufio.NewReaderSize(r, 64<<10), out: out}
	err := sc.run()
	var se syntaxError
	if errors.As(err, &se) {
		sc.out.bad = true
		sc.out.kept = append(sc.out.kept, 0) // what StringToSign refuses, in its place
		return sc.out, nil
	}
	if err != nil {
		sc.out.Close()
		return nil, err
	}
	return sc.out, nil
}

type syntaxError struct{ msg string }

func (e syntaxError) Error() string { return e.msg }

// bodyScanner copies a JSON body to out.kept, spooling the strings of
// kyc_info's file members.
type bodyScanner struct {
	in    *bufio.Reader
	out   *spooled
	stack []frame
}

type frame struct {
	object    bool
	key       string // the member being read (objects)
	expectKey bool
}

func (sc *bodyScanner) run() error {
	for {
		c, err := sc.in.ReadByte()
		if err == io.EOF {
			if len(sc.stack) != 0 {
				return syntaxError{"unexpected end"}
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch c {
		case '"':
			if err := sc.str(); err != nil {
				return err
			}
			continue
		case '{', '[':
			sc.stack = append(sc.stack, frame{object: c == '{', expectKey: c == '{'})
		case '}', ']':
			if len(sc.stack) == 0 {
				return syntaxError{"unbalanced"}
			}
			sc.stack = sc.stack[:len(sc.stack)-1]
		case ':':
			if t := sc.top(); t != nil && t.object {
				t.expectKey = false
			}
		case ',':
			if t := sc.top(); t != nil && t.object {
				t.expectKey = true
			}
		}
		sc.out.kept = append(sc.out.kept, c)
	}
}

func (sc *bodyScanner) top() *frame {
	if len(sc.stack) == 0 {
		return nil
	}
	return &sc.stack[len(sc.stack)-1]
}

// str reads a string whose opening quote was read.
func (sc *bodyScanner) str() error {
	t := sc.top()
	switch {
	case t != nil && t.object && t.expectKey:
		raw, err := sc.rawString()
		if err != nil {
			return err
		}
		var key string
		if json.Unmarshal(raw, &key) != nil {
			return syntaxError{"bad key"}
		}
		t.key = key
		sc.out.kept = append(sc.out.kept, raw...)
		return nil
	case len(sc.stack) == 2 && sc.stack[0].object && sc.stack[0].key == "kyc_info" && t.object && fileFields[t.key]:
		return sc.spoolString()
	}
	raw, err := sc.rawString()
	sc.out.kept = append(sc.out.kept, raw...)
	return err
}

// rawString reads the rest of a string as it was sent, quotes included.
func (sc *bodyScanner) rawString() ([]byte, error) {
	raw := []byte{'"'}
	escaped := false
	for {
		c, err := sc.in.ReadByte()
		if err == io.EOF {
			return raw, syntaxError{"unterminated string"}
		}
		if err != nil {
			return raw, err
		}
		raw = append(raw, c)
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			return raw, nil
		}
	}
}

// spoolString unescapes a file string into a new spool and keeps its
// placeholder; an empty string is kept as it is (the canonical form drops
// it, as it drops the original).
func (sc *bodyScanner) spoolString() error {
	var s *spool
	var buf []byte
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if s == nil {
			if len(sc.out.files) >= maxSpools {
				return fail(CodeParam, "kyc_info: each file field at most once")
			}
			var err error
			if s, err = newSpool(); err != nil {
				return err
			}
			sc.out.files = append(sc.out.files, s)
			sc.out.kept = append(sc.out.kept, `"\u0000spool:`+sc.out.mark+":"+strconv.Itoa(len(sc.out.files)-1)...)
		}
		err := s.write(buf)
		buf = buf[:0]
		return err
	}
	for {
		c, err := sc.in.ReadByte()
		if err == io.EOF {
			return syntaxError{"unterminated string"}
		}
		if err != nil {
			return err
		}
		switch {
		case c == '"':
			if err := flush(); err != nil {
				return err
			}
			if s == nil {
				sc.out.kept = append(sc.out.kept, '"', '"')
			} else {
				sc.out.kept = append(sc.out.kept, '"')
			}
			return nil
		case c < 0x20:
			return syntaxError{"control character in string"}
		case c == '\\':
			if buf, err = sc.escape(buf); err != nil {
				return err
			}
		default:
			buf = append(buf, c)
		}
		if len(buf) >= 32<<10 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// escape reads the rest of an escape sequence (after the backslash) and
// appends what it stands for, as encoding/json reads it (a lone surrogate
// half is U+FFFD).
func (sc *bodyScanner) escape(buf []byte) ([]byte, error) {
	c, err := sc.in.ReadByte()
	if err != nil {
		return buf, syntaxError{"bad escape"}
	}
	switch c {
	case '"', '\\', '/':
		return append(buf, c), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
		r, err := sc.hex4()
		if err != nil {
			return buf, err
		}
		if utf16.IsSurrogate(r) {
			if b, _ := sc.in.Peek(6); len(b) == 6 && b[0] == '\\' && b[1] == 'u' {
				if r2, err := strconv.ParseUint(string(b[2:]), 16, 16); err == nil {
					if d := utf16.DecodeRune(r, rune(r2)); d != utf8.RuneError {
						_, _ = sc.in.Discard(6)
						return utf8.AppendRune(buf, d), nil
					}
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(buf, r), nil
	}
	return buf, syntaxError{"bad escape"}
}

func (sc *bodyScanner) hex4() (rune, error) {
	var b [4]byte
	if _, err := io.ReadFull(sc.in, b[:]); err != nil {
		return 0, syntaxError{"bad escape"}
	}
	v, err := strconv.ParseUint(string(b[:]), 16, 16)
	if err != nil {
		return 0, syntaxError{"bad escape"}
	}
	return rune(v), nil
}

// digest is the SHA-256 of the signed string s (built from the kept body),
// each placeholder replaced by its file's text as the canonical form writes
// strings. A placeholder the scanner did not write (one a client sent) or
// one written twice is refused.
func (b *spooled) digest(s string) ([]byte, error) {
	h := sha256.New()
	seen := make([]bool, len(b.files))
	last := 0
	for _, m := range b.canonical.FindAllStringSubmatchIndex(s, -1) {
		n, err := strconv.Atoi(s[m[2]:m[3]])
		if err != nil || n >= len(b.files) || seen[n] {
			return nil, fail(CodeParam, "body: a file's text is not where it was sent")
		}
		seen[n] = true
		h.Write([]byte(s[last:m[0]]))
		r, err := b.files[n].open()
		if err != nil {
			return nil, err
		}
		if err := writeCanonicalText(h, bufio.NewReader(r)); err != nil {
			return nil, err
		}
		last = m[1]
	}
	h.Write([]byte(s[last:]))
	return h.Sum(nil), nil
}

// writeCanonicalText writes the runes of r escaped as the canonical form
// escapes a string's content (dialect.CanonicalJSON).
func writeCanonicalText(w io.Writer, r *bufio.Reader) error {
	bw := bufio.NewWriter(w)
	for {
		c, _, err := r.ReadRune()
		if err == io.EOF {
			return bw.Flush()
		}
		if err != nil {
			return err
		}
		switch {
		case c == '"':
			bw.WriteString(`\"`)
		case c == '\\':
			bw.WriteString(`\\`)
		case c == '\n':
			bw.WriteString(`\n`)
		case c == '\r':
			bw.WriteString(`\r`)
		case c == '\t':
			bw.WriteString(`\t`)
		case c == '\b':
			bw.WriteString(`\b`)
		case c == '\f':
			bw.WriteString(`\f`)
		case c < 0x20:
			fmt.Fprintf(bw, `\u%04x`, c)
		case c == utf8.RuneError:
			bw.WriteString(`\ufffd`)
		default:
			bw.WriteRune(c)
		}
	}
}

func (b *spooled) markOrEmpty() string {
	if b == nil {
		return ""
	}
	return b.mark
}

// spooledFile returns the spool a file member's kept value names, if any.
func (b *spooled) spooledFile(v string) (*spool, bool) {
	prefix := spoolMark + b.markOrEmpty() + ":"
	if b == nil || !strings.HasPrefix(v, prefix) {
		return nil, false
	}
	n, err := strconv.Atoi(v[len(prefix):])
	if err != nil || n < 0 || n >= len(b.files) {
		return nil, false
	}
	return b.files[n], true
}

// base64Len is the length of the Base64 text: without white space and
// without a data: URL prefix.
func (s *spool) base64Len() int64 {
	r, err := s.open()
	if err != nil {
		return s.nonSpace
	}
	head := make([]byte, 256)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if strings.HasPrefix(string(head), "data:") {
		if i := strings.IndexByte(string(head), ','); i >= 0 {
			return s.nonSpace - int64(i+1-strings.Count(string(head[:i+1]), " "))
		}
	}
	return s.nonSpace
}

// decoded returns a reader of a spooled file's bytes: a data: URL prefix
// and white space (MIME Base64) are skipped as before; Base64 without
// padding is accepted.
func (s *spool) decoded() (io.Reader, error) {
	r, err := s.open()
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(r)
	if head, _ := br.Peek(5); string(head) == "data:" {
		if _, err := br.ReadSlice(','); err != nil {
			return nil, errBase64
		}
	}
	a := &alphabet{r: br}
	return base64.NewDecoder(base64.StdEncoding, &padded{r: a, a: a}), nil
}

var errBase64 = errors.New("must be Base64")

// alphabet drops white space and refuses anything outside the Base64
// alphabet.
type alphabet struct {
	r      io.Reader
	padded bool // an '=' was read
}

func (a *alphabet) Read(p []byte) (int, error) {
	for {
		n, err := a.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			switch {
			case c == ' ' || c == '\n' || c == '\r':
				continue
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
				a.padded = a.padded || c == '='
				p[k] = c
				k++
			default:
				return 0, errBase64
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// padded adds the '=' padding a Base64 text without any lacks (a text
// with some padding must have all of it, as before).
type padded struct {
	r    io.Reader
	a    *alphabet
	n    int
	tail int
	done bool
}

func (p *padded) Read(b []byte) (int, error) {
	if p.done {
		if p.tail > 0 {
			k := min(p.tail, len(b))
			for i := range k {
				b[i] = '='
			}
			p.tail -= k
			return k, nil
		}
		return 0, io.EOF
	}
	n, err := p.r.Read(b)
	p.n += n
	if err == io.EOF {
		p.done = true
		if p.n%4 != 0 {
			if p.a.padded {
				return n, errBase64
			}
			p.tail = 4 - p.n%4
		}
		if n > 0 {
			return n, nil
		}
		return p.Read(b)
	}
	return n, err
}
