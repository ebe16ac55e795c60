package console

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/review"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/webhook"
)

type deliveryRow struct {
	store.DeliveryRow
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
	failed := ""
	if v.FailedOnly {
		failed = "1"
	}
	const pageSize = 50
	rows, err := h.d.Store.RecentDeliveries(r.Context(), scopeOf(u), v.Merchant, failed, q.Get("before"), pageSize)
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

func scopeOf(u *user) store.Scope { return review.Scope(u.Account) }

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
	now := h.cfg.Now().UTC()
	if err := h.d.Store.InTx(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(r.Context(), p, now, "webhook.redelivered", "event", id, map[string]any{})
	}); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/webhooks", "Event "+id+" queued for redelivery.")
}

type listsView struct {
	Loaded   []screening.Version
	History  []store.ListVersion
	Alerts   []store.Alert
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
	if v.History, err = h.d.Store.ListVersions(r.Context(), 100); err != nil {
		h.fail(w, r, u, err)
		return
	}
	if v.Alerts, err = h.d.Store.RecentAlerts(r.Context(), scopeOf(u), 100); err != nil {
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
	Merchant  kyc.Merchant
	Review    store.ReviewSettings
	Levels    []policy.Level
	Endpoints []webhook.Endpoint
	Blocklist []verification.BlocklistEntry
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
		p := kyc.Principal{MerchantID: m.ID, Actor: review.Actor(u.Account)}
		s := merchantSettings{Merchant: m}
		if s.Review, err = h.d.Store.ReviewSettingsOf(r.Context(), m.ID); err == nil {
			if s.Levels, err = h.d.Verifications.Levels(r.Context(), p); err == nil {
				if s.Endpoints, err = h.d.Webhooks.ListEndpoints(r.Context(), p); err == nil {
					s.Blocklist, err = h.d.Verifications.BlocklistEntries(r.Context(), p)
				}
			}
		}
		if err != nil {
			h.fail(w, r, u, err)
			return
		}
		out = append(out, s)
	}
	h.render(w, r, http.StatusOK, "settings.html", page{Title: "Merchant settings", User: u, Nav: "settings", Data: out})
}

func (h *Handler) putSettings(w http.ResponseWriter, r *http.Request, u *user) {
	sla, err := strconv.Atoi(r.PostFormValue("sla_hours"))
	if err != nil {
		h.fail(w, r, u, kyc.Invalid("sla_hours", "format", "must be a whole number of hours"))
		return
	}
	rs := store.ReviewSettings{MerchantID: r.PathValue("merchant"), FourEyes: r.PostFormValue("four_eyes"), SLAHours: sla}
	if !u.CanSee(rs.MerchantID) {
		h.fail(w, r, u, kyc.ErrNotFound)
		return
	}
	if _, err := h.d.Review.PutSettings(r.Context(), u.Account, rs); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, "/console/settings", "Review settings saved.")
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
		n, err := h.d.Store.VerifyAuditChain(r.Context(), m.ID)
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
