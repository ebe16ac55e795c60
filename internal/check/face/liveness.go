package face

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Liveness thresholds (degrees): a "center" frame looks at the camera; a
// turn moves the head at least this far on its axis, more than on the other.
const (
	CenterMax  = 20.0
	MinYawTurn = 15.0
	MinPitch   = 10.0
	// SameFace is the cosine every frame must reach against the first.
	SameFace = 0.4
)

// ValidateSequence checks that the head poses of the frames follow the
// prompts in order: the first frame ("center") faces the camera, each turn
// moves the head from it on the prompted axis (yaw for left/right, pitch for
// up/down), and opposite prompts move it in opposite directions. The sign
// of a direction is taken from the frames themselves (cameras may mirror),
// so a left turn is any yaw turn whose sign differs from the right turns'.
// It returns "" when the sequence holds, else what failed.
func ValidateSequence(prompts []string, poses []Pose) string {
	if len(prompts) == 0 || len(poses) != len(prompts) {
		return fmt.Sprintf("expected %d frames, got %d", len(prompts), len(poses))
	}
	c := poses[0]
	if prompts[0] != "center" || math.Abs(c.Yaw) > CenterMax || math.Abs(c.Pitch) > CenterMax {
		return "the first frame does not face the camera"
	}
	signs := map[string]float64{}
	for i := 1; i < len(prompts); i++ {
		dy, dp := poses[i].Yaw-c.Yaw, poses[i].Pitch-c.Pitch
		var d float64
		switch prompts[i] {
		case "left", "right":
			if math.Abs(dy) < MinYawTurn || math.Abs(dy) <= math.Abs(dp) {
				return fmt.Sprintf("frame %d: the head did not turn %s", i+1, prompts[i])
			}
			d = dy
		case "up", "down":
			if math.Abs(dp) < MinPitch || math.Abs(dp) <= math.Abs(dy) {
				return fmt.Sprintf("frame %d: the head did not tilt %s", i+1, prompts[i])
			}
			d = dp
		default:
			return fmt.Sprintf("unknown prompt %q", prompts[i])
		}
		sign := math.Copysign(1, d)
		if s, ok := signs[prompts[i]]; ok && s != sign {
			return fmt.Sprintf("frame %d: turned the other way than the earlier %s turn", i+1, prompts[i])
		}
		signs[prompts[i]] = sign
		opposite := map[string]string{"left": "right", "right": "left", "up": "down", "down": "up"}[prompts[i]]
		if s, ok := signs[opposite]; ok && s == sign {
			return fmt.Sprintf("frame %d: %s and %s turned the same way", i+1, prompts[i], opposite)
		}
	}
	return ""
}

// Liveness is face.liveness: the hosted page's active challenge. The frames
// taken under the prompts show the same face (one identity) and the head
// moves as prompted, in order. Without a hosted capture it does not run.
// Each frame's passive fr_liveness score is kept in the evidence as an
// advisory signal; it never fails the check.
type Liveness struct{ c *Checks }

func (Liveness) Kind() kyc.CheckKind { return kyc.KindFaceLiveness }
func (Liveness) Version() string     { return "1" }

func (l Liveness) Run(ctx context.Context, s *check.Subject) check.Result {
	e, err := l.c.engine()
	if err != nil {
		return check.Unavailable(err.Error())
	}
	prompts, since, ok, err := s.Env.LivenessChallenge(ctx, s.Verification.MerchantID, s.Verification.ID)
	if err != nil {
		return check.Errored(err)
	}
	if !ok {
		return check.NotApplicable("no active liveness capture (the hosted page records one)")
	}
	var frames []kyc.Document
	for _, d := range s.Documents {
		if d.Kind == kyc.DocLivenessFrame && !d.CreatedAt.Before(since) {
			frames = append(frames, d)
		}
	}
	sort.Slice(frames, func(i, j int) bool { return frames[i].ID < frames[j].ID })
	if len(frames) > len(prompts) { // retakes: the last full sequence counts
		frames = frames[len(frames)-len(prompts):]
	}
	ev := map[string]any{"prompts": prompts, "frames": len(frames)}
	fail := func(why string) check.Result {
		ev["problem"] = why
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonLivenessFailed, Evidence: ev}
	}
	if len(frames) < len(prompts) {
		return fail(fmt.Sprintf("%d of %d frames were captured", len(frames), len(prompts)))
	}
	var poses []Pose
	var passive []float64 // advisory, per frame
	var first []float32
	minSame := 1.0
	for i, d := range frames {
		fr, why, err := e.frame(ctx, s, d, i)
		switch {
		case err != nil:
			return check.Errored(err)
		case why != "":
			return fail(why)
		}
		poses = append(poses, fr.pose)
		if fr.passive >= 0 {
			passive = append(passive, math.Round(fr.passive*1000)/1000)
		}
		if first == nil {
			first = fr.emb
		} else {
			minSame = math.Min(minSame, Cosine(first, fr.emb))
		}
	}
	ev["poses"] = poses
	if passive != nil { // fr_liveness per frame: an advisory signal for reviewers only
		ev["passive_liveness"] = passive
	}
	ev["min_same_face"] = math.Round(minSame*1000) / 1000
	if minSame < SameFace {
		return fail("the frames do not show one person")
	}
	if why := ValidateSequence(prompts, poses); why != "" {
		return fail(why)
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}

// frameReading is what one liveness frame shows.
type frameReading struct {
	pose    Pose
	passive float64 // -1 without the passive model
	emb     []float32
}

// frame decodes frame i (within the decode budget, released on return) and
// reads its one face; why says what is wrong with the frame.
func (e *Engine) frame(ctx context.Context, s *check.Subject, d kyc.Document, i int) (fr frameReading, why string, err error) {
	img, release, err := decode(ctx, s, d)
	if err != nil {
		return fr, "", err
	}
	defer release()
	faces, f, err := e.largest(img, false)
	if err != nil {
		return fr, "", err
	}
	if len(faces) != 1 {
		return fr, fmt.Sprintf("frame %d shows %d faces", i+1, len(faces)), nil
	}
	if fr.pose, err = e.Pose(img, f); err != nil {
		return fr, "", err
	}
	fr.passive = -1
	if e.live != nil {
		if fr.passive, err = e.Passive(img, f); err != nil {
			return fr, "", err
		}
	}
	fr.emb, err = e.Embed(img, f)
	return fr, "", err
}
