// Package reliability kills real openkyc processes in the middle of work and
// checks that nothing is lost: every submitted verification is decided once,
// every event is delivered at least once with its webhook-id.
package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/webhook"
)

const verifications = 200

func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "openkyc")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/openkyc/openkyc/cmd/openkyc").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

type proc struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
}

func start(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), logs: &bytes.Buffer{}}
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.logs
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	return p
}

func (p *proc) kill() {
	_ = p.cmd.Process.Kill() // SIGKILL: no shutdown, no cleanup
	_ = p.cmd.Wait()
}

// receiver records verified deliveries.
type receiver struct {
	mu     sync.Mutex
	secret string
	ids    map[string]int
}

func (r *receiver) handler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		time.Sleep(10 * time.Millisecond) // keep deliveries pending
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := webhook.Verify(r.secret, req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature"), body, time.Now(), time.Minute); err != nil {
			t.Errorf("delivery with a bad signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.ids[req.Header.Get("webhook-id")]++
	})
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

type client struct {
	base, key string
}

func (c client) do(method, path, body string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m, nil
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "server did not become ready")
		time.Sleep(50 * time.Millisecond)
	}
}

func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills real processes")
	}
	t.Parallel()
	bin := build(t)
	for _, db := range kyctest.DBs(t) {
		t.Run(db.Name, func(t *testing.T) {
			t.Parallel()
			killAndRestart(t, bin, db)
		})
	}
}

