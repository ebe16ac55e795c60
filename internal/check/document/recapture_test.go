package document_test

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// passportPhoto is a generated passport page photographed (blur, noise,
// light): colour, no periodic pattern across it.
func passportPhoto(t *testing.T) image.Image {
	lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "SGP", Surname: "TAN", GivenNames: "MEI LING", DocumentNumber: "K1234567A",
		Nationality: "SGP", BirthDate: "910304", Sex: "F", ExpiryDate: "310101"})
	require.NoError(t, err)
	return kyctest.Light(kyctest.Degrade(kyctest.SyntheticDocument(t, lines, 1400), 0.4, 5), 5)
}

// TestRecapture: a photo of the document passes; the same shown on a
// screen and photographed is a screen; a grey photocopy photographed under
// warm light is a grey copy; images too small for the spectrum are judged
// on colour alone.
func TestRecapture(t *testing.T) {
	t.Parallel()
	photo := passportPhoto(t)
	grey := image.NewGray(image.Rect(0, 0, 600, 400))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(100 + rnd.IntN(100))
	}
	tests := []struct {
		name  string
		img   image.Image
		hints []string
	}{
		{"a photo of the document", photo, nil},
		{"a photo of a screen", kyctest.ScreenPhoto(photo, 1), []string{"screen"}},
		{"a photo of a screen, downscaled", kyctest.Scale(kyctest.ScreenPhoto(photo, 2), 0.5), []string{"screen"}},
		{"a grey photocopy", kyctest.Photocopy(photo, 3), []string{"grey_copy"}},
		{"a grey image", grey, []string{"grey_copy"}},
		{"one pixel", image.NewRGBA(image.Rect(0, 0, 1, 1)), []string{"grey_copy"}},
		{"no pixels", image.NewRGBA(image.Rectangle{}), []string{"grey_copy"}},
		{"small and colourful", image.NewUniform(color.RGBA{200, 40, 40, 255}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img := tc.img
			if _, ok := img.(*image.Uniform); ok { // stands for a small colourful photo
				rgba := image.NewRGBA(image.Rect(0, 0, 100, 100))
				rnd := rand.New(rand.NewPCG(3, 4))
				for i := 0; i < len(rgba.Pix); i += 4 { // many colours
					rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3] = uint8(rnd.IntN(256)), uint8(rnd.IntN(256)), uint8(rnd.IntN(256)), 255
				}
				img = rgba
			}
			r := document.Recapture(img)
			require.Equal(t, tc.hints, r.Hints(), "%+v", r)
		})
	}
}

// TestRecaptureCheck: document.recapture asks for a reviewer on a screen
// photo, with what it measured, and passes a photo of the document.
func TestRecaptureCheck(t *testing.T) {
	t.Parallel()
	photo := passportPhoto(t)
	subject := func(front []byte) *check.Subject {
		return &check.Subject{Documents: []kyc.Document{{ID: "doc_1", Kind: kyc.DocIDFront, ContentType: "image/jpeg"}},
			Env: env{files: map[string][]byte{"doc_1": front}}}
	}
	r := document.RecaptureCheck{}.Run(context.Background(), subject(kyctest.JPEG(t, photo)))
	require.Equal(t, kyc.CheckPassed, r.Status, "%+v", r.Evidence)
	require.Greater(t, r.Score, 0.5)

	r = document.RecaptureCheck{}.Run(context.Background(), subject(kyctest.JPEG(t, kyctest.ScreenPhoto(photo, 4))))
	require.Equal(t, kyc.CheckReview, r.Status, "never a rejection")
	require.Equal(t, kyc.ReasonRecapture, r.ReasonCode)
	require.Less(t, r.Score, 0.5)
	b, err := json.Marshal(r.Evidence)
	require.NoError(t, err)
	var ev document.RecaptureEvidence
	require.NoError(t, json.Unmarshal(b, &ev))
	require.Equal(t, []string{"screen"}, ev.Documents["id_front"].Hints)
	require.Greater(t, ev.Documents["id_front"].Screen, document.ScreenThreshold)

	small := image.NewRGBA(image.Rect(0, 0, 200, 150))
	rnd := rand.New(rand.NewPCG(5, 6))
	for i := range small.Pix {
		small.Pix[i] = uint8(rnd.IntN(256))
	}
	r = document.RecaptureCheck{}.Run(context.Background(), subject(kyctest.JPEG(t, small)))
	require.Equal(t, kyc.CheckNotRun, r.Status, "too small for the screen test: not a pass")
	require.Equal(t, kyc.NotRunNotApplicable, r.NotRunKind)

	r = document.RecaptureCheck{}.Run(context.Background(), &check.Subject{})
	require.Equal(t, kyc.CheckNotRun, r.Status)
	require.Equal(t, kyc.NotRunNotApplicable, r.NotRunKind)
	r = document.RecaptureCheck{}.Run(context.Background(), subject([]byte("not an image")))
	require.Equal(t, kyc.CheckError, r.Status)
}
