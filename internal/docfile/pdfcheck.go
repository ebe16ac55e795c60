package docfile

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Bounds on decompression while a PDF is checked. Object streams are
// inflated to read the objects packed in them; a stream that would inflate
// to more than MaxPDFStreamInflate bytes, or a file whose object streams
// together inflate to more than MaxPDFInflate bytes, is refused.
const (
	MaxPDFStreamInflate = 16 << 20
	MaxPDFInflate       = 64 << 20
)

// pdfMaxDepth bounds the nesting of arrays and dictionaries (Acrobat's own
// implementation limit is 28).
const pdfMaxDepth = 64

type pdfBounds struct {
	stream, total int64
}

var errEncryptedPDF = errors.New("encrypted PDFs are not accepted")

// CheckPDF parses a whole PDF, which the streaming Validator has accepted,
// and refuses it if it carries active content anywhere (also inside
// compressed object streams, in any revision of an incrementally updated
// file, with names escaped as #xx) or if it is encrypted. The error is a
// *kyc.FieldError on field "file".
//
// The check reads every object twice over: once in file order, and once
// from every "obj" keyword in the file, as a viewer that follows the
// cross-reference table (or rebuilds a broken one) would, so that garbage
// between objects cannot hide one. Every object stream (a stream with
// /Type /ObjStm or a /First entry) is inflated under the bounds above and
// its objects read from each offset its header lists and in sequence. An
// object stream with a filter other than /FlateDecode, or with
// /DecodeParms, is refused: its objects could not be read.
//
// Refused names, as dictionary keys or values: the active ones listed in
// activeNames, and /Encrypt.
func CheckPDF(data []byte) error {
	return checkPDF(data, pdfBounds{stream: MaxPDFStreamInflate, total: MaxPDFInflate})
}

// CheckPDF reads a stored PDF (at most the limit's MaxBytes) through open
// and checks it like CheckPDF, with its bytes and the most it may inflate
// taken from the decode budget, so that concurrent checks stay bounded in
// memory.
func (d *Decoder) CheckPDF(ctx context.Context, open func() (io.ReadCloser, error)) error {
	release, err := d.budget.Acquire(ctx, d.lim.MaxBytes+MaxPDFInflate, d.wait)
	if err != nil {
		return err
	}
	defer release()
	r, err := open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(r, d.lim.MaxBytes+1))
	r.Close()
	if err != nil {
		return err
	}
	if int64(len(data)) > d.lim.MaxBytes {
		return kyc.TooLarge("file", "the file is larger than the limit of %d bytes", d.lim.MaxBytes)
	}
	return CheckPDF(data)
}

func checkPDF(data []byte, b pdfBounds) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = reject("the PDF cannot be parsed")
		}
	}()
	c := &pdfChecker{data: data, bounds: b, budget: 8*int64(len(data)) + 1<<20, decoded: map[int]bool{}}
	if err := c.check(); err != nil {
		var fe *kyc.FieldError
		if errors.As(err, &fe) {
			return fe
		}
		return reject("%s", err.Error())
	}
	return nil
}

type pdfChecker struct {
	data     []byte
	bounds   pdfBounds
	inflated int64
	budget   int64        // bytes the lexers may still walk over
	decoded  map[int]bool // object streams already read, by data offset
	// streamErr is the first object stream that could not be read. It is
	// reported once the whole file was read, so that an encrypted file is
	// refused as such (its object streams are ciphertext).
	streamErr error
}

func (c *pdfChecker) check() error {
	// In file order, trailers and everything between objects included.
	if err := c.parse(&pdfLexer{b: c.data}, modeFile, 0); err != nil {
		return err
	}
	// From every "obj" keyword.
	for i := 0; ; {
		k := bytes.Index(c.data[i:], []byte("obj"))
		if k < 0 {
			return c.streamErr
		}
		p := i + k
		i = p + 3
		if p > 0 && !isPDFDelim(c.data[p-1]) || p+3 < len(c.data) && !isPDFDelim(c.data[p+3]) {
			continue
		}
		if err := c.parse(&pdfLexer{b: c.data, i: p + 3}, modeObject, 0); err != nil {
			return err
		}
	}
}

