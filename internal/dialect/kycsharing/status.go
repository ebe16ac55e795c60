package kycsharing

import (
	"strings"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Status maps the core's status to kycStatus and a reason. [openkyc]
// submitted, processing and review are "reviewing"; expired and cancelled
// are "rejected".
func Status(v kyc.Verification) (status, reason string) {
	switch v.State {
	case kyc.StateCreated:
		return "init", ""
	case kyc.StateSubmitted, kyc.StateProcessing, kyc.StateReview:
		return "reviewing", ""
	case kyc.StateCompleted:
		if v.Decision == kyc.DecisionApproved {
			return "approved", ""
		}
		if len(v.Reasons) > 0 {
			return "rejected", strings.Join(v.Reasons, ",")
		}
		return "rejected", v.UserMessage
	case kyc.StateExpired:
		return "rejected", "EXPIRED"
	case kyc.StateCancelled:
		return "rejected", "CANCELLED"
	}
	return "reviewing", ""
}
