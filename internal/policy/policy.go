// Package policy holds per-merchant verification levels and the pure
// decision function that turns check results into a decision or a hand-over
// to human review.
package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"

	"github.com/openkyc/openkyc/internal/kyc"
)

// On-fail actions of a check rule.
const (
	OnFailReject = "reject"
	OnFailReview = "review"
)

// CheckRule configures one check within a level.
type CheckRule struct {
	Enabled bool `json:"enabled" yaml:"enabled"`
	// Required: a result of not_run or error (or no result) sends the
	// verification to review instead of being ignored. A check that did not
	// run never counts as passed.
	Required bool   `json:"required" yaml:"required"`
	OnFail   string `json:"on_fail,omitempty" yaml:"on_fail,omitempty"` // reject (default) or review
}

// Level is a named set of requirements a verification is checked against.
type Level struct {
	Name              string               `json:"name" yaml:"name"`
	Version           int                  `json:"version" yaml:"version"`
	RequiredDocuments []kyc.DocumentKind   `json:"required_documents" yaml:"required_documents"`
	MinAge            int                  `json:"min_age" yaml:"min_age"`
	Checks            map[string]CheckRule `json:"checks" yaml:"checks"`
	// FinalReasons are reason codes that reject for good; any other rejection
	// lets the user try again (reject_type retry).
	FinalReasons []string `json:"final_reasons" yaml:"final_reasons"`
	// MaxAttempts caps submissions of one verification after retry rejections.
	MaxAttempts int `json:"max_attempts" yaml:"max_attempts"`
	// FaceMatch overrides face.match's thresholds (cosine); nil: the defaults
	// 0.40 (match) and 0.25 (review).
	FaceMatch *FaceThresholds `json:"face_match,omitempty" yaml:"face_match,omitempty"`
}

// FaceThresholds are face.match's thresholds: at least Match passes, at
// least Review asks for review, below fails.
type FaceThresholds struct {
	Match  float64 `json:"match" yaml:"match"`
	Review float64 `json:"review" yaml:"review"`
}

// Known check kinds of the model-free engines; later engines add theirs.
var KnownChecks = []string{"documents.required", "document.integrity", "data.age", "data.expiry", "duplicate.identity", "blocklist", "reliance.reports",
	"document.mrz", "data.consistency", "document.quality", "document.tamper_hints", "face.match", "face.duplicate", "face.liveness", "screening.sanctions"}

// Default is the level every merchant has until it defines its own "basic".
func Default() Level {
	return Level{
		Name: "basic", Version: 1,
		RequiredDocuments: []kyc.DocumentKind{kyc.DocIDFront, kyc.DocSelfie},
		MinAge:            18,
		Checks: map[string]CheckRule{
			"documents.required": {Enabled: true, Required: true},
			"document.integrity": {Enabled: true, Required: true},
			"data.age":           {Enabled: true, Required: true},
			"data.expiry":        {Enabled: true}, // known only once MRZ reading exists
			// not_run when the applicant has no document number, e-mail or phone
			"duplicate.identity": {Enabled: true, OnFail: OnFailReview},
			"blocklist":          {Enabled: true, Required: true},
			// not_run without tesseract/OCR-B or when the document has no MRZ
			"document.mrz":     {Enabled: true, OnFail: OnFailReview},
			"data.consistency": {Enabled: true, OnFail: OnFailReview},
			// hints ask for a reviewer, never reject; document.quality is
			// off by default (merchants whose users upload poor photos enable it)
			"document.tamper_hints": {Enabled: true, OnFail: OnFailReview},
			// not_run without ONNX Runtime and the models; a mismatch goes to a reviewer
			"face.match":     {Enabled: true, OnFail: OnFailReview},
			"face.duplicate": {Enabled: true, OnFail: OnFailReview},
			// not_run unless the hosted page captured the head-turn challenge
			"face.liveness": {Enabled: true, OnFail: OnFailReview},
			// not_run without lists (serve --lists-dir); a possible match goes to a
			// reviewer, who confirms (SANCTIONS_HIT, final) or dismisses it
			"screening.sanctions": {Enabled: true, OnFail: OnFailReview},
		},
		FinalReasons: []string{kyc.ReasonBlocklisted, kyc.ReasonSanctionsHit, kyc.ReasonFraudSuspected},
		MaxAttempts:  5,
	}
}

// Reliance is the built-in level of shared KYC (the KYC Sharing dialect): a
// partner that verified the user shares the documents and its own AML and IDV
// reports, which must be valid PDFs without active content.
func Reliance() Level {
	l := Default()
	l.Name = "reliance"
	l.RequiredDocuments = []kyc.DocumentKind{kyc.DocIDFront, kyc.DocSelfie, kyc.DocAMLReport, kyc.DocIDVReport}
	l.Checks = map[string]CheckRule{}
	for k, r := range Default().Checks {
		l.Checks[k] = r
	}
	l.Checks["reliance.reports"] = CheckRule{Enabled: true, Required: true}
	return l
}

// CardBinding is the built-in level of card-binding KYC: the card issuer's
// merchant sends the document's front, a photo of the user holding it and a
// signature instead of a plain selfie.
func CardBinding() Level {
	l := Default()
	l.Name = "card_binding"
	l.RequiredDocuments = []kyc.DocumentKind{kyc.DocIDFront, kyc.DocSelfieWithID, kyc.DocSignature}
	return l
}

