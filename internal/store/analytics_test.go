package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
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
		require.Equal(t, map[string]int64{"101 created": 20}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Levels: []string{"full"}, Surfaces: []string{"native", "vexora"}}))
		require.Equal(t, map[string]int64{"100 check.x.passed": 3}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Prefixes: []string{"check."}}))
		require.Empty(t, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Prefixes: []string{"check_"}}), "LIKE wildcards are literal")
		require.Empty(t, get(store.AnalyticsQuery{From: 0, To: 200}), "no merchants: nothing")
		require.Empty(t, get(store.AnalyticsQuery{Merchants: []string{mB}, From: 101, To: 200}))

		require.Equal(t, map[string]int64{"0 created": 42}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Metrics: []string{"created"}, Totals: true}))
		require.Equal(t, map[string]int64{"100 created": 22}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Levels: []string{"basic"}, Surfaces: []string{"native"}, Metrics: []string{"created"}}))
		require.Empty(t, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 200, Levels: []string{"basic", "full"}, Surfaces: []string{"vexora"}}))

		_, err := s.CompactAnalytics(ctx, 101)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"100 created": 22, "100 check.x.passed": 3, "101 created": 20, "100 webhook.we_1.sent": 2},
			get(store.AnalyticsQuery{Merchants: []string{mA}, From: 100, To: 101}), "compaction keeps the sums")

		// by country: a cube of its own
		add("ver_c", store.Count{MerchantID: mB, Day: 300, Level: "basic", Surface: "native", Country: "DE", Metric: "created", N: 4},
			store.Count{MerchantID: mB, Day: 301, Level: "full", Surface: "vexora", Country: "FR", Metric: "created", N: 1})
		all := store.AnalyticsQuery{AllMerchants: true, From: 0, To: 400, Metrics: []string{"created"}, Totals: true}
		de, unknown := all, all
		de.Countries, unknown.Countries = []string{"DE"}, []string{""}
		_, err = s.AnalyticsCounts(ctx, store.AnalyticsQuery{AllMerchants: true, From: 0, To: 400, Countries: []string{"DE"}, Levels: []string{"basic"}, Surfaces: []string{"native"}})
		require.Error(t, err, "not counted by country and level")
		require.Equal(t, map[string]int64{"0 created": 4}, get(de))
		require.Equal(t, map[string]int64{"0 created": 47}, get(unknown), "counted without a country")
		require.Equal(t, map[string]int64{"0 created": 52}, get(all))

		// blocks: built for the days past, the same totals read from them,
		// and a count written later into a built day drops its blocks
		totals := func() map[string]int64 {
			return get(store.AnalyticsQuery{AllMerchants: true, From: 0, To: 1000, Totals: true})
		}
		want := map[string]int64{"0 created": 52, "0 check.x.passed": 3, "0 webhook.we_1.sent": 2}
		require.Equal(t, want, totals())
		today := store.Day(time.Now())
		_, err = s.CompactAnalytics(ctx, today)
		require.NoError(t, err)
		require.Equal(t, int64(4+3), blocksHolding(t, s, 256, 0), "the block of days 0 to 255 holds a row per merchant and metric, and one per metric for every merchant")
		require.Equal(t, want, totals(), "from the blocks")
		require.Equal(t, map[string]int64{"0 created": 4}, get(de), "by country, from the blocks")
		require.Equal(t, map[string]int64{"0 created": 20}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 101, To: 101, Metrics: []string{"created"}, Totals: true}), "one day inside a block")
		add("ver_late", cnt(mA, 101, "full", "created", 1))
		require.Equal(t, int64(0), blocksHolding(t, s, 256, 0), "a count into a built day drops its blocks")
		want["0 created"]++
		require.Equal(t, want, totals(), "the days again")
		_, err = s.CompactAnalytics(ctx, today)
		require.NoError(t, err)
		require.Equal(t, want, totals(), "rebuilt")
		require.Equal(t, int64(1), get(store.AnalyticsQuery{Merchants: []string{mA}, From: 0, To: 1000, Levels: []string{"full"}, Surfaces: []string{"native"}, Totals: true})["0 created"]-20, "by level, from the blocks")

		// a larger block summed from the four below it, each merchant's and
		// every merchant's rows apart
		add("ver_p", cnt(mA, 117, "basic", "created", 2), cnt(mB, 130, "basic", "created", 3))
		_, err = s.CompactAnalytics(ctx, today)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"0 created": 5}, get(store.AnalyticsQuery{AllMerchants: true, From: 112, To: 143, Metrics: []string{"created"}, Totals: true}))
		require.Equal(t, map[string]int64{"0 created": 2}, get(store.AnalyticsQuery{Merchants: []string{mA}, From: 112, To: 143, Metrics: []string{"created"}, Totals: true}))
		require.Equal(t, map[string]int64{"0 created": 3}, get(store.AnalyticsQuery{Merchants: []string{mB}, From: 128, To: 143, Levels: []string{"basic"}, Surfaces: []string{"native"}, Totals: true}))

		// recent days: every merchant's day sums stand for the days (a
		// series, the ends of a period), and a late count drops its own
		r := today - 10
		add("ver_r", cnt(mA, r, "basic", "created", 1), cnt(mB, r, "basic", "created", 2), cnt(mA, r+1, "full", "created", 4), cnt(mB, today, "basic", "created", 8))
		_, err = s.CompactAnalytics(ctx, today)
		require.NoError(t, err)
		series := store.AnalyticsQuery{AllMerchants: true, From: r - 1, To: today, Metrics: []string{"created"}}
		wantSeries := map[string]int64{fmt.Sprintf("%d created", r): 3, fmt.Sprintf("%d created", r+1): 4, fmt.Sprintf("%d created", today): 8}
		require.Equal(t, wantSeries, get(series))
		require.Equal(t, map[string]int64{"0 created": 15}, get(store.AnalyticsQuery{AllMerchants: true, From: r - 3, To: today, Metrics: []string{"created"}, Totals: true}))
		require.Equal(t, map[string]int64{"0 created": 8}, get(store.AnalyticsQuery{Merchants: []string{mB}, From: r + 1, To: today, Metrics: []string{"created"}, Totals: true}))
		add("ver_r2", cnt(mB, r+1, "basic", "created", 16))
		wantSeries[fmt.Sprintf("%d created", r+1)] += 16
		require.Equal(t, wantSeries, get(series), "the day's sum dropped: read from the days")
		_, err = s.CompactAnalytics(ctx, today)
		require.NoError(t, err)
		require.Equal(t, wantSeries, get(series), "rebuilt")
		require.Equal(t, map[string]int64{fmt.Sprintf("%d created", r+1): 4}, get(store.AnalyticsQuery{AllMerchants: true, From: r, To: r + 1, Metrics: []string{"created"}, Levels: []string{"full"}, Surfaces: []string{"native"}}))

		// two replicas' housekeeping building the same blocks at once
		add("ver_r3", cnt(mA, r, "basic", "created", 32))
		wantSeries[fmt.Sprintf("%d created", r)] += 32
		var both sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			both.Add(1)
			go func() {
				defer both.Done()
				_, errs[i] = s.CompactAnalytics(ctx, today)
			}()
		}
		both.Wait()
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		require.Equal(t, wantSeries, get(series))
		require.Equal(t, map[string]int64{"0 created": 15 + 16 + 32}, get(store.AnalyticsQuery{AllMerchants: true, From: r - 3, To: today, Metrics: []string{"created"}, Totals: true}))
	})
}

