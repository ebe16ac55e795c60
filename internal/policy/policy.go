// Package policy holds per-merchant verification levels and the pure
// decision function that turns check results into a decision or a hand-over
// to human review.
package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/openkyc/openkyc/internal/kyc"
)

// On-fail actions of a check rule.
const (
	OnFailReject = "reject"
	OnFailReview = "review"
)

// What a check that is not applicable leads to (on_not_applicable).
const (
	NotApplicablePass   = "pass"
	NotApplicableReview = "review"
)

// notApplicableDefault is each check's on_not_applicable when its rule sets
// none and does not require it: review where nothing else stands in for the
// check (an age, a face comparison, a screening by name), pass where the
// input simply has nothing for it (a document without an MRZ — the level's
// require_document_data covers the identity data —, an API flow without a
// hosted liveness capture, nothing to compare for duplicates).
var notApplicableDefault = map[kyc.CheckKind]string{
	kyc.KindDocumentsRequired: NotApplicableReview, kyc.KindDocumentIntegrity: NotApplicableReview, kyc.KindAge: NotApplicableReview,
	kyc.KindExpiry: NotApplicablePass, kyc.KindDuplicateIdentity: NotApplicablePass, kyc.KindBlocklist: NotApplicableReview,
	kyc.KindRelianceReports: NotApplicableReview, kyc.KindMRZ: NotApplicablePass, kyc.KindBarcode: NotApplicablePass, kyc.KindVIZ: NotApplicablePass, kyc.KindClassification: NotApplicablePass, kyc.KindConsistency: NotApplicablePass,
	kyc.KindDocumentQuality: NotApplicablePass, kyc.KindTamperHints: NotApplicablePass, kyc.KindRecapture: NotApplicablePass, kyc.KindFaceMatch: NotApplicableReview,
	kyc.KindFaceDuplicate: NotApplicablePass, kyc.KindFaceLiveness: NotApplicablePass, kyc.KindSanctions: NotApplicableReview,
}

// DocumentDataChecks are the checks whose result, when the check ran,
// means the holder's name and birth date were read from the document
// (require_document_data): the MRZ.
var DocumentDataChecks = []kyc.CheckKind{kyc.KindMRZ}

// TiedDocumentData are pairs of checks that, both passed, also mean the
// holder's data was read: a licence's barcode (on the back, error
// corrected) with the front's printed zone agreeing with it on name,
// birth date and number (document.viz passes only then) — the barcode is
// then tied to the card whose portrait face.match compared. Alone, the
// barcode is not: a stranger's licence back behind one's own card front
// would pass; nor is the printed zone: OCR without check digits.
var TiedDocumentData = [][2]kyc.CheckKind{{kyc.KindBarcode, kyc.KindVIZ}}

// CheckRule configures one check within a level.
type CheckRule struct {
	Enabled bool `json:"enabled" yaml:"enabled"`
	// Required: the check must run: not applicable or missing sends the
	// verification to review, and it may not be allowed to be unavailable.
	// A check that did not run never counts as passed.
	Required bool   `json:"required" yaml:"required"`
	OnFail   string `json:"on_fail,omitempty" yaml:"on_fail,omitempty"` // reject (default) or review
	// AllowUnavailable lets a verification be decided without this check
	// when its engine, assets or lists are missing, stale or failed; the
	// decision's audit entry says so. Otherwise such a verification goes to
	// review (CHECK_UNAVAILABLE).
	AllowUnavailable bool `json:"allow_unavailable,omitempty" yaml:"allow_unavailable,omitempty"`
	// OnNotApplicable is what a not-applicable result leads to: pass or
	// review; empty: review when Required, else the check's default
	// (documented in docs/levels.md).
	OnNotApplicable string `json:"on_not_applicable,omitempty" yaml:"on_not_applicable,omitempty"`
}

