// Package storetest opens migrated stores for the tests of the services
// (one helper instead of the same five lines in every suite).
package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

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
