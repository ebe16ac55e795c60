package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

func res(kind kyc.CheckKind, st kyc.CheckStatus, code string) kyc.Check {
	return kyc.Check{Kind: kind, Status: st, ReasonCode: code}
}

func notRun(kind kyc.CheckKind, k kyc.NotRunKind) kyc.Check {
	return kyc.Check{Kind: kind, Status: kyc.CheckNotRun, NotRunKind: k}
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

func without(results []kyc.Check, kind kyc.CheckKind) []kyc.Check {
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
		{"a check not applicable that passes by default", with(allPassed(), notRun("data.expiry", kyc.NotRunNotApplicable)),
			policy.Outcome{Decision: kyc.DecisionApproved, Unchecked: []string{"data.expiry: not applicable"}}},
		{"a check not applicable that reviews by default", with(allPassed(), notRun("screening.sanctions", kyc.NotRunNotApplicable)),
			policy.Outcome{Review: true, ReviewReasons: []string{"screening.sanctions.not_applicable"}}},
		{"an optional check unavailable never passes", with(allPassed(), notRun("screening.sanctions", kyc.NotRunUnavailable)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonCheckUnavailable, "screening.sanctions.unavailable"}}},
		{"stale lists say why", with(allPassed(), kyc.Check{Kind: "screening.sanctions", Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunUnavailable, ReasonCode: "LISTS_STALE"}),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonCheckUnavailable, "LISTS_STALE", "screening.sanctions.unavailable"}}},
		{"a result stored before the distinction counts as unavailable", with(allPassed(), notRun("face.liveness", "")),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonCheckUnavailable, "face.liveness.unavailable"}}},
		{"no MRZ, no barcode: not applicable, but nothing was read from the document",
			with(with(with(allPassed(), notRun("document.mrz", kyc.NotRunNotApplicable)), notRun("document.barcode", kyc.NotRunNotApplicable)),
				notRun("data.consistency", kyc.NotRunNotApplicable)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonDocumentUnreadable}}},
		{"no MRZ, a licence's barcode read, its front not: not the holder's data", with(with(allPassed(), notRun("document.mrz", kyc.NotRunNotApplicable)),
			notRun("document.viz", kyc.NotRunNotApplicable)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonDocumentUnreadable}}},
		{"no MRZ, the front's printed zone read, no barcode: not the holder's data", with(with(allPassed(), notRun("document.mrz", kyc.NotRunNotApplicable)),
			notRun("document.barcode", kyc.NotRunNotApplicable)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonDocumentUnreadable}}},
		{"no MRZ, the barcode tied to the front by its printed zone: the holder's data", with(allPassed(), notRun("document.mrz", kyc.NotRunNotApplicable)),
			policy.Outcome{Decision: kyc.DecisionApproved, Unchecked: []string{"document.mrz: not applicable"}}},
		{"the front's printed zone disagrees with the barcode", with(with(allPassed(), notRun("document.mrz", kyc.NotRunNotApplicable)),
			res("document.viz", kyc.CheckReview, kyc.ReasonTamperHints)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonTamperHints, kyc.ReasonDocumentUnreadable}}},
		{"no MRZ, a barcode that does not parse", with(with(allPassed(), notRun("document.mrz", kyc.NotRunNotApplicable)),
			res("document.barcode", kyc.CheckReview, kyc.ReasonDocumentUnreadable)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonDocumentUnreadable}}},
		{"a doubtful MRZ was still read", with(allPassed(), res("document.mrz", kyc.CheckReview, kyc.ReasonMRZDoubtful)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonMRZDoubtful}}},
		{"missing documents reject for retry", with(allPassed(), res("documents.required", kyc.CheckFailed, kyc.ReasonDocumentMissing)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonDocumentMissing}, UserMessage: "Please upload all the requested documents."}},
		{"blocklist rejects for good", with(allPassed(), res("blocklist", kyc.CheckFailed, kyc.ReasonBlocklisted)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal, Reasons: []string{kyc.ReasonBlocklisted}, UserMessage: "We are unable to verify your identity."}},
		{"final wins among several reasons", with(with(allPassed(), res("blocklist", kyc.CheckFailed, kyc.ReasonBlocklisted)), res("data.age", kyc.CheckFailed, kyc.ReasonUnderage)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal, Reasons: []string{kyc.ReasonBlocklisted, kyc.ReasonUnderage}, UserMessage: "We are unable to verify your identity."}},
		{"duplicate goes to review", with(allPassed(), res("duplicate.identity", kyc.CheckFailed, kyc.ReasonDuplicate)),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonDuplicate}}},
		{"review result", with(allPassed(), res("data.age", kyc.CheckReview, "")), policy.Outcome{Review: true, ReviewReasons: []string{"data.age"}}},
		{"required check errored", with(allPassed(), res("blocklist", kyc.CheckError, "")),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonCheckUnavailable, "blocklist.unavailable"}}},
		{"required check not applicable never passes", with(allPassed(), notRun("data.age", kyc.NotRunNotApplicable)),
			policy.Outcome{Review: true, ReviewReasons: []string{"data.age.not_applicable"}}},
		{"required check missing", without(allPassed(), "document.integrity"), policy.Outcome{Review: true, ReviewReasons: []string{"document.integrity.missing"}}},
		{"rejection wins over review", with(with(allPassed(), res("data.age", kyc.CheckFailed, kyc.ReasonUnderage)), res("duplicate.identity", kyc.CheckFailed, kyc.ReasonDuplicate)),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonUnderage}, UserMessage: "You do not meet the minimum age requirement."}},
		{"failed without code", with(allPassed(), res("document.integrity", kyc.CheckFailed, "")),
			policy.Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonOther}, UserMessage: "We could not verify your identity. Please try again."}},
		{"nothing ran", nil, policy.Outcome{Review: true, ReviewReasons: []string{"blocklist.missing", "data.age.missing", kyc.ReasonCheckUnavailable,
			"data.consistency.missing", "data.expiry.missing", "document.barcode.missing", "document.classification.missing", "document.integrity.missing", "document.mrz.missing", "document.tamper_hints.missing", "document.viz.missing",
			"documents.required.missing", "duplicate.identity.missing", "face.duplicate.missing", "face.liveness.missing", "face.match.missing",
			"screening.sanctions.missing", kyc.ReasonDocumentUnreadable}}},
		{"an optional check without a result (a replay) never passes", without(allPassed(), "screening.sanctions"),
			policy.Outcome{Review: true, ReviewReasons: []string{kyc.ReasonCheckUnavailable, "screening.sanctions.missing"}}},
		{"optional duplicate check without identifiers", with(allPassed(), notRun("duplicate.identity", kyc.NotRunNotApplicable)),
			policy.Outcome{Decision: kyc.DecisionApproved, Unchecked: []string{"duplicate.identity: not applicable"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, policy.Decide(l, tc.results))
		})
	}
}

