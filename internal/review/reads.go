package review

import (
	"context"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/store"
)

// Rows the console shows as they are stored (read-only views; the console
// reaches them through this service, never through the store).
type (
	// QueueItem is a verification in the queue with its applicant's name.
	QueueItem = store.QueueItem
	// Finding is a screening finding of a verification.
	Finding = store.Finding
	// Settings are a merchant's review rules (four-eyes, SLA).
	Settings = store.ReviewSettings
	// DeliveryRow is a webhook delivery attempt with its event.
	DeliveryRow = store.DeliveryRow
	// Alert is a monitoring alert (a rescreen found a new hit).
	Alert = store.Alert
)

// Merchants returns the merchants the account sees (admins: all).
func (s *Service) Merchants(ctx context.Context, a staff.Account) ([]kyc.Merchant, error) {
	all, err := s.store.Merchants(ctx)
	if err != nil {
		return nil, err
	}
	var out []kyc.Merchant
	for _, m := range all {
		if a.CanSee(m.ID) {
			out = append(out, m)
		}
	}
	return out, nil
}

// Verification returns a verification the account may see; another
// merchant's is not found (its existence is not disclosed).
func (s *Service) Verification(ctx context.Context, a staff.Account, id string) (kyc.Verification, error) {
	return s.find(ctx, a, id)
}

// Deliveries lists the webhook deliveries of the visible merchants (or of
// one), newest first, before the delivery id before ("" from the newest);
// failedOnly keeps the failed attempts.
func (s *Service) Deliveries(ctx context.Context, a staff.Account, merchantID string, failedOnly bool, before string, limit int) ([]DeliveryRow, error) {
	if merchantID != "" && !a.CanSee(merchantID) {
		return nil, fmt.Errorf("merchant: %w", kyc.ErrNotFound)
	}
	failed := ""
	if failedOnly {
		failed = "1"
	}
	return s.store.RecentDeliveries(ctx, Scope(a), merchantID, failed, before, limit)
}

// Alerts lists the newest monitoring alerts of the visible merchants.
func (s *Service) Alerts(ctx context.Context, a staff.Account, limit int) ([]Alert, error) {
	return s.store.RecentAlerts(ctx, Scope(a), limit)
}

// VerifyAuditChain checks the hash chain of a visible merchant's audit
// trail and returns its length (an *audit.BrokenLink error names the first
// broken entry).
func (s *Service) VerifyAuditChain(ctx context.Context, a staff.Account, merchantID string) (int64, error) {
	if !a.CanSee(merchantID) {
		return 0, fmt.Errorf("merchant: %w", kyc.ErrNotFound)
	}
	return s.store.VerifyAuditChain(ctx, merchantID)
}
