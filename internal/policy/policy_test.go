package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

func res(kind string, st kyc.CheckStatus, code string) kyc.Check {
	return kyc.Check{Kind: kind, Status: st, ReasonCode: code}
}

func allPassed() []kyc.Check {
	var out []kyc.Check
	for _, k := range policy.KnownChecks {
		out = append(out, res(k, kyc.CheckPassed, ""))
	}
	return out
}

func with(results []kyc.Check, c kyc.Check) []kyc.Check {
	out := []kyc.Check{}
	for _, r := range results {
		if r.Kind != c.Kind {
			out = append(out, r)
		}
	}
	return append(out, c)
}

func without(results []kyc.Check, kind string) []kyc.Check {
	out := []kyc.Check{}
	for _, r := range results {
		if r.Kind != kind {
			out = append(out, r)
		}
	}
	return out
}

func TestDecide(t *testing.T) {
	t.Parallel()
	l := policy.Default()
	tests := []struct {
		name    string
		results []kyc.Check
		want    policy.Outcome
	}{
		{"all passed", allPassed(), policy.Outcome{Decision: kyc.DecisionApproved}},
		{"optional check not run is ignored", with(allPassed(), res("data.expiry", kyc.CheckNotRun, "")), policy.Outcome{Decision: kyc.DecisionApproved}},
		{"missing documents reject for retry", with(allPassed(), res("documents.required", kyc.CheckFailed, kyc.ReasonDocumentMissing)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonDocumentMissing}, UserMessage: "Please upload all the requested documents."}},
		{"blocklist rejects for good", with(allPassed(), res("blocklist", kyc.CheckFailed, kyc.ReasonBlocklisted)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal, Reasons: []string{kyc.ReasonBlocklisted}, UserMessage: "We are unable to verify your identity."}},
		{"final wins among several reasons", with(with(allPassed(), res("blocklist", kyc.CheckFailed, kyc.ReasonBlocklisted)), res("data.age", kyc.CheckFailed, kyc.ReasonUnderage)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal, Reasons: []string{kyc.ReasonBlocklisted, kyc.ReasonUnderage}, UserMessage: "We are unable to verify your identity."}},
		{"duplicate goes to review", with(allPassed(), res("duplicate.identity", kyc.CheckFailed, kyc.ReasonDuplicate)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonDuplicate}}},
		{"review result", with(allPassed(), res("data.age", kyc.CheckReview, "")), policy.Outcome{Review: true, ReviewReasons: []string{"data.age"}}},
		{"required check errored", with(allPassed(), res("blocklist", kyc.CheckError, "")), policy.Outcome{Review: true, ReviewReasons: []string{"blocklist.error"}}},
		{"required check not run never passes", with(allPassed(), res("data.age", kyc.CheckNotRun, "")), policy.Outcome{Review: true, ReviewReasons: []string{"data.age.not_run"}}},
		{"required check missing", without(allPassed(), "document.integrity"), policy.Outcome{Review: true, ReviewReasons: []string{"document.integrity.missing"}}},
		{"rejection wins over review", with(with(allPassed(), res("data.age", kyc.CheckFailed, kyc.ReasonUnderage)), res("duplicate.identity", kyc.CheckFailed, kyc.ReasonDuplicate)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonUnderage}, UserMessage: "You do not meet the minimum age requirement."}},
		{"failed without code", with(allPassed(), res("document.integrity", kyc.CheckFailed, "")),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonOther}, UserMessage: "We could not verify your identity. Please try again."}},
		{"nothing ran", nil, policy.Outcome{Review: true, ReviewReasons: []string{"blocklist.missing", "data.age.missing", "document.integrity.missing", "documents.required.missing"}}},
		{"optional duplicate check without identifiers", with(allPassed(), res("duplicate.identity", kyc.CheckNotRun, "")), policy.Outcome{Decision: kyc.DecisionApproved}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, policy.Decide(l, tc.results))
		})
	}
}

func TestDisabledChecksAreIgnored(t *testing.T) {
	t.Parallel()
	l := policy.Default()
	l.Checks["blocklist"] = policy.CheckRule{Enabled: false}
	got := policy.Decide(l, with(allPassed(), res("blocklist", kyc.CheckFailed, kyc.ReasonBlocklisted)))
	require.Equal(t, kyc.DecisionApproved, got.Decision)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, policy.Default().Validate())
	tests := map[string]func(*policy.Level){
		"name":                  func(l *policy.Level) { l.Name = "Basic Level" },
		"required_documents[2]": func(l *policy.Level) { l.RequiredDocuments = append(l.RequiredDocuments, "passport") },
		"min_age":               func(l *policy.Level) { l.MinAge = 200 },
		"max_attempts":          func(l *policy.Level) { l.MaxAttempts = 0 },
		"face_match.match":      func(l *policy.Level) { l.FaceMatch = &policy.FaceThresholds{Match: 1.5} },
		"face_match.review":     func(l *policy.Level) { l.FaceMatch = &policy.FaceThresholds{Match: 0.5, Review: 0.6} },
		"checks.face.smile":     func(l *policy.Level) { l.Checks["face.smile"] = policy.CheckRule{Enabled: true} },
		"checks.blocklist.on_fail": func(l *policy.Level) {
			l.Checks["blocklist"] = policy.CheckRule{Enabled: true, OnFail: "ignore"}
		},
		"final_reasons[0]": func(l *policy.Level) { l.FinalReasons = []string{"lower case"} },
	}
	for field, mutate := range tests {
		l := policy.Default()
		l.Checks = map[string]policy.CheckRule{}
		for k, v := range policy.Default().Checks {
			l.Checks[k] = v
		}
		mutate(&l)
		var fe *kyc.FieldError
		require.ErrorAs(t, l.Validate(), &fe, field)
		require.Equal(t, field, fe.Field)
	}
}
