package hosted_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/web/hosted"
)

type env struct {
	t      *testing.T
	a      *app.App
	srv    *httptest.Server
	keyA   string
	keyB   string
	client *http.Client
}

func newEnv(t *testing.T, db kyctest.DB, opts ...func(*config.Config)) *env {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000,
		Workers: true, WebhookAllowPrivate: true}
	for _, o := range opts {
		o(&cfg)
	}
	a, srv := apptest.Start(t, cfg)
	ctx := context.Background()
	e := &env{t: t, a: a, srv: srv, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, k := range []*string{&e.keyA, &e.keyB} {
		c, err := a.Merchants.Create(ctx, "M", "test")
		require.NoError(t, err)
		*k = c.APIKey
	}
	return e
}

func (e *env) api(method, path, key, body string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := e.client.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// verification creates an applicant and a verification of merchant key.
func (e *env) verification(key, user string) string {
	st, a := e.api(http.MethodPost, "/v1/applicants", key, `{"external_user_id":"`+user+`","first_name":"Mei","last_name":"Lin","date_of_birth":"1991-03-04","email":"`+user+`@example.com"}`)
	require.Equal(e.t, http.StatusCreated, st, "%v", a)
	st, v := e.api(http.MethodPost, "/v1/verifications", key, `{"applicant_id":"`+a["id"].(string)+`","reference":"`+user+`"}`)
	require.Equal(e.t, http.StatusCreated, st, "%v", v)
	return v["id"].(string)
}

// link creates a link and returns its path (/verify/TOKEN).
func (e *env) link(key, verificationID, body string) string {
	st, l := e.api(http.MethodPost, "/v1/verifications/"+verificationID+"/links", key, body)
	require.Equal(e.t, http.StatusCreated, st, "%v", l)
	u, err := url.Parse(l["url"].(string))
	require.NoError(e.t, err)
	return u.Path
}

func (e *env) page(method, path string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	require.NoError(e.t, err)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := e.client.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (e *env) upload(path, kind string, data []byte) (int, hosted.UploadResult) {
	e.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", "photo.jpg")
	_, _ = fw.Write(data)
	_ = w.Close()
	res, body := e.page(http.MethodPost, path+"/upload?kind="+kind, &b, map[string]string{"Content-Type": w.FormDataContentType()})
	var out hosted.UploadResult
	require.NoError(e.t, json.Unmarshal([]byte(body), &out), body)
	return res.StatusCode, out
}

func form(vals map[string]string) (io.Reader, map[string]string) {
	f := url.Values{}
	for k, v := range vals {
		f.Set(k, v)
	}
	return strings.NewReader(f.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
}

func TestHostedFlowOverHTTP(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "back at the merchant") }))
		t.Cleanup(ret.Close)
		vid := e.verification(e.keyA, "mei")

		// Link creation rules.
		for _, body := range []string{`{"ttl_seconds":10}`, `{"return_url":"ftp://x.example"}`, `{"locale":"fr"}`} {
			st, res := e.api(http.MethodPost, "/v1/verifications/"+vid+"/links", e.keyA, body)
			require.Equal(t, http.StatusUnprocessableEntity, st, "%s: %v", body, res)
		}
		st, _ := e.api(http.MethodPost, "/v1/verifications/"+vid+"/links", e.keyB, `{}`)
		require.Equal(t, http.StatusNotFound, st, "another merchant's verification")
		path := e.link(e.keyA, vid, `{"return_url":"`+ret.URL+`/done","ttl_seconds":3600}`)

		res, body := e.page(http.MethodGet, path, nil, nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, hosted.CSP, res.Header.Get("Content-Security-Policy"))
		require.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		require.Contains(t, body, `name="doc_type"`)
		require.NotContains(t, body, "<script>", "no inline script")

		// Another origin cannot post.
		r, hdr := form(map[string]string{"doc_type": "id_card", "country": "SG"})
		hdr["Sec-Fetch-Site"] = "cross-site"
		res, _ = e.page(http.MethodPost, path+"/document", r, hdr)
		require.Equal(t, http.StatusForbidden, res.StatusCode)

		r, hdr = form(map[string]string{"doc_type": "id_card", "country": "SG"})
		res, _ = e.page(http.MethodPost, path+"/document", r, hdr)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		_, body = e.page(http.MethodGet, path, nil, nil)
		require.Contains(t, body, `data-step="front"`)

		// Quality feedback: a blurred, tiny photo is flagged; a good one passes.
		flat := image.NewGray(image.Rect(0, 0, 300, 200))
		draw.Draw(flat, flat.Bounds(), image.NewUniform(color.Gray{Y: 128}), image.Point{}, draw.Src)
		st, q := e.upload(path, "id_front", kyctest.JPEG(t, flat))
		require.Equal(t, http.StatusOK, st)
		require.False(t, q.OK)
		require.Equal(t, []string{"too_small", "blurry"}, q.Problems)
		require.Len(t, q.Messages, 2)
		st, q = e.upload(path, "id_front", kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)))
		require.Equal(t, http.StatusOK, st)
		require.True(t, q.OK, "%+v", q)
		st, q = e.upload(path, "id_front", []byte("%PDF-1.4 not a photo"))
		require.Equal(t, http.StatusUnprocessableEntity, st, "%+v", q)
		st, _ = e.upload(path, "aml_report", kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)))
		require.Equal(t, http.StatusBadRequest, st)

		_, body = e.page(http.MethodGet, path, nil, nil)
		require.Contains(t, body, `data-step="back"`)
		st, _ = e.upload(path, "id_back", kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)))
		require.Equal(t, http.StatusOK, st)

		_, body = e.page(http.MethodGet, path, nil, nil)
		require.Contains(t, body, `data-step="selfie"`)
		// Submitting early goes back to the missing step.
		res, _ = e.page(http.MethodPost, path+"/submit", nil, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		_, body = e.page(http.MethodGet, path, nil, nil)
		require.Contains(t, body, `data-step="selfie"`)

		start := strings.Index(body, `data-challenge="`) + len(`data-challenge="`)
		challenge := strings.Split(body[start:start+strings.IndexByte(body[start:], '"')], ",")
		require.GreaterOrEqual(t, len(challenge), 3)
		require.LessOrEqual(t, len(challenge), 5)
		require.Equal(t, "center", challenge[0])
		face := kyctest.JPEG(t, kyctest.SyntheticFace(800, 600))
		st, q = e.upload(path, "selfie", face)
		require.Equal(t, http.StatusOK, st)
		require.True(t, q.OK, "%+v", q)
		for range challenge {
			st, _ = e.upload(path, "liveness_frame", face)
			require.Equal(t, http.StatusOK, st)
		}
		_, body = e.page(http.MethodGet, path, nil, nil)
		require.Contains(t, body, `id="submit"`)

		res, _ = e.page(http.MethodPost, path+"/submit", nil, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		_, body = e.page(http.MethodGet, path, nil, nil)
		require.Contains(t, body, `id="status"`)
		st, _ = e.upload(path, "id_front", kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)))
		require.Equal(t, http.StatusConflict, st, "no uploads after submission")

		// The status fragment sends the browser back to the merchant once decided.
		require.Eventually(t, func() bool {
			res, _ := e.page(http.MethodGet, path+"/status", nil, map[string]string{"HX-Request": "true"})
			return res.Header.Get("HX-Redirect") == ret.URL+"/done"
		}, 2*time.Minute, 50*time.Millisecond)
		st, v := e.api(http.MethodGet, "/v1/verifications/"+vid, e.keyA, "")
		require.Equal(t, http.StatusOK, st)
		require.Equal(t, "completed", v["state"], "%v", v)

		// A link for a submitted verification is refused; unknown tokens are 404.
		st, _ = e.api(http.MethodPost, "/v1/verifications/"+vid+"/links", e.keyA, `{}`)
		require.Equal(t, http.StatusConflict, st)
		res, body = e.page(http.MethodGet, "/verify/"+strings.Repeat("A", 43), nil, nil)
		require.Equal(t, http.StatusNotFound, res.StatusCode)
		require.Contains(t, body, "This link is not valid")
	})
}

