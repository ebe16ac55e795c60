// Package review holds the review console's use cases: the queue, claiming
// and assigning cases, the audited case view, decisions with the optional
// four-eyes rule, and screening-hit resolution. Every call takes the staff
// account and reaches only the merchants it may see; decisions go through
// verification.Service.Apply, so events and dialect callbacks fire exactly
// as for the policy's decisions.
package review

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/verification"
)

// Four-eyes rules of a merchant.
const (
	FourEyesOff   = "off"   // one reviewer decides
	FourEyesFinal = "final" // a final rejection needs a second reviewer
	FourEyesAll   = "all"   // every decision needs a second reviewer
)

// Service is the console's use cases.
type Service struct {
	store      *store.Store
	ver        *verification.Service
	applicants *applicant.Service
	keys       *crypto.Keyring
	screener   *screening.Screener
	now        func() time.Time
}

// New returns the service; screener may be nil (no lists).
func New(s *store.Store, v *verification.Service, ap *applicant.Service, keys *crypto.Keyring, screener *screening.Screener) *Service {
	return &Service{store: s, ver: v, applicants: ap, keys: keys, screener: screener, now: time.Now}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Scope is the merchants an account sees.
func Scope(a staff.Account) store.Scope {
	return store.Scope{All: a.Role == staff.RoleAdmin, Merchants: a.Merchants}
}

// Actor is the account's name in the audit trail and in decided_by.
func Actor(a staff.Account) string { return "reviewer:" + a.ID }

func principal(a staff.Account, merchantID string) kyc.Principal {
	return kyc.Principal{MerchantID: merchantID, Actor: Actor(a)}
}

// mayDecide refuses auditors.
func mayDecide(a staff.Account) error {
	if a.Role == staff.RoleAuditor {
		return fmt.Errorf("auditors read only: %w", kyc.ErrForbidden)
	}
	return nil
}

// findToChange is find for state changes: auditors are refused first.
func (s *Service) findToChange(ctx context.Context, a staff.Account, id string) (kyc.Verification, error) {
	if err := mayDecide(a); err != nil {
		return kyc.Verification{}, err
	}
	return s.find(ctx, a, id)
}

// find returns a verification the account may see; another merchant's case
// is not found (its existence is not disclosed).
func (s *Service) find(ctx context.Context, a staff.Account, id string) (kyc.Verification, error) {
	if !kyc.ValidID(kyc.PrefixVerification, id) {
		return kyc.Verification{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	v, err := s.store.VerificationByIDAnyMerchant(ctx, id)
	if err != nil {
		return v, err
	}
	if !a.CanSee(v.MerchantID) {
		return kyc.Verification{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	return v, nil
}

// QueueFilter selects the queue.
type QueueFilter struct {
	MerchantID string
	Recent     bool          // recent decisions instead of cases in review
	Reason     string        // a check's reason code
	CheckKind  kyc.CheckKind // a check that did not pass
	MinAge     time.Duration // cases waiting at least this long
	Newest     bool          // newest first (default: oldest first, SLA order)
	Limit      int
	After      string // the Next of the previous page ("" the first page)
}

// Queue is one page of the queue with the counts per state.
type Queue struct {
	Items  []QueueItem
	Counts map[kyc.State]int
	// Findings are the checks of the listed verifications that did not pass
	// (and applied), by verification id.
	Findings map[string][]Finding
	// SLA is the review SLA of each listed verification's merchant.
	SLA map[string]time.Duration
	// Next continues with the following page ("" on the last page).
	Next string
}

// queueCursor renders a position of the queue; parseQueueCursor reads it.
func queueCursor(v kyc.Verification) string {
	return strconv.FormatInt(v.UpdatedAt.UnixMicro(), 10) + "_" + v.ID
}

func parseQueueCursor(s string) (*store.QueueCursor, error) {
	at, id, ok := strings.Cut(s, "_")
	us, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || us < 0 || !kyc.ValidID(kyc.PrefixVerification, id) {
		return nil, kyc.Invalid("after", "format", "not a position in the queue; follow the next-page link")
	}
	return &store.QueueCursor{At: time.UnixMicro(us).UTC(), ID: id}, nil
}

// RecentWindow is how far back "recent decisions" reach.
const RecentWindow = 7 * 24 * time.Hour

// Queue lists cases in review (or recent decisions) of the visible merchants.
func (s *Service) Queue(ctx context.Context, a staff.Account, f QueueFilter) (Queue, error) {
	if f.MerchantID != "" && !a.CanSee(f.MerchantID) {
		return Queue{}, kyc.Invalid("merchant", "forbidden", "you are not assigned to this merchant")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 100
	}
	q := store.QueueQuery{Scope: Scope(a), MerchantID: f.MerchantID, State: kyc.StateReview, Reason: f.Reason, CheckKind: f.CheckKind,
		Newest: f.Newest, Limit: f.Limit}
	if f.After != "" {
		c, err := parseQueueCursor(f.After)
		if err != nil {
			return Queue{}, err
		}
		q.After = c
	}
	now := s.clock()
	if f.MinAge > 0 {
		q.Before = now.Add(-f.MinAge)
	}
	if f.Recent {
		q.State, q.Since, q.Newest = kyc.StateCompleted, now.Add(-RecentWindow), true
	}
	items, err := s.store.Queue(ctx, q)
	if err != nil {
		return Queue{}, err
	}
	counts, err := s.store.StateCounts(ctx, Scope(a), now.Add(-RecentWindow))
	if err != nil {
		return Queue{}, err
	}
	out := Queue{Items: items, Counts: counts, SLA: map[string]time.Duration{}}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.Verification.ID
		m := it.Verification.MerchantID
		if _, ok := out.SLA[m]; !ok {
			rs, err := s.store.ReviewSettingsOf(ctx, m)
			if err != nil {
				return Queue{}, err
			}
			out.SLA[m] = time.Duration(rs.SLAHours) * time.Hour
		}
	}
	if out.Findings, err = s.store.Findings(ctx, ids); err != nil {
		return Queue{}, err
	}
	if len(items) == f.Limit {
		out.Next = queueCursor(items[len(items)-1].Verification)
	}
	return out, nil
}

// Claim takes a case for the account; a case claimed by someone else stays
// theirs (kyc.ConflictError "claimed").
func (s *Service) Claim(ctx context.Context, a staff.Account, id string) error {
	v, err := s.findToChange(ctx, a, id)
	if err != nil {
		return err
	}
	if v.State != kyc.StateReview {
		return kyc.Conflict("not_in_review", "only cases in review can be claimed (this one is %s)", v.State)
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.ClaimOf(ctx, id)
		switch {
		case err == nil && c.StaffID == a.ID:
			return nil
		case err == nil:
			return kyc.Conflict("claimed", "another reviewer works this case")
		case !kyc.IsNotFound(err):
			return err
		}
		if err := tx.PutClaim(ctx, store.Claim{VerificationID: id, MerchantID: v.MerchantID, StaffID: a.ID, AssignedBy: a.ID, ClaimedAt: now}); err != nil {
			return err
		}
		return tx.Audit(ctx, principal(a, v.MerchantID), now, "review.claimed", "verification", id, map[string]any{"staff_id": a.ID})
	})
}

// Release gives a case back to the queue (its holder, or an admin).
func (s *Service) Release(ctx context.Context, a staff.Account, id string) error {
	v, err := s.findToChange(ctx, a, id)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.ClaimOf(ctx, id)
		if err != nil {
			return err
		}
		if c.StaffID != a.ID && a.Role != staff.RoleAdmin {
			return kyc.Conflict("claimed", "another reviewer works this case")
		}
		if err := tx.DeleteClaim(ctx, id); err != nil {
			return err
		}
		return tx.Audit(ctx, principal(a, v.MerchantID), now, "review.released", "verification", id, map[string]any{"staff_id": c.StaffID})
	})
}

// Assign gives a case to a reviewer (admins only); the reviewer must see
// the case's merchant.
func (s *Service) Assign(ctx context.Context, a staff.Account, id, staffID string) error {
	if a.Role != staff.RoleAdmin {
		return fmt.Errorf("only admins assign cases: %w", kyc.ErrForbidden)
	}
	v, err := s.find(ctx, a, id)
	if err != nil {
		return err
	}
	if v.State != kyc.StateReview {
		return kyc.Conflict("not_in_review", "only cases in review can be assigned (this one is %s)", v.State)
	}
	st, err := s.store.StaffByID(ctx, staffID)
	if kyc.IsNotFound(err) {
		return kyc.Invalid("staff_id", "not_found", "no such staff account")
	}
	if err != nil {
		return err
	}
	to := staff.Account{ID: st.ID, Role: st.Role, Merchants: st.Merchants}
	if to.Role == staff.RoleAuditor || !to.CanSee(v.MerchantID) || st.Status != "active" {
		return kyc.Invalid("staff_id", "forbidden", "this account cannot decide this merchant's cases")
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutClaim(ctx, store.Claim{VerificationID: id, MerchantID: v.MerchantID, StaffID: st.ID, AssignedBy: a.ID, ClaimedAt: now}); err != nil {
			return err
		}
		return tx.Audit(ctx, principal(a, v.MerchantID), now, "review.assigned", "verification", id, map[string]any{"staff_id": st.ID})
	})
}

