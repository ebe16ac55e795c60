package review

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
)

func TestDecisionInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		in    DecisionInput
		field string
		want  []string
	}{
		{"approve", DecisionInput{Kind: Approve}, "", nil},
		{"reject final", DecisionInput{Kind: Reject, RejectType: kyc.RejectFinal, Reasons: []string{"OTHER", "FRAUD_SUSPECTED", "OTHER"}}, "",
			[]string{"FRAUD_SUSPECTED", "OTHER"}},
		{"reject without type", DecisionInput{Kind: Reject, Reasons: []string{"OTHER"}}, "reject_type", nil},
		{"reject without reasons", DecisionInput{Kind: Reject, RejectType: kyc.RejectRetry}, "reasons", nil},
		{"unknown reason", DecisionInput{Kind: Reject, RejectType: kyc.RejectRetry, Reasons: []string{"BAD"}}, "reasons", nil},
		{"resubmit", DecisionInput{Kind: Resubmit, Documents: []kyc.DocumentKind{kyc.DocSelfie, kyc.DocIDBack}}, "",
			[]string{"RESUBMIT_ID_BACK", "RESUBMIT_SELFIE"}},
		{"resubmit nothing", DecisionInput{Kind: Resubmit}, "documents", nil},
		{"resubmit a report", DecisionInput{Kind: Resubmit, Documents: []kyc.DocumentKind{kyc.DocAMLReport}}, "documents", nil},
		{"unknown kind", DecisionInput{Kind: "maybe"}, "decision", nil},
		{"long message", DecisionInput{Kind: Approve, UserMessage: strings.Repeat("é", MaxUserMessage+1)}, "user_message", nil},
		{"long note", DecisionInput{Kind: Approve, Note: strings.Repeat("x", MaxNote+1)}, "note", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := c.in.event("reviewer:stf_x")
			if c.field != "" {
				var fe *kyc.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, c.field, fe.Field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, ev.Reasons)
			// Whatever the console accepts, the lifecycle accepts.
			_, err = verification.Transition(kyc.Verification{State: kyc.StateReview}, ev)
			require.NoError(t, err)
		})
	}
}

func TestFourEyesRule(t *testing.T) {
	t.Parallel()
	final := verification.Event{Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal}
	retry := verification.Event{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry}
	approve := verification.Event{Decision: kyc.DecisionApproved}
	require.False(t, needsSecond(FourEyesOff, final))
	require.True(t, needsSecond(FourEyesFinal, final))
	require.False(t, needsSecond(FourEyesFinal, retry))
	require.False(t, needsSecond(FourEyesFinal, approve))
	require.True(t, needsSecond(FourEyesAll, approve))
	require.True(t, needsSecond(FourEyesAll, retry))
}

// FuzzDecisionInput: any form either fails with a named field or yields an
// event the lifecycle accepts.
func FuzzDecisionInput(f *testing.F) {
	f.Add("reject", "final", "OTHER", "id_front", "msg", "note")
	f.Add("resubmit", "", "", "selfie", "", "")
	f.Add("approve", "retry", "X", "", "", "")
	f.Fuzz(func(t *testing.T, kind, rt, reason, doc, msg, note string) {
		in := DecisionInput{Kind: kind, RejectType: kyc.RejectType(rt), Reasons: []string{reason}, Documents: []kyc.DocumentKind{kyc.DocumentKind(doc)},
			UserMessage: msg, Note: note}
		ev, err := in.event("reviewer:stf_x")
		if err != nil {
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe)
			require.NotEmpty(t, fe.Field)
			return
		}
		_, err = verification.Transition(kyc.Verification{State: kyc.StateReview}, ev)
		require.NoError(t, err)
	})
}

// FuzzQueueCursor: any "after" parameter is refused with the field named, or
// is a position that renders back to itself.
func FuzzQueueCursor(f *testing.F) {
	f.Add("1700000000000000_ver_01m80000000000000000000000")
	f.Add("yesterday")
	f.Add("-1_ver_x")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseQueueCursor(s)
		if err != nil {
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "after", fe.Field)
			return
		}
		again, err := parseQueueCursor(queueCursor(kyc.Verification{ID: c.ID, UpdatedAt: c.At}))
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}
