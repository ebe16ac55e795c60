package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// StaffSession is a console session; only the token's hash is stored.
type StaffSession struct {
	TokenHash, StaffID, CSRFToken    string
	CreatedAt, LastSeenAt, ExpiresAt time.Time
}

// InsertStaffSession stores a new session.
func (t *Tx) InsertStaffSession(ctx context.Context, s StaffSession) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.TokenHash, s.StaffID, s.CSRFToken, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// StaffSessionByHash returns a session with its account.
func (r reads) StaffSessionByHash(ctx context.Context, hash string) (StaffSession, Staff, error) {
	var s StaffSession
	var st Staff
	var c, l, e, sc, su int64
	err := r.q.QueryRowContext(ctx,
		`SELECT s.token_hash, s.staff_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,
		        a.id, a.email, a.role, a.password_hash, a.status, a.created_at, a.updated_at
		   FROM staff_sessions s JOIN staff a ON a.id = s.staff_id WHERE s.token_hash = $1`, hash).
		Scan(&s.TokenHash, &s.StaffID, &s.CSRFToken, &c, &l, &e, &st.ID, &st.Email, &st.Role, &st.PasswordHash, &st.Status, &sc, &su)
	if err != nil {
		return s, st, notFound(err, "session")
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(c), fromMicros(l), fromMicros(e)
	st.CreatedAt, st.UpdatedAt = fromMicros(sc), fromMicros(su)
	st.Merchants, err = r.staffMerchants(ctx, st.ID)
	return s, st, err
}

// TouchStaffSession records activity on a session.
func (s *Store) TouchStaffSession(ctx context.Context, hash string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2`, micros(at), hash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteStaffSession ends a session.
func (s *Store) DeleteStaffSession(ctx context.Context, hash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PurgeStaffSessions removes sessions that ended by absolute timeout or
// by idleness (last seen before idleBefore).
func (s *Store) PurgeStaffSessions(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM staff_sessions WHERE expires_at <= $1 OR last_seen_at < $2`, micros(now), micros(idleBefore))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// SetStaffPassword replaces an account's hash and ends its other sessions.
func (t *Tx) SetStaffPassword(ctx context.Context, staffID, hash, keepSession string, at time.Time) error {
	ok, err := exec1(ctx, t.tx, "set password", `UPDATE staff SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, micros(at), staffID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("staff: %w", kyc.ErrNotFound)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = $1 AND token_hash <> $2`, staffID, keepSession); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// StaffByID reads an account by id.
func (r reads) StaffByID(ctx context.Context, id string) (Staff, error) {
	var email string
	if err := r.q.QueryRowContext(ctx, `SELECT email FROM staff WHERE id = $1`, id).Scan(&email); err != nil {
		return Staff{}, notFound(err, "staff")
	}
	return r.StaffByEmail(ctx, email)
}

// ReviewSettings are a merchant's review rules.
type ReviewSettings struct {
	MerchantID string
	FourEyes   string // off, final, all
	SLAHours   int
	UpdatedAt  time.Time
}

// ReviewSettingsOf returns a merchant's rules; a merchant without a row
// gets the defaults (four-eyes off, 24 h SLA).
func (r reads) ReviewSettingsOf(ctx context.Context, merchantID string) (ReviewSettings, error) {
	rs := ReviewSettings{MerchantID: merchantID, FourEyes: "off", SLAHours: 24}
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT four_eyes, sla_hours, updated_at FROM review_settings WHERE merchant_id = $1`, merchantID).
		Scan(&rs.FourEyes, &rs.SLAHours, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return rs, nil
	}
	if err != nil {
		return rs, fmt.Errorf("review settings: %w", err)
	}
	rs.UpdatedAt = fromMicros(at)
	return rs, nil
}

// PutReviewSettings stores a merchant's rules.
func (t *Tx) PutReviewSettings(ctx context.Context, rs ReviewSettings) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO review_settings (merchant_id, four_eyes, sla_hours, updated_at) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (merchant_id) DO UPDATE SET four_eyes = excluded.four_eyes, sla_hours = excluded.sla_hours, updated_at = excluded.updated_at`,
		rs.MerchantID, rs.FourEyes, rs.SLAHours, micros(rs.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put review settings: %w", err)
	}
	return nil
}