// Settings returns a merchant's review rules.
func (s *Service) Settings(ctx context.Context, a staff.Account, merchantID string) (Settings, error) {
	if !a.CanSee(merchantID) {
		return Settings{}, fmt.Errorf("merchant: %w", kyc.ErrNotFound)
	}
	return s.store.ReviewSettingsOf(ctx, merchantID)
}

// PutSettings changes a merchant's review rules (admins only), audited.
func (s *Service) PutSettings(ctx context.Context, a staff.Account, rs Settings) (Settings, error) {
	if a.Role != staff.RoleAdmin {
		return rs, fmt.Errorf("only admins change settings: %w", kyc.ErrForbidden)
	}
	if _, err := s.store.MerchantByID(ctx, rs.MerchantID); err != nil {
		return rs, err
	}
	if !slices.Contains([]string{FourEyesOff, FourEyesFinal, FourEyesAll}, rs.FourEyes) {
		return rs, kyc.Invalid("four_eyes", "enum", "must be off, final or all")
	}
	if rs.SLAHours < 1 || rs.SLAHours > 720 {
		return rs, kyc.Invalid("sla_hours", "range", "must be 1 to 720 hours")
	}
	rs.UpdatedAt = s.clock()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutReviewSettings(ctx, rs); err != nil {
			return err
		}
		return tx.Audit(ctx, principal(a, rs.MerchantID), rs.UpdatedAt, "review.settings_changed", "merchant", rs.MerchantID,
			map[string]any{"four_eyes": rs.FourEyes, "sla_hours": rs.SLAHours})
	})
	return rs, err
}

