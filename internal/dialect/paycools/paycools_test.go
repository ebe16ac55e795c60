package paycools_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/verification"
)

var update = flag.Bool("update", false, "rewrite golden files")

// openssl is the independent implementation of SHA256withRSA.
func openssl(t testing.TB) string {
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not found (apt-get install openssl)")
	}
	return p
}

// sslSign signs msg with a PEM private key file, Base64.
func sslSign(t testing.TB, keyFile string, msg []byte) string {
	cmd := exec.Command(openssl(t), "dgst", "-sha256", "-sign", keyFile)
	cmd.Stdin = bytes.NewReader(msg)
	out, err := cmd.Output()
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(out)
}

// sslVerify checks a Base64 signature of msg with a PEM public key.
func sslVerify(t testing.TB, pubPEM string, msg []byte, sig string) bool {
	dir := t.TempDir()
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	pub, sigFile := filepath.Join(dir, "pub.pem"), filepath.Join(dir, "sig.bin")
	require.NoError(t, os.WriteFile(pub, []byte(pubPEM), 0o600))
	require.NoError(t, os.WriteFile(sigFile, raw, 0o600))
	cmd := exec.Command(openssl(t), "dgst", "-sha256", "-verify", pub, "-signature", sigFile)
	cmd.Stdin = bytes.NewReader(msg)
	return cmd.Run() == nil
}

// publicPEM derives the public key of a private key file with OpenSSL.
func publicPEM(t testing.TB, keyFile string) string {
	out, err := exec.Command(openssl(t), "pkey", "-in", keyFile, "-pubout").Output()
	require.NoError(t, err)
	return string(out)
}

type account struct {
	id, no, appID string
	keyFile       string // merchant private key
	platform      string // platform public key PEM
}

type env struct {
	t          *testing.T
	a          *app.App
	srv        *httptest.Server
	m1, m2, m3 account // m3 uploaded no key
}

func newEnv(t *testing.T, db kyctest.DB, mutate ...func(*config.Config)) *env {
	t.Helper()
	openssl(t)
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000,
		Workers: true, WebhookAllowPrivate: true, WebhookSchedule: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond},
		PublicURL: "https://kyc.example.com"}
	for _, m := range mutate {
		m(&cfg)
	}
	a, srv := apptest.Start(t, cfg)
	ctx := context.Background()
	e := &env{t: t, a: a, srv: srv}
	for _, m := range []struct {
		acc *account
		key string
	}{{&e.m1, "testdata/merchant_4096_test_key.pem"}, {&e.m2, "testdata/merchant_2048_test_key.pem"}, {&e.m3, ""}} {
		c, err := a.Merchants.Create(ctx, "M", "test")
		require.NoError(t, err)
		*m.acc = account{id: c.Merchant.ID, no: c.Merchant.MerchantNo, appID: c.PayCoolsAppID, keyFile: m.key, platform: c.PayCoolsPlatformKey}
		if m.key != "" {
			pub := publicPEM(t, m.key)
			_, err = a.Merchants.UpdateSettings(ctx, kyc.Principal{MerchantID: c.Merchant.ID, Actor: "test"}, kyc.SurfacePayCools,
				merchant.SettingsPatch{PublicKey: &pub})
			require.NoError(t, err)
		}
	}
	return e
}

// call posts {appId, sign, param}; signer is the key file that signs (default the account's).
func (e *env) call(path string, acc account, param string, signer string) map[string]any {
	e.t.Helper()
	if signer == "" {
		signer = acc.keyFile
	}
	if signer == "" {
		signer = e.m1.keyFile
	}
	body, _ := json.Marshal(map[string]string{"appId": acc.appID, "sign": sslSign(e.t, signer, []byte(param)), "param": param})
	return e.post(path, body)
}

func (e *env) post(path string, body []byte) map[string]any {
	e.t.Helper()
	res, err := http.Post(e.srv.URL+path, "application/json", bytes.NewReader(body))
	require.NoError(e.t, err)
	defer res.Body.Close()
	require.Equal(e.t, http.StatusOK, res.StatusCode)
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	require.NoError(e.t, json.Unmarshal(b, &out), "%s", b)
	return out
}

func code(res map[string]any) int { c, _ := res["code"].(float64); return int(c) }

