package crypto

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
)

// RSABits is the size of the RSA keys openkyc generates.
const RSABits = 2048

// NewRSAKey generates an RSA key pair and returns it with its PKCS #8 DER
// encoding (what is sealed at rest).
func NewRSAKey() (*rsa.PrivateKey, []byte, error) {
	k, err := rsa.GenerateKey(rand.Reader, RSABits)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	return k, der, err
}

// ParseRSAPrivateKeyDER reads a PKCS #8 DER RSA private key.
func ParseRSAPrivateKeyDER(der []byte) (*rsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("expected an RSA key")
	}
	return rk, nil
}

// ParseRSAPrivateKey reads a PEM PKCS #8 ("PRIVATE KEY") RSA private key.
func ParseRSAPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("expected a PEM PRIVATE KEY (PKCS #8) block")
	}
	return ParseRSAPrivateKeyDER(block.Bytes)
}

// ParseRSAPublicKey reads a PEM "PUBLIC KEY" (PKIX) RSA key of at least 2048
// bits; shorter keys are refused.
func ParseRSAPublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("expected a PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, errors.New("the PUBLIC KEY block is not a valid PKIX key")
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok || rk.N.BitLen() < RSABits {
		return nil, errors.New("expected an RSA key of at least 2048 bits")
	}
	return rk, nil
}

// RSAPublicKeyPEM encodes a public key as PEM "PUBLIC KEY" (PKIX).
func RSAPublicKeyPEM(k *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil { // cannot happen for an RSA key
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// SignSHA256 signs msg with SHA256withRSA (RSASSA-PKCS1-v1_5) and returns
// the signature in standard Base64.
func SignSHA256(key *rsa.PrivateKey, msg []byte) (string, error) {
	sum := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifySHA256 checks a Base64 SHA256withRSA signature of msg.
func VerifySHA256(pub *rsa.PublicKey, msg []byte, signature string) bool {
	sum := sha256.Sum256(msg)
	return VerifySHA256Digest(pub, sum[:], signature)
}

// VerifySHA256Digest checks a Base64 SHA256withRSA signature of a message
// whose SHA-256 is sum (a message hashed as it streamed).
func VerifySHA256Digest(pub *rsa.PublicKey, sum []byte, signature string) bool {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum, sig) == nil
}
