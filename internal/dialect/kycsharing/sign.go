package kycsharing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/openkyc/openkyc/internal/dialect"
)

// Canonical returns the canonical form of a JSON body the dialect signs
// (dialect.CanonicalJSON: keys sorted, empty values dropped, no
// insignificant whitespace, UTF-8 as it is).
func Canonical(body []byte) (string, error) { return dialect.CanonicalJSON(body) }

// FormCanonical is the canonical body of a multipart call: the non-file
// fields as a JSON object of strings.
func FormCanonical(fields map[string]string) string { return dialect.CanonicalFields(fields) }

// Sign is Base64(HMAC-SHA256(secret, timestamp + METHOD + path + canonicalBody)).
func Sign(secret, timestamp, method, path, canonicalBody string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte(method))
	m.Write([]byte(path))
	m.Write([]byte(canonicalBody))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ValidSign compares in constant time.
func ValidSign(secret, timestamp, method, path, canonicalBody, sign string) bool {
	want := Sign(secret, timestamp, method, path, canonicalBody)
	return hmac.Equal([]byte(want), []byte(sign))
}
