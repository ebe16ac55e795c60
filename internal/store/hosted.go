package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// HostedLink is a link to the hosted verification page of one verification.
type HostedLink struct {
	ID             string
	MerchantID     string
	VerificationID string
	TokenHash      string
	ReturnURL      string
	Locale         string
	Challenge      string // liveness prompts, comma-separated
	DocType        string // chosen by the user
	DocCountry     string
	ExpiresAt      time.Time
	SubmittedAt    *time.Time
	OpenedAt       *time.Time // first opened by the end user
	CreatedAt      time.Time
}

// InsertHostedLink stores a link.
func (t *Tx) InsertHostedLink(ctx context.Context, l HostedLink) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO hosted_links (id, merchant_id, verification_id, token_hash, return_url, locale, challenge, doc_type, doc_country, expires_at, submitted_at, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		l.ID, l.MerchantID, l.VerificationID, l.TokenHash, l.ReturnURL, l.Locale, l.Challenge, l.DocType, l.DocCountry,
		micros(l.ExpiresAt), nullMicros(l.SubmittedAt), micros(l.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert hosted link: %w", err)
	}
	return nil
}

const hostedLinkCols = `id, merchant_id, verification_id, token_hash, return_url, locale, challenge, doc_type, doc_country, expires_at, submitted_at, created_at, opened_at`

func scanHostedLink(row interface{ Scan(...any) error }) (HostedLink, error) {
	var l HostedLink
	var exp, created int64
	var sub, opened sql.NullInt64
	if err := row.Scan(&l.ID, &l.MerchantID, &l.VerificationID, &l.TokenHash, &l.ReturnURL, &l.Locale, &l.Challenge, &l.DocType, &l.DocCountry, &exp, &sub, &created, &opened); err != nil {
		return l, err
	}
	l.ExpiresAt, l.SubmittedAt, l.CreatedAt, l.OpenedAt = fromMicros(exp), fromNullMicros(sub), fromMicros(created), fromNullMicros(opened)
	return l, nil
}

// HostedLinkByTokenHash finds a link by the hash of its token.
func (r reads) HostedLinkByTokenHash(ctx context.Context, hash string) (HostedLink, error) {
	l, err := scanHostedLink(r.q.QueryRowContext(ctx, `SELECT `+hostedLinkCols+` FROM hosted_links WHERE token_hash = $1`, hash))
	if err != nil {
		return l, notFound(err, "hosted link")
	}
	return l, nil
}

// LatestHostedLink returns the link of a verification the user submitted
// through, else its newest link.
func (r reads) LatestHostedLink(ctx context.Context, merchantID, verificationID string) (HostedLink, error) {
	l, err := scanHostedLink(r.q.QueryRowContext(ctx,
		`SELECT `+hostedLinkCols+` FROM hosted_links WHERE merchant_id = $1 AND verification_id = $2 ORDER BY submitted_at IS NULL, id DESC LIMIT 1`, merchantID, verificationID))
	if err != nil {
		return l, notFound(err, "hosted link")
	}
	return l, nil
}

// CountHostedLinks counts the links ever created for a verification.
func (r reads) CountHostedLinks(ctx context.Context, merchantID, verificationID string) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM hosted_links WHERE merchant_id = $1 AND verification_id = $2`, merchantID, verificationID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count hosted links: %w", err)
	}
	return n, nil
}

// MarkHostedLinkSubmitted records that the user submitted through the link;
// it reports false when it was already marked.
func (t *Tx) MarkHostedLinkSubmitted(ctx context.Context, id string, at time.Time) (bool, error) {
	return exec1(ctx, t.tx, "mark hosted link", `UPDATE hosted_links SET submitted_at = $2 WHERE id = $1 AND submitted_at IS NULL`, id, micros(at))
}

// MarkHostedLinkOpened records the first opening of a link; it reports
// whether this was it.
func (t *Tx) MarkHostedLinkOpened(ctx context.Context, id string, at time.Time) (bool, error) {
	return exec1(ctx, t.tx, "mark hosted link opened", `UPDATE hosted_links SET opened_at = $2 WHERE id = $1 AND opened_at IS NULL`, id, micros(at))
}

// SetHostedDocument records the document type and country the user chose.
func (s *Store) SetHostedDocument(ctx context.Context, id, docType, country string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE hosted_links SET doc_type = $2, doc_country = $3 WHERE id = $1`, id, docType, country)
		return err
	})
}

// HostedSettings are a merchant's settings of the hosted page.
type HostedSettings struct {
	MerchantID string
	// EmbedOrigins may embed the hosted page in an iframe (none: no one).
	EmbedOrigins []string
	UpdatedAt    time.Time
}

// HostedSettingsOf returns a merchant's hosted-page settings (empty when
// never set).
func (r reads) HostedSettingsOf(ctx context.Context, merchantID string) (HostedSettings, error) {
	hs := HostedSettings{MerchantID: merchantID}
	var origins string
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT embed_origins, updated_at FROM hosted_settings WHERE merchant_id = $1`, merchantID).Scan(&origins, &at)
	if err == sql.ErrNoRows {
		return hs, nil
	}
	if err != nil {
		return hs, fmt.Errorf("hosted settings: %w", err)
	}
	if err := json.Unmarshal([]byte(origins), &hs.EmbedOrigins); err != nil {
		return hs, fmt.Errorf("hosted settings: %w", err)
	}
	hs.UpdatedAt = fromMicros(at)
	return hs, nil
}

// PutHostedSettings stores a merchant's hosted-page settings.
func (t *Tx) PutHostedSettings(ctx context.Context, hs HostedSettings) error {
	origins, err := json.Marshal(append([]string{}, hs.EmbedOrigins...))
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx,
		`INSERT INTO hosted_settings (merchant_id, embed_origins, updated_at) VALUES ($1, $2, $3)
		 ON CONFLICT (merchant_id) DO UPDATE SET embed_origins = excluded.embed_origins, updated_at = excluded.updated_at`,
		hs.MerchantID, string(origins), micros(hs.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put hosted settings: %w", err)
	}
	return nil
}
