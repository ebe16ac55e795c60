package kycsharing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect/kycsharing"
	"github.com/openkyc/openkyc/internal/kyc"
)

func TestStatusMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v              kyc.Verification
		status, reason string
	}{
		{kyc.Verification{State: kyc.StateCreated}, "init", ""},
		{kyc.Verification{State: kyc.StateSubmitted}, "reviewing", ""},
		{kyc.Verification{State: kyc.StateProcessing}, "reviewing", ""},
		{kyc.Verification{State: kyc.StateReview}, "reviewing", ""},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionApproved}, "approved", ""},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, Reasons: []string{"DOC_EXPIRED", "UNDERAGE"}}, "rejected", "DOC_EXPIRED,UNDERAGE"},
		{kyc.Verification{State: kyc.StateExpired}, "rejected", "EXPIRED"},
		{kyc.Verification{State: kyc.StateCancelled}, "rejected", "CANCELLED"},
	}
	for _, tc := range tests {
		st, reason := kycsharing.Status(tc.v)
		require.Equal(t, tc.status, st, "%+v", tc.v)
		require.Equal(t, tc.reason, reason)
	}
}
