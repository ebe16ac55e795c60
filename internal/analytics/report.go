package analytics

import (
	"context"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Filter selects what a report covers: the merchants (All: every one, for
// admins), UTC days From to To inclusive, and optionally one level and one
// surface, or one document country (Unknown: verifications declaring none;
// counters by country are not kept by level or surface).
type Filter struct {
	Merchants []string
	All       bool
	From, To  time.Time
	Level     string
	Surface   string
	Country   string
	// Levels and Surfaces are every level and surface there is: a chosen
	// level is read with every surface, and the reverse.
	Levels, Surfaces []string
}

// Unknown is the Country filter of verifications whose applicant declared
// neither a document country nor a nationality.
const Unknown = "unknown"

// MaxDays is the longest period a report covers.
const MaxDays = 366

// Day is one day of a report's series.
type Day struct {
	Date                                           time.Time
	Created, Submitted                             int64
	Approved, RejectedRetry, RejectedFinal, Review int64 // decided that day / handed to review
	Queue                                          int64 // in review at the end of the day
}

// Stage is a funnel step.
type Stage struct {
	Name  string
	N     int64
	Share float64 // of the first stage
	Drop  float64 // lost since the previous stage
}

// Share is a count with its share of a total.
type Share struct {
	Name  string
	N     int64
	Share float64
}

// CheckRow is one check kind's outcomes.
type CheckRow struct {
	Kind                                         string
	Total                                        int64
	Passed, Failed, Review, Error                int64
	NotRunUnavailable, NotRunNotApplicable       int64
	PassedShare, FailedShare, ReviewShare        float64
	ErrorShare, UnavailableShare, NotApplicShare float64
}

// Endpoint is one webhook endpoint's health.
type Endpoint struct {
	ID            string
	Sent, OK      int64
	Retries       int64
	SuccessRate   float64
	P95LatencyMax float64 // ms: the upper bound of the bucket holding the 95th percentile
}

// Report is what the analytics page shows.
type Report struct {
	Filter                 Filter
	Days                   []Day
	Funnel                 []Stage
	Links                  []Stage
	Decided, Auto          int64
	AutoShare              float64
	Reasons, ReviewReasons []Share
	Checks                 []CheckRow
	ReviewIn, ReviewOut    int64
	ReviewP50, ReviewP90   float64 // seconds, upper bounds of their buckets (0: no data)
	FourEyes               int64
	FourEyesShare          float64 // of decisions made by people
	Reviewers              []Share
	Webhooks               []Endpoint
}

// Service computes reports from the counters.
type Service struct{ store *store.Store }

// New returns the analytics service.
func New(s *store.Store) *Service { return &Service{store: s} }

// Report computes the report of f.
func (s *Service) Report(ctx context.Context, f Filter) (Report, error) {
	r := Report{Filter: f}
	from, to := store.Day(f.From), store.Day(f.To)
	q := store.AnalyticsQuery{Merchants: f.Merchants, AllMerchants: f.All, From: from, To: to}
	switch {
	case f.Country == Unknown:
		q.Countries = []string{""}
	case f.Country != "":
		q.Countries = []string{f.Country}
	case f.Level != "" || f.Surface != "":
		q.Levels, q.Surfaces = f.Levels, f.Surfaces
		if f.Level != "" {
			q.Levels = []string{f.Level}
		}
		if f.Surface != "" {
			q.Surfaces = []string{f.Surface}
		}
	}
	// per day: the few metrics of the charts
	series := q
	series.Metrics = seriesMetrics
	days, err := s.store.AnalyticsCounts(ctx, series)
	if err != nil {
		return r, err
	}
	// over the period: everything
	totals := q
	totals.Totals = true
	all, err := s.store.AnalyticsCounts(ctx, totals)
	if err != nil {
		return r, err
	}
	// the review queue before the period: everything handed in and taken out since the start
	before := q
	before.From, before.To, before.Metrics, before.Totals = 0, from-1, []string{MetricReviewIn, MetricReviewOut}, true
	prior, err := s.store.AnalyticsCounts(ctx, before)
	if err != nil {
		return r, err
	}
	// webhooks: not of a level, surface or country; in the totals when
	// those are not chosen
	var whs []store.DayCount
	if len(q.Levels)+len(q.Countries) == 0 {
		for _, c := range all {
			if strings.HasPrefix(c.Metric, MetricWebhook) {
				whs = append(whs, c)
			}
		}
	} else {
		hooks := store.AnalyticsQuery{Merchants: f.Merchants, AllMerchants: f.All, From: from, To: to, Prefixes: []string{MetricWebhook}, Totals: true}
		if whs, err = s.store.AnalyticsCounts(ctx, hooks); err != nil {
			return r, err
		}
	}
	build(&r, from, to, days, all, prior, whs)
	return r, nil
}

// seriesMetrics are counted per day on the page.
var seriesMetrics = []string{MetricCreated, MetricSubmitted, MetricDecided + "approved", MetricDecided + "rejected.retry",
	MetricDecided + "rejected.final", MetricDecided + "rejected", MetricReviewIn, MetricReviewOut}

func build(r *Report, from, to int, series, totals, prior, whs []store.DayCount) {
	var queue int64
	for _, c := range prior {
		switch c.Metric {
		case MetricReviewIn:
			queue += c.N
		case MetricReviewOut:
			queue -= c.N
		}
	}
	days := make([]Day, to-from+1)
	for i := range days {
		days[i].Date = time.Unix(int64(from+i)*86400, 0).UTC()
	}
	in, out := map[int]int64{}, map[int]int64{}
	for _, c := range series {
		if c.Day < from || c.Day > to {
			continue
		}
		d := &days[c.Day-from]
		switch c.Metric {
		case MetricCreated:
			d.Created += c.N
		case MetricSubmitted:
			d.Submitted += c.N
		case MetricDecided + "approved":
			d.Approved += c.N
		case MetricDecided + "rejected.retry":
			d.RejectedRetry += c.N
		case MetricDecided + "rejected.final", MetricDecided + "rejected":
			d.RejectedFinal += c.N
		case MetricReviewIn:
			d.Review += c.N
			in[c.Day] += c.N
		case MetricReviewOut:
			out[c.Day] += c.N
		}
	}
	total := map[string]int64{}
	reviewTime := map[int]int64{}
	checks := map[string]*CheckRow{}
	reasons, why, reviewers := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, c := range totals {
		total[c.Metric] += c.N
		switch m := c.Metric; {
		case strings.HasPrefix(m, MetricReviewTime):
			if b, err := strconv.Atoi(m[len(MetricReviewTime):]); err == nil {
				reviewTime[b] += c.N
			}
		case strings.HasPrefix(m, MetricReason):
			reasons[m[len(MetricReason):]] += c.N
		case strings.HasPrefix(m, MetricReviewWhy):
			why[m[len(MetricReviewWhy):]] += c.N
		case strings.HasPrefix(m, MetricReviewer):
			reviewers[m[len(MetricReviewer):]] += c.N
		case strings.HasPrefix(m, MetricCheck):
			addCheck(checks, m[len(MetricCheck):], c.N)
		}
	}
	// the queue at the end of each day
	for i := range days {
		queue += in[from+i] - out[from+i]
		days[i].Queue = max(queue, 0)
	}
	r.Days = days
	decided := total[MetricDecided+"approved"] + total[MetricDecided+"rejected.retry"] + total[MetricDecided+"rejected.final"] + total[MetricDecided+"rejected"]
	r.Decided, r.Auto = decided, total[MetricAuto]
	r.AutoShare = ratio(r.Auto, decided)
	r.Funnel = funnel([]Share{{Name: "created", N: total[MetricCreated]}, {Name: "documents uploaded", N: total[MetricDocuments]},
		{Name: "submitted", N: total[MetricSubmitted]}, {Name: "decided", N: decided}})
	r.Links = funnel([]Share{{Name: "links created", N: total[MetricLinkCreated]}, {Name: "links opened", N: total[MetricLinkOpened]},
		{Name: "links completed", N: total[MetricLinkDone]}})
	r.Reasons, r.ReviewReasons = top(reasons, 10), top(why, 10)
	r.ReviewIn, r.ReviewOut = total[MetricReviewIn], total[MetricReviewOut]
	r.ReviewP50, r.ReviewP90 = quantile(reviewTime, 0.5), quantile(reviewTime, 0.9)
	r.Reviewers = top(reviewers, 50)
	var byPeople int64
	for _, n := range reviewers {
		byPeople += n
	}
	r.FourEyes = total[MetricFourEyes]
	r.FourEyesShare = ratio(r.FourEyes, byPeople)
	for _, k := range slices.Sorted(maps.Keys(checks)) {
		c := checks[k]
		c.PassedShare, c.FailedShare, c.ReviewShare = ratio(c.Passed, c.Total), ratio(c.Failed, c.Total), ratio(c.Review, c.Total)
		c.ErrorShare, c.UnavailableShare, c.NotApplicShare = ratio(c.Error, c.Total), ratio(c.NotRunUnavailable, c.Total), ratio(c.NotRunNotApplicable, c.Total)
		r.Checks = append(r.Checks, *c)
	}
	r.Webhooks = webhooks(whs)
}

// addCheck counts "<kind>.<status>[.<not run kind>]"; kinds hold dots
// (document.mrz), statuses do not.
func addCheck(checks map[string]*CheckRow, rest string, n int64) {
	for _, st := range []string{".not_run.unavailable", ".not_run.not_applicable", ".not_run", ".passed", ".failed", ".review", ".error"} {
		kind, ok := strings.CutSuffix(rest, st)
		if !ok {
			continue
		}
		c := checks[kind]
		if c == nil {
			c = &CheckRow{Kind: kind}
			checks[kind] = c
		}
		c.Total += n
		switch st {
		case ".passed":
			c.Passed += n
		case ".failed":
			c.Failed += n
		case ".review":
			c.Review += n
		case ".error":
			c.Error += n
		case ".not_run.not_applicable":
			c.NotRunNotApplicable += n
		default:
			c.NotRunUnavailable += n
		}
		return
	}
}

func webhooks(whs []store.DayCount) []Endpoint {
	by := map[string]*Endpoint{}
	lat := map[string]map[int]int64{}
	for _, c := range whs {
		rest := strings.TrimPrefix(c.Metric, MetricWebhook)
		i := strings.IndexByte(rest, '.')
		if i <= 0 {
			continue
		}
		id, what := rest[:i], rest[i:]
		e := by[id]
		if e == nil {
			e = &Endpoint{ID: id}
			by[id], lat[id] = e, map[int]int64{}
		}
		switch {
		case what == WebhookSent:
			e.Sent += c.N
		case what == WebhookOK:
			e.OK += c.N
		case what == WebhookRetry:
			e.Retries += c.N
		case strings.HasPrefix(what, WebhookLatency):
			if b, err := strconv.Atoi(what[len(WebhookLatency):]); err == nil {
				lat[id][b] += c.N
			}
		}
	}
	var out []Endpoint
	for _, id := range slices.Sorted(maps.Keys(by)) {
		e := by[id]
		e.SuccessRate, e.P95LatencyMax = ratio(e.OK, e.Sent), quantile(lat[id], 0.95)
		out = append(out, *e)
	}
	return out
}

func funnel(steps []Share) []Stage {
	out := make([]Stage, len(steps))
	for i, s := range steps {
		out[i] = Stage{Name: s.Name, N: s.N, Share: ratio(s.N, steps[0].N)}
		if i > 0 {
			out[i].Drop = max(0, 1-ratio(s.N, steps[i-1].N)) // resubmissions can outnumber the step before
			if steps[i-1].N == 0 {
				out[i].Drop = 0
			}
		}
	}
	if len(out) > 0 && out[0].N > 0 {
		out[0].Share = 1
	}
	return out
}

// top is the n largest counts, largest first (ties by name), with their
// shares of the total.
func top(m map[string]int64, n int) []Share {
	var sum int64
	out := make([]Share, 0, len(m))
	for k, v := range m {
		out = append(out, Share{Name: k, N: v})
		sum += v
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > n {
		out = out[:n]
	}
	for i := range out {
		out[i].Share = ratio(out[i].N, sum)
	}
	return out
}

// quantile is the upper bound of the LogBucket holding the q-quantile of a
// histogram (0 when empty): bucket 0 holds [0, 1), bucket b [2^(b-1), 2^b).
func quantile(h map[int]int64, q float64) float64 {
	var total int64
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return 0
	}
	want := int64(math.Ceil(q * float64(total)))
	var seen int64
	for _, b := range slices.Sorted(maps.Keys(h)) {
		seen += h[b]
		if seen >= want {
			return math.Pow(2, float64(b))
		}
	}
	return 0
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// View is Report for a person: each merchant's audit trail records that
// actor viewed its analytics (with the filter), like a case view.
func (s *Service) View(ctx context.Context, actor string, f Filter) (Report, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	detail := map[string]any{"from": f.From.Format(time.DateOnly), "to": f.To.Format(time.DateOnly), "level": f.Level, "surface": f.Surface, "country": f.Country}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, m := range f.Merchants {
			if err := tx.Audit(ctx, kyc.Principal{MerchantID: m, Actor: actor}, now, "analytics.viewed", "merchant", m, detail); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Report{Filter: f}, err
	}
	return s.Report(ctx, f)
}
