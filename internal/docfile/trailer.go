package docfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"slices"
)

// Phones append data after a JPEG's end-of-image marker:
//   - further JPEG images: the multi-picture format (MPF) stores secondary
//     images, depth maps and HDR gain maps this way;
//   - the video of a motion photo (Google Motion Photo, MicroVideo): an MP4
//     file, ISO base media boxes from ftyp to the end of the file;
//   - Samsung's trailer: tagged blocks, then the SEFH directory that lists
//     them, its length and "SEFT" as the file's last bytes;
//   - padding: zero or 0xFF bytes.
//
// A trailerScanner recognises these by their structure as the bytes stream
// past, holding a few bytes of state and, inside a Samsung trailer, its last
// 16 KiB and the block headers it meets; never the trailer itself. Anything
// else after the end of the image stays refused with errTrailing, and so
// does a trailer that carries a second, active format — a zip archive, a
// PDF, HTML or a script — even inside a structure that otherwise holds
// (markerScanner here; the zip end record near the end of the file is the
// Validator's check).

// Kinds of trailer part, as recorded on the document.
const (
	TrailerJPEG    = "jpeg"
	TrailerMP4     = "mp4"
	TrailerSamsung = "samsung"
	TrailerPadding = "padding"
)

type trailerState int

const (
	tBoundary trailerState = iota // reading the first bytes of the next part
	tJPEG
	tBox // inside an MP4 box
	tPadding
	tSamsung
)

type trailerScanner struct {
	n        int64 // trailer bytes consumed
	state    trailerState
	afterBox bool // the part before the boundary was an MP4 box, not a JPEG
	look     [16]byte
	lookN    int
	jpeg     jpegScanner
	remain   int64 // bytes left in the current MP4 box
	sef      *sefScanner
	marks    markerScanner
	sha      hash.Hash
	kinds    []string
}

func newTrailerScanner() *trailerScanner { return &trailerScanner{sha: sha256.New()} }

// trailerErr is errTrailing with what was wrong with it.
func trailerErr(format string, args ...any) error {
	return fmt.Errorf("%w (%s)", errTrailing, fmt.Sprintf(format, args...))
}

// maxBox bounds an MP4 box's length: far above any upload, far below
// overflow.
const maxBox = 1 << 40

func (s *trailerScanner) Write(p []byte) error {
	s.sha.Write(p)
	if err := s.marks.write(p); err != nil {
		return err
	}
	return s.feed(p)
}

func (s *trailerScanner) feed(p []byte) error {
	for len(p) > 0 {
		switch s.state {
		case tBoundary:
			k := min(s.need()-s.lookN, len(p))
			copy(s.look[s.lookN:], p[:k])
			s.lookN += k
			s.n += int64(k)
			p = p[k:]
			if s.lookN < s.need() {
				continue
			}
			head, n := s.look, s.lookN
			s.lookN = 0
			replay, err := s.begin(head[:n])
			if err != nil {
				return err
			}
			// A part that starts with these bytes reads them again.
			s.n -= int64(len(replay))
			if err := s.feed(replay); err != nil {
				return err
			}
		case tJPEG:
			k, err := s.jpeg.Write(p)
			s.n += int64(k)
			p = p[k:]
			switch {
			case errors.Is(err, errTrailing): // that image ended: the next part follows
				if err := s.endJPEG(); err != nil {
					return err
				}
				s.state, s.afterBox = tBoundary, false
			case err != nil:
				return trailerErr("a further JPEG image is malformed: %v", err)
			}
		case tBox:
			k := min(s.remain, int64(len(p)))
			s.remain -= k
			s.n += k
			p = p[k:]
			if s.remain == 0 {
				s.state, s.afterBox = tBoundary, true
			}
		case tPadding:
			for i, b := range p {
				if b != 0 && b != 0xFF {
					return trailerErr("padding holds a byte other than 0x00 or 0xFF at trailer offset %d", s.n+int64(i))
				}
			}
			s.n += int64(len(p))
			p = nil
		case tSamsung:
			s.sef.write(p)
			s.n += int64(len(p))
			p = nil
		}
	}
	return nil
}

// need is how many bytes a part's start takes to tell: 8, or 16 for an
// MP4 box with a 64-bit length.
func (s *trailerScanner) need() int {
	if s.lookN >= 8 && binary.BigEndian.Uint32(s.look[:4]) == 1 && isBoxType(s.look[4:8]) {
		return 16
	}
	return 8
}

