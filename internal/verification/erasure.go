package verification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// errNotDeleted refuses a restore or purge of a live applicant.
var errNotDeleted = kyc.Conflict("applicant_not_deleted", "the applicant is not deleted")

// Applicant events: what the merchant's webhooks hear about data
// protection (the retention job acts without the merchant asking).
const (
	EventApplicantDeleted         = "applicant.deleted"
	EventApplicantRestored        = "applicant.restored"
	EventApplicantErased          = "applicant.erased"
	EventApplicantDocumentsErased = "applicant.documents_erased"
)

// ApplicantEventPayload is the body of an applicant event.
type ApplicantEventPayload struct {
	ApplicantID string `json:"applicant_id"`
	// By is who acted: "merchant" (API), "staff" (console), "retention".
	By         string     `json:"by"`
	PurgeAfter *time.Time `json:"purge_after,omitempty"`
	// Documents counts the documents deleted (documents_erased, erased).
	Documents *int64 `json:"documents,omitempty"`
}

// emitApplicant writes an applicant event and enqueues its dispatch, in the
// caller's transaction.
func emitApplicant(ctx context.Context, tx *store.Tx, p kyc.Principal, typ string, at time.Time, payload ApplicantEventPayload) error {
	switch {
	case strings.HasPrefix(p.Actor, "system:retention"):
		payload.By = "retention"
	case strings.HasPrefix(p.Actor, "reviewer:"):
		payload.By = "staff"
	default:
		payload.By = "merchant"
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	return publish(ctx, tx, p.MerchantID, typ, payload.ApplicantID, b, at)
}

// BiometricKinds are the documents a biometric deletion removes, with the
// face embeddings made from them.
var BiometricKinds = []kyc.DocumentKind{kyc.DocSelfie, kyc.DocSelfieWithID, kyc.DocLivenessFrame}

// openStates are the verification states a deletion cancels.
var openStates = []kyc.State{kyc.StateCreated, kyc.StateSubmitted, kyc.StateProcessing, kyc.StateReview}

// deleteApplicant is Erasure.DeleteApplicant.
func (s *Service) deleteApplicant(ctx context.Context, p kyc.Principal, id string, immediate bool) (kyc.Applicant, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, id) {
		return kyc.Applicant{}, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	rs, err := s.store.RetentionOf(ctx, p.MerchantID)
	if err != nil {
		return kyc.Applicant{}, err
	}
	now := s.clock()
	purgeAfter := now.AddDate(0, 0, rs.RestoreDays)
	if immediate {
		purgeAfter = now
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		a, _, err := tx.ApplicantByID(ctx, p.MerchantID, id)
		if err != nil {
			return err
		}
		if a.Deleted() {
			return nil
		}
		return s.markDeleted(ctx, tx, p, a, now, purgeAfter, immediate)
	})
	if err != nil {
		return kyc.Applicant{}, err
	}
	s.faces.forget(p.MerchantID)
	if immediate {
		if err := s.purgeApplicant(ctx, p, id); err != nil {
			return kyc.Applicant{}, err
		}
		if err := s.store.Checkpoint(ctx); err != nil {
			return kyc.Applicant{}, err
		}
	}
	return s.applicants.Get(ctx, p, id)
}

// markDeleted cancels the applicant's open verifications and marks it
// deleted, in the caller's transaction.
func (s *Service) markDeleted(ctx context.Context, tx *store.Tx, p kyc.Principal, a kyc.Applicant, now, purgeAfter time.Time, immediate bool) error {
	vs, err := tx.VerificationsOfApplicant(ctx, p.MerchantID, a.ID, 1000)
	if err != nil {
		return err
	}
	cancelled := 0
	for _, v := range vs {
		if !slices.Contains(openStates, v.State) {
			continue
		}
		if _, _, err := s.applyTx(ctx, tx, p, now, v.ID, Event{Action: ActCancel, Reasons: []string{"applicant_deleted"}}, nil); err != nil {
			return err
		}
		cancelled++
	}
	ok, err := tx.MarkApplicantDeleted(ctx, p.MerchantID, a.ID, now, purgeAfter)
	if err != nil {
		return err
	}
	if !ok {
		return applicant.ErrDeleted
	}
	if err := record(ctx, tx, p, now, "applicant.delete", "applicant", a.ID, map[string]any{
		"purge_after": purgeAfter, "immediate": immediate, "cancelled_verifications": cancelled}); err != nil {
		return err
	}
	return emitApplicant(ctx, tx, p, EventApplicantDeleted, now, ApplicantEventPayload{ApplicantID: a.ID, PurgeAfter: &purgeAfter})
}

