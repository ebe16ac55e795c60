package verification

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/jobs"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
	"github.com/openkyc/openkyc/internal/store"
)

// DefaultLevel is the verification level used when none is given.
const DefaultLevel = "basic"

var levelRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// CreateInput starts a verification.
type CreateInput struct {
	ApplicantID string
	Reference   string
	Level       string
	CallbackURL string // dialects: where their callbacks go (validated by the caller)
	// Notes are facts the surface noticed about its input that did not
	// refuse it (no personal data: "phone_valid": "false"); they join the
	// verification.create audit entry, which reviewers see in the case.
	Notes map[string]string
}

// Create starts a verification of an applicant in state created.
func (s *Service) Create(ctx context.Context, p kyc.Principal, surface kyc.Surface, in CreateInput) (kyc.Verification, error) {
	if in.ApplicantID == "" {
		return kyc.Verification{}, kyc.Invalid("applicant_id", "required", "applicant_id is required")
	}
	ref, err := pii.ExternalID("reference", in.Reference)
	if err != nil {
		return kyc.Verification{}, err
	}
	level := in.Level
	if level == "" {
		level = DefaultLevel
	}
	if !levelRE.MatchString(level) {
		return kyc.Verification{}, kyc.Invalid("level", "format", "level must be 1-64 characters of a-z, 0-9, '_', '.', '-'")
	}
	if _, err := s.levels.Get(ctx, p.MerchantID, level); err != nil {
		return kyc.Verification{}, err
	}
	now := s.clock()
	v := kyc.Verification{ID: kyc.NewID(kyc.PrefixVerification), MerchantID: p.MerchantID, ApplicantID: in.ApplicantID, Surface: surface,
		Reference: ref, Level: level, State: kyc.StateCreated, Reasons: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now,
		CallbackURL: in.CallbackURL}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if !kyc.ValidID(kyc.PrefixApplicant, in.ApplicantID) {
			return kyc.NotFoundField("applicant_id", "no applicant with this id")
		}
		a, sealed, err := tx.ApplicantByID(ctx, p.MerchantID, in.ApplicantID)
		if kyc.IsNotFound(err) {
			return kyc.NotFoundField("applicant_id", "no applicant with this id")
		} else if err != nil {
			return err
		} else if a.Deleted() {
			return applicant.ErrDeleted
		}
		if a, err = s.sealer.Open(a, sealed); err != nil {
			return err
		}
		v.Country = cmp.Or(a.PII.DocumentCountry, a.PII.Nationality)
		if err := tx.InsertVerification(ctx, v); err != nil {
			return err
		}
		detail := map[string]string{"surface": string(surface), "level": level, "applicant_id": v.ApplicantID}
		for k, val := range in.Notes {
			if _, taken := detail[k]; !taken {
				detail[k] = val
			}
		}
		if err := record(ctx, tx, p, now, "verification.create", "verification", v.ID, detail); err != nil {
			return err
		}
		if err := tx.AddCounts(ctx, v.ID, []store.Count{{MerchantID: v.MerchantID, Day: store.Day(now), Level: v.Level,
			Surface: string(v.Surface), Country: v.Country, Metric: analytics.MetricCreated, N: 1}}); err != nil {
			return err
		}
		if err := applicant.CountDocumented(ctx, tx, v.MerchantID, v.ApplicantID, v.ID, now); err != nil {
			return err
		}
		return emit(ctx, tx, v)
	})
	return v, err
}

// EventPayload is the body of the outbox event a verification change emits.
type EventPayload struct {
	VerificationID string         `json:"verification_id"`
	ApplicantID    string         `json:"applicant_id"`
	Reference      string         `json:"reference"`
	Surface        kyc.Surface    `json:"surface"`
	State          kyc.State      `json:"state"`
	Decision       kyc.Decision   `json:"decision,omitempty"`
	RejectType     kyc.RejectType `json:"reject_type,omitempty"`
	Reasons        []string       `json:"reasons"`
	UserMessage    string         `json:"user_message,omitempty"`
	Attempt        int            `json:"attempt"`
	Version        int            `json:"version"`
}

// EventResubmissionRequested tells the merchant that the user may try again.
const EventResubmissionRequested = "verification.resubmission_requested"

