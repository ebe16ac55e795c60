package applicant

import (
	"context"
	"errors"

	"github.com/openkyc/openkyc/internal/store"
)

// SealReport counts what SealExternalIDs did.
type SealReport struct {
	Sealed int   // rows whose external id is now hashed and sealed
	Failed int   // rows left as they were (their PII does not open, or their hash is taken)
	Err    error // the first row error, for the log (it names no personal data)
}

// sealBatch is how many rows SealExternalIDs reads at a time.
const sealBatch = 200

// SealExternalIDs finishes migration 00015 on rows written before it: each
// applicant whose external id is still in clear gets the id's keyed hash
// and the id sealed into its PII, and the clear column is overwritten. It
// runs at start, in batches, one transaction per row; it is idempotent and
// safe on several replicas at once (a row another process sealed or changed
// first is skipped, and picked up again at the next start if still
// unsealed). On SQLite it ends with a checkpoint, so that no copy of the
// clear ids stays in the write-ahead log. An error is returned only when
// the rows cannot be read or the checkpoint fails.
func (s *Service) SealExternalIDs(ctx context.Context) (SealReport, error) {
	var rep SealReport
	fail := func(err error) {
		rep.Failed++
		if rep.Err == nil {
			rep.Err = err
		}
	}
	after := ""
	for {
		rows, err := s.store.UnsealedApplicants(ctx, after, sealBatch)
		if err != nil {
			return rep, err
		}
		for _, u := range rows {
			after = u.ID
			if u.ExternalUserID == "" {
				fail(errors.New("applicant " + u.ID + ": no external id"))
				continue
			}
			r, err := s.sealer.OpenRecord(u.ID, u.SealedPII)
			if err != nil {
				fail(err)
				continue
			}
			r.ExternalUserID = u.ExternalUserID
			sealed, err := s.sealer.SealRecord(u.ID, r)
			if err != nil {
				fail(err)
				continue
			}
			var ok bool
			err = s.store.InTx(ctx, func(tx *store.Tx) error {
				ok, err = tx.SealExternalID(ctx, u, s.sealer.ExternalIDHash(u.MerchantID, u.Surface, u.ExternalUserID), sealed)
				return err
			})
			switch {
			case err != nil && ctx.Err() != nil:
				return rep, ctx.Err()
			case err != nil:
				fail(err)
			case ok:
				rep.Sealed++
			}
		}
		if len(rows) < sealBatch {
			if rep.Sealed > 0 {
				// SQLite: the old pages leave the write-ahead log (secure_delete
				// zeroes them in the database file).
				return rep, s.store.Checkpoint(ctx)
			}
			return rep, nil
		}
	}
}
