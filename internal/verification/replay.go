package verification

import (
	"context"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

// Replay is the outcome of deciding a verification again from its stored
// check results.
type Replay struct {
	Verification kyc.Verification
	Level        policy.Level
	Checks       []kyc.Check // the latest run's results
	Outcome      policy.Outcome
	Changed      bool // the outcome differs from the verification's current state
}

// ReplayPolicy re-decides a verification from the results of its latest run
// of checks under level (nil: its current level). It changes nothing.
func (s *Service) ReplayPolicy(ctx context.Context, verificationID string, level *policy.Level) (Replay, error) {
	v, err := s.store.VerificationByIDAnyMerchant(ctx, verificationID)
	if err != nil {
		return Replay{}, err
	}
	all, err := s.store.ChecksByVerification(ctx, v.MerchantID, v.ID)
	if err != nil {
		return Replay{}, err
	}
	if len(all) == 0 {
		return Replay{}, kyc.Conflict("no_checks", "verification %s has no stored check results to replay", v.ID)
	}
	// One run's results share a creation time; the latest run counts.
	latest := all[len(all)-1].CreatedAt
	var run []kyc.Check
	for _, c := range all {
		if c.CreatedAt.Equal(latest) {
			run = append(run, c)
		}
	}
	var l policy.Level
	if level != nil {
		if err := level.Validate(); err != nil {
			return Replay{}, err
		}
		l = *level
	} else if l, err = s.levels.Get(ctx, v.MerchantID, v.Level); err != nil {
		return Replay{}, err
	}
	out := policy.Decide(l, run)
	r := Replay{Verification: v, Level: l, Checks: run, Outcome: out}
	switch {
	case out.Review:
		r.Changed = v.State != kyc.StateReview
	default:
		r.Changed = v.State != kyc.StateCompleted || v.Decision != out.Decision || v.RejectType != out.RejectType ||
			fmt.Sprint(v.Reasons) != fmt.Sprint(out.Reasons)
	}
	return r, nil
}

// ApplyReplay decides a verification waiting in review as the replayed policy
// says. Completed verifications are final and are not changed.
func (s *Service) ApplyReplay(ctx context.Context, r Replay, actor string) (kyc.Verification, error) {
	if r.Verification.State != kyc.StateReview {
		return r.Verification, kyc.Conflict("invalid_transition", "only a verification in review can be decided by a replay; this one is %s", r.Verification.State)
	}
	if r.Outcome.Review {
		return r.Verification, kyc.Conflict("still_review", "the replayed policy still sends this verification to review")
	}
	p := kyc.Principal{MerchantID: r.Verification.MerchantID, Actor: actor}
	return s.Apply(ctx, p, r.Verification.ID, Event{Action: ActDecide, Decision: r.Outcome.Decision, RejectType: r.Outcome.RejectType,
		Reasons: r.Outcome.Reasons, UserMessage: r.Outcome.UserMessage, DecidedBy: fmt.Sprintf("policy:%s@%d", r.Level.Name, r.Level.Version),
		UsedChecks: checkIDs(r.Checks), LevelVersion: r.Level.Version, Unchecked: r.Outcome.Unchecked})
}

func checkIDs(cs []kyc.Check) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
