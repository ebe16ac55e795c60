package dialect_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect"
)

// TestPublicKeys: a merchant's PEM key is parsed once and shared by
// concurrent requests; a malformed one is an error, never cached.
func TestPublicKeys(t *testing.T) {
	t.Parallel()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	require.NoError(t, err)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	var c dialect.PublicKeys
	first, err := c.Parse(pemText)
	require.NoError(t, err)
	require.True(t, first.Equal(&priv.PublicKey))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			k, err := c.Parse(pemText)
			require.NoError(t, err)
			require.Same(t, first, k, "parsed once")
		})
	}
	wg.Wait()
	for _, bad := range []string{"", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		_, err := c.Parse(bad)
		require.Error(t, err, bad)
	}
}