// restoreApplicant is Erasure.RestoreApplicant.
func (s *Service) restoreApplicant(ctx context.Context, p kyc.Principal, id string) (kyc.Applicant, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, id) {
		return kyc.Applicant{}, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	now := s.clock()
	var out kyc.Applicant
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		a, sealed, err := tx.ApplicantByID(ctx, p.MerchantID, id)
		if err != nil {
			return err
		}
		if a.Erased() {
			return kyc.Conflict("applicant_erased", "the applicant was purged and cannot be restored")
		}
		if !a.Deleted() {
			return errNotDeleted
		}
		if a, err = s.sealer.Open(a, sealed); err != nil {
			return err
		}
		s.sealer.Hashes(&a)
		ok, err := tx.RestoreApplicant(ctx, a, now)
		if err != nil {
			return err
		}
		if !ok {
			return errNotDeleted
		}
		a.DeletedAt, a.PurgeAfter, a.UpdatedAt = nil, nil, now
		out = a
		if err := record(ctx, tx, p, now, "applicant.restore", "applicant", a.ID, nil); err != nil {
			return err
		}
		return emitApplicant(ctx, tx, p, EventApplicantRestored, now, ApplicantEventPayload{ApplicantID: a.ID})
	})
	return out, err
}

// purgeApplicant is Erasure.PurgeApplicant.
func (s *Service) purgeApplicant(ctx context.Context, p kyc.Principal, id string) error {
	a, _, err := s.store.ApplicantByID(ctx, p.MerchantID, id)
	if err != nil {
		return err
	}
	if a.Erased() {
		return nil
	}
	if !a.Deleted() {
		return errNotDeleted // deleted applicants take no new documents; live ones might
	}
	docs, err := s.store.DocumentsByApplicant(ctx, p.MerchantID, id)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if err := s.blobs.Delete(ctx, d.BlobKey); err != nil {
			return fmt.Errorf("purge document %s: %w", d.ID, err)
		}
	}
	// Everything else under the applicant too: the blobs and partial files
	// of uploads a crash left unrecorded. The applicant is deleted, so no
	// upload in flight can record a document any more (it deletes its own
	// blob, or the upload reaper does).
	if _, err := s.blobs.DeletePrefix(ctx, applicant.BlobPrefix(p.MerchantID, id)); err != nil {
		return fmt.Errorf("purge documents: %w", err)
	}
	now := s.clock()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		n, ok, err := tx.EraseApplicant(ctx, p.MerchantID, id, now)
		if err != nil || !ok {
			return err
		}
		if err := record(ctx, tx, p, now, "applicant.erase", "applicant", id, map[string]any{
			"documents": n.Documents, "face_embeddings": n.Faces, "checks_scrubbed": n.Checks, "notes": n.Notes,
			"hosted_links": n.Links, "screening_alerts": n.Screening, "stored_replies": n.Replies}); err != nil {
			return err
		}
		return emitApplicant(ctx, tx, p, EventApplicantErased, now, ApplicantEventPayload{ApplicantID: id, Documents: &n.Documents})
	})
	if err != nil {
		return err
	}
	s.faces.forget(p.MerchantID)
	return nil
}

// eraseBiometrics is Erasure.EraseBiometrics.
func (s *Service) eraseBiometrics(ctx context.Context, p kyc.Principal, id string) (int64, error) {
	return s.eraseDocuments(ctx, p, id, BiometricKinds, "applicant.biometrics_erase")
}

