package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// DialectCredential is a merchant's credential for one dialect: an app id
// (public, unique per dialect) and a sealed secret.
type DialectCredential struct {
	MerchantID   string
	Dialect      kyc.Surface
	AppID        string
	SealedSecret []byte
	CreatedAt    time.Time
	// OldSealedSecret is the secret before a rotation, accepted on incoming
	// requests until OldSecretUntil.
	OldSealedSecret []byte
	OldSecretUntil  time.Time
	// NextSealedSecret is a staged platform key (RSA dialects) that becomes
	// the secret when the rotation is activated.
	NextSealedSecret []byte
}

// InsertDialectCredential stores a credential.
func (t *Tx) InsertDialectCredential(ctx context.Context, c DialectCredential) error {
	ok, err := exec1(ctx, t.tx, "insert dialect credential",
		`INSERT INTO dialect_credentials (merchant_id, dialect, app_id, secret, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		c.MerchantID, c.Dialect, c.AppID, c.SealedSecret, micros(c.CreatedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("credential_exists", "the merchant has %s credentials already", c.Dialect)
	}
	return nil
}

// DialectCredential returns the merchant's credential for a dialect.
func (r reads) DialectCredential(ctx context.Context, merchantID string, dialect kyc.Surface) (DialectCredential, error) {
	c := DialectCredential{MerchantID: merchantID, Dialect: dialect}
	var at int64
	var until int64
	err := r.q.QueryRowContext(ctx, `SELECT app_id, secret, created_at, old_secret, old_secret_until, next_secret
	   FROM dialect_credentials WHERE merchant_id = $1 AND dialect = $2`,
		merchantID, dialect).Scan(&c.AppID, &c.SealedSecret, &at, &c.OldSealedSecret, &until, &c.NextSealedSecret)
	if err != nil {
		return c, notFound(err, "dialect credential")
	}
	c.CreatedAt, c.OldSecretUntil = fromMicros(at), fromMicros(until)
	return c, nil
}

// MerchantByNo returns the merchant with this merchant number.
func (r reads) MerchantByNo(ctx context.Context, no string) (kyc.Merchant, error) {
	m, err := scanMerchant(r.q.QueryRowContext(ctx, `SELECT `+merchantCols+` FROM merchants WHERE merchant_no = $1`, no))
	if err != nil {
		return m, notFound(err, "merchant")
	}
	return m, nil
}

// LatestVerificationOfApplicant returns the applicant's newest verification.
func (r reads) LatestVerificationOfApplicant(ctx context.Context, merchantID, applicantID string) (kyc.Verification, error) {
	v, err := scanVerification(r.q.QueryRowContext(ctx,
		`SELECT `+verificationCols+` FROM verifications WHERE merchant_id = $1 AND applicant_id = $2 ORDER BY id DESC LIMIT 1`, merchantID, applicantID))
	if err != nil {
		return v, notFound(err, "verification")
	}
	return v, nil
}

// DialectCredentialByAppID returns a credential by its app id, with the merchant.
func (r reads) DialectCredentialByAppID(ctx context.Context, dialect kyc.Surface, appID string) (DialectCredential, kyc.Merchant, error) {
	c := DialectCredential{Dialect: dialect, AppID: appID}
	var m kyc.Merchant
	var status string
	var at, until, mc, mu int64
	err := r.q.QueryRowContext(ctx,
		`SELECT c.merchant_id, c.secret, c.created_at, c.old_secret, c.old_secret_until, m.id, m.merchant_no, m.name, m.status, m.created_at, m.updated_at
		   FROM dialect_credentials c JOIN merchants m ON m.id = c.merchant_id WHERE c.dialect = $1 AND c.app_id = $2`, dialect, appID).
		Scan(&c.MerchantID, &c.SealedSecret, &at, &c.OldSealedSecret, &until, &m.ID, &m.MerchantNo, &m.Name, &status, &mc, &mu)
	if err != nil {
		return c, m, notFound(err, "dialect credential")
	}
	c.CreatedAt, c.OldSecretUntil = fromMicros(at), fromMicros(until)
	m.Status, m.CreatedAt, m.UpdatedAt = kyc.MerchantStatus(status), fromMicros(mc), fromMicros(mu)
	return c, m, nil
}

// StageDialectSecret stores the next secret of a merchant's dialect
// credential; it reports false without a credential.
func (t *Tx) StageDialectSecret(ctx context.Context, merchantID string, dialect kyc.Surface, sealed []byte) (bool, error) {
	return exec1(ctx, t.tx, "stage dialect secret",
		`UPDATE dialect_credentials SET next_secret = $1 WHERE merchant_id = $2 AND dialect = $3`, sealed, merchantID, dialect)
}

// ActivateDialectSecret makes the staged secret current (the current one
// becomes the old one, kept until oldUntil); it reports false when nothing
// is staged.
func (t *Tx) ActivateDialectSecret(ctx context.Context, merchantID string, dialect kyc.Surface, oldUntil time.Time) (bool, error) {
	return exec1(ctx, t.tx, "activate dialect secret",
		`UPDATE dialect_credentials SET old_secret = secret, old_secret_until = $1, secret = next_secret, next_secret = NULL
		  WHERE merchant_id = $2 AND dialect = $3 AND next_secret IS NOT NULL`, micros(oldUntil), merchantID, dialect)
}

// RotateDialectSecret replaces a merchant's dialect secret; the current one
// is kept as the old secret until oldUntil. It reports false when the
// merchant has no credential of the dialect.
func (t *Tx) RotateDialectSecret(ctx context.Context, merchantID string, dialect kyc.Surface, sealed []byte, oldUntil time.Time) (bool, error) {
	return exec1(ctx, t.tx, "rotate dialect secret",
		`UPDATE dialect_credentials SET old_secret = secret, old_secret_until = $1, secret = $2 WHERE merchant_id = $3 AND dialect = $4`,
		micros(oldUntil), sealed, merchantID, dialect)
}

func (r reads) latestVerificationByExternalID(ctx context.Context, merchantID string, surface kyc.Surface, externalIDHash string) (kyc.Verification, error) {
	if externalIDHash == "" {
		return kyc.Verification{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	v, err := scanVerification(r.q.QueryRowContext(ctx,
		`SELECT `+prefixed("v.", verificationCols)+`
		   FROM verifications v JOIN applicants a ON a.id = v.applicant_id
		  WHERE a.merchant_id = $1 AND a.surface = $2 AND a.external_user_id_hash = $3 AND v.merchant_id = $1
		  ORDER BY v.id DESC LIMIT 1`, merchantID, string(surface), externalIDHash))
	if err != nil {
		return v, notFound(err, "verification")
	}
	return v, nil
}

// DialectSettings are a merchant's settings of one dialect. The zero value
// (no row) means the dialect's defaults.
type DialectSettings struct {
	MerchantID     string
	Dialect        kyc.Surface
	CallbackURL    string // default callback URL when a request names none
	Ack            string // what acknowledges a callback; "" is the dialect's default
	PublicKey      string // the merchant's public key (PEM), where the dialect signs with RSA
	AllowIDCard    bool   // card binding: accept doc_type 2 (identity card)
	AddressPattern string // card binding: regular expression for kyc_info.address; "" is the default
	UpdatedAt      time.Time
	// OldPublicKey is the merchant's public key before a replacement, still
	// verifying requests until OldPublicKeyUntil.
	OldPublicKey      string
	OldPublicKeyUntil time.Time
}

// DialectSettings returns a merchant's settings of a dialect; without a row,
// the zero settings (not an error).
func (r reads) DialectSettings(ctx context.Context, merchantID string, dialect kyc.Surface) (DialectSettings, error) {
	s := DialectSettings{MerchantID: merchantID, Dialect: dialect}
	var allow, at, until int64
	err := r.q.QueryRowContext(ctx,
		`SELECT callback_url, ack, public_key, allow_id_card, address_pattern, updated_at, old_public_key, old_public_key_until
		   FROM dialect_settings WHERE merchant_id = $1 AND dialect = $2`,
		merchantID, dialect).Scan(&s.CallbackURL, &s.Ack, &s.PublicKey, &allow, &s.AddressPattern, &at, &s.OldPublicKey, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("dialect settings: %w", err)
	}
	s.AllowIDCard, s.UpdatedAt, s.OldPublicKeyUntil = allow != 0, fromMicros(at), fromMicros(until)
	return s, nil
}

// PutDialectSettings creates or replaces a merchant's settings of a dialect.
func (t *Tx) PutDialectSettings(ctx context.Context, s DialectSettings) error {
	allow := 0
	if s.AllowIDCard {
		allow = 1
	}
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO dialect_settings (merchant_id, dialect, callback_url, ack, public_key, allow_id_card, address_pattern, updated_at,
		   old_public_key, old_public_key_until)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		 ON CONFLICT (merchant_id, dialect) DO UPDATE SET callback_url = excluded.callback_url, ack = excluded.ack,
		   public_key = excluded.public_key, allow_id_card = excluded.allow_id_card, address_pattern = excluded.address_pattern,
		   updated_at = excluded.updated_at, old_public_key = excluded.old_public_key, old_public_key_until = excluded.old_public_key_until`,
		s.MerchantID, s.Dialect, s.CallbackURL, s.Ack, s.PublicKey, allow, s.AddressPattern, micros(s.UpdatedAt), s.OldPublicKey, micros(s.OldPublicKeyUntil))
	if err != nil {
		return fmt.Errorf("put dialect settings: %w", err)
	}
	return nil
}

// UseNonce records a request nonce until expires. It reports false when the
// merchant already used the nonce on this dialect: a replay.
func (s *Store) UseNonce(ctx context.Context, merchantID string, dialect kyc.Surface, nonce string, expires time.Time) (bool, error) {
	var fresh bool
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		fresh, err = exec1(ctx, tx.tx, "use nonce",
			`INSERT INTO dialect_nonces (merchant_id, dialect, nonce, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			merchantID, dialect, nonce, micros(expires))
		return err
	})
	return fresh, err
}

// PurgeNonces deletes nonces that expired before t and returns how many.
func (s *Store) PurgeNonces(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM dialect_nonces WHERE expires_at < $1`, micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
