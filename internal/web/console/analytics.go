package console

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/openkyc/openkyc/internal/analytics"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
	"github.com/openkyc/openkyc/internal/review"
)

// Periods the analytics page offers (days counted back from today, UTC).
var periods = []struct{ Key, Label string }{{"24h", "24 h"}, {"7d", "7 days"}, {"30d", "30 days"}, {"custom", "Custom"}}

type analyticsView struct {
	Query     url.Values
	Period    string
	From, To  string
	Merchant  string
	Level     string
	Surface   string
	Country   string
	Merchants []kyc.Merchant
	Levels    []string
	Surfaces  []string
	Countries []countryOption
	Periods   []struct{ Key, Label string }
	Report    analytics.Report
	Names     map[string]string
	Decisions template.HTML // inline SVG
	Queue     template.HTML
	CSVLinks  map[string]template.URL // table → export URL with the filters
	Staff     map[string]string       // reviewer actor → account email
}

// countryOption is a country the filter suggests.
type countryOption struct{ Code, Name string }

// countryOptions are the ISO 3166-1 countries, by code, with their English
// names.
var countryOptions = sync.OnceValue(func() []countryOption {
	var out []countryOption
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() || r.String() != string([]rune{a, b}) {
				continue
			}
			out = append(out, countryOption{Code: r.String(), Name: display.English.Regions().Name(r)})
		}
	}
	return out
})

// analyticsFilter reads the page's filters: the period, and the merchant,
// level, surface and document country (empty: all the user may see).
func (h *Handler) analyticsFilter(r *http.Request, u *user) (analytics.Filter, analyticsView, error) {
	q := r.URL.Query()
	v := analyticsView{Query: q, Period: q.Get("period"), Merchant: q.Get("merchant"), Level: q.Get("level"), Surface: q.Get("surface"), Periods: periods}
	ms, names, err := h.merchants(r, u)
	if err != nil {
		return analytics.Filter{}, v, err
	}
	v.Merchants, v.Names = ms, names
	today := h.cfg.Now().UTC().Truncate(24 * time.Hour)
	f := analytics.Filter{To: today, Level: v.Level, Surface: v.Surface}
	v.Countries = countryOptions()
	switch c := strings.TrimSpace(q.Get("country")); {
	case c == "":
	case strings.EqualFold(c, analytics.Unknown):
		v.Country, f.Country = analytics.Unknown, analytics.Unknown
	default:
		code, err := pii.Country("country", c)
		if err != nil {
			return f, v, kyc.Invalid("country", "iso3166", "country must be an ISO 3166-1 country code (DE, DEU) or %q", analytics.Unknown)
		}
		v.Country, f.Country = code, code
	}
	if f.Country != "" && (v.Level != "" || v.Surface != "") {
		return f, v, kyc.Invalid("country", "combination", "a document country combines with the period and merchant, not with a level or surface")
	}
	switch v.Period {
	case "", "7d":
		v.Period, f.From = "7d", today.AddDate(0, 0, -6)
	case "24h":
		f.From = today.AddDate(0, 0, -1) // counters are per UTC day: yesterday and today
	case "30d":
		f.From = today.AddDate(0, 0, -29)
	case "custom":
		from, err1 := time.Parse(time.DateOnly, q.Get("from"))
		to, err2 := time.Parse(time.DateOnly, q.Get("to"))
		switch {
		case err1 != nil:
			return f, v, kyc.Invalid("from", "date", "from must be a date (YYYY-MM-DD)")
		case err2 != nil:
			return f, v, kyc.Invalid("to", "date", "to must be a date (YYYY-MM-DD)")
		case to.Before(from):
			return f, v, kyc.Invalid("to", "range", "to must not be before from")
		case to.Sub(from) > (analytics.MaxDays-1)*24*time.Hour:
			return f, v, kyc.Invalid("from", "range", "a period covers at most %d days", analytics.MaxDays)
		}
		f.From, f.To = from, to
	default:
		return f, v, kyc.Invalid("period", "enum", "period must be 24h, 7d, 30d or custom")
	}
	v.From, v.To = f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	switch {
	case v.Merchant == "":
		for _, m := range ms {
			f.Merchants = append(f.Merchants, m.ID)
		}
		f.All = u.Role == "admin"
	case names[v.Merchant] != "":
		f.Merchants = []string{v.Merchant}
	default:
		return f, v, kyc.Invalid("merchant", "forbidden", "no merchant %q among yours", v.Merchant)
	}
	if v.Surface != "" && !slices.Contains(surfaces(), v.Surface) {
		return f, v, kyc.Invalid("surface", "enum", "surface must be one of %s", strings.Join(surfaces(), ", "))
	}
	levels := map[string]bool{}
	for _, m := range f.Merchants {
		ls, err := h.d.Levels.List(r.Context(), kyc.Principal{MerchantID: m, Actor: review.Actor(u.Account)})
		if err != nil {
			return f, v, err
		}
		for _, l := range ls {
			levels[l.Name] = true
		}
	}
	for l := range levels {
		v.Levels = append(v.Levels, l)
	}
	slices.Sort(v.Levels)
	if v.Level != "" && !levels[v.Level] {
		return f, v, kyc.Invalid("level", "enum", "no level %q for these merchants", v.Level)
	}
	v.Surfaces = surfaces()
	f.Levels, f.Surfaces = v.Levels, v.Surfaces
	cq := url.Values{"period": {v.Period}, "merchant": {v.Merchant}, "level": {v.Level}, "surface": {v.Surface}, "country": {v.Country}}
	if v.Period == "custom" {
		cq.Set("from", v.From)
		cq.Set("to", v.To)
	}
	v.CSVLinks = map[string]template.URL{}
	for _, t := range csvTables {
		cq.Set("table", t)
		v.CSVLinks[t] = template.URL("/console/analytics.csv?" + cq.Encode()) // built from validated values, query-escaped
	}
	return f, v, nil
}

