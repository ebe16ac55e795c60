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

// New builds a job to enqueue with Tx.InsertJob. Ids should be derived from
// what the job is about, so that enqueueing twice inserts once.
func New(id, kind, merchantID, subjectID string, payload any, now time.Time) store.Job {
	var b []byte
	if payload != nil {
		b, _ = json.Marshal(payload)
	}
	// MaxAttempts stays 0: the limit is the kind's (Kind.MaxAttempts, where
	// the kind is declared), read by the worker at each failure.
	return store.Job{ID: id, Kind: kind, MerchantID: merchantID, SubjectID: subjectID, Payload: b, RunAt: now, CreatedAt: now}
}
