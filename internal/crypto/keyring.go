package crypto

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
)

// Key purposes.
const (
	PurposeEncrypt = "encrypt"
	PurposeLookup  = "lookup"
)

// WrappedKey is a data key as stored: wrapped by a version of the master key.
type WrappedKey struct {
	ID            string
	Purpose       string
	Wrapped       []byte
	Active        bool
	MasterVersion int
}

// KeyStore persists wrapped data keys. The store package implements it.
type KeyStore interface {
	// InsertDataKey stores k unless a key with the same id exists.
	InsertDataKey(ctx context.Context, k WrappedKey) error
	// DataKeys returns every stored key.
	DataKeys(ctx context.Context) ([]WrappedKey, error)
	// RewrapDataKey replaces a key's wrapping if it is still wrapped by
	// version from, and reports whether it did.
	RewrapDataKey(ctx context.Context, id string, from int, k WrappedKey) (bool, error)
}

// The first keys have fixed ids so that replicas starting together agree on
// them (insert-if-absent, then read back).
const (
	firstEncryptKeyID = "dk_enc_1"
	firstLookupKeyID  = "dk_lkp_1"
)

// Keyring holds the unwrapped data keys in memory.
type Keyring struct {
	mu       sync.RWMutex
	aeads    map[string]cipher.AEAD
	activeID string
	lookup   []byte
}

// OpenKeyring loads the data keys, creating the first ones if the store has
// none, and unwraps them with the master key.
func OpenKeyring(ctx context.Context, master *MasterKeys, ks KeyStore) (*Keyring, error) {
	for _, first := range []WrappedKey{{ID: firstEncryptKeyID, Purpose: PurposeEncrypt, Active: true}, {ID: firstLookupKeyID, Purpose: PurposeLookup, Active: true}} {
		dk := make([]byte, 32)
		if _, err := rand.Read(dk); err != nil {
			return nil, err
		}
		v, w, err := master.Wrap(ctx, dk)
		if err != nil {
			return nil, fmt.Errorf("wrap data key: %w", err)
		}
		first.Wrapped, first.MasterVersion = w, v
		if err := ks.InsertDataKey(ctx, first); err != nil {
			return nil, fmt.Errorf("store data key: %w", err)
		}
	}
	keys, err := ks.DataKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("load data keys: %w", err)
	}
	kr := &Keyring{aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if !master.Has(k.MasterVersion) {
			return nil, fmt.Errorf("data key %s is wrapped by master key version %d, which is not configured (configured: %v): "+
				"add it to the master key file or OPENKYC_MASTER_KEY", k.ID, k.MasterVersion, master.Versions())
		}
		raw, err := master.Unwrap(ctx, k.MasterVersion, k.Wrapped)
		if err != nil {
			return nil, fmt.Errorf("unwrap data key %s with master key version %d (wrong master key?): %w", k.ID, k.MasterVersion, err)
		}
		switch k.Purpose {
		case PurposeEncrypt:
			a, err := newAEAD(raw)
			if err != nil {
				return nil, err
			}
			kr.aeads[k.ID] = a
			if k.Active {
				kr.activeID = k.ID
			}
		case PurposeLookup:
			if k.Active {
				kr.lookup = raw
			}
		}
	}
	if kr.activeID == "" || kr.lookup == nil {
		return nil, errors.New("keyring: no active data keys")
	}
	return kr, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("data key must be 32 bytes")
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// ActiveKeyID is the id of the key new data is encrypted under.
func (k *Keyring) ActiveKeyID() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.activeID
}

func (k *Keyring) aead(id string) (cipher.AEAD, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	a, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("unknown data key %q", id)
	}
	return a, nil
}

// ErrDecrypt means a ciphertext was malformed, truncated, tampered with or
// bound to another record.
var ErrDecrypt = errors.New("decryption failed")

const sealVersion = 1

// Seal encrypts a small value (a PII record) under the active key. aad binds
// the ciphertext to its owner (for example the applicant id) so ciphertexts
// cannot be swapped between rows. Format: version | len(keyID) | keyID | nonce | ciphertext.
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	id := k.ActiveKeyID()
	a, err := k.aead(id)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 2+len(id)+a.NonceSize()+len(plaintext)+a.Overhead())
	out = append(out, sealVersion, byte(len(id)))
	out = append(out, id...)
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return a.Seal(out, nonce, plaintext, aad), nil
}

// Open decrypts a value made by Seal.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 2 || sealed[0] != sealVersion || len(sealed) < 2+int(sealed[1]) {
		return nil, ErrDecrypt
	}
	id := string(sealed[2 : 2+int(sealed[1])])
	a, err := k.aead(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	rest := sealed[2+len(id):]
	if len(rest) < a.NonceSize()+a.Overhead() {
		return nil, ErrDecrypt
	}
	pt, err := a.Open(nil, rest[:a.NonceSize()], rest[a.NonceSize():], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// LookupHash returns the keyed hash (HMAC-SHA256, hex) of an already
// normalised identifier, domain-separated by kind ("email", "phone",
// "document_number"). Empty input hashes to empty output.
func (k *Keyring) LookupHash(kind, normalised string) string {
	if normalised == "" {
		return ""
	}
	k.mu.RLock()
	m := hmac.New(sha256.New, k.lookup)
	k.mu.RUnlock()
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil))
}

// Rewrap wraps every data key that is not wrapped by the active master key
// version with it (the data keys themselves, and so every ciphertext, stay
// as they are). It is safe to run on several processes at once: a key
// another process re-wrapped first is skipped. It returns how many keys it
// re-wrapped.
func Rewrap(ctx context.Context, master *MasterKeys, ks KeyStore) (int, error) {
	keys, err := ks.DataKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("load data keys: %w", err)
	}
	n := 0
	for _, k := range keys {
		if k.MasterVersion == master.Active() {
			continue
		}
		raw, err := master.Unwrap(ctx, k.MasterVersion, k.Wrapped)
		if err != nil {
			return n, fmt.Errorf("unwrap data key %s: %w", k.ID, err)
		}
		v, w, err := master.Wrap(ctx, raw)
		if err != nil {
			return n, err
		}
		from := k.MasterVersion
		k.Wrapped, k.MasterVersion = w, v
		ok, err := ks.RewrapDataKey(ctx, k.ID, from, k)
		if err != nil {
			return n, fmt.Errorf("store data key %s: %w", k.ID, err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// MasterVersionsInUse counts the data keys wrapped by each master key version.
func MasterVersionsInUse(ctx context.Context, ks KeyStore) (map[int]int, error) {
	keys, err := ks.DataKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int]int{}
	for _, k := range keys {
		out[k.MasterVersion]++
	}
	return out, nil
}
