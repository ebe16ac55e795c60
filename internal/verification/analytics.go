package verification

import (
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// countsOf are the analytics increments of one change of v into next.
func countsOf(v, next kyc.Verification, ev Event, now time.Time) []store.Count {
	day := store.Day(now)
	var out []store.Count
	add := func(metric string) {
		out = append(out, store.Count{MerchantID: next.MerchantID, Day: day, Level: next.Level, Surface: string(next.Surface), Country: next.Country, Metric: metric, N: 1})
	}
	for _, c := range ev.Checks {
		m := analytics.MetricCheck + string(c.Kind) + "." + string(c.Status)
		if c.Status == kyc.CheckNotRun && c.NotRunKind != "" {
			m += "." + string(c.NotRunKind)
		}
		add(m)
	}
	if v.State == next.State {
		return out
	}
	if v.State == kyc.StateReview {
		add(analytics.MetricReviewOut)
		add(analytics.MetricReviewTime + strconv.Itoa(analytics.LogBucket(now.Sub(v.UpdatedAt).Seconds())))
	}
	switch next.State {
	case kyc.StateSubmitted:
		add(analytics.MetricSubmitted)
	case kyc.StateReview:
		add(analytics.MetricReviewIn)
		for _, r := range next.Reasons {
			add(analytics.MetricReviewWhy + r)
		}
	case kyc.StateCompleted:
		d := analytics.MetricDecided + string(next.Decision)
		if next.Decision == kyc.DecisionRejected && next.RejectType != "" {
			d += "." + string(next.RejectType)
		}
		add(d)
		if next.Decision == kyc.DecisionRejected {
			for _, r := range next.Reasons {
				add(analytics.MetricReason + r)
			}
		}
		switch {
		case strings.HasPrefix(next.DecidedBy, "policy:"):
			add(analytics.MetricAuto)
		case next.DecidedBy != "":
			add(analytics.MetricReviewer + next.DecidedBy)
			if ev.FourEyes {
				add(analytics.MetricFourEyes)
			}
		}
	case kyc.StateCancelled, kyc.StateExpired:
		add(analytics.MetricClosed)
	}
	return out
}
