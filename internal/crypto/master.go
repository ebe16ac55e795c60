// Package crypto implements envelope encryption for PII fields and blobs
// (AES-256-GCM under data keys wrapped by a master key), and keyed hashes of
// normalised identifiers for duplicate search without plaintext.
package crypto

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gocloud.dev/secrets"
	"gocloud.dev/secrets/localsecrets"
)

// MasterKeySource says where the master key comes from. The first non-empty of
// Value, File, then DataDir/master.key is used; on the embedded default the
// file is created on first start with mode 0600.
//
// A source holds one or more versions of the master key, one per line (or
// separated by commas or spaces): "v2:<base64 of 32 bytes>"; a bare base64
// key is version 1. The newest version wraps data keys; every listed
// version unwraps them, so a rotation adds a version, re-wraps, and retires
// the old one once no data key uses it.
type MasterKeySource struct {
	Value   string
	File    string
	DataDir string
}

// MasterKeyFileName is the master key's file name inside the data directory.
const MasterKeyFileName = "master.key"

// MasterKeys are the configured versions of the master key.
type MasterKeys struct {
	keys   map[int]*secrets.Keeper
	raw    map[int][]byte
	active int
	// Path is the file the keys came from ("" for a value).
	Path string
}

// Active is the version new data keys and re-wraps use.
func (m *MasterKeys) Active() int { return m.active }

// Versions lists the configured versions, oldest first.
func (m *MasterKeys) Versions() []int {
	vs := make([]int, 0, len(m.keys))
	for v := range m.keys {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// Has reports whether version v is configured.
func (m *MasterKeys) Has(v int) bool { return m.keys[v] != nil }

// Wrap encrypts a data key under the active version.
func (m *MasterKeys) Wrap(ctx context.Context, dk []byte) (int, []byte, error) {
	w, err := m.keys[m.active].Encrypt(ctx, dk)
	return m.active, w, err
}

// Unwrap decrypts a data key wrapped by version v.
func (m *MasterKeys) Unwrap(ctx context.Context, v int, wrapped []byte) ([]byte, error) {
	k := m.keys[v]
	if k == nil {
		return nil, fmt.Errorf("master key version %d is not configured (configured: %v)", v, m.Versions())
	}
	return k.Decrypt(ctx, wrapped)
}

// Encode renders the keys in the master key file format, newest first.
func (m *MasterKeys) Encode() string {
	vs := m.Versions()
	var b strings.Builder
	for i := len(vs) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "v%d:%s\n", vs[i], base64.StdEncoding.EncodeToString(m.raw[vs[i]]))
	}
	return b.String()
}

// WithNewVersion returns the keys plus a new random version, which becomes
// active.
func (m *MasterKeys) WithNewVersion() (*MasterKeys, error) {
	k, err := localsecrets.NewRandomKey()
	if err != nil {
		return nil, err
	}
	out := &MasterKeys{keys: map[int]*secrets.Keeper{}, raw: map[int][]byte{}, Path: m.Path}
	for v, raw := range m.raw {
		out.add(v, raw)
	}
	out.add(m.Versions()[len(m.keys)-1]+1, k[:])
	return out, nil
}

// Without returns the keys without version v (which must not be active).
func (m *MasterKeys) Without(v int) (*MasterKeys, error) {
	if v == m.active {
		return nil, fmt.Errorf("master key version %d is the active one", v)
	}
	if !m.Has(v) {
		return nil, fmt.Errorf("master key version %d is not configured", v)
	}
	out := &MasterKeys{keys: map[int]*secrets.Keeper{}, raw: map[int][]byte{}, Path: m.Path}
	for w, raw := range m.raw {
		if w != v {
			out.add(w, raw)
		}
	}
	return out, nil
}

func (m *MasterKeys) add(v int, raw []byte) {
	var k [32]byte
	copy(k[:], raw)
	m.keys[v], m.raw[v] = localsecrets.NewKeeper(k), append([]byte(nil), raw...)
	m.active = max(m.active, v)
}

// OpenMasterKey reads the master key versions.
func OpenMasterKey(src MasterKeySource) (*MasterKeys, error) {
	text, from, path, err := loadMasterKey(src)
	if err != nil {
		return nil, err
	}
	m, err := ParseMasterKeys(text, from)
	if err != nil {
		return nil, err
	}
	m.Path = path
	return m, nil
}

// ParseMasterKeys parses the master key format (see MasterKeySource); from
// names the source in errors.
func ParseMasterKeys(text, from string) (*MasterKeys, error) {
	m := &MasterKeys{keys: map[int]*secrets.Keeper{}, raw: map[int][]byte{}}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, strings.FieldsFunc(l, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
	}
	for _, entry := range lines {
		v, key := 1, entry
		if head, k, found := strings.Cut(entry, ":"); found { // base64 has no ':'
			n, err := strconv.Atoi(strings.TrimPrefix(head, "v"))
			if !strings.HasPrefix(head, "v") || err != nil || n < 1 || n > 1_000_000 {
				return nil, fmt.Errorf("master key from %s: %q is not v<version>:<base64>", from, truncate(entry))
			}
			v, key = n, k
		}
		raw, err := base64.StdEncoding.DecodeString(key)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("master key from %s must be 32 bytes in standard base64 (openssl rand -base64 32), optionally as v<version>:<base64>", from)
		}
		if m.Has(v) {
			return nil, fmt.Errorf("master key from %s: version %d is listed twice", from, v)
		}
		m.add(v, raw)
	}
	if len(m.keys) == 0 {
		return nil, fmt.Errorf("master key from %s must be 32 bytes in standard base64 (openssl rand -base64 32)", from)
	}
	return m, nil
}

// truncate keeps key material out of error messages.
func truncate(s string) string {
	if len(s) > 4 {
		return s[:4] + "…"
	}
	return s
}

func loadMasterKey(src MasterKeySource) (text, from, path string, err error) {
	switch {
	case src.Value != "":
		return src.Value, "OPENKYC_MASTER_KEY", "", nil
	case src.File != "":
		b, err := os.ReadFile(src.File)
		if err != nil {
			return "", "", "", fmt.Errorf("read master key file: %w", err)
		}
		return string(b), "OPENKYC_MASTER_KEY_FILE", src.File, nil
	case src.DataDir != "":
		path := filepath.Join(src.DataDir, MasterKeyFileName)
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			b, err = createMasterKey(path)
		}
		if err != nil {
			return "", "", "", fmt.Errorf("read master key file: %w", err)
		}
		return string(b), path, path, nil
	}
	return "", "", "", errors.New("no master key: set OPENKYC_MASTER_KEY, OPENKYC_MASTER_KEY_FILE or a data directory")
}

func createMasterKey(path string) ([]byte, error) {
	k, err := localsecrets.NewRandomKey()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	// O_EXCL: two processes starting at once must not both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create master key file: %w", err)
	}
	text := base64.StdEncoding.EncodeToString(k[:]) + "\n"
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return []byte(text), f.Close()
}

// WriteMasterKeyFile replaces the key file at path with m atomically (a
// temporary file in the same directory, fsynced, renamed), mode 0600.
func WriteMasterKeyFile(path string, m *MasterKeys) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".master.key-*")
	if err != nil {
		return fmt.Errorf("write master key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString("# openkyc master key versions, newest first: keep them secret, back them up apart from the database\n" + m.Encode()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace master key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
