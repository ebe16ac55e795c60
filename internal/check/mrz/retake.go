package mrz

import (
	"context"
	"errors"
	"image"
	"slices"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Why a photo is worth taking again for its MRZ (the hosted page's upload
// feedback). Neither says anything of what was read.
const (
	// RetakeNotFound: no MRZ band was found on the photo.
	RetakeNotFound = "not_found"
	// RetakeUnreadable: a band was found but its text cannot be trusted: it
	// did not read as MRZ lines, a check digit does not hold, or Assess
	// doubts it for reasons a better photo cures (characters read with low
	// confidence, many repairs, characters added or cut off to fit, letters
	// too small to tell apart).
	RetakeUnreadable = "unreadable"
)

// retakeDoubts are the doubts of Assess that come from the capture rather
// than the document: a sharper, straighter photo clears them. The others
// (impossible dates, field rules, name fillers, an ambiguous document
// number) may be how the document is printed, and a retake would not help.
var retakeDoubts = []string{DoubtConfidence, DoubtRepairs, DoubtFitted, DoubtResolution}

// Retake reads img's MRZ and says whether the user should photograph the
// document again: "" when the MRZ reads well enough, else RetakeNotFound or
// RetakeUnreadable. The error is set when it cannot tell: the reader is
// unavailable (ErrUnavailable), ctx ended (its error), or OCR failed. The
// reading itself (personal data) is not returned.
func (r Reader) Retake(ctx context.Context, img image.Image) (string, error) {
	rd, err := r.Read(ctx, img)
	switch {
	case errors.Is(err, ErrUnavailable):
		return "", err
	case ctx.Err() != nil:
		return "", ctx.Err() // a cut-off read says nothing of the photo
	case err != nil:
		// Read's own words for a photo without a readable band; anything
		// else (tesseract failing) is the operator's problem.
		msg := err.Error()
		if strings.Contains(msg, "no machine readable zone") {
			return RetakeNotFound, nil
		}
		if strings.Contains(msg, "could not be read") {
			return RetakeUnreadable, nil
		}
		return "", err
	}
	a := Assess(rd, time.Time{})
	switch a.Status {
	case kyc.CheckFailed:
		return RetakeUnreadable, nil
	case kyc.CheckReview:
		for _, d := range a.Doubts {
			if slices.Contains(retakeDoubts, d) {
				return RetakeUnreadable, nil
			}
		}
	}
	return "", nil
}
