// Package console is the review console for compliance staff at /console/:
// sign-in, the queue, the case view with its evidence, decisions with the
// optional four-eyes rule, and the operations pages (webhook deliveries,
// sanctions lists and alerts, merchant review settings, audit chains).
// Pages are server-rendered html/template with htmx; nothing is loaded
// from elsewhere.
package console

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"

	"github.com/openkyc/openkyc/internal/hostedlink"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/level"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/review"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/webhook"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are the services the console uses.
type Deps struct {
	Keys          *crypto.Keyring
	Staff         *staff.Service
	Review        *review.Service
	Verifications *verification.Service
	Erasure       *verification.Erasure
	Applicants    *applicant.Service
	Levels        *level.Service
	Merchants     *merchant.Service
	Webhooks      *webhook.Service
	Screening     *screening.Screener
	Links         *hostedlink.Service // the hosted page's embedding origins
	Analytics     *analytics.Service
	Log           *slog.Logger
	// Degraded says what keeps checks from running on this server (lists,
	// engines); signed-in pages show it in a banner. nil: nothing.
	Degraded func() []string
}

// Config configures the console.
type Config struct {
	IdleTimeout time.Duration // a session unused this long ends (default 30 min)
	MaxAge      time.Duration // a session ends this long after sign-in whatever its use (default 12 h)
	DocumentTTL time.Duration // lifetime of a signed document URL (default 5 min)
	Now         func() time.Time
}

// Handler serves /console/.
type Handler struct {
	d       Deps
	cfg     Config
	tmpl    *template.Template
	limiter *loginLimiter
}

// New returns the console.
func New(d Deps, cfg Config) *Handler {
	if d.Keys == nil || d.Staff == nil || d.Review == nil || d.Verifications == nil || d.Erasure == nil || d.Applicants == nil || d.Levels == nil ||
		d.Merchants == nil || d.Webhooks == nil {
		panic("console.New: a service of Deps is nil (only Screening, Log and Degraded may be)") // wiring: fail at start
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 12 * time.Hour
	}
	if cfg.DocumentTTL <= 0 {
		cfg.DocumentTTL = 5 * time.Minute
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &Handler{d: d, cfg: cfg, limiter: newLoginLimiter(cfg.Now)}
	h.tmpl = template.Must(template.New("").Funcs(h.funcs()).ParseFS(templateFS, "templates/*.html"))
	return h
}

// CSP is the console's Content-Security-Policy: own scripts and styles only;
// images from the console (signed document URLs) and data: (face crops).
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Routes mounts the console. Cross-origin state changes are refused twice:
// by http.CrossOriginProtection (Sec-Fetch-Site / Origin) and by the
// session's CSRF token.
func (h *Handler) Routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	cop := http.NewCrossOriginProtection()
	handle := func(pattern string, hd http.Handler) { mux.Handle(pattern, secure(cop.Handler(hd))) }
	mux.Handle("GET /assets/console/", secure(http.StripPrefix("/assets/console/", http.FileServerFS(static))))
	handle("GET /console/{$}", h.authed(func(w http.ResponseWriter, r *http.Request, _ *user) {
		http.Redirect(w, r, "/console/queue", http.StatusSeeOther)
	}))
	handle("GET /console/login", http.HandlerFunc(h.loginPage))
	handle("POST /console/login", http.HandlerFunc(h.login))
	handle("POST /console/logout", h.authed(h.logout))
	handle("GET /console/password", h.authed(h.passwordPage))
	handle("POST /console/password", h.authed(h.changePassword))
	handle("GET /console/queue", h.authed(h.queue))
	handle("GET /console/cases/{id}", h.authed(h.casePage))
	handle("POST /console/cases/{id}/claim", h.authed(h.claim))
	handle("POST /console/cases/{id}/release", h.authed(h.release))
	handle("POST /console/cases/{id}/assign", h.authed(h.assign))
	handle("POST /console/cases/{id}/decide", h.authed(h.decide))
	handle("POST /console/cases/{id}/confirm", h.authed(h.confirm))
	handle("POST /console/cases/{id}/withdraw", h.authed(h.withdraw))
	handle("POST /console/cases/{id}/hits", h.authed(h.resolveHit))
	handle("POST /console/cases/{id}/applicant/export", h.authed(h.exportApplicant))
	handle("POST /console/cases/{id}/applicant/delete", h.authed(h.deleteApplicant))
	handle("POST /console/cases/{id}/applicant/restore", h.authed(h.restoreApplicant))
	handle("GET /console/documents/{merchant}/{id}", h.authed(h.document))
	handle("GET /console/documents/{merchant}/{id}/ela", h.authed(h.ela))
	handle("GET /console/webhooks", h.authed(h.webhooks))
	handle("POST /console/events/{merchant}/{id}/redeliver", h.authed(h.redeliver))
	handle("GET /console/lists", h.authed(h.lists))
	handle("GET /console/settings", h.authed(h.settings))
	handle("POST /console/settings/{merchant}", h.authed(h.putSettings))
	handle("POST /console/settings/{merchant}/dialects/{dialect}", h.authed(h.putDialect))
	handle("POST /console/settings/{merchant}/levels", h.authed(h.putLevel))
	handle("POST /console/settings/{merchant}/retention", h.authed(h.putRetention))
	handle("POST /console/settings/{merchant}/embedding", h.authed(h.putEmbedding))
	handle("POST /console/settings/{merchant}/blocklist", h.authed(h.addBlock))
	handle("POST /console/settings/{merchant}/blocklist/{id}/remove", h.authed(h.removeBlock))
	handle("GET /console/audit", h.authed(h.auditPage))
	handle("GET /console/analytics", h.authed(h.analyticsPage))
	handle("GET /console/analytics.csv", h.authed(h.analyticsCSV))
}

