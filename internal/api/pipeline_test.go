package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/webhook"
)

// receiver is a loopback webhook endpoint that verifies every delivery.
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	got    []webhook.Message
	ids    []string
	tps    []string        // traceparent headers
	fail   func(n int) int // status to answer the n-th request (0-based); nil: 200
	n      int
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		n := r.n
		r.n++
		if r.fail != nil {
			if st := r.fail(n); st != http.StatusOK {
				w.WriteHeader(st)
				return
			}
		}
		err := webhook.Verify(r.secret, req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature"), body, time.Now(), 5*time.Minute)
		if err != nil {
			t.Errorf("bad signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var m webhook.Message
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("bad body: %v", err)
		}
		r.got = append(r.got, m)
		r.ids = append(r.ids, req.Header.Get("webhook-id"))
		r.tps = append(r.tps, req.Header.Get("traceparent"))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) types(verificationID string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		var d struct {
			VerificationID string `json:"verification_id"`
		}
		_ = json.Unmarshal(m.Data, &d)
		if d.VerificationID == verificationID {
			out = append(out, m.Type)
		}
	}
	return out
}

func withWorkers(c *config.Config) {
	c.Workers = true
	c.WebhookAllowPrivate = true
	c.WebhookSchedule = []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}
	c.WebhookTimeout = 300 * time.Millisecond
}

func (e *env) registerWebhook(r *receiver) string {
	e.t.Helper()
	res := e.postJSON("/v1/webhooks", e.keyA, fmt.Sprintf(`{"url":%q}`, r.srv.URL))
	require.Equal(e.t, http.StatusCreated, res.Status, "%s", res.Body)
	body := res.json(e.t)
	r.mu.Lock()
	r.secret = body["secret"].(string)
	r.mu.Unlock()
	require.True(e.t, strings.HasPrefix(r.secret, "whsec_"))
	return body["id"].(string)
}

// applicantWithDocs creates an applicant and uploads the given kinds.
func (e *env) applicantWithDocs(body string, kinds ...string) string {
	e.t.Helper()
	aid := e.createApplicant(e.keyA, body)
	for _, k := range kinds {
		r := e.upload(aid, e.keyA, [2]any{"kind", k}, [2]any{"file", testJPEG(e.t, 320, 200)})
		require.Equal(e.t, http.StatusCreated, r.Status, "%s", r.Body)
	}
	return aid
}

func (e *env) submitNew(aid, ref string) string {
	e.t.Helper()
	r := e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":%q}`, aid, ref))
	require.Equal(e.t, http.StatusCreated, r.Status, "%s", r.Body)
	vid := r.json(e.t)["id"].(string)
	require.Equal(e.t, http.StatusAccepted, e.postJSON("/v1/verifications/"+vid+"/submit", e.keyA, "").Status)
	return vid
}

// settle waits until the verification leaves submitted/processing.
func (e *env) settle(vid string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v := e.get("/v1/verifications/"+vid, e.keyA).json(e.t)
		if st := v["state"]; st == "completed" || st == "review" {
			return v
		}
		require.True(e.t, time.Now().Before(deadline), "verification %s stuck in %v", vid, v["state"])
		time.Sleep(20 * time.Millisecond)
	}
}

func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "timed out waiting for %s", what)
		time.Sleep(20 * time.Millisecond)
	}
}

func person(ext, email string) string {
	return fmt.Sprintf(`{"external_user_id":%q,"first_name":"Anna","last_name":"Eriksson","date_of_birth":"1990-04-12","email":%q}`, ext, email)
}

