package console

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/openkyc/openkyc/internal/staff"
)

// CookieName is the session cookie. It is HttpOnly, Secure, SameSite=Strict
// and scoped to /console/.
const CookieName = "openkyc_console"

// sessionKey carries the signed-in user through a request.
type sessionKey struct{}

// user is the signed-in account of a request.
type user struct {
	staff.Account
	tokenHash string
	csrf      string
}

func current(r *http.Request) *user {
	u, _ := r.Context().Value(sessionKey{}).(*user)
	return u
}

// startSession stores a new session and sets its cookie.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, a staff.Account) error {
	token, err := h.d.Staff.StartSession(r.Context(), a, h.cfg.Now().UTC(), h.cfg.MaxAge)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/console/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(h.cfg.MaxAge / time.Second)})
	return nil
}

func clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/console/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// errNoSession is a missing, unknown, idle or expired session.
var errNoSession = staff.ErrNoSession

// session resolves the request's session (staff.Service.ResolveSession:
// within its absolute lifetime, used within the idle timeout, its account
// active).
func (h *Handler) session(r *http.Request) (*user, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, errNoSession
	}
	s, err := h.d.Staff.ResolveSession(r.Context(), c.Value, h.cfg.Now().UTC(), h.cfg.IdleTimeout)
	if err != nil {
		return nil, err
	}
	return &user{Account: s.Account, tokenHash: s.TokenHash, csrf: s.CSRFToken}, nil
}

// authed wraps pages that need a signed-in user; state-changing requests
// must also carry the session's CSRF token (form field csrf_token or header
// X-CSRF-Token), compared in constant time.
func (h *Handler) authed(next func(http.ResponseWriter, *http.Request, *user)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := h.session(r)
		if errors.Is(err, errNoSession) {
			clearCookie(w)
			if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
				http.Redirect(w, r, "/console/login?next="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("HX-Redirect", "/console/login")
			h.errorPage(w, r, nil, http.StatusUnauthorized, "Your session has ended. Sign in again.")
			return
		}
		if err != nil {
			h.fail(w, r, nil, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = r.PostFormValue("csrf_token")
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(u.csrf)) != 1 {
				h.errorPage(w, r, u, http.StatusForbidden, "The form was out of date or came from another site (CSRF check). Reload the page and try again.")
				return
			}
		}
		ctx := context.WithValue(r.Context(), sessionKey{}, u)
		next(w, r.WithContext(ctx), u)
	})
}

// safeNext keeps a post-login destination only when it is a console path.
func safeNext(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(p, "/console/") || len(p) > 2000 ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/console/queue"
	}
	return p
}

// loginLimiter slows password guessing: each client address gets a token
// bucket, and each e-mail is locked for LockFor after MaxFailures failures
// within LockFor. State is per process (each replica limits on its own).
type loginLimiter struct {
	mu       sync.Mutex
	perIP    map[string]*ipLimit
	failures map[string][]time.Time
	now      func() time.Time
}

type ipLimit struct {
	l    *rate.Limiter
	seen time.Time
}

// Login limits.
const (
	LoginBurst   = 10                     // attempts at once per address
	LoginEvery   = 6 * time.Second        // one more attempt per address this often
	MaxFailures  = 5                      // failed logins of one e-mail before it is locked
	LockFor      = 15 * time.Minute       // lock and failure window
	limiterPrune = 10 * time.Minute       // idle addresses are forgotten after this
	maxTracked   = 100_000                // bound on remembered addresses and e-mails
	loginWait    = 250 * time.Millisecond // floor of a failed login's answer
)

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{perIP: map[string]*ipLimit{}, failures: map[string][]time.Time{}, now: now}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allow reports whether a login attempt from ip for email may be tried and,
// when not, how long until it may: the address's next token or the end of
// the e-mail's lock, whichever is later.
func (l *loginLimiter) allow(ip, email string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.perIP) > maxTracked || len(l.failures) > maxTracked {
		l.prune(now)
	}
	il := l.perIP[ip]
	if il == nil {
		il = &ipLimit{l: rate.NewLimiter(rate.Every(LoginEvery), LoginBurst)}
		l.perIP[ip] = il
	}
	il.seen = now
	var wait time.Duration
	if !il.l.AllowN(now, 1) {
		wait = time.Duration((1 - il.l.TokensAt(now)) * float64(LoginEvery))
	}
	// The lock lasts until enough failures leave the window that fewer
	// than MaxFailures remain.
	if fs := l.recent(email, now); len(fs) >= MaxFailures {
		wait = max(wait, fs[len(fs)-MaxFailures].Add(LockFor).Sub(now))
	}
	return wait == 0, wait
}

// retryAfter is a Retry-After value: whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

func (l *loginLimiter) recent(email string, now time.Time) []time.Time {
	fs := l.failures[email]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= LockFor {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, email)
	} else {
		l.failures[email] = fs
	}
	return fs
}

func (l *loginLimiter) failed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[email] = append(l.failures[email], l.now())
}

func (l *loginLimiter) succeeded(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, email)
}

func (l *loginLimiter) prune(now time.Time) {
	for ip, il := range l.perIP {
		if now.Sub(il.seen) > limiterPrune {
			delete(l.perIP, ip)
		}
	}
	for e := range l.failures {
		l.recent(e, now)
	}
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
