// Package security runs the attacks of the security review end to end
// against a whole openkyc on loopback, on SQLite and PostgreSQL: each was
// found to work once and must stay refused.
package security_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

type env struct {
	t   *testing.T
	a   *app.App
	url string
	key string
}

func newEnv(t *testing.T, db kyctest.DB, tune func(*config.Config)) *env {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 10 << 20,
		MaxImagePixels: 40_000_000, NoLists: true}
	if tune != nil {
		tune(&cfg)
	}
	a, srv := apptest.Start(t, cfg)
	m, err := a.Merchants.Create(t.Context(), "Attacked", "test")
	require.NoError(t, err)
	return &env{t: t, a: a, url: srv.URL, key: m.APIKey}
}

func (e *env) call(method, path, ctype string, body io.Reader) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	require.NoError(e.t, err)
	if strings.HasPrefix(path, "/v1/") {
		req.Header.Set("Authorization", "Bearer "+e.key)
	} else {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func (e *env) json(method, path, body string) map[string]any {
	e.t.Helper()
	res, b := e.call(method, path, "application/json", strings.NewReader(body))
	require.Less(e.t, res.StatusCode, 300, "%s %s: %s", method, path, b)
	var out map[string]any
	require.NoError(e.t, json.Unmarshal(b, &out))
	return out
}

// applicant creates an applicant, its verification and a hosted link; it
// returns the applicant id and the link's path.
func (e *env) applicant(user string) (string, string) {
	a := e.json(http.MethodPost, "/v1/applicants", `{"external_user_id":"`+user+`","first_name":"Mei","last_name":"Lin","date_of_birth":"1991-03-04"}`)
	v := e.json(http.MethodPost, "/v1/verifications", `{"applicant_id":"`+a["id"].(string)+`","reference":"`+user+`"}`)
	l := e.json(http.MethodPost, "/v1/verifications/"+v["id"].(string)+"/links", `{}`)
	u, err := url.Parse(l["url"].(string))
	require.NoError(e.t, err)
	return a["id"].(string), u.Path
}

// uploadNative and uploadHosted send one photo through each surface.
func (e *env) uploadNative(applicantID string, file []byte) (*http.Response, []byte) {
	body, ct := kyctest.UploadForm(map[string]string{"kind": "id_front"}, file)
	return e.call(http.MethodPost, "/v1/applicants/"+applicantID+"/documents", ct, body)
}

func (e *env) uploadHosted(linkPath string, file []byte) (*http.Response, []byte) {
	body, ct := kyctest.UploadForm(nil, file)
	return e.call(http.MethodPost, linkPath+"/upload?kind=id_front", ct, body)
}

// nothingStored checks that an applicant has no document, no pending
// upload and no blob.
func (e *env) nothingStored(merchantID, applicantID string) {
	e.t.Helper()
	ctx := e.t.Context()
	docs, err := e.a.Store.DocumentsByApplicant(ctx, merchantID, applicantID)
	require.NoError(e.t, err)
	require.Empty(e.t, docs)
	pending, err := e.a.Store.PendingUploadsOf(ctx, merchantID, applicantID)
	require.NoError(e.t, err)
	require.Empty(e.t, pending)
	keys, err := e.a.Blobs.Keys(ctx, applicant.BlobPrefix(merchantID, applicantID))
	require.NoError(e.t, err)
	require.Empty(e.t, keys)
}

// TestPixelBombUploads: a 322 KB PNG of 6300×6300 pixels at 16 bits per
// channel decodes to 317 MB; six in parallel once took a server to 2.5 GB.
// Twenty at once, half through the hosted page and half through the API,
// are each refused from the header (413 naming the field and the decoded
// size) while /healthz keeps answering, and nothing is stored. The memory
// figure is measured on the real binary by bench/decode.sh.
func TestPixelBombUploads(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, nil)
		bomb := kyctest.PixelBombPNG(6300, 6300, true, false)
		aid, link := e.applicant("bomb-1")

		probe := kyctest.Probe(e.url + "/healthz")
		var wg sync.WaitGroup
		type answer struct {
			status int
			body   string
		}
		answers := make([]answer, 20)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var res *http.Response
				var b []byte
				if i%2 == 0 {
					res, b = e.uploadNative(aid, bomb)
				} else {
					res, b = e.uploadHosted(link, bomb)
				}
				answers[i] = answer{res.StatusCode, string(b)}
			}()
		}
		wg.Wait()
		probe.Stop()
		for i, a := range answers {
			require.Equal(t, http.StatusRequestEntityTooLarge, a.status, "upload %d: %s", i, a.body)
			require.Contains(t, a.body, "would take 318568576 bytes to decode", "upload %d", i)
			if i%2 == 0 {
				require.Contains(t, a.body, `"field":"file"`)
			} else {
				require.Contains(t, a.body, `"error":"file: `)
			}
		}
		require.Zero(t, probe.Failed, "/healthz answered throughout (%d probes)", probe.Probes)
		e.nothingStored(merchantOf(t, e), aid)
	})
}

