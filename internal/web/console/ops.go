package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/check/basic"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/review"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/webhook"
)

type deliveryRow struct {
	review.DeliveryRow
	Merchant string
	Preview  string
}

type webhooksView struct {
	Rows       []deliveryRow
	Merchants  []kyc.Merchant
	Merchant   string
	FailedOnly bool
	Next       string // cursor of the next page
}

// webhooks is the delivery log of the visible merchants, newest first.
func (h *Handler) webhooks(w http.ResponseWriter, r *http.Request, u *user) {
	q := r.URL.Query()
	ms, names, err := h.merchants(r, u)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	v := webhooksView{Merchants: ms, Merchant: q.Get("merchant"), FailedOnly: q.Get("failed") != ""}
	if v.Merchant != "" && !u.CanSee(v.Merchant) {
		h.fail(w, r, u, kyc.ErrNotFound)
		return
	}
	const pageSize = 50
	rows, err := h.d.Review.Deliveries(r.Context(), u.Account, v.Merchant, v.FailedOnly, q.Get("before"), pageSize)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	for _, d := range rows {
		v.Rows = append(v.Rows, deliveryRow{DeliveryRow: d, Merchant: names[d.MerchantID], Preview: webhook.Preview(d.Payload, 300)})
	}
	if len(rows) == pageSize {
		v.Next = rows[len(rows)-1].ID
	}
	h.render(w, r, http.StatusOK, "webhooks.html", page{Title: "Webhook deliveries", User: u, Nav: "webhooks", Data: v})
}

// redeliver queues an event again to every current target (reviewers and
// admins of the event's merchant), audited.
func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request, u *user) {
	merchantID, id := r.PathValue("merchant"), r.PathValue("id")
	if !u.CanSee(merchantID) {
		h.fail(w, r, u, kyc.ErrNotFound)
		return
	}
	if u.Role == staff.RoleAuditor {
		h.fail(w, r, u, kyc.ErrForbidden)
		return
	}
	p := kyc.Principal{MerchantID: merchantID, Actor: review.Actor(u.Account)}
	if err := h.d.Webhooks.Redeliver(r.Context(), p, id); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/webhooks", flashRedelivered)
}

type listsView struct {
	Loaded   []screening.Version
	History  []verification.ListVersion
	Alerts   []review.Alert
	Names    map[string]string
	HasLists bool
}

// lists shows the list versions in force here, their history, and the
// monitoring alerts of the visible merchants.
func (h *Handler) lists(w http.ResponseWriter, r *http.Request, u *user) {
	v := listsView{}
	if h.d.Screening != nil && h.d.Screening.Loaded() {
		v.Loaded, v.HasLists = h.d.Screening.Versions(), true
	}
	var err error
	if v.History, err = h.d.Verifications.ListVersions(r.Context(), 100); err != nil {
		h.fail(w, r, u, err)
		return
	}
	if v.Alerts, err = h.d.Review.Alerts(r.Context(), u.Account, 100); err != nil {
		h.fail(w, r, u, err)
		return
	}
	if _, v.Names, err = h.merchants(r, u); err != nil {
		h.fail(w, r, u, err)
		return
	}
	h.render(w, r, http.StatusOK, "lists.html", page{Title: "Sanctions lists", User: u, Nav: "lists", Data: v})
}

type merchantSettings struct {
	Merchant   kyc.Merchant
	Review     review.Settings
	Retention  applicant.RetentionSettings
	Levels     []levelView
	Endpoints  []webhook.Endpoint
	Blocklist  []applicant.BlocklistEntry
	Dialects   []merchant.Settings
	BlockKinds []string
	// EmbedOrigins may embed the merchant's hosted page (openkyc.js).
	EmbedOrigins []string
}

type levelView struct {
	policy.Level
	JSON string // for the editor
}

