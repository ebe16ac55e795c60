// Package monitorbench measures continuous screening at scale: a pass
// re-screening MONITOR_N approved applicants (default 10,000; the issue's
// figure is 1,000,000) after a list update, on SQLite or PostgreSQL
// (MONITOR_DATABASE_URL), with the API's latency measured before and
// during the pass. Run by bench/monitoring.sh.
package monitorbench

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to settle the database

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/verification"
)

func shared(b *testing.B) string {
	dir := os.Getenv("OPENKYC_SHARED_DATA")
	if dir == "" {
		dir = "../../../../shared/data"
	}
	if _, err := os.Stat(filepath.Join(dir, "lists")); err != nil {
		b.Skip("shared data missing: ", err)
	}
	return dir
}

// names are people to seed: the public negative set's names, and one in a
// thousand a UN-listed person (the pass must alert on those).
func names(b *testing.B, dir string) (neg, listed []kyc.PII) {
	read := func(p string) [][]string {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			b.Fatal(err)
		}
		return rows[1:]
	}
	for _, f := range []string{"yente_negatives_global.csv", "yente_negatives_us.csv"} {
		for _, r := range read(filepath.Join(dir, "eval", f)) {
			neg = append(neg, kyc.PII{FirstName: r[1], LastName: r[3], DateOfBirth: r[5]})
		}
	}
	for _, r := range read(filepath.Join(dir, "eval", "yente_positives_un_untreated.csv")) {
		listed = append(listed, kyc.PII{FirstName: r[1], LastName: r[3], DateOfBirth: r[5]})
	}
	return neg, listed
}

func rss() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n / 1024
		}
	}
	return 0
}

// load sends GET /v1/verifications/{id} at rate per second until stop,
// and returns each request's latency measured from its scheduled time.
func load(base, key string, ids []string, rate int, stop <-chan struct{}) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	c := &http.Client{Timeout: 10 * time.Second}
	sem := make(chan struct{}, 16)
	var errs atomic.Int64
	for i := 0; ; i++ {
		select {
		case <-stop:
			wg.Wait()
			if errs.Load() > 0 {
				fmt.Println("load errors:", errs.Load())
			}
			return lat
		case at := <-tick.C:
			sem <- struct{}{}
			wg.Add(1)
			go func(id string) {
				defer func() { <-sem; wg.Done() }()
				req, _ := http.NewRequest(http.MethodGet, base+"/v1/verifications/"+id, nil)
				req.Header.Set("Authorization", "Bearer "+key)
				res, err := c.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				d := time.Since(at)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}(ids[i%len(ids)])
		}
	}
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// baseline is how long the API's latency is measured before the pass.
const baseline = 30 * time.Second