func (c *pdfChecker) spend(n int) error {
	c.budget -= int64(n)
	if c.budget < 0 {
		return errors.New("the PDF's structure is too complex to check")
	}
	return nil
}

// parse modes.
const (
	modeFile   = iota // a whole file: handles streams, never stops early
	modeObject        // one indirect object after its "obj": stops at endobj, the next obj, or after its stream
	modeValue         // one object in an object stream: stops after one complete value
	modeObjStm        // the whole content of an object stream, in sequence
)

// pdfValue is what the checker keeps of a dictionary entry: only the few
// entries that describe a stream.
type pdfValue struct {
	kind  byte // 'n' name, 'i' integer, 'a' array of names, 'd' dictionary, 'z' null, 'o' other
	name  string
	num   int64
	names []string
	dict  map[string]pdfValue
}

type pdfFrame struct {
	dict      bool
	expectKey bool
	key       string
	vals      map[string]pdfValue
	names     []string
	other     bool // an array holding something other than names
}

// streamKeys are the dictionary entries kept to read a stream.
var streamKeys = map[string]bool{"Type": true, "Filter": true, "DecodeParms": true, "Length": true, "First": true}

func (c *pdfChecker) parse(l *pdfLexer, mode int, objStmBase int) error {
	var stack []*pdfFrame
	var lastDict *pdfFrame // a top-level dictionary that was the previous token
	assign := func(v pdfValue) {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.dict {
			if !f.expectKey {
				if streamKeys[f.key] {
					f.vals[f.key] = v
				}
				f.expectKey = true
			}
			return
		}
		if v.kind == 'n' && len(f.names) < 16 {
			f.names = append(f.names, v.name)
		} else {
			f.other = true
		}
	}
	for {
		start := l.i
		kind, tok := l.next()
		if err := c.spend(l.i - start); err != nil {
			return err
		}
		prevDict := lastDict
		lastDict = nil
		switch kind {
		case tEOF:
			return nil
		case tName:
			name := string(tok)
			if activeNames[name] {
				return fmt.Errorf("PDF contains active content (/%s)", name)
			}
			if name == "Encrypt" {
				return errEncryptedPDF
			}
			if n := len(stack); n > 0 && stack[n-1].dict && stack[n-1].expectKey {
				stack[n-1].key, stack[n-1].expectKey = name, false
			} else {
				assign(pdfValue{kind: 'n', name: name})
			}
		case tNum:
			if n := len(stack); n > 0 && stack[n-1].dict && stack[n-1].expectKey {
				break // the generation of a reference, or junk
			}
			if v, err := strconv.ParseInt(string(tok), 10, 64); err == nil {
				assign(pdfValue{kind: 'i', num: v})
			} else {
				assign(pdfValue{kind: 'o'})
			}
		case tString:
			assign(pdfValue{kind: 'o'})
		case tDictOpen, tArrOpen:
			if len(stack) >= pdfMaxDepth {
				return errors.New("the PDF nests arrays or dictionaries too deeply")
			}
			f := &pdfFrame{dict: kind == tDictOpen, expectKey: true}
			if f.dict {
				f.vals = map[string]pdfValue{}
			}
			stack = append(stack, f)
		case tDictClose, tArrClose:
			n := len(stack)
			if n == 0 || stack[n-1].dict != (kind == tDictClose) {
				break // unbalanced: ignore, as lenient viewers do
			}
			f := stack[n-1]
			stack = stack[:n-1]
			switch {
			case f.dict && n == 1:
				lastDict = f
			case f.dict:
				assign(pdfValue{kind: 'd', dict: f.vals})
			case f.other:
				assign(pdfValue{kind: 'o'})
			default:
				assign(pdfValue{kind: 'a', names: f.names})
			}
			if n == 1 && mode == modeValue {
				return nil
			}
		case tKeyword:
			switch string(tok) {
			case "R":
				if n := len(stack); n > 0 && stack[n-1].dict && streamKeys[stack[n-1].key] {
					stack[n-1].vals[stack[n-1].key] = pdfValue{kind: 'o'}
				}
			case "null":
				assign(pdfValue{kind: 'z'})
			case "stream":
				if mode == modeValue || mode == modeObjStm || len(stack) > 0 {
					break // no streams inside object streams
				}
				end, err := c.stream(prevDict, l.i)
				if err != nil {
					return err
				}
				if mode == modeObject {
					return nil
				}
				l.i = end
			case "endobj":
				if mode == modeObject {
					return nil
				}
			case "obj":
				if mode == modeObject && len(stack) == 0 {
					return nil
				}
			default:
				assign(pdfValue{kind: 'o'})
			}
		}
		if mode == modeValue && len(stack) == 0 && kind != tDictClose {
			return nil // a value that is not a dictionary or array
		}
	}
}

