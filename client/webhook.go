package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookSecretPrefix starts every endpoint secret.
const WebhookSecretPrefix = "whsec_"

// Webhook verification errors.
var (
	ErrNoMatch   = errors.New("no matching webhook signature")
	ErrTimestamp = errors.New("webhook timestamp outside the tolerance")
)

func webhookKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, WebhookSecretPrefix)
	if !ok {
		return nil, errors.New("webhook secret must start with " + WebhookSecretPrefix)
	}
	return base64.StdEncoding.DecodeString(raw)
}

// SignWebhook returns the webhook-signature value of a message (Standard
// Webhooks): "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>" per secret,
// space separated (two while a secret is being rotated out).
func SignWebhook(id string, ts time.Time, body []byte, secrets ...string) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := webhookKey(s)
		if err != nil {
			return "", err
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
		m.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(sigs, " "), nil
}

// VerifyWebhookSignature checks a received webhook: the timestamp within
// tolerance of now, and one of the signatures made with secret, compared in
// constant time.
func VerifyWebhookSignature(secret, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	ts := time.Unix(sec, 0)
	if ts.Before(now.Add(-tolerance)) || ts.After(now.Add(tolerance)) {
		return ErrTimestamp
	}
	want, err := SignWebhook(id, ts, body, secret)
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

// WebhookEvent is a received webhook.
type WebhookEvent struct {
	ID        string          // webhook-id: the same on every retry and redelivery; deduplicate on it
	Type      string          `json:"type"` // verification.completed, screening.alert, applicant.erased, ...
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// VerifyWebhook checks a received webhook's headers and body with the
// endpoint secret (5 minutes of clock tolerance) and decodes it.
func VerifyWebhook(secret string, h http.Header, body []byte) (WebhookEvent, error) {
	id := h.Get("webhook-id")
	if err := VerifyWebhookSignature(secret, id, h.Get("webhook-timestamp"), h.Get("webhook-signature"), body, time.Now(), 5*time.Minute); err != nil {
		return WebhookEvent{}, err
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return WebhookEvent{}, err
	}
	ev.ID = id
	return ev, nil
}
