package store

import (
	"context"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// BlocklistEntry is one blocked value of a merchant. The value is stored
// sealed; matching uses the keyed hash of its normalised form.
type BlocklistEntry struct {
	ID          string
	MerchantID  string
	Kind        string
	ValueHash   string
	SealedValue []byte
	Note        string
	CreatedAt   time.Time
}

// InsertBlocklistEntry adds an entry; an existing (kind, value) is a conflict.
func (t *Tx) InsertBlocklistEntry(ctx context.Context, e BlocklistEntry) error {
	ok, err := exec1(ctx, t.tx, "insert blocklist entry",
		`INSERT INTO blocklist_entries (id, merchant_id, kind, value_hash, value, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		e.ID, e.MerchantID, e.Kind, e.ValueHash, e.SealedValue, e.Note, micros(e.CreatedAt))
	if err != nil {
		return err
	}
	if !ok {
		return kyc.Conflict("blocklist_entry_exists", "this value is already on the %s blocklist", e.Kind)
	}
	return nil
}

// DeleteBlocklistEntry removes an entry of the merchant.
func (t *Tx) DeleteBlocklistEntry(ctx context.Context, merchantID, id string) error {
	ok, err := exec1(ctx, t.tx, "delete blocklist entry", `DELETE FROM blocklist_entries WHERE id = $1 AND merchant_id = $2`, id, merchantID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("blocklist entry: %w", kyc.ErrNotFound)
	}
	return nil
}

// BlocklistEntries lists the merchant's entries, oldest first.
func (r reads) BlocklistEntries(ctx context.Context, merchantID string) ([]BlocklistEntry, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT id, merchant_id, kind, value_hash, value, note, created_at FROM blocklist_entries WHERE merchant_id = $1 ORDER BY id`, merchantID)
	if err != nil {
		return nil, fmt.Errorf("list blocklist: %w", err)
	}
	defer rows.Close()
	out := []BlocklistEntry{}
	for rows.Next() {
		var e BlocklistEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.MerchantID, &e.Kind, &e.ValueHash, &e.SealedValue, &e.Note, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// BlocklistHas reports whether the merchant's list of kind holds the hash.
func (r reads) BlocklistHas(ctx context.Context, merchantID, kind, hash string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM blocklist_entries WHERE merchant_id = $1 AND kind = $2 AND value_hash = $3`,
		merchantID, kind, hash).Scan(&n)
	return n > 0, err
}
