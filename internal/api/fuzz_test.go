package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/config"
)

// fuzzServer is one in-process server for a fuzz target (no network: the
// handler is called directly so that many executions per second fit).
func fuzzServer(f *testing.F) (http.Handler, string, string) {
	dir := f.TempDir()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: "sqlite:" + filepath.Join(dir, "f.db"), MaxUploadBytes: 256 << 10, MaxImagePixels: 1 << 20}
	require.NoError(f, cfg.Validate())
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(f, err)
	f.Cleanup(func() { a.Close() })
	m, err := a.Merchants.Create(context.Background(), "Fuzz", "test")
	require.NoError(f, err)
	h := a.Handler()
	req := httptest.NewRequest(http.MethodPost, "/v1/applicants", bytes.NewBufferString(`{"external_user_id":"seed"}`))
	req.Header.Set("Authorization", "Bearer "+m.APIKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(f, http.StatusCreated, rec.Code)
	var ap map[string]any
	require.NoError(f, json.Unmarshal(rec.Body.Bytes(), &ap))
	return h, m.APIKey, ap["id"].(string)
}

// checkResponse: never a 5xx, always JSON, and errors in the documented shape.
func checkResponse(t *testing.T, rec *httptest.ResponseRecorder) {
	require.Less(t, rec.Code, 500, "body: %s", rec.Body.String())
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), "not JSON: %q", rec.Body.String())
	if rec.Code >= 400 {
		e, ok := body["error"].(map[string]any)
		require.True(t, ok, "error body: %s", rec.Body.String())
		require.NotEmpty(t, e["code"])
		require.NotEmpty(t, e["message"])
	}
}

func FuzzApplicantJSON(f *testing.F) {
	h, key, id := fuzzServer(f)
	for _, s := range []string{annaBody, `{}`, `{"external_user_id":"x","address":{}}`, `{"external_user_id":"x","phone":"+1"}`,
		`{"external_user_id":"x","date_of_birth":"0000-00-00"}`, `[]`, `null`, `{"external_user_id":"\u0000"}`, `{"first_name":"é́́́"}`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, patch bool) {
		method, path := http.MethodPost, "/v1/applicants"
		if patch {
			method, path = http.MethodPatch, "/v1/applicants/"+id
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkResponse(t, rec)
	})
}

func FuzzVerificationJSON(f *testing.F) {
	h, key, id := fuzzServer(f)
	f.Add([]byte(`{"applicant_id":"` + id + `","reference":"r1","level":"basic"}`))
	f.Add([]byte(`{"applicant_id":"apl_x","reference":""}`))
	f.Add([]byte(`{"applicant_id":"` + id + `","reference":"r\u2028","level":"A"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/verifications", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkResponse(t, rec)
	})
}

func FuzzUploadMultipart(f *testing.F) {
	h, key, id := fuzzServer(f)
	good, ct := multipartBody(f, [2]any{"kind", "id_front"}, [2]any{"file", testJPEG(f, 32, 32)})
	_, boundary, _ := bytes.Cut([]byte(ct), []byte("boundary="))
	f.Add(good.Bytes(), string(boundary))
	pdf, ct2 := multipartBody(f, [2]any{"kind", "aml_report"}, [2]any{"file", []byte("%PDF-1.4\n/JS\n%%EOF")})
	_, boundary2, _ := bytes.Cut([]byte(ct2), []byte("boundary="))
	f.Add(pdf.Bytes(), string(boundary2))
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nselfie\r\n--x--"), "x")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		req := httptest.NewRequest(http.MethodPost, "/v1/applicants/"+id+"/documents", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkResponse(t, rec)
	})
}
