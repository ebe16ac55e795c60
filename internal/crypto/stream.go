package crypto

import (
	"bufio"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Streaming encryption of blobs: the STREAM construction (Hoang, Reyhanitabar,
// Rogaway, Vizár) over AES-256-GCM with 64 KiB segments, so a document is
// encrypted and decrypted without ever being whole in memory. Each segment's
// nonce is prefix(7) | counter(4) | last(1); reordering, truncation and
// extension all fail authentication.
//
// Layout: "OKS1" | len(keyID) | keyID | prefix(7) | segments.

const (
	streamMagic   = "OKS1"
	segmentSize   = 64 << 10
	noncePrefixSz = 7
)

// EncryptWriter returns a writer that encrypts into w under the active key.
// Close must be called to write the final segment; it does not close w.
func (k *Keyring) EncryptWriter(w io.Writer, aad []byte) (io.WriteCloser, error) {
	id := k.ActiveKeyID()
	a, err := k.aead(id)
	if err != nil {
		return nil, err
	}
	hdr := make([]byte, 0, len(streamMagic)+1+len(id)+noncePrefixSz)
	hdr = append(hdr, streamMagic...)
	hdr = append(hdr, byte(len(id)))
	hdr = append(hdr, id...)
	prefix := make([]byte, noncePrefixSz)
	if _, err := rand.Read(prefix); err != nil {
		return nil, err
	}
	hdr = append(hdr, prefix...)
	if _, err := w.Write(hdr); err != nil {
		return nil, err
	}
	// buf has room for the tag: segments are sealed in place.
	return &encWriter{w: w, a: a, aad: aad, prefix: prefix, buf: make([]byte, 0, segmentSize+a.Overhead())}, nil
}

type encWriter struct {
	w      io.Writer
	a      cipher.AEAD
	aad    []byte
	prefix []byte
	ctr    uint32
	buf    []byte
	closed bool
	err    error
}

func segmentNonce(prefix []byte, ctr uint32, last bool) []byte {
	n := make([]byte, 12)
	copy(n, prefix)
	binary.BigEndian.PutUint32(n[7:11], ctr)
	if last {
		n[11] = 1
	}
	return n
}

func (e *encWriter) flush(last bool) error {
	if e.ctr == ^uint32(0) {
		return errors.New("stream too long")
	}
	sealed := e.a.Seal(e.buf[:0], segmentNonce(e.prefix, e.ctr, last), e.buf, e.aad)
	e.ctr++
	e.buf = e.buf[:0]
	_, err := e.w.Write(sealed)
	return err
}

func (e *encWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.closed {
		return 0, errors.New("write after close")
	}
	n := 0
	for len(p) > 0 {
		// A full buffer is flushed only when more data follows, so that the
		// final segment is always the one written by Close.
		if len(e.buf) == segmentSize {
			if e.err = e.flush(false); e.err != nil {
				return n, e.err
			}
		}
		c := copy(e.buf[len(e.buf):segmentSize], p)
		e.buf = e.buf[:len(e.buf)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

func (e *encWriter) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if e.err != nil {
		return e.err
	}
	e.err = e.flush(true)
	return e.err
}

// DecryptReader returns a reader of the plaintext of a stream made by
// EncryptWriter. Any tampering surfaces as ErrDecrypt from Read.
func (k *Keyring) DecryptReader(r io.Reader, aad []byte) (io.Reader, error) {
	br := bufio.NewReaderSize(r, segmentSize+64)
	head := make([]byte, len(streamMagic)+1)
	if _, err := io.ReadFull(br, head); err != nil || string(head[:4]) != streamMagic {
		return nil, ErrDecrypt
	}
	id := make([]byte, head[4])
	if _, err := io.ReadFull(br, id); err != nil {
		return nil, ErrDecrypt
	}
	a, err := k.aead(string(id))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	prefix := make([]byte, noncePrefixSz)
	if _, err := io.ReadFull(br, prefix); err != nil {
		return nil, ErrDecrypt
	}
	return &decReader{r: br, a: a, aad: aad, prefix: prefix, seg: make([]byte, segmentSize+a.Overhead())}, nil
}

type decReader struct {
	r      *bufio.Reader
	a      cipher.AEAD
	aad    []byte
	prefix []byte
	ctr    uint32
	seg    []byte
	plain  []byte
	done   bool
	err    error
}

func (d *decReader) Read(p []byte) (int, error) {
	for len(d.plain) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.plain)
	d.plain = d.plain[n:]
	return n, nil
}

func (d *decReader) next() error {
	n, err := io.ReadFull(d.r, d.seg)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		d.done = true
	case err != nil:
		return err
	default:
		if _, perr := d.r.Peek(1); perr == io.EOF {
			d.done = true
		} else if perr != nil {
			return perr
		}
	}
	if n < d.a.Overhead() {
		return ErrDecrypt
	}
	pt, oerr := d.a.Open(d.seg[:0], segmentNonce(d.prefix, d.ctr, d.done), d.seg[:n], d.aad)
	if oerr != nil {
		return ErrDecrypt
	}
	d.ctr++
	d.plain = pt
	return nil
}
