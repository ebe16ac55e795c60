package verification

import (
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"io"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/store"
)

// SystemActor is the audit actor of automated changes.
const SystemActor = "system:pipeline"

// Process runs a submitted verification's checks and applies its level's
// policy: the verification ends completed (approved or rejected) or in review.
// It is idempotent: a verification that is no longer submitted or processing
// is left alone, and one interrupted while processing is processed again.
func (s *Service) Process(ctx context.Context, merchantID, id string) error {
	p := kyc.Principal{MerchantID: merchantID, Actor: SystemActor}
	v, err := s.store.VerificationByID(ctx, merchantID, id)
	if err != nil {
		return err
	}
	since := v.UpdatedAt // the submission (or, for a run taken over, the start of processing)
	switch v.State {
	case kyc.StateSubmitted:
		if v, err = s.Apply(ctx, p, id, Event{Action: ActStart}); err != nil {
			return err
		}
	case kyc.StateProcessing:
	default:
		return nil
	}
	level, err := s.levels.Get(ctx, merchantID, v.Level)
	if err != nil {
		return err
	}
	a, sealed, err := s.store.ApplicantByID(ctx, merchantID, v.ApplicantID)
	if err != nil {
		return err
	}
	if a, err = s.sealer.Open(a, sealed); err != nil {
		return err
	}
	docs, err := s.store.DocumentsByApplicant(ctx, merchantID, v.ApplicantID)
	if err != nil {
		return err
	}
	subject := &check.Subject{Verification: v, Applicant: a, Documents: docs, Level: level, Now: s.clock(), Env: checkEnv{s}}
	results := check.Run(ctx, s.checkers, subject)
	out := policy.Decide(level, results)
	ev := Event{Action: ActReview, Reasons: out.ReviewCodes(), ReviewDetail: out.ReviewReasons, Checks: results, LevelVersion: level.Version}
	if !out.Review {
		ev = Event{Action: ActDecide, Decision: out.Decision, RejectType: out.RejectType, Reasons: out.Reasons, UserMessage: out.UserMessage,
			DecidedBy: fmt.Sprintf("policy:%s@%d", level.Name, level.Version), Checks: results, LevelVersion: level.Version, Unchecked: out.Unchecked}
	}
	_, err = s.Apply(ctx, p, id, ev)
	if err == nil {
		s.metrics.decisionTime(level.Name, s.clock().Sub(since))
	}
	if kyc.IsConflict(err) {
		// Someone else moved it meanwhile (a reviewer, a cancellation, another
		// worker after a lease ran out): their change stands.
		return nil
	}
	return err
}

// checkEnv is what the checks may look up.
type checkEnv struct{ s *Service }

func (e checkEnv) OpenDocument(ctx context.Context, d kyc.Document) (io.ReadCloser, error) {
	return e.s.blobs.Open(ctx, d.BlobKey)
}

// DecodeImage decodes an image document within the decode budget.
func (e checkEnv) DecodeImage(ctx context.Context, d kyc.Document, copies int) (image.Image, func(), error) {
	return check.DecodeWith(ctx, e.s.checkDec, e.OpenDocument, d, copies)
}

// Seal encrypts personal data of check evidence, bound to the verification
// (base64 of the keyring's sealed form).
func (e checkEnv) Seal(plaintext []byte, verificationID string) (string, error) {
	b, err := e.s.keys.Seal(plaintext, []byte("evidence:"+verificationID))
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// OpenEvidence decrypts what checkEnv.Seal sealed (reviewers, dialects).
func (s *Service) OpenEvidence(sealed, verificationID string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, err
	}
	return s.keys.Open(b, []byte("evidence:"+verificationID))
}

// LivenessChallenge reads the challenge of the link the user submitted through.
func (e checkEnv) LivenessChallenge(ctx context.Context, merchantID, verificationID string) ([]string, time.Time, bool, error) {
	l, err := e.s.store.LatestHostedLink(ctx, merchantID, verificationID)
	if kyc.IsNotFound(err) {
		return nil, time.Time{}, false, nil
	}
	if err != nil || l.Challenge == "" {
		return nil, time.Time{}, false, err
	}
	return strings.Split(l.Challenge, ","), l.CreatedAt, true, nil
}

// DocumentChoice reads the document chosen on the newest hosted link,
// once the user submitted through it (none otherwise).
func (e checkEnv) DocumentChoice(ctx context.Context, merchantID, verificationID string) (string, string, error) {
	l, err := e.s.store.LatestHostedLink(ctx, merchantID, verificationID)
	if kyc.IsNotFound(err) {
		return "", "", nil
	}
	if err != nil || l.SubmittedAt == nil {
		return "", "", err
	}
	return l.DocType, l.DocCountry, nil
}

func (e checkEnv) ScreeningDismissals(ctx context.Context, merchantID, applicantID string) (map[string]string, error) {
	return e.s.store.Dismissals(ctx, merchantID, applicantID)
}

func (e checkEnv) Blocklisted(ctx context.Context, merchantID, kind, value string) (bool, error) {
	return e.s.applicants.Blocklist().Has(ctx, merchantID, kind, value)
}

func (e checkEnv) ApplicantsWithHash(ctx context.Context, merchantID, field, hash, excludeID string) ([]string, error) {
	col := map[string]string{"document_number": store.HashDocNumber, "email": store.HashEmail, "phone": store.HashPhone}[field]
	if col == "" {
		return nil, fmt.Errorf("unknown duplicate field %q", field)
	}
	return e.s.store.ApplicantIDsByHash(ctx, merchantID, col, hash, excludeID)
}
