package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/web/console"
	"github.com/openkyc/openkyc/internal/web/hosted"
)

const password = "correct horse battery staple"

// clock is a settable clock for session timeouts and URL expiry.
type clock struct {
	mu     sync.Mutex
	off    time.Duration
	frozen time.Time // when set, time stands still there (plus Advance)
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen.Add(c.off)
	}
	return time.Now().Add(c.off)
}

// Freeze stops the clock: only Advance moves it. Rate limits then do not
// refill while a slow machine answers (a loaded CI runner took 30 s for a
// burst of logins, time enough to refill half the bucket).
func (c *clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = time.Now()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// env is a whole openkyc with workers and a sanctions list, and a console
// on a settable clock served on loopback.
type env struct {
	t        *testing.T
	a        *app.App
	srv      *httptest.Server
	clock    *clock
	mA, mB   kyc.Merchant
	pA, pB   kyc.Principal
	accounts map[string]staff.Account
}

func newEnv(t *testing.T, db kyctest.DB, opts ...func(*config.Config)) *env {
	t.Helper()
	lists := t.TempDir()
	b, err := os.ReadFile("../../screening/testdata/formats/ofac_xml/sdn.xml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(lists, "sdn.xml"), b, 0o644))
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000,
		Workers: true, WebhookAllowPrivate: true, ListsDir: lists}
	for _, o := range opts {
		o(&cfg)
	}
	a, _ := apptest.Start(t, cfg)
	e := &env{t: t, a: a, clock: &clock{}, accounts: map[string]staff.Account{}}
	mux := http.NewServeMux()
	console.New(console.Deps{Keys: a.Keys, Staff: a.Staff, Review: a.Review, Verifications: a.Verifications, Erasure: a.Erasure, Applicants: a.Applicants, Levels: a.Levels,
		Merchants: a.Merchants, Webhooks: a.Webhooks, Screening: a.Screening, Links: a.Links, Analytics: analytics.New(a.Store), Log: a.Log, Degraded: a.Degraded}, console.Config{Now: e.clock.Now}).Routes(mux)
	hosted.New(a.Links, a.Verifications, a.Applicants, hosted.Config{}).Routes(mux) // htmx
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	ctx := context.Background()
	for name, m := range map[string]*kyc.Merchant{"Merchant A": &e.mA, "Merchant B": &e.mB} {
		c, err := a.Merchants.Create(ctx, name, "test")
		require.NoError(t, err)
		*m = c.Merchant
	}
	e.pA = kyc.Principal{MerchantID: e.mA.ID, Actor: "test"}
	e.pB = kyc.Principal{MerchantID: e.mB.ID, Actor: "test"}
	for name, spec := range map[string]struct {
		role      string
		merchants []string
	}{
		"admin": {staff.RoleAdmin, nil}, "rev1": {staff.RoleReviewer, []string{e.mA.ID}}, "rev2": {staff.RoleReviewer, []string{e.mA.ID}},
		"revB": {staff.RoleReviewer, []string{e.mB.ID}}, "aud": {staff.RoleAuditor, []string{e.mA.ID}},
	} {
		acc, err := a.Staff.Create(ctx, name+"@example.com", spec.role, password, spec.merchants)
		require.NoError(t, err)
		e.accounts[name] = acc
	}
	return e
}

// listedPII is a person on the test OFAC list.
func listedPII() kyc.PII {
	return kyc.PII{FirstName: "Omar Khalid", LastName: "Al-Samarrai", DateOfBirth: "1968-03-05", Nationality: "IQ", DocumentNumber: "X1234567",
		Email: "omar@example.com"}
}

// reviewCase submits a verification of a listed applicant with an ID photo
// and a selfie, and waits until the workers hand it to review.
func (e *env) reviewCase(p kyc.Principal, ext string) kyc.Verification {
	e.t.Helper()
	return e.caseWith(p, ext, listedPII(), map[kyc.DocumentKind][]byte{kyc.DocIDFront: kyctest.JPEG(e.t, kyctest.SyntheticCard(800, 500)),
		kyc.DocSelfie: kyctest.JPEG(e.t, kyctest.SyntheticFace(640, 480))})
}

// caseWith submits a verification of an applicant with pii and docs (kind
// → file), and waits until the workers hand it to review.
func (e *env) caseWith(p kyc.Principal, ext string, pii kyc.PII, docs map[kyc.DocumentKind][]byte) kyc.Verification {
	e.t.Helper()
	ctx := context.Background()
	a, _, err := e.a.Applicants.Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: ext, PII: pii})
	require.NoError(e.t, err)
	for kind, img := range docs {
		_, err := e.a.Applicants.UploadDocument(ctx, p, a.ID, kind, bytes.NewReader(img))
		require.NoError(e.t, err)
	}
	v, err := e.a.Verifications.Create(ctx, p, kyc.SurfaceNative, verification.CreateInput{ApplicantID: a.ID, Reference: ext})
	require.NoError(e.t, err)
	_, err = e.a.Verifications.Submit(ctx, p, v.ID)
	require.NoError(e.t, err)
	return e.waitState(p, v.ID, kyc.StateReview)
}

