package face_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func TestValidateSequence(t *testing.T) {
	t.Parallel()
	p := func(yaw, pitch float64) face.Pose { return face.Pose{Yaw: yaw, Pitch: pitch} }
	tests := []struct {
		name    string
		prompts []string
		poses   []face.Pose
		ok      bool
	}{
		{"left then right", []string{"center", "left", "right"}, []face.Pose{p(2, 1), p(-30, 3), p(28, -2)}, true},
		{"mirrored camera", []string{"center", "left", "right"}, []face.Pose{p(2, 1), p(30, 3), p(-28, -2)}, true},
		{"up and down", []string{"center", "up", "down", "left"}, []face.Pose{p(0, 0), p(3, 18), p(-2, -15), p(25, 1)}, true},
		{"a still photo", []string{"center", "left", "right"}, []face.Pose{p(2, 1), p(3, 1), p(1, 2)}, false},
		{"same way twice", []string{"center", "left", "right"}, []face.Pose{p(0, 0), p(-30, 0), p(-25, 0)}, false},
		{"pitch instead of yaw", []string{"center", "left"}, []face.Pose{p(0, 0), p(5, 25)}, false},
		{"first frame turned", []string{"center", "left"}, []face.Pose{p(40, 0), p(0, 0)}, false},
		{"a frame missing", []string{"center", "left", "right"}, []face.Pose{p(0, 0), p(-30, 0)}, false},
		{"left twice, consistent", []string{"center", "left", "up", "left"}, []face.Pose{p(0, 0), p(-30, 0), p(0, 15), p(-22, 2)}, true},
		{"left twice, inconsistent", []string{"center", "left", "up", "left"}, []face.Pose{p(0, 0), p(-30, 0), p(0, 15), p(22, 2)}, false},
	}
	for _, tc := range tests {
		why := face.ValidateSequence(tc.prompts, tc.poses)
		require.Equal(t, tc.ok, why == "", "%s: %s", tc.name, why)
	}
}

// TestLivenessStillPhoto: the same frontal photo under every prompt (a
// photo held to the camera) fails; the pose of a frontal face is near 0.
func TestLivenessStillPhoto(t *testing.T) {
	t.Parallel()
	e, dir := engine(t)
	ref := astronaut(t, dir)
	faces, err := e.Detect(ref)
	require.NoError(t, err)
	pose, err := e.Pose(ref, faces[0])
	require.NoError(t, err)
	require.Less(t, pose.Yaw*pose.Yaw+pose.Pitch*pose.Pitch, 25.0*25.0, "%+v", pose)

	photo := kyctest.JPEG(t, ref)
	checks := &face.Checks{Config: face.Config{RuntimeLib: dir + "/onnxruntime/libonnxruntime.so.1", ModelsDir: dir + "/models"}}
	live := checks.Checkers()[2]
	require.Equal(t, kyc.KindFaceLiveness, live.Kind())
	s := &check.Subject{Documents: []kyc.Document{
		{ID: "doc_1", Kind: kyc.DocLivenessFrame, ContentType: "image/jpeg"},
		{ID: "doc_2", Kind: kyc.DocLivenessFrame, ContentType: "image/jpeg"},
		{ID: "doc_3", Kind: kyc.DocLivenessFrame, ContentType: "image/jpeg"}},
		Env: env{files: map[string][]byte{"doc_1": photo, "doc_2": photo, "doc_3": photo}, challenge: []string{"center", "left", "right"}}}
	r := live.Run(context.Background(), s)
	require.Equal(t, kyc.CheckFailed, r.Status, "%v", r.Evidence)
	require.Equal(t, kyc.ReasonLivenessFailed, r.ReasonCode)
	require.Contains(t, r.Evidence.(map[string]any)["problem"], "did not turn")

	// Without a hosted capture the check does not run.
	s.Env = env{files: map[string][]byte{}}
	require.Equal(t, kyc.CheckNotRun, live.Run(context.Background(), s).Status)
}
