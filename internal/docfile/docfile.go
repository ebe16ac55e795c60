// Package docfile validates uploaded documents as they stream in: it sniffs
// the real content type, enforces the size limit and the types allowed for
// the document kind, walks the container format to refuse truncated files,
// polyglots and trailing data (except the trailers phones append to JPEGs,
// which are recognised and removed), scans PDFs for active content, and
// (after the bytes are stored) decodes images under a pixel cap.
package docfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	_ "image/jpeg" // decoders for image.Decode
	_ "image/png"
	"io"
	"slices"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	_ "golang.org/x/image/webp"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Content types openkyc accepts.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	WebP = "image/webp"
	PDF  = "application/pdf"
)

// Limits bound what an upload may be.
type Limits struct {
	MaxBytes  int64 // default 10 MiB
	MaxPixels int64 // default 40 megapixels
	// MaxImageBytes caps the memory one decoded image may take (bit depth
	// and channels included); default 192 MiB.
	MaxImageBytes int64
}

// Default limits.
const (
	DefaultMaxBytes  = 10 << 20
	DefaultMaxPixels = 40_000_000
	// DefaultMaxImageBytes lets every 8-bit image within the pixel cap
	// decode (40 MP × 4 bytes) and progressive JPEGs of phone cameras; a
	// 16-bit RGBA PNG may have about half the pixels.
	DefaultMaxImageBytes = 192 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxImageBytes <= 0 {
		l.MaxImageBytes = DefaultMaxImageBytes
	}
	return l
}

// sniffLen is how much of the head mimetype needs.
const sniffLen = 3072

// Validator is an io.Writer that checks an upload as it streams past. A Write
// error is a *kyc.FieldError on field "file": stop and discard what was stored.
//
// After a JPEG's end-of-image marker it accepts a trailer that phones append
// (trailer.go) and tells it apart from the image: the Result's size and hash
// are of the image alone, and Copy stores only the image.
type Validator struct {
	kind    kyc.DocumentKind
	lim     Limits
	head    []byte
	ctype   string
	scanner structScanner
	sha     hash.Hash // of the file without a trailer
	size    int64     // bytes written
	kept    int64     // bytes of the file without a trailer
	trailer *trailerScanner
	// The last zip end-of-central-directory signature in the whole upload,
	// and in the file without a trailer.
	zipEnd, zipEndImage zipEndTracker
	err                 error
}

// NewValidator returns a validator for a document of the given kind.
func NewValidator(kind kyc.DocumentKind, lim Limits) *Validator {
	return &Validator{kind: kind, lim: lim.withDefaults(), head: make([]byte, 0, sniffLen), sha: sha256.New(),
		zipEnd: newZipEndTracker(), zipEndImage: newZipEndTracker()}
}

func reject(format string, args ...any) *kyc.FieldError {
	return kyc.Invalid("file", "content", format, args...)
}

// Write consumes the next bytes of the upload.
func (v *Validator) Write(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n := len(p)
	v.size += int64(n)
	if v.size > v.lim.MaxBytes {
		v.err = kyc.TooLarge("file", "the file is larger than the limit of %d bytes", v.lim.MaxBytes)
		return 0, v.err
	}
	if v.scanner == nil {
		room := sniffLen - len(v.head)
		if len(p) < room {
			v.head = append(v.head, p...)
			return n, nil
		}
		v.head = append(v.head, p[:room]...)
		p = p[room:]
		if v.err = v.start(); v.err != nil {
			return 0, v.err
		}
	}
	if len(p) > 0 {
		if v.err = v.scan(p); v.err != nil {
			return 0, v.err
		}
	}
	return n, nil
}

// scan passes the next bytes to the format's scanner and, once a JPEG has
// ended, to its trailer's.
func (v *Validator) scan(p []byte) error {
	v.zipEnd.write(p)
	if v.trailer == nil {
		k, err := v.scanner.Write(p)
		if err != nil && !(errors.Is(err, errTrailing) && v.ctype == JPEG) {
			return reject("%s", err.Error())
		}
		if err == nil {
			k = len(p)
		}
		v.sha.Write(p[:k])
		v.kept += int64(k)
		v.zipEndImage.write(p[:k])
		if err == nil {
			return nil
		}
		v.trailer = newTrailerScanner()
		p = p[k:]
	}
	if err := v.trailer.Write(p); err != nil {
		return reject("%s", err.Error())
	}
	return nil
}