func (e *env) waitState(p kyc.Principal, id string, want kyc.State) kyc.Verification {
	e.t.Helper()
	deadline := time.Now().Add(4 * time.Minute) // a liveness bound: OCR under CI's parallel load takes minutes
	for {
		v, err := e.a.Verifications.ByID(context.Background(), p, id)
		require.NoError(e.t, err)
		if v.State == want {
			return v
		}
		if !time.Now().Before(deadline) {
			_, cs, _ := e.a.Verifications.Get(context.Background(), p, id)
			var sb strings.Builder
			for _, c := range cs {
				fmt.Fprintf(&sb, "\n%s %s %s %.200s", c.Kind, c.Status, c.ReasonCode, c.Evidence)
			}
			e.t.Fatalf("verification %s stays %s, want %s; checks:%s", id, v.State, want, sb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// client is one signed-in staff member speaking HTTP to the console.
type client struct {
	e      *env
	cookie string
	csrf   string
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

var csrfRE = regexp.MustCompile(`data-csrf="([^"]+)"`)

func (e *env) login(name string) *client {
	e.t.Helper()
	res := e.postForm("/console/login", "", url.Values{"email": {name + "@example.com"}, "password": {password}})
	require.Equal(e.t, http.StatusSeeOther, res.StatusCode)
	c := &client{e: e}
	for _, ck := range res.Cookies() {
		if ck.Name == console.CookieName {
			c.cookie = ck.Value
		}
	}
	require.NotEmpty(e.t, c.cookie)
	st, body := c.get("/console/queue")
	require.Equal(e.t, http.StatusOK, st)
	m := csrfRE.FindStringSubmatch(body)
	require.NotNil(e.t, m, body)
	c.csrf = m[1]
	return c
}

func (e *env) postForm(path, cookie string, form url.Values) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: console.CookieName, Value: cookie})
	}
	res, err := noRedirect.Do(req)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { res.Body.Close() })
	return res
}

func (c *client) get(path string) (int, string) {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	require.NoError(c.e.t, err)
	req.AddCookie(&http.Cookie{Name: console.CookieName, Value: c.cookie})
	res, err := noRedirect.Do(req)
	require.NoError(c.e.t, err)
	defer res.Body.Close()
	if res.StatusCode == http.StatusSeeOther {
		return res.StatusCode, res.Header.Get("Location")
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// post sends a form with the session's CSRF token (unless the form sets
// csrf_token itself) and returns the status and the page or redirect target.
func (c *client) post(path string, form url.Values) (int, string) {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", c.csrf)
	}
	res := c.e.postForm(path, c.cookie, form)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusSeeOther {
		return res.StatusCode, res.Header.Get("Location")
	}
	return res.StatusCode, string(b)
}
