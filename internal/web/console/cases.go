package console

import (
	"bytes"
	"crypto/hmac"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/review"
	"github.com/openkyc/openkyc/internal/staff"
)

// merchantNames maps the visible merchants' ids to names.
func (h *Handler) merchants(r *http.Request, u *user) ([]kyc.Merchant, map[string]string, error) {
	out, err := h.d.Review.Merchants(r.Context(), u.Account)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, m := range out {
		names[m.ID] = m.Name
	}
	return out, names, nil
}

type queueRow struct {
	review.QueueItem
	Merchant string
	Findings []review.Finding
	Overdue  bool
}

type queueView struct {
	Filter    url.Values
	Recent    bool
	Rows      []queueRow
	Counts    []stateCount
	Merchants []kyc.Merchant
	Reasons   []string
	Checks    []kyc.CheckKind
	NextURL   string // the following page ("" on the last)
}

type stateCount struct {
	State kyc.State
	N     int
}

var states = []kyc.State{kyc.StateCreated, kyc.StateSubmitted, kyc.StateProcessing, kyc.StateReview, kyc.StateCompleted, kyc.StateExpired, kyc.StateCancelled}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request, u *user) {
	q := r.URL.Query()
	f := review.QueueFilter{MerchantID: q.Get("merchant"), Recent: q.Get("view") == "recent", Reason: q.Get("reason"), CheckKind: kyc.CheckKind(q.Get("check")),
		Newest: q.Get("sort") == "newest", After: q.Get("after")}
	if a := q.Get("min_age"); a != "" {
		hours, err := strconv.Atoi(a)
		if err != nil || hours < 0 || hours > 24*365 {
			h.fail(w, r, u, kyc.Invalid("min_age", "range", "must be a number of hours from 0 to 8760"))
			return
		}
		f.MinAge = time.Duration(hours) * time.Hour
	}
	res, err := h.d.Review.Queue(r.Context(), u.Account, f)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	ms, names, err := h.merchants(r, u)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	v := queueView{Filter: q, Recent: f.Recent, Merchants: ms, Reasons: review.ReasonCodes, Checks: policy.KnownChecks}
	now := h.cfg.Now()
	for _, it := range res.Items {
		m := it.Verification.MerchantID
		v.Rows = append(v.Rows, queueRow{QueueItem: it, Merchant: names[m], Findings: latestFindings(res.Findings[it.Verification.ID]),
			Overdue: it.Verification.State == kyc.StateReview && now.Sub(it.Verification.UpdatedAt) > res.SLA[m]})
	}
	for _, s := range states {
		v.Counts = append(v.Counts, stateCount{s, res.Counts[s]})
	}
	if res.Next != "" {
		next := url.Values{}
		for k, vs := range q {
			next[k] = vs
		}
		next.Set("after", res.Next)
		v.NextURL = "/console/queue?" + next.Encode()
	}
	name := "queue.html"
	if r.Header.Get("HX-Request") != "" && r.Header.Get("HX-Target") == "queue" {
		name = "queue_table"
	}
	h.render(w, r, http.StatusOK, name, page{Title: "Queue", User: u, Nav: "queue", Data: v})
}

// latestFindings keeps one finding per check kind, the newest.
func latestFindings(fs []review.Finding) []review.Finding {
	var out []review.Finding
	for i := len(fs) - 1; i >= 0; i-- {
		if !slices.ContainsFunc(out, func(f review.Finding) bool { return f.Kind == fs[i].Kind }) {
			out = append(out, fs[i])
		}
	}
	slices.Reverse(out)
	return out
}

type docView struct {
	kyc.Document
	URL string
}

type caseView struct {
	*review.Case
	Docs          []docView
	ELA           map[string]string // heat map URLs by document kind
	Reviewers     []staff.Account
	Reasons       []string
	ResubmitKinds []kyc.DocumentKind
	MayDecide     bool // the user may decide now (role, claim)
	MayConfirm    bool // a proposal waits for this user
}

