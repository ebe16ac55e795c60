package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
)

// InsertVerification stores a new verification. A taken (merchant, surface,
// reference) is a kyc.ConflictError with code "reference_exists".
func (t *Tx) InsertVerification(ctx context.Context, v kyc.Verification) error {
	reasons, err := json.Marshal(nonNil(v.Reasons))
	if err != nil {
		return err
	}
	ok, err := exec1(ctx, t.tx, "insert verification",
		`INSERT INTO verifications (id, merchant_id, applicant_id, surface, reference, level, state, decision, reject_type,
		        reasons, user_message, decided_by, version, created_at, updated_at, attempt, callback_url, country)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING`,
		v.ID, v.MerchantID, v.ApplicantID, string(v.Surface), v.Reference, v.Level, string(v.State), string(v.Decision),
		string(v.RejectType), string(reasons), v.UserMessage, v.DecidedBy, v.Version, micros(v.CreatedAt), micros(v.UpdatedAt), v.Attempt, v.CallbackURL, v.Country)
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("reference_exists", "a verification with this reference exists")
	}
	return nil
}

// UpdateVerification writes v if the stored version is still prevVersion;
// otherwise someone else changed it first (kyc.ConflictError "concurrent_update").
func (t *Tx) UpdateVerification(ctx context.Context, v kyc.Verification, prevVersion int) error {
	reasons, err := json.Marshal(nonNil(v.Reasons))
	if err != nil {
		return err
	}
	ok, err := exec1(ctx, t.tx, "update verification",
		`UPDATE verifications SET state = $1, decision = $2, reject_type = $3, reasons = $4, user_message = $5,
		        decided_by = $6, version = $7, updated_at = $8, attempt = $12
		  WHERE id = $9 AND merchant_id = $10 AND version = $11`,
		string(v.State), string(v.Decision), string(v.RejectType), string(reasons), v.UserMessage, v.DecidedBy,
		v.Version, micros(v.UpdatedAt), v.ID, v.MerchantID, prevVersion, v.Attempt)
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("concurrent_update", "the verification was changed by another request; retry")
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const verificationCols = `id, merchant_id, applicant_id, surface, reference, level, state, decision, reject_type,
	reasons, user_message, decided_by, version, created_at, updated_at, attempt, callback_url, country`

func scanVerification(row interface{ Scan(...any) error }) (kyc.Verification, error) {
	var v kyc.Verification
	var surface, state, decision, rejectType, reasons string
	var c, u int64
	err := row.Scan(&v.ID, &v.MerchantID, &v.ApplicantID, &surface, &v.Reference, &v.Level, &state, &decision, &rejectType,
		&reasons, &v.UserMessage, &v.DecidedBy, &v.Version, &c, &u, &v.Attempt, &v.CallbackURL, &v.Country)
	if err != nil {
		return v, err
	}
	v.Surface, v.State, v.Decision, v.RejectType = kyc.Surface(surface), kyc.State(state), kyc.Decision(decision), kyc.RejectType(rejectType)
	v.CreatedAt, v.UpdatedAt = fromMicros(c), fromMicros(u)
	if err := json.Unmarshal([]byte(reasons), &v.Reasons); err != nil {
		return v, fmt.Errorf("verification %s reasons: %w", v.ID, err)
	}
	return v, nil
}

// VerificationByID returns a verification of the merchant.
func (r reads) VerificationByID(ctx context.Context, merchantID, id string) (kyc.Verification, error) {
	v, err := scanVerification(r.q.QueryRowContext(ctx,
		`SELECT `+verificationCols+` FROM verifications WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if err != nil {
		return v, notFound(err, "verification")
	}
	return v, nil
}

// VerificationByReference returns the merchant's verification with this reference on a surface.
func (r reads) VerificationByReference(ctx context.Context, merchantID string, surface kyc.Surface, reference string) (kyc.Verification, error) {
	v, err := scanVerification(r.q.QueryRowContext(ctx,
		`SELECT `+verificationCols+` FROM verifications WHERE merchant_id = $1 AND surface = $2 AND reference = $3`,
		merchantID, string(surface), reference))
	if err != nil {
		return v, notFound(err, "verification")
	}
	return v, nil
}

// VerificationFilter selects a page of a merchant's verifications, newest first.
type VerificationFilter struct {
	MerchantID string
	State      kyc.State // empty: any
	Before     string    // cursor: only ids lower than this
	Limit      int
}

// ListVerifications returns up to f.Limit verifications, newest first.
func (r reads) ListVerifications(ctx context.Context, f VerificationFilter) ([]kyc.Verification, error) {
	q := `SELECT ` + verificationCols + ` FROM verifications WHERE merchant_id = $1 AND ($2 = '' OR state = $2) AND ($3 = '' OR id < $3)
	       ORDER BY id DESC LIMIT $4`
	return r.verifications(ctx, "list verifications", q, f.MerchantID, string(f.State), f.Before, f.Limit)
}

// verifications runs a query of verification rows.
func (r reads) verifications(ctx context.Context, what, q string, args ...any) ([]kyc.Verification, error) {
	rows, err := r.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []kyc.Verification{}
	for rows.Next() {
		v, err := scanVerification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VerificationWithChecks returns a verification and its check results in one
// query (the hot path of status reads).
func (r reads) VerificationWithChecks(ctx context.Context, merchantID, id string) (kyc.Verification, []kyc.Check, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+prefixed("v.", verificationCols)+`,
	        c.id, c.kind, c.status, c.score, c.reason_code, c.evidence, c.engine_version, c.created_at, c.not_run_kind
	   FROM verifications v LEFT JOIN checks c ON c.verification_id = v.id AND c.merchant_id = v.merchant_id
	  WHERE v.id = $1 AND v.merchant_id = $2 ORDER BY c.id`, id, merchantID)
	if err != nil {
		return kyc.Verification{}, nil, fmt.Errorf("read verification: %w", err)
	}
	defer rows.Close()
	var v kyc.Verification
	checks := []kyc.Check{}
	found := false
	for rows.Next() {
		var surface, state, decision, rejectType, reasons string
		var vc, vu int64
		var cid, kind, status, reason, evidence, engine, notRun sql.NullString
		var score sql.NullFloat64
		var cat sql.NullInt64
		if err := rows.Scan(&v.ID, &v.MerchantID, &v.ApplicantID, &surface, &v.Reference, &v.Level, &state, &decision, &rejectType,
			&reasons, &v.UserMessage, &v.DecidedBy, &v.Version, &vc, &vu, &v.Attempt, &v.CallbackURL, &v.Country,
			&cid, &kind, &status, &score, &reason, &evidence, &engine, &cat, &notRun); err != nil {
			return v, nil, err
		}
		if !found {
			found = true
			v.Surface, v.State, v.Decision, v.RejectType = kyc.Surface(surface), kyc.State(state), kyc.Decision(decision), kyc.RejectType(rejectType)
			v.CreatedAt, v.UpdatedAt = fromMicros(vc), fromMicros(vu)
			if err := json.Unmarshal([]byte(reasons), &v.Reasons); err != nil {
				return v, nil, fmt.Errorf("verification %s reasons: %w", v.ID, err)
			}
		}
		if cid.Valid {
			checks = append(checks, kyc.Check{ID: cid.String, MerchantID: v.MerchantID, VerificationID: v.ID, Kind: kyc.CheckKind(kind.String),
				Status: kyc.CheckStatus(status.String), Score: score.Float64, ReasonCode: reason.String, Evidence: []byte(evidence.String),
				EngineVersion: engine.String, CreatedAt: fromMicros(cat.Int64), NotRunKind: kyc.NotRunKind(notRun.String)})
		}
	}
	if err := rows.Err(); err != nil {
		return v, nil, err
	}
	if !found {
		return v, nil, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	return v, checks, nil
}

// VerificationByIDAnyMerchant returns a verification whatever its merchant:
// for operator tools (the CLI), never for API requests.
func (r reads) VerificationByIDAnyMerchant(ctx context.Context, id string) (kyc.Verification, error) {
	v, err := scanVerification(r.q.QueryRowContext(ctx, `SELECT `+verificationCols+` FROM verifications WHERE id = $1`, id))
	if err != nil {
		return v, notFound(err, "verification")
	}
	return v, nil
}
