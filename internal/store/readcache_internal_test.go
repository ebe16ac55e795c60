package store

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
)

// TestReadCacheKeepsOnlyTheCurrentVersion: a newer data_version clears the
// cache, an older one is not stored, and the byte budget bounds the rest.
func TestReadCacheKeepsOnlyTheCurrentVersion(t *testing.T) {
	t.Parallel()
	c := &readCache{}
	k1, k2 := cacheKey{"m", "v1"}, cacheKey{"m", "v2"}
	c.put(k1, 5, kyc.Verification{ID: "v1"}, nil)
	_, _, ok := c.get(k1, 5)
	require.True(t, ok)
	c.put(k2, 6, kyc.Verification{ID: "v2"}, nil)
	_, ok = c.entries.Load(k1)
	require.False(t, ok, "a commit made v1's entry useless: it is gone")
	c.put(k1, 5, kyc.Verification{ID: "v1"}, nil)
	_, ok = c.entries.Load(k1)
	require.False(t, ok, "an entry of an older version is not stored")

	big := []kyc.Check{{Evidence: bytes.Repeat([]byte("x"), readCacheMaxBytes/3)}}
	for i := range 10 {
		c.put(cacheKey{"m", string(rune('a' + i))}, 6, kyc.Verification{}, big)
		require.LessOrEqual(t, c.size, readCacheMaxBytes)
	}
}
