package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Applicant rows carry the PII sealed by the caller (crypto.Keyring.Seal); the
// store never sees plaintext personal data. a.PII is ignored on write and left
// empty on read. So is a.ExternalUserID, the merchant's key of the user: the
// caller seals it with the PII and gives its keyed hash (a.ExternalIDHash),
// which the store keeps unique per merchant and surface and looks up by.
// The legacy external_user_id column holds the applicant's own id (it is
// read back as ""), "erased:<id>" on a tombstone, or, on a row written
// before migration 00015 and not yet sealed, the key in clear.

// InsertApplicant stores a new applicant. A taken (merchant, surface,
// external id hash) is a kyc.ConflictError with code "applicant_exists".
func (t *Tx) InsertApplicant(ctx context.Context, a kyc.Applicant, sealedPII []byte) error {
	if a.ExternalIDHash == "" {
		return errors.New("insert applicant: no external id hash")
	}
	ok, err := exec1(ctx, t.tx, "insert applicant",
		`INSERT INTO applicants (id, merchant_id, surface, external_user_id, external_user_id_hash, pii, doc_number_hash, email_hash, phone_hash, created_at, updated_at)
		 VALUES ($1, $2, $3, $1, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
		a.ID, a.MerchantID, string(a.Surface), a.ExternalIDHash, sealedPII, a.DocNumberHash, a.EmailHash, a.PhoneHash,
		micros(a.CreatedAt), micros(a.UpdatedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("applicant_exists", "an applicant with this external_user_id exists")
	}
	return nil
}

// UpdateApplicant replaces an applicant's PII and lookup hashes (the
// external id hash too: a row not yet sealed is sealed by its update).
func (t *Tx) UpdateApplicant(ctx context.Context, a kyc.Applicant, sealedPII []byte) error {
	if a.ExternalIDHash == "" {
		return errors.New("update applicant: no external id hash")
	}
	ok, err := exec1(ctx, t.tx, "update applicant",
		`UPDATE applicants SET pii = $1, doc_number_hash = $2, email_hash = $3, phone_hash = $4, updated_at = $5,
		        external_user_id = id, external_user_id_hash = $6
		  WHERE id = $7 AND merchant_id = $8 AND deleted_at IS NULL`,
		sealedPII, a.DocNumberHash, a.EmailHash, a.PhoneHash, micros(a.UpdatedAt), a.ExternalIDHash, a.ID, a.MerchantID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	return nil
}

const applicantCols = `id, merchant_id, surface, external_user_id, external_user_id_hash, pii, doc_number_hash, email_hash, phone_hash,
	created_at, updated_at, deleted_at, purge_after, erased_at, documents_erased_at`

func scanApplicant(row interface{ Scan(...any) error }) (kyc.Applicant, []byte, error) {
	var a kyc.Applicant
	var surface string
	var sealed []byte
	var c, u int64
	var del, purge, erased, docs sql.NullInt64
	err := row.Scan(&a.ID, &a.MerchantID, &surface, &a.ExternalUserID, &a.ExternalIDHash, &sealed, &a.DocNumberHash, &a.EmailHash, &a.PhoneHash,
		&c, &u, &del, &purge, &erased, &docs)
	if a.ExternalUserID == a.ID {
		a.ExternalUserID = "" // sealed in the PII
	}
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

// ApplicantByExternalID returns the merchant's applicant whose key on a
// surface has this keyed hash.
func (r reads) ApplicantByExternalID(ctx context.Context, merchantID string, surface kyc.Surface, externalIDHash string) (kyc.Applicant, []byte, error) {
	if externalIDHash == "" {
		return kyc.Applicant{}, nil, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	a, sealed, err := scanApplicant(r.q.QueryRowContext(ctx,
		`SELECT `+applicantCols+` FROM applicants WHERE merchant_id = $1 AND surface = $2 AND external_user_id_hash = $3`,
		merchantID, string(surface), externalIDHash))
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

// UnsealedApplicant is a row written before migration 00015: its external
// id is still in clear and its hash empty.
type UnsealedApplicant struct {
	ID, MerchantID string
	Surface        kyc.Surface
	ExternalUserID string
	SealedPII      []byte
}

// UnsealedApplicants returns up to limit rows whose external id is not
// sealed yet, in id order after afterID (erased tombstones excluded).
func (r reads) UnsealedApplicants(ctx context.Context, afterID string, limit int) ([]UnsealedApplicant, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT id, merchant_id, surface, external_user_id, pii FROM applicants
		  WHERE external_user_id_hash = '' AND erased_at IS NULL AND id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("unsealed applicants: %w", err)
	}
	defer rows.Close()
	var out []UnsealedApplicant
	for rows.Next() {
		var u UnsealedApplicant
		var surface string
		if err := rows.Scan(&u.ID, &u.MerchantID, &surface, &u.ExternalUserID, &u.SealedPII); err != nil {
			return nil, err
		}
		u.Surface = kyc.Surface(surface)
		out = append(out, u)
	}
	return out, rows.Err()
}

// SealExternalID replaces an unsealed row's clear external id by its hash
// and its PII by sealedPII (which holds the id), provided the row still has
// the external id and PII it was read with: it reports false when another
// process sealed or changed it first.
func (t *Tx) SealExternalID(ctx context.Context, u UnsealedApplicant, hash string, sealedPII []byte) (bool, error) {
	if hash == "" {
		return false, errors.New("seal external id: empty hash")
	}
	return exec1(ctx, t.tx, "seal external id",
		`UPDATE applicants SET external_user_id = id, external_user_id_hash = $1, pii = $2
		  WHERE id = $3 AND merchant_id = $4 AND external_user_id_hash = '' AND erased_at IS NULL
		    AND external_user_id = $5 AND pii = $6`,
		hash, sealedPII, u.ID, u.MerchantID, u.ExternalUserID, u.SealedPII)
}
