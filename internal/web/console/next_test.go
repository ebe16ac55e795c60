package console

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzSafeNext: the post-login destination is always a console path on
// this host, whatever the next parameter holds.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/console/cases/ver_1", "//evil.example/console/", "https://evil.example", "/console/\\\\evil", "/console/../x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		require.True(t, strings.HasPrefix(got, "/console/"), got)
		u, err := url.Parse(got)
		require.NoError(t, err)
		require.Empty(t, u.Host)
		require.Empty(t, u.Scheme)
	})
}
