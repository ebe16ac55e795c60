package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Applicant rows carry the PII sealed by the caller (crypto.Keyring.Seal); the
// store never sees plaintext personal data. a.PII is ignored on write and left
// empty on read.

// InsertApplicant stores a new applicant. A taken (merchant, surface,
// external_user_id) is a kyc.ConflictError with code "applicant_exists".
func (t *Tx) InsertApplicant(ctx context.Context, a kyc.Applicant, sealedPII []byte) error {
	ok, err := exec1(ctx, t.tx, "insert applicant",
		`INSERT INTO applicants (id, merchant_id, surface, external_user_id, pii, doc_number_hash, email_hash, phone_hash, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
		a.ID, a.MerchantID, string(a.Surface), a.ExternalUserID, sealedPII, a.DocNumberHash, a.EmailHash, a.PhoneHash,
		micros(a.CreatedAt), micros(a.UpdatedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("applicant_exists", "an applicant with this external_user_id exists")
	}
	return nil
}

// UpdateApplicant replaces an applicant's PII and lookup hashes.
func (t *Tx) UpdateApplicant(ctx context.Context, a kyc.Applicant, sealedPII []byte) error {
	ok, err := exec1(ctx, t.tx, "update applicant",
		`UPDATE applicants SET pii = $1, doc_number_hash = $2, email_hash = $3, phone_hash = $4, updated_at = $5
		  WHERE id = $6 AND merchant_id = $7 AND deleted_at IS NULL`,
		sealedPII, a.DocNumberHash, a.EmailHash, a.PhoneHash, micros(a.UpdatedAt), a.ID, a.MerchantID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	return nil
}

const applicantCols = `id, merchant_id, surface, external_user_id, pii, doc_number_hash, email_hash, phone_hash, created_at, updated_at,
	deleted_at, purge_after, erased_at, documents_erased_at`

func scanApplicant(row interface{ Scan(...any) error }) (kyc.Applicant, []byte, error) {
	var a kyc.Applicant
	var surface string
	var sealed []byte
	var c, u int64
	var del, purge, erased, docs sql.NullInt64
	err := row.Scan(&a.ID, &a.MerchantID, &surface, &a.ExternalUserID, &sealed, &a.DocNumberHash, &a.EmailHash, &a.PhoneHash, &c, &u,
		&del, &purge, &erased, &docs)
	a.Surface, a.CreatedAt, a.UpdatedAt = kyc.Surface(surface), fromMicros(c), fromMicros(u)
	a.DeletedAt, a.PurgeAfter, a.ErasedAt, a.DocumentsErasedAt = fromNullMicros(del), fromNullMicros(purge), fromNullMicros(erased), fromNullMicros(docs)
	return a, sealed, err
}

// ApplicantByID returns an applicant of the merchant with its sealed PII.
func (r reads) ApplicantByID(ctx context.Context, merchantID, id string) (kyc.Applicant, []byte, error) {
	a, sealed, err := scanApplicant(r.q.QueryRowContext(ctx,
		`SELECT `+applicantCols+` FROM applicants WHERE id = $1 AND merchant_id = $2`, id, merchantID))
	if err != nil {
		return a, nil, notFound(err, "applicant")
	}
	return a, sealed, nil
}

// ApplicantByExternalID returns the merchant's applicant with this key on a surface.
func (r reads) ApplicantByExternalID(ctx context.Context, merchantID string, surface kyc.Surface, externalID string) (kyc.Applicant, []byte, error) {
	a, sealed, err := scanApplicant(r.q.QueryRowContext(ctx,
		`SELECT `+applicantCols+` FROM applicants WHERE merchant_id = $1 AND surface = $2 AND external_user_id = $3`,
		merchantID, string(surface), externalID))
	if err != nil {
		return a, nil, notFound(err, "applicant")
	}
	return a, sealed, nil
}

// Lookup kinds for ApplicantIDsByHash.
const (
	HashDocNumber = "doc_number_hash"
	HashEmail     = "email_hash"
	HashPhone     = "phone_hash"
)

// ApplicantIDsByHash returns the ids of the merchant's applicants whose keyed
// hash of the given kind equals hash (duplicate search), excluding one id.
func (r reads) ApplicantIDsByHash(ctx context.Context, merchantID, kind, hash, excludeID string) ([]string, error) {
	switch kind {
	case HashDocNumber, HashEmail, HashPhone:
	default:
		return nil, fmt.Errorf("unknown lookup kind %q", kind)
	}
	if hash == "" {
		return nil, nil
	}
	rows, err := r.q.QueryContext(ctx,
		`SELECT id FROM applicants WHERE merchant_id = $1 AND `+kind+` = $2 AND id <> $3 AND deleted_at IS NULL ORDER BY id LIMIT 100`,
		merchantID, hash, excludeID)
	if err != nil {
		return nil, fmt.Errorf("duplicate lookup: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