// begin starts the part whose first bytes are h and returns the bytes the
// part reads again.
func (s *trailerScanner) begin(h []byte) ([]byte, error) {
	switch {
	case h[0] == 0xFF && h[1] == 0xD8:
		if s.afterBox {
			return nil, trailerErr("a JPEG image after the video")
		}
		s.jpeg, s.state = jpegScanner{}, tJPEG
		s.kind(TrailerJPEG)
		return h, nil
	case isSEFBlockHeader(h):
		s.sef = &sefScanner{start: s.n - int64(len(h)), pos: s.n - int64(len(h))}
		s.state = tSamsung
		s.kind(TrailerSamsung)
		return h, nil
	case isBoxType(h[4:8]):
		return nil, s.box(h)
	case !s.afterBox && isPadding(h):
		s.state = tPadding
		s.kind(TrailerPadding)
		return h, nil
	case s.afterBox:
		return nil, trailerErr("the video is followed by bytes that are neither an MP4 box nor a Samsung trailer")
	}
	return nil, errTrailing
}

// box starts an MP4 box from its header h.
func (s *trailerScanner) box(h []byte) error {
	size, hdr := uint64(binary.BigEndian.Uint32(h[:4])), uint64(8)
	if size == 1 {
		size, hdr = binary.BigEndian.Uint64(h[8:16]), 16
	}
	typ := string(h[4:8])
	switch {
	case !s.afterBox && typ != "ftyp":
		return errTrailing // not a video: an MP4 file starts with its ftyp box
	case size == 0:
		return trailerErr("an MP4 box %q without a length", typ)
	case size < hdr || typ == "ftyp" && size < hdr+8:
		return trailerErr("an MP4 box %q of length %d", typ, size)
	case size > maxBox:
		return trailerErr("an MP4 box %q longer than any upload", typ)
	}
	s.kind(TrailerMP4)
	s.remain = int64(size - hdr)
	if s.remain == 0 {
		s.state, s.afterBox = tBoundary, true
	} else {
		s.state = tBox
	}
	return nil
}

func (s *trailerScanner) endJPEG() error {
	if !s.jpeg.sof || !s.jpeg.sos {
		return trailerErr("a further JPEG image has no frame or no scan")
	}
	return nil
}

func (s *trailerScanner) kind(k string) {
	if !slices.Contains(s.kinds, k) {
		s.kinds = append(s.kinds, k)
	}
}

// End reports whether the trailer ended where its last part ends.
func (s *trailerScanner) End() error {
	if err := s.marks.end(); err != nil {
		return err
	}
	switch s.state {
	case tBoundary:
		switch {
		case s.lookN == 0:
			return nil
		case !s.afterBox && isPadding(s.look[:s.lookN]):
			s.kind(TrailerPadding)
			return nil
		case s.afterBox:
			return trailerErr("the video ends inside a box header")
		}
		return errTrailing
	case tJPEG:
		if s.jpeg.state != jDone {
			return trailerErr("a further JPEG image is truncated")
		}
		return s.endJPEG()
	case tBox:
		return trailerErr("the video ends %d bytes before the end of its last box", s.remain)
	case tSamsung:
		return s.sef.end(s.n)
	}
	return nil
}

// isBoxType reports whether b is a plausible top-level ISO BMFF box type:
// letters, digits and spaces (ftyp, moov, mdat, free, skip, uuid, meta, ...).
func isBoxType(b []byte) bool {
	for _, c := range b[:4] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == ' ') {
			return false
		}
	}
	return true
}

func isPadding(b []byte) bool {
	for _, c := range b {
		if c != 0 && c != 0xFF {
			return false
		}
	}
	return true
}

// Samsung's trailer, all numbers little-endian: blocks, each "\0\0", a
// 2-byte type, a 4-byte name length, the name and the data; then the
// directory: "SEFH", a version, a count and, per block, 12 bytes (the
// block's first 4 bytes, its distance back from the directory, its size);
// then the directory's length and "SEFT", the file's last bytes.
const (
	sefTail     = 16 << 10 // the directory must lie in the trailer's last 16 KiB
	sefMaxName  = 127
	sefMaxBlock = 1024 // block headers kept while streaming
)

func isSEFBlockHeader(h []byte) bool {
	return len(h) >= 8 && h[0] == 0 && h[1] == 0 && (h[2] != 0 || h[3] != 0) &&
		h[4] >= 1 && h[4] <= sefMaxName && h[5] == 0 && h[6] == 0 && h[7] == 0
}

type sefBlock struct {
	pos     int64 // trailer offset
	head    [4]byte
	nameLen int64
}

// sefScanner keeps, from the start of a Samsung trailer to the end of the
// file, every block header it meets (the positions the directory must
// name) and the last bytes (the directory), and checks them at the end.
type sefScanner struct {
	start, pos int64  // trailer offsets of the first block and of the next byte
	w          uint64 // the last 8 bytes
	cur        sefBlock
	want       int64 // name bytes still to come of cur; 0: none
	blocks     []sefBlock
	overflow   bool
	tail       []byte
}

