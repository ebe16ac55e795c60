package verification

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
)

// TestMetricsLabels: merchant ids appear only when asked for; custom level
// names never do.
func TestMetricsLabels(t *testing.T) {
	t.Parallel()
	now := time.Now()
	prev := kyc.Verification{MerchantID: "mer_1", Level: "vip-2026", State: kyc.StateProcessing, UpdatedAt: now.Add(-time.Second)}
	next := prev
	next.State, next.Decision = kyc.StateCompleted, kyc.DecisionApproved
	ev := Event{Action: ActDecide, Checks: []kyc.Check{{Kind: "screening.sanctions", Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunUnavailable}}}
	for _, perMerchant := range []bool{false, true} {
		m := NewMetrics(perMerchant)
		m.observe(prev, next, ev, now)
		merchant := ""
		if perMerchant {
			merchant = `,merchant="mer_1"`
		}
		require.NoError(t, testutil.CollectAndCompare(m.decided, strings.NewReader(`
# HELP openkyc_verifications_decided_total Verifications decided, by level (built-in name or custom), decision and reject type (policy, reviewers and replays).
# TYPE openkyc_verifications_decided_total counter
openkyc_verifications_decided_total{decision="approved",level="custom"`+merchant+`,reject_type=""} 1
`)))
		require.Equal(t, 1, testutil.CollectAndCount(m.checks))
		m.decisionTime(next.Level, time.Second)
		require.Equal(t, 1, testutil.CollectAndCount(m.decisionSeconds))
	}
}
