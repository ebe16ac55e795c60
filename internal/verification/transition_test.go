package verification_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
)

func approve() verification.Event {
	return verification.Event{Action: verification.ActDecide, Decision: kyc.DecisionApproved, DecidedBy: "policy:1"}
}

func TestTransitionEveryPair(t *testing.T) {
	t.Parallel()
	// want[action][from] = to; a missing entry means the transition is illegal.
	want := map[verification.Action]map[kyc.State]kyc.State{
		verification.ActSubmit: {kyc.StateCreated: kyc.StateSubmitted},
		verification.ActStart:  {kyc.StateSubmitted: kyc.StateProcessing},
		verification.ActReview: {kyc.StateProcessing: kyc.StateReview},
		verification.ActDecide: {kyc.StateProcessing: kyc.StateCompleted, kyc.StateReview: kyc.StateCompleted},
		verification.ActExpire: {kyc.StateCreated: kyc.StateExpired, kyc.StateSubmitted: kyc.StateExpired},
		verification.ActCancel: {
			kyc.StateCreated: kyc.StateCancelled, kyc.StateSubmitted: kyc.StateCancelled,
			kyc.StateProcessing: kyc.StateCancelled, kyc.StateReview: kyc.StateCancelled,
		},
		verification.ActResubmit: {kyc.StateCompleted: kyc.StateSubmitted},
	}
	for _, act := range verification.Actions {
		for _, from := range kyc.States {
			t.Run(fmt.Sprintf("%s from %s", act, from), func(t *testing.T) {
				t.Parallel()
				ev := verification.Event{Action: act, MaxAttempts: 5}
				if act == verification.ActDecide {
					ev = approve()
				}
				v := kyc.Verification{ID: "v", State: from, Version: 3, Attempt: 1, Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{"X"}}
				got, err := verification.Transition(v, ev)
				to, ok := want[act][from]
				if !ok {
					var ce *kyc.ConflictError
					require.ErrorAs(t, err, &ce)
					require.Equal(t, "invalid_transition", ce.Code)
					require.Equal(t, v, got, "an illegal transition returns the input unchanged")
					return
				}
				require.NoError(t, err)
				require.Equal(t, to, got.State)
				require.Equal(t, 4, got.Version)
				require.Equal(t, kyc.State(from), v.State, "input not mutated")
			})
		}
	}
}

func TestTerminalStatesHaveNoExit(t *testing.T) {
	t.Parallel()
	for _, s := range kyc.States {
		if !s.Terminal() {
			continue
		}
		for _, act := range verification.Actions {
			// Approved or finally rejected: nothing leaves completed, not even a
			// resubmission; only continuous screening reopens an approval.
			for _, v := range []kyc.Verification{{State: s, Decision: kyc.DecisionApproved}, {State: s, Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal}} {
				if act == verification.ActReopen && v.Decision == kyc.DecisionApproved && s == kyc.StateCompleted {
					continue
				}
				_, err := verification.Transition(v, verification.Event{Action: act, MaxAttempts: 5})
				require.ErrorIs(t, err, kyc.ErrConflict, "%s from %s", act, s)
			}
		}
	}
}

func TestResubmission(t *testing.T) {
	t.Parallel()
	rejected := kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry,
		Reasons: []string{kyc.ReasonDocExpired}, UserMessage: "expired", DecidedBy: "policy:basic@1", Attempt: 2, Version: 7}
	got, err := verification.Transition(rejected, verification.Event{Action: verification.ActResubmit, MaxAttempts: 5})
	require.NoError(t, err)
	require.Equal(t, kyc.Verification{State: kyc.StateSubmitted, Reasons: []string{}, Attempt: 3, Version: 8}, got)

	rejected.Attempt = 5
	_, err = verification.Transition(rejected, verification.Event{Action: verification.ActResubmit, MaxAttempts: 5})
	var ce *kyc.ConflictError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "attempts_exhausted", ce.Code)

	got, err = verification.Transition(kyc.Verification{State: kyc.StateCreated}, verification.Event{Action: verification.ActSubmit})
	require.NoError(t, err)
	require.Equal(t, 1, got.Attempt, "the first submission is attempt 1")
}

func TestDecisionValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ev    verification.Event
		field string
	}{
		{"approved", approve(), ""},
		{"rejected retry", verification.Event{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonDocExpired}, DecidedBy: "reviewer:stf_1"}, ""},
		{"rejected final", verification.Event{Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal, Reasons: []string{kyc.ReasonSanctionsHit}, DecidedBy: "policy:2"}, ""},
		{"no decision", verification.Event{DecidedBy: "policy:1"}, "decision"},
		{"unknown decision", verification.Event{Decision: "maybe", DecidedBy: "policy:1"}, "decision"},
		{"approved with reject type", verification.Event{Decision: kyc.DecisionApproved, RejectType: kyc.RejectFinal, DecidedBy: "policy:1"}, "reject_type"},
		{"rejected without type", verification.Event{Decision: kyc.DecisionRejected, Reasons: []string{"X"}, DecidedBy: "policy:1"}, "reject_type"},
		{"rejected without reason", verification.Event{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, DecidedBy: "policy:1"}, "reasons"},
		{"bad reason code", verification.Event{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{"face mismatch"}, DecidedBy: "policy:1"}, "reasons[0]"},
		{"no decider", verification.Event{Decision: kyc.DecisionApproved}, "decided_by"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.ev.Action = verification.ActDecide
			got, err := verification.Transition(kyc.Verification{State: kyc.StateReview}, tc.ev)
			if tc.field == "" {
				require.NoError(t, err)
				require.Equal(t, kyc.StateCompleted, got.State)
				require.Equal(t, tc.ev.Decision, got.Decision)
				require.Equal(t, tc.ev.RejectType, got.RejectType)
				require.Equal(t, tc.ev.DecidedBy, got.DecidedBy)
				return
			}
			var fe *kyc.FieldError
			require.True(t, errors.As(err, &fe), "want a field error, got %v", err)
			require.Equal(t, tc.field, fe.Field)
			require.ErrorIs(t, err, kyc.ErrInvalid)
			require.Equal(t, kyc.StateReview, got.State)
		})
	}
}

func TestUnknownAction(t *testing.T) {
	t.Parallel()
	_, err := verification.Transition(kyc.Verification{State: kyc.StateCreated}, verification.Event{Action: "teleport"})
	require.ErrorIs(t, err, kyc.ErrInvalid)
}

func TestReopen(t *testing.T) {
	t.Parallel()
	approved := kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionApproved, DecidedBy: "policy:basic@1", Version: 4}
	got, err := verification.Transition(approved, verification.Event{Action: verification.ActReopen})
	require.NoError(t, err)
	require.Equal(t, kyc.StateReview, got.State)
	require.Equal(t, kyc.DecisionNone, got.Decision)
	require.Empty(t, got.DecidedBy)
	require.Equal(t, 5, got.Version)
	_, err = verification.Transition(kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry},
		verification.Event{Action: verification.ActReopen})
	require.ErrorIs(t, err, kyc.ErrConflict)
}
