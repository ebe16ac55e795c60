package vexora_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// BenchmarkStatusQuery measures kycStatusQuery in process: signature check,
// lookup and encoding.
func BenchmarkStatusQuery(b *testing.B) {
	e := newEnv(b, kyctest.DB{Name: "sqlite"})
	res := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": "bench"}))
	if res["code"] != "0000" {
		b.Fatal(res)
	}
	body, _ := json.Marshal(signed(e.a, map[string]string{"userId": "bench"}))
	h := e.srv.Config.Handler
	b.ReportAllocs()
	b.ResetTimer()
	b.SetParallelism(16) // like wrk -c32 on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v1/vexora/kycStatusQuery", bytes.NewReader(body))
			req.Header.Set("merchantNo", e.a.no)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if !bytes.Contains(rec.Body.Bytes(), []byte(`"0000"`)) {
				b.Fatal(rec.Body.String())
			}
		}
	})
}