// NotApplicableAction is what a not-applicable result of check kind leads
// to under the rule: pass or review.
func (r CheckRule) NotApplicableAction(kind kyc.CheckKind) string {
	switch {
	case r.OnNotApplicable != "":
		return r.OnNotApplicable
	case r.Required:
		return NotApplicableReview
	case notApplicableDefault[kind] != "":
		return notApplicableDefault[kind]
	}
	return NotApplicableReview
}

// Level is a named set of requirements a verification is checked against.
type Level struct {
	Name              string                      `json:"name" yaml:"name"`
	Version           int                         `json:"version" yaml:"version"`
	RequiredDocuments []kyc.DocumentKind          `json:"required_documents" yaml:"required_documents"`
	MinAge            int                         `json:"min_age" yaml:"min_age"`
	Checks            map[kyc.CheckKind]CheckRule `json:"checks" yaml:"checks"`
	// FinalReasons are reason codes that reject for good; any other rejection
	// lets the user try again (reject_type retry).
	FinalReasons []string `json:"final_reasons" yaml:"final_reasons"`
	// MaxAttempts caps submissions of one verification after retry rejections.
	MaxAttempts int `json:"max_attempts" yaml:"max_attempts"`
	// FaceMatch overrides face.match's thresholds (cosine); nil: the defaults
	// 0.40 (match) and 0.25 (review).
	FaceMatch *FaceThresholds `json:"face_match,omitempty" yaml:"face_match,omitempty"`
	// RequireDocumentData sends to review (DOCUMENT_UNREADABLE) a
	// verification where no engine read the holder's name and birth date
	// from the document (DocumentDataChecks).
	RequireDocumentData bool `json:"require_document_data,omitempty" yaml:"require_document_data,omitempty"`
}

// FaceThresholds are face.match's thresholds: at least Match passes, at
// least Review asks for review, below fails.
type FaceThresholds struct {
	Match  float64 `json:"match" yaml:"match"`
	Review float64 `json:"review" yaml:"review"`
}

// KnownChecks are the check kinds a level may name (kyc.CheckKinds).
var KnownChecks = kyc.CheckKinds

// Default is the level every merchant has until it defines its own "basic".
func Default() Level {
	return Level{
		Name: "basic", Version: 1,
		RequiredDocuments: []kyc.DocumentKind{kyc.DocIDFront, kyc.DocSelfie},
		MinAge:            18,
		Checks: map[kyc.CheckKind]CheckRule{
			kyc.KindDocumentsRequired: {Enabled: true, Required: true},
			kyc.KindDocumentIntegrity: {Enabled: true, Required: true},
			kyc.KindAge:               {Enabled: true, Required: true},
			kyc.KindExpiry:            {Enabled: true}, // known only once MRZ reading exists
			// not_run when the applicant has no document number, e-mail or phone
			kyc.KindDuplicateIdentity: {Enabled: true, OnFail: OnFailReview},
			kyc.KindBlocklist:         {Enabled: true, Required: true},
			// not_run without tesseract/OCR-B or when the document has no MRZ
			kyc.KindMRZ: {Enabled: true, OnFail: OnFailReview},
			// not_run without zxing-cpp or when the document has no barcode
			kyc.KindBarcode: {Enabled: true, OnFail: OnFailReview},
			// not_run without tesseract or when the front's printed zone is not read
			kyc.KindVIZ: {Enabled: true, OnFail: OnFailReview},
			// the type and country read against those declared (the hosted page's choice)
			kyc.KindClassification: {Enabled: true, OnFail: OnFailReview},
			kyc.KindConsistency:    {Enabled: true, OnFail: OnFailReview},
			// hints ask for a reviewer, never reject; document.quality is
			// off by default (merchants whose users upload poor photos enable it)
			kyc.KindTamperHints: {Enabled: true, OnFail: OnFailReview},
			// not_run without ONNX Runtime and the models; a mismatch goes to a reviewer
			kyc.KindFaceMatch:     {Enabled: true, OnFail: OnFailReview},
			kyc.KindFaceDuplicate: {Enabled: true, OnFail: OnFailReview},
			// not_run unless the hosted page captured the head-turn challenge
			kyc.KindFaceLiveness: {Enabled: true, OnFail: OnFailReview},
			// not_run without lists (serve --lists-dir); a possible match goes to a
			// reviewer, who confirms (SANCTIONS_HIT, final) or dismisses it
			kyc.KindSanctions: {Enabled: true, OnFail: OnFailReview},
		},
		FinalReasons:        []string{kyc.ReasonBlocklisted, kyc.ReasonSanctionsHit, kyc.ReasonFraudSuspected},
		MaxAttempts:         5,
		RequireDocumentData: true,
	}
}

