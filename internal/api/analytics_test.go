package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/analytics"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// TestAnalyticsDocumentsStep: the funnel's "documents uploaded" counts each
// verification once — at the first upload while it is open, or at its
// creation when the documents came first — on both engines.
func TestAnalyticsDocumentsStep(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		count := func() map[string]int64 {
			ms, err := e.app.Merchants.List(ctx)
			require.NoError(t, err)
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			cs, err := e.app.Store.AnalyticsCounts(ctx, store.AnalyticsQuery{Merchants: ids, From: 0, To: store.Day(time.Now()) + 1,
				Metrics: []string{analytics.MetricCreated, analytics.MetricDocuments}, Totals: true})
			require.NoError(t, err)
			out := map[string]int64{}
			for _, c := range cs {
				out[c.Metric] = c.N
			}
			return out
		}
		// verification first, then two uploads: one count
		aid := e.createApplicant(e.keyA, person("an-1", "an1@example.com"))
		r := e.postJSON("/v1/verifications", e.keyA, `{"applicant_id":"`+aid+`","reference":"an-1"}`)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		require.Equal(t, map[string]int64{analytics.MetricCreated: 1}, count())
		for _, kind := range []string{"id_front", "selfie"} {
			r := e.upload(aid, e.keyA, [2]any{"kind", kind}, [2]any{"file", testJPEG(t, 320, 200)})
			require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		}
		require.Equal(t, map[string]int64{analytics.MetricCreated: 1, analytics.MetricDocuments: 1}, count())
		// documents first (the applicant of above has them), then a verification: counted at its creation
		r = e.postJSON("/v1/verifications", e.keyA, `{"applicant_id":"`+aid+`","reference":"an-2"}`)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		require.Equal(t, map[string]int64{analytics.MetricCreated: 2, analytics.MetricDocuments: 2}, count())
	})
}
