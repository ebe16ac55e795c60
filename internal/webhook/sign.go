// Package webhook delivers events to merchants: native webhook endpoints
// signed the Standard Webhooks way, and — through the Formatter seam — the
// dialects' own callbacks. Deliveries are durable jobs retried on a schedule,
// sent through an SSRF-guarded client that follows no redirects, and logged.
package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/openkyc/openkyc/client"
)

// SecretPrefix starts every endpoint secret (Standard Webhooks).
const SecretPrefix = client.WebhookSecretPrefix

// NewSecret returns a random endpoint secret.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// Sign returns the webhook-signature value for a message (the Go client's
// implementation, so sender and receivers share one).
func Sign(id string, ts time.Time, body []byte, secrets ...string) (string, error) {
	return client.SignWebhook(id, ts, body, secrets...)
}

// Verification errors.
var (
	ErrNoMatch   = client.ErrNoMatch
	ErrTimestamp = client.ErrTimestamp
)

// Verify checks a received webhook as a receiver would.
func Verify(secret, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	return client.VerifyWebhookSignature(secret, id, timestamp, signatures, body, now, tolerance)
}
