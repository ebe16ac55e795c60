package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Count is one increment of an analytics counter.
type Count struct {
	MerchantID string
	Day        int // days since 1970-01-01, UTC
	Level      string
	Surface    string
	Country    string // of the verification's document, as declared ("" unknown)
	Metric     string
	N          int64
}

// Day is the analytics day of t.
func Day(t time.Time) int { return int(t.UTC().Unix() / 86400) }

// AnalyticsShards is how many rows share one counter on PostgreSQL, where
// concurrent transactions would otherwise queue on one row lock.
const AnalyticsShards = 4

// cube is one table of analytics counters: per merchant and day, and per
// its dimensions. Each count is added to every cube, summed over the
// dimensions the cube lacks, so a page reads the smallest cube that holds
// its filters.
type cube struct {
	table string
	dims  []string // in key order, after merchant_id and day
}

var (
	dailyCube   = cube{"analytics_daily", nil}
	countsCube  = cube{"analytics_counts", []string{"level", "surface"}}
	countryCube = cube{"analytics_countries", []string{"country"}}
	// cubes in the one order every writer takes their rows
	cubes = []cube{countsCube, dailyCube, countryCube}
)

// key is c's counter in the cube: its dimensions beyond the cube's empty.
func (cb cube) key(c Count) counter {
	k := counter{merchant: c.MerchantID, day: c.Day, metric: c.Metric}
	for _, d := range cb.dims {
		switch d {
		case "level":
			k.level = c.Level
		case "surface":
			k.surface = c.Surface
		case "country":
			k.country = c.Country
		}
	}
	return k
}

// values are k's dimension values, in the order of cb.dims.
func (cb cube) values(k counter) []any {
	out := make([]any, len(cb.dims))
	for i, d := range cb.dims {
		switch d {
		case "level":
			out[i] = k.level
		case "surface":
			out[i] = k.surface
		case "country":
			out[i] = k.country
		}
	}
	return out
}

func (cb cube) blocks() string { return cb.table + "_blocks" }

// AddCounts adds counts to the analytics counters in the caller's
// transaction; key (the id of what is counted) picks the shard. The
// services count on the day things happen; a count into a day of a block
// already summed (a loader's, a test's) removes that block until the
// housekeeping sums it again.
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
	// row twice), per cube
	lastSummed := Day(time.Now()) - blockMargin
	stale := map[block]bool{}
	for _, cb := range cubes {
		sums := map[counter]int64{}
		for _, c := range cs {
			if cb.table != dailyCube.table && c.Level == "" && c.Surface == "" {
				continue // of no verification (a webhook delivery): read from the daily cube only
			}
			sums[cb.key(c)] += c.N
			if c.Day <= lastSummed {
				for _, size := range append([]int{1}, blockSizes...) {
					stale[block{size, c.Day - c.Day%size}] = true
				}
			}
		}
		if len(sums) == 0 {
			continue
		}
		if err := t.addCounters(ctx, cb, shard, sums); err != nil {
			return err
		}
	}
	for _, b := range slices.SortedFunc(maps.Keys(stale), block.compare) {
		if err := t.dropBlock(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// counter is one analytics counter (dimensions a cube lacks empty).
type counter struct {
	merchant string
	day      int
	country  string
	level    string
	surface  string
	metric   string
}

func (a counter) compare(b counter) int {
	return cmp.Or(cmp.Compare(a.merchant, b.merchant), cmp.Compare(a.day, b.day), cmp.Compare(a.country, b.country),
		cmp.Compare(a.level, b.level), cmp.Compare(a.surface, b.surface), cmp.Compare(a.metric, b.metric))
}

// addCounters upserts counters into the cube's table in one statement, in
// one order for every writer: two transactions taking the same rows in
// opposite orders would deadlock on PostgreSQL.
func (t *Tx) addCounters(ctx context.Context, cb cube, shard int, sums map[counter]int64) error {
	cols := append(append([]string{"merchant_id", "day"}, cb.dims...), "metric")
	key := strings.Join(cols, ", ") + ", shard"
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + cb.table + ` (` + key + `, n) VALUES `)
	var args []any
	for i, c := range slices.SortedFunc(maps.Keys(sums), counter.compare) {
		if i > 0 {
			b.WriteString(", ")
		}
		row := append(append([]any{c.merchant, c.day}, cb.values(c)...), c.metric, shard, sums[c])
		ph := make([]string, len(row))
		for j := range row {
			ph[j] = fmt.Sprintf("$%d", len(args)+j+1)
		}
		b.WriteString("(" + strings.Join(ph, ", ") + ")")
		args = append(args, row...)
	}
	b.WriteString(` ON CONFLICT (` + key + `) DO UPDATE SET n = ` + cb.table + `.n + excluded.n`)
	if _, err := t.tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("%s: %w", cb.table, err)
	}
	return nil
}

