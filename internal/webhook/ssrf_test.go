package webhook_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/webhook"
)

// TestValidateURLRefuses lists the targets registration refuses unless
// private targets are allowed, each with the rule its error names. Each was
// accepted before issue 17.
func TestValidateURLRefuses(t *testing.T) {
	t.Parallel()
	const (
		shorthand = "numeric IPv4 shorthand"
		dot       = "must not end with a dot"
		name      = "local or cloud-metadata name"
		fqdn      = "fully qualified domain name"
		address   = "not public"
		resolves  = "resolves to a private, loopback, link-local or otherwise not public address"
		noResolve = "does not resolve"
		ascii     = "ASCII DNS name"
		noHost    = "must name a host"
	)
	for _, tc := range []struct {
		url, rule string
		forbidden bool // errors.Is ErrForbiddenTarget
	}{
		// Numeric IPv4 shorthand: inet_aton and URL parsers read these as 127.0.0.1 and 8.8.8.8.
		{"https://2130706433/", shorthand, false},
		{"https://0x7f000001/", shorthand, false},
		{"https://0X7F000001/", shorthand, false},
		{"https://127.1/", shorthand, false},
		{"https://127.0.1/", shorthand, false},
		{"https://0177.0.0.1/", shorthand, false},
		{"https://127.0.0.01/", shorthand, false},
		{"https://0x7f.0.0.1/", shorthand, false},
		{"https://8.8.8.0x8/", shorthand, false},
		{"https://134744072/", shorthand, false},
		{"https://example.0x/", shorthand, false},
		// Trailing dots: localhost. is localhost to the resolver, and skips search domains.
		{"https://localhost./", dot, false},
		{"https://hooks.example.com./kyc", dot, false},
		{"https://8.8.8.8./", dot, false},
		// Local and cloud-metadata names.
		{"https://metadata.google.internal/computeMetadata/v1/", name, true},
		{"https://METADATA.GOOGLE.INTERNAL/", name, true},
		{"https://metadata/", name, true},
		{"https://instance-data/", name, true},
		{"https://instance-data.ec2.internal/", name, true},
		{"https://anything.internal/", name, true},
		{"https://printer.local/", name, true},
		{"https://localhost/", name, true},
		{"https://LocalHost:8443/", name, true},
		{"https://app.localhost/", name, true},
		{"https://router.home.arpa/", name, true},
		{"https://%6c%6f%63%61%6c%68%6f%73%74/", "absolute URL", false}, // url.Parse refuses escapes in a host
		{"https://intranet/", fqdn, true},
		// IPv6 carrying a non-public IPv4 address.
		{"https://[64:ff9b::a9fe:a9fe]/", address, true},                   // NAT64 of 169.254.169.254
		{"https://[64:ff9b::7f00:1]/", address, true},                      // NAT64 of 127.0.0.1
		{"https://[64:ff9b::10.0.0.1]/", address, true},                    // NAT64 of 10.0.0.1
		{"https://[64:ff9b:1::808:808]/", address, true},                   // local-use NAT64, refused whole
		{"https://[2002:7f00:1::]/", address, true},                        // 6to4 of 127.0.0.1
		{"https://[2002:a9fe:a9fe::1]/", address, true},                    // 6to4 of 169.254.169.254
		{"https://[2002:c0a8:101::]/", address, true},                      // 6to4 of 192.168.1.1
		{"https://[::ffff:127.0.0.1]/", address, true},                     // IPv4-mapped
		{"https://[::ffff:a9fe:a9fe]/", address, true},                     // IPv4-mapped, hex
		{"https://[::127.0.0.1]/", address, true},                          // IPv4-compatible
		{"https://[::ffff:0:7f00:1]/", address, true},                      // IPv4-translated
		{"https://[2001:0:7f00:1:8000:63bf:3fff:fdd2]/", address, true},    // Teredo, server 127.0.0.1
		{"https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", address, true}, // Teredo, client 127.0.0.1
		{"https://[2001:0:4136:e378:8000:63bf:5601:5601]/", address, true}, // Teredo, client 169.254.169.254
		{"https://[fd00:ec2::254]/", address, true},
		{"https://[fe80::1%25eth0]/", address, true},
		{"https://[2001:4860::1%25eth0]/", address, true}, // a zone on a public address
		{"https://0.0.0.0/", address, true},
		{"https://100.100.100.200/", address, true}, // Alibaba metadata
		{"https://192.0.0.192/", address, true},     // Oracle metadata
		// Names that resolve inward (an attacker's DNS), and names that do not resolve.
		{"https://loopback.example/", resolves, true},
		{"https://mapped.example/", resolves, true},
		{"https://metadata.example/", resolves, true},
		{"https://six-to-four.example/", resolves, true},
		{"https://partly-inward.example/", resolves, true},
		{"https://unknown.example/", noResolve, false},
		// Hosts that are no DNS name.
		{"https://bücher.example/", ascii, false},
		{"https://a..example/", ascii, false},
		{"https://-/", fqdn, true},
		{"https://:443/", noHost, false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			_, err := webhook.URLValidator{Lookup: kyctest.Lookup}.Validate(context.Background(), tc.url, false)
			require.ErrorContains(t, err, tc.rule)
			if tc.forbidden {
				require.ErrorIs(t, err, webhook.ErrForbiddenTarget)
			} else {
				require.NotErrorIs(t, err, webhook.ErrForbiddenTarget)
			}
		})
	}
}

