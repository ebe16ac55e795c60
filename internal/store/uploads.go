package store

import (
	"context"
	"fmt"
	"time"
)

// PendingUpload is an upload whose bytes may be in the blob store without
// a document row yet.
type PendingUpload struct {
	BlobKey     string
	MerchantID  string
	ApplicantID string
	CreatedAt   time.Time
}

// InsertPendingUpload records an upload before its bytes are written, in a
// transaction of its own, so that a crash at any later point leaves a row
// naming the blob.
func (s *Store) InsertPendingUpload(ctx context.Context, u PendingUpload) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := exec1(ctx, tx.tx, "insert pending upload",
			`INSERT INTO pending_uploads (blob_key, merchant_id, applicant_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			u.BlobKey, u.MerchantID, u.ApplicantID, micros(u.CreatedAt))
		return err
	})
}

// DeletePendingUpload forgets an upload: its document row is written in
// this transaction, or its blob was deleted.
func (t *Tx) DeletePendingUpload(ctx context.Context, blobKey string) error {
	_, err := exec1(ctx, t.tx, "delete pending upload", `DELETE FROM pending_uploads WHERE blob_key = $1`, blobKey)
	return err
}

// DeletePendingUpload is Tx.DeletePendingUpload in a transaction of its own.
func (s *Store) DeletePendingUpload(ctx context.Context, blobKey string) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.DeletePendingUpload(ctx, blobKey) })
}

// PendingUploadsBefore returns at most limit uploads recorded before t,
// oldest first.
func (s *Store) PendingUploadsBefore(ctx context.Context, t time.Time, limit int) ([]PendingUpload, error) {
	return s.pendingUploads(ctx, `WHERE created_at < $1 ORDER BY created_at LIMIT $2`, micros(t), limit)
}

// PendingUploadsOf returns the pending uploads of an applicant.
func (s *Store) PendingUploadsOf(ctx context.Context, merchantID, applicantID string) ([]PendingUpload, error) {
	return s.pendingUploads(ctx, `WHERE merchant_id = $1 AND applicant_id = $2`, merchantID, applicantID)
}

func (s *Store) pendingUploads(ctx context.Context, where string, args ...any) ([]PendingUpload, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT blob_key, merchant_id, applicant_id, created_at FROM pending_uploads `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("pending uploads: %w", err)
	}
	defer rows.Close()
	var out []PendingUpload
	for rows.Next() {
		var u PendingUpload
		var c int64
		if err := rows.Scan(&u.BlobKey, &u.MerchantID, &u.ApplicantID, &c); err != nil {
			return nil, err
		}
		u.CreatedAt = fromMicros(c)
		out = append(out, u)
	}
	return out, rows.Err()
}
