package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Scope is the set of merchants a console user sees: All, or the listed ones.
type Scope struct {
	All       bool
	Merchants []string
}

// where returns "merchant_id IN (...)" for col with its arguments numbered
// from n, or "TRUE" for every merchant. An empty list matches nothing.
func (sc Scope) where(col string, n int) (string, []any) {
	if sc.All {
		return "1 = 1", nil
	}
	if len(sc.Merchants) == 0 {
		return "1 = 0", nil
	}
	ph := make([]string, len(sc.Merchants))
	args := make([]any, len(sc.Merchants))
	for i, m := range sc.Merchants {
		ph[i], args[i] = "$"+strconv.Itoa(n+i), m
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")", args
}

// QueueQuery selects the console's queue.
type QueueQuery struct {
	Scope      Scope
	MerchantID string        // "" any visible
	State      kyc.State     // review, or completed for recent decisions
	Reason     string        // a check's reason code ("" any)
	CheckKind  kyc.CheckKind // a check of this kind that did not pass ("" any)
	Before     time.Time     // only cases that entered their state before (zero: any)
	Since      time.Time     // only cases that entered their state since (zero: any)
	Newest     bool          // newest first; default oldest first (SLA order)
	Limit      int
	// After continues a page: only cases after this one in the order.
	After *QueueCursor
}

// QueueCursor is a position in the queue's order (entered the state at, id).
type QueueCursor struct {
	At time.Time
	ID string
}

// QueueItem is one row of the queue.
type QueueItem struct {
	Verification kyc.Verification
	ClaimedBy    string // staff id, "" unclaimed
	ClaimedEmail string
	Proposed     bool // a four-eyes proposal waits
}

// Queue returns the cases of the query. Only the filters that are set
// become conditions, so each shape of query gets its own plan.
func (r reads) Queue(ctx context.Context, q QueueQuery) ([]QueueItem, error) {
	args := []any{string(q.State), q.Limit}
	where := []string{"v.state = $1"}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.MerchantID != "" {
		where = append(where, "v.merchant_id = "+arg(q.MerchantID))
	}
	if q.Reason != "" {
		// a check's code, or one the verification carries (why it is in
		// review: CHECK_UNAVAILABLE, DOCUMENT_UNREADABLE; the JSON array's
		// quoted element, LIKE's wildcards escaped)
		like := `%"` + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.Reason) + `"%`
		where = append(where, "(EXISTS (SELECT 1 FROM checks k WHERE k.verification_id = v.id AND k.merchant_id = v.merchant_id AND k.reason_code = "+arg(q.Reason)+
			") OR v.reasons LIKE "+arg(like)+` ESCAPE '\')`)
	}
	if q.CheckKind != "" {
		where = append(where, "EXISTS (SELECT 1 FROM checks k WHERE k.verification_id = v.id AND k.merchant_id = v.merchant_id AND k.kind = "+
			arg(q.CheckKind)+" AND k.status <> 'passed' AND k.not_run_kind <> 'not_applicable')")
	}
	if !q.Before.IsZero() {
		where = append(where, "v.updated_at < "+arg(micros(q.Before)))
	}
	if !q.Since.IsZero() {
		where = append(where, "v.updated_at >= "+arg(micros(q.Since)))
	}
	if q.After != nil {
		at, id, cmp := arg(micros(q.After.At)), arg(q.After.ID), ">"
		if q.Newest {
			cmp = "<"
		}
		where = append(where, "(v.updated_at "+cmp+" "+at+" OR (v.updated_at = "+at+" AND v.id "+cmp+" "+id+"))")
	}
	scope, sargs := q.Scope.where("v.merchant_id", len(args)+1)
	args = append(args, sargs...)
	where = append(where, scope)
	order := "v.updated_at ASC, v.id ASC"
	if q.Newest {
		order = "v.updated_at DESC, v.id DESC"
	}
	rows, err := r.q.QueryContext(ctx, `SELECT `+prefixed("v.", verificationCols)+`, COALESCE(c.staff_id, ''), COALESCE(s.email, ''),
	        CASE WHEN p.verification_id IS NULL THEN 0 ELSE 1 END
	   FROM verifications v
	   LEFT JOIN review_claims c ON c.verification_id = v.id
	   LEFT JOIN staff s ON s.id = c.staff_id
	   LEFT JOIN decision_proposals p ON p.verification_id = v.id
	  WHERE `+strings.Join(where, " AND ")+`
	  ORDER BY `+order+` LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	defer rows.Close()
	out := []QueueItem{}
	for rows.Next() {
		var it QueueItem
		var proposed int
		v, err := scanVerification(scanFunc(func(dst ...any) error {
			return rows.Scan(append(dst, &it.ClaimedBy, &it.ClaimedEmail, &proposed)...)
		}))
		if err != nil {
			return nil, err
		}
		it.Verification, it.Proposed = v, proposed == 1
		out = append(out, it)
	}
	return out, rows.Err()
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

type scanFunc func(...any) error

func (f scanFunc) Scan(dst ...any) error { return f(dst...) }

// StateCounts counts the visible verifications per state: every open one
// (created, submitted, processing, review), and the finished ones (completed,
// expired, cancelled) that finished since the given time, so the count
// stays cheap however long the history.
func (r reads) StateCounts(ctx context.Context, sc Scope, finishedSince time.Time) (map[kyc.State]int, error) {
	open, oargs := sc.where("merchant_id", 1)
	done, dargs := sc.where("merchant_id", len(oargs)+2)
	args := append(append(oargs, micros(finishedSince)), dargs...)
	rows, err := r.q.QueryContext(ctx, `SELECT state, COUNT(*) FROM verifications
	  WHERE state IN ('created', 'submitted', 'processing', 'review') AND `+open+` GROUP BY state
	  UNION ALL
	 SELECT state, COUNT(*) FROM verifications
	  WHERE state IN ('completed', 'expired', 'cancelled') AND updated_at >= $`+strconv.Itoa(len(oargs)+1)+` AND `+done+` GROUP BY state`, args...)
	if err != nil {
		return nil, fmt.Errorf("state counts: %w", err)
	}
	defer rows.Close()
	out := map[kyc.State]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[kyc.State(s)] = n
	}
	return out, rows.Err()
}

// Claim is who works a case.
type Claim struct {
	VerificationID, MerchantID, StaffID, AssignedBy string
	ClaimedAt                                       time.Time
}

// ClaimOf returns a case's claim (kyc.ErrNotFound when unclaimed).
func (r reads) ClaimOf(ctx context.Context, verificationID string) (Claim, error) {
	var c Claim
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT verification_id, merchant_id, staff_id, assigned_by, claimed_at FROM review_claims WHERE verification_id = $1`,
		verificationID).Scan(&c.VerificationID, &c.MerchantID, &c.StaffID, &c.AssignedBy, &at)
	if err != nil {
		return c, notFound(err, "claim")
	}
	c.ClaimedAt = fromMicros(at)
	return c, nil
}

