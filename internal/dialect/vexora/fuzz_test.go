package vexora_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// FuzzRequests sends arbitrary bodies (JSON and multipart) to both endpoints
// in process: every answer is HTTP 200 with the Vexora envelope and a known code.
func FuzzRequests(f *testing.F) {
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: f.TempDir(), MaxUploadBytes: 256 << 10, MaxImagePixels: 1 << 20, WebhookLookup: kyctest.Lookup}
	require.NoError(f, cfg.Validate())
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(f, err)
	f.Cleanup(func() { a.Close() })
	c, err := a.Merchants.Create(context.Background(), "Fuzz", "test")
	require.NoError(f, err)
	m := merchant{no: c.Merchant.MerchantNo, secret: c.VexoraAppSecret}
	h := a.Handler()
	seed := func(fields map[string]string) []byte { b, _ := json.Marshal(signed(m, fields)); return b }
	f.Add(seed(map[string]string{"userId": "u1", "dateOfBirth": "19900101"}), false, "")
	f.Add(seed(map[string]string{"kycNumber": "KYC00000000000000000000"}), true, "")
	f.Add([]byte(`{"userId":[1,2],"sign":"x"}`), false, "")
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"userId\"\r\n\r\nu\r\n--b--\r\n"), false, "b")
	codes := []string{"0000", "1001", "1002", "1003", "1004", "1005", "1006"}
	f.Fuzz(func(t *testing.T, body []byte, query bool, boundary string) {
		path := "/v1/vexora/kycApplyFor"
		if query {
			path = "/v1/vexora/kycStatusQuery"
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("merchantNo", m.no)
		if boundary != "" {
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code)
		var res struct {
			Code    string `json:"code"`
			Success bool   `json:"success"`
			Msg     string `json:"msg"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res), "%s", rec.Body.String())
		require.True(t, slices.Contains(codes, res.Code), "unknown code %q", res.Code)
		require.NotEqual(t, "1999", res.Code, "bad input must not be an internal error: %s", res.Msg)
	})
}