// data verifies the platform's signature over data with OpenSSL and decodes it.
func (e *env) data(acc account, res map[string]any) map[string]any {
	e.t.Helper()
	require.Equal(e.t, 10000, code(res), "%v", res)
	d := res["data"].(string)
	require.True(e.t, sslVerify(e.t, acc.platform, []byte(d), res["sign"].(string)), "response signature")
	var out map[string]any
	require.NoError(e.t, json.Unmarshal([]byte(d), &out))
	return out
}

var maskRE = regexp.MustCompile(`("(?:businessId|createTime|returnTime|expireTime|merchantNo)": )"[^"]*"|/verify/[A-Za-z0-9_-]{43}|"sign": "[^"]*"|(/images/)doc_[0-9a-z]+\?[^"]*|ver_[0-9a-z]{26}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}`)

func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	got := maskRE.ReplaceAllStringFunc(buf.String(), func(m string) string {
		switch {
		case strings.HasPrefix(m, "/verify/"):
			return "/verify/<token>"
		case strings.HasPrefix(m, `"sign"`):
			return `"sign": "<signature>"`
		case strings.HasPrefix(m, "/images/"):
			return "/images/<document>?<signed>"
		case strings.HasPrefix(m, "ver_"):
			return "<businessId>"
		case !strings.HasPrefix(m, `"`):
			return "<time>"
		}
		return m[:strings.Index(m, ": ")+2] + `"<masked>"`
	})
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update")
	require.Equal(t, string(want), got)
}

func initParam(order, user, notify string) string {
	return fmt.Sprintf(`{"mchOrderId":%q,"userId":%q,"docType":"00000001003","notifyUrl":%q,"returnUrl":"https://merchant.example/done","locale":"en","timestamp":%d}`,
		order, user, notify, time.Now().UnixMilli())
}

// receiver is the merchant's notifyUrl: it verifies each Notification with
// the platform key (OpenSSL); its first answer has code 1, which does not
// acknowledge (the default success code is 0).
type receiver struct {
	mu  sync.Mutex
	n   int
	got []map[string]any
	srv *httptest.Server
}

