package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// BenchmarkGetVerification measures the handler path of
// GET /v1/verifications/{id} in process (auth, store reads, encoding).
func BenchmarkGetVerification(b *testing.B) {
	e := newEnvB(b, kyctest.DB{Name: "sqlite"})
	aid := e.createApplicant(e.keyA, annaBody)
	r := e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":"order-1"}`, aid))
	require.Equal(b, http.StatusCreated, r.Status)
	vid := r.json(e.t)["id"].(string)
	h := e.app.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/v1/verifications/"+vid, nil)
			req.Header.Set("Authorization", "Bearer "+e.keyA)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatal(rec.Code)
			}
		}
	})
}

// BenchmarkUploadPDF measures POST /v1/applicants/{id}/documents with a 5 MB
// PDF in process: multipart parsing, validation, hashing, encryption, storage.
func BenchmarkUploadPDF(b *testing.B) {
	e := newEnvB(b, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.MaxUploadBytes = 10 << 20 })
	aid := e.createApplicant(e.keyA, annaBody)
	data := make([]byte, 5<<20)
	copy(data, "%PDF-1.4\n1 0 obj << /Length 5242000 >>\nstream\n")
	copy(data[len(data)-30:], "\nendstream\nendobj\n%%EOF\n")
	body, ct := multipartBody(b, [2]any{"kind", "aml_report"}, [2]any{"file", data})
	payload := body.Bytes()
	h := e.app.Handler()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest(http.MethodPost, "/v1/applicants/"+aid+"/documents", bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+e.keyA)
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkScreeningHTTP posts screenings of an unlisted name to a loopback
// server with the UN list loaded (bench/screening.sh measures the full set).
func BenchmarkScreeningHTTP(b *testing.B) {
	dir := os.Getenv("OPENKYC_SHARED_DATA")
	if dir == "" {
		dir = "../../../shared/data"
	}
	lists := filepath.Join(dir, "lists", "un_2026-02")
	if _, err := os.Stat(lists); err != nil {
		b.Skip("shared data missing: ", err)
	}
	e := newEnvB(b, kyctest.DBs(b)[0], func(c *config.Config) { c.ListsDir = lists })
	body := `{"name":"Patricia Lucas Wheeler","date_of_birth":"2002-07-14","nationality":"Ethiopia","gender":"female","type":"person"}`
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := e.postJSON("/v1/screenings", e.keyA, body); r.Status != http.StatusOK {
				b.Fatal(r.Status, string(r.Body))
			}
		}
	})
}
