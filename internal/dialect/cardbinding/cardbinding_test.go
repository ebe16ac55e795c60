package cardbinding_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/merchant"
)

var update = flag.Bool("update", false, "rewrite golden files")

// refString is an independent implementation of the string to sign: the
// headers and the body's fields, empty values dropped (also inside objects),
// sorted, objects as compact JSON with sorted keys (encoding/json sorts map
// keys). Test bodies avoid characters encoding/json escapes.
func refString(headers map[string]string, body []byte) string {
	fields := map[string]string{}
	for k, v := range headers {
		if v != "" && k != "signature" {
			fields[strings.ToLower(k)] = v
		}
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&m) == nil {
		for k, v := range m {
			var s string
			switch v := dropEmpty(v).(type) {
			case nil:
			case string:
				s = v
			case json.Number:
				s = v.String()
			default:
				b, _ := json.Marshal(v)
				s = string(b)
			}
			if s != "" {
				fields[k] = s
			}
		}
	}
	keys := slices.Sorted(maps.Keys(fields))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fields[k]
	}
	return strings.Join(parts, "&")
}

func dropEmpty(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		if v == "" {
			return nil
		}
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		if x = dropEmpty(x); x != nil {
			out[k] = x
		}
	}
	return out
}

func refSign(key *rsa.PrivateKey, s string) string {
	sum := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func pubPEM(k *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func testKey(t *testing.T) *rsa.PrivateKey {
	b, err := os.ReadFile("testdata/merchant_test_key.pem")
	require.NoError(t, err)
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	return k.(*rsa.PrivateKey)
}

type account struct {
	id, apiKey string
	key        *rsa.PrivateKey
	platform   *rsa.PublicKey
}

type env struct {
	t       *testing.T
	a       *app.App
	srv     *httptest.Server
	m1, m2  account
	nokey   account // a merchant that uploaded no public key
	nonceNo int
}

func newEnv(t *testing.T, db kyctest.DB) *env {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 8 << 20, MaxImagePixels: 4_000_000,
		Workers: true, WebhookAllowPrivate: true, WebhookSchedule: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}}
	a, srv := apptest.Start(t, cfg)
	ctx := context.Background()
	e := &env{t: t, a: a, srv: srv}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	for _, m := range []struct {
		acc *account
		key *rsa.PrivateKey
	}{{&e.m1, testKey(t)}, {&e.m2, other}, {&e.nokey, nil}} {
		c, err := a.Merchants.Create(ctx, "M", "test")
		require.NoError(t, err)
		block, _ := pem.Decode([]byte(c.CardBindingPlatformKey))
		pk, err := x509.ParsePKIXPublicKey(block.Bytes)
		require.NoError(t, err)
		*m.acc = account{id: c.Merchant.ID, apiKey: c.CardBindingAPIKey, key: m.key, platform: pk.(*rsa.PublicKey)}
		if m.key != nil {
			pemText := pubPEM(&m.key.PublicKey)
			_, err = a.Merchants.UpdateSettings(ctx, kyc.Principal{MerchantID: c.Merchant.ID, Actor: "test"}, kyc.SurfaceCardBinding,
				merchant.SettingsPatch{PublicKey: &pemText})
			require.NoError(t, err)
		}
	}
	return e
}

type call struct {
	path    string
	body    []byte
	acc     account
	signer  *rsa.PrivateKey   // default acc.key
	headers map[string]string // overrides; "" deletes
	nonce   string
}

func (e *env) nextNonce() string {
	e.nonceNo++
	return fmt.Sprintf("n%09d", e.nonceNo)
}

