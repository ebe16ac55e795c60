package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Erasure: a deleted applicant leaves the duplicate and face searches at
// once and is purged when its restore window ends; the purge keeps a
// tombstone (the applicant's id and dates, its verifications with their
// decisions, checks without evidence, the audit chain) and nothing of the
// person. The caller deletes the document blobs before the rows, so that a
// failure leaves rows to retry with, never blobs nobody points at.

// ofApplicant selects the ids of an applicant's verifications ($1 merchant, $2 applicant).
const ofApplicant = `(SELECT id FROM verifications WHERE merchant_id = $1 AND applicant_id = $2)`

// MarkApplicantDeleted records a deletion request: the applicant leaves the
// duplicate searches (lookup hashes cleared, face embeddings deleted) and
// waits for purgeAfter. It reports false when the applicant is missing or
// already deleted.
func (t *Tx) MarkApplicantDeleted(ctx context.Context, merchantID, id string, at, purgeAfter time.Time) (bool, error) {
	ok, err := exec1(ctx, t.tx, "delete applicant",
		`UPDATE applicants SET deleted_at = $1, purge_after = $2, doc_number_hash = '', email_hash = '', phone_hash = '', updated_at = $1
		  WHERE id = $3 AND merchant_id = $4 AND deleted_at IS NULL`, micros(at), micros(purgeAfter), id, merchantID)
	if err != nil || !ok {
		return ok, err
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM face_embeddings WHERE merchant_id = $1 AND applicant_id = $2`, merchantID, id); err != nil {
		return false, fmt.Errorf("delete face embeddings: %w", err)
	}
	return true, nil
}

// RestoreApplicant undoes a deletion within its window, putting back the
// lookup hashes (recomputed by the caller from the PII). It reports false
// when the applicant is not deleted or already purged.
func (t *Tx) RestoreApplicant(ctx context.Context, a kyc.Applicant, at time.Time) (bool, error) {
	return exec1(ctx, t.tx, "restore applicant",
		`UPDATE applicants SET deleted_at = NULL, purge_after = NULL, doc_number_hash = $1, email_hash = $2, phone_hash = $3, updated_at = $4
		  WHERE id = $5 AND merchant_id = $6 AND deleted_at IS NOT NULL AND erased_at IS NULL`,
		a.DocNumberHash, a.EmailHash, a.PhoneHash, micros(at), a.ID, a.MerchantID)
}

// LockLiveApplicant takes the applicant's row lock for the rest of the
// transaction and reports whether it exists and is not deleted: a document
// stored in the same transaction cannot slip past a concurrent purge.
func (t *Tx) LockLiveApplicant(ctx context.Context, merchantID, id string) (bool, error) {
	return exec1(ctx, t.tx, "lock applicant",
		`UPDATE applicants SET updated_at = updated_at WHERE id = $1 AND merchant_id = $2 AND deleted_at IS NULL`, id, merchantID)
}

// Erased counts what a purge removed.
type Erased struct {
	Documents, Faces, Checks, Notes, Links, Screening, Replies int64
}

// EraseApplicant purges an applicant in one transaction: its PII (the
// sealed external id with it), lookup hashes and external id hash (the
// legacy external_user_id column becomes "erased:<id>"; the merchant may use
// its id again), its document rows (the caller deleted the blobs), face
// embeddings, check evidence, decision notes, four-eyes proposals, claims,
// hosted links, screening alerts and dismissals, and stored Idempotency-Key
// replies about it. It reports false when the applicant is missing or
// already purged.
func (t *Tx) EraseApplicant(ctx context.Context, merchantID, id string, at time.Time) (Erased, bool, error) {
	var n Erased
	ok, err := exec1(ctx, t.tx, "erase applicant",
		`UPDATE applicants SET pii = $1, external_user_id = $2, external_user_id_hash = '', doc_number_hash = '', email_hash = '', phone_hash = '',
		        deleted_at = COALESCE(deleted_at, $3), purge_after = NULL, erased_at = $3,
		        documents_erased_at = COALESCE(documents_erased_at, $3), updated_at = $3
		  WHERE id = $4 AND merchant_id = $5 AND erased_at IS NULL`,
		[]byte{}, "erased:"+id, micros(at), id, merchantID)
	if err != nil || !ok {
		return n, ok, err
	}
	steps := []struct {
		what  string
		count *int64
		query string
	}{
		{"documents", &n.Documents, `DELETE FROM documents WHERE merchant_id = $1 AND applicant_id = $2`},
		{"face embeddings", &n.Faces, `DELETE FROM face_embeddings WHERE merchant_id = $1 AND applicant_id = $2`},
		{"check evidence", &n.Checks, `UPDATE checks SET evidence = '{}' WHERE merchant_id = $1 AND evidence <> '{}' AND verification_id IN ` + ofApplicant},
		{"decision notes", &n.Notes, `UPDATE decisions SET internal_note = NULL WHERE merchant_id = $1 AND internal_note IS NOT NULL AND verification_id IN ` + ofApplicant},
		{"proposals", nil, `DELETE FROM decision_proposals WHERE merchant_id = $1 AND verification_id IN ` + ofApplicant},
		{"claims", nil, `DELETE FROM review_claims WHERE merchant_id = $1 AND verification_id IN ` + ofApplicant},
		{"hosted links", &n.Links, `DELETE FROM hosted_links WHERE merchant_id = $1 AND verification_id IN ` + ofApplicant},
		{"screening alerts", &n.Screening, `DELETE FROM screening_alerts WHERE merchant_id = $1 AND applicant_id = $2`},
		{"screening dismissals", nil, `DELETE FROM screening_dismissals WHERE merchant_id = $1 AND applicant_id = $2`},
		{"idempotency replies", &n.Replies, `DELETE FROM idempotency_keys WHERE merchant_id = $1 AND subject_id = $2`},
	}
	for _, st := range steps {
		res, err := t.tx.ExecContext(ctx, st.query, merchantID, id)
		if err != nil {
			return n, false, fmt.Errorf("erase %s: %w", st.what, err)
		}
		if st.count != nil {
			c, _ := res.RowsAffected()
			*st.count += c
		}
	}
	return n, true, nil
}

// DeleteDocuments deletes an applicant's document rows (of the kinds given;
// none: all) and its face embeddings; the caller deleted the blobs. With
// all kinds, the applicant's documents_erased_at is set.
func (t *Tx) DeleteDocuments(ctx context.Context, merchantID, applicantID string, ids []string, all bool, at time.Time) (int64, error) {
	var n int64
	for _, id := range ids {
		res, err := t.tx.ExecContext(ctx, `DELETE FROM documents WHERE id = $1 AND merchant_id = $2 AND applicant_id = $3`, id, merchantID, applicantID)
		if err != nil {
			return n, fmt.Errorf("delete document: %w", err)
		}
		c, _ := res.RowsAffected()
		n += c
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM face_embeddings WHERE merchant_id = $1 AND applicant_id = $2`, merchantID, applicantID); err != nil {
		return n, fmt.Errorf("delete face embeddings: %w", err)
	}
	if all {
		if _, err := t.tx.ExecContext(ctx, `UPDATE applicants SET documents_erased_at = $1 WHERE id = $2 AND merchant_id = $3`,
			micros(at), applicantID, merchantID); err != nil {
			return n, fmt.Errorf("mark documents erased: %w", err)
		}
	}
	return n, nil
}

