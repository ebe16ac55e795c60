// Package storetest opens migrated stores for the tests of the services
// (one helper instead of the same five lines in every suite).
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// Open opens the test database db, applies the migrations and closes the
// store when the test ends.
func Open(t testing.TB, db kyctest.DB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{URL: db.URL})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	return s
}

// Merchants inserts one active merchant per number and returns their ids.
func Merchants(t testing.TB, s *store.Store, numbers ...string) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for _, no := range numbers {
		m := kyc.Merchant{ID: kyc.NewID(kyc.PrefixMerchant), MerchantNo: no, Name: no, Status: kyc.MerchantActive, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMerchant(ctx, m) }))
		ids = append(ids, m.ID)
	}
	return ids
}

// Keyring opens a key ring on s under a new master key in a temporary
// directory.
func Keyring(t testing.TB, s *store.Store) *crypto.Keyring {
	t.Helper()
	mk, err := crypto.OpenMasterKey(crypto.MasterKeySource{DataDir: t.TempDir()})
	require.NoError(t, err)
	kr, err := crypto.OpenKeyring(context.Background(), mk, s)
	require.NoError(t, err)
	return kr
}
