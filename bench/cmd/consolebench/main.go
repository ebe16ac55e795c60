// Command consolebench measures the review console's pages on a seeded
// openkyc: it opens the app on a fresh data directory (or -database-url),
// creates merchants and verifications (a share of them in review with check
// results), signs a reviewer and an admin in over loopback HTTP, and reports
// requests/s and p50/p99 of the queue and the case view at a fixed
// concurrency, against GET /healthz of the same server in the same run.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/web/console"
)

const password = "a long enough benchmark password"

func main() {
	dbURL := flag.String("database-url", "", "PostgreSQL URL (default: SQLite in a temp dir)")
	merchants := flag.Int("merchants", 10, "merchants")
	cases := flag.Int("cases", 5000, "verifications in all")
	review := flag.Float64("review", 0.3, "share of them in review")
	conc := flag.Int("concurrency", 4, "requests at once")
	dur := flag.Duration("duration", 10*time.Second, "per page")
	simulated := flag.Int("analytics", 0, "measure the analytics page instead, on the counters of this many simulated verifications over 90 days")
	keep := flag.Bool("keep", false, "keep the data directory (SQLite) to inspect afterwards")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured pages to this file")
	flag.Parse()

	dir, err := os.MkdirTemp("", "consolebench")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		log.Printf("data directory kept: %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: *dbURL, MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000}
	if err := cfg.Validate(); err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()

	t0 := time.Now()
	var ms []string
	for i := range *merchants {
		c, err := a.Merchants.Create(ctx, fmt.Sprintf("Bench %d", i), "bench")
		if err != nil {
			log.Fatal(err)
		}
		ms = append(ms, c.Merchant.ID)
	}
	inReview := seed(ctx, a, ms, *cases, *review)
	log.Printf("seeded %d verifications (%d in review) of %d merchants in %s", *cases, len(inReview), len(ms), time.Since(t0).Round(time.Millisecond))
	if _, err := a.Staff.Create(ctx, "rev@bench.local", staff.RoleReviewer, password, ms[:3]); err != nil {
		log.Fatal(err)
	}
	if _, err := a.Staff.Create(ctx, "admin@bench.local", staff.RoleAdmin, password, nil); err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: a.Handler()}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc * 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rev, adm := login(client, base, "rev@bench.local"), login(client, base, "admin@bench.local")

	if *simulated > 0 {
		t1 := time.Now()
		rows, err := seedAnalytics(ctx, a, ms, *simulated)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("counters of %d simulated verifications: %d rows in %s", *simulated, rows, time.Since(t1).Round(time.Millisecond))
		fmt.Printf("analytics: %d verifications over 90 days, %d merchants, %d counter rows, concurrency %d, %s per page\n", *simulated, len(ms), rows, *conc, *dur)
		bare := run(client, "", *conc, *dur, func(int) string { return base + "/healthz" })
		report("GET /healthz (baseline)", bare, bare)
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
			defer pprof.StopCPUProfile()
		}
		for _, pg := range []struct{ name, who, path string }{
			{"admin, all merchants, 24 h", adm, "period=24h"},
			{"admin, all merchants, 7 days", adm, "period=7d"},
			{"admin, all merchants, 30 days", adm, "period=30d"},
			{"admin, all merchants, 90 days", adm, "period=custom&from=" + time.Now().UTC().AddDate(0, 0, -89).Format(time.DateOnly) + "&to=" + time.Now().UTC().Format(time.DateOnly)},
			{"admin, one merchant, 30 days", adm, "period=30d&merchant=" + ms[0]},
			{"admin, level and surface, 30 days", adm, "period=30d&level=basic&surface=native"},
			{"admin, level and surface, 90 days", adm, "period=custom&level=basic&surface=native&from=" + time.Now().UTC().AddDate(0, 0, -89).Format(time.DateOnly) + "&to=" + time.Now().UTC().Format(time.DateOnly)},
			{"admin, one country, 30 days", adm, "period=30d&country=DE"},
			{"reviewer of 3 merchants, one country, 30 days", rev, "period=30d&country=GB"},
			{"admin, one country, 90 days", adm, "period=custom&country=FR&from=" + time.Now().UTC().AddDate(0, 0, -89).Format(time.DateOnly) + "&to=" + time.Now().UTC().Format(time.DateOnly)},
			{"reviewer of 3 merchants, 30 days", rev, "period=30d"},
		} {
			report(pg.name, run(client, pg.who, *conc, *dur, func(int) string { return base + "/console/analytics?" + pg.path }), bare)
		}
		return
	}
	var reviewerCases []string
	for _, c := range inReview {
		if slices.Contains(ms[:3], c.merchant) {
			reviewerCases = append(reviewerCases, c.id)
		}
	}
	fmt.Printf("cases %d, in review %d, merchants %d, concurrency %d, %s per page\n", *cases, len(inReview), len(ms), *conc, *dur)
	bare := run(client, "", *conc, *dur, func(int) string { return base + "/healthz" })
	report("GET /healthz (baseline)", bare, bare)
	report("queue, reviewer of 3 merchants", run(client, rev, *conc, *dur, func(int) string { return base + "/console/queue" }), bare)
	report("queue, admin, all merchants", run(client, adm, *conc, *dur, func(int) string { return base + "/console/queue" }), bare)
	report("queue, admin, filtered by check", run(client, adm, *conc, *dur, func(int) string {
		return base + "/console/queue?check=screening.sanctions&min_age=1"
	}), bare)
	report("case view (audited), reviewer", run(client, rev, *conc, *dur, func(i int) string {
		return base + "/console/cases/" + reviewerCases[i%len(reviewerCases)]
	}), bare)
}