// TestLevelRulesForChecksThatDidNotRun: allow_unavailable decides without
// an unavailable check and says so; on_not_applicable overrides a check's
// default both ways; a level without require_document_data approves a
// document without an MRZ.
func TestLevelRulesForChecksThatDidNotRun(t *testing.T) {
	t.Parallel()
	level := func(mutate func(l *policy.Level)) policy.Level {
		l := policy.Default()
		l.Checks = map[kyc.CheckKind]policy.CheckRule{}
		for k, v := range policy.Default().Checks {
			l.Checks[k] = v
		}
		mutate(&l)
		require.NoError(t, l.Validate())
		return l
	}
	allow := level(func(l *policy.Level) {
		l.Checks["screening.sanctions"] = policy.CheckRule{Enabled: true, OnFail: policy.OnFailReview, AllowUnavailable: true}
	})
	require.Equal(t, policy.Outcome{Decision: kyc.DecisionApproved, Unchecked: []string{"screening.sanctions: unavailable (allowed by the level)"}},
		policy.Decide(allow, with(allPassed(), notRun("screening.sanctions", kyc.NotRunUnavailable))))
	require.Equal(t, policy.Outcome{Decision: kyc.DecisionApproved, Unchecked: []string{"screening.sanctions: unavailable (allowed by the level)"}},
		policy.Decide(allow, with(allPassed(), res("screening.sanctions", kyc.CheckError, ""))), "an engine that failed counts as unavailable")
	require.True(t, policy.Decide(allow, with(allPassed(), notRun("screening.sanctions", kyc.NotRunNotApplicable))).Review,
		"allowing unavailable leaves not applicable to its own rule")

	review := level(func(l *policy.Level) {
		l.Checks["face.liveness"] = policy.CheckRule{Enabled: true, OnFail: policy.OnFailReview, OnNotApplicable: policy.NotApplicableReview}
	})
	require.Equal(t, []string{"face.liveness.not_applicable"}, policy.Decide(review, with(allPassed(), notRun("face.liveness", kyc.NotRunNotApplicable))).ReviewReasons)
	pass := level(func(l *policy.Level) {
		l.Checks["screening.sanctions"] = policy.CheckRule{Enabled: true, OnFail: policy.OnFailReview, OnNotApplicable: policy.NotApplicablePass}
	})
	require.Equal(t, kyc.DecisionApproved, policy.Decide(pass, with(allPassed(), notRun("screening.sanctions", kyc.NotRunNotApplicable))).Decision)

	noData := level(func(l *policy.Level) { l.RequireDocumentData = false })
	require.Equal(t, kyc.DecisionApproved,
		policy.Decide(noData, with(with(allPassed(), notRun("document.mrz", kyc.NotRunNotApplicable)), notRun("data.consistency", kyc.NotRunNotApplicable))).Decision)
	require.Equal(t, []string{"CHECK_UNAVAILABLE"}, policy.Outcome{ReviewReasons: []string{"CHECK_UNAVAILABLE", "x.unavailable"}}.ReviewCodes())
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
		"checks.face.liveness.on_not_applicable": func(l *policy.Level) {
			l.Checks["face.liveness"] = policy.CheckRule{Enabled: true, OnNotApplicable: "ignore"}
		},
		"checks.blocklist.allow_unavailable": func(l *policy.Level) {
			l.Checks["blocklist"] = policy.CheckRule{Enabled: true, Required: true, AllowUnavailable: true}
		},
		"checks.data.age.on_not_applicable": func(l *policy.Level) {
			l.Checks["data.age"] = policy.CheckRule{Enabled: true, Required: true, OnNotApplicable: policy.NotApplicablePass}
		},
		"require_document_data": func(l *policy.Level) {
			l.Checks["document.mrz"] = policy.CheckRule{Enabled: false}
			l.Checks["document.viz"] = policy.CheckRule{Enabled: false} // the barcode alone does not read the holder's data
		},
	}
	for field, mutate := range tests {
		l := policy.Default()
		l.Checks = map[kyc.CheckKind]policy.CheckRule{}
		for k, v := range policy.Default().Checks {
			l.Checks[k] = v
		}
		mutate(&l)
		var fe *kyc.FieldError
		require.ErrorAs(t, l.Validate(), &fe, field)
		require.Equal(t, field, fe.Field)
	}
}
