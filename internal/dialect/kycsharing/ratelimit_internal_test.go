package kycsharing

import (
	"testing"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// A rate-limited request gets the dialect's own code and Retry-After.
func TestRateLimitAnswer(t *testing.T) {
	t.Parallel()
	kyctest.RateLimitAnswer(t, (&Dialect{}).writeErr, `"code":42901`)
}
