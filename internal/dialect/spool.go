package dialect

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"io"
	"os"
)

// Spool holds an upload set aside while the rest of a request is read (the
// request's signature covers fields that come after the file): a temporary
// file, unlinked at once so no other process can open it by name and it
// goes with the request or the process, encrypted (AES-256-CTR) under a key
// that lives only in the request's memory. Nothing of the upload is held in
// memory.
type Spool struct {
	f    *os.File
	key  []byte
	iv   []byte
	size int64
	w    *cipher.StreamWriter
}

// NewSpool creates a spool; pattern names its temporary file (os.CreateTemp).
func NewSpool(pattern string) (*Spool, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	_ = os.Remove(f.Name()) // unlinked at once
	s := &Spool{f: f, key: make([]byte, 32), iv: make([]byte, aes.BlockSize)}
	_, _ = rand.Read(s.key)
	_, _ = rand.Read(s.iv)
	block, err := aes.NewCipher(s.key)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.w = &cipher.StreamWriter{S: cipher.NewCTR(block, s.iv), W: f}
	return s, nil
}

// Write appends p, encrypted.
func (s *Spool) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.size += int64(n)
	return n, err
}

// Size is how many bytes were written.
func (s *Spool) Size() int64 { return s.size }

// Open returns a reader of what was written, decrypted.
func (s *Spool) Open() (io.Reader, error) {
	block, err := aes.NewCipher(s.key)
	if err != nil {
		return nil, err
	}
	return &cipher.StreamReader{S: cipher.NewCTR(block, s.iv), R: io.NewSectionReader(s.f, 0, s.size)}, nil
}

// Close removes the spool.
func (s *Spool) Close() error { return s.f.Close() }
