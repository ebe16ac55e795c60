package store

import (
	"context"
	"fmt"
	"time"
)

// LevelRecord is a merchant's stored level (JSON body) with its version.
type LevelRecord struct {
	MerchantID string
	Name       string
	Version    int
	Body       []byte
	UpdatedAt  time.Time
}

// PutLevel stores a level, bumping its version, and returns the new version.
func (t *Tx) PutLevel(ctx context.Context, merchantID, name string, body []byte, at time.Time) (int, error) {
	var v int
	err := t.tx.QueryRowContext(ctx,
		`INSERT INTO levels (merchant_id, name, version, body, updated_at) VALUES ($1, $2, 1, $3, $4)
		 ON CONFLICT (merchant_id, name) DO UPDATE SET version = levels.version + 1, body = excluded.body, updated_at = excluded.updated_at
		 RETURNING version`, merchantID, name, string(body), micros(at)).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("put level: %w", err)
	}
	return v, nil
}

// LevelByName returns a merchant's stored level.
func (r reads) LevelByName(ctx context.Context, merchantID, name string) (LevelRecord, error) {
	rec := LevelRecord{MerchantID: merchantID, Name: name}
	var body string
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT version, body, updated_at FROM levels WHERE merchant_id = $1 AND name = $2`, merchantID, name).
		Scan(&rec.Version, &body, &at)
	if err != nil {
		return rec, notFound(err, "level")
	}
	rec.Body, rec.UpdatedAt = []byte(body), fromMicros(at)
	return rec, nil
}

// Levels lists a merchant's stored levels by name.
func (r reads) Levels(ctx context.Context, merchantID string) ([]LevelRecord, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT name, version, body, updated_at FROM levels WHERE merchant_id = $1 ORDER BY name`, merchantID)
	if err != nil {
		return nil, fmt.Errorf("list levels: %w", err)
	}
	defer rows.Close()
	var out []LevelRecord
	for rows.Next() {
		rec := LevelRecord{MerchantID: merchantID}
		var body string
		var at int64
		if err := rows.Scan(&rec.Name, &rec.Version, &body, &at); err != nil {
			return nil, err
		}
		rec.Body, rec.UpdatedAt = []byte(body), fromMicros(at)
		out = append(out, rec)
	}
	return out, rows.Err()
}