// emit writes the outbox event of v's new state (and the resubmission event
// after a retry rejection) and enqueues their dispatch, in the caller's
// transaction.
func emit(ctx context.Context, tx *store.Tx, v kyc.Verification) error {
	payload, err := json.Marshal(EventPayload{VerificationID: v.ID, ApplicantID: v.ApplicantID, Reference: v.Reference, Surface: v.Surface,
		State: v.State, Decision: v.Decision, RejectType: v.RejectType, Reasons: v.Reasons, UserMessage: v.UserMessage,
		Attempt: v.Attempt, Version: v.Version})
	if err != nil {
		return err
	}
	types := []string{EventType(v.State)}
	if v.State == kyc.StateCompleted && v.RejectType == kyc.RejectRetry {
		types = append(types, EventResubmissionRequested)
	}
	for _, typ := range types {
		if err := publish(ctx, tx, v.MerchantID, typ, v.ID, payload, v.UpdatedAt); err != nil {
			return err
		}
	}
	return nil
}

// publish writes an outbox event and enqueues its dispatch to the
// merchant's webhooks, in the caller's transaction: the one way an event
// leaves the core.
func publish(ctx context.Context, tx *store.Tx, merchantID, typ, subjectID string, payload []byte, at time.Time) error {
	e := kyc.Event{ID: kyc.NewID(kyc.PrefixEvent), MerchantID: merchantID, Type: typ, SubjectID: subjectID, Payload: payload, CreatedAt: at}
	if err := tx.InsertEvent(ctx, e); err != nil {
		return err
	}
	return tx.InsertJob(ctx, jobs.New("job_dispatch_"+e.ID, jobs.KindDispatch, merchantID, e.ID, nil, at))
}

// Apply performs one lifecycle action on a verification: the pure transition,
// the row update (optimistic on version), the decision record when deciding,
// the audit entry and the outbox event, all in one transaction.
func (s *Service) Apply(ctx context.Context, p kyc.Principal, id string, ev Event) (kyc.Verification, error) {
	return s.ApplyWithin(ctx, p, id, ev, nil)
}

// Within is a caller's own writes that must commit with a transition or
// not at all: monitoring's alerts with the reopening, the review's claim
// and four-eyes proposal ending with the decision. It runs in the
// transition's transaction after the audit entry and before the outbox
// event; an error rolls the whole change back.
type Within func(ctx context.Context, tx *store.Tx, next kyc.Verification) error

// ApplyWithin is Apply with the caller's writes in the same transaction
// (nil: none). The Event stays a plain request; what else commits with it
// is said here.
func (s *Service) ApplyWithin(ctx context.Context, p kyc.Principal, id string, ev Event, within Within) (kyc.Verification, error) {
	if !kyc.ValidID(kyc.PrefixVerification, id) {
		return kyc.Verification{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	now := s.clock()
	var out, prev kyc.Verification
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, prev, err = s.applyTx(ctx, tx, p, now, id, ev, within)
		return err
	})
	if err == nil {
		s.metrics.observe(prev, out, ev, now)
	}
	return out, err
}

// applyTx is Apply inside the caller's transaction; it returns the
// verification after the change and as it was before.
func (s *Service) applyTx(ctx context.Context, tx *store.Tx, p kyc.Principal, now time.Time, id string, ev Event, within Within) (next, prev kyc.Verification, err error) {
	v, err := tx.VerificationByID(ctx, p.MerchantID, id)
	if err != nil {
		return v, v, err
	}
	next, err = s.applyRead(ctx, tx, p, now, v, ev, within)
	return next, v, err
}

// applyRead applies ev to v, read in tx.
func (s *Service) applyRead(ctx context.Context, tx *store.Tx, p kyc.Principal, now time.Time, v kyc.Verification, ev Event, within Within) (kyc.Verification, error) {
	next, err := Transition(v, ev)
	if err != nil {
		return v, err
	}
	next.UpdatedAt = now
	if err := tx.UpdateVerification(ctx, next, v.Version); err != nil {
		return next, err
	}
	data := map[string]any{"from": v.State, "to": next.State}
	checkIDs := append([]string(nil), ev.UsedChecks...)
	for _, c := range ev.Checks {
		if err := tx.InsertCheck(ctx, c); err != nil {
			return next, err
		}
		checkIDs = append(checkIDs, c.ID)
	}
	if len(checkIDs) > 0 {
		data["check_ids"] = checkIDs
	}
	if next.State == kyc.StateSubmitted {
		// The checks run in the background; the job commits with the submission.
		job := jobs.New(fmt.Sprintf("job_verify_%s_%d", v.ID, next.Attempt), jobs.KindVerify, v.MerchantID, v.ID, nil, now)
		if err := tx.InsertJob(ctx, job); err != nil {
			return next, err
		}
		data["attempt"] = next.Attempt
	}
	if ev.Action == ActDecide {
		note, err := s.keys.Seal([]byte(ev.Note), []byte("decision-note:"+v.ID))
		if err != nil {
			return next, err
		}
		decID := kyc.NewID(kyc.PrefixDecision)
		if err := tx.InsertDecision(ctx, store.DecisionRecord{ID: decID, MerchantID: v.MerchantID, VerificationID: v.ID,
			Decision: next.Decision, RejectType: next.RejectType, Reasons: next.Reasons, UserMessage: next.UserMessage,
			SealedNote: note, DecidedBy: next.DecidedBy, CheckIDs: checkIDs, LevelVersion: ev.LevelVersion, CreatedAt: now}); err != nil {
			return next, err
		}
		data["decision"], data["reject_type"], data["reasons"], data["decided_by"], data["decision_id"] =
			next.Decision, next.RejectType, next.Reasons, next.DecidedBy, decID
		if len(ev.Unchecked) > 0 {
			data["not_checked"] = ev.Unchecked
		}
	}
	if ev.Action == ActReview && len(ev.ReviewDetail) > 0 {
		data["review_reasons"] = ev.ReviewDetail
	}
	if err := record(ctx, tx, p, now, "verification."+string(ev.Action), "verification", v.ID, data); err != nil {
		return next, err
	}
	if within != nil {
		if err := within(ctx, tx, next); err != nil {
			return next, err
		}
	}
	if err := tx.AddCounts(ctx, v.ID, countsOf(v, next, ev, now)); err != nil {
		return next, err
	}
	return next, emit(ctx, tx, next)
}

