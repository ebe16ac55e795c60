// Package docfile validates uploaded documents as they stream in: it sniffs
// the real content type, enforces the size limit and the types allowed for
// the document kind, walks the container format to refuse truncated files,
// polyglots and trailing data, scans PDFs for active content, and (after the
// bytes are stored) decodes images under a pixel cap and reads PDFs whole
// (CheckPDF): object streams, every revision, encryption.
package docfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	_ "image/jpeg" // decoders for image.Decode
	_ "image/png"
	"io"
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
}

// Default limits.
const (
	DefaultMaxBytes  = 10 << 20
	DefaultMaxPixels = 40_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	return l
}

// sniffLen is how much of the head mimetype needs.
const sniffLen = 3072

// Validator is an io.Writer that checks an upload as it streams past. A Write
// error is a *kyc.FieldError on field "file": stop and discard what was stored.
type Validator struct {
	kind    kyc.DocumentKind
	lim     Limits
	head    []byte
	ctype   string
	scanner structScanner
	sha     hash.Hash
	size    int64
	err     error
}

// NewValidator returns a validator for a document of the given kind.
func NewValidator(kind kyc.DocumentKind, lim Limits) *Validator {
	return &Validator{kind: kind, lim: lim.withDefaults(), head: make([]byte, 0, sniffLen), sha: sha256.New()}
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
	v.sha.Write(p)
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
		if _, err := v.scanner.Write(p); err != nil {
			v.err = reject("%s", err.Error())
			return 0, v.err
		}
	}
	return n, nil
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
	if _, err := v.scanner.Write(v.head); err != nil {
		return reject("%s", err.Error())
	}
	return nil
}

// Result describes an accepted upload.
type Result struct {
	ContentType string
	Size        int64
	SHA256      string // hex
}

// Close finishes validation once the whole upload was written.
func (v *Validator) Close() (Result, error) {
	if v.err != nil {
		return Result{}, v.err
	}
	if v.scanner == nil {
		if v.err = v.start(); v.err != nil {
			return Result{}, v.err
		}
	}
	if err := v.scanner.End(); err != nil {
		v.err = reject("%s", err.Error())
		return Result{}, v.err
	}
	return Result{ContentType: v.ctype, Size: v.size, SHA256: hex.EncodeToString(v.sha.Sum(nil))}, nil
}

// Decoder decodes stored images, and checks stored PDFs whole, with a
// bounded number running at once, so that many concurrent uploads cannot
// exhaust memory.
type Decoder struct {
	slots     chan struct{}
	maxPixels int64
	maxBytes  int64
}

// NewDecoder allows n decodes at a time (n <= 0 means 2).
func NewDecoder(n int, lim Limits) *Decoder {
	if n <= 0 {
		n = 2
	}
	lim = lim.withDefaults()
	return &Decoder{slots: make(chan struct{}, n), maxPixels: lim.MaxPixels, maxBytes: lim.MaxBytes}
}

// Decode checks that an image decodes fully, refusing it before decoding if
// its header declares more pixels than the cap. open returns a fresh reader
// of the stored bytes each time it is called.
func (d *Decoder) Decode(open func() (io.ReadCloser, error)) (w, h int, err error) {
	r, err := open()
	if err != nil {
		return 0, 0, err
	}
	cfg, _, cerr := image.DecodeConfig(r)
	r.Close()
	if cerr != nil {
		return 0, 0, reject("the image header cannot be read: %s", cleanErr(cerr))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, reject("the image has no pixels")
	}
	if int64(cfg.Width)*int64(cfg.Height) > d.maxPixels {
		return 0, 0, kyc.TooLarge("file", "the image has %dx%d pixels, more than the limit of %d", cfg.Width, cfg.Height, d.maxPixels)
	}
	d.slots <- struct{}{}
	defer func() { <-d.slots }()
	r, err = open()
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	if _, _, derr := image.Decode(r); derr != nil {
		return 0, 0, reject("the image does not decode: %s", cleanErr(derr))
	}
	return cfg.Width, cfg.Height, nil
}

func cleanErr(err error) string {
	var fe *kyc.FieldError
	if errors.As(err, &fe) {
		return fe.Msg
	}
	return fmt.Sprint(err)
}