// AnalyticsQuery selects counters: of some merchants (AllMerchants: every
// one), days From to To inclusive, some levels, surfaces and countries when
// set, and only metrics named in Metrics or starting with one of Prefixes
// when set. Totals sums over the days (DayCount.Day is then 0).
type AnalyticsQuery struct {
	Merchants    []string
	AllMerchants bool
	From, To     int
	// Levels and Surfaces select rows of those levels and surfaces (both
	// given when either is chosen: the index leads with them); Countries
	// rows of those countries, not with levels or surfaces.
	Levels    []string
	Surfaces  []string
	Countries []string
	Metrics   []string
	Prefixes  []string
	Totals    bool
}

// DayCount is a counter's total on one day (or over the days: Totals).
type DayCount struct {
	Day    int
	Metric string
	N      int64
}

// AnalyticsCounts sums the counters q selects by day and metric (or by
// metric), in day then metric order. It reads the smallest cube that holds
// q's filters, and for Totals the blocks built within the period.
func (r reads) AnalyticsCounts(ctx context.Context, q AnalyticsQuery) ([]DayCount, error) {
	if !q.AllMerchants && len(q.Merchants) == 0 {
		return nil, nil
	}
	cb := dailyCube
	switch {
	case len(q.Countries) > 0:
		if len(q.Levels) > 0 || len(q.Surfaces) > 0 {
			return nil, fmt.Errorf("analytics: countries are not counted by level or surface")
		}
		cb = countryCube
	case len(q.Levels) > 0 || len(q.Surfaces) > 0:
		if len(q.Levels) == 0 || len(q.Surfaces) == 0 {
			return nil, fmt.Errorf("analytics: levels and surfaces go together")
		}
		cb = countsCube
	}
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
	// filter is q's conditions but the days, for a table of the cube or its blocks
	filter := func(blocks bool) []string {
		var where []string
		if len(q.Countries) > 0 {
			where = append(where, in("country", q.Countries))
		}
		if cb.table == countsCube.table {
			where = append(where, in("level", q.Levels), in("surface", q.Surfaces))
		}
		switch {
		case !q.AllMerchants:
			where = append(where, in("merchant_id", q.Merchants))
		case blocks:
			where = append(where, "merchant_id = "+arg(everyMerchant))
		}
		var or []string
		if len(q.Metrics) > 0 {
			or = append(or, in("metric", q.Metrics))
		}
		for _, p := range q.Prefixes {
			or = append(or, "metric LIKE "+arg(strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(p)+"%")+` ESCAPE '\'`)
		}
		if len(or) > 0 {
			where = append(where, "("+strings.Join(or, " OR ")+")")
		}
		return where
	}
	built, err := r.builtBlocks(ctx)
	if err != nil {
		return nil, err
	}
	// the sizes that may stand for days: the blocks for totals, and for
	// every merchant the day sums (a series reads those alone, but from the
	// daily cube its index is quicker)
	var sizes []int
	if q.Totals {
		sizes = blockSizes
	}
	if q.AllMerchants && (q.Totals || cb.table != dailyCube.table) {
		sizes = append(slices.Clone(sizes), 1)
	}
	blocks, spans := cover(q.From, q.To, built, sizes)
	day := "day"
	if q.Totals {
		day = "0"
	}
	var parts []string
	if len(spans) > 0 {
		var days []string
		for _, s := range spans {
			days = append(days, "day BETWEEN "+arg(s[0])+" AND "+arg(s[1]))
		}
		where := append(filter(false), "("+strings.Join(days, " OR ")+")")
		parts = append(parts, `SELECT `+day+` AS day, metric, n FROM `+cb.table+` WHERE `+strings.Join(where, " AND "))
	}
	if len(blocks) > 0 {
		firsts := map[int][]int{}
		for _, b := range blocks {
			firsts[b.days] = append(firsts[b.days], b.first)
		}
		var sel []string
		for _, size := range slices.Sorted(maps.Keys(firsts)) {
			if size == 1 { // day sums come in runs
				for _, r := range runs(firsts[1]) {
					sel = append(sel, "(days = 1 AND first_day BETWEEN "+arg(r[0])+" AND "+arg(r[1])+")")
				}
				continue
			}
			ids := make([]string, len(firsts[size]))
			for i, f := range firsts[size] {
				ids[i] = strconv.Itoa(f)
			}
			sel = append(sel, "(days = "+arg(size)+" AND "+in("first_day", ids)+")")
		}
		if !q.Totals {
			day = "first_day"
		}
		where := append(filter(true), "("+strings.Join(sel, " OR ")+")")
		parts = append(parts, `SELECT `+day+` AS day, metric, n FROM `+cb.blocks()+` WHERE `+strings.Join(where, " AND "))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	query := `SELECT day, metric, SUM(n) FROM (` + strings.Join(parts, " UNION ALL ") + `) AS counted GROUP BY day, metric`
	rows, err := r.q.QueryContext(ctx, query, args...)
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
// of past days are one per counter, builds the blocks whose days are all
// past, and refreshes the tables' statistics.
func (s *Store) CompactAnalytics(ctx context.Context, beforeDay int) (int64, error) {
	var n int64
	if s.engine == Postgres {
		err := s.InTx(ctx, func(tx *Tx) error {
			for _, cb := range cubes {
				cols := strings.Join(append(append([]string{"merchant_id", "day"}, cb.dims...), "metric"), ", ")
				res, err := tx.tx.ExecContext(ctx, `WITH moved AS (
					DELETE FROM `+cb.table+` WHERE day < $1 AND shard > 0 RETURNING `+cols+`, n)
					INSERT INTO `+cb.table+` (`+cols+`, shard, n)
					SELECT `+cols+`, 0, SUM(n) FROM moved GROUP BY `+cols+`
					ON CONFLICT (`+cols+`, shard) DO UPDATE SET n = `+cb.table+`.n + excluded.n`, beforeDay)
				if err != nil {
					return fmt.Errorf("compact %s: %w", cb.table, err)
				}
				k, _ := res.RowsAffected()
				n += k
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	if err := s.buildBlocks(ctx, beforeDay); err != nil {
		return n, err
	}
	if s.engine != Postgres {
		return n, nil
	}
	// fresh statistics (the planner aggregates a period's rows by hashing
	// only when it knows how many there are) and visibility maps (reads by
	// an index alone skip the rows only on pages known all-visible)
	if _, err := s.w.ExecContext(ctx, `VACUUM (ANALYZE) analytics_counts, analytics_daily, analytics_countries,
		analytics_counts_blocks, analytics_daily_blocks, analytics_countries_blocks`); err != nil {
		return n, fmt.Errorf("vacuum analytics: %w", err)
	}
	return n, nil
}

// blockSizes are the lengths of the blocks, largest first; each is aligned
// on day 0 and four of one size make one of the next.
var blockSizes = []int{256, 64, 16, 4}

// everyMerchant is the merchant id of a block's sums over every merchant
// (the admins' pages): a fraction of its rows.
const everyMerchant = "*"

// daySumDays is how far back day sums are kept built.
const daySumDays = 400

// blockMargin: blocks are built of days at least this far before today, so
// a transaction counting across midnight never lands in a built block.
const blockMargin = 2

// block is a run of days whose counters are summed: days long from first.
type block struct{ days, first int }

func (a block) compare(b block) int {
	return cmp.Or(cmp.Compare(a.days, b.days), cmp.Compare(a.first, b.first))
}

// builtBlocks are the blocks whose sums are current.
func (r reads) builtBlocks(ctx context.Context) (map[block]bool, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT days, first_day FROM analytics_blocks`)
	if err != nil {
		return nil, fmt.Errorf("analytics blocks: %w", err)
	}
	defer rows.Close()
	out := map[block]bool{}
	for rows.Next() {
		var b block
		if err := rows.Scan(&b.days, &b.first); err != nil {
			return nil, err
		}
		out[b] = true
	}
	return out, rows.Err()
}

// cover splits days from to to (inclusive) into the largest built blocks
// of the sizes (largest first) that fit, and the runs of days between them.
func cover(from, to int, built map[block]bool, sizes []int) (blocks []block, spans [][2]int) {
	first := math.MaxInt // the earliest block: every day before it is a day
	for b := range built {
		if slices.Contains(sizes, b.days) {
			first = min(first, b.first)
		}
	}
	days := func(a, b int) { // adds days a to b
		if n := len(spans); n > 0 && spans[n-1][1] == a-1 {
			spans[n-1][1] = b
			return
		}
		spans = append(spans, [2]int{a, b})
	}
	for d := from; d <= to; {
		if d < first {
			end := min(to, first-1)
			days(d, end)
			d = end + 1
			continue
		}
		taken := false
		for _, size := range sizes {
			if b := (block{size, d}); d%size == 0 && d+size-1 <= to && built[b] {
				blocks = append(blocks, b)
				d += size
				taken = true
				break
			}
		}
		if !taken {
			days(d, d)
			d++
		}
	}
	return blocks, spans
}

// runs are the runs of consecutive numbers of ascending xs.
func runs(xs []int) [][2]int {
	var out [][2]int
	for _, x := range xs {
		if n := len(out); n > 0 && out[n-1][1] == x-1 {
			out[n-1][1] = x
			continue
		}
		out = append(out, [2]int{x, x})
	}
	return out
}

// buildBlocks sums, for every block whose days all lie before
// today - blockMargin + 1 and that is not built, each cube's counters of
// those days (from the four blocks a size below when they are built), one
// block per transaction.
func (s *Store) buildBlocks(ctx context.Context, today int) error {
	var lo sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT MIN(day) FROM analytics_daily`).Scan(&lo); err != nil {
		return fmt.Errorf("analytics blocks: %w", err)
	}
	if !lo.Valid {
		return nil
	}
	built, err := s.builtBlocks(ctx)
	if err != nil {
		return err
	}
	last := today - blockMargin
	// day sums of every merchant (the admins' series and period ends), of
	// the days a report of the last year can cover
	for d := max(int(lo.Int64), today-daySumDays); d <= last; d++ {
		b := block{1, d}
		if built[b] {
			continue
		}
		err := s.InTx(ctx, func(tx *Tx) error {
			if err := tx.dropBlock(ctx, b); err != nil {
				return err
			}
			for _, cb := range cubes {
				dims := strings.Join(append(append([]string{}, cb.dims...), "metric"), ", ")
				if _, err := tx.tx.ExecContext(ctx, `INSERT INTO `+cb.blocks()+` (days, first_day, merchant_id, `+dims+`, n)
					SELECT 1, $1, $2, `+dims+`, SUM(n) FROM `+cb.table+` WHERE day = $1 GROUP BY `+dims+` ON CONFLICT DO NOTHING`, d, everyMerchant); err != nil {
					return fmt.Errorf("build %s: %w", cb.blocks(), err)
				}
			}
			return tx.markBuilt(ctx, b)
		})
		if err != nil {
			return fmt.Errorf("analytics blocks: %w", err)
		}
		built[b] = true
	}
	for i := len(blockSizes) - 1; i >= 0; i-- {
		size := blockSizes[i]
		for first := int(lo.Int64) - int(lo.Int64)%size; first+size-1 <= last; first += size {
			b := block{size, first}
			if built[b] {
				continue
			}
			fromParts := i < len(blockSizes)-1 // the smallest: from days (day sums are of every merchant only)
			if fromParts {
				part := blockSizes[i+1]
				for p := first; p < first+size; p += part {
					fromParts = fromParts && built[block{part, p}]
				}
			}
			err := s.InTx(ctx, func(tx *Tx) error {
				if err := tx.dropBlock(ctx, b); err != nil {
					return err
				}
				for _, cb := range cubes {
					dims := strings.Join(append(append([]string{}, cb.dims...), "metric"), ", ")
					src := `FROM ` + cb.table + ` WHERE day BETWEEN $3 AND $4`
					args := []any{size, first, first, first + size - 1}
					if fromParts {
						src = `FROM ` + cb.blocks() + ` WHERE days = $3 AND first_day BETWEEN $4 AND $5`
						args = []any{size, first, blockSizes[i+1], first, first + size - 1}
					}
					// each merchant's sums, and every merchant's together
					each, every := src, src
					if fromParts {
						each, every = src+` AND merchant_id <> $6`, src+` AND merchant_id = $6`
						args = append(args, everyMerchant)
					}
					if _, err := tx.tx.ExecContext(ctx, `INSERT INTO `+cb.blocks()+` (days, first_day, merchant_id, `+dims+`, n)
						SELECT $1, $2, merchant_id, `+dims+`, SUM(n) `+each+` GROUP BY merchant_id, `+dims+` ON CONFLICT DO NOTHING`, args...); err != nil {
						return fmt.Errorf("build %s: %w", cb.blocks(), err)
					}
					if _, err := tx.tx.ExecContext(ctx, `INSERT INTO `+cb.blocks()+` (days, first_day, merchant_id, `+dims+`, n)
						SELECT $1, $2, '`+everyMerchant+`', `+dims+`, SUM(n) `+every+` GROUP BY `+dims+` ON CONFLICT DO NOTHING`, args...); err != nil {
						return fmt.Errorf("build %s: %w", cb.blocks(), err)
					}
				}
				return tx.markBuilt(ctx, b)
			})
			if err != nil {
				return fmt.Errorf("analytics blocks: %w", err)
			}
			built[b] = true
		}
	}
	return nil
}

// AnalyticsBlockRows is how many rows of the daily cube the block of size
// days from first holds (0 when it is not built).
func (r reads) AnalyticsBlockRows(ctx context.Context, days, first int) (int64, error) {
	var n int64
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM analytics_daily_blocks b JOIN analytics_blocks k ON k.days = b.days AND k.first_day = b.first_day
		WHERE b.days = $1 AND b.first_day = $2`, days, first).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("analytics blocks: %w", err)
	}
	return n, nil
}

// markBuilt lists a block as built. Two replicas' housekeeping may build
// one block at once: the same sums, so the second's rows are dropped
// (ON CONFLICT DO NOTHING) rather than failing its pass.
func (t *Tx) markBuilt(ctx context.Context, b block) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO analytics_blocks (days, first_day, built_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, b.days, b.first, micros(time.Now()))
	return err
}

// dropBlock removes a block's sums.
func (t *Tx) dropBlock(ctx context.Context, b block) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM analytics_blocks WHERE days = $1 AND first_day = $2`, b.days, b.first); err != nil {
		return fmt.Errorf("drop analytics block: %w", err)
	}
	for _, cb := range cubes {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM `+cb.blocks()+` WHERE days = $1 AND first_day = $2`, b.days, b.first); err != nil {
			return fmt.Errorf("drop analytics block: %w", err)
		}
	}
	return nil
}

// Documented is a verification that just got its first documents.
type Documented struct {
	ID, MerchantID, Level, Surface, Country string
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
	rows, err := t.tx.QueryContext(ctx, q+` RETURNING id, merchant_id, level, surface, country`, args...)
	if err != nil {
		return nil, fmt.Errorf("mark documented: %w", err)
	}
	defer rows.Close()
	var out []Documented
	for rows.Next() {
		var d Documented
		if err := rows.Scan(&d.ID, &d.MerchantID, &d.Level, &d.Surface, &d.Country); err != nil {
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
