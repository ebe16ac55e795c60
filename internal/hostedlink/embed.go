package hostedlink

import (
	"context"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// MaxEmbedOrigins bounds the origins a merchant may allow to embed the page.
const MaxEmbedOrigins = 10

// EmbedOrigins are the origins a merchant allows to embed the hosted page in
// an iframe (none: the page cannot be framed).
func (l *Service) EmbedOrigins(ctx context.Context, merchantID string) ([]string, error) {
	hs, err := l.store.HostedSettingsOf(ctx, merchantID)
	return hs.EmbedOrigins, err
}

// SetEmbedOrigins validates, normalises and stores the merchant's embedding
// origins, with an audit entry, and returns them as stored.
func (l *Service) SetEmbedOrigins(ctx context.Context, p kyc.Principal, origins []string) ([]string, error) {
	if len(origins) > MaxEmbedOrigins {
		return nil, kyc.Invalid("embed_origins", "max_items", "embed_origins holds at most %d origins", MaxEmbedOrigins)
	}
	out := []string{}
	for _, o := range origins {
		n, err := NormalizeOrigin(o, l.allowPrivate)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	now := l.now().UTC().Truncate(time.Microsecond)
	err := l.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutHostedSettings(ctx, store.HostedSettings{MerchantID: p.MerchantID, EmbedOrigins: out, UpdatedAt: now}); err != nil {
			return err
		}
		return tx.Audit(ctx, p, now, "hosted.settings.update", "merchant", p.MerchantID, map[string]any{"embed_origins": out})
	})
	return out, err
}

// NormalizeOrigin checks that s is a web origin — scheme, host and port
// only, no path, query, fragment, user or wildcard — and returns it in
// lower case without a default port. It must be https; plain http is
// allowed for loopback hosts (a merchant's development page) and, with
// allowPrivate, anywhere.
func NormalizeOrigin(s string, allowPrivate bool) (string, error) {
	bad := func(why string) error {
		return kyc.Invalid("embed_origins", "origin", "%q is not an origin: %s", truncate(s, 80), why)
	}
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", bad("write it as https://shop.example or https://shop.example:8443")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || (u.Path != "" && u.Path != "/"):
		return "", bad("an origin has no path, query, fragment or user")
	case strings.ContainsAny(u.Host, "*"):
		return "", bad("wildcards are not allowed")
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if ip := net.ParseIP(host); ip == nil && !hostRE.MatchString(host) {
		return "", bad("the host must be a domain name (letters, digits, hyphens; punycode for others) or an IP address")
	}
	if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535) {
		return "", bad("the port must be 1–65535")
	}
	switch {
	case scheme == "https":
	case scheme == "http" && (allowPrivate || loopback(host)):
	default:
		return "", bad("it must be https (http only for localhost)")
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// hostRE is a DNS name in ASCII: labels of letters, digits and hyphens.
var hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

func loopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
