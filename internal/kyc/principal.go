package kyc

// Principal is who acts, scoped to one merchant: every service call takes one
// and never reaches another merchant's data.
type Principal struct {
	MerchantID string
	// Actor names the caller in the audit trail: "api_key:<id>", "cli",
	// "reviewer:<id>", "system".
	Actor string
}
