// Command screenbench measures the screening engine on the public
// evaluation names: queries per second and latency at several
// concurrencies, in process (-lists) or against a running server's
// POST /v1/screenings (-url with -key). Used by bench/screening.sh.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openkyc/openkyc/internal/screening"
)

type query struct{ name, dob, nat, gender string }

func main() {
	lists := flag.String("lists", "", "lists directory (in-process mode)")
	url := flag.String("url", "", "server base URL (HTTP mode)")
	key := flag.String("key", "", "API key (HTTP mode)")
	eval := flag.String("eval", "../shared/data/eval", "evaluation sets")
	dur := flag.Duration("duration", 10*time.Second, "time per concurrency level")
	levels := flag.String("concurrency", "1,8", "concurrency levels")
	rate := flag.Int("rate", 0, "also run at this fixed total rate (queries/s) with the highest concurrency, latency from each query's scheduled time")
	flag.Parse()

	qs := loadQueries(*eval)
	var do func(q query) error
	if *lists != "" {
		t0 := time.Now()
		s := screening.NewScreener()
		set, err := s.LoadDir(*lists)
		if err != nil {
			log.Fatal(err)
		}
		runtime.GC()
		fmt.Printf("ready %.3f s (%d lists, %d entries), rss %d MB\n", time.Since(t0).Seconds(), len(set.Versions), len(set.Entries), rssMB())
		do = func(q query) error {
			_, _, err := s.Search(screening.Query{Name: q.name, BirthDate: q.dob, Nationality: q.nat, Gender: q.gender, Type: screening.TypePerson,
				Threshold: screening.DefaultThreshold, Limit: screening.DefaultLimit})
			return err
		}
	} else {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		do = func(q query) error {
			body, _ := json.Marshal(map[string]string{"name": q.name, "date_of_birth": q.dob, "nationality": q.nat, "gender": q.gender, "type": "person"})
			req, _ := http.NewRequest(http.MethodPost, *url+"/v1/screenings", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+*key)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			var b bytes.Buffer
			_, _ = b.ReadFrom(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d: %s", res.StatusCode, b.String())
			}
			return nil
		}
	}
	maxC := 1
	for _, l := range strings.Split(*levels, ",") {
		c, err := strconv.Atoi(l)
		if err != nil {
			log.Fatal(err)
		}
		maxC = max(maxC, c)
		run(c, *dur, qs, do, 0)
	}
	if *rate > 0 {
		run(maxC, *dur, qs, do, *rate)
	}
	if *lists != "" {
		fmt.Printf("rss after %d MB\n", rssMB())
	}
}

// run drives c workers for dur: as fast as they go, or at a fixed total
// rate (open loop: each query has a scheduled time and its latency counts
// from it, so a stall is not hidden by the workers waiting).
func run(c int, dur time.Duration, qs []query, do func(query) error, rate int) {
	var next, errs atomic.Int64
	lat := make([][]time.Duration, c)
	var wg sync.WaitGroup
	stop := time.Now().Add(dur)
	start := time.Now()
	var tickets chan time.Time
	if rate > 0 {
		tickets = make(chan time.Time, 1<<16)
		go func() {
			defer close(tickets)
			every := time.Second / time.Duration(rate)
			for at := start; at.Before(stop); at = at.Add(every) {
				time.Sleep(time.Until(at))
				tickets <- at
			}
		}()
	}
	for w := range c {
		wg.Go(func() {
			for time.Now().Before(stop) {
				q := qs[int(next.Add(1))%len(qs)]
				t := time.Now()
				if tickets != nil {
					at, ok := <-tickets
					if !ok {
						return
					}
					t = at
				}
				if err := do(q); err != nil {
					if errs.Add(1) == 1 {
						log.Print(err)
					}
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000 }
	mode := fmt.Sprintf("concurrency %d", c)
	if rate > 0 {
		mode = fmt.Sprintf("rate %d, concurrency %d", rate, c)
	}
	fmt.Printf("%s: %d queries in %.1f s, %.0f q/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, errors %d\n",
		mode, len(all), el.Seconds(), float64(len(all))/el.Seconds(), pct(0.5), pct(0.99), pct(1), errs.Load())
}

// loadQueries mixes the negatives (the common case) with the positives.
func loadQueries(dir string) []query {
	var qs []query
	for _, f := range []string{"yente_negatives_global.csv", "yente_negatives_us.csv", "yente_positives_un_treated.csv", "yente_positives_us_congress_untreated.csv"} {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			log.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			log.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, r := range rows[1:] {
			qs = append(qs, query{r[col["full_name"]], r[col["date_of_birth"]], r[col["nationality"]], r[col["gender"]]})
		}
	}
	// interleave so each run sees the same mix
	sort.SliceStable(qs, func(i, j int) bool { return i%97 < j%97 })
	return qs
}

func rssMB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb / 1024
		}
	}
	return -1
}
