package verification

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

// Metrics are the decision metrics of this process: what its workers,
// reviewers and replays decided, and the results of the checks it ran. No
// personal data as labels; merchant ids only when asked for (NewMetrics).
type Metrics struct {
	perMerchant     bool
	decided         *prometheus.CounterVec
	checks          *prometheus.CounterVec
	decisionSeconds *prometheus.HistogramVec
	reviewWait      prometheus.Histogram
}

// NewMetrics makes the metrics; register them with Collectors.
// perMerchant adds a merchant label (the merchant's id) to the decision
// counter and the check results (--metrics-merchant-labels): one series per
// merchant, for installations with few merchants that bill or alert per
// merchant.
func NewMetrics(perMerchant bool) *Metrics {
	decided, checks := []string{"level", "decision", "reject_type"}, []string{"kind", "status", "not_run_kind"}
	if perMerchant {
		decided, checks = append(decided, "merchant"), append(checks, "merchant")
	}
	return &Metrics{
		perMerchant: perMerchant,
		decided: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openkyc_verifications_decided_total",
			Help: "Verifications decided, by level (built-in name or custom), decision and reject type (policy, reviewers and replays)."}, decided),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openkyc_check_results_total",
			Help: "Check results, by check kind, status and, for not_run, its kind (unavailable, not_applicable)."}, checks),
		decisionSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "openkyc_verification_decision_seconds",
			Help:    "Seconds from submission to the policy's decision or hand-over to review (the queue's wait and the checks), by level.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)}, []string{"level"}),
		reviewWait: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "openkyc_review_wait_seconds",
			Help:    "Seconds a verification waited in review before a person (or a replay) decided it.",
			Buckets: prometheus.ExponentialBuckets(60, 2, 16)}),
	}
}

// labels appends the merchant label when the metrics have it.
func (m *Metrics) labels(merchantID string, vs ...string) []string {
	if m.perMerchant {
		return append(vs, merchantID)
	}
	return vs
}

// Collectors lists the metrics to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.decided, m.checks, m.decisionSeconds, m.reviewWait}
}

// levelLabel is a level's name as a label: the built-in names, else
// "custom" (merchants name their own levels; their names are neither
// bounded nor anonymous).
func levelLabel(name string) string {
	if _, ok := policy.BuiltIn(name); ok {
		return name
	}
	return "custom"
}

// observe counts a committed change: prev is the verification before it,
// next after, at now.
func (m *Metrics) observe(prev, next kyc.Verification, ev Event, now time.Time) {
	if m == nil {
		return
	}
	for _, c := range ev.Checks {
		m.checks.WithLabelValues(m.labels(next.MerchantID, string(c.Kind), string(c.Status), string(c.NotRunKind))...).Inc()
	}
	switch ev.Action {
	case ActDecide:
		m.decided.WithLabelValues(m.labels(next.MerchantID, levelLabel(next.Level), string(next.Decision), string(next.RejectType))...).Inc()
		if prev.State == kyc.StateReview {
			m.reviewWait.Observe(now.Sub(prev.UpdatedAt).Seconds())
		}
	}
}

// decisionTime records how long the policy took to decide or hand over a
// verification since its submission.
func (m *Metrics) decisionTime(level string, d time.Duration) {
	if m == nil {
		return
	}
	m.decisionSeconds.WithLabelValues(levelLabel(level)).Observe(d.Seconds())
}
