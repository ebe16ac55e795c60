package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
)

// InsertMerchant creates a merchant and the head of its audit chain. A taken
// merchant number is a kyc.ConflictError.
func (t *Tx) InsertMerchant(ctx context.Context, m kyc.Merchant) error {
	ok, err := exec1(ctx, t.tx, "insert merchant",
		`INSERT INTO merchants (id, merchant_no, name, status, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		m.ID, m.MerchantNo, m.Name, string(m.Status), micros(m.CreatedAt), micros(m.UpdatedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("merchant_exists", "a merchant with this id or merchant number exists")
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO audit_heads (merchant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`, m.ID, audit.Genesis)
	if err != nil {
		return fmt.Errorf("insert audit head: %w", err)
	}
	return nil
}

// ExpireCredentials makes the merchant's credentials of a kind, except one,
// stop working at the given time (unless they stop sooner), and returns how
// many it changed.
func (t *Tx) ExpireCredentials(ctx context.Context, merchantID, kind, exceptID string, at time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx,
		`UPDATE credentials SET revoked_at = $1 WHERE merchant_id = $2 AND kind = $3 AND id <> $4 AND (revoked_at IS NULL OR revoked_at > $1)`,
		micros(at), merchantID, kind, exceptID)
	if err != nil {
		return 0, fmt.Errorf("expire credentials: %w", err)
	}
	return res.RowsAffected()
}

// InsertCredential stores a credential.
func (t *Tx) InsertCredential(ctx context.Context, c kyc.Credential) error {
	ok, err := exec1(ctx, t.tx, "insert credential",
		`INSERT INTO credentials (id, merchant_id, kind, lookup, hint, created_at, revoked_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		c.ID, c.MerchantID, c.Kind, c.Lookup, c.Hint, micros(c.CreatedAt), nullMicros(c.RevokedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("credential_exists", "credential exists")
	}
	return nil
}

const merchantCols = `id, merchant_no, name, status, created_at, updated_at`

func scanMerchant(row interface{ Scan(...any) error }) (kyc.Merchant, error) {
	var m kyc.Merchant
	var status string
	var c, u int64
	if err := row.Scan(&m.ID, &m.MerchantNo, &m.Name, &status, &c, &u); err != nil {
		return m, err
	}
	m.Status, m.CreatedAt, m.UpdatedAt = kyc.MerchantStatus(status), fromMicros(c), fromMicros(u)
	return m, nil
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, kyc.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// MerchantByID returns one merchant.
func (r reads) MerchantByID(ctx context.Context, id string) (kyc.Merchant, error) {
	m, err := scanMerchant(r.q.QueryRowContext(ctx, `SELECT `+merchantCols+` FROM merchants WHERE id = $1`, id))
	if err != nil {
		return m, notFound(err, "merchant")
	}
	return m, nil
}

// Merchants lists all merchants, oldest first.
func (r reads) Merchants(ctx context.Context) ([]kyc.Merchant, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+merchantCols+` FROM merchants ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list merchants: %w", err)
	}
	defer rows.Close()
	var out []kyc.Merchant
	for rows.Next() {
		m, err := scanMerchant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CredentialByLookup finds a credential by the hash of its secret, with its
// merchant, unless it is revoked at time at (a rotated key works until its
// revoked_at).
func (r reads) CredentialByLookup(ctx context.Context, kind, lookup string, at time.Time) (kyc.Credential, kyc.Merchant, error) {
	var c kyc.Credential
	var created int64
	var revoked sql.NullInt64
	row := r.q.QueryRowContext(ctx,
		`SELECT c.id, c.merchant_id, c.kind, c.lookup, c.hint, c.created_at, c.revoked_at,
		        m.id, m.merchant_no, m.name, m.status, m.created_at, m.updated_at
		   FROM credentials c JOIN merchants m ON m.id = c.merchant_id
		  WHERE c.lookup = $1 AND c.kind = $2 AND (c.revoked_at IS NULL OR c.revoked_at > $3)`, lookup, kind, micros(at))
	var m kyc.Merchant
	var status string
	var mc, mu int64
	err := row.Scan(&c.ID, &c.MerchantID, &c.Kind, &c.Lookup, &c.Hint, &created, &revoked,
		&m.ID, &m.MerchantNo, &m.Name, &status, &mc, &mu)
	if err != nil {
		return c, m, notFound(err, "credential")
	}
	c.CreatedAt, c.RevokedAt = fromMicros(created), fromNullMicros(revoked)
	m.Status, m.CreatedAt, m.UpdatedAt = kyc.MerchantStatus(status), fromMicros(mc), fromMicros(mu)
	return c, m, nil
}

// InsertDataKey stores a wrapped data key unless its id exists (crypto.KeyStore).
func (s *Store) InsertDataKey(ctx context.Context, k crypto.WrappedKey) error {
	active := 0
	if k.Active {
		active = 1
	}
	_, err := s.w.ExecContext(ctx,
		`INSERT INTO data_keys (id, purpose, wrapped, active, master_version, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		k.ID, k.Purpose, k.Wrapped, active, k.MasterVersion, micros(nowUTC()))
	return err
}

// RewrapDataKey replaces a data key's wrapping if it is still wrapped by
// master key version from (crypto.KeyStore).
func (s *Store) RewrapDataKey(ctx context.Context, id string, from int, k crypto.WrappedKey) (bool, error) {
	var ok bool
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		ok, err = exec1(ctx, tx.tx, "rewrap data key",
			`UPDATE data_keys SET wrapped = $1, master_version = $2 WHERE id = $3 AND master_version = $4`, k.Wrapped, k.MasterVersion, id, from)
		return err
	})
	return ok, err
}

// DataKeys returns every wrapped data key (crypto.KeyStore).
func (s *Store) DataKeys(ctx context.Context) ([]crypto.WrappedKey, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT id, purpose, wrapped, active, master_version FROM data_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crypto.WrappedKey
	for rows.Next() {
		var k crypto.WrappedKey
		var active int
		if err := rows.Scan(&k.ID, &k.Purpose, &k.Wrapped, &active, &k.MasterVersion); err != nil {
			return nil, err
		}
		k.Active = active == 1
		out = append(out, k)
	}
	return out, rows.Err()
}
