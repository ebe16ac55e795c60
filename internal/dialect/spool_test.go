package dialect

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSpoolEncryptedAndUnlinked: a spool holds what it is given only
// encrypted, in a file no other process can open by name, and gives it
// back whole.
func TestSpoolEncryptedAndUnlinked(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("QUJDRA==", 8192)
	s, err := NewSpool("openkyc-test-*")
	require.NoError(t, err)
	defer s.Close()
	for i := 0; i < len(text); i += 1000 {
		_, err := s.Write([]byte(text[i:min(len(text), i+1000)]))
		require.NoError(t, err)
	}
	require.EqualValues(t, len(text), s.Size())
	raw, err := io.ReadAll(io.NewSectionReader(s.f, 0, s.size))
	require.NoError(t, err)
	require.Len(t, raw, len(text))
	require.NotContains(t, string(raw), "QUJDRA==")
	_, err = os.Stat(s.f.Name())
	require.True(t, os.IsNotExist(err), "unlinked")
	for range 2 { // opened twice, read twice
		r, err := s.Open()
		require.NoError(t, err)
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		require.Equal(t, text, string(got))
	}
}
