package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// WebhookEndpoint is a merchant's webhook receiver. Secrets are sealed.
type WebhookEndpoint struct {
	ID           string
	MerchantID   string
	URL          string
	Events       []string
	SealedSecret []byte
	SealedOld    []byte // previous secret, still signed with until OldUntil
	OldUntil     time.Time
	CreatedAt    time.Time
}

// InsertWebhookEndpoint stores an endpoint.
func (t *Tx) InsertWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error {
	events, _ := json.Marshal(nonNil(e.Events))
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO webhook_endpoints (id, merchant_id, url, events, secret, old_secret, old_secret_until, created_at)
		 VALUES ($1, $2, $3, $4, $5, NULL, 0, $6)`, e.ID, e.MerchantID, e.URL, string(events), e.SealedSecret, micros(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

// RotateWebhookSecret replaces the secret, keeping the old one until oldUntil.
func (t *Tx) RotateWebhookSecret(ctx context.Context, merchantID, id string, sealedNew, sealedOld []byte, oldUntil time.Time) error {
	ok, err := exec1(ctx, t.tx, "rotate webhook secret",
		`UPDATE webhook_endpoints SET secret = $1, old_secret = $2, old_secret_until = $3 WHERE id = $4 AND merchant_id = $5 AND deleted_at IS NULL`,
		sealedNew, sealedOld, micros(oldUntil), id, merchantID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("webhook endpoint: %w", kyc.ErrNotFound)
	}
	return nil
}

// DeleteWebhookEndpoint marks an endpoint deleted; its delivery log stays.
func (t *Tx) DeleteWebhookEndpoint(ctx context.Context, merchantID, id string, at time.Time) error {
	ok, err := exec1(ctx, t.tx, "delete webhook endpoint",
		`UPDATE webhook_endpoints SET deleted_at = $1 WHERE id = $2 AND merchant_id = $3 AND deleted_at IS NULL`, micros(at), id, merchantID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("webhook endpoint: %w", kyc.ErrNotFound)
	}
	return nil
}

const endpointCols = `id, merchant_id, url, events, secret, old_secret, old_secret_until, created_at`

func scanEndpoint(row interface{ Scan(...any) error }) (WebhookEndpoint, error) {
	var e WebhookEndpoint
	var events string
	var oldUntil, c int64
	err := row.Scan(&e.ID, &e.MerchantID, &e.URL, &events, &e.SealedSecret, &e.SealedOld, &oldUntil, &c)
	if err != nil {
		return e, err
	}
	e.OldUntil, e.CreatedAt = fromMicros(oldUntil), fromMicros(c)
	return e, json.Unmarshal([]byte(events), &e.Events)
}

// WebhookEndpointByID returns a live endpoint of the merchant.
func (r reads) WebhookEndpointByID(ctx context.Context, merchantID, id string) (WebhookEndpoint, error) {
	e, err := scanEndpoint(r.q.QueryRowContext(ctx,
		`SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND deleted_at IS NULL`, id, merchantID))
	if err != nil {
		return e, notFound(err, "webhook endpoint")
	}
	return e, nil
}

// WebhookEndpoints lists the merchant's live endpoints.
func (r reads) WebhookEndpoints(ctx context.Context, merchantID string) ([]WebhookEndpoint, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT `+endpointCols+` FROM webhook_endpoints WHERE merchant_id = $1 AND deleted_at IS NULL ORDER BY id`, merchantID)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	out := []WebhookEndpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Delivery is one attempt to deliver an event.
type Delivery struct {
	ID         string
	MerchantID string
	EndpointID string // endpoint id, or the dialect target
	EventID    string
	Attempt    int
	StatusCode int // 0 when no response
	Error      string
	Duration   time.Duration
	// ResponsePreview is the start of the receiver's answer (printable
	// text, at most 256 bytes), for the console's delivery log.
	ResponsePreview string
	CreatedAt       time.Time
}

// InsertDelivery logs a delivery attempt.
func (t *Tx) InsertDelivery(ctx context.Context, d Delivery) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO webhook_deliveries (id, merchant_id, endpoint_id, event_id, attempt, status_code, error, duration_us, created_at, response_preview)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.ID, d.MerchantID, d.EndpointID, d.EventID, d.Attempt, d.StatusCode, d.Error, d.Duration.Microseconds(), micros(d.CreatedAt), d.ResponsePreview)
	if err != nil {
		return fmt.Errorf("insert delivery: %w", err)
	}
	return nil
}

// Deliveries lists an endpoint's delivery attempts, newest first.
func (r reads) Deliveries(ctx context.Context, merchantID, endpointID string, limit int) ([]Delivery, error) {
	rows, err := r.q.QueryContext(ctx,
		`SELECT `+deliveryCols+` FROM webhook_deliveries WHERE merchant_id = $1 AND endpoint_id = $2 ORDER BY id DESC LIMIT $3`,
		merchantID, endpointID, limit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return scanDeliveries(rows)
}

const deliveryCols = `id, merchant_id, endpoint_id, event_id, attempt, status_code, error, duration_us, created_at, response_preview`

func scanDeliveries(rows *sql.Rows) ([]Delivery, error) {
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var us, at int64
		if err := rows.Scan(&d.ID, &d.MerchantID, &d.EndpointID, &d.EventID, &d.Attempt, &d.StatusCode, &d.Error, &us, &at, &d.ResponsePreview); err != nil {
			return nil, err
		}
		d.Duration, d.CreatedAt = time.Duration(us)*time.Microsecond, fromMicros(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// EventByID returns one outbox event of the merchant.
func (r reads) EventByID(ctx context.Context, merchantID, id string) (kyc.Event, error) {
	var e kyc.Event
	var payload string
	var at int64
	var delivered sql.NullInt64
	err := r.q.QueryRowContext(ctx,
		`SELECT id, merchant_id, type, subject_id, payload, created_at, delivered_at, attempts FROM outbox_events WHERE id = $1 AND merchant_id = $2`,
		id, merchantID).Scan(&e.ID, &e.MerchantID, &e.Type, &e.SubjectID, &payload, &at, &delivered, &e.Attempts)
	if err != nil {
		return e, notFound(err, "event")
	}
	e.Payload, e.CreatedAt, e.DeliveredAt = []byte(payload), fromMicros(at), fromNullMicros(delivered)
	return e, nil
}

// InsertJobs enqueues jobs in a transaction of their own.
func (s *Store) InsertJobs(ctx context.Context, jobs ...Job) error {
	return s.InTx(ctx, func(tx *Tx) error {
		for _, j := range jobs {
			if err := tx.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}
