package applicant

import (
	"context"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Retention bounds, in days.
const (
	maxRetentionDays = 36500
	maxRestoreDays   = 365
)

// RetentionSettings are a merchant's retention rules (how long documents and
// personal data are kept after a decision).
type RetentionSettings = store.RetentionSettings

// Retention returns the merchant's retention settings.
func (s *Service) Retention(ctx context.Context, p kyc.Principal) (RetentionSettings, error) {
	return s.store.RetentionOf(ctx, p.MerchantID)
}

// SetRetention validates and stores the merchant's retention settings.
func (s *Service) SetRetention(ctx context.Context, p kyc.Principal, rs RetentionSettings) (RetentionSettings, error) {
	for _, f := range []struct {
		name string
		v    int
		max  int
	}{{"documents_days", rs.DocumentsDays, maxRetentionDays}, {"pii_days", rs.PIIDays, maxRetentionDays}, {"restore_days", rs.RestoreDays, maxRestoreDays}} {
		if f.v < 0 || f.v > f.max {
			return rs, kyc.Invalid(f.name, "range", "%s must be between 0 and %d", f.name, f.max)
		}
	}
	if rs.PIIDays > 0 && rs.DocumentsDays > rs.PIIDays {
		return rs, kyc.Invalid("documents_days", "range", "documents_days must not exceed pii_days: the purge removes the documents too")
	}
	rs.MerchantID, rs.UpdatedAt = p.MerchantID, s.clock()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutRetention(ctx, rs); err != nil {
			return err
		}
		return tx.Audit(ctx, p, rs.UpdatedAt, "retention.update", "merchant", p.MerchantID, map[string]int{
			"documents_days": rs.DocumentsDays, "pii_days": rs.PIIDays, "restore_days": rs.RestoreDays})
	})
	return rs, err
}
