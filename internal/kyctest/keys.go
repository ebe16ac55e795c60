package kyctest

import (
	"context"
	"sync"
	"testing"

	"github.com/openkyc/openkyc/internal/crypto"
)

// MemKeys is an in-memory crypto.KeyStore.
type MemKeys struct {
	mu   sync.Mutex
	keys []crypto.WrappedKey
}

// InsertDataKey implements crypto.KeyStore.
func (m *MemKeys) InsertDataKey(_ context.Context, k crypto.WrappedKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.keys {
		if e.ID == k.ID {
			return nil
		}
	}
	m.keys = append(m.keys, k)
	return nil
}

// DataKeys implements crypto.KeyStore.
func (m *MemKeys) DataKeys(context.Context) ([]crypto.WrappedKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]crypto.WrappedKey(nil), m.keys...), nil
}

// RewrapDataKey implements crypto.KeyStore.
func (m *MemKeys) RewrapDataKey(_ context.Context, id string, from int, k crypto.WrappedKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.keys {
		if e.ID == id && e.MasterVersion == from {
			m.keys[i].Wrapped, m.keys[i].MasterVersion = k.Wrapped, k.MasterVersion
			return true, nil
		}
	}
	return false, nil
}

// Keyring returns a keyring under a fresh master key.
func Keyring(t testing.TB) *crypto.Keyring {
	t.Helper()
	mk, err := crypto.OpenMasterKey(crypto.MasterKeySource{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	kr, err := crypto.OpenKeyring(context.Background(), mk, &MemKeys{})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}