// ApplicantRef names an applicant.
type ApplicantRef struct{ MerchantID, ID string }

func scanRefs(rows *sql.Rows, err error) ([]ApplicantRef, error) {
	if err != nil {
		return nil, fmt.Errorf("retention candidates: %w", err)
	}
	defer rows.Close()
	var out []ApplicantRef
	for rows.Next() {
		var r ApplicantRef
		if err := rows.Scan(&r.MerchantID, &r.ID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DuePurges lists deleted applicants whose restore window ended by now.
func (r reads) DuePurges(ctx context.Context, now time.Time, limit int) ([]ApplicantRef, error) {
	return scanRefs(r.q.QueryContext(ctx,
		`SELECT merchant_id, id FROM applicants WHERE purge_after IS NOT NULL AND purge_after <= $1 AND erased_at IS NULL
		  ORDER BY purge_after LIMIT $2`, micros(now), limit))
}

// RetentionDue lists a merchant's live applicants whose data has passed its
// retention: nothing of theirs changed since cutoff and no verification of
// theirs is open or changed since. With documents, only applicants that
// still hold documents or face embeddings are listed.
func (r reads) RetentionDue(ctx context.Context, merchantID string, cutoff time.Time, documents bool, limit int) ([]ApplicantRef, error) {
	var more string
	if documents {
		more = ` AND (EXISTS (SELECT 1 FROM documents d WHERE d.applicant_id = a.id)
		          OR EXISTS (SELECT 1 FROM face_embeddings f WHERE f.applicant_id = a.id))`
	}
	open := make([]string, 0, 4)
	for _, s := range []kyc.State{kyc.StateCreated, kyc.StateSubmitted, kyc.StateProcessing, kyc.StateReview} {
		open = append(open, "'"+string(s)+"'")
	}
	return scanRefs(r.q.QueryContext(ctx,
		`SELECT a.merchant_id, a.id FROM applicants a
		  WHERE a.merchant_id = $1 AND a.deleted_at IS NULL AND a.updated_at < $2
		    AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.applicant_id = a.id
		                     AND (v.state IN (`+strings.Join(open, ", ")+`) OR v.updated_at >= $2))`+more+`
		  ORDER BY a.updated_at LIMIT $3`, merchantID, micros(cutoff), limit))
}

// RetentionSettings is a merchant's retention, in days (0: keep).
type RetentionSettings struct {
	MerchantID string
	// DocumentsDays: documents and biometrics are deleted this many days
	// after the applicant's last decision.
	DocumentsDays int
	// PIIDays: the applicant is purged (tombstone only) this many days after
	// the last decision.
	PIIDays int
	// RestoreDays: a deleted applicant can be restored this long before it
	// is purged.
	RestoreDays int
	UpdatedAt   time.Time
}

// DefaultRestoreDays is the restore window of merchants that set none.
const DefaultRestoreDays = 30

// RetentionOf returns a merchant's retention settings, or the defaults
// (keep everything, 30-day restore window).
func (r reads) RetentionOf(ctx context.Context, merchantID string) (RetentionSettings, error) {
	rs := RetentionSettings{MerchantID: merchantID}
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT documents_days, pii_days, restore_days, updated_at FROM retention_settings WHERE merchant_id = $1`,
		merchantID).Scan(&rs.DocumentsDays, &rs.PIIDays, &rs.RestoreDays, &at)
	if err == sql.ErrNoRows {
		rs.RestoreDays = DefaultRestoreDays
		return rs, nil
	}
	if err != nil {
		return rs, fmt.Errorf("retention settings: %w", err)
	}
	rs.UpdatedAt = fromMicros(at)
	return rs, nil
}

// RetentionPolicies lists the merchants that set a document or PII retention.
func (r reads) RetentionPolicies(ctx context.Context) ([]RetentionSettings, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT merchant_id, documents_days, pii_days, restore_days, updated_at FROM retention_settings
	  WHERE documents_days > 0 OR pii_days > 0 ORDER BY merchant_id`)
	if err != nil {
		return nil, fmt.Errorf("retention policies: %w", err)
	}
	defer rows.Close()
	var out []RetentionSettings
	for rows.Next() {
		var rs RetentionSettings
		var at int64
		if err := rows.Scan(&rs.MerchantID, &rs.DocumentsDays, &rs.PIIDays, &rs.RestoreDays, &at); err != nil {
			return nil, err
		}
		rs.UpdatedAt = fromMicros(at)
		out = append(out, rs)
	}
	return out, rows.Err()
}

// PutRetention stores a merchant's retention settings.
func (t *Tx) PutRetention(ctx context.Context, rs RetentionSettings) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO retention_settings (merchant_id, documents_days, pii_days, restore_days, updated_at) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (merchant_id) DO UPDATE SET documents_days = excluded.documents_days, pii_days = excluded.pii_days,
		   restore_days = excluded.restore_days, updated_at = excluded.updated_at`,
		rs.MerchantID, rs.DocumentsDays, rs.PIIDays, rs.RestoreDays, micros(rs.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put retention settings: %w", err)
	}
	return nil
}

// Checkpoint folds SQLite's write-ahead log into the database file and
// truncates it, so that pages a purge overwrote (secure_delete) leave the
// log too. It does nothing on PostgreSQL, where VACUUM (autovacuum) reclaims
// dead rows.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.engine != SQLite {
		return nil
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
