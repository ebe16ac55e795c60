// Package ratelimit holds the abuse limits of the API surfaces: token
// buckets (golang.org/x/time/rate) per merchant and per client address,
// kept per process. A refused request gets a *kyc.RateLimitError saying
// when to try again; each surface answers it in its own wire format.
package ratelimit

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Config sets the limits; a zero rate turns that limit off.
type Config struct {
	MerchantRate  float64 // requests per second per merchant
	MerchantBurst int
	AddressRate   float64 // requests per second per client address
	AddressBurst  int
}

// Defaults: generous for integrations, tight enough to stop a runaway loop
// or a flood from one address.
var Defaults = Config{MerchantRate: 100, MerchantBurst: 200, AddressRate: 50, AddressBurst: 100}

// Limiter holds the buckets.
type Limiter struct {
	merchants *keyed
	addresses *keyed
	now       func() time.Time
}

// New returns a limiter; now is the clock (nil: time.Now).
func New(c Config, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{merchants: newKeyed(c.MerchantRate, c.MerchantBurst), addresses: newKeyed(c.AddressRate, c.AddressBurst), now: now}
}

// Merchant takes one request of a merchant.
func (l *Limiter) Merchant(id string) error {
	if l == nil {
		return nil
	}
	return l.merchants.take(id, "merchant", l.now())
}

// Address takes one request of the client address in ctx (see WithAddress);
// a context without one is not limited here.
func (l *Limiter) Address(ctx context.Context) error {
	if l == nil {
		return nil
	}
	a, ok := ctx.Value(addressKey{}).(string)
	if !ok || a == "" {
		return nil
	}
	return l.addresses.take(a, "address", l.now())
}

type addressKey struct{}

// WithAddress stores the request's client address (the TCP peer; proxies
// are not trusted) in its context.
func WithAddress(r *http.Request) *http.Request {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return r.WithContext(context.WithValue(r.Context(), addressKey{}, host))
}

// keyed is a set of token buckets by key, forgetting idle keys.
type keyed struct {
	limit rate.Limit
	burst int
	mu    sync.Mutex
	m     map[string]*bucket
	swept time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// maxKeys bounds memory: past it, idle buckets (full again) are dropped.
const maxKeys = 100_000

func newKeyed(perSecond float64, burst int) *keyed {
	if perSecond <= 0 {
		return nil
	}
	return &keyed{limit: rate.Limit(perSecond), burst: max(1, burst), m: map[string]*bucket{}}
}

func (k *keyed) take(key, scope string, now time.Time) error {
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.m) >= maxKeys || now.Sub(k.swept) > time.Minute {
		k.sweep(now)
	}
	b := k.m[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(k.limit, k.burst)}
		k.m[key] = b
	}
	b.seen = now
	r := b.l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &kyc.RateLimitError{Scope: scope, RetryAfter: d}
	}
	return nil
}

// sweep drops buckets idle long enough to be full again.
func (k *keyed) sweep(now time.Time) {
	full := time.Duration(float64(k.burst)/float64(k.limit)*float64(time.Second)) + time.Second
	for key, b := range k.m {
		if now.Sub(b.seen) > full {
			delete(k.m, key)
		}
	}
	k.swept = now
}
