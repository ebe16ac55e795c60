package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/kyc"
)

// DecisionRecord is a decision as stored; the internal note is sealed by the caller.
type DecisionRecord struct {
	ID             string
	MerchantID     string
	VerificationID string
	Decision       kyc.Decision
	RejectType     kyc.RejectType
	Reasons        []string
	UserMessage    string
	SealedNote     []byte
	DecidedBy      string
	CheckIDs       []string
	LevelVersion   int
	CreatedAt      time.Time
}

// InsertDecision stores a decision.
func (t *Tx) InsertDecision(ctx context.Context, d DecisionRecord) error {
	reasons, _ := json.Marshal(nonNil(d.Reasons))
	checks, _ := json.Marshal(nonNil(d.CheckIDs))
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO decisions (id, merchant_id, verification_id, decision, reject_type, reasons, user_message, internal_note, decided_by, check_ids, created_at, level_version)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		d.ID, d.MerchantID, d.VerificationID, string(d.Decision), string(d.RejectType), string(reasons), d.UserMessage,
		d.SealedNote, d.DecidedBy, string(checks), micros(d.CreatedAt), d.LevelVersion)
	if err != nil {
		return fmt.Errorf("insert decision: %w", err)
	}
	return nil
}

// AppendAudit links e to its merchant's chain and stores it: it sets e.Seq,
// e.PrevHash and e.Hash. The head row is locked by the update, so concurrent
// writers of one merchant (PostgreSQL) serialise; on SQLite the write
// transaction is already exclusive.
func (t *Tx) AppendAudit(ctx context.Context, e *kyc.AuditEntry) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE audit_heads SET seq = seq WHERE merchant_id = $1`, e.MerchantID); err != nil {
		return fmt.Errorf("lock audit head: %w", err)
	}
	var seq int64
	var prev string
	if err := t.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_heads WHERE merchant_id = $1`, e.MerchantID).Scan(&seq, &prev); err != nil {
		return notFound(err, "audit head")
	}
	e.Seq, e.PrevHash = seq+1, prev
	if len(e.Data) == 0 {
		e.Data = []byte("{}")
	}
	e.At = e.At.Truncate(time.Microsecond)
	e.Hash = audit.Hash(*e)
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO audit_entries (merchant_id, seq, id, at, actor, action, subject_type, subject_id, data, prev_hash, hash)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.MerchantID, e.Seq, e.ID, micros(e.At), e.Actor, e.Action, e.SubjectType, e.SubjectID, string(e.Data), e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE audit_heads SET seq = $1, hash = $2 WHERE merchant_id = $3`, e.Seq, e.Hash, e.MerchantID); err != nil {
		return fmt.Errorf("advance audit head: %w", err)
	}
	return nil
}

// AuditEntries calls fn for each of the merchant's audit entries in order,
// reading in pages so a long trail is never loaded whole.
func (r reads) AuditEntries(ctx context.Context, merchantID string, fn func(kyc.AuditEntry) error) error {
	var after int64
	for {
		rows, err := r.q.QueryContext(ctx,
			`SELECT merchant_id, seq, id, at, actor, action, subject_type, subject_id, data, prev_hash, hash
			   FROM audit_entries WHERE merchant_id = $1 AND seq > $2 ORDER BY seq LIMIT 500`, merchantID, after)
		if err != nil {
			return fmt.Errorf("read audit: %w", err)
		}
		var page []kyc.AuditEntry
		for rows.Next() {
			var e kyc.AuditEntry
			var at int64
			var data string
			if err := rows.Scan(&e.MerchantID, &e.Seq, &e.ID, &at, &e.Actor, &e.Action, &e.SubjectType, &e.SubjectID, &data, &e.PrevHash, &e.Hash); err != nil {
				rows.Close()
				return err
			}
			e.At, e.Data = fromMicros(at), []byte(data)
			page = append(page, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < 500 {
			return nil
		}
		after = page[len(page)-1].Seq
	}
}

// AuditHead returns the merchant's last sequence number and hash.
func (r reads) AuditHead(ctx context.Context, merchantID string) (int64, string, error) {
	var seq int64
	var hash string
	err := r.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_heads WHERE merchant_id = $1`, merchantID).Scan(&seq, &hash)
	if err != nil {
		return 0, "", notFound(err, "audit head")
	}
	return seq, hash, nil
}

// InsertEvent adds an outbox event.
func (t *Tx) InsertEvent(ctx context.Context, e kyc.Event) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO outbox_events (id, merchant_id, type, subject_id, payload, created_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, 0)`,
		e.ID, e.MerchantID, e.Type, e.SubjectID, string(e.Payload), micros(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// EventsBySubject lists the outbox events about one subject, oldest first.
func (r reads) EventsBySubject(ctx context.Context, merchantID, subjectID string) ([]kyc.Event, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT id, merchant_id, type, subject_id, payload, created_at, delivered_at, attempts
		   FROM outbox_events WHERE merchant_id = $1 AND subject_id = $2 ORDER BY id`, merchantID, subjectID)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	out := []kyc.Event{}
	for rows.Next() {
		var e kyc.Event
		var payload string
		var at int64
		var delivered sql.NullInt64
		if err := rows.Scan(&e.ID, &e.MerchantID, &e.Type, &e.SubjectID, &payload, &at, &delivered, &e.Attempts); err != nil {
			return nil, err
		}
		e.Payload, e.CreatedAt, e.DeliveredAt = []byte(payload), fromMicros(at), fromNullMicros(delivered)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Audit appends an entry about a change made by p; data is marshalled to
// JSON and must hold no personal data.
func (t *Tx) Audit(ctx context.Context, p kyc.Principal, at time.Time, action, subjectType, subjectID string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	e := kyc.AuditEntry{MerchantID: p.MerchantID, ID: kyc.NewID(kyc.PrefixAudit), At: at, Actor: p.Actor, Action: action,
		SubjectType: subjectType, SubjectID: subjectID, Data: b}
	if err := t.AppendAudit(ctx, &e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// VerifyAuditChain recomputes a merchant's audit chain and checks that its
// head points at the last entry (a deleted tail shows there). It returns
// the number of entries, or an *audit.BrokenLink at the first problem.
func (r reads) VerifyAuditChain(ctx context.Context, merchantID string) (int64, error) {
	v := audit.NewVerifier(merchantID)
	if err := r.AuditEntries(ctx, merchantID, v.Next); err != nil {
		return v.Count, err
	}
	seq, hash, err := r.AuditHead(ctx, merchantID)
	if err != nil {
		return v.Count, err
	}
	if vs, vh := v.Head(); seq != vs || hash != vh {
		return v.Count, &audit.BrokenLink{MerchantID: merchantID, Seq: vs + 1, Reason: fmt.Sprintf("chain ends at seq %d but the head records seq %d", vs, seq)}
	}
	return v.Count, nil
}
