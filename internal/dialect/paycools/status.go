package paycools

import (
	"strings"

	"github.com/openkyc/openkyc/internal/kyc"
)

// How openkyc's check results and documents map to PayCools' status words.

// aggregate is Failure when a matching check failed, Pending when one could
// not run (an error, or an engine, its assets or lists unavailable) or none
// has run yet, and Success when at least one passed; checks not applicable
// to the input count neither way.
func aggregate(checks []kyc.Check, match func(kyc.CheckKind) bool) string {
	passed, pending := false, false
	for _, c := range checks {
		if !match(c.Kind) {
			continue
		}
		switch c.Status {
		case kyc.CheckFailed:
			return "Failure"
		case kyc.CheckPassed:
			passed = true
		case kyc.CheckNotRun:
			if c.NotRunKind != kyc.NotRunNotApplicable { // unavailable, or stored before the distinction
				pending = true
			}
		default:
			pending = true
		}
	}
	if !passed || pending {
		return "Pending"
	}
	return "Success"
}

func spoof(s kyc.CheckStatus) string {
	switch s {
	case kyc.CheckPassed:
		return "1"
	case kyc.CheckFailed, kyc.CheckReview: // tamper hints ask for review
		return "2"
	}
	return "0"
}

func certType(docType string) string {
	if docType == "passport" {
		return "00000001003"
	}
	return strings.ToUpper(docType)
}