// stream handles the data of a stream whose "stream" keyword ends at pos,
// inflating it if it is an object stream, and returns where its data ends.
func (c *pdfChecker) stream(dict *pdfFrame, pos int) (int, error) {
	b := c.data
	switch {
	case pos+1 < len(b) && b[pos] == '\r' && b[pos+1] == '\n':
		pos += 2
	case pos < len(b) && (b[pos] == '\n' || b[pos] == '\r'):
		pos++
	}
	end := -1
	if dict != nil {
		if v, ok := dict.vals["Length"]; ok && v.kind == 'i' && v.num >= 0 && v.num <= int64(len(b)-pos) {
			e := pos + int(v.num)
			j := e
			for j < len(b) && isPDFSpace(b[j]) {
				j++
			}
			if bytes.HasPrefix(b[j:], endstream) {
				end = e
			}
		}
	}
	if end < 0 {
		k := bytes.Index(b[pos:], endstream)
		walked := k
		if k < 0 {
			walked = len(b) - pos
		}
		if err := c.spend(walked); err != nil {
			return 0, err
		}
		if k < 0 {
			return 0, errors.New("truncated PDF: a stream has no endstream")
		}
		end = pos + k
	}
	if dict == nil || !isObjStm(dict.vals) || c.decoded[pos] {
		return end, nil
	}
	c.decoded[pos] = true
	content, err := c.inflate(dict.vals, b[pos:end])
	if err != nil {
		if c.streamErr == nil {
			c.streamErr = err
		}
		return end, nil
	}
	return end, c.objStm(content, dict.vals)
}

func isObjStm(vals map[string]pdfValue) bool {
	t, ok := vals["Type"]
	_, first := vals["First"]
	return ok && t.kind == 'n' && t.name == "ObjStm" || first
}

// inflate decodes an object stream's data under the bounds.
func (c *pdfChecker) inflate(vals map[string]pdfValue, data []byte) ([]byte, error) {
	var filters []string
	switch f, ok := vals["Filter"]; {
	case !ok || f.kind == 'z':
	case f.kind == 'n':
		filters = []string{f.name}
	case f.kind == 'a':
		filters = f.names
	default:
		return nil, errors.New("a PDF object stream has a filter that cannot be read")
	}
	if p, ok := vals["DecodeParms"]; ok && p.kind != 'z' {
		return nil, errors.New("PDF object streams with /DecodeParms are not accepted")
	}
	var r io.Reader = bytes.NewReader(data)
	for _, f := range filters {
		if f != "FlateDecode" {
			return nil, fmt.Errorf("PDF object streams compressed with /%s are not accepted (only /FlateDecode)", f)
		}
		zr, err := zlib.NewReader(r)
		if err != nil {
			return nil, errors.New("a PDF object stream does not decompress")
		}
		defer zr.Close()
		r = zr
	}
	room := min(c.bounds.stream, c.bounds.total-c.inflated)
	out, err := io.ReadAll(io.LimitReader(r, room+1))
	c.inflated += int64(len(out))
	c.budget += 4 * int64(len(out)) // its objects are read twice over
	if int64(len(out)) > room {
		if room < c.bounds.stream {
			return nil, fmt.Errorf("the PDF's object streams decompress to more than %d bytes", c.bounds.total)
		}
		return nil, fmt.Errorf("a PDF object stream decompresses to more than %d bytes", c.bounds.stream)
	}
	if err != nil {
		return nil, errors.New("a PDF object stream does not decompress")
	}
	return out, nil
}

