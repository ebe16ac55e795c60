// Command pipelinebench measures the verification pipeline of a running
// openkyc (started with --webhook-allow-private): the latency from submit to
// the verification.completed webhook, and webhook deliveries per second to a
// loopback receiver.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

type client struct{ base, key string }

func (c client) do(method, path, body string) map[string]any {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		log.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

type receiver struct {
	mu        sync.Mutex
	completed map[string]chan struct{} // verification id -> closed on completed
	count     int
	first     time.Time
	last      time.Time
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var msg struct {
		Type string `json:"type"`
		Data struct {
			VerificationID string `json:"verification_id"`
		} `json:"data"`
	}
	_ = json.NewDecoder(req.Body).Decode(&msg)
	now := time.Now()
	r.mu.Lock()
	if r.count == 0 {
		r.first = now
	}
	r.count++
	r.last = now
	if ch, ok := r.completed[msg.Data.VerificationID]; ok && msg.Type == "verification.completed" {
		close(ch)
		delete(r.completed, msg.Data.VerificationID)
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	key := flag.String("key", "", "API key")
	n := flag.Int("n", 200, "verifications for the latency run (one at a time)")
	burst := flag.Int("burst", 300, "verifications submitted at once for the throughput run")
	endpoints := flag.Int("endpoints", 4, "webhook endpoints (fan-out) in the throughput run")
	flag.Parse()
	c := client{*base, *key}
	rcv := &receiver{completed: map[string]chan struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { log.Fatal(http.Serve(ln, rcv)) }()
	url := "http://" + ln.Addr().String() + "/hook"

	c.do(http.MethodPut, "/v1/levels/bench", `{"required_documents":[],"min_age":18,"checks":{"documents.required":{"enabled":true,"required":true},"data.age":{"enabled":true,"required":true},"duplicate.identity":{"enabled":true,"required":true,"on_fail":"review"},"blocklist":{"enabled":true,"required":true}},"final_reasons":["BLOCKLISTED"],"max_attempts":5}`)
	c.do(http.MethodPost, "/v1/webhooks", fmt.Sprintf(`{"url":%q,"events":["verification.completed"]}`, url))

	prepare := func(i int, tag string) string {
		a := c.do(http.MethodPost, "/v1/applicants", fmt.Sprintf(`{"external_user_id":"%s-%d","first_name":"Bench","last_name":"User","date_of_birth":"1980-01-01","email":"%s-%d@example.com"}`, tag, i, tag, i))
		v := c.do(http.MethodPost, "/v1/verifications", fmt.Sprintf(`{"applicant_id":%q,"reference":"%s-%d","level":"bench"}`, a["id"], tag, i))
		return v["id"].(string)
	}

	// Latency: submit one, wait for its completed webhook.
	var lat []time.Duration
	for i := range *n {
		vid := prepare(i, fmt.Sprintf("lat%d", time.Now().UnixNano()))
		ch := make(chan struct{})
		rcv.mu.Lock()
		rcv.completed[vid] = ch
		rcv.mu.Unlock()
		start := time.Now()
		c.do(http.MethodPost, "/v1/verifications/"+vid+"/submit", "")
		select {
		case <-ch:
			lat = append(lat, time.Since(start))
		case <-time.After(30 * time.Second):
			log.Fatalf("no completed webhook for %s", vid)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	fmt.Printf("submit_to_webhook_p50_ms %.1f\nsubmit_to_webhook_p99_ms %.1f\n", ms(pct(0.50)), ms(pct(0.99)))

	// Throughput: fan out to several endpoints and submit a burst.
	for range *endpoints - 1 {
		c.do(http.MethodPost, "/v1/webhooks", fmt.Sprintf(`{"url":%q,"events":["verification.submitted","verification.completed"]}`, url))
	}
	tag := fmt.Sprintf("tp%d", time.Now().UnixNano())
	ids := make([]string, *burst)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range *burst {
		wg.Add(1)
		sem <- struct{}{}
		go func() { defer wg.Done(); defer func() { <-sem }(); ids[i] = prepare(i, tag) }()
	}
	wg.Wait()
	rcv.mu.Lock()
	rcv.count = 0
	rcv.mu.Unlock()
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c.do(http.MethodPost, "/v1/verifications/"+id+"/submit", "")
		}()
	}
	wg.Wait()
	// 1 endpoint gets completed only; the others get submitted and completed.
	want := *burst * (1 + 2*(*endpoints-1))
	deadline := time.Now().Add(5 * time.Minute)
	for {
		rcv.mu.Lock()
		got, first, last := rcv.count, rcv.first, rcv.last
		rcv.mu.Unlock()
		if got >= want {
			fmt.Printf("deliveries %d\ndeliveries_seconds %.3f\ndeliveries_per_second %.0f\n", got, last.Sub(first).Seconds(), float64(got)/last.Sub(first).Seconds())
			return
		}
		if time.Now().After(deadline) {
			log.Fatalf("only %d of %d deliveries arrived", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
