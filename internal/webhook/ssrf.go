package webhook

import (
	"context"
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

// ErrForbiddenTarget is a delivery target in a network the server may not
// reach. Every refusal of a target's address or name wraps it (errors.Is).
var ErrForbiddenTarget = errors.New("target address is private, loopback, link-local or otherwise not public")

// forbidden is a refusal of a target that says which rule refused it and
// still matches ErrForbiddenTarget.
type forbidden string

func (e forbidden) Error() string        { return string(e) }
func (e forbidden) Is(target error) bool { return target == ErrForbiddenTarget }

// publicAddr reports whether ip is a public unicast address. An IPv6 address
// that carries an IPv4 address (IPv4-mapped, IPv4-translated, 6to4, NAT64,
// Teredo) is public only when the IPv4 address it carries is: the network
// may deliver a packet for it there.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.Zone() != "" || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	for _, v4 := range embeddedIPv4(ip) {
		if !publicAddr(v4) {
			return false
		}
	}
	return true
}

var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),         // "this" network
	netip.MustParsePrefix("100.64.0.0/10"),     // carrier-grade NAT (incl. Alibaba's metadata 100.100.100.200)
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments (incl. Oracle's metadata 192.0.0.192)
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),       // reserved, broadcast
	netip.MustParsePrefix("169.254.0.0/16"),    // link-local incl. cloud metadata (also IsLinkLocalUnicast)
	netip.MustParsePrefix("::/96"),             // IPv4-compatible (deprecated), incl. :: and ::1
	netip.MustParsePrefix("100::/64"),          // discard-only
	netip.MustParsePrefix("64:ff9b:1::/48"),    // local-use NAT64: its IPv4 layout is the operator's choice, so all of it
	netip.MustParsePrefix("2001:2::/48"),       // benchmarking
	netip.MustParsePrefix("2001:10::/28"),      // ORCHID (deprecated)
	netip.MustParsePrefix("2001:db8::/32"),     // documentation
	netip.MustParsePrefix("fec0::/10"),         // site-local (deprecated)
	netip.MustParsePrefix("fd00:ec2::254/128"), // AWS metadata over IPv6 (also IsPrivate)
}

// IPv6 ranges that carry an IPv4 address.
var (
	nat64WKP   = netip.MustParsePrefix("64:ff9b::/96")    // NAT64 well-known prefix: IPv4 in the last 32 bits
	translated = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT IPv4-translated: IPv4 in the last 32 bits
	sixToFour  = netip.MustParsePrefix("2002::/16")       // 6to4: IPv4 in bits 16–47
	teredo     = netip.MustParsePrefix("2001::/32")       // Teredo: server IPv4 in bits 32–63, client IPv4 inverted in the last 32
)

// embeddedIPv4 returns the IPv4 addresses an IPv6 address carries (IPv4-mapped
// addresses are unmapped before).
func embeddedIPv4(ip netip.Addr) []netip.Addr {
	if !ip.Is6() {
		return nil
	}
	b := ip.As16()
	at := func(i int) netip.Addr { return netip.AddrFrom4([4]byte(b[i : i+4])) }
	switch {
	case nat64WKP.Contains(ip), translated.Contains(ip):
		return []netip.Addr{at(12)}
	case sixToFour.Contains(ip):
		return []netip.Addr{at(2)}
	case teredo.Contains(ip):
		client := [4]byte(b[12:16])
		for i := range client {
			client[i] ^= 0xff
		}
		return []netip.Addr{at(4), netip.AddrFrom4(client)}
	}
	return nil
}

// refuseNonPublic is the delivery dialer's Control: it runs after DNS, on the
// address about to be connected, so a name that resolves inward (at
// registration or since, by DNS rebinding) is refused too.
func refuseNonPublic(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !publicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenTarget, address)
	}
	return nil
}