func killAndRestart(t *testing.T, bin string, db kyctest.DB) {
	pg := db.Name == "postgres"
	dir := t.TempDir()
	common := []string{"--data-dir", dir, "--database-url", db.URL, "--log-level", "warn"}
	out, err := exec.Command(bin, append([]string{"merchant", "create", "--name", "Reliability", "--json"}, common...)...).Output()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	merchantID := m["id"].(string)

	rcv := &receiver{ids: map[string]int{}}
	rsrv := httptest.NewServer(rcv.handler(t))
	defer rsrv.Close()

	addr := freeAddr(t)
	workerArgs := []string{"--webhook-allow-private", "--verify-timeout", "3s", "--webhook-timeout", "1s", "--worker-concurrency", "8"}
	serve := func(workers bool) *proc {
		// one loopback client plays many merchants' traffic: no rate limits here
		return start(t, bin, append(append(append([]string{"serve", "--addr", addr, "--rate-limit-merchant", "0", "--rate-limit-address", "0"}, common...),
			workerArgs...), fmt.Sprintf("--workers=%v", workers))...)
	}
	worker := func() *proc { return start(t, bin, append(append([]string{"worker"}, common...), workerArgs...)...) }

	// Phase 1: an API server without workers takes 200 submissions.
	api := serve(false)
	base := "http://" + addr
	waitHealthy(t, base)
	c := client{base: base, key: m["api_key"].(string)}

	st, body, err := c.do(http.MethodPut, "/v1/levels/fast", `{"required_documents":[],"min_age":18,"checks":{"data.age":{"enabled":true,"required":true},"blocklist":{"enabled":true,"required":true}},"final_reasons":["BLOCKLISTED"],"max_attempts":5}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, st, "%v", body)
	st, body, err = c.do(http.MethodPost, "/v1/webhooks", fmt.Sprintf(`{"url":%q}`, rsrv.URL))
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, st, "%v", body)
	rcv.mu.Lock()
	rcv.secret = body["secret"].(string)
	rcv.mu.Unlock()

	// Submit every verification, 8 at a time.
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				st, a, err := c.do(http.MethodPost, "/v1/applicants", fmt.Sprintf(`{"external_user_id":"u%d","first_name":"Test","last_name":"User","date_of_birth":"1985-06-0%d","email":"u%d@example.com"}`, i, 1+i%9, i))
				if err != nil || st != http.StatusCreated {
					t.Errorf("applicant %d: %v %d %v", i, err, st, a)
					continue
				}
				st, v, err := c.do(http.MethodPost, "/v1/verifications", fmt.Sprintf(`{"applicant_id":%q,"reference":"r%d","level":"fast"}`, a["id"], i))
				if err != nil || st != http.StatusCreated {
					t.Errorf("verification %d: %v %d %v", i, err, st, v)
					continue
				}
				if st, _, err := c.do(http.MethodPost, "/v1/verifications/"+v["id"].(string)+"/submit", ""); err != nil || st != http.StatusAccepted {
					t.Errorf("submit %d: %v %d", i, err, st)
				}
			}
		}()
	}
	for i := range verifications {
		work <- i
	}
	close(work)
	wg.Wait()
	require.False(t, t.Failed())

	// Phase 2: workers start (SQLite: in the serving process; PostgreSQL: two
	// worker processes) and are killed while checks and deliveries are in flight.
	var killed []*proc
	if pg {
		w1, w2 := worker(), worker()
		_ = w2
		killed = []*proc{api, w1}
	} else {
		api.kill()
		api = serve(true)
		killed = []*proc{api}
	}
	deadline := time.Now().Add(30 * time.Second)
	for rcv.count() < 20 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	for _, p := range killed {
		p.kill()
	}
	delivered := rcv.count()
	require.Less(t, delivered, 2*verifications, "the kill came too late to test anything")

	// Phase 3: restart what was killed; every verification must settle and every event arrive.
	restarted := []*proc{serve(!pg)}
	if pg {
		restarted = append(restarted, worker())
	}
	waitHealthy(t, base)

	s, err := store.Open(context.Background(), store.Config{URL: db.URL})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	deadline = time.Now().Add(90 * time.Second)
	for {
		page, err := s.ListVerifications(ctx, store.VerificationFilter{MerchantID: merchantID, State: kyc.StateCompleted, Limit: verifications + 1})
		require.NoError(t, err)
		if len(page) == verifications {
			for _, v := range page {
				require.Equal(t, kyc.DecisionApproved, v.Decision, v.ID)
			}
			break
		}
		require.True(t, time.Now().Before(deadline), "only %d of %d verifications completed; logs:\n%s", len(page), verifications, restarted[0].logs)
		time.Sleep(100 * time.Millisecond)
	}

	var want []string
	all, err := s.ListVerifications(ctx, store.VerificationFilter{MerchantID: merchantID, Limit: verifications + 1})
	require.NoError(t, err)
	for _, v := range all {
		evs, err := s.EventsBySubject(ctx, merchantID, v.ID)
		require.NoError(t, err)
		for _, e := range evs {
			if slices.Contains(webhook.Events, e.Type) {
				want = append(want, e.ID)
			}
		}
	}
	require.Len(t, want, 2*verifications, "submitted and completed for each")
	deadline = time.Now().Add(90 * time.Second)
	for {
		rcv.mu.Lock()
		missing := 0
		for _, id := range want {
			if rcv.ids[id] == 0 {
				missing++
			}
		}
		rcv.mu.Unlock()
		if missing == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d of %d events never delivered", missing, len(want))
		time.Sleep(100 * time.Millisecond)
	}

	// Decided once each; the audit chain is intact.
	decided := map[string]int{}
	require.NoError(t, s.AuditEntries(ctx, merchantID, func(e kyc.AuditEntry) error {
		if e.Action == "verification.decide" {
			decided[e.SubjectID]++
		}
		return nil
	}))
	require.Len(t, decided, verifications)
	for id, n := range decided {
		require.Equal(t, 1, n, "verification %s decided %d times", id, n)
	}
	out, err = exec.Command(bin, append([]string{"audit", "verify"}, common...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)

	// No job ran twice, except those the killed process held (at most its
	// concurrency per kind) and which had to run again.
	twice := 0
	for _, v := range all {
		j, err := s.JobByID(ctx, fmt.Sprintf("job_verify_%s_1", v.ID))
		require.NoError(t, err)
		require.Equal(t, store.JobDone, j.State)
		if j.Attempts > 1 {
			twice++
		}
	}
	killedProcesses := 1
	if pg {
		killedProcesses = 2
	}
	require.LessOrEqual(t, twice, 8*killedProcesses, "verification jobs run more than once")
	t.Logf("%s: %d delivered before the kill; %d verification jobs re-run after it; %d events delivered", db.Name, delivered, twice, len(want))
}