// BuiltIn returns the built-in level of this name.
func BuiltIn(name string) (Level, bool) {
	switch name {
	case Default().Name:
		return Default(), true
	case "reliance":
		return Reliance(), true
	case "card_binding":
		return CardBinding(), true
	}
	return Level{}, false
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// Validate checks a level; errors name the field.
func (l Level) Validate() error {
	if !nameRE.MatchString(l.Name) {
		return kyc.Invalid("name", "format", "name must be 1-64 characters of a-z, 0-9, '_', '.', '-'")
	}
	for i, k := range l.RequiredDocuments {
		if !k.Valid() {
			return kyc.Invalid(fmt.Sprintf("required_documents[%d]", i), "enum", "unknown document kind %q", k)
		}
	}
	if l.MinAge < 0 || l.MinAge > 120 {
		return kyc.Invalid("min_age", "range", "min_age must be between 0 and 120")
	}
	if l.MaxAttempts < 1 || l.MaxAttempts > 100 {
		return kyc.Invalid("max_attempts", "range", "max_attempts must be between 1 and 100")
	}
	if f := l.FaceMatch; f != nil {
		if f.Match <= 0 || f.Match > 1 {
			return kyc.Invalid("face_match.match", "range", "face_match.match must be above 0 and at most 1")
		}
		if f.Review < 0 || f.Review > f.Match {
			return kyc.Invalid("face_match.review", "range", "face_match.review must be between 0 and face_match.match")
		}
	}
	kinds := make([]string, 0, len(l.Checks))
	for k := range l.Checks {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		r := l.Checks[k]
		if !slices.Contains(KnownChecks, k) {
			return kyc.Invalid("checks."+k, "enum", "unknown check %q; known: %v", k, KnownChecks)
		}
		if r.OnFail != "" && r.OnFail != OnFailReject && r.OnFail != OnFailReview {
			return kyc.Invalid("checks."+k+".on_fail", "enum", "on_fail must be reject or review")
		}
	}
	for i, r := range l.FinalReasons {
		if !reasonRE.MatchString(r) {
			return kyc.Invalid(fmt.Sprintf("final_reasons[%d]", i), "format", "reason codes are A-Z, 0-9 and _")
		}
	}
	return nil
}

var reasonRE = regexp.MustCompile(`^[A-Z0-9_]{1,64}$`)

// Enabled lists the enabled checks in a stable order.
func (l Level) Enabled() []string {
	var out []string
	for k, r := range l.Checks {
		if r.Enabled {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Canonical is the level as stored (JSON).
func (l Level) Canonical() []byte {
	b, _ := json.Marshal(l)
	return b
}

// Outcome is what Decide concludes.
type Outcome struct {
	Review      bool // hand over to a person
	Decision    kyc.Decision
	RejectType  kyc.RejectType
	Reasons     []string
	UserMessage string
	// ReviewReasons say why a person must look (reason codes or check kinds).
	ReviewReasons []string
}

// Decide turns the results of one run of checks into an outcome. It is pure.
// Rules: a failed check rejects with its reason code (or asks for review when
// its rule says on_fail: review); a review result asks for review; a required
// check that did not run, errored or is missing asks for review; anything
// else passes. A rejection wins over review; it is final when any reason is
// in FinalReasons, otherwise retry.
func Decide(l Level, results []kyc.Check) Outcome {
	var reject, review []string
	seen := map[string]bool{}
	for _, r := range results {
		rule, ok := l.Checks[r.Kind]
		if ok && !rule.Enabled {
			continue
		}
		seen[r.Kind] = true
		switch r.Status {
		case kyc.CheckPassed:
		case kyc.CheckFailed:
			code := r.ReasonCode
			if code == "" {
				code = kyc.ReasonOther
			}
			if rule.OnFail == OnFailReview {
				review = appendUnique(review, code)
			} else {
				reject = appendUnique(reject, code)
			}
		case kyc.CheckReview:
			review = appendUnique(review, nonEmpty(r.ReasonCode, r.Kind))
		case kyc.CheckNotRun, kyc.CheckError:
			if rule.Required {
				review = appendUnique(review, r.Kind+"."+string(r.Status))
			}
		default:
			review = appendUnique(review, r.Kind+".unknown_status")
		}
	}
	for _, k := range l.Enabled() {
		if l.Checks[k].Required && !seen[k] {
			review = appendUnique(review, k+".missing")
		}
	}
	switch {
	case len(reject) > 0:
		o := Outcome{Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry, Reasons: reject}
		for _, r := range reject {
			if slices.Contains(l.FinalReasons, r) {
				o.RejectType = kyc.RejectFinal
			}
		}
		o.UserMessage = UserMessage(o.RejectType, reject)
		return o
	case len(review) > 0:
		return Outcome{Review: true, ReviewReasons: review}
	}
	return Outcome{Decision: kyc.DecisionApproved}
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var messages = map[string]string{
	kyc.ReasonDocumentMissing: "Please upload all the requested documents.",
	kyc.ReasonDocumentQuality: "A document could not be read. Please upload a clear, complete photo or file.",
	kyc.ReasonDocExpired:      "Your identity document has expired. Please use a valid document.",
	kyc.ReasonUnderage:        "You do not meet the minimum age requirement.",
	kyc.ReasonDataMismatch:    "The details you entered do not match your document.",
	kyc.ReasonFaceMismatch:    "Your selfie does not match the photo on your document. Please try again.",
	kyc.ReasonLivenessFailed:  "We could not confirm your selfie was live. Please try again.",
	kyc.ReasonMRZInvalid:      "Your document could not be read. Please upload a clear photo of the whole document.",
}

// UserMessage is the text safe to show the end user for a rejection. Final
// rejections for reasons that must not be disclosed (lists, fraud) get a
// neutral message.
func UserMessage(t kyc.RejectType, reasons []string) string {
	if t == kyc.RejectFinal {
		return "We are unable to verify your identity."
	}
	for _, r := range reasons {
		if m, ok := messages[r]; ok {
			return m
		}
	}
	return "We could not verify your identity. Please try again."
}