// anyPublic resolves every name to a public address.
func anyPublic(context.Context, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("2001:4860:4860::8888")}, nil
}

func TestValidateURLAccepts(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"https://hooks.example.com/kyc",
		"https://HOOKS.example.com:8443/kyc?x=1",
		"https://merchant.example/cb",
		"https://8.8.8.8/",
		"https://[2001:4860:4860::8888]/",
		"https://[64:ff9b::808:808]/",                     // NAT64 of 8.8.8.8
		"https://[2002:808:808::1]/",                      // 6to4 of 8.8.8.8
		"https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", // Teredo, server 65.54.227.120, client 192.0.2.45
		"https://[::ffff:8.8.8.8]/",                       // IPv4-mapped public
		"https://a-b_c.123.example.com/",                  // numeric labels before the last are names
	} {
		got, err := webhook.URLValidator{Lookup: anyPublic}.Validate(context.Background(), u, false)
		require.NoError(t, err, u)
		require.Equal(t, u, got)
	}
}

// TestValidateURLAllowPrivate: development keeps the permissive rules (http,
// any address or name, no resolution).
func TestValidateURLAllowPrivate(t *testing.T) {
	t.Parallel()
	lookup := func(context.Context, string) ([]netip.Addr, error) {
		t.Error("no resolution when private targets are allowed")
		return nil, nil
	}
	for _, u := range []string{"http://127.0.0.1:9000/hook", "https://127.1/", "https://localhost./", "https://metadata.google.internal/",
		"http://[2002:7f00:1::]/", "http://receiver:8080/", "https://loopback.example/"} {
		_, err := webhook.URLValidator{Lookup: lookup}.Validate(context.Background(), u, true)
		require.NoError(t, err, u)
	}
	_, err := webhook.URLValidator{Lookup: lookup}.Validate(context.Background(), "ftp://x/", true)
	require.ErrorContains(t, err, "https")
}

// TestValidateURLResolution: the lookup gets the request's context, bounded,
// and its failure refuses.
func TestValidateURLResolution(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	v := webhook.URLValidator{Lookup: func(c context.Context, host string) ([]netip.Addr, error) {
		_, hasDeadline := c.Deadline()
		require.True(t, hasDeadline, "the lookup is bounded")
		got = append(got, host)
		return nil, c.Err()
	}}
	_, err := v.Validate(ctx, "https://Hooks.Example.com/x", false)
	require.ErrorContains(t, err, "url host does not resolve")
	require.Equal(t, []string{"hooks.example.com"}, got)
	cancel()
	_, err = v.Validate(ctx, "https://hooks.example.com/x", false)
	require.ErrorContains(t, err, "url host does not resolve", "a cancelled request refuses")
	_, err = webhook.URLValidator{Lookup: func(context.Context, string) ([]netip.Addr, error) { return nil, nil }}.
		Validate(context.Background(), "https://hooks.example.com/x", false)
	require.ErrorContains(t, err, "url host does not resolve", "no addresses")
}

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true},
		{"203.0.113.7", true},
		{"2001:4860:4860::8888", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true},
		{"2002:808:808::", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true},
		{"127.0.0.1", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"192.168.0.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"255.255.255.255", false},
		{"224.0.0.1", false},
		{"::", false},
		{"::1", false},
		{"::127.0.0.1", false},
		{"::8.8.8.8", false}, // IPv4-compatible, deprecated: all refused
		{"::ffff:127.0.0.1", false},
		{"::ffff:0:7f00:1", false},
		{"::ffff:0:808:808", true},
		{"64:ff9b::7f00:1", false},
		{"64:ff9b::a9fe:a9fe", false},
		{"64:ff9b::a00:1", false},
		{"64:ff9b:1::808:808", false},
		{"2002:7f00:1::", false},
		{"2002:a00:1::", false},
		{"2002::", false},
		{"2001:0:7f00:1:8000:63bf:3fff:fdd2", false},
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", false},
		{"2001:0:4136:e378::", false}, // client 255.255.255.255
		{"2001:db8::1", false},
		{"2001:2::1", false},
		{"2001:10::1", false},
		{"100::1", false},
		{"fec0::1", false},
		{"fd00:ec2::254", false},
		{"fd00::2", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"ff02::1", false},
	} {
		require.Equal(t, tc.public, webhook.PublicAddr(netip.MustParseAddr(tc.addr)), tc.addr)
	}
}

