package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/openkyc/openkyc/internal/kyc"
)

// InsertDocument records an uploaded document whose blob is already stored.
func (t *Tx) InsertDocument(ctx context.Context, d kyc.Document) error {
	var tKinds, tSHA string
	var tSize int64
	if tr := d.Trailer; tr != nil {
		tKinds, tSize, tSHA = strings.Join(tr.Kinds, ","), tr.Size, tr.SHA256
	}
	ok, err := exec1(ctx, t.tx, "insert document",
		`INSERT INTO documents (id, merchant_id, applicant_id, kind, content_type, size, sha256, blob_key, key_id, width, height,
		                        trailer_kinds, trailer_size, trailer_sha256, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
		d.ID, d.MerchantID, d.ApplicantID, string(d.Kind), d.ContentType, d.Size, d.SHA256, d.BlobKey, d.KeyID, d.Width, d.Height,
		tKinds, tSize, tSHA, micros(d.CreatedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("document_exists", "document exists")
	}
	return nil
}

const documentCols = `id, merchant_id, applicant_id, kind, content_type, size, sha256, blob_key, key_id, width, height,
	trailer_kinds, trailer_size, trailer_sha256, created_at`

func scanDocument(row interface{ Scan(...any) error }) (kyc.Document, error) {
	var d kyc.Document
	var kind, tKinds, tSHA string
	var c, tSize int64
	err := row.Scan(&d.ID, &d.MerchantID, &d.ApplicantID, &kind, &d.ContentType, &d.Size, &d.SHA256, &d.BlobKey, &d.KeyID, &d.Width, &d.Height,
		&tKinds, &tSize, &tSHA, &c)
	d.Kind, d.CreatedAt = kyc.DocumentKind(kind), fromMicros(c)
	if tSize > 0 {
		d.Trailer = &kyc.RemovedTrailer{Kinds: strings.Split(tKinds, ","), Size: tSize, SHA256: tSHA}
	}
	return d, err
}

// DocumentByID returns a document of the merchant.
func (r reads) DocumentByID(ctx context.Context, merchantID, id string) (kyc.Document, error) {
	d, err := scanDocument(r.q.QueryRowContext(ctx, `SELECT `+documentCols+` FROM documents WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if err != nil {
		return d, notFound(err, "document")
	}
	return d, nil
}

// DocumentsByApplicant lists an applicant's documents, oldest first.
func (r reads) DocumentsByApplicant(ctx context.Context, merchantID, applicantID string) ([]kyc.Document, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+documentCols+` FROM documents WHERE merchant_id = $1 AND applicant_id = $2 ORDER BY id`, merchantID, applicantID)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	out := []kyc.Document{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// InsertCheck stores one check result.
func (t *Tx) InsertCheck(ctx context.Context, c kyc.Check) error {
	ev := string(c.Evidence)
	if ev == "" {
		ev = "{}"
	}
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO checks (id, merchant_id, verification_id, kind, status, score, reason_code, evidence, engine_version, created_at, not_run_kind)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.MerchantID, c.VerificationID, c.Kind, string(c.Status), c.Score, c.ReasonCode, ev, c.EngineVersion, micros(c.CreatedAt), string(c.NotRunKind))
	if err != nil {
		return fmt.Errorf("insert check: %w", err)
	}
	return nil
}

// ChecksByVerification lists a verification's check results, oldest first.
func (r reads) ChecksByVerification(ctx context.Context, merchantID, verificationID string) ([]kyc.Check, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT id, merchant_id, verification_id, kind, status, score, reason_code, evidence, engine_version, created_at, not_run_kind
		   FROM checks WHERE merchant_id = $1 AND verification_id = $2 ORDER BY id`, merchantID, verificationID)
	if err != nil {
		return nil, fmt.Errorf("list checks: %w", err)
	}
	defer rows.Close()
	out := []kyc.Check{}
	for rows.Next() {
		var c kyc.Check
		var status, ev, notRun string
		var at int64
		if err := rows.Scan(&c.ID, &c.MerchantID, &c.VerificationID, &c.Kind, &status, &c.Score, &c.ReasonCode, &ev, &c.EngineVersion, &at, &notRun); err != nil {
			return nil, err
		}
		c.Status, c.Evidence, c.CreatedAt, c.NotRunKind = kyc.CheckStatus(status), []byte(ev), fromMicros(at), kyc.NotRunKind(notRun)
		out = append(out, c)
	}
	return out, rows.Err()
}
