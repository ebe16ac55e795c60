package vexora

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"strings"
)

// Canonical is the string Vexora signs: every non-empty field except sign,
// sorted by name (byte order), as key=value with no separators, followed by
// the app secret.
func Canonical(fields map[string]string, secret string) string {
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if k != "sign" && v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(fields[k])
	}
	b.WriteString(secret)
	return b.String()
}

// Sign is the lowercase hex MD5 of Canonical.
func Sign(fields map[string]string, secret string) string {
	sum := md5.Sum([]byte(Canonical(fields, secret)))
	return hex.EncodeToString(sum[:])
}

// ValidSign compares a received sign with the expected one in constant time
// (case-insensitively, as hex).
func ValidSign(fields map[string]string, secret, sign string) bool {
	want := Sign(fields, secret)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(sign))) == 1
}