// settings shows each visible merchant's review rules, levels, webhook
// endpoints and blocklist; admins change the review rules here.
func (h *Handler) settings(w http.ResponseWriter, r *http.Request, u *user) {
	ms, _, err := h.merchants(r, u)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	var out []merchantSettings
	for _, m := range ms {
		s, err := h.merchantSettings(r, u, m)
		if err != nil {
			h.fail(w, r, u, err)
			return
		}
		out = append(out, s)
	}
	h.render(w, r, http.StatusOK, "settings.html", page{Title: "Merchant settings", User: u, Nav: "settings", Data: out})
}

func (h *Handler) merchantSettings(r *http.Request, u *user, m kyc.Merchant) (merchantSettings, error) {
	ctx := r.Context()
	p := kyc.Principal{MerchantID: m.ID, Actor: review.Actor(u.Account)}
	s := merchantSettings{Merchant: m, BlockKinds: basic.BlocklistKinds}
	var err error
	if s.Review, err = h.d.Review.Settings(ctx, u.Account, m.ID); err != nil {
		return s, err
	}
	if s.Retention, err = h.d.Applicants.Retention(ctx, p); err != nil {
		return s, err
	}
	if h.d.Links != nil {
		if s.EmbedOrigins, err = h.d.Links.EmbedOrigins(ctx, m.ID); err != nil {
			return s, err
		}
	}
	levels, err := h.d.Levels.List(ctx, p)
	if err != nil {
		return s, err
	}
	for _, l := range levels {
		b, _ := json.MarshalIndent(l, "", "  ")
		s.Levels = append(s.Levels, levelView{Level: l, JSON: string(b)})
	}
	if s.Endpoints, err = h.d.Webhooks.ListEndpoints(ctx, p); err != nil {
		return s, err
	}
	if s.Blocklist, err = h.d.Applicants.Blocklist().Entries(ctx, p); err != nil {
		return s, err
	}
	for _, d := range kyc.Dialects {
		ds, err := h.d.Merchants.Settings(ctx, m.ID, d)
		if err != nil {
			return s, err
		}
		s.Dialects = append(s.Dialects, ds)
	}
	return s, nil
}

// adminOf admits an admin to change a merchant's settings.
func (h *Handler) adminOf(w http.ResponseWriter, r *http.Request, u *user) (kyc.Principal, bool) {
	m := r.PathValue("merchant")
	if u.Role != staff.RoleAdmin {
		h.fail(w, r, u, fmt.Errorf("only admins change settings: %w", kyc.ErrForbidden))
		return kyc.Principal{}, false
	}
	if _, err := h.d.Merchants.ByID(r.Context(), m); err != nil {
		h.fail(w, r, u, err)
		return kyc.Principal{}, false
	}
	return kyc.Principal{MerchantID: m, Actor: review.Actor(u.Account)}, true
}

// putDialect changes a dialect's callback URL and acknowledgement (admins).
func (h *Handler) putDialect(w http.ResponseWriter, r *http.Request, u *user) {
	p, ok := h.adminOf(w, r, u)
	if !ok {
		return
	}
	cb, ack := strings.TrimSpace(r.PostFormValue("callback_url")), strings.TrimSpace(r.PostFormValue("ack"))
	d, _ := kyc.ParseDialect(r.PathValue("dialect")) // an unknown name is refused by UpdateSettings
	if _, err := h.d.Merchants.UpdateSettings(r.Context(), p, d, merchant.SettingsPatch{CallbackURL: &cb, Ack: &ack}); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", flashCallbacks)
}

// putLevel stores a level edited as JSON (admins); the version increases.
func (h *Handler) putLevel(w http.ResponseWriter, r *http.Request, u *user) {
	p, ok := h.adminOf(w, r, u)
	if !ok {
		return
	}
	var l policy.Level
	dec := json.NewDecoder(strings.NewReader(r.PostFormValue("level")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		h.fail(w, r, u, kyc.Invalid("level", "format", "not a level in JSON: %s", jsonProblem(err)))
		return
	}
	l, err := h.d.Levels.Put(r.Context(), p, l)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", flashLevel)
}

// jsonProblem describes a JSON error without echoing the input.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %s must be %s", te.Field, kyc.JSONKind(te.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "it cannot be read"
}

