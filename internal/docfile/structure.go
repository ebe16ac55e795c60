package docfile

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// Structural scanners walk a file's container format as bytes stream past,
// without buffering it, to find where the format says the file ends. Bytes
// after that end are how polyglots (JPEG+ZIP, PNG+HTML) and smuggled payloads
// ride along, so they are refused — except, after a JPEG, what phones
// themselves append, which trailer.go recognises and the upload removes.

var errTrailing = errors.New("data after the end of the image")

type structScanner interface {
	Write(p []byte) (int, error)
	// End reports whether the stream ended exactly at the format's end.
	End() error
}

// jpegScanner follows JPEG markers and segment lengths through the
// entropy-coded data to EOI.
type jpegScanner struct {
	state    int
	marker   byte
	remain   int // bytes left to skip in a segment
	lenHi    byte
	sof, sos bool // a frame header and a scan were seen
}

const (
	jSOI0 = iota
	jSOI1
	jMarker
	jCode
	jLen1
	jLen2
	jSkip
	jEntropy
	jEntropyFF
	jDone
)

func (s *jpegScanner) Write(p []byte) (int, error) {
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch s.state {
		case jSOI0:
			if b != 0xFF {
				return i, errors.New("not a JPEG (no start-of-image marker)")
			}
			s.state = jSOI1
		case jSOI1:
			if b != 0xD8 {
				return i, errors.New("not a JPEG (no start-of-image marker)")
			}
			s.state = jMarker
		case jMarker:
			if b != 0xFF {
				return i, errors.New("malformed JPEG: expected a marker")
			}
			s.state = jCode
		case jCode, jEntropyFF:
			if err := s.code(b); err != nil {
				return i, err
			}
		case jLen1:
			s.lenHi, s.state = b, jLen2
		case jLen2:
			n := int(s.lenHi)<<8 | int(b)
			if n < 2 {
				return i, errors.New("malformed JPEG: bad segment length")
			}
			s.remain = n - 2
			s.afterSegment()
		case jSkip:
			k := min(s.remain, len(p)-i)
			s.remain -= k
			i += k - 1
			if s.remain == 0 {
				s.afterSegment()
			}
		case jEntropy:
			// Fast path: jump to the next 0xFF.
			j := bytes.IndexByte(p[i:], 0xFF)
			if j < 0 {
				i = len(p)
				continue
			}
			i += j
			s.state = jEntropyFF
		case jDone:
			return i, errTrailing
		}
	}
	return len(p), nil
}

func (s *jpegScanner) afterSegment() {
	switch {
	case s.remain > 0:
		s.state = jSkip
	case s.marker == 0xDA: // SOS: entropy-coded data follows
		s.state = jEntropy
	default:
		s.state = jMarker
	}
}

func (s *jpegScanner) code(b byte) error {
	inEntropy := s.state == jEntropyFF
	switch {
	case b == 0xFF: // fill byte
	case inEntropy && b == 0x00: // stuffed 0xFF
		s.state = jEntropy
	case b >= 0xD0 && b <= 0xD7: // RSTn
		if inEntropy {
			s.state = jEntropy
		} else {
			s.state = jMarker
		}
	case b == 0xD9:
		s.state = jDone
	case b == 0xD8 || b == 0x00:
		return errors.New("malformed JPEG: unexpected marker")
	case b == 0x01: // TEM, standalone
		s.state = jMarker
	default:
		s.marker, s.state = b, jLen1
		switch {
		case b == 0xDA:
			s.sos = true
		case b >= 0xC0 && b <= 0xCF && b != 0xC4 && b != 0xC8 && b != 0xCC:
			s.sof = true
		}
	}
	return nil
}

func (s *jpegScanner) End() error {
	if s.state != jDone {
		return errors.New("truncated JPEG: no end-of-image marker")
	}
	return nil
}

// pngScanner walks PNG chunks to IEND.
type pngScanner struct {
	n      int64 // bytes consumed
	hdr    [8]byte
	hdrN   int
	remain int64 // bytes of data+crc left in the current chunk
	iend   bool
	done   bool
}

var pngSig = []byte("\x89PNG\r\n\x1a\n")

func (s *pngScanner) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
		if s.done {
			return i, errTrailing
		}
		if s.n < 8 {
			if p[i] != pngSig[s.n] {
				return i, errors.New("not a PNG (bad signature)")
			}
			s.n++
			i++
			continue
		}
		if s.remain > 0 {
			k := min(s.remain, int64(len(p)-i))
			s.remain -= k
			s.n += k
			i += int(k)
			if s.remain == 0 && s.iend {
				s.done = true
			}
			continue
		}
		s.hdr[s.hdrN] = p[i]
		s.hdrN++
		s.n++
		i++
		if s.hdrN == 8 {
			s.hdrN = 0
			length := int64(binary.BigEndian.Uint32(s.hdr[:4]))
			if length > 1<<31-1 {
				return i, errors.New("malformed PNG: chunk too long")
			}
			s.remain = length + 4
			s.iend = string(s.hdr[4:8]) == "IEND"
		}
	}
	return len(p), nil
}

func (s *pngScanner) End() error {
	if !s.done {
		return errors.New("truncated PNG: no IEND chunk")
	}
	return nil
}

// riffScanner checks a WebP's RIFF length against the bytes that arrive.
type riffScanner struct {
	head  [12]byte
	headN int
	total int64
}

func (s *riffScanner) Write(p []byte) (int, error) {
	s.headN += copy(s.head[s.headN:], p)
	s.total += int64(len(p))
	if s.headN == 12 && (string(s.head[:4]) != "RIFF" || string(s.head[8:12]) != "WEBP") {
		return 0, errors.New("not a WebP (bad RIFF header)")
	}
	return len(p), s.check(false)
}

func (s *riffScanner) check(final bool) error {
	if s.headN < 12 {
		if final {
			return errors.New("truncated WebP")
		}
		return nil
	}
	want := int64(binary.LittleEndian.Uint32(s.head[4:8])) + 8
	switch {
	case s.total > want:
		return errTrailing
	case final && s.total < want:
		return errors.New("truncated WebP")
	}
	return nil
}

func (s *riffScanner) End() error { return s.check(true) }