// secure sets the headers of every console response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", CSP)
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			hd.Set("Cache-Control", "public, max-age=3600")
		} else {
			hd.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// page is what every template gets.
type page struct {
	Title string
	User  *user
	CSRF  string
	Nav   string
	Error string
	Field string
	Flash string
	Data  any
	// Degraded: what keeps checks from running (the banner).
	Degraded []string
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if p.User != nil {
		p.CSRF = p.User.csrf
		if h.d.Degraded != nil {
			p.Degraded = h.d.Degraded()
		}
	}
	if p.Flash == "" {
		p.Flash = flashes[flash(r.URL.Query().Get("done"))] // unknown keys show nothing
	}
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		h.d.Log.ErrorContext(r.Context(), "console template failed", "template", name, "error", err, "request_id", httpmw.RequestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, u *user, status int, msg string) {
	h.render(w, r, status, "error.html", page{Title: http.StatusText(status), User: u, Error: msg})
}

// fail maps a service error to a page, in this one place. Errors of no
// known category are logged and shown as a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, u *user, err error) {
	var fe *kyc.FieldError
	var ce *kyc.ConflictError
	switch {
	case errors.As(err, &fe) && errors.Is(err, kyc.ErrNotFound):
		h.errorPage(w, r, u, http.StatusNotFound, fe.Msg)
	case errors.As(err, &fe):
		h.render(w, r, http.StatusUnprocessableEntity, "error.html", page{Title: "Check the form", User: u, Field: fe.Field,
			Error: fmt.Sprintf("%s: %s", fe.Field, fe.Msg)})
	case errors.As(err, &ce):
		h.errorPage(w, r, u, http.StatusConflict, ce.Msg)
	case errors.Is(err, kyc.ErrNotFound):
		h.errorPage(w, r, u, http.StatusNotFound, "Not found, or not one of your merchants.")
	case errors.Is(err, kyc.ErrForbidden):
		h.errorPage(w, r, u, http.StatusForbidden, "Your role may not do this.")
	default:
		h.d.Log.ErrorContext(r.Context(), "console request failed", "error", err, "request_id", httpmw.RequestID(r.Context()))
		h.errorPage(w, r, u, http.StatusInternalServerError, "Something went wrong; quote request id "+httpmw.RequestID(r.Context())+".")
	}
}

// flash is the key of a message shown after a change. The page after the
// redirect reads the key from ?done= and shows its fixed message: the link
// carries no text of its own, so no one can make the console say anything.
type flash string

// Flash keys.
const (
	flashClaimed           flash = "claimed"
	flashReleased          flash = "released"
	flashAssigned          flash = "assigned"
	flashProposed          flash = "proposed"
	flashApproved          flash = "approved"
	flashRejected          flash = "rejected"
	flashResubmit          flash = "resubmit"
	flashConfirmedApproved flash = "confirmed_approved"
	flashConfirmedRejected flash = "confirmed_rejected"
	flashWithdrawn         flash = "withdrawn"
	flashHitDismissed      flash = "hit_dismissed"
	flashHitProposed       flash = "hit_proposed"
	flashHitConfirmed      flash = "hit_confirmed"
	flashPassword          flash = "password"
	flashRedelivered       flash = "redelivered"
	flashCallbacks         flash = "callbacks"
	flashLevel             flash = "level"
	flashBlockAdded        flash = "block_added"
	flashBlockRemoved      flash = "block_removed"
	flashReview            flash = "review"
	flashRetention         flash = "retention"
	flashEmbedding         flash = "embedding"
	flashPurged            flash = "purged"
	flashDeleted           flash = "deleted"
	flashRestored          flash = "restored"
)

var flashes = map[flash]string{
	flashClaimed:           "Case claimed.",
	flashReleased:          "Case released to the queue.",
	flashAssigned:          "Case assigned.",
	flashProposed:          "Decision proposed; a second reviewer must confirm it.",
	flashApproved:          "Decided: approved.",
	flashRejected:          "Decided: rejected.",
	flashResubmit:          "Decided: the user is asked for documents again.",
	flashConfirmedApproved: "Confirmed: approved.",
	flashConfirmedRejected: "Confirmed: rejected.",
	flashWithdrawn:         "Proposal withdrawn.",
	flashHitDismissed:      "Hit dismissed: not this person.",
	flashHitProposed:       "Hit confirmed; the final rejection waits for a second reviewer.",
	flashHitConfirmed:      "Hit confirmed: rejected (final, SANCTIONS_HIT).",
	flashPassword:          "Password changed; your other sessions were signed out.",
	flashRedelivered:       "Event queued for redelivery.",
	flashCallbacks:         "Callback settings saved.",
	flashLevel:             "Level saved as a new version.",
	flashBlockAdded:        "Blocklist entry added.",
	flashBlockRemoved:      "Blocklist entry removed.",
	flashReview:            "Review settings saved.",
	flashRetention:         "Retention settings saved.",
	flashEmbedding:         "Embedding origins saved.",
	flashPurged:            "Applicant purged: only the tombstone remains.",
	flashDeleted:           "Applicant deleted; it is purged at the end of the restore window unless restored.",
	flashRestored:          "Applicant restored.",
}

// done redirects after a successful change (post/redirect/get), with the
// key of the message to show.
func done(w http.ResponseWriter, r *http.Request, to string, key flash) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	to += sep + "done=" + url.QueryEscape(string(key))
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"age":   func(t time.Time) string { return roundAge(h.cfg.Now().Sub(t)) },
		"dur":   roundAge,
		"ms":    func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) },
		"pct":   func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
		"score": func(f float64) string { return fmt.Sprintf("%.3f", f) },
		// duration: seconds as the largest unit that fits, "≤" a bucket's bound
		"duration": func(sec float64) string {
			switch {
			case sec == 0:
				return "–"
			case sec < 120:
				return fmt.Sprintf("≤ %.0f s", sec)
			case sec < 2*3600:
				return fmt.Sprintf("≤ %.0f min", sec/60)
			case sec < 2*86400:
				return fmt.Sprintf("≤ %.1f h", sec/3600)
			}
			return fmt.Sprintf("≤ %.1f days", sec/86400)
		},
		"jpeg": func(b []byte) template.URL {
			return template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b))
		},
		"pretty": func(b []byte) string {
			var buf bytes.Buffer
			if json.Indent(&buf, b, "", "  ") != nil {
				return string(b)
			}
			return buf.String()
		},
		// bdi shows text that came from outside (names, ids, references,
		// e-mails, notes) isolated from the page's direction, with control
		// and format characters made visible, so "\u202egpj.exe" cannot pass
		// for "exe.jpg" — data stored before the identifier rule included.
		"bdi": func(s string) template.HTML {
			if s == "" {
				return ""
			}
			return template.HTML("<bdi>" + template.HTMLEscapeString(kyc.ShowHidden(s)) + "</bdi>")
		},
		// vis is bdi's text alone, where no element may go (option labels).
		"vis":       kyc.ShowHidden,
		"join":      strings.Join,
		"isRole":    func(u *user, role string) bool { return u != nil && u.Role == role },
		"canDecide": func(u *user) bool { return u != nil && u.Role != staff.RoleAuditor },
	}
}

func roundAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}