func (e *env) do(c call) map[string]any {
	e.t.Helper()
	if c.nonce == "" {
		c.nonce = e.nextNonce()
	}
	h := map[string]string{"timestamp": strconv.FormatInt(time.Now().Unix(), 10), "nonce": c.nonce, "api-key": c.acc.apiKey, "version": "1.0", "lang": "en"}
	for k, v := range c.headers {
		h[k] = v
	}
	signer := c.signer
	if signer == nil {
		signer = c.acc.key
	}
	if _, set := c.headers["signature"]; !set && signer != nil {
		h["signature"] = refSign(signer, refString(h, c.body))
	}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+c.path, bytes.NewReader(c.body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		if v != "" {
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

func jpegB64(w, h int) string {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil)
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func pngB64() string {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 60, 20)))
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// bindBody is a valid request; edit changes it before encoding.
func bindBody(tradeNo, email, docNo string, edit func(base, k map[string]any)) []byte {
	mobile := fmt.Sprintf("1381234%04d", crc32.ChecksumIEEE([]byte(email))%10000) // one number per user: no duplicate hits
	base := map[string]any{"email": email, "first_name": "Wei", "last_name": "Zhang", "mobile": mobile, "mobile_code": "86", "user_ip": "40.77.166.66"}
	k := map[string]any{"address": "Maizidian Street 28", "back_doc": "", "birthday": "1990-01-01", "city": "Beijing", "country_id": "CN",
		"doc_no": docNo, "doc_type": 1, "emergency_contact": "Li Na", "front_doc": jpegB64(120, 80), "gender": 1, "mix_doc": jpegB64(90, 120),
		"nationality_id": "CN", "sign_img": pngB64(), "state": "Beijing", "zip_code": "100100", "poa_doc": "", "poa_type": "2"}
	if edit != nil {
		edit(base, k)
	}
	b, _ := json.Marshal(map[string]any{"mc_trade_no": tradeNo, "base_info": base, "kyc_info": k})
	return b
}

func queryBody(tradeNo string) []byte { return []byte(fmt.Sprintf(`{"mc_trade_no":%q}`, tradeNo)) }

func code(res map[string]any) string { c, _ := res["code"].(string); return c }

func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update")
	require.Equal(t, string(want), buf.String())
}

// receiver verifies push events with the platform's public key; its first
// answer is a 200 without code 1, which does not acknowledge.
type receiver struct {
	mu     sync.Mutex
	n      int
	got    []map[string]any
	srv    *httptest.Server
	nonces map[string]bool
}

