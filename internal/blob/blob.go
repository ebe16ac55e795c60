// Package blob stores document bytes encrypted at rest on any
// gocloud.dev/blob bucket: the local file system by default (file://), or
// S3-compatible object storage (s3://bucket?endpoint=...&use_path_style=true)
// for stateless replicas. Bytes are streamed through the keyring's segmented
// AES-256-GCM, never held whole in memory, and bound to their key so that
// blobs cannot be swapped.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"path/filepath"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// URLs
	_ "gocloud.dev/blob/s3blob"   // s3:// URLs
	"gocloud.dev/gcerrors"

	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Store is an encrypted blob store.
type Store struct {
	bucket *blob.Bucket
	kr     *crypto.Keyring
	// localRoot is the directory of a file:// bucket: committed blobs are
	// fsynced there before their database row commits, so a row never
	// outlives its document on power loss. Object stores are durable on
	// their own.
	localRoot string
}

// URLForDataDir is the default bucket URL of the embedded setup.
func URLForDataDir(dataDir string) (string, error) {
	abs, err := filepath.Abs(filepath.Join(dataDir, "blobs"))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("create blob directory: %w", err)
	}
	return "file://" + filepath.ToSlash(abs) + "?metadata=skip&no_tmp_dir=true", nil
}

// Open opens the bucket at url.
func Open(ctx context.Context, url string, kr *crypto.Keyring) (*Store, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open blob bucket: %w", err)
	}
	s := &Store{bucket: b, kr: kr}
	if u, err := neturl.Parse(url); err == nil && u.Scheme == "file" {
		s.localRoot = filepath.FromSlash(u.Path)
	}
	return s, nil
}

// NewWithBucket wraps an already opened bucket (tests, embedding).
func NewWithBucket(b *blob.Bucket, kr *crypto.Keyring) *Store { return &Store{bucket: b, kr: kr} }

// Close closes the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

// Writer is an encrypting upload in progress. Nothing is visible under the
// key until Commit returns nil; Abort discards the upload.
type Writer struct {
	cancel   context.CancelFunc
	bw       *blob.Writer
	enc      io.WriteCloser
	done     bool
	syncPath string // file to fsync after commit (file:// buckets)
}

// NewWriter starts writing the blob at key.
func (s *Store) NewWriter(ctx context.Context, key string) (*Writer, error) {
	ctx, cancel := context.WithCancel(ctx)
	bw, err := s.bucket.NewWriter(ctx, key, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("blob writer: %w", err)
	}
	enc, err := s.kr.EncryptWriter(bw, []byte(key))
	if err != nil {
		cancel()
		_ = bw.Close()
		return nil, err
	}
	w := &Writer{cancel: cancel, bw: bw, enc: enc}
	if s.localRoot != "" {
		w.syncPath = filepath.Join(s.localRoot, filepath.FromSlash(key))
	}
	return w, nil
}

// Write encrypts p into the blob.
func (w *Writer) Write(p []byte) (int, error) { return w.enc.Write(p) }

// Commit finishes the upload.
func (w *Writer) Commit() error {
	if w.done {
		return errors.New("blob writer already finished")
	}
	w.done = true
	defer w.cancel()
	if err := w.enc.Close(); err != nil {
		w.cancel()
		_ = w.bw.Close()
		return fmt.Errorf("blob encrypt: %w", err)
	}
	if err := w.bw.Close(); err != nil {
		return fmt.Errorf("blob commit: %w", err)
	}
	if w.syncPath != "" {
		if err := syncFileAndDir(w.syncPath); err != nil {
			return fmt.Errorf("blob sync: %w", err)
		}
	}
	return nil
}

// syncFileAndDir makes a renamed file durable: its bytes, then its directory entry.
func syncFileAndDir(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Abort discards the upload; it is safe to call after Commit (no-op).
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.cancel() // a cancelled context makes Close discard the write
	_ = w.bw.Close()
}

// Open returns a reader of the decrypted blob.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, fmt.Errorf("blob %s: %w", key, kyc.ErrNotFound)
		}
		return nil, fmt.Errorf("blob read: %w", err)
	}
	dr, err := s.kr.DecryptReader(r, []byte(key))
	if err != nil {
		r.Close()
		return nil, err
	}
	return readCloser{dr, r}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Delete removes a blob; a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.bucket.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("blob delete: %w", err)
	}
	return nil
}

// DeletePrefix removes every blob whose key starts with prefix — also the
// partial files a crash left (file:// buckets write to key.<n>.tmp before
// renaming) — and returns how many it removed.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	keys, err := s.Keys(ctx, prefix)
	for i, k := range keys {
		if err := s.Delete(ctx, k); err != nil {
			return i, err
		}
	}
	return len(keys), err
}

// Keys lists the keys under prefix (tests and operators' checks).
func (s *Store) Keys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return keys, nil
		}
		if err != nil {
			return keys, fmt.Errorf("blob list: %w", err)
		}
		if !obj.IsDir {
			keys = append(keys, obj.Key)
		}
	}
}

// Ping checks the bucket is reachable.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.bucket.IsAccessible(ctx)
	return err
}