type seeded struct{ id, merchant string }

// seed creates the verifications through the services: applicants with
// encrypted data, verifications, and for the share in review the check
// results that sent them there.
func seed(ctx context.Context, a *app.App, ms []string, n int, share float64) []seeded {
	var out []seeded
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		p := kyc.Principal{MerchantID: ms[i%len(ms)], Actor: "bench"}
		ap, _, err := a.Applicants.Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: fmt.Sprint("u", i),
			PII: kyc.PII{FirstName: "Anna", LastName: "Bench " + strings.Repeat("x", 1+i%7), DateOfBirth: "1990-04-12", Email: fmt.Sprintf("u%d@bench.local", i)}})
		if err != nil {
			log.Fatal(err)
		}
		v, err := a.Verifications.Create(ctx, p, kyc.SurfaceNative, verification.CreateInput{ApplicantID: ap.ID, Reference: fmt.Sprint("r", i)})
		if err != nil {
			log.Fatal(err)
		}
		for _, act := range []verification.Action{verification.ActSubmit, verification.ActStart} {
			if _, err := a.Verifications.Apply(ctx, p, v.ID, verification.Event{Action: act}); err != nil {
				log.Fatal(err)
			}
		}
		now := time.Now().UTC()
		checks := []kyc.Check{
			{Kind: kyc.KindDocumentsRequired, Status: kyc.CheckPassed, Score: 1},
			{Kind: kyc.KindFaceMatch, Status: kyc.CheckPassed, Score: 0.8},
			{Kind: kyc.KindSanctions, Status: kyc.CheckPassed, Score: 1},
		}
		ev := verification.Event{Action: verification.ActDecide, Decision: kyc.DecisionApproved, DecidedBy: "policy:basic@1"}
		if r.Float64() < share {
			checks[2] = kyc.Check{Kind: kyc.KindSanctions, Status: kyc.CheckReview, Score: 0.7, ReasonCode: "SANCTIONS_POSSIBLE_MATCH"}
			ev = verification.Event{Action: verification.ActReview}
			out = append(out, seeded{v.ID, p.MerchantID})
		}
		for j := range checks {
			checks[j].ID, checks[j].MerchantID, checks[j].VerificationID = kyc.NewID(kyc.PrefixCheck), p.MerchantID, v.ID
			checks[j].Evidence, checks[j].EngineVersion, checks[j].CreatedAt = []byte(`{}`), "1", now
		}
		ev.Checks = checks
		if _, err := a.Verifications.Apply(ctx, p, v.ID, ev); err != nil {
			log.Fatal(err)
		}
	}
	return out
}

// login signs in and returns the session cookie.
func login(c *http.Client, base, email string) string {
	res, err := c.PostForm(base+"/console/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == console.CookieName {
			return ck.Value
		}
	}
	log.Fatalf("sign-in of %s failed: %d", email, res.StatusCode)
	return ""
}

type result struct {
	n         int
	errors    int64
	elapsed   time.Duration
	latencies []time.Duration
}

// run requests URLs from conc goroutines for d.
func run(c *http.Client, cookie string, conc int, d time.Duration, next func(i int) string) result {
	var mu sync.Mutex
	var res result
	var errs atomic.Int64
	var counter atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			var lat []time.Duration
			for time.Now().Before(deadline) {
				i := int(counter.Add(1))
				req, _ := http.NewRequest(http.MethodGet, next(i), nil)
				if cookie != "" {
					req.AddCookie(&http.Cookie{Name: console.CookieName, Value: cookie})
				}
				t := time.Now()
				r, err := c.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				b, _ := io.ReadAll(r.Body)
				r.Body.Close()
				lat = append(lat, time.Since(t))
				if r.StatusCode != http.StatusOK || (cookie != "" && !bytes.Contains(b, []byte("</html>"))) {
					errs.Add(1)
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed, res.n, res.errors = time.Since(start), len(res.latencies), errs.Load()
	slices.Sort(res.latencies)
	return res
}

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(float64(len(r.latencies))*p))]
}

func (r result) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func report(name string, r, bare result) {
	fmt.Printf("%-34s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  (%.3f of the baseline's rate)\n", name+":", r.rate(),
		float64(r.pct(0.5))/1e6, float64(r.pct(0.99))/1e6, r.errors, r.rate()/bare.rate())
}
