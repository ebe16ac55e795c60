package jobs

import (
	"encoding/json"
	"time"

	"github.com/openkyc/openkyc/internal/store"
)

// Job kinds of openkyc.
const (
	// KindVerify runs a submitted verification's checks and decides.
	KindVerify = "verification.process"
	// KindDispatch fans an outbox event out to the deliveries it needs.
	KindDispatch = "event.dispatch"
	// KindDeliver sends one event to one webhook endpoint or callback URL.
	KindDeliver = "webhook.deliver"
	// KindRescreen screens every approved applicant again after a list
	// version changed (its id is derived from the versions: once each).
	KindRescreen = "screening.rescreen"
)

// maxAttempts per kind; the webhook schedule has its own length.
var maxAttempts = map[string]int{KindVerify: 10, KindDispatch: 10, KindDeliver: 7, KindRescreen: 5}

// New builds a job to enqueue with Tx.InsertJob. Ids should be derived from
// what the job is about, so that enqueueing twice inserts once.
func New(id, kind, merchantID, subjectID string, payload any, now time.Time) store.Job {
	var b []byte
	if payload != nil {
		b, _ = json.Marshal(payload)
	}
	n := maxAttempts[kind]
	if n == 0 {
		n = 10
	}
	return store.Job{ID: id, Kind: kind, MerchantID: merchantID, SubjectID: subjectID, Payload: b, MaxAttempts: n, RunAt: now, CreatedAt: now}
}
