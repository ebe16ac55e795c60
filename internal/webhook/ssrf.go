package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenTarget is a delivery target in a network the server may not reach.
var ErrForbiddenTarget = errors.New("target address is private, loopback, link-local or otherwise not public")

// publicAddr reports whether ip is a public unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),         // "this" network
	netip.MustParsePrefix("100.64.0.0/10"),     // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),       // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),    // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),     // documentation
	netip.MustParsePrefix("169.254.0.0/16"),    // link-local incl. cloud metadata (also IsLinkLocalUnicast)
	netip.MustParsePrefix("fd00:ec2::254/128"), // AWS metadata over IPv6
}

// NewClient returns the delivery client: a per-request timeout, no redirects
// followed (a 3xx is a failed delivery), and — unless allowPrivate — a dialer
// that refuses non-public addresses after DNS resolution, so a hostname that
// resolves to an internal address is refused too.
func NewClient(timeout time.Duration, allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !publicAddr(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrForbiddenTarget, address)
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would bypass the address check
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ValidateURL checks an endpoint URL when it is registered: absolute https
// (http only when private targets are allowed, for development), no
// credentials, and — unless allowPrivate — no literal non-public address.
func ValidateURL(raw string, allowPrivate bool) (string, error) {
	if len(raw) > 2048 {
		return "", errors.New("url must be at most 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return "", errors.New("url must be an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	default:
		return "", errors.New("url must use https")
	}
	if u.User != nil {
		return "", errors.New("url must not contain credentials")
	}
	if u.Fragment != "" {
		return "", errors.New("url must not contain a fragment")
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil && !allowPrivate && !publicAddr(ip) {
		return "", ErrForbiddenTarget
	}
	if !allowPrivate && (strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost")) {
		return "", ErrForbiddenTarget
	}
	return u.String(), nil
}
