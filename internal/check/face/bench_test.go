package face_test

import "testing"

// BenchmarkDetectEmbed measures one face's detection, landmarks, alignment
// and embedding on a 512×512 photo, one goroutine (one core per session).
func BenchmarkDetectEmbed(b *testing.B) {
	e, dir := engine(b)
	img := astronaut(b, dir)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		faces, err := e.Detect(img)
		if err != nil || len(faces) != 1 {
			b.Fatal(err, len(faces))
		}
		if _, err := e.Embed(img, faces[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPose measures the head-pose estimate of one face.
func BenchmarkPose(b *testing.B) {
	e, dir := engine(b)
	img := astronaut(b, dir)
	faces, err := e.Detect(img)
	if err != nil || len(faces) != 1 {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Pose(img, faces[0]); err != nil {
			b.Fatal(err)
		}
	}
}
