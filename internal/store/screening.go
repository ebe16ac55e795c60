package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Dismissal is a screening hit a reviewer dismissed for an applicant.
type Dismissal struct {
	MerchantID, ApplicantID string
	List, EntryID           string
	EntryHash               string // the entry's content when dismissed
	DismissedBy             string
	CreatedAt               time.Time
}

// PutDismissal records (or refreshes) a dismissal.
func (t *Tx) PutDismissal(ctx context.Context, d Dismissal) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO screening_dismissals (merchant_id, applicant_id, list, entry_id, entry_hash, dismissed_by, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)
		 ON CONFLICT (merchant_id, applicant_id, list, entry_id) DO UPDATE SET entry_hash = excluded.entry_hash,
		 dismissed_by = excluded.dismissed_by, created_at = excluded.created_at`,
		d.MerchantID, d.ApplicantID, d.List, d.EntryID, d.EntryHash, d.DismissedBy, micros(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("put dismissal: %w", err)
	}
	return nil
}

// Dismissals returns an applicant's dismissed hits keyed "list\x00entry_id"
// with the entry hash they were dismissed at.
func (r reads) Dismissals(ctx context.Context, merchantID, applicantID string) (map[string]string, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT list, entry_id, entry_hash FROM screening_dismissals WHERE merchant_id = $1 AND applicant_id = $2`, merchantID, applicantID)
	if err != nil {
		return nil, fmt.Errorf("dismissals: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var l, id, h string
		if err := rows.Scan(&l, &id, &h); err != nil {
			return nil, err
		}
		out[l+"\x00"+id] = h
	}
	return out, rows.Err()
}

// Alert is a monitoring hit that opened a review.
type Alert struct {
	MerchantID, ApplicantID, VerificationID string
	List, EntryID, EntryHash                string
	Score                                   float64
	CreatedAt                               time.Time
}

// InsertAlert records an alert once per applicant, entry and entry content;
// it reports whether the alert is new.
func (t *Tx) InsertAlert(ctx context.Context, a Alert) (bool, error) {
	return exec1(ctx, t.tx, "insert alert",
		`INSERT INTO screening_alerts (merchant_id, applicant_id, list, entry_id, entry_hash, verification_id, score, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		a.MerchantID, a.ApplicantID, a.List, a.EntryID, a.EntryHash, a.VerificationID, a.Score, micros(a.CreatedAt))
}

// HasAlert reports whether an alert for the entry content exists.
func (r reads) HasAlert(ctx context.Context, merchantID, applicantID, list, entryID, entryHash string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM screening_alerts WHERE merchant_id = $1 AND applicant_id = $2 AND list = $3 AND entry_id = $4 AND entry_hash = $5`,
		merchantID, applicantID, list, entryID, entryHash).Scan(&n)
	return n > 0, err
}

// ApprovedVerifications pages through the approved, completed
// verifications of every merchant by id (after "" starts), for monitoring;
// deleted applicants are no longer screened.
func (r reads) ApprovedVerifications(ctx context.Context, after string, limit int) ([]kyc.Verification, error) {
	return r.verifications(ctx, "approved verifications", `SELECT `+verificationCols+` FROM verifications
		WHERE state = $1 AND decision = $2 AND id > $3
		  AND EXISTS (SELECT 1 FROM applicants a WHERE a.id = verifications.applicant_id AND a.deleted_at IS NULL)
		ORDER BY id LIMIT $4`, kyc.StateCompleted, kyc.DecisionApproved, after, limit)
}

// ListVersion is a list version some process loaded.
type ListVersion struct {
	List, SHA256           string
	Published              time.Time // zero when the file states none
	Entries, People, Names int
	FirstLoadedAt          time.Time
}

// PutListVersion records a loaded list version once (the first load wins).
func (t *Tx) PutListVersion(ctx context.Context, v ListVersion) error {
	var pub int64
	if !v.Published.IsZero() {
		pub = micros(v.Published)
	}
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO list_versions (list, sha256, published, entries, people, names, first_loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		v.List, v.SHA256, pub, v.Entries, v.People, v.Names, micros(v.FirstLoadedAt))
	if err != nil {
		return fmt.Errorf("put list version: %w", err)
	}
	return nil
}

// ListVersions returns the recorded list versions, newest first.
func (r reads) ListVersions(ctx context.Context, limit int) ([]ListVersion, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT list, sha256, published, entries, people, names, first_loaded_at FROM list_versions ORDER BY first_loaded_at DESC, list LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	var out []ListVersion
	for rows.Next() {
		var v ListVersion
		var pub, at int64
		if err := rows.Scan(&v.List, &v.SHA256, &pub, &v.Entries, &v.People, &v.Names, &at); err != nil {
			return nil, err
		}
		if pub != 0 {
			v.Published = fromMicros(pub)
		}
		v.FirstLoadedAt = fromMicros(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// RescreenProgress is how far a monitoring pass has got.
type RescreenProgress struct {
	Run              string
	After            string // the last verification id screened
	Screened, Alerts int
	UpdatedAt        time.Time
}

// PutRescreenProgress records a pass's progress (it only moves forward).
func (s *Store) PutRescreenProgress(ctx context.Context, p RescreenProgress) error {
	_, err := s.w.ExecContext(ctx,
		`INSERT INTO rescreen_progress (run, after_id, screened, alerts, updated_at) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (run) DO UPDATE SET after_id = excluded.after_id, screened = excluded.screened, alerts = excluded.alerts,
		 updated_at = excluded.updated_at WHERE rescreen_progress.after_id < excluded.after_id`,
		p.Run, p.After, p.Screened, p.Alerts, micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put rescreen progress: %w", err)
	}
	return nil
}

// RescreenProgressOf returns a pass's progress; a pass not started has
// none (ok false).
func (r reads) RescreenProgressOf(ctx context.Context, run string) (RescreenProgress, bool, error) {
	p := RescreenProgress{Run: run}
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT after_id, screened, alerts, updated_at FROM rescreen_progress WHERE run = $1`, run).
		Scan(&p.After, &p.Screened, &p.Alerts, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("rescreen progress: %w", err)
	}
	p.UpdatedAt = fromMicros(at)
	return p, true, nil
}

// ApplicantsByIDs returns the applicants of the ids (any merchant: the
// monitoring pass reads every merchant's) with their sealed PII, keyed by
// id; one query for a page of a pass instead of one per applicant.
func (r reads) ApplicantsByIDs(ctx context.Context, ids []string) (map[string]SealedApplicant, error) {
	out := make(map[string]SealedApplicant, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := r.q.QueryContext(ctx, `SELECT `+applicantCols+` FROM applicants WHERE id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("applicants by ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, sealed, err := scanApplicant(rows)
		if err != nil {
			return nil, err
		}
		out[a.ID] = SealedApplicant{Applicant: a, Sealed: sealed}
	}
	return out, rows.Err()
}

// SealedApplicant is an applicant as stored, its PII still sealed.
type SealedApplicant struct {
	kyc.Applicant
	Sealed []byte
}