func TestPipelineDecidesAndNotifies(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, withWorkers)
		rcv := newReceiver(t)
		whk := e.registerWebhook(rcv)

		// All documents, adult, unique: approved.
		ok := e.submitNew(e.applicantWithDocs(person("u1", "u1@example.com"), "id_front", "selfie"), "ok-1")
		v := e.settle(ok)
		require.Equal(t, "approved", v["decision"], "%v", v)
		checks := map[string]string{}
		for _, c := range v["checks"].([]any) {
			c := c.(map[string]any)
			checks[c["kind"].(string)] = c["status"].(string)
		}
		require.Equal(t, map[string]string{"documents.required": "passed", "document.integrity": "passed", "data.age": "passed",
			"data.expiry": "not_run", "duplicate.identity": "passed", "blocklist": "passed",
			"document.mrz": "not_run", "document.barcode": "not_run", "document.viz": "not_run", "document.classification": "not_run", "data.consistency": "not_run", "document.tamper_hints": "passed", "face.match": "not_run",
			"face.duplicate": "not_run", "face.liveness": "not_run", "screening.sanctions": "not_run"}, checks, "no OCR or face assets or lists in this test's directory: those checks do not run")
		waitUntil(t, "webhooks of ok-1", func() bool { return len(rcv.types(ok)) == 2 })
		require.ElementsMatch(t, []string{"verification.submitted", "verification.completed"}, rcv.types(ok))

		// No selfie: rejected for retry, then fixed and resubmitted.
		aid := e.applicantWithDocs(person("u2", "u2@example.com"), "id_front")
		retry := e.submitNew(aid, "retry-1")
		v = e.settle(retry)
		require.Equal(t, "rejected", v["decision"])
		require.Equal(t, "retry", v["reject_type"])
		require.Equal(t, []any{"DOCUMENT_MISSING"}, v["reasons"])
		require.Equal(t, "Please upload all the requested documents.", v["user_message"])
		waitUntil(t, "resubmission webhook", func() bool { return len(rcv.types(retry)) == 3 })
		require.Contains(t, rcv.types(retry), "verification.resubmission_requested")
		require.Equal(t, http.StatusCreated, e.upload(aid, e.keyA, [2]any{"kind", "selfie"}, [2]any{"file", testJPEG(t, 300, 300)}).Status)
		res := e.postJSON("/v1/verifications/"+retry+"/submit", e.keyA, "")
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		v = e.settle(retry)
		require.Equal(t, "approved", v["decision"])
		require.EqualValues(t, 2, v["attempt"])

		// Blocklisted e-mail: rejected for good; no resubmission.
		require.Equal(t, http.StatusCreated, e.postJSON("/v1/blocklist", e.keyA, `{"kind":"email","value":"Fraud@Example.com","note":"chargebacks"}`).Status)
		final := e.submitNew(e.applicantWithDocs(person("u3", "fraud@example.com"), "id_front", "selfie"), "final-1")
		v = e.settle(final)
		require.Equal(t, "final", v["reject_type"])
		require.Equal(t, []any{"BLOCKLISTED"}, v["reasons"])
		require.Equal(t, "We are unable to verify your identity.", v["user_message"], "the list is not disclosed")
		res = e.postJSON("/v1/verifications/"+final+"/submit", e.keyA, "")
		require.Equal(t, http.StatusConflict, res.Status)

		// The same e-mail as u1 on another applicant: a person looks.
		dup := e.submitNew(e.applicantWithDocs(person("u4", "u1@example.com"), "id_front", "selfie"), "dup-1")
		v = e.settle(dup)
		require.Equal(t, "review", v["state"])
		waitUntil(t, "review webhook", func() bool { return len(rcv.types(dup)) == 2 })
		require.Contains(t, rcv.types(dup), "verification.review")

		// A stricter level applies to new verifications.
		res = e.do(http.MethodPut, "/v1/levels/strict", e.keyA, strings.NewReader(
			`{"required_documents":["id_front","id_back","selfie"],"min_age":21,"checks":{"documents.required":{"enabled":true,"required":true}},"final_reasons":[],"max_attempts":2}`), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.EqualValues(t, 1, res.json(t)["version"])
		r := e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":"strict-1","level":"strict"}`, aid))
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		sid := r.json(t)["id"].(string)
		require.Equal(t, http.StatusAccepted, e.postJSON("/v1/verifications/"+sid+"/submit", e.keyA, "").Status)
		v = e.settle(sid)
		require.Equal(t, []any{"DOCUMENT_MISSING"}, v["reasons"])
		r = e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":"x-1","level":"nope"}`, aid))
		require.Equal(t, http.StatusNotFound, r.Status)

		// The delivery log shows the successful deliveries.
		waitUntil(t, "delivery log", func() bool {
			items := e.get("/v1/webhooks/"+whk+"/deliveries?limit=200", e.keyA).json(t)["items"].([]any)
			return len(items) >= 9
		})
		for _, it := range e.get("/v1/webhooks/"+whk+"/deliveries", e.keyA).json(t)["items"].([]any) {
			require.EqualValues(t, 200, it.(map[string]any)["status_code"])
		}
		// Merchant B sees none of it.
		require.Equal(t, http.StatusNotFound, e.get("/v1/webhooks/"+whk+"/deliveries", e.keyB).Status)
		require.Empty(t, e.get("/v1/webhooks", e.keyB).json(t)["items"])
		require.Empty(t, e.get("/v1/blocklist", e.keyB).json(t)["items"])
	})
}