// eraseDocuments deletes an applicant's documents of the kinds (nil: all)
// and its face embeddings, blobs first.
func (s *Service) eraseDocuments(ctx context.Context, p kyc.Principal, id string, kinds []kyc.DocumentKind, action string) (int64, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, id) {
		return 0, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	a, _, err := s.store.ApplicantByID(ctx, p.MerchantID, id)
	if err != nil {
		return 0, err
	}
	if a.Erased() {
		return 0, nil
	}
	docs, err := s.store.DocumentsByApplicant(ctx, p.MerchantID, id)
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, d := range docs {
		if kinds != nil && !slices.Contains(kinds, d.Kind) {
			continue
		}
		if err := s.blobs.Delete(ctx, d.BlobKey); err != nil {
			return 0, fmt.Errorf("delete document %s: %w", d.ID, err)
		}
		ids = append(ids, d.ID)
	}
	if kinds == nil {
		// Unrecorded uploads a crash left (older than any upload in flight).
		if err := s.erasePending(ctx, p.MerchantID, id); err != nil {
			return 0, err
		}
	}
	now := s.clock()
	var out int64
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.DeleteDocuments(ctx, p.MerchantID, id, ids, kinds == nil, now)
		if err != nil {
			return err
		}
		out = n
		if err := record(ctx, tx, p, now, action, "applicant", id, map[string]any{"documents": n, "document_ids": ids}); err != nil {
			return err
		}
		return emitApplicant(ctx, tx, p, EventApplicantDocumentsErased, now, ApplicantEventPayload{ApplicantID: id, Documents: &n})
	})
	if err != nil {
		return out, err
	}
	s.faces.forget(p.MerchantID)
	return out, nil
}

// erasePending deletes an applicant's uploads that a crash left unrecorded
// (pending for longer than applicant.UploadGrace; younger ones may still be recorded).
func (s *Service) erasePending(ctx context.Context, merchantID, applicantID string) error {
	us, err := s.store.PendingUploadsOf(ctx, merchantID, applicantID)
	if err != nil {
		return err
	}
	for _, u := range us {
		if s.clock().Sub(u.CreatedAt) < applicant.UploadGrace {
			continue
		}
		if _, err := s.blobs.DeletePrefix(ctx, u.BlobKey); err != nil {
			return fmt.Errorf("delete unrecorded upload: %w", err)
		}
		if err := s.store.DeletePendingUpload(ctx, u.BlobKey); err != nil {
			return err
		}
	}
	return nil
}

// RetentionReport counts what a retention run did.
type RetentionReport struct {
	Purged, DocumentsErased int
	Errors                  int
}

// retentionBatch bounds each query of a retention run; a run goes on
// until nothing is due or retentionBatches batches ran.
const (
	retentionBatch   = 100
	retentionBatches = 10
)