func TestExpiredLinkAndLocale(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	vid := e.verification(e.keyA, "wei")
	path := e.link(e.keyA, vid, `{"locale":"zh-CN","ttl_seconds":300}`)
	_, body := e.page(http.MethodGet, path, nil, nil)
	require.Contains(t, body, `lang="zh-CN"`)
	require.Contains(t, body, "选择您的证件")
	require.Contains(t, body, "新加坡", "country names in Chinese")

	// The browser's language applies when the link has none.
	path2 := e.link(e.keyA, vid, `{}`)
	_, body = e.page(http.MethodGet, path2, nil, map[string]string{"Accept-Language": "zh-Hans-CN,zh;q=0.9"})
	require.Contains(t, body, "选择您的证件")
	_, body = e.page(http.MethodGet, path2, nil, map[string]string{"Accept-Language": "de-DE,en;q=0.5"})
	require.Contains(t, body, "Choose your document")

	// Past its expiry the link shows a clear page (a handler whose clock is a day ahead).
	later := hosted.New(e.a.Links, e.a.Verifications, e.a.Applicants, hosted.Config{Now: func() time.Time { return time.Now().Add(25 * time.Hour) }})
	mux := http.NewServeMux()
	later.Routes(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	require.Equal(t, http.StatusGone, rec.Code)
	require.Contains(t, rec.Body.String(), "此链接已过期")
	st, res := e.upload(path, "id_front", kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)))
	require.Equal(t, http.StatusOK, st, "still valid now: %+v", res)
}

func TestMessagesComplete(t *testing.T) {
	t.Parallel()
	en := slices.Sorted(maps.Keys(hosted.Messages("en")))
	for _, loc := range hostedlink.Locales {
		m := hosted.Messages(loc)
		require.Equal(t, en, slices.Sorted(maps.Keys(m)), loc)
		for k, v := range m {
			require.NotEmpty(t, v, "%s %s", loc, k)
			require.Equal(t, strings.Count(hosted.Messages("en")[k], "%d"), strings.Count(v, "%d"), "%s %s", loc, k)
		}
	}
}

// TestLinkCap: a verification gets at most MaxLinksPerVerification links.
func TestLinkCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	vid := e.verification(e.keyA, "capped")
	for range hostedlink.MaxLinksPerVerification {
		e.link(e.keyA, vid, `{}`)
	}
	st, res := e.api(http.MethodPost, "/v1/verifications/"+vid+"/links", e.keyA, `{}`)
	require.Equal(t, http.StatusConflict, st, "%v", res)
	require.Equal(t, "too_many_links", res["error"].(map[string]any)["code"])
}
