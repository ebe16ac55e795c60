package console

import (
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/staff"
)

type loginView struct {
	Email, Next string
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	if u, err := h.session(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		_ = u
		return
	}
	h.render(w, r, http.StatusOK, "login.html", page{Title: "Sign in", Data: loginView{Next: safeNext(r.URL.Query().Get("next"))}})
}

// login checks e-mail and password. Every failure gets the same answer and
// takes at least loginWait; the limiter refuses bursts per address and
// locks an e-mail after repeated failures.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	email, password := normEmail(r.PostFormValue("email")), r.PostFormValue("password")
	v := loginView{Email: email, Next: safeNext(r.PostFormValue("next"))}
	if len(email) > 254 || utf8.RuneCountInString(password) > staff.MaxPassword {
		h.render(w, r, http.StatusUnprocessableEntity, "login.html", page{Title: "Sign in", Error: "Wrong e-mail or password.", Data: v})
		return
	}
	if ok, wait := h.limiter.allow(clientIP(r), email); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		h.render(w, r, http.StatusTooManyRequests, "login.html", page{Title: "Sign in",
			Error: "Too many sign-in attempts. Wait a few minutes and try again.", Data: v})
		return
	}
	start := time.Now()
	a, err := h.d.Staff.Authenticate(r.Context(), email, password)
	if errors.Is(err, staff.ErrBadLogin) {
		h.limiter.failed(email)
		h.d.Log.WarnContext(r.Context(), "console sign-in failed", "client", clientIP(r))
		if d := loginWait - time.Since(start); d > 0 {
			time.Sleep(d)
		}
		h.render(w, r, http.StatusUnauthorized, "login.html", page{Title: "Sign in", Error: "Wrong e-mail or password.", Data: v})
		return
	}
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.limiter.succeeded(email)
	if err := h.startSession(w, r, a); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.d.Log.InfoContext(r.Context(), "console sign-in", "staff_id", a.ID, "role", a.Role)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, u *user) {
	if err := h.d.Staff.EndSession(r.Context(), u.tokenHash); err != nil {
		h.fail(w, r, u, err)
		return
	}
	clearCookie(w)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

func (h *Handler) passwordPage(w http.ResponseWriter, r *http.Request, u *user) {
	h.render(w, r, http.StatusOK, "password.html", page{Title: "Change password", User: u, Nav: "password"})
}

// changePassword needs the current password; it ends the account's other
// sessions.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, u *user) {
	cur, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	fail := func(status int, field, msg string) {
		h.render(w, r, status, "password.html", page{Title: "Change password", User: u, Nav: "password", Field: field, Error: msg})
	}
	if ok, wait := h.limiter.allow(clientIP(r), u.Email); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		fail(http.StatusTooManyRequests, "current", "Too many attempts. Wait a few minutes and try again.")
		return
	}
	if _, err := h.d.Staff.Authenticate(r.Context(), u.Email, cur); err != nil {
		h.limiter.failed(u.Email)
		fail(http.StatusUnprocessableEntity, "current", "current: the current password is wrong")
		return
	}
	if next != again {
		fail(http.StatusUnprocessableEntity, "again", "again: the new passwords differ")
		return
	}
	err := h.d.Staff.ChangePassword(r.Context(), u.ID, next, u.tokenHash, h.cfg.Now().UTC())
	var fe *kyc.FieldError
	if errors.As(err, &fe) {
		fail(http.StatusUnprocessableEntity, "new", "new: must be 12 to 256 characters")
		return
	}
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	h.d.Log.InfoContext(r.Context(), "console password changed", "staff_id", u.ID)
	done(w, r, "/console/password", flashPassword)
}
