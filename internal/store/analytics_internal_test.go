package store

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCover: a period splits into the largest built blocks that fit and the
// runs of days around and between them.
func TestCover(t *testing.T) {
	t.Parallel()
	built := map[block]bool{}
	for _, b := range []block{{4, 100}, {4, 104}, {4, 108}, {4, 112}, {16, 96}, {4, 96}, {16, 112}, {4, 116}, {4, 120}, {4, 124}, {64, 64}} {
		built[b] = true
	}
	for _, tc := range []struct {
		name     string
		from, to int
		blocks   []block
		spans    [][2]int
	}{
		{"no block fits", 101, 102, nil, [][2]int{{101, 102}}},
		{"a day before the blocks and into them", 90, 99, []block{{4, 96}}, [][2]int{{90, 95}}},
		{"the largest first", 64, 127, []block{{64, 64}}, nil},
		{"ends inside a block", 95, 126, []block{{16, 96}, {4, 112}, {4, 116}, {4, 120}}, [][2]int{{95, 95}, {124, 126}}},
		{"four-day blocks where a larger one would overrun", 100, 123, []block{{4, 100}, {4, 104}, {4, 108}, {4, 112}, {4, 116}, {4, 120}}, nil},
		{"past the last block", 120, 140, []block{{4, 120}, {4, 124}}, [][2]int{{128, 140}}},
		{"from day 0", 0, 70, nil, [][2]int{{0, 70}}},
		{"empty", 5, 4, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			blocks, spans := cover(tc.from, tc.to, built, blockSizes)
			require.Equal(t, tc.blocks, blocks)
			require.Equal(t, tc.spans, spans)
		})
	}
}

// TestCoverDays: day sums (blocks of one day) fill the days around the
// larger blocks, and alone stand for days in a series.
func TestCoverDays(t *testing.T) {
	t.Parallel()
	built := map[block]bool{{4, 100}: true, {1, 98}: true, {1, 99}: true, {1, 104}: true}
	blocks, spans := cover(97, 106, built, append(slices.Clone(blockSizes), 1))
	require.Equal(t, []block{{1, 98}, {1, 99}, {4, 100}, {1, 104}}, blocks)
	require.Equal(t, [][2]int{{97, 97}, {105, 106}}, spans)
	blocks, spans = cover(97, 106, built, []int{1})
	require.Equal(t, []block{{1, 98}, {1, 99}, {1, 104}}, blocks)
	require.Equal(t, [][2]int{{97, 97}, {100, 103}, {105, 106}}, spans)
	blocks, spans = cover(97, 106, built, nil)
	require.Empty(t, blocks)
	require.Equal(t, [][2]int{{97, 106}}, spans)
	require.Equal(t, [][2]int{{1, 3}, {5, 5}, {7, 8}}, runs([]int{1, 2, 3, 5, 7, 8}))
}