// Decision kinds a reviewer picks.
const (
	Approve  = "approve"
	Reject   = "reject"
	Resubmit = "resubmit" // reject with retry, asking for specific documents again
)

// ReasonCodes are the codes a reviewer picks from when rejecting.
var ReasonCodes = []string{kyc.ReasonDocumentQuality, kyc.ReasonDocExpired, kyc.ReasonMRZInvalid, kyc.ReasonDataMismatch, kyc.ReasonDocumentTypeMismatch, kyc.ReasonFaceMismatch,
	kyc.ReasonLivenessFailed, kyc.ReasonUnderage, kyc.ReasonDuplicate, kyc.ReasonBlocklisted, kyc.ReasonSanctionsHit, kyc.ReasonPEPHit,
	kyc.ReasonFraudSuspected, kyc.ReasonTamperHints, kyc.ReasonRecapture, kyc.ReasonDocumentMissing, kyc.ReasonOther}

// ResubmitKinds are the documents a resubmission can ask for; each becomes
// the reason code RESUBMIT_<KIND>.
var ResubmitKinds = []kyc.DocumentKind{kyc.DocIDFront, kyc.DocIDBack, kyc.DocSelfie, kyc.DocSelfieWithID, kyc.DocProofOfAddress, kyc.DocSignature}

// ResubmitReason is the reason code asking for a document again.
func ResubmitReason(k kyc.DocumentKind) string { return "RESUBMIT_" + strings.ToUpper(string(k)) }

// Limits of a decision's texts.
const (
	MaxUserMessage = 500
	MaxNote        = 4000
)

// DecisionInput is a reviewer's decision.
type DecisionInput struct {
	Kind        string // approve, reject, resubmit
	RejectType  kyc.RejectType
	Reasons     []string
	Documents   []kyc.DocumentKind // resubmit
	UserMessage string
	Note        string
}