// Reliance is the built-in level of shared KYC (the KYC Sharing dialect): a
// partner that verified the user shares the documents and its own AML and IDV
// reports, which must be valid PDFs without active content.
func Reliance() Level {
	l := Default()
	l.Name = "reliance"
	l.RequiredDocuments = []kyc.DocumentKind{kyc.DocIDFront, kyc.DocSelfie, kyc.DocAMLReport, kyc.DocIDVReport}
	l.Checks = map[kyc.CheckKind]CheckRule{}
	for k, r := range Default().Checks {
		l.Checks[k] = r
	}
	l.Checks[kyc.KindRelianceReports] = CheckRule{Enabled: true, Required: true}
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
	kinds := make([]kyc.CheckKind, 0, len(l.Checks))
	for k := range l.Checks {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		r := l.Checks[k]
		if !slices.Contains(KnownChecks, k) {
			return kyc.Invalid("checks."+string(k), "enum", "unknown check %q; known: %v", k, KnownChecks)
		}
		if r.OnFail != "" && r.OnFail != OnFailReject && r.OnFail != OnFailReview {
			return kyc.Invalid("checks."+string(k)+".on_fail", "enum", "on_fail must be reject or review")
		}
		if r.OnNotApplicable != "" && r.OnNotApplicable != NotApplicablePass && r.OnNotApplicable != NotApplicableReview {
			return kyc.Invalid("checks."+string(k)+".on_not_applicable", "enum", "on_not_applicable must be pass or review")
		}
		if r.Required && r.AllowUnavailable {
			return kyc.Invalid("checks."+string(k)+".allow_unavailable", "conflict", "a required check cannot be allowed to be unavailable")
		}
		if r.Required && r.OnNotApplicable == NotApplicablePass {
			return kyc.Invalid("checks."+string(k)+".on_not_applicable", "conflict", "a required check cannot pass when not applicable")
		}
	}
	if l.RequireDocumentData && !slices.ContainsFunc(DocumentDataChecks, func(k kyc.CheckKind) bool { return l.Checks[k].Enabled }) &&
		!slices.ContainsFunc(TiedDocumentData, func(p [2]kyc.CheckKind) bool { return l.Checks[p[0]].Enabled && l.Checks[p[1]].Enabled }) {
		return kyc.Invalid("require_document_data", "conflict", "require_document_data needs one of %v enabled, or both of a pair of %v", DocumentDataChecks, TiedDocumentData)
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
func (l Level) Enabled() []kyc.CheckKind {
	var out []kyc.CheckKind
	for k, r := range l.Checks {
		if r.Enabled {
			out = append(out, k)
		}
	}
	slices.Sort(out)
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
	// ReviewReasons say why a person must look: reason codes
	// (CHECK_UNAVAILABLE, DOCUMENT_UNREADABLE, a check's review code) and
	// the checks concerned (kind.unavailable, kind.not_applicable, ...).
	ReviewReasons []string
	// Unchecked names the enabled checks the outcome rests on without their
	// having run: "kind: unavailable (allowed by the level)" or "kind: not
	// applicable".
	Unchecked []string
}

// ReviewCodes are the reason codes among the review reasons (A-Z, 0-9, _).
func (o Outcome) ReviewCodes() []string {
	out := []string{}
	for _, r := range o.ReviewReasons {
		if reasonRE.MatchString(r) {
			out = append(out, r)
		}
	}
	return out
}

// Decide turns the results of one run of checks into an outcome. It is pure.
// Rules, for the checks the level enables:
//   - a failed check rejects with its reason code (or asks for review when
//     its rule says on_fail: review); a review result asks for review;
//   - a check that could not run for want of its engine, assets or lists
//     (not_run unavailable, error, or a result stored before the
//     distinction) asks for review with CHECK_UNAVAILABLE, unless its rule
//     allows it to be unavailable;
//   - a check with nothing to examine (not_run not_applicable) follows its
//     rule's on_not_applicable;
//   - an enabled check without a result (a replay under a level that
//     enables more than ran) asks for review — with CHECK_UNAVAILABLE unless
//     it is required — unless its rule allows it to be unavailable;
//   - with require_document_data, a verification where none of
//     DocumentDataChecks ran, and no pair of TiedDocumentData passed, asks
//     for review with DOCUMENT_UNREADABLE.
//
// Anything else passes. A rejection wins over review; it is final when any
// reason is in FinalReasons, otherwise retry. An approval lists in Unchecked
// the checks it rests on without their having run.
func Decide(l Level, results []kyc.Check) Outcome {
	var reject, review, unchecked []string
	seen := map[kyc.CheckKind]bool{}
	dataRead := false
	passed := map[kyc.CheckKind]bool{}
	for _, r := range results {
		rule, ok := l.Checks[r.Kind]
		if !ok || !rule.Enabled {
			continue
		}
		seen[r.Kind] = true
		if slices.Contains(DocumentDataChecks, r.Kind) && (r.Status == kyc.CheckPassed || r.Status == kyc.CheckReview || r.Status == kyc.CheckFailed) {
			dataRead = true
		}
		passed[r.Kind] = r.Status == kyc.CheckPassed
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
			review = appendUnique(review, nonEmpty(r.ReasonCode, string(r.Kind)))
		case kyc.CheckNotRun, kyc.CheckError:
			switch {
			case r.Status == kyc.CheckNotRun && r.NotRunKind == kyc.NotRunNotApplicable:
				if rule.NotApplicableAction(r.Kind) == NotApplicableReview {
					review = appendUnique(review, string(r.Kind)+".not_applicable")
				} else {
					unchecked = append(unchecked, string(r.Kind)+": not applicable")
				}
			case rule.AllowUnavailable:
				unchecked = append(unchecked, string(r.Kind)+": unavailable (allowed by the level)")
			default:
				review = appendUnique(review, kyc.ReasonCheckUnavailable)
				if r.ReasonCode != "" && r.ReasonCode != kyc.ReasonCheckUnavailable {
					review = appendUnique(review, r.ReasonCode) // why (LISTS_STALE)
				}
				review = appendUnique(review, string(r.Kind)+".unavailable")
			}
		default:
			review = appendUnique(review, string(r.Kind)+".unknown_status")
		}
	}
	for _, k := range l.Enabled() { // no result: it did not run (a replay under another level)
		switch rule := l.Checks[k]; {
		case seen[k]:
		case rule.Required:
			review = appendUnique(review, string(k)+".missing")
		case rule.AllowUnavailable:
			unchecked = append(unchecked, string(k)+": no result (allowed by the level)")
		default:
			review = appendUnique(review, kyc.ReasonCheckUnavailable)
			review = appendUnique(review, string(k)+".missing")
		}
	}
	for _, p := range TiedDocumentData {
		if passed[p[0]] && passed[p[1]] {
			dataRead = true
		}
	}
	if l.RequireDocumentData && !dataRead {
		review = appendUnique(review, kyc.ReasonDocumentUnreadable)
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
	return Outcome{Decision: kyc.DecisionApproved, Unchecked: unchecked}
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