// runRetention is Erasure.RunRetention.
func (s *Service) runRetention(ctx context.Context, log *slog.Logger) (RetentionReport, error) {
	var rep RetentionReport
	now := s.clock()
	fail := func(what, merchantID, id string, err error) {
		rep.Errors++
		log.Warn("retention step failed", "step", what, "merchant_id", merchantID, "applicant_id", id, "error", err)
	}
	for range retentionBatches {
		due, err := s.store.DuePurges(ctx, now, retentionBatch)
		if err != nil {
			return rep, err
		}
		before := rep.Errors
		for _, r := range due {
			if err := s.purgeApplicant(ctx, kyc.Principal{MerchantID: r.MerchantID, Actor: "system:retention"}, r.ID); err != nil {
				fail("purge", r.MerchantID, r.ID, err)
				continue
			}
			rep.Purged++
		}
		if len(due) < retentionBatch || rep.Errors > before {
			break
		}
	}
	policies, err := s.store.RetentionPolicies(ctx)
	if err != nil {
		return rep, err
	}
	for _, rs := range policies {
		p := kyc.Principal{MerchantID: rs.MerchantID, Actor: "system:retention"}
		if rs.PIIDays > 0 {
			n, err := s.retire(ctx, p, now.AddDate(0, 0, -rs.PIIDays), false, func(id string) error {
				err := s.store.InTx(ctx, func(tx *store.Tx) error {
					a, _, err := tx.ApplicantByID(ctx, p.MerchantID, id)
					if err != nil || a.Deleted() {
						return err
					}
					return s.markDeleted(ctx, tx, p, a, now, now, true)
				})
				if err != nil {
					return err
				}
				return s.purgeApplicant(ctx, p, id)
			}, fail)
			rep.Purged += n
			if err != nil {
				return rep, err
			}
		}
		if rs.DocumentsDays > 0 {
			n, err := s.retire(ctx, p, now.AddDate(0, 0, -rs.DocumentsDays), true, func(id string) error {
				_, err := s.eraseDocuments(ctx, p, id, nil, "applicant.documents_expire")
				return err
			}, fail)
			rep.DocumentsErased += n
			if err != nil {
				return rep, err
			}
		}
	}
	if rep.Purged+rep.DocumentsErased > 0 {
		if err := s.store.Checkpoint(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// retire applies fn to the merchant's applicants whose retention ended at
// cutoff, batch by batch.
func (s *Service) retire(ctx context.Context, p kyc.Principal, cutoff time.Time, documents bool, fn func(id string) error,
	fail func(what, merchantID, id string, err error)) (int, error) {
	done := 0
	what := "retention purge"
	if documents {
		what = "document retention"
	}
	for range retentionBatches {
		refs, err := s.store.RetentionDue(ctx, p.MerchantID, cutoff, documents, retentionBatch)
		if err != nil {
			return done, err
		}
		failed := false
		for _, r := range refs {
			if err := fn(r.ID); err != nil {
				if errors.Is(err, context.Canceled) {
					return done, err
				}
				fail(what, r.MerchantID, r.ID, err)
				failed = true
				continue
			}
			done++
		}
		if len(refs) < retentionBatch || failed {
			break
		}
	}
	return done, nil
}

// Erasure deletes, restores and purges applicants, erases their documents
// and biometrics and applies retention. It lives beside the lifecycle
// because a deletion cancels the applicant's open verifications in the
// same transaction.
type Erasure struct{ s *Service }

// NewErasure is the erasure side of s.
func NewErasure(s *Service) *Erasure { return &Erasure{s: s} }

// DeleteApplicant records a deletion request. The applicant leaves the
// duplicate and face searches at once, its open verifications are
// cancelled (their events fire as usual), and it is purged when the
// merchant's restore window ends; immediate purges now. Deleting a deleted
// applicant again changes nothing (unless immediate).
func (e *Erasure) DeleteApplicant(ctx context.Context, p kyc.Principal, id string, immediate bool) (kyc.Applicant, error) {
	return e.s.deleteApplicant(ctx, p, id, immediate)
}

// RestoreApplicant undoes a deletion before the purge: the applicant joins
// the duplicate searches again (its face embeddings were deleted with the
// request and come back only with new selfies). Cancelled verifications
// stay cancelled.
func (e *Erasure) RestoreApplicant(ctx context.Context, p kyc.Principal, id string) (kyc.Applicant, error) {
	return e.s.restoreApplicant(ctx, p, id)
}

// PurgeApplicant erases a deleted applicant now: the document blobs first,
// then in one transaction every row of its data (store.EraseApplicant),
// leaving the tombstone. It is safe to repeat and to run on several
// replicas at once.
func (e *Erasure) PurgeApplicant(ctx context.Context, p kyc.Principal, id string) error {
	return e.s.purgeApplicant(ctx, p, id)
}

// EraseBiometrics deletes an applicant's selfies, selfie-with-id photos and
// liveness frames and its face embeddings; the rest of its data stays.
func (e *Erasure) EraseBiometrics(ctx context.Context, p kyc.Principal, id string) (int64, error) {
	return e.s.eraseBiometrics(ctx, p, id)
}

// RunRetention purges deleted applicants whose restore window ended, and
// applies each merchant's retention settings: documents and biometrics
// deleted DocumentsDays after the last decision, applicants purged
// PIIDays after it. Failures are logged (without personal data) and retried
// on the next run.
func (e *Erasure) RunRetention(ctx context.Context, log *slog.Logger) (RetentionReport, error) {
	return e.s.runRetention(ctx, log)
}
