package quality

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMaxFilter(t *testing.T) {
	t.Parallel()
	w, h := 23, 11
	pix := make([]uint8, w*h)
	for i := range pix {
		pix[i] = uint8((i*7919 + i*i*31) % 251)
	}
	for _, r := range []int{0, 1, 3, 8, 30} {
		for _, horizontal := range []bool{true, false} {
			got := MaxFilter(pix, w, h, r, horizontal)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					var want uint8
					for d := -r; d <= r; d++ {
						xx, yy := x, y
						if horizontal {
							xx += d
						} else {
							yy += d
						}
						if xx >= 0 && xx < w && yy >= 0 && yy < h {
							want = max(want, pix[yy*w+xx])
						}
					}
					require.Equal(t, want, got[y*w+x], "r=%d horizontal=%v at %d,%d", r, horizontal, x, y)
				}
			}
		}
	}
}

// BenchmarkWorkingCopy is the grey working copy of a 1200 px document photo
// (luma alone against the ink-weighted grey the reader uses).