func newReceiver(t *testing.T, acc account) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var n struct{ Sign, Param string }
		_ = json.NewDecoder(req.Body).Decode(&n)
		if !sslVerify(t, acc.platform, []byte(n.Param), n.Sign) {
			t.Errorf("notification signature does not verify")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.n++
		if r.n == 1 {
			_, _ = w.Write([]byte(`{"code":1,"message":"try later"}`))
			return
		}
		var p map[string]any
		_ = json.Unmarshal([]byte(n.Param), &p)
		r.got = append(r.got, p)
		_, _ = w.Write([]byte(`{"code":0,"message":"ok"}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) completed(order string) map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.got {
		if p["mchOrderId"] == order && p["resultStatus"] == "Completed" {
			return p
		}
	}
	return nil
}

// finish completes the hosted page over HTTP (the browser test does it in
// Chromium) with a passport.
func finish(t *testing.T, e *env, ekycURL string) {
	finishWith(t, e, ekycURL, "doc_type=passport&country=PH", map[string][]byte{"id_front": kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760))})
}

// finishWith completes the hosted page choosing the document in form and
// uploading docs (kind → image), a selfie and liveness frames.
func finishWith(t *testing.T, e *env, ekycURL, form string, docs map[string][]byte) {
	u, err := url.Parse(ekycURL)
	require.NoError(t, err)
	path := u.Path
	post := func(p string, body io.Reader, ct string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+p, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	require.Equal(t, http.StatusSeeOther, post(path+"/document", strings.NewReader(form), "application/x-www-form-urlencoded").StatusCode)
	upload := func(kind string, img []byte) {
		var b bytes.Buffer
		w := newMultipart(&b, img)
		require.Equal(t, http.StatusOK, post(path+"/upload?kind="+kind, &b, w).StatusCode)
	}
	for _, kind := range slices.Sorted(maps.Keys(docs)) {
		upload(kind, docs[kind])
	}
	face := kyctest.JPEG(t, kyctest.SyntheticFace(800, 600))
	upload("selfie", face)
	for range 5 {
		upload("liveness_frame", face)
	}
	require.Equal(t, http.StatusSeeOther, post(path+"/submit", nil, "application/x-www-form-urlencoded").StatusCode)
}

func TestPayCools(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		rcv := newReceiver(t, e.m1)
		notify := rcv.srv.URL + "/ekyc/notify"

		res := e.call("/paycools/ekyc/init", e.m1, initParam("ORDER1", "user-1", notify), "")
		golden(t, "init", res)
		d := e.data(e.m1, res)
		require.Regexp(t, `^https://kyc\.example\.com/verify/[A-Za-z0-9_-]{43}$`, d["ekycUrl"])
		require.Regexp(t, `^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`, d["expireTime"])
		business := d["businessId"].(string)

		// The same content again returns the same transaction; other content is 21007.
		again := e.data(e.m1, e.call("/paycools/ekyc/init", e.m1, initParam("ORDER1", "user-1", notify), ""))
		require.Equal(t, business, again["businessId"])
		require.Equal(t, 21007, code(e.call("/paycools/ekyc/init", e.m1, initParam("ORDER1", "user-2", notify), "")))

		pending := e.data(e.m1, e.call("/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"ORDER1"}`, ""))
		require.Equal(t, "Processing", pending["resultStatus"])
		require.Equal(t, "Pending", pending["ekycResult"])

		finish(t, e, d["ekycUrl"].(string))
		// Without OCR the applicant has no birth date, so the age check cannot
		// run and the level sends the case to review: the review notification
		// comes first, then a reviewer approves (as the console will).
		p := kyc.Principal{MerchantID: e.m1.id, Actor: "test"}
		require.Eventually(t, func() bool {
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			return len(rcv.got) > 0 && rcv.got[0]["resultStatus"] == "Processing"
		}, 2*time.Minute, 20*time.Millisecond)
		v, checks, err := e.a.Verifications.Get(context.Background(), p, business)
		require.NoError(t, err)
		require.Equal(t, kyc.StateReview, v.State, "%v", checks)
		golden(t, "notification_review", rcv.got[0])
		_, err = e.a.Verifications.Apply(context.Background(), p, business, verification.Event{Action: verification.ActDecide,
			Decision: kyc.DecisionApproved, DecidedBy: "reviewer:test"})
		require.NoError(t, err)
		require.Eventually(t, func() bool { return rcv.completed("ORDER1") != nil }, 2*time.Minute, 20*time.Millisecond)
		note := rcv.completed("ORDER1")
		require.Equal(t, "Success", note["ekycResult"], "%v", note)
		require.Equal(t, e.m1.no, note["merchantNo"])
		golden(t, "notification", note)
		strictResult(t, note)

		// Check Result returns the same object; with images, URLs that work for a while.
		result := e.data(e.m1, e.call("/paycools/ekyc/checkResult", e.m1, `{"businessId":"`+business+`","isReturnImage":"N"}`, ""))
		require.Equal(t, withoutImages(note), result) // the notification carries image URLs
		golden(t, "check_result", result)
		strictResult(t, result)
		strictResult(t, rcv.got[0]) // the review notification too
		withImages := e.data(e.m1, e.call("/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"ORDER1","isReturnImage":"Y"}`, ""))
		front := withImages["extIdInfo"].(map[string]any)["frontPageImg"].(string)
		require.True(t, strings.HasPrefix(front, "https://kyc.example.com/paycools/ekyc/images/doc_"), front)
		img, err := http.Get(e.srv.URL + strings.TrimPrefix(front, "https://kyc.example.com"))
		require.NoError(t, err)
		body, _ := io.ReadAll(img.Body)
		img.Body.Close()
		require.Equal(t, http.StatusOK, img.StatusCode)
		require.Equal(t, "image/jpeg", img.Header.Get("Content-Type"))
		require.True(t, bytes.HasPrefix(body, []byte{0xFF, 0xD8}))
		tampered, err := http.Get(e.srv.URL + strings.TrimPrefix(strings.Replace(front, "sig=", "sig=0", 1), "https://kyc.example.com"))
		require.NoError(t, err)
		tampered.Body.Close()
		require.Equal(t, http.StatusForbidden, tampered.StatusCode)

		stale := strconv.FormatInt(time.Now().Add(-10*time.Minute).UnixMilli(), 10)
		tests := []struct {
			name  string
			path  string
			acc   account
			param string
			sign  string
			code  int
			msg   string
		}{
			{"signed with another key", "/paycools/ekyc/init", e.m1, initParam("ORDER2", "u", ""), e.m2.keyFile, 21001, "sign"},
			{"no public key", "/paycools/ekyc/init", e.m3, initParam("ORDER2", "u", ""), "", 21001, "public key"},
			{"unknown appId", "/paycools/ekyc/init", account{appID: "pc0000000000000000"}, initParam("ORDER2", "u", ""), "", 21003, "appId"},
			{"bad mchOrderId", "/paycools/ekyc/init", e.m1, initParam("ORDER-2", "u", ""), "", 21002, "mchOrderId"},
			{"long mchOrderId", "/paycools/ekyc/init", e.m1, initParam(strings.Repeat("A", 33), "u", ""), "", 21002, "mchOrderId"},
			{"no userId", "/paycools/ekyc/init", e.m1, initParam("ORDER2", "", ""), "", 21002, "userId"},
			{"bad docType", "/paycools/ekyc/init", e.m1, strings.Replace(initParam("ORDER2", "u", ""), "00000001003", "VISA", 1), "", 21002, "docType"},
			{"bad locale", "/paycools/ekyc/init", e.m1, strings.Replace(initParam("ORDER2", "u", ""), `"en"`, `"fr"`, 1), "", 21002, "locale"},
			{"ftp notifyUrl", "/paycools/ekyc/init", e.m1, initParam("ORDER2", "u", "ftp://merchant.example/n"), "", 21002, "notifyUrl"},
			{"unknown field", "/paycools/ekyc/init", e.m1, `{"mchOrderId":"ORDER2","userId":"u","flow":"x"}`, "", 21002, "flow"},
			{"param not an object", "/paycools/ekyc/init", e.m1, `[1]`, "", 21002, "param"},
			{"stale timestamp", "/paycools/ekyc/init", e.m1, `{"mchOrderId":"ORDER2","userId":"u","timestamp":` + stale + `}`, "", 21009, "timestamp"},
			{"bad timestamp", "/paycools/ekyc/init", e.m1, `{"mchOrderId":"ORDER2","userId":"u","timestamp":"yesterday"}`, "", 21008, "timestamp"},
			{"unknown order", "/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"NOPE"}`, "", 21006, "not found"},
			{"other merchant's order", "/paycools/ekyc/checkResult", e.m2, `{"mchOrderId":"ORDER1"}`, "", 21006, "not found"},
			{"other merchant's business id", "/paycools/ekyc/checkResult", e.m2, `{"businessId":"` + business + `"}`, "", 21006, "not found"},
			{"neither id", "/paycools/ekyc/checkResult", e.m1, `{"isReturnImage":"N"}`, "", 21002, "mchOrderId"},
			{"bad isReturnImage", "/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"ORDER1","isReturnImage":"yes"}`, "", 21002, "isReturnImage"},
		}
		for _, tc := range tests {
			res := e.call(tc.path, tc.acc, tc.param, tc.sign)
			require.Equal(t, tc.code, code(res), "%s: %v", tc.name, res)
			require.Contains(t, res["message"], tc.msg, tc.name)
			require.Nil(t, res["data"], tc.name)
		}
		golden(t, "error_sign", e.call("/paycools/ekyc/init", e.m1, initParam("ORDER2", "u", ""), e.m2.keyFile))
		for _, body := range []string{`{"appId":`, `{"appId":"x","sign":"y","param":{"a":1}}`, `{"appId":"x","sign":"y","param":"{}","extra":1}`} {
			require.Equal(t, 21002, code(e.post("/paycools/ekyc/init", []byte(body))), body)
		}
		require.Equal(t, 21003, code(e.post("/paycools/ekyc/init", []byte(`{"sign":"y","param":"{}"}`))))
		require.Equal(t, 21006, code(e.call("/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"ORDER2"}`, "")), "refused Inits wrote nothing")

		// The 2048-bit merchant works too.
		res = e.call("/paycools/ekyc/init", e.m2, initParam("ORDER1", "user-1", ""), "")
		require.Equal(t, "ORDER1", e.data(e.m2, res)["mchOrderId"], "mchOrderId is per merchant")
	})
}

func newMultipart(b *bytes.Buffer, img []byte) string {
	boundary := "openkyc-test-boundary"
	fmt.Fprintf(b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n", boundary)
	b.Write(img)
	fmt.Fprintf(b, "\r\n--%s--\r\n", boundary)
	return "multipart/form-data; boundary=" + boundary
}

// TestPayCoolsBrowser is the end-to-end path: Init, the user completes the
// ekycUrl in headless Chromium with a fake camera, the merchant's server
// receives and verifies the Notification, and Check Result agrees with it.
func TestPayCoolsBrowser(t *testing.T) {
	t.Parallel()
	kyctest.Chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	rcv := newReceiver(t, e.m1)
	d := e.data(e.m1, e.call("/paycools/ekyc/init", e.m1, initParam("WEB1", "browser-user", rcv.srv.URL+"/n"), ""))
	u, err := url.Parse(d["ekycUrl"].(string))
	require.NoError(t, err)
	page := e.srv.URL + u.Path
	dir := t.TempDir()
	cardVideo, faceVideo := filepath.Join(dir, "card.y4m"), filepath.Join(dir, "face.y4m")
	kyctest.WriteY4M(t, cardVideo, kyctest.SyntheticCard(1280, 800), 5)
	kyctest.WriteY4M(t, faceVideo, kyctest.SyntheticFace(1280, 720), 5)

	ctx := kyctest.Browser(t, cardVideo)
	kyctest.RunBrowser(t, ctx, "paycools-document", chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID("doc_type")),
		chromedp.SetValue(chromedp.ID("doc_type"), "passport"),
		chromedp.SetValue(chromedp.ID("country"), "PH"),
		chromedp.Click(chromedp.ID("doc-continue")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="front"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"]`)),
	)
	ctx = kyctest.Browser(t, faceVideo)
	kyctest.RunBrowser(t, ctx, "paycools-selfie", chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("status")),
	)

	// Review (no birth date without OCR), then a reviewer approves.
	business := d["businessId"].(string)
	p := kyc.Principal{MerchantID: e.m1.id, Actor: "test"}
	require.Eventually(t, func() bool {
		v, err := e.a.Verifications.ByID(context.Background(), p, business)
		return err == nil && v.State == kyc.StateReview
	}, 2*time.Minute, 20*time.Millisecond)
	_, err = e.a.Verifications.Apply(context.Background(), p, business, verification.Event{Action: verification.ActDecide,
		Decision: kyc.DecisionApproved, DecidedBy: "reviewer:test"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return rcv.completed("WEB1") != nil }, 2*time.Minute, 20*time.Millisecond)
	note := rcv.completed("WEB1")
	require.Equal(t, "Success", note["ekycResult"])
	require.Equal(t, "PH", note["extBasicInfo"].(map[string]any)["certCountry"])

	result := e.data(e.m1, e.call("/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"WEB1","isReturnImage":"N"}`, ""))
	require.Equal(t, withoutImages(note), result)
}

// withoutImages is a notification as Check Result without images answers
// it: the image URLs "" (the fields stay, as in the seed).
func withoutImages(note map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range note {
		out[k] = v
	}
	for _, part := range []string{"extFaceInfo", "extIdInfo"} {
		m := map[string]any{}
		for k, v := range note[part].(map[string]any) {
			m[k] = v
		}
		for _, f := range []string{"faceImg", "extraImages", "frontPageImg", "backPageImg"} {
			if _, ok := m[f]; ok {
				m[f] = ""
			}
		}
		out[part] = m
	}
	return out
}

// TestNotifyURLRefusesInternalTargets: with private targets not allowed, a
// notifyUrl that points inward is a parameter error naming the field and the
// rule (issue 17).
func TestNotifyURLRefusesInternalTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0], func(c *config.Config) { c.WebhookAllowPrivate, c.WebhookLookup = false, kyctest.Lookup })
	for i, u := range kyctest.InternalTargets {
		res := e.call("/paycools/ekyc/init", e.m1, initParam(fmt.Sprint("ORDER", i), "u", u), "")
		require.Equal(t, 21002, code(res), "%s: %v", u, res)
		require.Contains(t, res["message"], "notifyUrl: url host", u)
	}
	e.data(e.m1, e.call("/paycools/ekyc/init", e.m1, initParam("ORDEROK", "u", "https://merchant.example/n"), ""))
}

// TestPayCoolsLicence: a driver's licence without an MRZ, its PDF417 on
// the back: ocrResult (address and date of issue included) comes from the
// barcode's record, materialCheck says the record is whole, and the
// verification is decided without a reviewer.
func TestPayCoolsLicence(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	text, err := os.ReadFile("../../check/barcode/testdata/us_v08.txt")
	require.NoError(t, err)
	back := kyctest.JPEG(t, kyctest.LicenceBack(t, strings.Replace(string(text), "DBA08312022", "DBA08312031", 1)))
	e := newEnv(t, kyctest.DBs(t)[0])
	rcv := newReceiver(t, e.m1)
	param := strings.Replace(initParam("LIC1", "user-lic", rcv.srv.URL+"/ekyc/notify"), `"docType":"00000001003"`, `"docType":"DRIVING_LICENSE"`, 1)
	d := e.data(e.m1, e.call("/paycools/ekyc/init", e.m1, param, ""))
	finishWith(t, e, d["ekycUrl"].(string), "doc_type=driving_license&country=US",
		map[string][]byte{"id_front": kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)), "id_back": back})
	require.Eventually(t, func() bool { return rcv.completed("LIC1") != nil }, 2*time.Minute, 20*time.Millisecond)
	result := e.data(e.m1, e.call("/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"LIC1","isReturnImage":"N"}`, ""))
	require.Equal(t, "Success", result["ekycResult"], "%v", result)
	golden(t, "check_result_licence", result)
	strictResult(t, result)
	p := kyc.Principal{MerchantID: e.m1.id, Actor: "test"}
	_, checks, err := e.a.Verifications.Get(context.Background(), p, d["businessId"].(string))
	require.NoError(t, err)
	for _, c := range checks {
		if c.Kind == kyc.KindClassification {
			require.Equal(t, kyc.CheckPassed, c.Status, "the licence chosen on the page is the one read: %s", c.Evidence)
		}
	}

	// The user says passport, the barcode says driver's licence: a reviewer looks.
	param = strings.Replace(initParam("LIC2", "user-lic2", rcv.srv.URL+"/ekyc/notify"), `"docType":"00000001003"`, `"docType":"DRIVING_LICENSE"`, 1)
	d = e.data(e.m1, e.call("/paycools/ekyc/init", e.m1, param, ""))
	finishWith(t, e, d["ekycUrl"].(string), "doc_type=passport&country=US",
		map[string][]byte{"id_front": kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)), "id_back": back})
	var v kyc.Verification
	require.Eventually(t, func() bool {
		v, checks, err = e.a.Verifications.Get(context.Background(), p, d["businessId"].(string))
		return err == nil && v.State == kyc.StateReview
	}, 2*time.Minute, 20*time.Millisecond)
	require.Contains(t, v.Reasons, kyc.ReasonDocumentTypeMismatch)
}

// TestPayCoolsNationalQR: a Vietnamese citizen identity card's QR code
// fills ocrResult (number, full name, address, birth and issue dates, sex,
// country).
func TestPayCoolsNationalQR(t *testing.T) {
	t.Parallel()
	if err := (barcode.Reader{}).Available(); err != nil {
		t.Skip(err)
	}
	qr := "001099012345|123456789|Nguyễn Văn An|01021990|Nam|12 Phố Huế, Hai Bà Trưng, Hà Nội|15062021"
	e := newEnv(t, kyctest.DBs(t)[0])
	rcv := newReceiver(t, e.m1)
	d := e.data(e.m1, e.call("/paycools/ekyc/init", e.m1, initParam("VN1", "user-vn", rcv.srv.URL+"/ekyc/notify"), ""))
	finishWith(t, e, d["ekycUrl"].(string), "doc_type=id_card&country=VN",
		map[string][]byte{"id_front": kyctest.JPEG(t, kyctest.CardWithCode(t, "QRCode", qr)), "id_back": kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760))})
	require.Eventually(t, func() bool { return rcv.completed("VN1") != nil }, 2*time.Minute, 20*time.Millisecond)
	result := e.data(e.m1, e.call("/paycools/ekyc/checkResult", e.m1, `{"mchOrderId":"VN1","isReturnImage":"N"}`, ""))
	ocr := result["extIdInfo"].(map[string]any)["ocrResult"].(map[string]any)
	require.Equal(t, "001099012345", ocr["idNumber"])
	require.Equal(t, "Nguyễn Văn An", ocr["firstNameFull"])
	require.Equal(t, "12 Phố Huế, Hai Bà Trưng, Hà Nội", ocr["address"])
	require.Equal(t, "2021-06-15", ocr["dateOfIssue"])
	require.Equal(t, "VNM", ocr["countryCode"])
	golden(t, "check_result_national_qr", result)
	strictResult(t, result)
}
