package kycsharing_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

var update = flag.Bool("update", false, "rewrite golden files")

type merchant struct{ appID, secret string }

type env struct {
	t    *testing.T
	srv  *httptest.Server
	a, b merchant
}

func newEnv(t *testing.T, db kyctest.DB, mutate ...func(*config.Config)) *env {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 8 << 20, MaxImagePixels: 4_000_000,
		Workers: true, WebhookAllowPrivate: true, WebhookSchedule: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}}
	for _, m := range mutate {
		m(&cfg)
	}
	a, srv := apptest.Start(t, cfg)
	e := &env{t: t, srv: srv}
	for _, m := range []*merchant{&e.a, &e.b} {
		c, err := a.Merchants.Create(context.Background(), "M", "test")
		require.NoError(t, err)
		m.appID, m.secret = c.KYCSharingAppID, c.KYCSharingSecret
	}
	return e
}

// refSign is an independent signer: HMAC-SHA256 over the exact bytes sent
// (test bodies are written already canonical).
func refSign(secret, ts, method, path string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + method + path))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type call struct {
	method, path string
	body         []byte
	contentType  string
	signBody     []byte // what is signed (the canonical form fields for multipart)
	headers      map[string]string
	m            merchant
	ts           string
}

func (e *env) do(c call) map[string]any {
	e.t.Helper()
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.ts == "" {
		c.ts = strconv.FormatInt(time.Now().UnixMilli(), 10)
	}
	if c.signBody == nil {
		c.signBody = c.body
	}
	req, err := http.NewRequest(c.method, e.srv.URL+c.path, bytes.NewReader(c.body))
	require.NoError(e.t, err)
	if c.contentType == "" {
		c.contentType = "application/json"
	}
	req.Header.Set("Content-Type", c.contentType)
	req.Header.Set("appId", c.m.appID)
	req.Header.Set("timestamp", c.ts)
	req.Header.Set("sign", refSign(c.m.secret, c.ts, c.method, c.path, c.signBody))
	for k, v := range c.headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	require.Equal(e.t, http.StatusOK, res.StatusCode)
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	require.NoError(e.t, json.Unmarshal(b, &out), "%s", b)
	return out
}

func (e *env) upload(m merchant, reqNo, typ string, file []byte) map[string]any {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("requestNo", reqNo)
	_ = w.WriteField("type", typ)
	fw, _ := w.CreateFormFile("file", "f")
	_, _ = fw.Write(file)
	_ = w.Close()
	return e.do(call{path: "/open/api/kyc/share/fileUpload", body: b.Bytes(), contentType: w.FormDataContentType(), m: m,
		signBody: []byte(fmt.Sprintf(`{"requestNo":%q,"type":%q}`, reqNo, typ))})
}

func info(reqNo, email, callback, extra string) []byte {
	return []byte(fmt.Sprintf(`{"callbackUrl":%q,"email":%q,"holderType":1,"individualInfo":{"address":{"address":"Calle Mayor 1","city":"Madrid","country":"ESP","zipCode":"28013"},"country":"ESP","dob":"1988-07-21","firstName":"María","gender":2,"idDocType":2,"lastName":"García","number":"PAB123456","validUntil":"2031-01-01"%s},"requestNo":%q}`,
		callback, email, extra, reqNo))
}

func photo() []byte {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 120, 80)), nil)
	return b.Bytes()
}

const report = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

var maskRE = regexp.MustCompile(`"(traceId|updateTime)": ("[^"]*"|\d+)`)

func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	got := maskRE.ReplaceAllString(buf.String(), `"$1": "<masked>"`)
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update")
	require.Equal(t, string(want), got)
}

// code is the answer's code, which the seed's table types as an integer.
func code(res map[string]any) string {
	c, ok := res["code"].(float64)
	if !ok {
		return fmt.Sprintf("not an integer: %#v", res["code"])
	}
	return strconv.Itoa(int(c))
}

type receiver struct {
	mu  sync.Mutex
	got []map[string]string
	n   int
	srv *httptest.Server
}

