package face

import (
	"context"
	"image"
	_ "image/jpeg" // photo decoders
	_ "image/png"
	"math"
	"sync"

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
)

// Checks opens the engine on first use and serves the face checks; without
// the runtime or the models they report not_run naming what is missing.
type Checks struct {
	Config Config

	once sync.Once
	e    *Engine
	err  error
}

func (c *Checks) engine() (*Engine, error) {
	c.once.Do(func() { c.e, c.err = Open(c.Config) })
	return c.e, c.err
}

// Checkers returns the face checks.
func (c *Checks) Checkers() []check.Checker { return []check.Checker{Match{c}} }

// Match is face.match: the face on the document against the selfie.
type Match struct{ c *Checks }

func (Match) Kind() string    { return "face.match" }
func (Match) Version() string { return "1" }

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

func decode(ctx context.Context, s *check.Subject, d kyc.Document) (image.Image, error) {
	rc, err := s.Env.OpenDocument(ctx, d)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	img, _, err := image.Decode(rc) // decoded under the pixel cap at upload
	return img, err
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
		return check.NotRun(err.Error())
	}
	doc, ok := newest(s, kyc.DocIDFront)
	selfie, ok2 := newest(s, kyc.DocSelfie, kyc.DocSelfieWithID)
	if !ok || !ok2 {
		return check.NotRun("needs an id_front and a selfie")
	}
	docImg, err := decode(ctx, s, doc)
	if err != nil {
		return check.Errored(err)
	}
	selfImg, err := decode(ctx, s, selfie)
	if err != nil {
		return check.Errored(err)
	}
	docFaces, docFace, err := e.largest(docImg, true)
	if err != nil {
		return check.Errored(err)
	}
	selfFaces, selfFace, err := e.largest(selfImg, selfie.Kind == kyc.DocSelfieWithID)
	if err != nil {
		return check.Errored(err)
	}
	ev := map[string]any{"document_faces": len(docFaces), "selfie_faces": len(selfFaces), "selfie_kind": selfie.Kind,
		"thresholds": map[string]float64{"match": MatchThreshold, "review": ReviewThreshold}}
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
	a, err := e.Embed(docImg, docFace)
	if err != nil {
		return check.Errored(err)
	}
	b, err := e.Embed(selfImg, selfFace)
	if err != nil {
		return check.Errored(err)
	}
	score := Cosine(a, b)
	ev["score"] = math.Round(score*1000) / 1000
	ev["document_box"] = [4]int{docFace.Box.Min.X, docFace.Box.Min.Y, docFace.Box.Max.X, docFace.Box.Max.Y}
	ev["selfie_box"] = [4]int{selfFace.Box.Min.X, selfFace.Box.Min.Y, selfFace.Box.Max.X, selfFace.Box.Max.Y}
	sc := math.Max(0, score)
	switch {
	case score >= MatchThreshold:
		return check.Result{Status: kyc.CheckPassed, Score: sc, Evidence: ev}
	case score >= ReviewThreshold:
		return check.Result{Status: kyc.CheckReview, Score: sc, ReasonCode: kyc.ReasonFaceMismatch, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckFailed, Score: sc, ReasonCode: kyc.ReasonFaceMismatch, Evidence: ev}
}

func withWhere(ev map[string]any, where string) map[string]any {
	ev["where"] = where
	return ev
}