// TestDecodeBudgetBusy: when every byte of the decode memory is taken, an
// upload waits briefly and is then answered 429 with Retry-After in the
// surface's format, storing nothing; once memory is free it is accepted.
func TestDecodeBudgetBusy(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, func(c *config.Config) { c.DecodeMemoryBytes, c.MaxImageBytes = 8<<20, 8<<20 })
		photo := kyctest.JPEG(t, kyctest.SyntheticCard(800, 500))
		aid, link := e.applicant("busy-1")
		mid := merchantOf(t, e)
		release, err := e.a.Decode.Acquire(context.Background(), e.a.Decode.Total(), time.Second)
		require.NoError(t, err)

		res, b := e.uploadNative(aid, photo)
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "%s", b)
		require.Equal(t, "5", res.Header.Get("Retry-After"))
		require.Contains(t, string(b), `"code":"rate_limited"`)
		require.Contains(t, string(b), "decoding too many images at once")
		res, b = e.uploadHosted(link, photo)
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "%s", b)
		require.Equal(t, "5", res.Header.Get("Retry-After"))
		require.Contains(t, string(b), `"error":"busy"`)
		e.nothingStored(mid, aid)

		release()
		res, b = e.uploadNative(aid, photo)
		require.Equal(t, http.StatusCreated, res.StatusCode, "%s", b)
		res, b = e.uploadHosted(link, photo)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", b)
	})
}

func merchantOf(t *testing.T, e *env) string {
	t.Helper()
	p, err := e.a.Merchants.Authenticate(t.Context(), e.key)
	require.NoError(t, err)
	return p.MerchantID
}

// TestAttacksRefused replays the other attacks of the review through the
// native API on both engines: a PDF whose JavaScript open action hides in a
// compressed object stream, webhook targets that reach the server's own
// network, identifiers carrying a right-to-left override, a second file in
// one upload. Each is refused with the field and the rule, and nothing is
// stored.
func TestAttacksRefused(t *testing.T) {
	t.Parallel()
	pdf, err := os.ReadFile(filepath.Join("..", "..", "internal", "docfile", "testdata", "pdf", "objstm-openaction-js.pdf"))
	require.NoError(t, err)
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, func(c *config.Config) { c.WebhookLookup = kyctest.Lookup })
		aid, _ := e.applicant("attacks-1")
		mid := merchantOf(t, e)

		body, ct := kyctest.UploadForm(map[string]string{"kind": "proof_of_address"}, pdf)
		res, b := e.call(http.MethodPost, "/v1/applicants/"+aid+"/documents", ct, body)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s", b)
		require.Contains(t, string(b), `"field":"file"`)
		require.Contains(t, string(b), "PDF contains active content (/OpenAction)")

		var two bytes.Buffer
		w := multipart.NewWriter(&two)
		_ = w.WriteField("kind", "id_front")
		photo := kyctest.JPEG(t, kyctest.SyntheticCard(400, 250))
		for range 2 {
			fw, _ := w.CreateFormFile("file", "a.jpg")
			_, _ = fw.Write(photo)
		}
		_ = w.Close()
		res, b = e.call(http.MethodPost, "/v1/applicants/"+aid+"/documents", w.FormDataContentType(), &two)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s", b)
		require.Contains(t, string(b), `"rule":"multiple"`)
		e.nothingStored(mid, aid)

		for _, u := range kyctest.InternalTargets {
			q, _ := json.Marshal(u)
			res, b := e.call(http.MethodPost, "/v1/webhooks", "application/json", strings.NewReader(`{"url":`+string(q)+`}`))
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s: %s", u, b)
			require.Contains(t, string(b), `"field":"url"`, u)
		}
		res, b = e.call(http.MethodGet, "/v1/webhooks", "", nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.NotContains(t, string(b), "https://", "no endpoint stored")

		res, b = e.call(http.MethodPost, "/v1/applicants", "application/json",
			strings.NewReader(`{"external_user_id":"invoice\u202egpj.exe","first_name":"Mei"}`))
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s", b)
		require.Contains(t, string(b), `"rule":"control_characters"`)
	})
}
