package console

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/review"
	"github.com/openkyc/openkyc/internal/staff"
)

// Data-subject requests from the case view (admins): export everything held
// about the case's applicant, delete it (with the merchant's restore window,
// or purged at once), restore it. The same service calls as the API's, so
// every action is audited under the admin's name.

// caseApplicant admits an admin to act on the applicant of a case.
func (h *Handler) caseApplicant(w http.ResponseWriter, r *http.Request, u *user) (kyc.Principal, string, bool) {
	if u.Role != staff.RoleAdmin {
		h.fail(w, r, u, fmt.Errorf("only admins act on data-subject requests: %w", kyc.ErrForbidden))
		return kyc.Principal{}, "", false
	}
	v, err := h.d.Review.Verification(r.Context(), u.Account, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, u, kyc.ErrNotFound)
		return kyc.Principal{}, "", false
	}
	return kyc.Principal{MerchantID: v.MerchantID, Actor: review.Actor(u.Account)}, v.ApplicantID, true
}

// exportApplicant streams the applicant's export archive.
func (h *Handler) exportApplicant(w http.ResponseWriter, r *http.Request, u *user) {
	p, aid, ok := h.caseApplicant(w, r, u)
	if !ok {
		return
	}
	ctx := r.Context()
	ex, err := h.d.Applicants.Export(ctx, p, aid)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+aid+`.zip"`)
	if err := h.d.Applicants.WriteZip(ctx, ex, w); err != nil {
		slog.ErrorContext(ctx, "console export failed", "applicant_id", aid, "error", err)
		panic(http.ErrAbortHandler)
	}
}

// deleteApplicant records a deletion (purged at once with immediate=on).
func (h *Handler) deleteApplicant(w http.ResponseWriter, r *http.Request, u *user) {
	p, aid, ok := h.caseApplicant(w, r, u)
	if !ok {
		return
	}
	immediate := r.PostFormValue("immediate") == "on"
	if r.PostFormValue("confirm") != aid {
		h.fail(w, r, u, kyc.Invalid("confirm", "match", "type the applicant id %s to confirm the deletion", aid))
		return
	}
	a, err := h.d.Erasure.DeleteApplicant(r.Context(), p, aid, immediate)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	msg := flashPurged
	if !a.Erased() && a.PurgeAfter != nil {
		msg = flashDeleted // the case page shows the purge date
	}
	done(w, r, caseURL(r.PathValue("id")), msg)
}

// restoreApplicant undoes a deletion before the purge.
func (h *Handler) restoreApplicant(w http.ResponseWriter, r *http.Request, u *user) {
	p, aid, ok := h.caseApplicant(w, r, u)
	if !ok {
		return
	}
	if _, err := h.d.Erasure.RestoreApplicant(r.Context(), p, aid); err != nil {
		h.fail(w, r, u, err)
		return
	}
	done(w, r, caseURL(r.PathValue("id")), flashRestored)
}
