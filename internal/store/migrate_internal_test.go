package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestDialectNamesMigration: card binding's credential, settings and
// nonces written under its old stored name ('card_binding', up to
// migration 17) are found under its surface after migration 18, and a
// nonce used before the upgrade stays used.
func TestDialectNamesMigration(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		s, err := Open(ctx, Config{URL: db.URL})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		_, err = s.goose.UpTo(ctx, 17)
		require.NoError(t, err)

		const old = kyc.Surface("card_binding")
		now := time.Now().UTC().Truncate(time.Microsecond)
		m := kyc.Merchant{ID: kyc.NewID(kyc.PrefixMerchant), MerchantNo: "M-upgrade", Name: "upgrade", Status: kyc.MerchantActive, CreatedAt: now, UpdatedAt: now}
		require.NoError(t, s.InTx(ctx, func(tx *Tx) error {
			if err := tx.InsertMerchant(ctx, m); err != nil {
				return err
			}
			if err := tx.InsertDialectCredential(ctx, DialectCredential{MerchantID: m.ID, Dialect: old, AppID: "app-upgrade", SealedSecret: []byte("sealed"), CreatedAt: now}); err != nil {
				return err
			}
			return tx.PutDialectSettings(ctx, DialectSettings{MerchantID: m.ID, Dialect: old, CallbackURL: "https://merchant.example/cb", UpdatedAt: now})
		}))
		fresh, err := s.UseNonce(ctx, m.ID, old, "n1", now.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, fresh)

		ran, err := s.Migrate(ctx)
		require.NoError(t, err)
		require.Positive(t, ran)

		c, err := s.DialectCredential(ctx, m.ID, kyc.SurfaceCardBinding)
		require.NoError(t, err)
		require.Equal(t, "app-upgrade", c.AppID)
		c, _, err = s.DialectCredentialByAppID(ctx, kyc.SurfaceCardBinding, "app-upgrade")
		require.NoError(t, err)
		require.Equal(t, []byte("sealed"), c.SealedSecret)
		set, err := s.DialectSettings(ctx, m.ID, kyc.SurfaceCardBinding)
		require.NoError(t, err)
		require.Equal(t, "https://merchant.example/cb", set.CallbackURL)
		fresh, err = s.UseNonce(ctx, m.ID, kyc.SurfaceCardBinding, "n1", now.Add(time.Hour))
		require.NoError(t, err)
		require.False(t, fresh, "a nonce used before the upgrade is a replay after it")
		_, err = s.DialectCredential(ctx, m.ID, old)
		require.True(t, kyc.IsNotFound(err), "nothing is left under the old name")

		// Down again: the rows are back under the old name.
		_, err = s.goose.DownTo(ctx, 17)
		require.NoError(t, err)
		c, err = s.DialectCredential(ctx, m.ID, old)
		require.NoError(t, err)
		require.Equal(t, "app-upgrade", c.AppID)
		set, err = s.DialectSettings(ctx, m.ID, old)
		require.NoError(t, err)
		require.Equal(t, "https://merchant.example/cb", set.CallbackURL)
	})
}
