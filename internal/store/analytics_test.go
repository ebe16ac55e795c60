package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// TestAnalyticsCounts: counters add up across shards and transactions
// (concurrent ones too), are selected by merchant, days, level, surface and
// metric prefix, and compaction keeps their sums.
func TestAnalyticsCounts(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		s := open(t, db)
		ctx := context.Background()
		mA, mB := merchant(t, s, "an-a").ID, merchant(t, s, "an-b").ID
		add := func(key string, cs ...store.Count) {
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.AddCounts(ctx, key, cs) }))
		}
		cnt := func(m string, day int, level, metric string, n int64) store.Count {
			return store.Count{MerchantID: m, Day: day, Level: level, Surface: "native", Metric: metric, N: n}
		}
		// one statement with a key twice, and many keys (shards)
		add("ver_1", cnt(mA, 100, "basic", "created", 1), cnt(mA, 100, "basic", "created", 1), cnt(mA, 100, "basic", "check.x.passed", 3))
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error {
					return tx.AddCounts(ctx, fmt.Sprintf("ver_%d", i+2), []store.Count{cnt(mA, 100, "basic", "created", 1), cnt(mA, 101, "full", "created", 1)})
				}))
			}()
		}
		wg.Wait()
		add("ver_b", cnt(mB, 100, "basic", "created", 5))
		add("dlv_1", store.Count{MerchantID: mA, Day: 100, Metric: "webhook.we_1.sent", N: 2})

		get := func(q store.AnalyticsQuery) map[string]int64 {
			cs, err := s.AnalyticsCounts(ctx, q)
			require.NoError(t, err)
			out := map[string]int64{}
			for _, c := range cs {
				out[fmt.Sprintf("%d %s", c.Day, c.Metric)] += c.N
			}
			return out
		}
		require.Equal(t, map[string]int64{"100 created": 22, "100 check.x.passed": 3, "101 created": 20, "100 webhook.we_1.sent": 2},
			get(store.AnalyticsQuery{Merchants: []string{mA}, From: 100, To: 101}))
		require.Equal(t, map[string]int64{"100 created": 27}, get(store.AnalyticsQuery{AllMerchants: true, From: 100, To: 100, Prefixes: []string{"created"}}))
		require.Equal(t, map[string]int64{"101 created": 20}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Level: "full"}))
		require.Equal(t, map[string]int64{"100 check.x.passed": 3}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Prefixes: []string{"check."}}))
		require.Empty(t, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Prefixes: []string{"check_"}}), "LIKE wildcards are literal")
		require.Empty(t, get(store.AnalyticsQuery{From: 0, To: 200}), "no merchants: nothing")
		require.Empty(t, get(store.AnalyticsQuery{Merchants: []string{mB}, From: 101, To: 200}))

		_, err := s.CompactAnalytics(ctx, 101)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"100 created": 22, "100 check.x.passed": 3, "101 created": 20, "100 webhook.we_1.sent": 2},
			get(store.AnalyticsQuery{Merchants: []string{mA}, From: 100, To: 101}), "compaction keeps the sums")
	})
}
