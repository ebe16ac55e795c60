// Package crypto implements envelope encryption for PII fields and blobs
// (AES-256-GCM under data keys wrapped by a master key), and keyed hashes of
// normalised identifiers for duplicate search without plaintext.
package crypto

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/secrets"
	"gocloud.dev/secrets/localsecrets"
)

// MasterKeySource says where the master key comes from. The first non-empty of
// Value (base64 of 32 bytes), File, then DataDir/master.key is used; on the
// embedded default the file is created on first start with mode 0600.
type MasterKeySource struct {
	Value   string
	File    string
	DataDir string
}

// MasterKeyFileName is the master key's file name inside the data directory.
const MasterKeyFileName = "master.key"

// OpenMasterKey returns the keeper that wraps and unwraps data keys.
func OpenMasterKey(src MasterKeySource) (*secrets.Keeper, error) {
	raw, err := loadMasterKey(src)
	if err != nil {
		return nil, err
	}
	var k [32]byte
	copy(k[:], raw)
	return localsecrets.NewKeeper(k), nil
}

func loadMasterKey(src MasterKeySource) ([]byte, error) {
	switch {
	case src.Value != "":
		return decodeMasterKey(src.Value, "OPENKYC_MASTER_KEY")
	case src.File != "":
		b, err := os.ReadFile(src.File)
		if err != nil {
			return nil, fmt.Errorf("read master key file: %w", err)
		}
		return decodeMasterKey(string(b), "OPENKYC_MASTER_KEY_FILE")
	case src.DataDir != "":
		path := filepath.Join(src.DataDir, MasterKeyFileName)
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return createMasterKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("read master key file: %w", err)
		}
		return decodeMasterKey(string(b), path)
	}
	return nil, errors.New("no master key: set OPENKYC_MASTER_KEY, OPENKYC_MASTER_KEY_FILE or a data directory")
}

func decodeMasterKey(s, from string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("master key from %s must be 32 bytes in standard base64 (openssl rand -base64 32)", from)
	}
	return b, nil
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
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, rerr
		}
		return decodeMasterKey(string(b), path)
	}
	if err != nil {
		return nil, fmt.Errorf("create master key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k[:]) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return k[:], f.Close()
}