func (s *sefScanner) write(p []byte) {
	s.keepTail(p)
	for _, b := range p {
		s.w = s.w<<8 | uint64(b)
		s.pos++
		if s.want > 0 {
			switch {
			case b < 0x20 || b > 0x7E:
				s.want = 0 // not a name: not a block header
			case s.want == 1:
				s.want = 0
				if len(s.blocks) < sefMaxBlock {
					s.blocks = append(s.blocks, s.cur)
				} else {
					s.overflow = true
				}
			default:
				s.want--
			}
		}
		// "\0\0", a type, a name length of 1..127: a block header.
		if s.pos-s.start >= 8 && s.w&0xFFFF0000_00FFFFFF == 0 && (s.w>>32)&0xFFFF != 0 {
			if n := int64(byte(s.w >> 24)); n >= 1 && n <= sefMaxName {
				s.cur = sefBlock{pos: s.pos - 8, nameLen: n}
				binary.BigEndian.PutUint32(s.cur.head[:], uint32(s.w>>32))
				s.want = n
			}
		}
	}
}

func (s *sefScanner) keepTail(p []byte) {
	if len(p) >= sefTail {
		s.tail = append(s.tail[:0], p[len(p)-sefTail:]...)
		return
	}
	s.tail = append(s.tail, p...)
	if len(s.tail) > 2*sefTail {
		s.tail = append(s.tail[:0], s.tail[len(s.tail)-sefTail:]...)
	}
}

func (s *sefScanner) block(pos int64) (sefBlock, bool) {
	i, ok := slices.BinarySearchFunc(s.blocks, pos, func(b sefBlock, p int64) int { return int(b.pos - p) })
	if !ok {
		return sefBlock{}, false
	}
	return s.blocks[i], true
}

// end checks the directory against the blocks: each entry names a block
// header of its type, and the blocks follow one another without gap or
// overlap from the trailer's start to the directory.
func (s *sefScanner) end(total int64) error {
	bad := func(format string, args ...any) error {
		return trailerErr("not a valid Samsung trailer: "+format, args...)
	}
	t := s.tail
	if len(t) > sefTail {
		t = t[len(t)-sefTail:]
	}
	if len(t) < 8 || string(t[len(t)-4:]) != "SEFT" {
		return bad("it does not end with SEFT")
	}
	dirLen := int64(binary.LittleEndian.Uint32(t[len(t)-8:]))
	if dirLen < 12 || dirLen+8 > int64(len(t)) {
		return bad("its directory length %d is out of range", dirLen)
	}
	dirPos := total - 8 - dirLen
	dir := t[int64(len(t))-8-dirLen : len(t)-8]
	if string(dir[:4]) != "SEFH" {
		return bad("no SEFH directory")
	}
	count := int64(binary.LittleEndian.Uint32(dir[8:12]))
	if count < 1 || 12+12*count > dirLen {
		return bad("%d directory entries do not fit its %d bytes", count, dirLen)
	}
	if s.overflow {
		return bad("more than %d block headers", sefMaxBlock)
	}
	type span struct{ pos, size int64 }
	spans := make([]span, 0, count)
	for i := range count {
		e := dir[12+12*i:]
		off, size := int64(binary.LittleEndian.Uint32(e[4:8])), int64(binary.LittleEndian.Uint32(e[8:12]))
		pos := dirPos - off
		if off <= 0 || pos < s.start {
			return bad("entry %d points outside the trailer", i)
		}
		b, ok := s.block(pos)
		if !ok || !bytes.Equal(b.head[:], e[:4]) {
			return bad("entry %d does not point at a block header of its type", i)
		}
		if size < 8+b.nameLen {
			return bad("entry %d is shorter than its block's header", i)
		}
		spans = append(spans, span{pos, size})
	}
	slices.SortFunc(spans, func(a, b span) int { return int(a.pos - b.pos) })
	next := s.start
	for _, sp := range spans {
		if sp.pos != next {
			return bad("its blocks do not follow one another from the end of the image to the directory")
		}
		next = sp.pos + sp.size
	}
	if next != dirPos {
		return bad("its blocks do not follow one another from the end of the image to the directory")
	}
	return nil
}

// polyMarker is the mark of a second, active format in a trailer.
type polyMarker struct {
	text string
	tag  bool // an HTML-like tag: ASCII case-insensitive, then white space, '>' or '/'
	what string
}

