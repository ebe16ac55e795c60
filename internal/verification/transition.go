// Package verification holds the verification lifecycle: the pure state
// machine and the service that applies transitions with their audit entries and
// outbox events in one transaction.
package verification

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Action is what happens to a verification.
type Action string

// Actions of the lifecycle.
const (
	ActSubmit Action = "submit"
	ActStart  Action = "start"  // a worker starts running checks
	ActReview Action = "review" // automation hands over to a person
	ActDecide Action = "decide" // a policy or a reviewer decides
	ActExpire Action = "expire" // data collection timed out
	ActCancel Action = "cancel" // the merchant or staff withdrew it
	// ActResubmit submits again after a retry rejection, within the level's
	// attempt cap.
	ActResubmit Action = "resubmit"
	// ActReopen hands a completed verification back to review: continuous
	// screening found a new sanctions hit for an approved applicant.
	ActReopen Action = "reopen"
)

// Actions lists every action.
var Actions = []Action{ActSubmit, ActStart, ActReview, ActDecide, ActExpire, ActCancel, ActResubmit, ActReopen}

// Event is one requested transition. Decision fields are used by ActDecide only.
type Event struct {
	Action      Action
	Decision    kyc.Decision
	RejectType  kyc.RejectType
	Reasons     []string
	UserMessage string
	Note        string
	DecidedBy   string // "policy:<version>" or "reviewer:<id>"
	// MaxAttempts caps submissions (ActResubmit).
	MaxAttempts int

	// Not used by Transition: stored with the change by Service.Apply.
	// Unchecked names the enabled checks a policy decision rests on without
	// their having run (policy.Outcome.Unchecked); the audit entry keeps it.
	Unchecked []string
	// ReviewDetail is every reason of a hand-over to review, the checks
	// concerned included (policy.Outcome.ReviewReasons); the audit entry
	// keeps it, the verification only the reason codes.
	ReviewDetail []string
	Checks       []kyc.Check // new check results the decision is based on
	FourEyes     bool        // a second reviewer confirmed another's proposal (analytics)
	UsedChecks   []string    // ids of stored results it is based on
	LevelVersion int
}

// legal maps each action to the states it may leave and the state it enters.
var legal = map[Action]struct {
	from []kyc.State
	to   kyc.State
}{
	ActSubmit:   {[]kyc.State{kyc.StateCreated}, kyc.StateSubmitted},
	ActStart:    {[]kyc.State{kyc.StateSubmitted}, kyc.StateProcessing},
	ActReview:   {[]kyc.State{kyc.StateProcessing}, kyc.StateReview},
	ActDecide:   {[]kyc.State{kyc.StateProcessing, kyc.StateReview}, kyc.StateCompleted},
	ActExpire:   {[]kyc.State{kyc.StateCreated, kyc.StateSubmitted}, kyc.StateExpired},
	ActCancel:   {[]kyc.State{kyc.StateCreated, kyc.StateSubmitted, kyc.StateProcessing, kyc.StateReview}, kyc.StateCancelled},
	ActResubmit: {[]kyc.State{kyc.StateCompleted}, kyc.StateSubmitted},
	ActReopen:   {[]kyc.State{kyc.StateCompleted}, kyc.StateReview},
}

// EventType is the outbox event type a transition into s emits.
func EventType(s kyc.State) string { return "verification." + string(s) }

// Transition applies ev to v and returns the new verification. It is pure: it
// neither reads the clock nor touches storage; the caller stamps times and
// persists. An illegal transition is a kyc.ConflictError with code
// "invalid_transition"; a malformed decision is a kyc.FieldError.
func Transition(v kyc.Verification, ev Event) (kyc.Verification, error) {
	rule, ok := legal[ev.Action]
	if !ok {
		return v, kyc.Invalid("action", "enum", "unknown action %q", ev.Action)
	}
	if !slices.Contains(rule.from, v.State) {
		return v, kyc.Conflict("invalid_transition", "cannot %s a verification in state %s", ev.Action, v.State)
	}
	next := v
	next.Reasons = slices.Clone(v.Reasons)
	next.State = rule.to
	next.Version = v.Version + 1
	switch ev.Action {
	case ActSubmit:
		next.Attempt = v.Attempt + 1
	case ActResubmit:
		if v.Decision != kyc.DecisionRejected || v.RejectType != kyc.RejectRetry {
			return v, kyc.Conflict("invalid_transition", "only a verification rejected with reject_type retry can be submitted again")
		}
		if v.Attempt >= ev.MaxAttempts {
			return v, kyc.Conflict("attempts_exhausted", "this verification was submitted %d times, the most its level allows", v.Attempt)
		}
		next.Attempt = v.Attempt + 1
		next.Decision, next.RejectType, next.Reasons, next.UserMessage, next.DecidedBy = kyc.DecisionNone, kyc.RejectNone, []string{}, "", ""
	case ActReopen:
		if v.Decision != kyc.DecisionApproved {
			return v, kyc.Conflict("invalid_transition", "only an approved verification can be reopened")
		}
		next.Decision, next.RejectType, next.Reasons, next.UserMessage, next.DecidedBy = kyc.DecisionNone, kyc.RejectNone, []string{}, "", ""
	}
	if v.State == kyc.StateReview && ev.Action != ActDecide {
		next.Reasons = []string{} // the review's reasons end with it (a cancellation, an expiry)
	}
	if ev.Action == ActReview {
		// why the policy hands it over (CHECK_UNAVAILABLE, ...); a decision replaces them
		next.Reasons = []string{}
		for _, r := range ev.Reasons {
			if validReasonCode(r) {
				next.Reasons = append(next.Reasons, r)
			}
		}
	}
	if ev.Action == ActDecide {
		if err := validateDecision(ev); err != nil {
			return v, err
		}
		next.Decision = ev.Decision
		next.RejectType = ev.RejectType
		next.Reasons = slices.Clone(ev.Reasons)
		next.UserMessage = ev.UserMessage
		next.Note = ev.Note
		next.DecidedBy = ev.DecidedBy
	}
	return next, nil
}

func validateDecision(ev Event) error {
	switch ev.Decision {
	case kyc.DecisionApproved:
		if ev.RejectType != kyc.RejectNone {
			return kyc.Invalid("reject_type", "forbidden", "reject_type must be empty when the decision is approved")
		}
	case kyc.DecisionRejected:
		if ev.RejectType != kyc.RejectRetry && ev.RejectType != kyc.RejectFinal {
			return kyc.Invalid("reject_type", "enum", "reject_type must be retry or final when the decision is rejected")
		}
		if len(ev.Reasons) == 0 {
			return kyc.Invalid("reasons", "required", "a rejection needs at least one reason code")
		}
	default:
		return kyc.Invalid("decision", "enum", "decision must be approved or rejected")
	}
	for i, r := range ev.Reasons {
		if !validReasonCode(r) {
			return kyc.Invalid(fmt.Sprintf("reasons[%d]", i), "format", "reason codes are 1-64 characters of A-Z, 0-9 and _")
		}
	}
	if !strings.HasPrefix(ev.DecidedBy, "policy:") && !strings.HasPrefix(ev.DecidedBy, "reviewer:") {
		return kyc.Invalid("decided_by", "format", "decided_by must be policy:<version> or reviewer:<id>")
	}
	return nil
}

func validReasonCode(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