// event validates the input and turns it into the lifecycle event.
func (in DecisionInput) event(actor string) (verification.Event, error) {
	ev := verification.Event{Action: verification.ActDecide, UserMessage: strings.TrimSpace(in.UserMessage), Note: strings.TrimSpace(in.Note), DecidedBy: actor}
	if utf8.RuneCountInString(ev.UserMessage) > MaxUserMessage {
		return ev, kyc.Invalid("user_message", "max_length", "at most %d characters", MaxUserMessage)
	}
	if utf8.RuneCountInString(ev.Note) > MaxNote {
		return ev, kyc.Invalid("note", "max_length", "at most %d characters", MaxNote)
	}
	switch in.Kind {
	case Approve:
		ev.Decision = kyc.DecisionApproved
	case Reject:
		ev.Decision, ev.RejectType = kyc.DecisionRejected, in.RejectType
		if in.RejectType != kyc.RejectRetry && in.RejectType != kyc.RejectFinal {
			return ev, kyc.Invalid("reject_type", "enum", "choose retry or final")
		}
		if len(in.Reasons) == 0 {
			return ev, kyc.Invalid("reasons", "required", "choose at least one reason")
		}
		for _, r := range in.Reasons {
			if !slices.Contains(ReasonCodes, r) {
				return ev, kyc.Invalid("reasons", "enum", "unknown reason code")
			}
		}
		ev.Reasons = slices.Compact(slices.Sorted(slices.Values(in.Reasons)))
	case Resubmit:
		ev.Decision, ev.RejectType = kyc.DecisionRejected, kyc.RejectRetry
		if len(in.Documents) == 0 {
			return ev, kyc.Invalid("documents", "required", "choose the documents to submit again")
		}
		for _, d := range in.Documents {
			if !slices.Contains(ResubmitKinds, d) {
				return ev, kyc.Invalid("documents", "enum", "unknown document kind")
			}
			ev.Reasons = append(ev.Reasons, ResubmitReason(d))
		}
		ev.Reasons = slices.Compact(slices.Sorted(slices.Values(ev.Reasons)))
		if ev.UserMessage == "" {
			ev.UserMessage = "Please submit these documents again: " + strings.ReplaceAll(strings.Join(kindNames(in.Documents), ", "), "_", " ") + "."
		}
	default:
		return ev, kyc.Invalid("decision", "enum", "choose approve, reject or resubmit")
	}
	return ev, nil
}

func kindNames(ks []kyc.DocumentKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// needsSecond reports whether the merchant's four-eyes rule holds back ev.
func needsSecond(rule string, ev verification.Event) bool {
	return rule == FourEyesAll || rule == FourEyesFinal && ev.RejectType == kyc.RejectFinal
}

// Outcome is what a decision did.
type Outcome struct {
	Verification kyc.Verification
	Proposed     bool // held for a second reviewer
}

// Decide applies a reviewer's decision, or holds it as a proposal when the
// merchant's four-eyes rule asks for a second reviewer.
func (s *Service) Decide(ctx context.Context, a staff.Account, id string, in DecisionInput) (Outcome, error) {
	v, err := s.findToChange(ctx, a, id)
	if err != nil {
		return Outcome{}, err
	}
	ev, err := in.event(Actor(a))
	if err != nil {
		return Outcome{}, err
	}
	return s.decide(ctx, a, v, ev)
}

func (s *Service) decide(ctx context.Context, a staff.Account, v kyc.Verification, ev verification.Event) (Outcome, error) {
	if v.State != kyc.StateReview {
		return Outcome{Verification: v}, kyc.Conflict("not_in_review", "only cases in review are decided here (this one is %s)", v.State)
	}
	if c, err := s.store.ClaimOf(ctx, v.ID); err == nil && c.StaffID != a.ID {
		return Outcome{Verification: v}, kyc.Conflict("claimed", "another reviewer works this case")
	} else if err != nil && !kyc.IsNotFound(err) {
		return Outcome{}, err
	}
	rs, err := s.store.ReviewSettingsOf(ctx, v.MerchantID)
	if err != nil {
		return Outcome{}, err
	}
	p := principal(a, v.MerchantID)
	if needsSecond(rs.FourEyes, ev) {
		note, err := s.keys.Seal([]byte(ev.Note), []byte("proposal-note:"+v.ID))
		if err != nil {
			return Outcome{}, err
		}
		now := s.clock()
		err = s.store.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertProposal(ctx, store.Proposal{VerificationID: v.ID, MerchantID: v.MerchantID, Decision: ev.Decision, RejectType: ev.RejectType,
				Reasons: ev.Reasons, UserMessage: ev.UserMessage, SealedNote: note, ProposedBy: a.ID, CreatedAt: now}); err != nil {
				return err
			}
			if err := tx.PutClaim(ctx, store.Claim{VerificationID: v.ID, MerchantID: v.MerchantID, StaffID: a.ID, AssignedBy: a.ID, ClaimedAt: now}); err != nil {
				return err
			}
			return tx.Audit(ctx, p, now, "decision.proposed", "verification", v.ID, map[string]any{"decision": ev.Decision,
				"reject_type": ev.RejectType, "reasons": ev.Reasons, "four_eyes": rs.FourEyes})
		})
		return Outcome{Verification: v, Proposed: err == nil}, err
	}
	out, err := s.ver.ApplyWithin(ctx, p, v.ID, ev, func(ctx context.Context, tx *store.Tx, _ kyc.Verification) error {
		if _, err := tx.DeleteProposal(ctx, v.MerchantID, v.ID); err != nil {
			return err
		}
		return tx.DeleteClaim(ctx, v.ID)
	})
	return Outcome{Verification: out}, err
}