var polyMarkers = []polyMarker{
	{"PK\x03\x04", false, "a zip archive"},
	{"%PDF-", false, "a PDF document"},
	{"%%EOF", false, "a PDF document"},
	{"<!doctype", true, "HTML"},
	{"<html", true, "HTML"},
	{"<head", true, "HTML"},
	{"<body", true, "HTML"},
	{"<iframe", true, "HTML"},
	{"<object", true, "HTML"},
	{"<embed", true, "HTML"},
	{"<svg", true, "SVG"},
	{"<script", true, "a script"},
	{"<?php", true, "a script"},
}

// markerSpan is the longest marker with the byte after it.
const markerSpan = 10

// markerScanner looks for polyMarkers in a stream, across writes.
type markerScanner struct {
	carry []byte // the last markerSpan-1 bytes seen
}

func polyglotErr(what string) error {
	return trailerErr("it holds %s: a polyglot", what)
}

func (m *markerScanner) write(p []byte) error {
	if len(m.carry) > 0 {
		w := append(slices.Clip(m.carry), p[:min(len(p), markerSpan)]...)
		if what := findMarker(w, len(m.carry), false); what != "" {
			return polyglotErr(what)
		}
	}
	if what := findMarker(p, len(p), false); what != "" {
		return polyglotErr(what)
	}
	if len(p) >= markerSpan-1 {
		m.carry = append(m.carry[:0], p[len(p)-(markerSpan-1):]...)
	} else {
		m.carry = append(m.carry, p...)
		if len(m.carry) > markerSpan-1 {
			m.carry = append(m.carry[:0], m.carry[len(m.carry)-(markerSpan-1):]...)
		}
	}
	return nil
}

// end checks the last bytes for a tag that the end of the data closes.
func (m *markerScanner) end() error {
	if what := findMarker(m.carry, len(m.carry), true); what != "" {
		return polyglotErr(what)
	}
	return nil
}

// findMarker returns what the first marker starting before limit in b
// shows; a tag at the end of b counts only when b is final.
func findMarker(b []byte, limit int, final bool) string {
	for i := 0; i < limit; i++ {
		j := bytes.IndexAny(b[i:limit], "P%<")
		if j < 0 {
			return ""
		}
		i += j
		for _, mk := range polyMarkers {
			if markerAt(b, i, mk, final) {
				return mk.what
			}
		}
	}
	return ""
}

func markerAt(b []byte, i int, mk polyMarker, final bool) bool {
	end := i + len(mk.text)
	if end > len(b) {
		return false
	}
	for k := 0; k < len(mk.text); k++ {
		c := b[i+k]
		if mk.tag && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != mk.text[k] {
			return false
		}
	}
	if !mk.tag {
		return true
	}
	if end == len(b) {
		return final
	}
	switch b[end] {
	case ' ', '\t', '\n', '\r', '\f', '>', '/':
		return true
	}
	return false
}

// zipEndWindow is how far from the end of a file zip readers look for the
// end-of-central-directory record: its 22 bytes and a comment of up to
// 65535 for Java and Info-ZIP, one byte more for Python's zipfile, and the
// last 65 KiB for Go's archive/zip, which takes a record followed by more
// than its comment.
const zipEndWindow = 65 << 10

var zipEOCD = []byte("PK\x05\x06")

// zipEndTracker finds the offset of the last end-of-central-directory
// signature in a stream.
type zipEndTracker struct {
	carry  [3]byte
	carryN int
	n      int64 // bytes seen
	last   int64 // offset of the last signature; -1: none
}

func newZipEndTracker() zipEndTracker { return zipEndTracker{last: -1} }

func (z *zipEndTracker) write(p []byte) {
	if z.carryN > 0 && len(p) > 0 {
		var w [6]byte
		k := copy(w[:], z.carry[:z.carryN])
		k += copy(w[k:], p[:min(3, len(p))])
		if i := bytes.Index(w[:k], zipEOCD); i >= 0 && i < z.carryN {
			z.last = z.n - int64(z.carryN) + int64(i)
		}
	}
	if i := bytes.LastIndex(p, zipEOCD); i >= 0 {
		z.last = z.n + int64(i)
	}
	z.n += int64(len(p))
	if len(p) >= 3 {
		z.carryN = copy(z.carry[:], p[len(p)-3:])
		return
	}
	var w [6]byte
	k := copy(w[:], z.carry[:z.carryN])
	k += copy(w[k:], p)
	z.carryN = copy(z.carry[:], w[max(0, k-3):k])
}

// within reports whether the last signature lies in the final zipEndWindow
// bytes of a file of size bytes.
func (z *zipEndTracker) within(size int64) bool {
	return z.last >= 0 && z.last >= size-zipEndWindow
}
