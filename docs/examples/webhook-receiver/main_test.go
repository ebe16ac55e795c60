package main

import (
	"testing"
	"time"
)

// The vector of shared/vectors/signatures.json (native_webhook).
func TestVerifyVector(t *testing.T) {
	t.Parallel()
	secret := "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	body := []byte(`{"type":"verification.completed","data":{"id":"ver_1"}}`)
	now := time.Unix(1732988442, 0)
	if !verify(secret, "msg_2Kx9", "1732988442", "v1,vfN3LmK290Ia0wr2JcrbrySFzxHBv6K6Y2BV3pT7dnM=", body, now) {
		t.Fatal("vector does not verify")
	}
	if verify(secret, "msg_2Kx9", "1732988442", "v1,vfN3LmK290Ia0wr2JcrbrySFzxHBv6K6Y2BV3pT7dnM=", body, now.Add(time.Hour)) {
		t.Fatal("a stale timestamp verified")
	}
	if verify(secret, "msg_other", "1732988442", "v1,vfN3LmK290Ia0wr2JcrbrySFzxHBv6K6Y2BV3pT7dnM=", body, now) {
		t.Fatal("a foreign id verified")
	}
}