// TestDialerRefusesEmbeddedIPv4: the delivery dialer's check, run on the
// address about to be connected after DNS, judges IPv6 by the IPv4 address it
// carries. A 6to4 address embedding 127.0.0.1 was dialled before.
func TestDialerRefusesEmbeddedIPv4(t *testing.T) {
	t.Parallel()
	for _, a := range []string{"[2002:7f00:1::]:443", "[64:ff9b::a9fe:a9fe]:80", "[::ffff:127.0.0.1]:443", "[2001:0:4136:e378:8000:63bf:80ff:fffe]:443",
		"127.0.0.1:443", "[::1]:443", "not an address"} {
		require.ErrorIs(t, webhook.RefuseNonPublic("tcp6", a, nil), webhook.ErrForbiddenTarget, a)
	}
	for _, a := range []string{"8.8.8.8:443", "[2002:808:808::]:443", "[64:ff9b::808:808]:443"} {
		require.NoError(t, webhook.RefuseNonPublic("tcp", a, nil), a)
	}
}

// TestClientRefusesEmbeddedLoopback: the delivery client does not connect to
// IPv6 forms of a loopback address.
func TestClientRefusesEmbeddedLoopback(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("the target was contacted") }))
	defer srv.Close()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	c := webhook.NewClient(time.Second, false)
	for _, host := range []string{"[::ffff:127.0.0.1]", "[2002:7f00:1::]", "[64:ff9b::7f00:1]"} {
		u := (&url.URL{Scheme: "http", Host: host + ":" + port, Path: "/"}).String()
		_, err := c.Get(u)
		require.ErrorIs(t, err, webhook.ErrForbiddenTarget, u)
	}
}

// FuzzValidateURL: the validator never panics; a URL it accepts (private
// targets not allowed) is https, its host is no numeric shorthand, has no
// trailing dot and, when an IP address, is public; validating the answer
// again accepts it unchanged.
func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"https://hooks.example.com/kyc", "https://2130706433/", "https://0x7f000001/", "https://127.1/",
		"https://localhost./", "https://metadata.google.internal/", "https://[64:ff9b::a9fe:a9fe]/", "https://[2002:7f00:1::]/",
		"https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "https://8.8.8.8:8443/x?y=1#z", "https://[fe80::1%25eth0]/", "https://u@h.example/",
		"https://%31%32%37.0.0.1/", "https://[::ffff:7f00:1]/"} {
		f.Add(s)
	}
	public := func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("8.8.8.8")}, nil
	}
	v := webhook.URLValidator{Lookup: public}
	f.Fuzz(func(t *testing.T, raw string) {
		ctx := context.Background()
		_, _ = v.Validate(ctx, raw, true)
		got, err := v.Validate(ctx, raw, false)
		if err != nil {
			return
		}
		u, err := url.Parse(got)
		require.NoError(t, err)
		require.Equal(t, "https", u.Scheme)
		host := strings.ToLower(u.Hostname())
		require.NotEmpty(t, host)
		require.False(t, strings.HasSuffix(host, "."), "trailing dot in %q", got)
		if ip, err := netip.ParseAddr(host); err == nil {
			require.True(t, webhook.PublicAddr(ip), "non-public literal %s accepted from %q", ip, raw)
		} else {
			last := host[strings.LastIndexByte(host, '.')+1:]
			hex, isHex := strings.CutPrefix(last, "0x")
			numeric := strings.Trim(last, "0123456789") == "" || isHex && strings.Trim(hex, "0123456789abcdef") == ""
			require.False(t, numeric, "numeric host %q accepted from %q", host, raw)
			require.Contains(t, host, ".")
		}
		again, err := v.Validate(ctx, got, false)
		require.NoError(t, err, "%q accepted, then %q refused", raw, got)
		require.Equal(t, got, again)
	})
}
