package paycools

import (
	"crypto/rsa"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
)

// Requests are signed by the merchant with SHA256withRSA over the param
// string, answers and notifications by the platform key (Configuration →
// Key in the seed); each merchant's public key is parsed once and cached.

func (h *Dialect) publicKey(pemText string) (*rsa.PublicKey, error) {
	if pemText == "" {
		return nil, fail(CodeSign, "sign: the merchant has not uploaded its public key (openkyc merchant set-key --dialect paycools)")
	}
	return h.keys.Parse(pemText)
}

func signParam(key *rsa.PrivateKey, param []byte) (string, error) {
	return okcrypto.SignSHA256(key, param)
}
