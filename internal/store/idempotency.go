package store

import (
	"context"
	"fmt"
	"time"
)

// IdempotencyRecord is a remembered POST. Status 0 means the first request
// with this key is still being processed.
type IdempotencyRecord struct {
	MerchantID  string
	Key         string
	Route       string
	RequestHash string
	Status      int
	ContentType string
	Body        []byte // as the caller stores it (the API seals it)
	// SubjectID is the applicant the reply is about ("" none), so that an
	// erasure removes it.
	SubjectID string
	CreatedAt time.Time
}

// ReserveIdempotencyKey claims a key for a request in progress. It reports
// false if the key was already there.
func (s *Store) ReserveIdempotencyKey(ctx context.Context, merchantID, key, route string, at time.Time) (bool, error) {
	var ok bool
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		ok, err = exec1(ctx, tx.tx, "reserve idempotency key",
			`INSERT INTO idempotency_keys (merchant_id, key, route, request_hash, status, content_type, body, created_at)
			 VALUES ($1, $2, $3, '', 0, '', NULL, $4) ON CONFLICT DO NOTHING`, merchantID, key, route, micros(at))
		return err
	})
	return ok, err
}

// CompleteIdempotencyKey stores the response of the request that reserved the key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, r IdempotencyRecord) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx,
			`UPDATE idempotency_keys SET request_hash = $1, status = $2, content_type = $3, body = $4, subject_id = $5
			  WHERE merchant_id = $6 AND key = $7`, r.RequestHash, r.Status, r.ContentType, r.Body, r.SubjectID, r.MerchantID, r.Key)
		if err != nil {
			return fmt.Errorf("complete idempotency key: %w", err)
		}
		return nil
	})
}

// ReleaseIdempotencyKey forgets a key whose request failed without effect, so
// that the client may retry with it.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, merchantID, key string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE merchant_id = $1 AND key = $2`, merchantID, key)
		return err
	})
}

// IdempotencyKey returns a remembered request.
func (r reads) IdempotencyKey(ctx context.Context, merchantID, key string) (IdempotencyRecord, error) {
	var rec IdempotencyRecord
	var at int64
	err := r.q.QueryRowContext(ctx,
		`SELECT merchant_id, key, route, request_hash, status, content_type, body, subject_id, created_at
		   FROM idempotency_keys WHERE merchant_id = $1 AND key = $2`, merchantID, key).
		Scan(&rec.MerchantID, &rec.Key, &rec.Route, &rec.RequestHash, &rec.Status, &rec.ContentType, &rec.Body, &rec.SubjectID, &at)
	if err != nil {
		return rec, notFound(err, "idempotency key")
	}
	rec.CreatedAt = fromMicros(at)
	return rec, nil
}

// PurgeIdempotencyKeys deletes keys older than before and returns how many.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