// start sniffs the head, picks the scanner and feeds it the head.
func (v *Validator) start() error {
	if len(v.head) == 0 {
		return kyc.Invalid("file", "required", "the file is empty")
	}
	mt := mimetype.Detect(v.head)
	ct := mt.String()
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch ct {
	case JPEG:
		v.scanner = &jpegScanner{}
	case PNG:
		v.scanner = &pngScanner{}
	case WebP:
		v.scanner = &riffScanner{}
	case PDF:
		v.scanner = &pdfScanner{}
	default:
		return kyc.Invalid("file", "content_type", "files of type %s are not accepted; send JPEG, PNG or WebP images, or PDF for aml_report, idv_report and proof_of_address", ct)
	}
	if ct == PDF && !v.kind.AllowsPDF() {
		return kyc.Invalid("file", "content_type", "a %s must be an image (JPEG, PNG or WebP), not a PDF", v.kind)
	}
	if ct != PDF && !v.kind.AllowsImage() {
		return kyc.Invalid("file", "content_type", "a %s must be a PDF", v.kind)
	}
	v.ctype = ct
	return v.scan(v.head)
}

// Result describes an accepted upload.
type Result struct {
	ContentType string
	Size        int64  // of the file without a removed trailer
	SHA256      string // hex, of the same bytes
	// Trailer is what followed a JPEG's end and is not to be stored (nil:
	// nothing did).
	Trailer *kyc.RemovedTrailer
}

// Close finishes validation once the whole upload was written.
func (v *Validator) Close() (Result, error) {
	if v.err != nil {
		return Result{}, v.err
	}
	if v.err = v.finish(); v.err != nil {
		return Result{}, v.err
	}
	res := Result{ContentType: v.ctype, Size: v.kept, SHA256: hex.EncodeToString(v.sha.Sum(nil))}
	if t := v.trailer; t != nil {
		res.Trailer = &kyc.RemovedTrailer{Kinds: slices.Clone(t.kinds), Size: v.size - v.kept, SHA256: hex.EncodeToString(t.sha.Sum(nil))}
	}
	return res, nil
}

func (v *Validator) finish() error {
	if v.scanner == nil {
		if err := v.start(); err != nil {
			return err
		}
	}
	if v.trailer != nil {
		if err := v.trailer.End(); err != nil {
			return reject("%s", err.Error())
		}
	} else if err := v.scanner.End(); err != nil {
		return reject("%s", err.Error())
	}
	// Zip readers look for the archive's end record in the last 65 KiB of
	// a file (zipEndWindow): there, it makes the file a zip archive too,
	// whether it hides in a JPEG's segments or trailer, a PNG or WebP
	// chunk or a PDF stream, and whether the file is read as uploaded or
	// as stored.
	switch {
	case v.trailer != nil && (v.zipEnd.within(v.size) || v.zipEndImage.within(v.kept)):
		return reject("%s (a zip archive's end record in the last 65 KiB of the file: a polyglot)", errTrailing)
	case v.zipEnd.within(v.size):
		return reject("the file holds a zip archive's end record in its last 65 KiB: a polyglot")
	}
	return nil
}

// Copy reads src to its end through the validator and writes to dst only
// the file without a removed trailer, then closes the validator. The next
// chunk is read and validated while the previous one is written to dst, so
// that no byte reaches dst before the validator has placed it. On an error
// the caller discards what dst holds; src's errors are returned as they
// are.
func (v *Validator) Copy(dst io.Writer, src io.Reader) (Result, error) {
	bufs := [2][]byte{make([]byte, copyChunk), make([]byte, copyChunk)}
	var written, stored int64 // bytes validated, bytes handed to dst
	done := make(chan error, 1)
	writing := false
	wait := func() error {
		if !writing {
			return nil
		}
		writing = false
		return <-done
	}
	for i := 0; ; i++ {
		buf := bufs[i%2] // the other one may be being written
		n, rerr := io.ReadFull(src, buf)
		chunk := buf[:n]
		if n > 0 {
			if _, err := v.Write(chunk); err != nil {
				_ = wait()
				return Result{}, err
			}
			written += int64(n)
		}
		last := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		if rerr != nil && !last {
			_ = wait()
			return Result{}, rerr
		}
		var res Result
		var cerr error
		if last {
			res, cerr = v.Close() // a short file is only scanned here
		}
		if err := wait(); err != nil {
			return Result{}, err
		}
		if cerr != nil {
			return Result{}, cerr
		}
		// What is kept and not yet stored lies in this chunk: the head
		// waits for the sniffer only when the whole file is one chunk.
		lo, keep := written-int64(n), min(v.kept, written)
		if keep > stored && stored < lo {
			return Result{}, errors.New("docfile: copy lost track of the kept bytes")
		}
		if keep > stored {
			p := chunk[stored-lo : keep-lo]
			stored = keep
			writing = true
			go func() { _, err := dst.Write(p); done <- err }()
		}
		if last {
			return res, wait()
		}
	}
}

// copyChunk is how much of an upload Copy handles at a time.
const copyChunk = 256 << 10