// NewClient returns the delivery client: a per-request timeout, no redirects
// followed (a 3xx is a failed delivery), and — unless allowPrivate — a dialer
// that refuses non-public addresses after DNS resolution, so a hostname that
// resolves to an internal address is refused too.
func NewClient(timeout time.Duration, allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		d.Control = refuseNonPublic
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

// LookupFunc resolves a host name to its addresses.
type LookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// lookupTimeout bounds the resolution of a target's host at registration.
const lookupTimeout = 5 * time.Second

// URLValidator checks webhook and callback URLs when they are registered.
type URLValidator struct {
	// Lookup resolves host names; nil is the system resolver. Tests answer
	// it without DNS.
	Lookup LookupFunc
}

// ValidateURL checks an endpoint URL when it is registered, resolving its
// host with the system resolver (see URLValidator.Validate).
func ValidateURL(ctx context.Context, raw string, allowPrivate bool) (string, error) {
	return URLValidator{}.Validate(ctx, raw, allowPrivate)
}

// internalNames are host names, and internalSuffixes the domains, that name
// the machine itself, the local network or a cloud's metadata service.
var (
	internalNames    = []string{"localhost", "metadata", "instance-data"}
	internalSuffixes = []string{".localhost", ".local", ".internal", ".home.arpa"} // .internal: metadata.google.internal, instance-data.ec2.internal
)

// Validate checks an endpoint URL when it is registered: absolute https
// (http only when private targets are allowed, for development), no
// credentials, no fragment. Unless allowPrivate, the host must also be
//   - a public IP address in its canonical form, IPv6 addresses carrying an
//     IPv4 address judged by that IPv4 address; or
//   - a fully qualified ASCII DNS name, without a trailing dot, that is not a
//     numeric IPv4 shorthand (2130706433, 0x7f000001, 0177.0.0.1, 127.1), not
//     a local or metadata name (localhost, metadata, instance-data, *.localhost,
//     *.local, *.internal, *.home.arpa), that resolves, and whose every
//     address is public.
//
// The delivery dialer checks the address again at every connection.
func (v URLValidator) Validate(ctx context.Context, raw string, allowPrivate bool) (string, error) {
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
	if u.Hostname() == "" {
		return "", errors.New("url must name a host")
	}
	if allowPrivate {
		return u.String(), nil
	}
	if err := v.checkHost(ctx, strings.ToLower(u.Hostname())); err != nil {
		return "", err
	}
	return u.String(), nil
}

func (v URLValidator) checkHost(ctx context.Context, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		if !publicAddr(ip) {
			return forbidden("url host is a private, loopback, link-local or otherwise not public address")
		}
		return nil
	}
	if strings.HasSuffix(host, ".") {
		return errors.New("url host must not end with a dot")
	}
	if endsInNumber(host) {
		return errors.New("url host must not be a numeric IPv4 shorthand such as 2130706433, 0x7f000001 or 127.1; write an IP address as a.b.c.d")
	}
	if !dnsName(host) {
		return errors.New("url host must be an IP address or an ASCII DNS name (punycode for international names)")
	}
	for _, n := range internalNames {
		if host == n {
			return forbidden("url host is a local or cloud-metadata name")
		}
	}
	for _, s := range internalSuffixes {
		if strings.HasSuffix(host, s) {
			return forbidden("url host is a local or cloud-metadata name")
		}
	}
	if !strings.Contains(host, ".") {
		return forbidden("url host must be a fully qualified domain name")
	}
	lookup := v.Lookup
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := lookup(ctx, host)
	if err != nil || len(addrs) == 0 {
		return errors.New("url host does not resolve")
	}
	for _, a := range addrs {
		if !publicAddr(a) {
			return forbidden("url host resolves to a private, loopback, link-local or otherwise not public address")
		}
	}
	return nil
}

// endsInNumber reports whether a host's last label is a number (decimal, or
// hex after 0x): URL parsers and inet_aton read such a host as an IPv4
// address, in forms that differ between them (the WHATWG URL standard's
// "ends in a number" rule). No top-level domain is numeric.
func endsInNumber(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if h, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(h, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// dnsName reports whether host is dot-separated labels of 1 to 63 ASCII
// letters, digits, hyphens and underscores, at most 253 characters.
func dnsName(host string) bool {
	if len(host) > 253 {
		return false
	}
	for l := range strings.SplitSeq(host, ".") {
		if l == "" || len(l) > 63 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}
