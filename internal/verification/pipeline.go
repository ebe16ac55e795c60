package verification

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
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
	switch v.State {
	case kyc.StateSubmitted:
		if v, err = s.Apply(ctx, p, id, Event{Action: ActStart}); err != nil {
			return err
		}
	case kyc.StateProcessing:
	default:
		return nil
	}
	level, err := s.Level(ctx, merchantID, v.Level)
	if err != nil {
		return err
	}
	a, sealed, err := s.store.ApplicantByID(ctx, merchantID, v.ApplicantID)
	if err != nil {
		return err
	}
	if a, err = s.open(a, sealed); err != nil {
		return err
	}
	docs, err := s.store.DocumentsByApplicant(ctx, merchantID, v.ApplicantID)
	if err != nil {
		return err
	}
	subject := &check.Subject{Verification: v, Applicant: a, Documents: docs, Level: level, Now: s.clock(), Env: checkEnv{s}}
	results := check.Run(ctx, s.checkers, subject)
	out := policy.Decide(level, results)
	ev := Event{Action: ActReview, Checks: results, LevelVersion: level.Version}
	if !out.Review {
		ev = Event{Action: ActDecide, Decision: out.Decision, RejectType: out.RejectType, Reasons: out.Reasons, UserMessage: out.UserMessage,
			DecidedBy: fmt.Sprintf("policy:%s@%d", level.Name, level.Version), Checks: results, LevelVersion: level.Version}
	}
	_, err = s.Apply(ctx, p, id, ev)
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

func faceAAD(documentID string) []byte { return []byte("face:" + documentID) }

// PutFaceEmbedding seals a selfie's embedding (float32, little endian),
// bound to its document, and stores it.
func (e checkEnv) PutFaceEmbedding(ctx context.Context, d kyc.Document, v []float32) error {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	sealed, err := e.s.keys.Seal(b, faceAAD(d.ID))
	if err != nil {
		return err
	}
	return e.s.store.PutFaceEmbedding(ctx, store.FaceEmbedding{DocumentID: d.ID, MerchantID: d.MerchantID, ApplicantID: d.ApplicantID,
		Sealed: sealed, CreatedAt: e.s.clock()})
}

// FaceEmbeddings opens the merchant's other applicants' embeddings one by one.
func (e checkEnv) FaceEmbeddings(ctx context.Context, merchantID, excludeApplicantID string, fn func(string, []float32) error) error {
	return e.s.store.FaceEmbeddings(ctx, merchantID, excludeApplicantID, func(fe store.FaceEmbedding) error {
		b, err := e.s.keys.Open(fe.Sealed, faceAAD(fe.DocumentID))
		if err != nil {
			return err
		}
		v := make([]float32, len(b)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return fn(fe.ApplicantID, v)
	})
}

func (e checkEnv) Blocklisted(ctx context.Context, merchantID, kind, value string) (bool, error) {
	return e.s.Blocklisted(ctx, merchantID, kind, value)
}

func (e checkEnv) ApplicantsWithHash(ctx context.Context, merchantID, field, hash, excludeID string) ([]string, error) {
	col := map[string]string{"document_number": store.HashDocNumber, "email": store.HashEmail, "phone": store.HashPhone}[field]
	if col == "" {
		return nil, fmt.Errorf("unknown duplicate field %q", field)
	}
	return e.s.store.ApplicantIDsByHash(ctx, merchantID, col, hash, excludeID)
}