// PutClaim gives a case to a staff member, replacing any claim.
func (t *Tx) PutClaim(ctx context.Context, c Claim) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO review_claims (verification_id, merchant_id, staff_id, assigned_by, claimed_at) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (verification_id) DO UPDATE SET staff_id = excluded.staff_id, assigned_by = excluded.assigned_by, claimed_at = excluded.claimed_at`,
		c.VerificationID, c.MerchantID, c.StaffID, c.AssignedBy, micros(c.ClaimedAt))
	if err != nil {
		return fmt.Errorf("put claim: %w", err)
	}
	return nil
}

// DeleteClaim releases a case.
func (t *Tx) DeleteClaim(ctx context.Context, verificationID string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM review_claims WHERE verification_id = $1`, verificationID); err != nil {
		return fmt.Errorf("delete claim: %w", err)
	}
	return nil
}

// Proposal is a decision waiting for a second reviewer (four-eyes).
type Proposal struct {
	VerificationID, MerchantID string
	Decision                   kyc.Decision
	RejectType                 kyc.RejectType
	Reasons                    []string
	UserMessage                string
	SealedNote                 []byte
	ProposedBy                 string
	CreatedAt                  time.Time
}

// InsertProposal stores a proposal; one waits per case at most.
func (t *Tx) InsertProposal(ctx context.Context, p Proposal) error {
	reasons, _ := json.Marshal(nonNil(p.Reasons))
	ok, err := exec1(ctx, t.tx, "insert proposal",
		`INSERT INTO decision_proposals (verification_id, merchant_id, decision, reject_type, reasons, user_message, internal_note, proposed_by, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		p.VerificationID, p.MerchantID, string(p.Decision), string(p.RejectType), string(reasons), p.UserMessage, p.SealedNote, p.ProposedBy, micros(p.CreatedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("proposal_exists", "a decision of this case already waits for a second reviewer")
	}
	return nil
}

// ProposalOf returns the proposal waiting on a case (kyc.ErrNotFound if none).
func (r reads) ProposalOf(ctx context.Context, merchantID, verificationID string) (Proposal, error) {
	var p Proposal
	var dec, rt, reasons string
	var at int64
	err := r.q.QueryRowContext(ctx,
		`SELECT verification_id, merchant_id, decision, reject_type, reasons, user_message, internal_note, proposed_by, created_at
		   FROM decision_proposals WHERE verification_id = $1 AND merchant_id = $2`, verificationID, merchantID).
		Scan(&p.VerificationID, &p.MerchantID, &dec, &rt, &reasons, &p.UserMessage, &p.SealedNote, &p.ProposedBy, &at)
	if err != nil {
		return p, notFound(err, "proposal")
	}
	p.Decision, p.RejectType, p.CreatedAt = kyc.Decision(dec), kyc.RejectType(rt), fromMicros(at)
	if err := json.Unmarshal([]byte(reasons), &p.Reasons); err != nil {
		return p, fmt.Errorf("proposal reasons: %w", err)
	}
	return p, nil
}

// DeleteProposal removes a case's proposal; it reports whether one was there.
func (t *Tx) DeleteProposal(ctx context.Context, merchantID, verificationID string) (bool, error) {
	return exec1(ctx, t.tx, "delete proposal", `DELETE FROM decision_proposals WHERE verification_id = $1 AND merchant_id = $2`, verificationID, merchantID)
}

// Decisions lists a verification's decisions, oldest first (the note stays sealed).
func (r reads) Decisions(ctx context.Context, merchantID, verificationID string) ([]DecisionRecord, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT id, decision, reject_type, reasons, user_message, internal_note, decided_by, check_ids, created_at, level_version
		   FROM decisions WHERE merchant_id = $1 AND verification_id = $2 ORDER BY created_at, id`, merchantID, verificationID)
	if err != nil {
		return nil, fmt.Errorf("decisions: %w", err)
	}
	defer rows.Close()
	out := []DecisionRecord{}
	for rows.Next() {
		d := DecisionRecord{MerchantID: merchantID, VerificationID: verificationID}
		var dec, rt, reasons, checks string
		var at int64
		if err := rows.Scan(&d.ID, &dec, &rt, &reasons, &d.UserMessage, &d.SealedNote, &d.DecidedBy, &checks, &at, &d.LevelVersion); err != nil {
			return nil, err
		}
		d.Decision, d.RejectType, d.CreatedAt = kyc.Decision(dec), kyc.RejectType(rt), fromMicros(at)
		if err := errors.Join(json.Unmarshal([]byte(reasons), &d.Reasons), json.Unmarshal([]byte(checks), &d.CheckIDs)); err != nil {
			return nil, fmt.Errorf("decision %s: %w", d.ID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// AuditBySubject returns a merchant's audit entries about the subjects, in
// chain order (at most limit, the newest).
func (r reads) AuditBySubject(ctx context.Context, merchantID string, subjectIDs []string, limit int) ([]kyc.AuditEntry, error) {
	if len(subjectIDs) == 0 {
		return []kyc.AuditEntry{}, nil
	}
	in, args := Scope{Merchants: subjectIDs}.where("subject_id", 3)
	rows, err := r.q.QueryContext(ctx, `SELECT merchant_id, seq, id, at, actor, action, subject_type, subject_id, data, prev_hash, hash
	   FROM audit_entries WHERE merchant_id = $1 AND `+in+` ORDER BY seq DESC LIMIT $2`, append([]any{merchantID, limit}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("case audit: %w", err)
	}
	defer rows.Close()
	out := []kyc.AuditEntry{}
	for rows.Next() {
		var e kyc.AuditEntry
		var at int64
		var data string
		if err := rows.Scan(&e.MerchantID, &e.Seq, &e.ID, &at, &e.Actor, &e.Action, &e.SubjectType, &e.SubjectID, &data, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At, e.Data = fromMicros(at), []byte(data)
		out = append([]kyc.AuditEntry{e}, out...)
	}
	return out, rows.Err()
}

// DeliveryRow is a delivery attempt with its event.
type DeliveryRow struct {
	Delivery
	EventType, SubjectID string
	Payload              []byte
}

// RecentDeliveries lists the newest delivery attempts of the visible
// merchants ("" merchantID: all visible), before the cursor id ("" none).
func (r reads) RecentDeliveries(ctx context.Context, sc Scope, merchantID, failedOnly, before string, limit int) ([]DeliveryRow, error) {
	args := []any{merchantID, failedOnly, before, limit}
	scope, sargs := sc.where("d.merchant_id", len(args)+1)
	rows, err := r.q.QueryContext(ctx, `SELECT d.id, d.merchant_id, d.endpoint_id, d.event_id, d.attempt, d.status_code, d.error, d.duration_us,
	        d.created_at, d.response_preview, COALESCE(e.type, ''), COALESCE(e.subject_id, ''), COALESCE(e.payload, '')
	   FROM webhook_deliveries d LEFT JOIN outbox_events e ON e.id = d.event_id AND e.merchant_id = d.merchant_id
	  WHERE ($1 = '' OR d.merchant_id = $1) AND ($2 = '' OR d.error <> '') AND ($3 = '' OR d.id < $3) AND `+scope+`
	  ORDER BY d.id DESC LIMIT $4`, append(args, sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	defer rows.Close()
	out := []DeliveryRow{}
	for rows.Next() {
		var d DeliveryRow
		var us, at int64
		var payload string
		if err := rows.Scan(&d.ID, &d.MerchantID, &d.EndpointID, &d.EventID, &d.Attempt, &d.StatusCode, &d.Error, &us, &at, &d.ResponsePreview,
			&d.EventType, &d.SubjectID, &payload); err != nil {
			return nil, err
		}
		d.Duration, d.CreatedAt, d.Payload = time.Duration(us)*time.Microsecond, fromMicros(at), []byte(payload)
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecentAlerts lists monitoring alerts of the visible merchants, newest first.
func (r reads) RecentAlerts(ctx context.Context, sc Scope, limit int) ([]Alert, error) {
	scope, args := sc.where("merchant_id", 2)
	rows, err := r.q.QueryContext(ctx, `SELECT merchant_id, applicant_id, verification_id, list, entry_id, entry_hash, score, created_at
	   FROM screening_alerts WHERE `+scope+` ORDER BY created_at DESC LIMIT $1`, append([]any{limit}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		var at int64
		if err := rows.Scan(&a.MerchantID, &a.ApplicantID, &a.VerificationID, &a.List, &a.EntryID, &a.EntryHash, &a.Score, &at); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMicros(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// VerificationsOfApplicant lists an applicant's verifications, newest first.
func (r reads) VerificationsOfApplicant(ctx context.Context, merchantID, applicantID string, limit int) ([]kyc.Verification, error) {
	return r.verifications(ctx, "applicant verifications", `SELECT `+verificationCols+` FROM verifications WHERE merchant_id = $1 AND applicant_id = $2
	   ORDER BY id DESC LIMIT $3`, merchantID, applicantID, limit)
}

// Finding is a check of a case that did not pass.
type Finding struct {
	Kind   string
	Status kyc.CheckStatus
	Reason string
}

// Findings returns the checks that did not pass, per verification (the
// queue shows why each case waits).
func (r reads) Findings(ctx context.Context, verificationIDs []string) (map[string][]Finding, error) {
	out := map[string][]Finding{}
	if len(verificationIDs) == 0 {
		return out, nil
	}
	in, args := Scope{Merchants: verificationIDs}.where("verification_id", 1)
	rows, err := r.q.QueryContext(ctx, `SELECT verification_id, kind, status, reason_code FROM checks WHERE `+in+` AND status <> 'passed' AND not_run_kind <> 'not_applicable' ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		var f Finding
		if err := rows.Scan(&id, &f.Kind, &status, &f.Reason); err != nil {
			return nil, err
		}
		f.Status = kyc.CheckStatus(status)
		out[id] = append(out[id], f)
	}
	return out, rows.Err()
}
