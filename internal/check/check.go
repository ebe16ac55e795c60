// Package check runs automated checks of a verification. A Checker examines
// a Subject and returns a Result; the runner runs the checks a level enables,
// turning a missing engine, a panic or an unknown status into not_run or
// error — never into a pass. Engines live in subpackages (basic: the checks
// that need no model; MRZ, face and screening plug into the same interface).
package check

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/openkyc/openkyc/internal/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

// Env is what checks may look up beyond the subject.
type Env interface {
	// OpenDocument returns the decrypted bytes of a document.
	OpenDocument(ctx context.Context, d kyc.Document) (io.ReadCloser, error)
	// DecodeImage decodes an image document within the process's decode
	// memory budget (docfile.Budget); the share stays taken until release.
	// copies counts the decoded-size buffers the caller holds at once.
	DecodeImage(ctx context.Context, d kyc.Document, copies int) (img image.Image, release func(), err error)
	// ApplicantsWithHash returns other applicants of the merchant whose keyed
	// hash of field (document_number, email, phone) equals hash.
	ApplicantsWithHash(ctx context.Context, merchantID, field, hash, excludeID string) ([]string, error)
	// Blocklisted reports whether the merchant's blocklist of kind holds value.
	Blocklisted(ctx context.Context, merchantID, kind, value string) (bool, error)
	// Seal encrypts evidence that holds personal data (the MRZ's text), bound
	// to the verification; evidence itself is stored in the clear.
	Seal(plaintext []byte, verificationID string) (string, error)
	// NearestFace returns the selfie of another applicant of the merchant
	// whose embedding is closest to v.
	NearestFace(ctx context.Context, merchantID, excludeApplicantID string, v []float32) (FaceHit, error)
	// ScreeningDismissals returns the screening hits reviewers dismissed for
	// the applicant, "list\x00entry_id" → the entry's hash when dismissed.
	ScreeningDismissals(ctx context.Context, merchantID, applicantID string) (map[string]string, error)
	// PutFaceEmbedding stores (encrypted) the embedding of a selfie.
	PutFaceEmbedding(ctx context.Context, d kyc.Document, v []float32) error
	// LivenessChallenge returns the head-turn prompts the hosted page asked
	// for and when its link was made (frames before it belong to an earlier
	// attempt); ok is false without a hosted capture.
	LivenessChallenge(ctx context.Context, merchantID, verificationID string) (prompts []string, since time.Time, ok bool, err error)
	// DocumentChoice returns the document type (passport, id_card,
	// driving_license, residence_permit) and issuing country (ISO alpha-2)
	// declared for the verification — chosen on the hosted page —; "" when
	// none was.
	DocumentChoice(ctx context.Context, merchantID, verificationID string) (docType, country string, err error)
}

// DecodeWith implements Env.DecodeImage on a decoder and an OpenDocument.
func DecodeWith(ctx context.Context, dec *docfile.Decoder, open func(context.Context, kyc.Document) (io.ReadCloser, error), d kyc.Document, copies int) (image.Image, func(), error) {
	img, _, release, err := dec.DecodeHeld(ctx, func() (io.ReadCloser, error) { return open(ctx, d) }, copies)
	if err != nil {
		return nil, nil, fmt.Errorf("document %s: %w", d.ID, err)
	}
	return img, release, nil
}

// FaceHit is the result of a duplicate-face search: the closest other
// applicant (Score is the cosine, -1 when nothing was compared) and how
// many stored faces were compared.
type FaceHit struct {
	ApplicantID string
	Score       float64
	Compared    int
}

// Subject is everything a check examines.
type Subject struct {
	Verification kyc.Verification
	Applicant    kyc.Applicant // with decrypted PII
	Documents    []kyc.Document
	Level        policy.Level
	Now          time.Time
	Env          Env

	memoMu sync.Mutex
	memo   map[string]any
}

// Newest returns the newest document of each of kinds the subject has
// (document ids grow with time).
func (s *Subject) Newest(kinds ...kyc.DocumentKind) map[kyc.DocumentKind]kyc.Document {
	newest := map[kyc.DocumentKind]kyc.Document{}
	for _, d := range s.Documents {
		if slices.Contains(kinds, d.Kind) {
			if cur, ok := newest[d.Kind]; !ok || d.ID > cur.ID {
				newest[d.Kind] = d
			}
		}
	}
	return newest
}

// Memo returns the value of key for this subject, computing it once: checks
// share work (the MRZ read once feeds document.mrz, data.consistency,
// data.age and data.expiry).
func (s *Subject) Memo(key string, compute func() any) any {
	s.memoMu.Lock()
	defer s.memoMu.Unlock()
	if v, ok := s.memo[key]; ok {
		return v
	}
	if s.memo == nil {
		s.memo = map[string]any{}
	}
	v := compute()
	s.memo[key] = v
	return v
}