func (h *Handler) casePage(w http.ResponseWriter, r *http.Request, u *user) {
	c, err := h.d.Review.Case(r.Context(), u.Account, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	v := caseView{Case: c, Reasons: review.ReasonCodes, ResubmitKinds: review.ResubmitKinds}
	for _, d := range c.Documents {
		v.Docs = append(v.Docs, docView{Document: d, URL: h.documentURL(u, viewDocument, d.MerchantID, d.ID)})
	}
	v.ELA = map[string]string{}
	for _, tv := range c.Tamper {
		if tv.DocumentID != "" {
			v.ELA[tv.Kind] = h.documentURL(u, viewELA, c.Verification.MerchantID, tv.DocumentID)
		}
	}
	inReview := c.Verification.State == kyc.StateReview
	mine := c.Claim == nil || c.Claim.StaffID == u.ID
	v.MayDecide = inReview && u.Role != staff.RoleAuditor && mine && c.Proposal == nil
	v.MayConfirm = inReview && u.Role != staff.RoleAuditor && c.Proposal != nil && c.Proposal.ProposedBy != u.ID
	if u.Role == staff.RoleAdmin && inReview {
		all, err := h.d.Staff.List(r.Context())
		if err != nil {
			h.fail(w, r, u, err)
			return
		}
		for _, a := range all {
			if a.Role != staff.RoleAuditor && a.CanSee(c.Verification.MerchantID) {
				v.Reviewers = append(v.Reviewers, a)
			}
		}
	}
	h.render(w, r, http.StatusOK, "case.html", page{Title: "Case " + c.Verification.ID, User: u, Nav: "queue", Data: v})
}

func caseURL(id string) string { return "/console/cases/" + url.PathEscape(id) }

func (h *Handler) claim(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	if err := h.d.Review.Claim(r.Context(), u.Account, id); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, caseURL(id), flashClaimed)
}

func (h *Handler) release(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	if err := h.d.Review.Release(r.Context(), u.Account, id); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, caseURL(id), flashReleased)
}

func (h *Handler) assign(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	if err := h.d.Review.Assign(r.Context(), u.Account, id, r.PostFormValue("staff_id")); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, caseURL(id), flashAssigned)
}

func (h *Handler) decide(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, u, kyc.Invalid("form", "format", "the form could not be read"))
		return
	}
	in := review.DecisionInput{Kind: r.PostFormValue("decision"), RejectType: kyc.RejectType(r.PostFormValue("reject_type")),
		Reasons: r.PostForm["reasons"], UserMessage: r.PostFormValue("user_message"), Note: r.PostFormValue("note")}
	for _, d := range r.PostForm["documents"] {
		in.Documents = append(in.Documents, kyc.DocumentKind(d))
	}
	out, err := h.d.Review.Decide(r.Context(), u.Account, id, in)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	if out.Proposed {
		done(w, r, caseURL(id), flashProposed)
		return
	}
	switch out.Verification.Decision {
	case kyc.DecisionApproved:
		done(w, r, caseURL(id), flashApproved)
	case kyc.DecisionRejected:
		done(w, r, caseURL(id), flashRejected)
	default:
		done(w, r, caseURL(id), flashResubmit)
	}
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	v, err := h.d.Review.Confirm(r.Context(), u.Account, id)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	key := flashConfirmedRejected
	if v.Decision == kyc.DecisionApproved {
		key = flashConfirmedApproved
	}
	done(w, r, caseURL(id), key)
}

func (h *Handler) withdraw(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	if err := h.d.Review.Withdraw(r.Context(), u.Account, id); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, caseURL(id), flashWithdrawn)
}

func (h *Handler) resolveHit(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	action := r.PostFormValue("action")
	if action != "confirm" && action != "dismiss" {
		h.fail(w, r, u, kyc.Invalid("action", "enum", "confirm or dismiss"))
		return
	}
	out, err := h.d.Review.ResolveHit(r.Context(), u.Account, id, r.PostFormValue("list"), r.PostFormValue("entry_id"), action == "confirm",
		r.PostFormValue("note"))
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	switch {
	case action == "dismiss":
		done(w, r, caseURL(id), flashHitDismissed)
	case out.Proposed:
		done(w, r, caseURL(id), flashHitProposed)
	default:
		done(w, r, caseURL(id), flashHitConfirmed)
	}
}

