package analytics

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/store"
)

func TestBuild(t *testing.T) {
	t.Parallel()
	c := func(day int, m string, n int64) store.DayCount { return store.DayCount{Day: day, Metric: m, N: n} }
	counts := []store.DayCount{
		c(10, MetricCreated, 100), c(10, MetricDocuments, 90), c(10, MetricSubmitted, 80), c(10, MetricDecided+"approved", 50), c(10, MetricDecided+"rejected.retry", 10),
		c(11, MetricDecided+"rejected.final", 5), c(10, MetricAuto, 60), c(10, MetricReviewIn, 8), c(11, MetricReviewOut, 6),
		c(11, MetricReviewer+"reviewer:stf_1", 4), c(11, MetricReviewer+"reviewer:stf_2", 1), c(11, MetricFourEyes, 1),
		c(11, MetricReviewTime+"3", 3), c(11, MetricReviewTime+"12", 3), // 4–8 s, 1024–2048 s
		c(10, MetricReason+"DOCUMENT_MISSING", 9), c(11, MetricReason+"UNDERAGE", 6), c(10, MetricReviewWhy+"SANCTIONS_HIT", 8),
		c(10, MetricCheck+"document.mrz.passed", 30), c(10, MetricCheck+"document.mrz.not_run.unavailable", 10),
		c(10, MetricCheck+"face.match.not_run.not_applicable", 5), c(10, MetricCheck+"face.match.failed", 5),
		c(10, MetricLinkCreated, 20), c(11, MetricLinkDone, 15),
	}
	prior := []store.DayCount{c(3, MetricReviewIn, 5), c(4, MetricReviewOut, 2)} // 3 waiting before
	whs := []store.DayCount{c(10, "webhook.we_1.sent", 100), c(10, "webhook.we_1.ok", 95), c(10, "webhook.we_1.retry", 7),
		c(10, "webhook.we_1.latency.b6", 90), c(10, "webhook.we_1.latency.b11", 10)}
	var r Report
	build(&r, 10, 12, counts, totalsOf(counts), prior, whs)

	require.Len(t, r.Days, 3)
	require.Equal(t, []int64{3 + 8, 3 + 8 - 6, 5}, []int64{r.Days[0].Queue, r.Days[1].Queue, r.Days[2].Queue})
	require.Equal(t, int64(65), r.Decided)
	require.InDelta(t, 60.0/65, r.AutoShare, 1e-9)
	for i, want := range []Stage{{Name: "created", N: 100, Share: 1}, {Name: "documents uploaded", N: 90, Share: 0.9, Drop: 0.1},
		{Name: "submitted", N: 80, Share: 0.8, Drop: 1 - 80.0/90},
		{Name: "decided", N: 65, Share: 0.65, Drop: 1 - 65.0/80}} {
		got := r.Funnel[i]
		require.Equal(t, want.Name, got.Name)
		require.Equal(t, want.N, got.N)
		require.InDelta(t, want.Share, got.Share, 1e-9)
		require.InDelta(t, want.Drop, got.Drop, 1e-9)
	}
	require.Equal(t, int64(15), r.Links[2].N)
	require.Equal(t, "links opened", r.Links[1].Name)
	require.Equal(t, "DOCUMENT_MISSING", r.Reasons[0].Name)
	require.InDelta(t, 0.6, r.Reasons[0].Share, 1e-9)
	require.Equal(t, 8.0, r.ReviewP50)    // bucket 3: [4, 8) s
	require.Equal(t, 4096.0, r.ReviewP90) // bucket 12: [2048, 4096) s
	require.InDelta(t, 0.2, r.FourEyesShare, 1e-9)
	require.Equal(t, []CheckRow{
		{Kind: "document.mrz", Total: 40, Passed: 30, NotRunUnavailable: 10, PassedShare: 0.75, UnavailableShare: 0.25},
		{Kind: "face.match", Total: 10, Failed: 5, NotRunNotApplicable: 5, FailedShare: 0.5, NotApplicShare: 0.5},
	}, r.Checks)
	require.Equal(t, []Endpoint{{ID: "we_1", Sent: 100, OK: 95, Retries: 7, SuccessRate: 0.95, P95LatencyMax: 2048}}, r.Webhooks)
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	var r Report
	build(&r, 5, 5, nil, nil, nil, nil)
	require.Len(t, r.Days, 1)
	require.Zero(t, r.AutoShare)
	require.Zero(t, r.ReviewP50)
	require.Equal(t, 0.0, r.Funnel[1].Drop)
	require.Len(t, r.Funnel, 4)
}

// totalsOf sums counts by metric, as a Totals query does.
func totalsOf(cs []store.DayCount) []store.DayCount {
	sum := map[string]int64{}
	for _, c := range cs {
		sum[c.Metric] += c.N
	}
	var out []store.DayCount
	for m, n := range sum {
		out = append(out, store.DayCount{Metric: m, N: n})
	}
	return out
}
