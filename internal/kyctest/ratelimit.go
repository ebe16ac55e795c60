package kyctest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
)

// RateLimitAnswer checks a surface's answer to a rate-limited request: a
// Retry-After header in whole seconds and the surface's own code in the body.
func RateLimitAnswer(t *testing.T, writeErr func(http.ResponseWriter, *http.Request, error), wantInBody string) {
	t.Helper()
	w, r := httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil)
	writeErr(w, r, &kyc.RateLimitError{Scope: "merchant", RetryAfter: 2500 * time.Millisecond})
	require.Equal(t, "3", w.Header().Get("Retry-After"))
	require.Contains(t, w.Body.String(), wantInBody)
	require.Contains(t, w.Body.String(), "too many requests")
}
