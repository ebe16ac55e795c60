package screening

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWatchReloadsAndSwaps(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "lists")
	_, err := Import("testdata/formats/eu", dir)
	require.NoError(t, err)
	s := NewScreener()
	_, err = s.LoadDir(dir)
	require.NoError(t, err)
	changes := make(chan []Version, 4)
	s.OnChange(func(_, vs []Version) { changes <- vs })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loaded := make(chan *Set, 4)
	failed := make(chan error, 4)
	go s.Watch(ctx, dir, 10*time.Millisecond, func(err error) { failed <- err }, func(set *Set) { loaded <- set })

	_, err = Import("testdata/formats/uk_xml", dir)
	require.NoError(t, err)
	select {
	case set := <-loaded:
		require.Equal(t, ListUK, set.Versions[0].List)
	case <-time.After(5 * time.Second):
		t.Fatal("not reloaded")
	}
	vs := <-changes
	require.Equal(t, ListUK, vs[0].List)
	hits, _, err := s.Search(Query{Name: "Elena Volkova", Threshold: DefaultThreshold})
	require.NoError(t, err)
	require.NotEmpty(t, hits)
	e, ok := s.Entry(ListUK, "RUS9999")
	require.True(t, ok)
	require.Equal(t, "female", e.Gender)
	_, ok = s.Entry(ListEU, "9001")
	require.False(t, ok, "the swapped-out list is gone")

	// a broken file keeps the current lists
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sdn.csv"), []byte("1,\"x\n"), 0o644))
	select {
	case err := <-failed:
		require.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("broken file not noticed")
	}
	hits, _, err = s.Search(Query{Name: "Elena Volkova", Threshold: DefaultThreshold})
	require.NoError(t, err)
	require.NotEmpty(t, hits, "the previous lists stay")
}
