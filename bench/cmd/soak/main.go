// Command soak runs a bounded mixed workload against a running openkyc for
// a given time: each worker creates an applicant, uploads an ID photo and a
// selfie, creates and submits a verification, and reads its status until it
// is decided, while a loopback endpoint receives the signed webhooks. Every
// interval it prints throughput, p50/p99 per operation, errors, webhooks
// received and the server's resident memory (from /proc/PID/status); at the
// end a summary with the RSS drift after warm-up.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openkyc/openkyc/client"
)

type stats struct {
	mu   sync.Mutex
	lat  map[string][]time.Duration
	errs map[string]int
}

func (s *stats) add(op string, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errs[op]++
		if s.errs[op] <= 3 {
			log.Printf("%s: %v", op, err)
		}
		return
	}
	s.lat[op] = append(s.lat[op], d)
}

// take returns and resets the interval's figures.
func (s *stats) take() (map[string][]time.Duration, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, e := s.lat, s.errs
	s.lat, s.errs = map[string][]time.Duration{}, map[string]int{}
	return l, e
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func rssMB(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func photo(w, h int, seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x + seed), uint8(y * 3), uint8((x ^ y) + seed), 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes()
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server")
	key := flag.String("key", "", "merchant API key")
	dur := flag.Duration("duration", 30*time.Minute, "how long to run")
	every := flag.Duration("interval", time.Minute, "report interval")
	conc := flag.Int("concurrency", 4, "workers")
	pid := flag.Int("pid", 0, "server process id (RSS)")
	warmup := flag.Int("warmup", 2, "intervals before the RSS baseline")
	flag.Parse()
	if *key == "" {
		log.Fatal("-key is required")
	}
	c := client.New(*base, *key, client.WithHTTPClient(&http.Client{Timeout: 60 * time.Second}))
	ctx := context.Background()

	// The webhook receiver.
	var hooks, badHooks atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	var secret atomic.Value
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			s, _ := secret.Load().(string)
			if _, err := client.VerifyWebhook(s, r.Header, body); err != nil {
				badHooks.Add(1)
				http.Error(w, "bad", http.StatusUnauthorized)
				return
			}
			hooks.Add(1)
		}))
	}()
	ep, err := c.CreateWebhook(ctx, "http://"+ln.Addr().String()+"/hook", []string{"verification.completed", "verification.review"})
	if err != nil {
		log.Fatal(err)
	}
	secret.Store(ep.Secret)
	defer func() { _ = c.DeleteWebhook(context.Background(), ep.ID) }()

	front, selfie := photo(640, 400, 1), photo(480, 480, 7)
	st := &stats{lat: map[string][]time.Duration{}, errs: map[string]int{}}
	var seq, decided, inReview atomic.Int64
	stop := time.Now().Add(*dur)
	run := time.Now().UnixNano()
	timed := func(op string, f func() error) error {
		t := time.Now()
		err := f()
		st.add(op, time.Since(t), err)
		return err
	}
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for time.Now().Before(stop) {
				n := seq.Add(1)
				var ap client.Applicant
				if timed("create_applicant", func() (err error) {
					ap, err = c.CreateApplicant(ctx, client.ApplicantInput{ExternalUserID: fmt.Sprintf("soak-%d-%d", run, n), FirstName: "Anna",
						LastName: "Eriksson", DateOfBirth: "1990-04-12", Email: fmt.Sprintf("soak%d-%d@example.com", run, n)})
					return err
				}) != nil {
					continue
				}
				if timed("upload", func() error {
					if _, err := c.UploadDocument(ctx, ap.ID, client.DocIDFront, "front.jpg", bytes.NewReader(front)); err != nil {
						return err
					}
					_, err := c.UploadDocument(ctx, ap.ID, client.DocSelfie, "selfie.jpg", bytes.NewReader(selfie))
					return err
				}) != nil {
					continue
				}
				var v client.Verification
				if timed("create_submit", func() (err error) {
					if v, err = c.CreateVerification(ctx, client.VerificationInput{ApplicantID: ap.ID, Reference: fmt.Sprintf("soak-%d-%d", run, n)}); err != nil {
						return err
					}
					_, err = c.SubmitVerification(ctx, v.ID)
					return err
				}) != nil {
					continue
				}
				for time.Now().Before(stop.Add(time.Minute)) {
					var got client.Verification
					if timed("status", func() (err error) { got, err = c.GetVerification(ctx, v.ID); return err }) != nil {
						break
					}
					if got.State == "completed" || got.State == "review" {
						decided.Add(1)
						if got.State == "review" {
							inReview.Add(1)
						}
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}

	ops := []string{"create_applicant", "upload", "create_submit", "status"}
	var rss []float64
	totalErrs := 0
	tick := time.NewTicker(*every)
	start := time.Now()
	fmt.Printf("%-8s %9s %9s %8s %8s  %s\n", "minute", "ops/s", "decided", "errors", "rss MB", "p50/p99 ms per operation")
	report := func() {
		lat, errs := st.take()
		n := 0
		var parts []string
		for _, op := range ops {
			n += len(lat[op])
			parts = append(parts, fmt.Sprintf("%s %.1f/%.1f", op, float64(pct(lat[op], .5))/1e6, float64(pct(lat[op], .99))/1e6))
		}
		e := 0
		for _, k := range errs {
			e += k
		}
		totalErrs += e
		r := rssMB(*pid)
		rss = append(rss, r)
		fmt.Printf("%-8.1f %9.1f %9d %8d %8.1f  %s\n", time.Since(start).Minutes(), float64(n)/every.Seconds(), decided.Load(), e, r,
			strings.Join(parts, "  "))
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
loop:
	for {
		select {
		case <-tick.C:
			report()
		case <-done:
			break loop
		}
	}
	report()
	time.Sleep(5 * time.Second) // last webhooks
	if ds, err := c.Deliveries(ctx, ep.ID, 5); err == nil && len(ds) > 0 && hooks.Load() == 0 {
		fmt.Printf("deliveries failing, e.g. %d %s\n", ds[0].StatusCode, ds[0].Error)
	}
	fmt.Printf("\nverifications decided or handed to review: %d (%d in review); webhooks received: %d (bad signatures %d); errors: %d\n",
		decided.Load(), inReview.Load(), hooks.Load(), badHooks.Load(), totalErrs)
	if len(rss) > *warmup+1 {
		after := rss[*warmup:]
		lo, hi := slices.Min(after), slices.Max(after)
		fmt.Printf("RSS after %d warm-up intervals: %.1f–%.1f MB (spread %.1f%% of the lowest)\n", *warmup, lo, hi, 100*(hi-lo)/lo)
	}
	if totalErrs > 0 || badHooks.Load() > 0 {
		os.Exit(1)
	}
}
