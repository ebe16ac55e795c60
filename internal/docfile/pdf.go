package docfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// activeNames are PDF names that introduce scripts, launched programs,
// embedded files, form submission or actions run on opening. A report that a
// person or a program will open must carry none of them.
var activeNames = map[string]bool{
	"JS": true, "JavaScript": true, "Launch": true, "EmbeddedFile": true, "EmbeddedFiles": true,
	"OpenAction": true, "AA": true, "RichMedia": true, "XFA": true, "SubmitForm": true, "ImportData": true,
}

// pdfScanner checks a PDF as it streams: the %PDF- header, every name token
// outside stream data (with #xx escapes decoded, so /J#53 is /JS) against
// activeNames, and that nothing but white space follows the last %%EOF.
// Stream data (between "stream" and "endstream") is skipped: it is binary
// content, not syntax.
//
// This is the cheap first gate while bytes stream in. It does not see names
// inside compressed object streams, and it takes "stream" inside a string
// or a comment for the start of stream data; CheckPDF, run on every PDF
// once it is stored, reads the whole document and covers both.
type pdfScanner struct {
	inStream      bool
	carry         []byte // last bytes of the previous write while in a stream
	n             int64
	inName        bool
	name          []byte
	hexState      int // 0 none, 1 after '#', 2 after one hex digit
	hexHi         byte
	tail          [8]byte
	afterStreamKw bool
	sawEOF        bool
	junkAfter     bool
	found         string
}

const pdfHeader = "%PDF-"

func isPDFDelim(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', '\f', 0, '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isPDFSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\f' || b == 0
}

func hexVal(b byte) (byte, bool) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', true
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, true
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

var (
	endstream = []byte("endstream")
	streamKw  = "stream"
)

func (s *pdfScanner) Write(p []byte) (int, error) {
	for i := 0; i < len(p); i++ {
		if s.inStream {
			j := s.findEndstream(p[i:])
			if j < 0 {
				s.n += int64(len(p) - i)
				return len(p), nil
			}
			s.n += int64(j)
			i += j
			s.inStream, s.carry = false, s.carry[:0]
			s.tail = [8]byte{}
			continue
		}
		b := p[i]
		if s.n < int64(len(pdfHeader)) && b != pdfHeader[s.n] {
			return i, errors.New("not a PDF (no %PDF- header)")
		}
		s.n++
		if s.afterStreamKw && (b == '\n' || b == '\r') {
			s.inStream, s.afterStreamKw = true, false
			continue
		}
		copy(s.tail[:], s.tail[1:])
		s.tail[7] = b
		s.afterStreamKw = string(s.tail[2:]) == streamKw && isPDFDelim(s.tail[1]) && !s.inName
		if string(s.tail[3:]) == "%%EOF" {
			s.sawEOF, s.junkAfter = true, false
		} else if s.sawEOF && !isPDFSpace(b) && !strings.ContainsRune("%EOF", rune(b)) {
			s.junkAfter = true
		}
		if s.inName {
			if s.hexState > 0 {
				v, ok := hexVal(b)
				if ok && s.hexState == 1 {
					s.hexHi, s.hexState = v, 2
					continue
				}
				if ok {
					s.appendName(s.hexHi<<4 | v)
					s.hexState = 0
					continue
				}
				s.hexState = 0 // malformed escape: keep scanning
			}
			if b == '#' {
				s.hexState = 1
				continue
			}
			if !isPDFDelim(b) {
				s.appendName(b)
				continue
			}
			if err := s.endName(); err != nil {
				return i, err
			}
		}
		if b == '/' {
			s.inName, s.name = true, s.name[:0]
		}
	}
	return len(p), nil
}

// findEndstream returns the index in p just past "endstream", also when the
// keyword straddles two writes, or -1.
func (s *pdfScanner) findEndstream(p []byte) int {
	if len(s.carry) > 0 {
		joined := append(append([]byte{}, s.carry...), p[:min(len(p), len(endstream))]...)
		if k := bytes.Index(joined, endstream); k >= 0 {
			return k + len(endstream) - len(s.carry)
		}
	}
	if k := bytes.Index(p, endstream); k >= 0 {
		return k + len(endstream)
	}
	keep := min(len(p), len(endstream)-1)
	s.carry = append(s.carry[:0], p[len(p)-keep:]...)
	return -1
}

func (s *pdfScanner) appendName(b byte) {
	if len(s.name) < 64 {
		s.name = append(s.name, b)
	}
}

func (s *pdfScanner) endName() error {
	s.inName = false
	if activeNames[string(s.name)] {
		s.found = string(s.name)
		return fmt.Errorf("PDF contains active content (/%s)", s.found)
	}
	return nil
}

func (s *pdfScanner) End() error {
	if s.inName {
		if err := s.endName(); err != nil {
			return err
		}
	}
	switch {
	case s.n < int64(len(pdfHeader)):
		return errors.New("not a PDF (no %PDF- header)")
	case !s.sawEOF:
		return errors.New("truncated PDF: no %%EOF marker")
	case s.junkAfter:
		return errors.New("data after the end of the PDF")
	}
	return nil
}