// objStm reads the objects of an object stream: from each offset its header
// lists, and in sequence from its start.
func (c *pdfChecker) objStm(content []byte, vals map[string]pdfValue) error {
	first := 0
	if f, ok := vals["First"]; ok && f.kind == 'i' && f.num >= 0 && f.num <= int64(len(content)) {
		first = int(f.num)
	}
	hl := &pdfLexer{b: content[:first]}
	for i := 0; ; i++ {
		start := hl.i
		kind, tok := hl.next()
		if err := c.spend(hl.i - start); err != nil {
			return err
		}
		if kind == tEOF {
			break
		}
		if kind != tNum || i%2 == 0 {
			continue
		}
		off, err := strconv.Atoi(string(tok))
		if err != nil || off < 0 || first+off >= len(content) {
			continue
		}
		if err := c.parse(&pdfLexer{b: content, i: first + off}, modeValue, 0); err != nil {
			return err
		}
	}
	return c.parse(&pdfLexer{b: content}, modeObjStm, 0)
}

// Token kinds of pdfLexer.
const (
	tEOF = iota
	tName
	tNum
	tKeyword
	tString
	tDictOpen
	tDictClose
	tArrOpen
	tArrClose
)

// pdfLexer splits PDF syntax into tokens: names (with #xx escapes
// decoded), literal and hex strings, numbers, keywords and the brackets of
// arrays and dictionaries. Comments are skipped.
type pdfLexer struct {
	b    []byte
	i    int
	name []byte
}

func (l *pdfLexer) next() (int, []byte) {
	b := l.b
	for l.i < len(b) {
		ch := b[l.i]
		switch {
		case isPDFSpace(ch):
			l.i++
			continue
		case ch == '%':
			for l.i < len(b) && b[l.i] != '\n' && b[l.i] != '\r' {
				l.i++
			}
			continue
		}
		break
	}
	if l.i >= len(b) {
		return tEOF, nil
	}
	start := l.i
	ch := b[l.i]
	l.i++
	switch ch {
	case '/':
		l.name = l.name[:0]
		long := false
		for l.i < len(b) && !isPDFDelim(b[l.i]) {
			c := b[l.i]
			l.i++
			if c == '#' && l.i+1 < len(b) {
				hi, ok1 := hexVal(b[l.i])
				lo, ok2 := hexVal(b[l.i+1])
				if ok1 && ok2 {
					c = hi<<4 | lo
					l.i += 2
				}
			}
			if len(l.name) < 64 {
				l.name = append(l.name, c)
			} else {
				long = true
			}
		}
		if long {
			return tName, []byte{0} // too long to be a name that matters
		}
		return tName, l.name
	case '(':
		depth := 1
		for l.i < len(b) && depth > 0 {
			switch b[l.i] {
			case '\\':
				l.i++
			case '(':
				depth++
			case ')':
				depth--
			}
			l.i++
		}
		l.i = min(l.i, len(b))
		return tString, nil
	case '<':
		if l.i < len(b) && b[l.i] == '<' {
			l.i++
			return tDictOpen, nil
		}
		k := bytes.IndexByte(b[l.i:], '>')
		if k < 0 {
			l.i = len(b)
		} else {
			l.i += k + 1
		}
		return tString, nil
	case '>':
		if l.i < len(b) && b[l.i] == '>' {
			l.i++
			return tDictClose, nil
		}
		return tKeyword, nil // stray
	case '[':
		return tArrOpen, nil
	case ']':
		return tArrClose, nil
	case ')', '{', '}':
		return tKeyword, nil
	}
	for l.i < len(b) && !isPDFDelim(b[l.i]) {
		l.i++
	}
	tok := b[start:l.i]
	if c := tok[0]; c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' {
		return tNum, tok
	}
	return tKeyword, tok
}
