package face

import (
	"bytes"
	"context"
	"image"
	"image/jpeg" // photo decoder, and the crops' encoder
	_ "image/png"
	"math"
	"sync"
	"sync/atomic"

	"github.com/openkyc/openkyc/internal/tracing"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Default thresholds of face.match (cosine of the embeddings).
const (
	MatchThreshold  = 0.40
	ReviewThreshold = 0.25
	MinFaceSide     = 40 // pixels of the face box on the photo
)

// Reasons of face results.
const (
	ReasonNoFace       = "FACE_NOT_FOUND"
	ReasonSeveralFaces = "SEVERAL_FACES"
	ReasonFaceTooSmall = "FACE_TOO_SMALL"
	ReasonFacePose     = "FACE_POSE"        // the selfie's head is turned too far
	ReasonEyesClosed   = "FACE_EYES_CLOSED" // both eyes of the selfie look closed
)

// Selfie limits: head pose (degrees) and eye openness (probability).
const (
	MaxSelfieYaw   = 35.0
	MaxSelfiePitch = 30.0
	MinEyeOpen     = 0.2
)

// Checks opens the engine on first use and serves the face checks; without
// the runtime or the models they report not_run naming what is missing.
type Checks struct {
	Config Config

	once   sync.Once
	opened atomic.Bool // once has run: e and err are set
	e      *Engine
	err    error
}

func (c *Checks) engine() (*Engine, error) {
	c.once.Do(func() { c.e, c.err = Open(c.Config); c.opened.Store(true) })
	return c.e, c.err
}

// Err says why the engine cannot run: the error it failed to open with
// once opened, else what is missing of its files (nil: nothing known).
func (c *Checks) Err() error {
	if c.opened.Load() {
		return c.err
	}
	return c.Config.Available()
}

// Checkers returns the face checks.
func (c *Checks) Checkers() []check.Checker {
	return []check.Checker{Match{c}, Duplicate{c}, Liveness{c}}
}

// DuplicateThreshold is the cosine from which two selfies are taken for the
// same person (above the match threshold: a duplicate hit must be strong).
const DuplicateThreshold = 0.5

// selfieFace is the memoised selfie analysis of a subject.
type selfieFace struct {
	doc   kyc.Document
	crop  image.Image // the aligned face, for the evidence
	faces []Face
	face  Face
	emb   []float32
	pose  Pose
	eyes  [2]float64
	live  float64 // passive liveness, -1 when the model is absent
	err   error
}

// selfie reads the newest selfie, detects its faces and embeds the largest,
// once per subject (face.match and face.duplicate share it). Only the
// aligned crop of the face is kept: the pixels go back to the decode budget
// when this returns.
func (c *Checks) selfie(ctx context.Context, s *check.Subject, e *Engine) selfieFace {
	return s.Memo("face:selfie", func() any {
		var sf selfieFace
		d, ok := newest(s, kyc.DocSelfie, kyc.DocSelfieWithID)
		if !ok {
			return sf
		}
		sf.doc = d
		img, release, err := decode(ctx, s, d)
		if err != nil {
			sf.err = err
			return sf
		}
		defer release()
		_, sp := tracing.Start(ctx, "face.selfie") // detect, embed, pose, eyes, liveness
		sf.measure(e, img, d.Kind == kyc.DocSelfieWithID)
		tracing.End(sp, sf.err)
		if sf.err == nil && len(sf.faces) > 0 {
			sf.crop, sf.err = Align(img, sf.face)
		}
		return sf
	}).(selfieFace)
}

func (sf *selfieFace) measure(e *Engine, img image.Image, withID bool) {
	if sf.faces, sf.face, sf.err = e.largest(img, withID); sf.err != nil || len(sf.faces) == 0 {
		return
	}
	if sf.emb, sf.err = e.Embed(img, sf.face); sf.err != nil {
		return
	}
	if sf.pose, sf.err = e.Pose(img, sf.face); sf.err != nil {
		return
	}
	sf.eyes, sf.live = [2]float64{1, 1}, -1
	if e.eye != nil {
		if sf.eyes, sf.err = e.EyesOpen(img, sf.face); sf.err != nil {
			return
		}
	}
	if e.live != nil {
		sf.live, sf.err = e.Passive(img, sf.face)
	}
}

// Duplicate is face.duplicate: the selfie's face against every other
// applicant of the merchant (embeddings stored encrypted); a hit names the
// other applicant. The selfie's embedding is stored for later searches.
// The search is brute force over an in-memory gallery (see
// verification.faceGallery and docs/face.md for the plan beyond 100k).
type Duplicate struct{ c *Checks }

func (Duplicate) Kind() kyc.CheckKind { return kyc.KindFaceDuplicate }
func (Duplicate) Version() string     { return "1" }

func (m Duplicate) Run(ctx context.Context, s *check.Subject) check.Result {
	e, err := m.c.engine()
	if err != nil {
		return check.Unavailable(err.Error())
	}
	sf := m.c.selfie(ctx, s, e)
	switch {
	case sf.err != nil:
		return check.Errored(sf.err)
	case sf.doc.ID == "":
		return check.NotApplicable("no selfie")
	case sf.emb == nil:
		return check.NotApplicable("no face on the selfie (face.match reports it)")
	}
	hit, err := s.Env.NearestFace(ctx, s.Applicant.MerchantID, s.Applicant.ID, sf.emb)
	if err != nil {
		return check.Errored(err)
	}
	best, bestID, compared := hit.Score, hit.ApplicantID, hit.Compared
	if err := s.Env.PutFaceEmbedding(ctx, sf.doc, sf.emb); err != nil {
		return check.Errored(err)
	}
	ev := DuplicateEvidence{Compared: compared, Threshold: DuplicateThreshold}
	if compared > 0 {
		sc := math.Round(best*1000) / 1000
		ev.BestScore = &sc
	}
	if best >= DuplicateThreshold {
		ev.ApplicantID = bestID
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDuplicate, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// Match is face.match: the face on the document against the selfie. Its
// evidence holds the score, the boxes, the selfie's pose, eyes and passive
// liveness, and both aligned 112×112 crops as sealed JPEGs
// (document_crop, selfie_crop; Service.OpenEvidence opens them).
type Match struct{ c *Checks }

func (Match) Kind() kyc.CheckKind { return kyc.KindFaceMatch }
func (Match) Version() string     { return "1" }

func newest(s *check.Subject, kinds ...kyc.DocumentKind) (kyc.Document, bool) {
	var best kyc.Document
	found := false
	for _, k := range kinds {
		for _, d := range s.Documents {
			if d.Kind == k && d.ContentType != "application/pdf" && (!found || d.ID > best.ID) {
				best, found = d, true
			}
		}
		if found {
			return best, true
		}
	}
	return best, false
}

// decode decodes a photo within the process's decode budget; release
// gives the share back once the pixels are no longer needed.
func decode(ctx context.Context, s *check.Subject, d kyc.Document) (image.Image, func(), error) {
	return s.Env.DecodeImage(ctx, d, 1)
}

// largest returns the largest face; on a document whose portrait is small
// it looks again in the left half (where portraits are printed).
func (e *Engine) largest(img image.Image, portrait bool) ([]Face, Face, error) {
	faces, err := e.Detect(img)
	if err != nil {
		return nil, Face{}, err
	}
	if len(faces) == 0 && portrait {
		b := img.Bounds()
		if sub, ok := img.(interface {
			SubImage(image.Rectangle) image.Image
		}); ok {
			if faces, err = e.Detect(sub.SubImage(image.Rect(b.Min.X, b.Min.Y, b.Min.X+b.Dx()/2, b.Max.Y))); err != nil {
				return nil, Face{}, err
			}
		}
	}
	if len(faces) == 0 {
		return nil, Face{}, nil
	}
	best := faces[0]
	for _, f := range faces[1:] {
		if f.Box.Dx()*f.Box.Dy() > best.Box.Dx()*best.Box.Dy() {
			best = f
		}
	}
	return faces, best, nil
}

func (m Match) Run(ctx context.Context, s *check.Subject) check.Result {
	e, err := m.c.engine()
	if err != nil {
		return check.Unavailable(err.Error())
	}
	doc, ok := newest(s, kyc.DocIDFront)
	sf := m.c.selfie(ctx, s, e)
	if !ok || sf.doc.ID == "" {
		return check.NotApplicable("needs an id_front and a selfie")
	}
	if sf.err != nil {
		return check.Errored(sf.err)
	}
	selfie, selfFaces, selfFace := sf.doc, sf.faces, sf.face
	docImg, release, err := decode(ctx, s, doc)
	if err != nil {
		return check.Errored(err)
	}
	defer release()
	_, sp := tracing.Start(ctx, "face.detect")
	docFaces, docFace, err := e.largest(docImg, true)
	tracing.End(sp, err)
	if err != nil {
		return check.Errored(err)
	}
	match, review := MatchThreshold, ReviewThreshold
	if f := s.Level.FaceMatch; f != nil {
		match, review = f.Match, f.Review
	}
	ev := map[string]any{"document_faces": len(docFaces), "selfie_faces": len(selfFaces), "selfie_kind": selfie.Kind,
		"thresholds": map[string]float64{"match": match, "review": review}}
	switch {
	case len(docFaces) == 0:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: ReasonNoFace, Evidence: withWhere(ev, "document")}
	case len(selfFaces) == 0:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: ReasonNoFace, Evidence: withWhere(ev, "selfie")}
	case selfie.Kind == kyc.DocSelfie && len(selfFaces) > 1:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: ReasonSeveralFaces, Evidence: withWhere(ev, "selfie")}
	case min(selfFace.Box.Dx(), selfFace.Box.Dy()) < MinFaceSide:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: ReasonFaceTooSmall, Evidence: withWhere(ev, "selfie")}
	}
	ev["selfie_pose"] = sf.pose
	// the detector's confidence in the selfie's face: low for blur,
	// occlusion, odd light (PayCools faceQuality)
	ev["selfie_quality"] = math.Round(selfFace.Score*1000) / 1000
	ev["selfie_eyes_open"] = [2]float64{math.Round(sf.eyes[0]*100) / 100, math.Round(sf.eyes[1]*100) / 100}
	if sf.live >= 0 { // advisory: shown to reviewers, never decided on
		ev["selfie_passive_liveness"] = math.Round(sf.live*1000) / 1000
	}
	switch {
	case math.Abs(sf.pose.Yaw) > MaxSelfieYaw || math.Abs(sf.pose.Pitch) > MaxSelfiePitch:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: ReasonFacePose, Evidence: withWhere(ev, "selfie")}
	case sf.eyes[0] < MinEyeOpen && sf.eyes[1] < MinEyeOpen:
		return check.Result{Status: kyc.CheckFailed, ReasonCode: ReasonEyesClosed, Evidence: withWhere(ev, "selfie")}
	}
	_, sp = tracing.Start(ctx, "face.embed")
	a, err := e.Embed(docImg, docFace)
	tracing.End(sp, err)
	if err != nil {
		return check.Errored(err)
	}
	// both aligned 112×112 crops, JPEG, sealed: biometric evidence for reviewers
	docCrop, err := Align(docImg, docFace)
	if err != nil {
		return check.Errored(err)
	}
	for key, crop := range map[string]image.Image{"document_crop": docCrop, "selfie_crop": sf.crop} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, crop, &jpeg.Options{Quality: 90}); err != nil {
			return check.Errored(err)
		}
		if ev[key], err = s.Env.Seal(buf.Bytes(), s.Verification.ID); err != nil {
			return check.Errored(err)
		}
	}
	score := Cosine(a, sf.emb)
	ev["score"] = math.Round(score*1000) / 1000
	ev["document_box"] = [4]int{docFace.Box.Min.X, docFace.Box.Min.Y, docFace.Box.Max.X, docFace.Box.Max.Y}
	ev["selfie_box"] = [4]int{selfFace.Box.Min.X, selfFace.Box.Min.Y, selfFace.Box.Max.X, selfFace.Box.Max.Y}
	sc := math.Max(0, score)
	switch {
	case score >= match:
		return check.Result{Status: kyc.CheckPassed, Score: sc, Evidence: ev}
	case score >= review:
		return check.Result{Status: kyc.CheckReview, Score: sc, ReasonCode: kyc.ReasonFaceMismatch, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckFailed, Score: sc, ReasonCode: kyc.ReasonFaceMismatch, Evidence: ev}
}

func withWhere(ev map[string]any, where string) map[string]any {
	ev["where"] = where
	return ev
}
