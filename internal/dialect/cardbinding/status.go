package cardbinding

import (
	"strings"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Query statuses ([openkyc]).
const (
	StatusPending  = 0
	StatusApproved = 1
	StatusRejected = 2
	StatusReview   = 3
)

// Status maps the core's status to the query's status and reason: created,
// submitted and processing are pending; review is under review; expired and
// cancelled are rejected.
func Status(v kyc.Verification) (int, string) {
	switch v.State {
	case kyc.StateReview:
		return StatusReview, ""
	case kyc.StateExpired:
		return StatusRejected, "EXPIRED"
	case kyc.StateCancelled:
		return StatusRejected, "CANCELLED"
	case kyc.StateCompleted:
		if v.Decision == kyc.DecisionApproved {
			return StatusApproved, ""
		}
		if v.UserMessage != "" {
			return StatusRejected, v.UserMessage
		}
		return StatusRejected, strings.Join(v.Reasons, ",")
	}
	return StatusPending, ""
}

// Callback results.
const (
	ResultSuccess = 1
	ResultFailure = 2
)
