package dialect

import (
	"crypto/rsa"
	"sync"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
)

// maxCachedKeys bounds PublicKeys: past it the cache starts again.
const maxCachedKeys = 1000

// PublicKeys parses the PEM public keys merchants uploaded (the RSA
// dialects verify every request with one) once each; the zero value is
// ready to use and safe for concurrent use.
type PublicKeys struct {
	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
}

// Parse returns the key of pemText, parsing it the first time.
func (c *PublicKeys) Parse(pemText string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	k, ok := c.keys[pemText]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	k, err := okcrypto.ParseRSAPublicKey([]byte(pemText))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = map[string]*rsa.PublicKey{}
	}
	c.keys[pemText] = k
	c.mu.Unlock()
	return k, nil
}