func newReceiver(t *testing.T, acc account) *receiver {
	r := &receiver{nonces: map[string]bool{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		h := map[string]string{}
		for _, k := range []string{"timestamp", "nonce", "api-key", "version", "lang"} {
			h[k] = req.Header.Get(k)
		}
		sig, _ := base64.StdEncoding.DecodeString(req.Header.Get("signature"))
		sum := sha256.Sum256([]byte(refString(h, body)))
		if rsa.VerifyPKCS1v15(acc.platform, crypto.SHA256, sum[:], sig) != nil || h["api-key"] != acc.apiKey {
			t.Errorf("push event signature does not verify")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.nonces[h["nonce"]] {
			t.Errorf("push nonce reused")
		}
		r.nonces[h["nonce"]] = true
		r.n++
		if r.n == 1 {
			_, _ = w.Write([]byte(`{"code":0,"msg":"busy"}`))
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		r.got = append(r.got, m)
		_, _ = w.Write([]byte(`{"code":1,"msg":"ok"}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) find(tradeNo string, result float64) map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.got {
		if m["mc_trade_no"] == tradeNo && m["result"] == result {
			return m
		}
	}
	return nil
}

func (e *env) waitStatus(acc account, tradeNo string, status float64) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		q := e.do(call{path: "/openapi/card/binding/kyc/query", body: queryBody(tradeNo), acc: acc})
		require.Equal(e.t, "00000", code(q), "%v", q)
		if q["data"].(map[string]any)["status"] == status {
			return q
		}
		require.True(e.t, time.Now().Before(deadline), "status %v never reached: %v", status, q)
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCardBinding(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rcv := newReceiver(t, e.m1)
		cb := rcv.srv.URL + "/hooks/kyc"
		_, err := e.a.Merchants.UpdateSettings(ctx, kyc.Principal{MerchantID: e.m1.id, Actor: "test"}, kyc.SurfaceCardBinding,
			merchant.SettingsPatch{CallbackURL: &cb})
		require.NoError(t, err)

		res := e.do(call{path: "/openapi/card/binding/kyc", body: bindBody("TRADE-1", "wei@example.com", "E12345678", nil), acc: e.m1})
		require.Equal(t, "00000", code(res), "%v", res)
		golden(t, "bind", res)
		golden(t, "query_approved", e.waitStatus(e.m1, "TRADE-1", 1))
		require.Eventually(t, func() bool { return rcv.find("TRADE-1", 1) != nil }, 2*time.Minute, 20*time.Millisecond)
		golden(t, "push_approved", rcv.find("TRADE-1", 1))

		// The same mc_trade_no again is a duplicate; so is it while pending.
		require.Equal(t, "A0005", code(e.do(call{path: "/openapi/card/binding/kyc", body: bindBody("TRADE-1", "wei@example.com", "E12345678", nil), acc: e.m1})))

		// An under-age user is rejected with retry; the same mc_trade_no with
		// corrected data is the resubmission.
		young := func(_, k map[string]any) { k["birthday"] = time.Now().AddDate(-15, 0, 0).Format(time.DateOnly) }
		require.Equal(t, "00000", code(e.do(call{path: "/openapi/card/binding/kyc", body: bindBody("TRADE-2", "jun@example.com", "E7654321", young), acc: e.m1})))
		rejected := e.waitStatus(e.m1, "TRADE-2", 2)
		require.NotEmpty(t, rejected["data"].(map[string]any)["reason"])
		require.Eventually(t, func() bool { return rcv.find("TRADE-2", 2) != nil }, 2*time.Minute, 20*time.Millisecond)
		require.Equal(t, "00000", code(e.do(call{path: "/openapi/card/binding/kyc", body: bindBody("TRADE-2", "jun@example.com", "E7654321", nil), acc: e.m1})))
		e.waitStatus(e.m1, "TRADE-2", 1)

		// Another merchant cannot see it.
		require.Equal(t, "A0000", code(e.do(call{path: "/openapi/card/binding/kyc/query", body: queryBody("TRADE-1"), acc: e.m2})))

		// A replayed request (same nonce) is refused.
		replay := call{path: "/openapi/card/binding/kyc/query", body: queryBody("TRADE-1"), acc: e.m1, nonce: e.nextNonce()}
		require.Equal(t, "00000", code(e.do(replay)))
		require.Equal(t, "A0005", code(e.do(replay)))

		now := time.Now()
		stale := strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10)
		q := queryBody("TRADE-1")
		set := func(k func(base, k map[string]any)) []byte {
			return bindBody("BAD-1", "bad@example.com", "X1234567", k)
		}
		tests := []struct {
			name  string
			c     call
			code  string
			field string // named in msg
		}{
			{"no api-key", call{body: q, headers: map[string]string{"api-key": ""}}, "A0001", "api-key"},
			{"unknown api-key", call{body: q, headers: map[string]string{"api-key": "0123456789abcdef0123456789abcdef"}}, "A0001", "api-key"},
			{"signed with another key", call{body: q, signer: e.m2.key}, "A0001", "signature"},
			{"no signature", call{body: q, headers: map[string]string{"signature": ""}}, "A0001", "signature"},
			{"garbage signature", call{body: q, headers: map[string]string{"signature": "bm90IGEgc2lnbmF0dXJl"}}, "A0001", "signature"},
			{"stale timestamp", call{body: q, headers: map[string]string{"timestamp": stale}}, "A0002", "timestamp"},
			{"future timestamp", call{body: q, headers: map[string]string{"timestamp": strconv.FormatInt(now.Add(6*time.Minute).Unix(), 10)}}, "A0002", "timestamp"},
			{"milliseconds", call{body: q, headers: map[string]string{"timestamp": strconv.FormatInt(now.UnixMilli(), 10)}}, "A0002", "timestamp"},
			{"no nonce", call{body: q, headers: map[string]string{"nonce": ""}}, "A0003", "nonce"},
			{"bad version", call{body: q, headers: map[string]string{"version": "2.0"}}, "A0003", "version"},
			{"bad lang", call{body: q, headers: map[string]string{"lang": "fr"}}, "A0003", "lang"},
			{"no public key", call{body: q, acc: e.nokey, signer: e.m1.key}, "A0007", "api-key"},
			{"malformed JSON", call{path: "/openapi/card/binding/kyc", body: []byte(`{"mc_trade_no":`), headers: map[string]string{"signature": "eA=="}}, "A0003", "body"},
			{"query unknown field", call{body: []byte(`{"mc_trade_no":"TRADE-1","x":"1"}`)}, "A0003", "x"},
			{"query unknown", call{body: queryBody("NOPE")}, "A0000", "mc_trade_no"},
			{"no mc_trade_no", call{path: "/openapi/card/binding/kyc", body: bindBody("", "bad@example.com", "X1", nil)}, "A0003", "mc_trade_no"},
			{"no base_info", call{path: "/openapi/card/binding/kyc", body: []byte(`{"mc_trade_no":"BAD-1","kyc_info":{"city":"x"}}`)}, "A0003", "base_info"},
			{"kyc_info not an object", call{path: "/openapi/card/binding/kyc", body: []byte(`{"mc_trade_no":"BAD-1","base_info":{"email":"bad@example.com"},"kyc_info":"x"}`)}, "A0003", "kyc_info"},
			{"email invalid", call{body: set(func(b, _ map[string]any) { b["email"] = "not-an-email" })}, "A0003", "base_info.email"},
			{"email too long", call{body: set(func(b, _ map[string]any) { b["email"] = strings.Repeat("a", 60) + "@example.com" })}, "A0003", "base_info.email"},
			{"first_name too long", call{body: set(func(b, _ map[string]any) { b["first_name"] = strings.Repeat("a", 51) })}, "A0003", "base_info.first_name"},
			{"last_name missing", call{body: set(func(b, _ map[string]any) { delete(b, "last_name") })}, "A0003", "base_info.last_name"},
			{"mobile too short", call{body: set(func(b, _ map[string]any) { b["mobile"] = "12345" })}, "A0003", "base_info.mobile"},
			{"mobile letters", call{body: set(func(b, _ map[string]any) { b["mobile"] = "1381234567a" })}, "A0003", "base_info.mobile"},
			{"mobile_code too long", call{body: set(func(b, _ map[string]any) { b["mobile_code"] = "123456" })}, "A0003", "base_info.mobile_code"},
			{"user_ip invalid", call{body: set(func(b, _ map[string]any) { b["user_ip"] = "999.1.1.1" })}, "A0003", "base_info.user_ip"},
			{"base_info unknown field", call{body: set(func(b, _ map[string]any) { b["nickname"] = "w" })}, "A0003", "base_info.nickname"},
			{"birthday format", call{body: set(func(_, k map[string]any) { k["birthday"] = "01/01/1990" })}, "A0003", "kyc_info.birthday"},
			{"birthday not a date", call{body: set(func(_, k map[string]any) { k["birthday"] = "1990-02-30" })}, "A0003", "kyc_info.birthday"},
			{"birthday in the future", call{body: set(func(_, k map[string]any) { k["birthday"] = now.AddDate(1, 0, 0).Format(time.DateOnly) })}, "A0003", "kyc_info.birthday"},
			{"city too long", call{body: set(func(_, k map[string]any) { k["city"] = strings.Repeat("c", 101) })}, "A0003", "kyc_info.city"},
			{"state missing", call{body: set(func(_, k map[string]any) { k["state"] = "" })}, "A0003", "kyc_info.state"},
			{"country alpha-3", call{body: set(func(_, k map[string]any) { k["country_id"] = "CHN" })}, "A0003", "kyc_info.country_id"},
			{"nationality digits", call{body: set(func(_, k map[string]any) { k["nationality_id"] = "12" })}, "A0003", "kyc_info.nationality_id"},
			{"doc_no too long", call{body: set(func(_, k map[string]any) { k["doc_no"] = strings.Repeat("9", 129) })}, "A0003", "kyc_info.doc_no"},
			{"doc_type 3", call{body: set(func(_, k map[string]any) { k["doc_type"] = 3 })}, "A0003", "kyc_info.doc_type"},
			{"identity card not enabled", call{body: set(func(_, k map[string]any) { k["doc_type"] = 2 })}, "A0003", "kyc_info.doc_type"},
			{"gender 3", call{body: set(func(_, k map[string]any) { k["gender"] = "3" })}, "A0003", "kyc_info.gender"},
			{"emergency_contact too long", call{body: set(func(_, k map[string]any) { k["emergency_contact"] = strings.Repeat("e", 256) })}, "A0003", "kyc_info.emergency_contact"},
			{"zip_code too long", call{body: set(func(_, k map[string]any) { k["zip_code"] = strings.Repeat("1", 21) })}, "A0003", "kyc_info.zip_code"},
			{"address pattern", call{body: set(func(_, k map[string]any) { k["address"] = "Street 1; DROP TABLE" })}, "A0003", "kyc_info.address"},
			{"address too long", call{body: set(func(_, k map[string]any) { k["address"] = strings.Repeat("a", 257) })}, "A0003", "kyc_info.address"},
			{"front_doc missing", call{body: set(func(_, k map[string]any) { k["front_doc"] = "" })}, "A0003", "kyc_info.front_doc"},
			{"front_doc not base64", call{body: set(func(_, k map[string]any) { k["front_doc"] = "%%%%" })}, "A0003", "kyc_info.front_doc"},
			{"front_doc a PDF", call{body: set(func(_, k map[string]any) { k["front_doc"] = base64.StdEncoding.EncodeToString([]byte(pdf)) })}, "A0003", "kyc_info.front_doc"},
			{"front_doc over 2 MB", call{body: set(func(_, k map[string]any) { k["front_doc"] = base64.StdEncoding.EncodeToString(make([]byte, 2<<20)) })}, "A0003", "kyc_info.front_doc"},
			{"mix_doc truncated", call{body: set(func(_, k map[string]any) { k["mix_doc"] = k["mix_doc"].(string)[:200] })}, "A0003", "kyc_info.mix_doc"},
			{"sign_img over 1 MB", call{body: set(func(_, k map[string]any) { k["sign_img"] = base64.StdEncoding.EncodeToString(make([]byte, 1<<20)) })}, "A0003", "kyc_info.sign_img"},
			{"back_doc a GIF", call{body: set(func(_, k map[string]any) {
				k["back_doc"] = base64.StdEncoding.EncodeToString([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
			})}, "A0003", "kyc_info.back_doc"},
			{"poa_type 1 without poa_doc", call{body: set(func(_, k map[string]any) { k["poa_type"] = 1 })}, "A0003", "kyc_info.poa_doc"},
			{"poa_doc with active content", call{body: set(func(_, k map[string]any) {
				k["poa_doc"] = base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n<< /S /JavaScript /JS (x) >>\n%%EOF\n"))
			})}, "A0003", "kyc_info.poa_doc"},
			{"poa_doc with JavaScript in an object stream", call{body: set(func(_, k map[string]any) {
				b, err := os.ReadFile(filepath.Join("..", "..", "docfile", "testdata", "pdf", "objstm-openaction-js.pdf"))
				require.NoError(t, err)
				k["poa_type"], k["poa_doc"] = 1, base64.StdEncoding.EncodeToString(b)
			})}, "A0003", "kyc_info.poa_doc"},
			{"kyc_info unknown field", call{body: set(func(_, k map[string]any) { k["card_type"] = "x" })}, "A0003", "kyc_info.card_type"},
			{"doc_no with a bidi override", call{body: set(func(_, k map[string]any) { k["doc_no"] = "E123\u202e456" })}, "A0003", "kyc_info.doc_no"},
		}
		for _, tc := range tests {
			c := tc.c
			if c.path == "" {
				c.path = "/openapi/card/binding/kyc/query"
				if strings.Contains(string(c.body), "kyc_info") {
					c.path = "/openapi/card/binding/kyc"
				}
			}
			if c.acc.apiKey == "" {
				c.acc = e.m1
			}
			res := e.do(c)
			require.Equal(t, tc.code, code(res), "%s: %v", tc.name, res)
			require.Contains(t, res["msg"], tc.field+":", tc.name)
			require.Nil(t, res["data"], tc.name)
		}
		golden(t, "error_signature", e.do(call{path: "/openapi/card/binding/kyc/query", body: q, acc: e.m1, signer: e.m2.key}))
		golden(t, "error_param_zh", e.do(call{path: "/openapi/card/binding/kyc", acc: e.m1, headers: map[string]string{"lang": "zh-CN"},
			body: set(func(_, k map[string]any) { k["birthday"] = "1990-13-01" })}))

		// Refused requests wrote nothing.
		require.Equal(t, "A0000", code(e.do(call{path: "/openapi/card/binding/kyc/query", body: queryBody("BAD-1"), acc: e.m1})))
		_, err = e.a.Applicants.Find(ctx, kyc.Principal{MerchantID: e.m1.id}, kyc.SurfaceCardBinding, "bad@example.com")
		require.ErrorIs(t, err, kyc.ErrNotFound)

		// A proof of address may be a PDF; identity cards once enabled.
		on := true
		_, err = e.a.Merchants.UpdateSettings(ctx, kyc.Principal{MerchantID: e.m2.id, Actor: "test"}, kyc.SurfaceCardBinding, merchant.SettingsPatch{AllowIDCard: &on})
		require.NoError(t, err)
		res = e.do(call{path: "/openapi/card/binding/kyc", acc: e.m2, body: bindBody("TRADE-1", "li@example.com", "110101199001011234", func(_, k map[string]any) {
			k["doc_type"], k["poa_type"], k["poa_doc"], k["back_doc"] = 2, 1, base64.StdEncoding.EncodeToString([]byte(pdf)), jpegB64(120, 80)
		})})
		require.Equal(t, "00000", code(res), "the same mc_trade_no at another merchant is another binding: %v", res)
	})
}

const pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// TestPublicKeyReplacement: a replaced merchant key keeps verifying requests
// during the overlap, and stops at once without one.
func TestPublicKeyReplacement(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	ctx := context.Background()
	p := kyc.Principal{MerchantID: e.m1.id, Actor: "test"}
	query := func(signer *rsa.PrivateKey) string {
		return code(e.do(call{path: "/openapi/card/binding/kyc/query", body: queryBody("NO-SUCH-TRADE"), acc: e.m1, signer: signer}))
	}
	k1 := e.m1.key
	require.Equal(t, "A0000", query(k1), "verified (the trade is unknown)")
	k2, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	k3, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	pem2, hour := pubPEM(&k2.PublicKey), 3600
	set, err := e.a.Merchants.UpdateSettings(ctx, p, kyc.SurfaceCardBinding, merchant.SettingsPatch{PublicKey: &pem2, PublicKeyOverlapSeconds: &hour})
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), set.PreviousPublicKeyUntil, time.Minute)
	require.Equal(t, "A0000", query(k2), "the new key works at once")
	require.Equal(t, "A0000", query(k1), "the replaced key works during the overlap")

	pem3 := pubPEM(&k3.PublicKey)
	set, err = e.a.Merchants.UpdateSettings(ctx, p, kyc.SurfaceCardBinding, merchant.SettingsPatch{PublicKey: &pem3})
	require.NoError(t, err)
	require.True(t, set.PreviousPublicKeyUntil.IsZero())
	require.Equal(t, "A0000", query(k3))
	require.Equal(t, "A0001", query(k2), "without an overlap the replaced key stops at once")
	require.Equal(t, "A0001", query(k1))

	long := 31 * 24 * 3600
	_, err = e.a.Merchants.UpdateSettings(ctx, p, kyc.SurfaceCardBinding, merchant.SettingsPatch{PublicKey: &pem2, PublicKeyOverlapSeconds: &long})
	require.ErrorContains(t, err, "public_key_overlap_seconds")
	_, err = e.a.Merchants.UpdateSettings(ctx, p, kyc.SurfaceCardBinding, merchant.SettingsPatch{PublicKeyOverlapSeconds: &hour})
	require.ErrorContains(t, err, "goes with a new public_key")
}
