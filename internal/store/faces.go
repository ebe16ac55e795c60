package store

import (
	"context"
	"fmt"
	"time"
)

// FaceEmbedding is the sealed embedding of one selfie.
type FaceEmbedding struct {
	DocumentID  string
	MerchantID  string
	ApplicantID string
	Sealed      []byte
	CreatedAt   time.Time
}

// PutFaceEmbedding stores an embedding once per document.
func (s *Store) PutFaceEmbedding(ctx context.Context, e FaceEmbedding) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx,
			`INSERT INTO face_embeddings (document_id, merchant_id, applicant_id, embedding, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			e.DocumentID, e.MerchantID, e.ApplicantID, e.Sealed, micros(e.CreatedAt))
		if err != nil {
			return fmt.Errorf("put face embedding: %w", err)
		}
		return nil
	})
}

// FaceEmbeddings calls fn for every embedding of the merchant stored at or
// after since (the zero time: all), oldest first.
func (r reads) FaceEmbeddings(ctx context.Context, merchantID string, since time.Time, fn func(FaceEmbedding) error) error {
	rows, err := r.q.QueryContext(ctx,
		`SELECT document_id, applicant_id, embedding, created_at FROM face_embeddings WHERE merchant_id = $1 AND created_at >= $2 ORDER BY created_at`,
		merchantID, micros(since))
	if err != nil {
		return fmt.Errorf("face embeddings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := FaceEmbedding{MerchantID: merchantID}
		var at int64
		if err := rows.Scan(&e.DocumentID, &e.ApplicantID, &e.Sealed, &at); err != nil {
			return err
		}
		e.CreatedAt = fromMicros(at)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// HasFaceEmbedding reports whether an applicant of the merchant has a stored
// embedding (a deletion removes them).
func (r reads) HasFaceEmbedding(ctx context.Context, merchantID, applicantID string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM face_embeddings WHERE merchant_id = $1 AND applicant_id = $2`, merchantID, applicantID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("face embedding lookup: %w", err)
	}
	return n > 0, nil
}
