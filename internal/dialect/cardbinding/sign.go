// Package cardbinding will be the card-binding KYC dialect
// (../shared/DIALECTS.md §4). This part holds its signature scheme:
// SHA256withRSA over the sorted k=v& string of the request headers and body
// fields. The endpoints come next (see the issue tracker).
package cardbinding

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/dialect"
)

// SignedHeaders are the request headers that enter the signature (lower case).
var SignedHeaders = []string{"timestamp", "nonce", "api-key", "version", "lang"}

// StringToSign builds the signed string: every header of SignedHeaders and
// every body field, minus signature and empty values, sorted by name (byte
// order), joined as k=v&k=v. Strings enter as they are; numbers and booleans
// as written; objects and arrays as compact JSON with sorted keys and empty
// values dropped (the canonical form of the KYC Sharing dialect).
func StringToSign(headers map[string]string, body []byte) (string, error) {
	fields := map[string]string{}
	for k, v := range headers {
		k = strings.ToLower(k)
		if k != "signature" && v != "" {
			fields[k] = v
		}
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return "", errors.New("body must be a JSON object")
		}
		for k, raw := range top {
			if k == "signature" {
				continue
			}
			v, err := fieldText(raw)
			if err != nil {
				return "", err
			}
			if v != "" {
				fields[k] = v
			}
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(fields[k])
	}
	return b.String(), nil
}

func fieldText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case raw[0] == '{' || raw[0] == '[':
		return dialect.CanonicalJSON(raw)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	var bl bool
	if err := json.Unmarshal(raw, &bl); err != nil {
		return "", errors.New("malformed value")
	}
	if bl {
		return "true", nil
	}
	return "false", nil
}

// Sign signs s with SHA256withRSA (PKCS #1 v1.5), Base64.
func Sign(key *rsa.PrivateKey, s string) (string, error) { return okcrypto.SignSHA256(key, []byte(s)) }

// Verify checks a Base64 SHA256withRSA signature of s.
func Verify(pub *rsa.PublicKey, s, signature string) bool {
	return okcrypto.VerifySHA256(pub, []byte(s), signature)
}
