package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// Count is one increment of an analytics counter.
type Count struct {
	MerchantID string
	Day        int // days since 1970-01-01, UTC
	Level      string
	Surface    string
	Metric     string
	N          int64
}

// Day is the analytics day of t.
func Day(t time.Time) int { return int(t.UTC().Unix() / 86400) }

// AnalyticsShards is how many rows share one counter on PostgreSQL, where
// concurrent transactions would otherwise queue on one row lock.
const AnalyticsShards = 4

// AddCounts adds counts to the analytics counters in the caller's
// transaction; key (the id of what is counted) picks the shard.
func (t *Tx) AddCounts(ctx context.Context, key string, cs []Count) error {
	if len(cs) == 0 {
		return nil
	}
	shard := 0
	if t.engine == Postgres { // SQLite has one writer: nothing to spread
		h := fnv.New32a()
		_, _ = h.Write([]byte(key))
		shard = int(h.Sum32() % AnalyticsShards)
	}
	// one row per counter in one statement (PostgreSQL refuses to update a
	// row twice), in the counts table and, without level and surface, the
	// daily one
	counts, daily := map[counter]int64{}, map[counter]int64{}
	for _, c := range cs {
		counts[counter{c.MerchantID, c.Day, c.Level, c.Surface, c.Metric}] += c.N
		daily[counter{c.MerchantID, c.Day, "", "", c.Metric}] += c.N
	}
	if err := t.addCounters(ctx, "analytics_counts", shard, counts); err != nil {
		return err
	}
	return t.addCounters(ctx, "analytics_daily", shard, daily)
}

// counter is one analytics counter (level and surface empty in the daily table).
type counter struct {
	merchant string
	day      int
	level    string
	surface  string
	metric   string
}

func (a counter) compare(b counter) int {
	return cmp.Or(cmp.Compare(a.merchant, b.merchant), cmp.Compare(a.day, b.day), cmp.Compare(a.level, b.level),
		cmp.Compare(a.surface, b.surface), cmp.Compare(a.metric, b.metric))
}