// blocksHolding is how many rows the daily block of size days from first
// holds.
func blocksHolding(t *testing.T, s *store.Store, days, first int) int64 {
	t.Helper()
	n, err := s.AnalyticsBlockRows(context.Background(), days, first)
	require.NoError(t, err)
	return n
}

// BenchmarkAnalyticsAddCounts: what counting adds to a decision's
// transaction — the counters of a decision after sixteen checks — against
// the same transaction without them, on each engine.
func BenchmarkAnalyticsAddCounts(b *testing.B) {
	for _, db := range kyctest.DBs(b) {
		b.Run(db.Name, func(b *testing.B) {
			s := open(b, db)
			ctx := context.Background()
			m := kyc.Merchant{ID: kyc.NewID(kyc.PrefixMerchant), MerchantNo: "bench", Name: "Bench", Status: kyc.MerchantActive, CreatedAt: now(), UpdatedAt: now()}
			require.NoError(b, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMerchant(ctx, m) }))
			day := store.Day(time.Now())
			var cs []store.Count
			for _, metric := range []string{"decided.approved", "auto", "review.out", "review.time.b9"} {
				cs = append(cs, store.Count{MerchantID: m.ID, Day: day, Level: "basic", Surface: "native", Metric: metric, N: 1})
			}
			for i := range 16 {
				cs = append(cs, store.Count{MerchantID: m.ID, Day: day, Level: "basic", Surface: "native", Metric: fmt.Sprintf("check.kind%d.passed", i), N: 1})
			}
			b.Run("transaction alone", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					require.NoError(b, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertEvent(ctx, event(m.ID)) }))
				}
			})
			b.Run("with a decision's counters", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					require.NoError(b, s.InTx(ctx, func(tx *store.Tx) error {
						if err := tx.InsertEvent(ctx, event(m.ID)); err != nil {
							return err
						}
						return tx.AddCounts(ctx, fmt.Sprint("ver_", i), cs)
					}))
				}
			})
		})
	}
}

// event is a decision's outbox event: the write every decision makes.
func event(merchantID string) kyc.Event {
	return kyc.Event{ID: kyc.NewID(kyc.PrefixEvent), MerchantID: merchantID, Type: "verification.completed", SubjectID: kyc.NewID(kyc.PrefixVerification),
		Payload: []byte(`{"state":"completed","decision":"approved"}`), CreatedAt: now()}
}