func TestDeliveryRetriesAndRedirects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0], withWorkers)
	rcv := newReceiver(t)
	rcv.fail = func(n int) int {
		if n < 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	whk := e.registerWebhook(rcv)
	vid := e.submitNew(e.applicantWithDocs(person("r1", "r1@example.com"), "id_front", "selfie"), "r-1")
	e.settle(vid)
	waitUntil(t, "both events after retries", func() bool { return len(rcv.types(vid)) == 2 })
	// The log entry commits with the job's outcome, just after the receiver answered.
	var items []any
	waitUntil(t, "four logged attempts", func() bool {
		items = e.get("/v1/webhooks/"+whk+"/deliveries?limit=200", e.keyA).json(t)["items"].([]any)
		return len(items) == 4
	})
	var codes []float64
	for _, it := range items {
		codes = append(codes, it.(map[string]any)["status_code"].(float64))
	}
	require.ElementsMatch(t, []float64{503, 503, 200, 200}, codes)
	rcv.mu.Lock()
	ids := append([]string(nil), rcv.ids...)
	rcv.mu.Unlock()
	// A redelivery carries the same webhook-id.
	require.Equal(t, http.StatusAccepted, e.postJSON("/v1/events/"+ids[0]+"/redeliver", e.keyA, "").Status)
	waitUntil(t, "redelivery", func() bool { rcv.mu.Lock(); defer rcv.mu.Unlock(); return len(rcv.ids) == 3 })
	rcv.mu.Lock()
	require.Equal(t, ids[0], rcv.ids[2])
	rcv.mu.Unlock()
	require.Equal(t, http.StatusNotFound, e.postJSON("/v1/events/"+ids[0]+"/redeliver", e.keyB, "").Status)

	// After a rotation, deliveries verify with the old and with the new secret.
	rot := e.postJSON("/v1/webhooks/"+whk+"/rotate", e.keyA, "")
	require.Equal(t, http.StatusOK, rot.Status)
	newSecret := rot.json(t)["secret"].(string)
	require.Equal(t, http.StatusAccepted, e.postJSON("/v1/events/"+ids[0]+"/redeliver", e.keyA, "").Status)
	waitUntil(t, "delivery signed with the old secret", func() bool { rcv.mu.Lock(); defer rcv.mu.Unlock(); return len(rcv.ids) == 4 })
	rcv.mu.Lock()
	rcv.secret = newSecret
	rcv.mu.Unlock()
	require.Equal(t, http.StatusAccepted, e.postJSON("/v1/events/"+ids[0]+"/redeliver", e.keyA, "").Status)
	waitUntil(t, "delivery signed with the new secret", func() bool { rcv.mu.Lock(); defer rcv.mu.Unlock(); return len(rcv.ids) == 5 })

	// A redirecting and a hanging receiver: nothing reaches the redirect target, both retried then dead.
	hit := make(chan struct{}, 10)
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit <- struct{}{} }))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(time.Second) }))
	defer hang.Close()
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/v1/webhooks/"+whk, e.keyA, nil, nil).Status)
	var ids2 []string
	for _, u := range []string{redirect.URL, hang.URL} {
		r := e.postJSON("/v1/webhooks", e.keyA, fmt.Sprintf(`{"url":%q,"events":["verification.completed"]}`, u))
		require.Equal(t, http.StatusCreated, r.Status)
		ids2 = append(ids2, r.json(t)["id"].(string))
	}
	vid2 := e.submitNew(e.applicantWithDocs(person("r2", "r2@example.com"), "id_front", "selfie"), "r-2")
	e.settle(vid2)
	for i, id := range ids2 {
		waitUntil(t, "four attempts", func() bool {
			return len(e.get("/v1/webhooks/"+id+"/deliveries", e.keyA).json(t)["items"].([]any)) == 4
		})
		for _, it := range e.get("/v1/webhooks/"+id+"/deliveries", e.keyA).json(t)["items"].([]any) {
			m := it.(map[string]any)
			if i == 0 {
				require.EqualValues(t, 307, m["status_code"])
				require.Equal(t, "redirect not followed", m["error"])
			} else {
				require.EqualValues(t, 0, m["status_code"])
				require.Contains(t, m["error"], "Timeout")
			}
		}
	}
	select {
	case <-hit:
		t.Fatal("a redirect was followed")
	default:
	}
}

func TestWebhookEndpointRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0]) // private targets not allowed
	for _, body := range []string{`{"url":"http://127.0.0.1:8080/hook"}`, `{"url":"https://10.0.0.8/hook"}`, `{"url":"https://hooks.example.com","events":["verification.created"]}`, `{"url":"not a url"}`} {
		r := e.postJSON("/v1/webhooks", e.keyA, body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, body)
	}
	r := e.postJSON("/v1/webhooks", e.keyA, `{"url":"https://hooks.example.com/kyc","events":["verification.completed"]}`)
	require.Equal(t, http.StatusCreated, r.Status)
	id := r.json(t)["id"].(string)
	list := e.get("/v1/webhooks", e.keyA)
	require.NotContains(t, string(list.Body), "whsec_", "secrets are shown once")
	rot := e.postJSON("/v1/webhooks/"+id+"/rotate", e.keyA, "")
	require.Equal(t, http.StatusOK, rot.Status)
	require.NotEqual(t, r.json(t)["secret"], rot.json(t)["secret"])
	require.Equal(t, http.StatusNotFound, e.do(http.MethodDelete, "/v1/webhooks/"+id, e.keyB, nil, nil).Status)
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/v1/webhooks/"+id, e.keyA, nil, nil).Status)
	require.Equal(t, http.StatusNotFound, e.do(http.MethodDelete, "/v1/webhooks/"+id, e.keyA, nil, nil).Status)

	// Levels and blocklist input rules.
	bad := e.do(http.MethodPut, "/v1/levels/basic", e.keyA, strings.NewReader(`{"required_documents":["passport"],"min_age":18,"checks":{},"final_reasons":[],"max_attempts":3}`), nil)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
	_, field := bad.errField(t)
	require.Equal(t, "required_documents[0]", field)
	lv := e.get("/v1/levels/basic", e.keyA)
	require.Equal(t, http.StatusOK, lv.Status)
	require.EqualValues(t, 18, lv.json(t)["min_age"])
	require.Equal(t, http.StatusUnprocessableEntity, e.postJSON("/v1/blocklist", e.keyA, `{"kind":"phone","value":"12"}`).Status)
	require.Equal(t, http.StatusUnprocessableEntity, e.postJSON("/v1/blocklist", e.keyA, `{"kind":"iban","value":"x"}`).Status)
	b := e.postJSON("/v1/blocklist", e.keyA, `{"kind":"name","value":"Ivan Petrov"}`)
	require.Equal(t, http.StatusCreated, b.Status)
	require.Equal(t, http.StatusConflict, e.postJSON("/v1/blocklist", e.keyA, `{"kind":"name","value":"IVAN  petrov"}`).Status, "normalised duplicates")
	require.Equal(t, http.StatusNotFound, e.do(http.MethodDelete, "/v1/blocklist/"+b.json(t)["id"].(string), e.keyB, nil, nil).Status)
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/v1/blocklist/"+b.json(t)["id"].(string), e.keyA, nil, nil).Status)
}