// addCounters upserts counters into table in one statement, in one order
// for every writer: two transactions taking the same rows in opposite
// orders would deadlock on PostgreSQL.
func (t *Tx) addCounters(ctx context.Context, table string, shard int, sums map[counter]int64) error {
	cols, key := "merchant_id, day, level, surface, metric", "merchant_id, day, level, surface, metric, shard"
	if table == "analytics_daily" {
		cols, key = "merchant_id, day, metric", "merchant_id, day, metric, shard"
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + table + ` (` + cols + `, shard, n) VALUES `)
	var args []any
	for i, c := range slices.SortedFunc(maps.Keys(sums), counter.compare) {
		if i > 0 {
			b.WriteString(", ")
		}
		row := []any{c.merchant, c.day, c.level, c.surface, c.metric, shard, sums[c]}
		if table == "analytics_daily" {
			row = []any{c.merchant, c.day, c.metric, shard, sums[c]}
		}
		ph := make([]string, len(row))
		for j := range row {
			ph[j] = fmt.Sprintf("$%d", len(args)+j+1)
		}
		b.WriteString("(" + strings.Join(ph, ", ") + ")")
		args = append(args, row...)
	}
	b.WriteString(` ON CONFLICT (` + key + `) DO UPDATE SET n = ` + table + `.n + excluded.n`)
	if _, err := t.tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

// AnalyticsQuery selects counters: of some merchants (AllMerchants: every
// one), days From to To inclusive, some levels and surfaces when set, and
// only metrics named in Metrics or starting with one of Prefixes when set.
// Totals sums over the days (DayCount.Day is then 0).
type AnalyticsQuery struct {
	Merchants    []string
	AllMerchants bool
	From, To     int
	// Levels and Surfaces select rows of those levels and surfaces (both
	// given when either is chosen: the index is on level, surface, day).
	Levels   []string
	Surfaces []string
	Metrics  []string
	Prefixes []string
	Totals   bool
}

// DayCount is a counter's total on one day (or over the days: Totals).
type DayCount struct {
	Day    int
	Metric string
	N      int64
}

// AnalyticsCounts sums the counters q selects by day and metric (or by
// metric), in day then metric order. Without levels and surfaces it reads
// the daily table, a fraction of the rows.
func (r reads) AnalyticsCounts(ctx context.Context, q AnalyticsQuery) ([]DayCount, error) {
	if !q.AllMerchants && len(q.Merchants) == 0 {
		return nil, nil
	}
	table := "analytics_daily"
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	in := func(col string, vs []string) string {
		ph := make([]string, len(vs))
		for i, v := range vs {
			ph[i] = arg(v)
		}
		return col + " IN (" + strings.Join(ph, ", ") + ")"
	}
	if len(q.Levels) > 0 || len(q.Surfaces) > 0 {
		if len(q.Levels) == 0 || len(q.Surfaces) == 0 {
			return nil, fmt.Errorf("analytics: levels and surfaces go together")
		}
		table = "analytics_counts"
		where = append(where, in("level", q.Levels), in("surface", q.Surfaces))
	}
	where = append(where, "day >= "+arg(q.From), "day <= "+arg(q.To))
	if !q.AllMerchants {
		ph := make([]string, len(q.Merchants))
		for i, m := range q.Merchants {
			ph[i] = arg(m)
		}
		where = append(where, "merchant_id IN ("+strings.Join(ph, ", ")+")")
	}
	var or []string
	if len(q.Metrics) > 0 {
		ph := make([]string, len(q.Metrics))
		for i, m := range q.Metrics {
			ph[i] = arg(m)
		}
		or = append(or, "metric IN ("+strings.Join(ph, ", ")+")")
	}
	for _, p := range q.Prefixes {
		or = append(or, "metric LIKE "+arg(strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(p)+"%")+` ESCAPE '\'`)
	}
	if len(or) > 0 {
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	sel, group := "day, metric", "day, metric"
	if q.Totals {
		sel, group = "0, metric", "metric"
	}
	rows, err := r.q.QueryContext(ctx, `SELECT `+sel+`, SUM(n) FROM `+table+` WHERE `+strings.Join(where, " AND ")+` GROUP BY `+group, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	defer rows.Close()
	var out []DayCount
	for rows.Next() {
		var c DayCount
		if err := rows.Scan(&c.Day, &c.Metric, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].Metric < out[j].Metric
	})
	return out, rows.Err()
}

// CompactAnalytics folds the shards of the counters of days before
// beforeDay into shard 0 (PostgreSQL; SQLite writes one shard), so the rows
// of past days are one per counter, and refreshes the tables' statistics.
func (s *Store) CompactAnalytics(ctx context.Context, beforeDay int) (int64, error) {
	if s.engine != Postgres {
		return 0, nil
	}
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `WITH moved AS (
			DELETE FROM analytics_counts WHERE day < $1 AND shard > 0 RETURNING merchant_id, day, level, surface, metric, n)
			INSERT INTO analytics_counts (merchant_id, day, level, surface, metric, shard, n)
			SELECT merchant_id, day, level, surface, metric, 0, SUM(n) FROM moved GROUP BY merchant_id, day, level, surface, metric
			ON CONFLICT (merchant_id, day, level, surface, metric, shard) DO UPDATE SET n = analytics_counts.n + excluded.n`, beforeDay)
		if err != nil {
			return fmt.Errorf("compact analytics: %w", err)
		}
		n, _ = res.RowsAffected()
		_, err = tx.tx.ExecContext(ctx, `WITH moved AS (
			DELETE FROM analytics_daily WHERE day < $1 AND shard > 0 RETURNING merchant_id, day, metric, n)
			INSERT INTO analytics_daily (merchant_id, day, metric, shard, n)
			SELECT merchant_id, day, metric, 0, SUM(n) FROM moved GROUP BY merchant_id, day, metric
			ON CONFLICT (merchant_id, day, metric, shard) DO UPDATE SET n = analytics_daily.n + excluded.n`, beforeDay)
		if err != nil {
			return fmt.Errorf("compact analytics: %w", err)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	// fresh statistics: the planner aggregates a period's rows by hashing
	// only when it knows how many there are
	if _, err := s.w.ExecContext(ctx, `ANALYZE analytics_counts, analytics_daily`); err != nil {
		return n, fmt.Errorf("analyze analytics: %w", err)
	}
	return n, nil
}

// Documented is a verification that just got its first documents.
type Documented struct {
	ID, MerchantID, Level, Surface string
}

// MarkDocumented records that the applicant's open verifications (state
// created), or only verificationID when given, have documents from at on,
// and returns those that had none before (the funnel counts each once).
func (t *Tx) MarkDocumented(ctx context.Context, merchantID, applicantID, verificationID string, at time.Time) ([]Documented, error) {
	q := `UPDATE verifications SET documents_at = $3 WHERE merchant_id = $1 AND applicant_id = $2 AND state = 'created' AND documents_at IS NULL`
	args := []any{merchantID, applicantID, micros(at)}
	if verificationID != "" {
		q += ` AND id = $4`
		args = append(args, verificationID)
	}
	rows, err := t.tx.QueryContext(ctx, q+` RETURNING id, merchant_id, level, surface`, args...)
	if err != nil {
		return nil, fmt.Errorf("mark documented: %w", err)
	}
	defer rows.Close()
	var out []Documented
	for rows.Next() {
		var d Documented
		if err := rows.Scan(&d.ID, &d.MerchantID, &d.Level, &d.Surface); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// HasDocuments says whether an applicant has any document.
func (r reads) HasDocuments(ctx context.Context, merchantID, applicantID string) (bool, error) {
	var one int
	err := r.q.QueryRowContext(ctx, `SELECT 1 FROM documents WHERE merchant_id = $1 AND applicant_id = $2 LIMIT 1`, merchantID, applicantID).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("has documents: %w", err)
	}
	return true, nil
}