// DocumentDates are dates read from the document itself (the MRZ), which
// win over declared data: YYYY-MM-DD, "" when unknown.
type DocumentDates struct {
	BirthDate, ExpiryDate string
	// BirthSource and ExpirySource name the source each date was read
	// from ("mrz", "barcode").
	BirthSource, ExpirySource string
	// Unavailable says why no engine could read the document (its assets
	// are missing); "" when one could.
	Unavailable string
}

// DatesFunc reads a subject's document dates, if an engine can.
type DatesFunc func(ctx context.Context, s *Subject) (DocumentDates, bool)

// Result is the outcome of one check.
type Result struct {
	Status     kyc.CheckStatus
	NotRunKind kyc.NotRunKind // with status not_run: unavailable or not_applicable
	Score      float64
	ReasonCode string
	// Evidence is stored as JSON: a map, or the check's evidence type (the
	// one its readers decode, check.DecodeEvidence). No document bytes;
	// PII only as needed to explain.
	Evidence any
}

// Checker is one kind of automated check.
type Checker interface {
	Kind() kyc.CheckKind
	Version() string
	Run(ctx context.Context, s *Subject) Result
}

// Unavailable is the result of a check that could not run for want of its
// engine, assets or lists (an operator's problem), with the reason. It
// carries CHECK_UNAVAILABLE: the level sends the verification to review
// unless it allows the check to be unavailable.
func Unavailable(reason string) Result {
	return Result{Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunUnavailable, ReasonCode: kyc.ReasonCheckUnavailable,
		Evidence: map[string]any{"reason": reason}}
}

// NotApplicable is the result of a check the input gives nothing to
// examine (no MRZ on the document, no hosted capture), with the reason.
func NotApplicable(reason string) Result {
	return Result{Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable, Evidence: map[string]any{"reason": reason}}
}

// Errored is the result of a check that failed to complete; the level
// treats it as unavailable (CHECK_UNAVAILABLE).
func Errored(err error) Result {
	return Result{Status: kyc.CheckError, ReasonCode: kyc.ReasonCheckUnavailable, Evidence: map[string]any{"error": err.Error()}}
}

// Run runs every check the subject's level enables and returns the results,
// ready to store. newID makes check ids.
func Run(ctx context.Context, checkers []Checker, s *Subject) []kyc.Check {
	byKind := map[kyc.CheckKind]Checker{}
	for _, c := range checkers {
		byKind[c.Kind()] = c
	}
	var out []kyc.Check
	for _, kind := range s.Level.Enabled() {
		c, ok := byKind[kind]
		version := ""
		var r Result
		if !ok {
			r = Unavailable("no engine for this check is installed")
		} else {
			version = c.Version()
			cctx, span := tracing.Start(ctx, "check "+string(kind), attribute.String("openkyc.check.kind", string(kind)))
			r = runOne(cctx, c, s)
			span.SetAttributes(attribute.String("openkyc.check.status", string(r.Status)), attribute.String("openkyc.check.reason_code", r.ReasonCode))
			if r.Status == kyc.CheckError {
				span.SetStatus(codes.Error, "check error")
			}
			span.End()
		}
		switch r.Status {
		case kyc.CheckPassed, kyc.CheckFailed, kyc.CheckReview, kyc.CheckError:
			r.NotRunKind = ""
		case kyc.CheckNotRun:
			if r.NotRunKind != kyc.NotRunNotApplicable {
				r.NotRunKind = kyc.NotRunUnavailable
				if r.ReasonCode == "" {
					r.ReasonCode = kyc.ReasonCheckUnavailable
				}
			}
		default:
			r = Errored(fmt.Errorf("check returned unknown status %q", r.Status))
		}
		ev, err := json.Marshal(r.Evidence)
		if err != nil || r.Evidence == nil {
			ev = []byte("{}")
		}
		out = append(out, kyc.Check{ID: kyc.NewID(kyc.PrefixCheck), MerchantID: s.Verification.MerchantID, VerificationID: s.Verification.ID,
			Kind: kind, Status: r.Status, NotRunKind: r.NotRunKind, Score: r.Score, ReasonCode: r.ReasonCode, Evidence: ev, EngineVersion: version,
			CreatedAt: s.Now})
	}
	return out
}

func runOne(ctx context.Context, c Checker, s *Subject) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Errored(fmt.Errorf("check panicked: %v", p))
		}
	}()
	if err := ctx.Err(); err != nil {
		return Errored(err)
	}
	return c.Run(ctx, s)
}