// csvTables are the tables the page exports.
var csvTables = []string{"days", "funnel", "reasons", "review_reasons", "checks", "reviewers", "webhooks"}

func surfaces() []string {
	out := []string{string(kyc.SurfaceNative)}
	for _, d := range kyc.Dialects {
		out = append(out, string(d))
	}
	return out
}

// analyticsPage shows how verification is going for the user's merchants.
func (h *Handler) analyticsPage(w http.ResponseWriter, r *http.Request, u *user) {
	f, v, err := h.analyticsFilter(r, u)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	if v.Report, err = h.d.Analytics.View(r.Context(), review.Actor(u.Account), f); err != nil {
		h.fail(w, r, u, err)
		return
	}
	v.Decisions, v.Queue = decisionsChart(v.Report.Days), queueChart(v.Report.Days)
	if len(v.Report.Reviewers) > 0 {
		accounts, err := h.d.Staff.List(r.Context())
		if err != nil {
			h.fail(w, r, u, err)
			return
		}
		v.Staff = map[string]string{}
		for _, a := range accounts {
			v.Staff[review.Actor(a)] = a.Email
		}
	}
	h.render(w, r, http.StatusOK, "analytics.html", page{Title: "Analytics", User: u, Nav: "analytics", Data: v})
}

// analyticsCSV exports one table of the page.
func (h *Handler) analyticsCSV(w http.ResponseWriter, r *http.Request, u *user) {
	f, v, err := h.analyticsFilter(r, u)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	table := r.URL.Query().Get("table")
	if !slices.Contains(csvTables, table) {
		h.fail(w, r, u, kyc.Invalid("table", "enum", "table must be days, funnel, reasons, review_reasons, checks, reviewers or webhooks"))
		return
	}
	rep, err := h.d.Analytics.View(r.Context(), review.Actor(u.Account), f)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	rows := csvRows(rep, table)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="openkyc-%s-%s-%s.csv"`, table, v.From, v.To))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i, c := range row { // a spreadsheet must not run a cell as a formula
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				if _, err := strconv.ParseFloat(c, 64); err != nil {
					row[i] = "'" + c
				}
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush()
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) }
func num(n int64) string   { return strconv.FormatInt(n, 10) }

func csvRows(rep analytics.Report, table string) [][]string {
	var out [][]string
	switch table {
	case "days":
		out = append(out, []string{"date", "created", "submitted", "approved", "rejected_retry", "rejected_final", "to_review", "review_queue"})
		for _, d := range rep.Days {
			out = append(out, []string{d.Date.Format(time.DateOnly), num(d.Created), num(d.Submitted), num(d.Approved), num(d.RejectedRetry),
				num(d.RejectedFinal), num(d.Review), num(d.Queue)})
		}
	case "funnel":
		out = append(out, []string{"stage", "count", "share_of_first_pct", "drop_from_previous_pct"})
		for _, s := range append(append([]analytics.Stage{}, rep.Funnel...), rep.Links...) {
			out = append(out, []string{s.Name, num(s.N), pct(s.Share), pct(s.Drop)})
		}
	case "reasons", "review_reasons", "reviewers":
		src := map[string][]analytics.Share{"reasons": rep.Reasons, "review_reasons": rep.ReviewReasons, "reviewers": rep.Reviewers}[table]
		out = append(out, []string{strings.TrimSuffix(table, "s"), "count", "share_pct"})
		for _, s := range src {
			out = append(out, []string{s.Name, num(s.N), pct(s.Share)})
		}
	case "checks":
		out = append(out, []string{"check", "total", "passed_pct", "failed_pct", "review_pct", "error_pct", "not_run_unavailable_pct", "not_run_not_applicable_pct"})
		for _, c := range rep.Checks {
			out = append(out, []string{c.Kind, num(c.Total), pct(c.PassedShare), pct(c.FailedShare), pct(c.ReviewShare), pct(c.ErrorShare),
				pct(c.UnavailableShare), pct(c.NotApplicShare)})
		}
	case "webhooks":
		out = append(out, []string{"endpoint", "attempts", "delivered", "success_pct", "retries", "p95_latency_ms_at_most"})
		for _, e := range rep.Webhooks {
			out = append(out, []string{e.ID, num(e.Sent), num(e.OK), pct(e.SuccessRate), num(e.Retries), strconv.FormatFloat(e.P95LatencyMax, 'f', 0, 64)})
		}
	}
	return out
}

// Chart geometry: a viewBox the CSS scales to the page's width.
const chartW, chartH, chartPad = 720, 220, 28

// decisionsChart is a stacked bar per day: approved, rejected (retry),
// rejected (final), handed to review.
func decisionsChart(days []analytics.Day) template.HTML {
	var peak int64 = 1
	for _, d := range days {
		peak = max(peak, d.Approved+d.RejectedRetry+d.RejectedFinal+d.Review)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="decisions-title"><title id="decisions-title">Decisions per day (the table below has the numbers)</title>`, chartW, chartH)
	axis(&b, peak)
	bw := float64(chartW-2*chartPad) / float64(max(len(days), 1))
	for i, d := range days {
		x := float64(chartPad) + float64(i)*bw
		y := float64(chartH - chartPad)
		for _, part := range []struct {
			n     int64
			class string
		}{{d.Approved, "approved"}, {d.RejectedRetry, "retry"}, {d.RejectedFinal, "final"}, {d.Review, "review"}} {
			if part.n == 0 {
				continue
			}
			h := float64(part.n) / float64(peak) * float64(chartH-2*chartPad)
			y -= h
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s %s: %d</title></rect>`,
				part.class, x+bw*0.1, y, bw*0.8, h, d.Date.Format(time.DateOnly), part.class, part.n)
		}
	}
	label(&b, days)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // only numbers, dates and fixed class names
}

// queueChart is the review queue at the end of each day, as a line.
func queueChart(days []analytics.Day) template.HTML {
	var peak int64 = 1
	for _, d := range days {
		peak = max(peak, d.Queue)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="queue-title"><title id="queue-title">Review queue at the end of each day (the table below has the numbers)</title>`, chartW, chartH)
	axis(&b, peak)
	bw := float64(chartW-2*chartPad) / float64(max(len(days), 1))
	var pts []string
	for i, d := range days {
		x := float64(chartPad) + (float64(i)+0.5)*bw
		y := float64(chartH-chartPad) - float64(d.Queue)/float64(peak)*float64(chartH-2*chartPad)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	fmt.Fprintf(&b, `<polyline class="queue" points="%s"/>`, strings.Join(pts, " "))
	label(&b, days)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func axis(b *strings.Builder, peak int64) {
	fmt.Fprintf(b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, chartPad, chartH-chartPad, chartW-chartPad, chartH-chartPad)
	fmt.Fprintf(b, `<text class="tick" x="2" y="%d">%d</text><text class="tick" x="2" y="%d">0</text>`, chartPad, peak, chartH-chartPad)
}

// label writes the first and last dates under the axis.
func label(b *strings.Builder, days []analytics.Day) {
	if len(days) == 0 {
		return
	}
	fmt.Fprintf(b, `<text class="tick" x="%d" y="%d">%s</text>`, chartPad, chartH-6, days[0].Date.Format("Jan 2"))
	fmt.Fprintf(b, `<text class="tick end" x="%d" y="%d">%s</text>`, chartW-chartPad, chartH-6, days[len(days)-1].Date.Format("Jan 2"))
}
