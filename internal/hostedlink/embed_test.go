package hostedlink_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/kyc"
)

func TestNormalizeOrigin(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want     string
		allowPrivate bool
	}{
		{"https://shop.example", "https://shop.example", false},
		{"HTTPS://Shop.Example/", "https://shop.example", false},
		{"https://shop.example:443", "https://shop.example", false},
		{"https://shop.example:8443", "https://shop.example:8443", false},
		{" https://shop.example ", "https://shop.example", false},
		{"http://localhost:3000", "http://localhost:3000", false},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", false},
		{"http://[::1]:8080", "http://[::1]:8080", false},
		{"http://app.localhost", "http://app.localhost", false},
		{"http://shop.internal", "http://shop.internal", true},
		{"http://shop.example:80", "http://shop.example", true},
		{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example", false},
	} {
		got, err := hostedlink.NormalizeOrigin(c.in, c.allowPrivate)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
	}
	for _, bad := range []string{"", "shop.example", "//shop.example", "https://", "https://shop.example/path", "https://shop.example?x",
		"https://shop.example#f", "https://user@shop.example", "https://*.shop.example", "http://shop.example", "ftp://shop.example",
		"javascript:alert(1)", "data:text/html,x", "https://shop.example?", "null", "'self'", "*"} {
		_, err := hostedlink.NormalizeOrigin(bad, false)
		var fe *kyc.FieldError
		require.ErrorAs(t, err, &fe, bad)
		require.Equal(t, "embed_origins", fe.Field)
		require.Equal(t, "origin", fe.Rule)
	}
}

// FuzzNormalizeOrigin: whatever a merchant sends, an accepted origin is a
// plain scheme://host[:port] that goes into a CSP header as one token.
func FuzzNormalizeOrigin(f *testing.F) {
	for _, s := range []string{"https://shop.example", "http://localhost:3000", "https://a.b:1/", "https://x y", "https://a;b", "https://[::1]", "https://%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := hostedlink.NormalizeOrigin(s, false)
		if err != nil {
			return
		}
		require.NotContains(t, o, " ")
		require.NotContains(t, o, ";")
		require.NotContains(t, o, ",")
		require.NotContains(t, o, "'")
		u, err := url.Parse(o)
		require.NoError(t, err)
		require.Contains(t, []string{"https", "http"}, u.Scheme)
		require.Equal(t, o, u.Scheme+"://"+u.Host)
		require.Equal(t, strings.ToLower(o), o)
	})
}