func newReceiver(t *testing.T, m merchant) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if req.Header.Get("appId") != m.appID || refSign(m.secret, req.Header.Get("timestamp"), "POST", req.URL.RequestURI(), body) != req.Header.Get("sign") {
			t.Errorf("callback signature does not verify")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.n++
		if r.n == 1 {
			w.WriteHeader(http.StatusAccepted) // only 200 acknowledges: this is retried
			return
		}
		var f map[string]string
		_ = json.Unmarshal(body, &f)
		r.got = append(r.got, f)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestKYCSharing(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		rcv := newReceiver(t, e.a)
		cb := rcv.srv.URL + "/kyc/hook"
		res := e.do(call{path: "/open/api/kyc/share/information", body: info("REQ-1", "maria@example.com", cb, ""), m: e.a})
		require.Equal(t, "0", code(res), "%v", res)
		golden(t, "information", res)
		require.Equal(t, "0", code(e.do(call{path: "/open/api/kyc/share/information", body: info("REQ-1", "maria@example.com", cb, ""), m: e.a})), "idempotent")
		dup := e.do(call{path: "/open/api/kyc/share/information", body: info("REQ-1", "other@example.com", cb, ""), m: e.a})
		require.Equal(t, "40901", code(dup))
		// (Had the refused call written an applicant, its document number would
		// make REQ-1 a duplicate and send it to review instead of approval below.)

		// Submitting names the missing files.
		sub := e.do(call{path: "/open/api/kyc/share/submit", body: []byte(`{"requestNo":"REQ-1"}`), m: e.a})
		require.Equal(t, "40001", code(sub))
		require.Contains(t, sub["msg"], "idFront, face, amlReport, idvReport")
		golden(t, "error_missing_files", sub)

		require.Equal(t, "40001", code(e.upload(e.a, "REQ-1", "face", []byte(report))), "a PDF is not a photo")
		require.Equal(t, "40001", code(e.upload(e.a, "REQ-1", "amlReport", photo())), "a photo is not a report")
		require.Equal(t, "40001", code(e.upload(e.a, "REQ-1", "idvReport", []byte("%PDF-1.4\n<< /S /JavaScript /JS (x) >>\n%%EOF"))), "active content")
		hidden, err := os.ReadFile(filepath.Join("..", "..", "docfile", "testdata", "pdf", "objstm-openaction-js.pdf"))
		require.NoError(t, err)
		hres := e.upload(e.a, "REQ-1", "amlReport", hidden)
		require.Equal(t, "40001", code(hres), "JavaScript in a compressed object stream")
		require.Contains(t, hres["msg"], "active content (/OpenAction)")
		big := append(append([]byte("%PDF-1.4\n1 0 obj << /Length 6291456 >>\nstream\n"), make([]byte, 6<<20)...), "\nendstream\nendobj\n%%EOF\n"...)
		require.Contains(t, e.upload(e.a, "REQ-1", "amlReport", big)["msg"], "5 MB")
		require.Equal(t, "40001", code(e.upload(e.a, "REQ-1", "passport", photo())))
		require.Equal(t, "40401", code(e.upload(e.b, "REQ-1", "idFront", photo())), "another merchant's requestNo")
		for typ, f := range map[string][]byte{"idFront": photo(), "face": photo(), "amlReport": []byte(report), "idvReport": []byte(report)} {
			res := e.upload(e.a, "REQ-1", typ, f)
			require.Equal(t, "0", code(res), "%s: %v", typ, res)
		}
		sub = e.do(call{path: "/open/api/kyc/share/submit", body: []byte(`{"requestNo":"REQ-1"}`), m: e.a})
		require.Equal(t, "0", code(sub), "%v", sub)
		require.Equal(t, "40902", code(e.upload(e.a, "REQ-1", "idBack", photo())), "no uploads after submission")

		deadline := time.Now().Add(20 * time.Second)
		for {
			q := e.do(call{path: "/open/api/kyc/share/query", body: []byte(`{"requestNo":"REQ-1"}`), m: e.a})
			if q["model"].(map[string]any)["kycStatus"] == "approved" {
				golden(t, "query_approved", q)
				break
			}
			require.True(t, time.Now().Before(deadline), "not approved: %v", q)
			time.Sleep(20 * time.Millisecond)
		}
		require.Eventually(t, func() bool {
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			for _, f := range rcv.got {
				if f["kycStatus"] == "approved" && f["requestNo"] == "REQ-1" {
					return true
				}
			}
			return false
		}, 20*time.Second, 20*time.Millisecond)

		stale := strconv.FormatInt(time.Now().Add(-10*time.Minute).UnixMilli(), 10)
		q := []byte(`{"requestNo":"REQ-1"}`)
		tests := []struct {
			name string
			c    call
			code string
		}{
			{"no appId", call{path: "/open/api/kyc/share/query", body: q, m: e.a, headers: map[string]string{"appId": ""}}, "40103"},
			{"unknown appId", call{path: "/open/api/kyc/share/query", body: q, m: merchant{appID: "ksnope", secret: "x"}}, "40103"},
			{"wrong secret", call{path: "/open/api/kyc/share/query", body: q, m: merchant{appID: e.a.appID, secret: e.b.secret}}, "40101"},
			{"stale", call{path: "/open/api/kyc/share/query", body: q, m: e.a, ts: stale}, "40102"},
			{"short timestamp", call{path: "/open/api/kyc/share/query", body: q, m: e.a, ts: "1732988442"}, "40102"},
			{"no sign", call{path: "/open/api/kyc/share/query", body: q, m: e.a, headers: map[string]string{"sign": ""}}, "40101"},
			{"malformed", call{path: "/open/api/kyc/share/query", body: []byte(`{"requestNo":`), m: e.a}, "40001"},
			{"unknown field", call{path: "/open/api/kyc/share/query", body: []byte(`{"requestNo":"REQ-1","x":"1"}`), m: e.a}, "40001"},
			{"other merchant", call{path: "/open/api/kyc/share/query", body: q, m: e.b}, "40401"},
			{"usa without ssn", call{path: "/open/api/kyc/share/information", body: bytes.Replace(info("REQ-9", "u@example.com", cb, ""), []byte(`"country":"ESP","zipCode"`), []byte(`"country":"USA","zipCode"`), 1), m: e.a}, "40001"},
			{"bad gender", call{path: "/open/api/kyc/share/information", body: bytes.Replace(info("REQ-9", "u@example.com", cb, ""), []byte(`"gender":2`), []byte(`"gender":7`), 1), m: e.a}, "40001"},
			{"alpha-2 country", call{path: "/open/api/kyc/share/information", body: bytes.Replace(info("REQ-9", "u@example.com", cb, ""), []byte(`"country":"ESP","dob"`), []byte(`"country":"ES","dob"`), 1), m: e.a}, "40001"},
			{"bad dob", call{path: "/open/api/kyc/share/information", body: bytes.Replace(info("REQ-9", "u@example.com", cb, ""), []byte(`1988-07-21`), []byte(`21/07/1988`), 1), m: e.a}, "40001"},
			{"https callback only", call{path: "/open/api/kyc/share/information", body: info("REQ-9", "u@example.com", "ftp://x", ""), m: e.a}, "40001"},
		}
		for _, tc := range tests {
			res := e.do(tc.c)
			require.Equal(t, tc.code, code(res), "%s: %v", tc.name, res)
			require.Equal(t, false, res["success"])
			require.NotEmpty(t, res["traceId"])
		}
		golden(t, "error_sign", e.do(call{path: "/open/api/kyc/share/query", body: q, m: merchant{appID: e.a.appID, secret: e.b.secret}}))
		require.Equal(t, "40401", code(e.do(call{path: "/open/api/kyc/share/query", body: []byte(`{"requestNo":"REQ-9"}`), m: e.a})), "refused calls wrote nothing")

		// The alias headers work; empty values are left out of the signature.
		alias := call{path: "/open/api/kyc/share/query", body: []byte(`{"requestNo":"REQ-1","x":""}`), signBody: q, m: e.a}
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		alias.headers = map[string]string{"timestamp": "", "sign": "", "ach-access-timestamp": ts, "ach-access-sign": refSign(e.a.secret, ts, "POST", alias.path, q)}
		res = e.do(alias)
		require.Equal(t, "40001", code(res), "x is an unknown field, though the signature verified: %v", res)
		require.Contains(t, res["msg"], "x: unknown field")
	})
}

// TestCallbackURLRefusesInternalTargets: with private targets not allowed, a
// callbackUrl that points inward is a parameter error naming the field and
// the rule (issue 17).
func TestCallbackURLRefusesInternalTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0], func(c *config.Config) { c.WebhookAllowPrivate, c.WebhookLookup = false, kyctest.Lookup })
	for i, u := range kyctest.InternalTargets {
		res := e.do(call{path: "/open/api/kyc/share/information", body: info(fmt.Sprint("REQ-", i), "u@example.com", u, ""), m: e.a})
		require.Equal(t, "40001", code(res), "%s: %v", u, res)
		require.Contains(t, res["msg"], "callbackUrl: url host", u)
	}
	res := e.do(call{path: "/open/api/kyc/share/information", body: info("REQ-OK", "u@example.com", "https://merchant.example/kyc", ""), m: e.a})
	require.Equal(t, "0", code(res), "%v", res)
}
