package kyctest

import (
	"context"
	"net"
	"net/netip"
	"strings"
)

// hosts are the names Lookup answers: public names of the tests' merchants
// and names that resolve inward, as an attacker's DNS would answer.
var hosts = map[string][]netip.Addr{
	"merchant.example":      {netip.MustParseAddr("203.0.113.10")},
	"m.example":             {netip.MustParseAddr("203.0.113.11")},
	"hooks.example.com":     {netip.MustParseAddr("203.0.113.12"), netip.MustParseAddr("2001:4860::12")},
	"loopback.example":      {netip.MustParseAddr("127.0.0.1")},
	"mapped.example":        {netip.MustParseAddr("::ffff:127.0.0.1")},
	"metadata.example":      {netip.MustParseAddr("169.254.169.254")},
	"six-to-four.example":   {netip.MustParseAddr("2002:7f00:1::")},
	"partly-inward.example": {netip.MustParseAddr("203.0.113.13"), netip.MustParseAddr("10.0.0.7")},
}

// Lookup resolves the names of hosts without DNS (config.WebhookLookup,
// webhook.URLValidator); other names do not resolve. Public: merchant.example,
// m.example, hooks.example.com. Inward: loopback.example, mapped.example,
// metadata.example, six-to-four.example and partly-inward.example (one public
// address, one private).
func Lookup(_ context.Context, host string) ([]netip.Addr, error) {
	if a, ok := hosts[strings.ToLower(host)]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// InternalTargets are the webhook and callback URLs of issue 17 that every
// registration surface refuses unless private targets are allowed: numeric
// IPv4 shorthands of 127.0.0.1, a trailing-dot localhost, a metadata name,
// NAT64 of 169.254.169.254, 6to4 of 127.0.0.1, and a name that resolves to
// loopback (with Lookup).
var InternalTargets = []string{"https://2130706433/", "https://0x7f000001/", "https://127.1/", "https://localhost./",
	"https://metadata.google.internal/", "https://[64:ff9b::a9fe:a9fe]/", "https://[2002:7f00:1::]/", "https://loopback.example/"}
