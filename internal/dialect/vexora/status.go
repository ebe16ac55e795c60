package vexora

import (
	"strings"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Vexora authenticationStatus values.
const (
	StatusPending  = "0" // pending certification: documents still to come
	StatusReview   = "1" // under review
	StatusApproved = "2"
	StatusRejected = "3"
)

// Status maps the core's two-layer status to Vexora's authenticationStatus
// and failReason. [openkyc] submitted, processing and review are all "under
// review"; expired and cancelled applications are rejected.
func Status(v kyc.Verification) (status, failReason string) {
	switch v.State {
	case kyc.StateCreated:
		return StatusPending, ""
	case kyc.StateSubmitted, kyc.StateProcessing, kyc.StateReview:
		return StatusReview, ""
	case kyc.StateExpired:
		return StatusRejected, "The application expired before it was completed"
	case kyc.StateCancelled:
		return StatusRejected, "The application was cancelled"
	case kyc.StateCompleted:
		if v.Decision == kyc.DecisionApproved {
			return StatusApproved, ""
		}
		if v.UserMessage != "" {
			return StatusRejected, v.UserMessage
		}
		return StatusRejected, strings.Join(v.Reasons, ",")
	}
	return StatusReview, ""
}

// inProgress reports whether an application still awaits its outcome.
func inProgress(v kyc.Verification) bool {
	return v.State == kyc.StateCreated || v.State == kyc.StateSubmitted || v.State == kyc.StateProcessing || v.State == kyc.StateReview
}
