package mrz

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestDeskew: a document photographed a few degrees off level is turned
// back to within a degree; a level one is left as it is.
func TestDeskew(t *testing.T) {
	t.Parallel()
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	doc := kyctest.SyntheticDocument(t, lines, 1200)
	require.Zero(t, skewAngle(toGray(doc, 1600)), "level: left alone")
	for _, deg := range []float64{-7, -4, -2, 2, 3.5, 6} {
		g := toGray(kyctest.Rotate(doc, deg), 1600)
		a := skewAngle(g)
		require.NotZero(t, a, "%.1f°", deg)
		require.Less(t, math.Abs(skewAngle(rotateGray(g, a))), 1.0, "%.1f° turned back by %.1f°", deg, a)
	}
}