// Signed URL purposes.
const (
	viewDocument = "document" // the document's bytes
	viewELA      = "ela"      // its error level heat map
)

// documentSig signs a document URL for one user, purpose and expiry.
func (h *Handler) documentSig(u *user, purpose, merchantID, docID string, exp int64) string {
	return h.d.Keys.LookupHash("console-"+purpose, fmt.Sprintf("%s|%s|%s|%d", u.ID, merchantID, docID, exp))
}

// documentURL is a short-lived URL of a document (or its heat map), valid
// for this user only.
func (h *Handler) documentURL(u *user, purpose, merchantID, docID string) string {
	exp := h.cfg.Now().Add(h.cfg.DocumentTTL).Unix()
	suffix := ""
	if purpose == viewELA {
		suffix = "/ela"
	}
	return fmt.Sprintf("/console/documents/%s/%s%s?exp=%d&sig=%s", url.PathEscape(merchantID), url.PathEscape(docID), suffix, exp,
		h.documentSig(u, purpose, merchantID, docID, exp))
}

// openDocument checks a signed document URL — the session, the merchant in
// the user's scope, an unexpired signature made for this user and purpose —
// opens the document and audits the opening.
func (h *Handler) openDocument(w http.ResponseWriter, r *http.Request, u *user, purpose string) (kyc.Document, io.ReadCloser, bool) {
	merchantID, id := r.PathValue("merchant"), r.PathValue("id")
	exp, err := strconv.ParseInt(r.URL.Query().Get("exp"), 10, 64)
	sig := r.URL.Query().Get("sig")
	if err != nil || h.cfg.Now().Unix() > exp || !hmac.Equal([]byte(sig), []byte(h.documentSig(u, purpose, merchantID, id, exp))) {
		h.errorPage(w, r, u, http.StatusForbidden, "This document link has expired or is not yours. Reload the case.")
		return kyc.Document{}, nil, false
	}
	if !u.CanSee(merchantID) {
		h.fail(w, r, u, kyc.ErrNotFound)
		return kyc.Document{}, nil, false
	}
	p := kyc.Principal{MerchantID: merchantID, Actor: review.Actor(u.Account)}
	d, rc, err := h.d.Applicants.ViewDocument(r.Context(), p, id, purpose)
	if err != nil {
		h.fail(w, r, u, err)
		return d, nil, false
	}
	return d, rc, true
}

func documentHeaders(w http.ResponseWriter, contentType string) {
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	hd.Set("Content-Disposition", "inline")
	hd.Set("Cache-Control", "private, no-store")
}

// document streams a document's bytes.
func (h *Handler) document(w http.ResponseWriter, r *http.Request, u *user) {
	d, rc, ok := h.openDocument(w, r, u, viewDocument)
	if !ok {
		return
	}
	defer rc.Close()
	documentHeaders(w, d.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(d.Size, 10))
	_, _ = io.Copy(w, rc)
}

// elaMaxSide bounds the heat map's size.
const elaMaxSide = 1024

// ela draws a JPEG document's error level heat map (PNG).
func (h *Handler) ela(w http.ResponseWriter, r *http.Request, u *user) {
	d, rc, ok := h.openDocument(w, r, u, viewELA)
	if !ok {
		return
	}
	rc.Close()
	if d.ContentType != "image/jpeg" {
		h.fail(w, r, u, kyc.Invalid("document", "format", "error level analysis needs a JPEG"))
		return
	}
	var m image.Image
	// The original and its re-saved copy are held at once.
	err := h.d.Applicants.DecodeDocument(r.Context(), d, 2, func(img image.Image) error {
		var err error
		m, err = document.ELAMap(img, elaMaxSide)
		return err
	})
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		h.fail(w, r, u, err)
		return
	}
	documentHeaders(w, "image/png")
	_, _ = w.Write(buf.Bytes())
}