// Submit moves a verification from created to submitted, or submits it
// again after a retry rejection (within its level's attempt cap).
func (s *Service) Submit(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error) {
	if !kyc.ValidID(kyc.PrefixVerification, id) {
		return kyc.Verification{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	v, err := s.store.VerificationByID(ctx, p.MerchantID, id)
	if err != nil {
		return v, err
	}
	if v.State != kyc.StateCompleted {
		return s.Apply(ctx, p, id, Event{Action: ActSubmit})
	}
	level, err := s.levels.Get(ctx, p.MerchantID, v.Level)
	if err != nil {
		return v, err
	}
	return s.Apply(ctx, p, id, Event{Action: ActResubmit, MaxAttempts: level.MaxAttempts})
}

// Get returns a verification with its check results.
func (s *Service) Get(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, []kyc.Check, error) {
	if !kyc.ValidID(kyc.PrefixVerification, id) {
		return kyc.Verification{}, nil, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	return s.store.VerificationWithChecks(ctx, p.MerchantID, id)
}

// ListInput selects a page of verifications.
type ListInput struct {
	State  string
	Cursor string
	Limit  int
}

// Page is one page of verifications; NextCursor is empty on the last page.
type Page struct {
	Items      []kyc.Verification
	NextCursor string
}

// List returns the merchant's verifications, newest first.
func (s *Service) List(ctx context.Context, p kyc.Principal, in ListInput) (Page, error) {
	st := kyc.State(in.State)
	if st != "" && !st.Valid() {
		return Page{}, kyc.Invalid("state", "enum", "state must be one of created, submitted, processing, review, completed, expired, cancelled")
	}
	if in.Cursor != "" && !kyc.ValidID(kyc.PrefixVerification, in.Cursor) {
		return Page{}, kyc.Invalid("cursor", "format", "cursor must be a next_cursor value from a previous page")
	}
	limit := in.Limit
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > 200 {
		return Page{}, kyc.Invalid("limit", "range", "limit must be between 1 and 200")
	}
	items, err := s.store.ListVerifications(ctx, store.VerificationFilter{MerchantID: p.MerchantID, State: st, Before: in.Cursor, Limit: limit + 1})
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = items[limit-1].ID
	}
	return page, nil
}

// ByReference returns the merchant's verification with this reference on a surface.
func (s *Service) ByReference(ctx context.Context, p kyc.Principal, surface kyc.Surface, reference string) (kyc.Verification, error) {
	return s.store.CachedVerificationByReference(ctx, p.MerchantID, surface, reference)
}

// Latest returns an applicant's newest verification.
func (s *Service) Latest(ctx context.Context, p kyc.Principal, applicantID string) (kyc.Verification, error) {
	return s.store.LatestVerificationOfApplicant(ctx, p.MerchantID, applicantID)
}

// ByID returns a verification of the merchant (no checks).
func (s *Service) ByID(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error) {
	return s.store.VerificationByID(ctx, p.MerchantID, id)
}

// LatestByExternalID returns the newest verification of the applicant with
// this external id on a surface (status queries of dialects).
func (s *Service) LatestByExternalID(ctx context.Context, p kyc.Principal, surface kyc.Surface, externalID string) (kyc.Verification, error) {
	return s.store.LatestVerificationByExternalID(ctx, p.MerchantID, surface, s.sealer.ExternalIDHash(p.MerchantID, surface, externalID))
}
