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

// Staff is a console account.
type Staff struct {
	ID, Email, Role, PasswordHash, Status string
	Merchants                             []string // assigned merchants (reviewers, auditors)
	CreatedAt, UpdatedAt                  time.Time
}

// InsertStaff adds an account and its merchants; a taken e-mail is a
// conflict.
func (t *Tx) InsertStaff(ctx context.Context, s Staff) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO staff (id, email, role, password_hash, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.ID, s.Email, s.Role, s.PasswordHash, s.Status, micros(s.CreatedAt), micros(s.UpdatedAt))
	if err != nil {
		if isUniqueViolation(err) {
			return kyc.Conflict("email_taken", "a staff account with this e-mail exists")
		}
		return fmt.Errorf("insert staff: %w", err)
	}
	for _, m := range s.Merchants {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO staff_merchants (staff_id, merchant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, s.ID, m); err != nil {
			return fmt.Errorf("insert staff merchant: %w", err)
		}
	}
	return nil
}

// UpdateStaff replaces an account's role, status and merchants; a disabled
// account's sessions end with the change.
func (t *Tx) UpdateStaff(ctx context.Context, s Staff) error {
	ok, err := exec1(ctx, t.tx, "update staff", `UPDATE staff SET role = $1, status = $2, updated_at = $3 WHERE id = $4`,
		s.Role, s.Status, micros(s.UpdatedAt), s.ID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("staff: %w", kyc.ErrNotFound)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM staff_merchants WHERE staff_id = $1`, s.ID); err != nil {
		return fmt.Errorf("update staff merchants: %w", err)
	}
	for _, m := range s.Merchants {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO staff_merchants (staff_id, merchant_id) VALUES ($1, $2)`, s.ID, m); err != nil {
			return fmt.Errorf("insert staff merchant: %w", err)
		}
	}
	if s.Status != "active" {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = $1`, s.ID); err != nil {
			return fmt.Errorf("end staff sessions: %w", err)
		}
	}
	return nil
}

// StaffByEmail reads an account by its (normalised) e-mail.
func (r reads) StaffByEmail(ctx context.Context, email string) (Staff, error) {
	var s Staff
	var c, u int64
	err := r.q.QueryRowContext(ctx, `SELECT id, email, role, password_hash, status, created_at, updated_at FROM staff WHERE email = $1`, email).
		Scan(&s.ID, &s.Email, &s.Role, &s.PasswordHash, &s.Status, &c, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("staff: %w", kyc.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("staff: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = fromMicros(c), fromMicros(u)
	s.Merchants, err = r.staffMerchants(ctx, s.ID)
	return s, err
}

func (r reads) staffMerchants(ctx context.Context, id string) ([]string, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT merchant_id FROM staff_merchants WHERE staff_id = $1 ORDER BY merchant_id`, id)
	if err != nil {
		return nil, fmt.Errorf("staff merchants: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// StaffList returns every account, by e-mail.
func (r reads) StaffList(ctx context.Context) ([]Staff, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT email FROM staff ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("staff list: %w", err)
	}
	var emails []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return nil, err
		}
		emails = append(emails, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Staff, 0, len(emails))
	for _, e := range emails {
		s, err := r.StaffByEmail(ctx, e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint") || strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "duplicate key")
}
