package vexora

import (
	"net/http"
	"testing"
	"time"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// A rate-limited request gets the dialect's own code and Retry-After.
func TestRateLimitAnswer(t *testing.T) {
	t.Parallel()
	kyctest.RateLimitAnswer(t, func(w http.ResponseWriter, r *http.Request, err error) { writeErr(w, r, time.Now(), err) }, `"code":"1007"`)
}