// Confirm is the second reviewer's approval of a proposal: the decision is
// applied as proposed, decided by the confirming reviewer, with both named
// in the audit trail. The proposer cannot confirm their own proposal.
func (s *Service) Confirm(ctx context.Context, a staff.Account, id string) (kyc.Verification, error) {
	v, err := s.findToChange(ctx, a, id)
	if err != nil {
		return v, err
	}
	pr, err := s.store.ProposalOf(ctx, v.MerchantID, id)
	if err != nil {
		return v, err
	}
	if pr.ProposedBy == a.ID {
		return v, kyc.Conflict("four_eyes", "a second reviewer must confirm this decision")
	}
	note, err := s.keys.Open(pr.SealedNote, []byte("proposal-note:"+v.ID))
	if err != nil {
		return v, err
	}
	p := principal(a, v.MerchantID)
	ev := verification.Event{Action: verification.ActDecide, Decision: pr.Decision, RejectType: pr.RejectType, Reasons: pr.Reasons,
		UserMessage: pr.UserMessage, Note: string(note), DecidedBy: Actor(a), FourEyes: true}
	return s.ver.ApplyWithin(ctx, p, id, ev, func(ctx context.Context, tx *store.Tx, _ kyc.Verification) error {
		ok, err := tx.DeleteProposal(ctx, v.MerchantID, v.ID)
		if err != nil {
			return err
		}
		if !ok {
			return kyc.Conflict("concurrent_update", "the proposal was withdrawn or confirmed meanwhile")
		}
		if err := tx.DeleteClaim(ctx, v.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, p, s.clock(), "decision.confirmed", "verification", v.ID, map[string]any{"proposed_by": pr.ProposedBy,
			"confirmed_by": a.ID})
	})
}

// Withdraw discards a proposal: its author takes it back, or a second
// reviewer declines it; the case stays in review.
func (s *Service) Withdraw(ctx context.Context, a staff.Account, id string) error {
	v, err := s.findToChange(ctx, a, id)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		pr, err := tx.ProposalOf(ctx, v.MerchantID, id)
		if err != nil {
			return err
		}
		if _, err := tx.DeleteProposal(ctx, v.MerchantID, id); err != nil {
			return err
		}
		return tx.Audit(ctx, principal(a, v.MerchantID), now, "decision.proposal_withdrawn", "verification", id,
			map[string]any{"proposed_by": pr.ProposedBy})
	})
}

// ResolveHit is a reviewer's word on one screening hit: confirming is a
// final rejection with SANCTIONS_HIT (held for a second reviewer where the
// four-eyes rule asks); dismissing remembers the hit as not this person.
func (s *Service) ResolveHit(ctx context.Context, a staff.Account, id, list, entryID string, confirm bool, note string) (Outcome, error) {
	v, err := s.findToChange(ctx, a, id)
	if err != nil {
		return Outcome{}, err
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return Outcome{}, kyc.Invalid("note", "max_length", "at most %d characters", MaxNote)
	}
	if !confirm {
		if c, err := s.store.ClaimOf(ctx, v.ID); err == nil && c.StaffID != a.ID {
			return Outcome{Verification: v}, kyc.Conflict("claimed", "another reviewer works this case")
		}
		out, err := s.ver.ResolveHit(ctx, principal(a, v.MerchantID), id, list, entryID, false, note)
		return Outcome{Verification: out}, err
	}
	checks, err := s.store.ChecksByVerification(ctx, v.MerchantID, v.ID)
	if err != nil {
		return Outcome{}, err
	}
	if _, ok := verification.FindScreeningHit(checks, list, entryID); !ok {
		return Outcome{}, fmt.Errorf("screening hit %s/%s: %w", list, entryID, kyc.ErrNotFound)
	}
	return s.decide(ctx, a, v, verification.Event{Action: verification.ActDecide, Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal,
		Reasons: []string{kyc.ReasonSanctionsHit}, Note: strings.TrimSpace(note), DecidedBy: Actor(a)})
}