func BenchmarkRescreen(b *testing.B) {
	dir := shared(b)
	n := 10_000
	if s := os.Getenv("MONITOR_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	data := b.TempDir()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: data, DatabaseURL: os.Getenv("MONITOR_DATABASE_URL"), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000}
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	engine := "sqlite"
	if cfg.DatabaseURL != "" {
		engine = "postgres"
	}

	// seed: merchants, then applicants with approved verifications
	t0 := time.Now()
	var ms []string
	var keys []string
	for i := range 20 {
		c, err := a.Merchants.Create(ctx, fmt.Sprintf("Monitor %d", i), "bench")
		if err != nil {
			b.Fatal(err)
		}
		ms, keys = append(ms, c.Merchant.ID), append(keys, c.APIKey)
	}
	neg, listed := names(b, dir)
	sealer := applicant.NewSealer(a.Keys)
	rng := rand.New(rand.NewPCG(1, 1))
	var sample []string // verification ids of merchant 0, for the load
	const batch = 2000
	for start := 0; start < n; start += batch {
		err := a.Store.InTx(ctx, func(tx *store.Tx) error {
			for i := start; i < min(n, start+batch); i++ {
				now := time.Now().UTC()
				m := ms[i%len(ms)]
				p := neg[rng.IntN(len(neg))]
				if i%1000 == 999 {
					p = listed[rng.IntN(len(listed))]
				}
				ap := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), MerchantID: m, Surface: kyc.SurfaceNative, ExternalUserID: fmt.Sprint("u", i), PII: p,
					CreatedAt: now, UpdatedAt: now}
				sealer.Hashes(&ap)
				sealed, err := sealer.Seal(ap)
				if err != nil {
					return err
				}
				if err := tx.InsertApplicant(ctx, ap, sealed); err != nil {
					return err
				}
				v := kyc.Verification{ID: kyc.NewID(kyc.PrefixVerification), MerchantID: m, ApplicantID: ap.ID, Surface: kyc.SurfaceNative,
					Reference: fmt.Sprint("r", i), Level: "basic", State: kyc.StateCompleted, Decision: kyc.DecisionApproved, DecidedBy: "policy:basic@1",
					Version: 1, Attempt: 1, CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertVerification(ctx, v); err != nil {
					return err
				}
				if i%len(ms) == 0 && len(sample) < 5000 {
					sample = append(sample, v.ID)
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	seeded := time.Since(t0)
	// settle after the bulk load, as a server that approved a million over
	// months is: PostgreSQL's autovacuum would otherwise vacuum and analyze
	// the fresh tables during the measurement (MONITOR_SETTLE=0: don't)
	if cfg.DatabaseURL != "" && os.Getenv("MONITOR_SETTLE") != "0" {
		db, err := sql.Open("pgx", cfg.DatabaseURL)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}

	// the lists: OFAC 2021 + UN 2026
	lists := b.TempDir()
	for name, src := range map[string]string{"ofac": "ofac_sdn_2021-07", "un": "un_2026-02"} {
		abs, _ := filepath.Abs(filepath.Join(dir, "lists", src))
		if err := os.Symlink(abs, filepath.Join(lists, name)); err != nil {
			b.Fatal(err)
		}
	}
	scr := screening.NewScreener()
	if _, err := scr.LoadDir(lists); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	const rate = 200
	stop := make(chan struct{})
	go func() { time.Sleep(baseline); close(stop) }()
	base := load(srv.URL, keys[0], sample, rate, stop)

	runtime.GC()
	rss0 := rss()
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(500 * time.Millisecond):
				if r := int64(rss()); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()
	stop2 := make(chan struct{})
	latc := make(chan []time.Duration)
	go func() { latc <- load(srv.URL, keys[0], sample, rate, stop2) }()
	b.ResetTimer()
	t1 := time.Now()
	duty := config.DefaultRescreenDuty
	if d := os.Getenv("MONITOR_DUTY"); d != "" {
		if duty, err = strconv.ParseFloat(d, 64); err != nil {
			b.Fatal(err)
		}
	}
	st, err := a.Verifications.RescreenRun(ctx, screening.Check{Screener: scr}, verification.RescreenOptions{Run: "bench", Duty: duty})
	took := time.Since(t1)
	b.StopTimer()
	close(stop2)
	during := <-latc
	close(done)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("engine %s, duty %.2f: %d approved applicants seeded in %s; pass: screened %d, alerts %d in %s (%.0f applicants/s); RSS %d MB before, peak %d MB; API GET /v1/verifications/{id} at %d/s: p50 %.2f ms p99 %.2f ms before (%d requests), p50 %.2f ms p99 %.2f ms during (%d requests), p99 ×%.2f\n",
		engine, duty, n, seeded.Round(time.Second), st.Screened, st.Alerts, took.Round(time.Second), float64(st.Screened)/took.Seconds(), rss0, peak.Load(), rate,
		millis(pct(base, 0.5)), millis(pct(base, 0.99)), len(base), millis(pct(during, 0.5)), millis(pct(during, 0.99)), len(during), float64(pct(during, 0.99))/float64(pct(base, 0.99)))
	b.ReportMetric(took.Seconds(), "pass-s")
	b.ReportMetric(float64(st.Alerts), "alerts")
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
