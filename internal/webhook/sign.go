// Package webhook delivers events to merchants: native webhook endpoints
// signed the Standard Webhooks way, and — through the Formatter seam — the
// dialects' own callbacks. Deliveries are durable jobs retried on a schedule,
// sent through an SSRF-guarded client that follows no redirects, and logged.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every endpoint secret (Standard Webhooks).
const SecretPrefix = "whsec_"

// NewSecret returns a random endpoint secret.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

func secretKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, errors.New("webhook secret must start with " + SecretPrefix)
	}
	return base64.StdEncoding.DecodeString(raw)
}

// Sign returns the webhook-signature value for a message: "v1,<base64
// HMAC-SHA256(key, id.timestamp.body)>" per secret, space separated (two
// secrets while one is being rotated out).
func Sign(id string, ts time.Time, body []byte, secrets ...string) (string, error) {
	var sigs []string
	for _, s := range secrets {
		key, err := secretKey(s)
		if err != nil {
			return "", err
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id))
		m.Write([]byte{'.'})
		m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
		m.Write([]byte{'.'})
		m.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(sigs, " "), nil
}

// Verification errors.
var (
	ErrNoMatch   = errors.New("no matching webhook signature")
	ErrTimestamp = errors.New("webhook timestamp outside the tolerance")
)

// Verify checks a received webhook as a receiver would: the timestamp within
// tolerance of now and one of the signatures made with secret, compared in
// constant time.
func Verify(secret, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	ts := time.Unix(sec, 0)
	if ts.Before(now.Add(-tolerance)) || ts.After(now.Add(tolerance)) {
		return ErrTimestamp
	}
	want, err := Sign(id, ts, body, secret)
	if err != nil {
		return err
	}
	for _, sig := range strings.Fields(signatures) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return ErrNoMatch
}