// addBlock adds a blocklist entry (admins).
func (h *Handler) addBlock(w http.ResponseWriter, r *http.Request, u *user) {
	p, ok := h.adminOf(w, r, u)
	if !ok {
		return
	}
	if _, err := h.d.Applicants.Blocklist().Add(r.Context(), p, r.PostFormValue("kind"), r.PostFormValue("value"), r.PostFormValue("note")); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", flashBlockAdded)
}

// removeBlock removes a blocklist entry (admins).
func (h *Handler) removeBlock(w http.ResponseWriter, r *http.Request, u *user) {
	p, ok := h.adminOf(w, r, u)
	if !ok {
		return
	}
	if err := h.d.Applicants.Blocklist().Remove(r.Context(), p, r.PathValue("id")); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", flashBlockRemoved)
}

func (h *Handler) putSettings(w http.ResponseWriter, r *http.Request, u *user) {
	sla, err := strconv.Atoi(r.PostFormValue("sla_hours"))
	if err != nil {
		h.fail(w, r, u, kyc.Invalid("sla_hours", "format", "must be a whole number of hours"))
		return
	}
	rs := review.Settings{MerchantID: r.PathValue("merchant"), FourEyes: r.PostFormValue("four_eyes"), SLAHours: sla}
	if !u.CanSee(rs.MerchantID) {
		h.fail(w, r, u, kyc.ErrNotFound)
		return
	}
	if _, err := h.d.Review.PutSettings(r.Context(), u.Account, rs); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", flashReview)
}

// putRetention changes a merchant's retention settings (admins).
func (h *Handler) putRetention(w http.ResponseWriter, r *http.Request, u *user) {
	p, ok := h.adminOf(w, r, u)
	if !ok {
		return
	}
	var rs applicant.RetentionSettings
	for _, f := range []struct {
		name string
		dst  *int
	}{{"documents_days", &rs.DocumentsDays}, {"pii_days", &rs.PIIDays}, {"restore_days", &rs.RestoreDays}} {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			h.fail(w, r, u, kyc.Invalid(f.name, "format", "%s must be a whole number of days", f.name))
			return
		}
		*f.dst = n
	}
	if _, err := h.d.Applicants.SetRetention(r.Context(), p, rs); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", flashRetention)
}

// putEmbedding sets the origins that may embed a merchant's hosted page
// (admins): one per line.
func (h *Handler) putEmbedding(w http.ResponseWriter, r *http.Request, u *user) {
	p, ok := h.adminOf(w, r, u)
	if !ok {
		return
	}
	if h.d.Links == nil {
		h.fail(w, r, u, fmt.Errorf("hosted links are not configured: %w", kyc.ErrNotFound))
		return
	}
	var origins []string
	for _, line := range strings.Split(r.PostFormValue("embed_origins"), "\n") {
		if o := strings.TrimSpace(line); o != "" {
			origins = append(origins, o)
		}
	}
	if _, err := h.d.Links.SetEmbedOrigins(r.Context(), p, origins); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", flashEmbedding)
}

type chainStatus struct {
	Merchant kyc.Merchant
	Entries  int64
	Broken   string
}

// auditPage verifies the audit chain of each visible merchant.
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, u *user) {
	ms, _, err := h.merchants(r, u)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	var out []chainStatus
	for _, m := range ms {
		n, err := h.d.Review.VerifyAuditChain(r.Context(), u.Account, m.ID)
		cs := chainStatus{Merchant: m, Entries: n}
		var bl *audit.BrokenLink
		switch {
		case errors.As(err, &bl):
			cs.Broken = bl.Error()
		case err != nil:
			h.fail(w, r, u, err)
			return
		}
		out = append(out, cs)
	}
	h.render(w, r, http.StatusOK, "audit.html", page{Title: "Audit chains", User: u, Nav: "audit", Data: out})
}
