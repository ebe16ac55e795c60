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

// BenchmarkErasure measures, in process on each database, an applicant's
// life with one ID photo (create, upload) as the baseline, the same plus an
// immediate purge, and an export of an applicant with two documents against
// a plain read of it.
func BenchmarkErasure(b *testing.B) {
	for _, db := range kyctest.DBs(b) {
		e := newEnvB(b, db)
		h := e.app.Handler()
		img := testJPEG(b, 320, 200)
		call := func(method, path string, body *bytes.Buffer, ct string, want int) {
			var rd *bytes.Reader
			if body != nil {
				rd = bytes.NewReader(body.Bytes())
			} else {
				rd = bytes.NewReader(nil)
			}
			req := httptest.NewRequest(method, path, rd)
			req.Header.Set("Authorization", "Bearer "+e.keyA)
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				b.Fatal(method, path, rec.Code, rec.Body.String())
			}
		}
		n := 0
		life := func(purge bool) {
			n++
			aid := e.createApplicant(e.keyA, person(fmt.Sprintf("bench-%s-%d", db.Name, n), fmt.Sprintf("b%d@example.org", n)))
			body, ct := multipartBody(b, [2]any{"kind", "id_front"}, [2]any{"file", img})
			call(http.MethodPost, "/v1/applicants/"+aid+"/documents", body, ct, http.StatusCreated)
			if purge {
				call(http.MethodDelete, "/v1/applicants/"+aid+"?immediate=true", nil, "", http.StatusOK)
			}
		}
		b.Run(db.Name+"/create+upload", func(b *testing.B) {
			for range b.N {
				life(false)
			}
		})
		b.Run(db.Name+"/create+upload+purge", func(b *testing.B) {
			for range b.N {
				life(true)
			}
		})
		aid := e.applicantWithDocs(person("bench-export-"+db.Name, "export@example.org"), "id_front", "selfie")
		b.Run(db.Name+"/get", func(b *testing.B) {
			for range b.N {
				call(http.MethodGet, "/v1/applicants/"+aid, nil, "", http.StatusOK)
			}
		})
		b.Run(db.Name+"/export", func(b *testing.B) {
			for range b.N {
				call(http.MethodGet, "/v1/applicants/"+aid+"/export", nil, "", http.StatusOK)
			}
		})
	}
}
