package mrz_test

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestRetake: the upload feedback of the hosted page says "not found" for a
// card without an MRZ, "unreadable" for an MRZ whose check digit does not
// hold, nothing for a good one, and cannot tell without the reader or once
// its context has ended.
func TestRetake(t *testing.T) {
	t.Parallel()
	r := reader(t)
	ctx := context.Background()
	lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "SGP", Surname: "TAN", GivenNames: "MEI LING", DocumentNumber: "K1234567A",
		Nationality: "SGP", BirthDate: "910304", Sex: "F", ExpiryDate: "310101"})
	require.NoError(t, err)
	bad := append([]string(nil), lines...)
	bad[1] = bad[1][:19] + "5" + bad[1][20:] // the birth date's check digit (4) off by one

	for _, tc := range []struct {
		name string
		img  func() image.Image
		want string
	}{
		{"no text", func() image.Image { return kyctest.SyntheticFace(1200, 760) }, mrz.RetakeNotFound},
		// rows of print at the bottom: taken for a band that reads as nothing,
		// or not taken for one (either way: retake)
		{"no mrz", func() image.Image { return kyctest.SyntheticCard(1200, 760) }, "any"},
		{"good", func() image.Image { return kyctest.Degrade(kyctest.SyntheticDocument(t, lines, 1200), 0.3, 11) }, ""},
		{"check digit", func() image.Image { return kyctest.SyntheticDocument(t, bad, 1200) }, mrz.RetakeUnreadable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.Retake(ctx, tc.img())
			require.NoError(t, err)
			if tc.want == "any" {
				require.Contains(t, []string{mrz.RetakeNotFound, mrz.RetakeUnreadable}, got)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}

	t.Run("ended", func(t *testing.T) {
		t.Parallel()
		ended, cancel := context.WithTimeout(ctx, time.Nanosecond)
		defer cancel()
		<-ended.Done()
		got, err := r.Retake(ended, kyctest.SyntheticDocument(t, lines, 1200))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Empty(t, got)
	})
	t.Run("unavailable", func(t *testing.T) {
		t.Parallel()
		got, err := mrz.Reader{TessdataDir: t.TempDir()}.Retake(ctx, kyctest.SyntheticCard(600, 380))
		require.True(t, errors.Is(err, mrz.ErrUnavailable), "%v", err)
		require.Empty(t, got)
	})
}
