package console_test

import (
	"archive/zip"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/staff"
)

// TestCaseOfDeletedApplicant: the case view says when an applicant was
// deleted and, once purged, shows the tombstone without personal data.
func TestCaseOfDeletedApplicant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	ctx := context.Background()
	v := e.reviewCase(e.pA, "deleted-1")
	admin := e.login("admin")
	_, page := admin.get("/console/cases/" + v.ID)
	require.Contains(t, page, "Al-Samarrai")
	require.NotContains(t, page, "applicant-deleted")

	_, err := e.a.Erasure.DeleteApplicant(ctx, e.pA, v.ApplicantID, false)
	require.NoError(t, err)
	st, page := admin.get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, page, `id="applicant-deleted"`)
	require.Contains(t, page, "cancelled", "the deletion cancelled the case")

	_, err = e.a.Erasure.DeleteApplicant(ctx, e.pA, v.ApplicantID, true)
	require.NoError(t, err)
	st, page = admin.get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, page, `id="applicant-erased"`)
	require.NotContains(t, page, "Al-Samarrai")
	require.NotContains(t, page, "omar@example.com")
}

// TestDisabledStaff: disabling an account ends its sessions at once and
// refuses its sign-in.
func TestDisabledStaff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	rev := e.login("rev1")
	st, _ := rev.get("/console/queue")
	require.Equal(t, http.StatusOK, st)
	off := true
	_, err := e.a.Staff.Update(context.Background(), "rev1@example.com", staff.Change{Disabled: &off})
	require.NoError(t, err)
	st, _ = rev.get("/console/queue")
	require.NotEqual(t, http.StatusOK, st, "the session ended")
	res := e.postForm("/console/login", "", url.Values{"email": {"rev1@example.com"}, "password": {password}})
	defer res.Body.Close()
	require.NotEqual(t, http.StatusSeeOther, res.StatusCode, "sign-in refused")
	on := false
	_, err = e.a.Staff.Update(context.Background(), "rev1@example.com", staff.Change{Disabled: &on})
	require.NoError(t, err)
	e.login("rev1") // enabled again
}

// TestRetentionSettings: admins set a merchant's retention in the console,
// validated like the API; reviewers only read it.
func TestRetentionSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	admin, rev1 := e.login("admin"), e.login("rev1")
	base := "/console/settings/" + e.mA.ID + "/retention"
	st, _ := admin.post(base, url.Values{"documents_days": {"90"}, "pii_days": {"1825"}, "restore_days": {"14"}})
	require.Equal(t, http.StatusSeeOther, st)
	rs, err := e.a.Applicants.Retention(context.Background(), e.pA)
	require.NoError(t, err)
	require.Equal(t, []int{90, 1825, 14}, []int{rs.DocumentsDays, rs.PIIDays, rs.RestoreDays})

	st, body := admin.post(base, url.Values{"documents_days": {"90"}, "pii_days": {"30"}, "restore_days": {"14"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, `data-field="documents_days"`)
	st, body = admin.post(base, url.Values{"documents_days": {"x"}, "pii_days": {"30"}, "restore_days": {"14"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, "whole number")
	st, _ = rev1.post(base, url.Values{"documents_days": {"1"}, "pii_days": {"1"}, "restore_days": {"1"}})
	require.Equal(t, http.StatusForbidden, st)
	_, page := rev1.get("/console/settings")
	require.Contains(t, page, "Documents 90 days · personal data 1825 days · restore window 14 days")
	require.NotContains(t, page, `id="retention-form"`)
}

// TestDataSubjectRequests: an admin exports, deletes, restores and purges a
// case's applicant from the console; reviewers cannot; every step is
// audited under the admin's name.
func TestDataSubjectRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	ctx := context.Background()
	v := e.reviewCase(e.pA, "dsr-1")
	admin, rev1 := e.login("admin"), e.login("rev1")
	base := "/console/cases/" + v.ID + "/applicant"

	_, page := admin.get("/console/cases/" + v.ID)
	require.Contains(t, page, `id="data-subject"`)
	_, page = rev1.get("/console/cases/" + v.ID)
	require.NotContains(t, page, `id="data-subject"`, "reviewers get no data-subject actions")
	for _, action := range []string{"/export", "/delete", "/restore"} {
		st, _ := rev1.post(base+action, url.Values{"confirm": {v.ApplicantID}})
		require.Equal(t, http.StatusForbidden, st, action)
	}

	st, zipped := admin.post(base+"/export", nil)
	require.Equal(t, http.StatusOK, st)
	zr, err := zip.NewReader(strings.NewReader(zipped), int64(len(zipped)))
	require.NoError(t, err)
	require.Len(t, zr.File, 3, "export.json and the two documents")

	st, body := admin.post(base+"/delete", url.Values{"confirm": {"apl_wrong"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, `data-field="confirm"`)
	st, to := admin.post(base+"/delete", url.Values{"confirm": {v.ApplicantID}})
	require.Equal(t, http.StatusSeeOther, st)
	require.True(t, strings.HasSuffix(to, "?done=deleted"), to)
	_, page = admin.get(to)
	require.Contains(t, page, "unless restored.</p>")
	require.Contains(t, page, `id="applicant-deleted"`)
	require.Contains(t, page, `id="restore-btn"`)
	st, _ = admin.post(base+"/restore", nil)
	require.Equal(t, http.StatusSeeOther, st)
	st, to = admin.post(base+"/delete", url.Values{"confirm": {v.ApplicantID}, "immediate": {"on"}})
	require.Equal(t, http.StatusSeeOther, st)
	require.True(t, strings.HasSuffix(to, "?done=purged"), to)
	_, page = admin.get("/console/cases/" + v.ID)
	require.Contains(t, page, `id="applicant-erased"`)
	require.NotContains(t, page, `id="data-subject"`)

	entries, err := e.a.Store.AuditBySubject(ctx, e.pA.MerchantID, []string{v.ApplicantID}, 100)
	require.NoError(t, err)
	var byAdmin []string
	for _, en := range entries {
		if en.Actor == "reviewer:"+e.accounts["admin"].ID {
			byAdmin = append(byAdmin, en.Action)
		}
	}
	require.Subset(t, byAdmin, []string{"applicant.export", "applicant.delete", "applicant.restore", "applicant.erase"})
}

// TestQueueCursor: a malformed page position is a clear error; a short
// queue has no next page.
func TestQueueCursor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	admin := e.login("admin")
	st, body := admin.get("/console/queue?after=yesterday")
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, "next-page link")
	st, body = admin.get("/console/queue?after=1700000000000000_ver_01m80000000000000000000000")
	require.Equal(t, http.StatusOK, st)
	require.NotContains(t, body, `id="next-page"`)
}

// TestEmbeddingSettings: admins set the origins that may embed a merchant's
// hosted page, validated like the API; reviewers only read them.
func TestEmbeddingSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	admin, rev1 := e.login("admin"), e.login("rev1")
	base := "/console/settings/" + e.mA.ID + "/embedding"
	st, _ := admin.post(base, url.Values{"embed_origins": {"https://Shop.Example\r\n\r\nhttps://www.shop.example:8443\n"}})
	require.Equal(t, http.StatusSeeOther, st)
	origins, err := e.a.Links.EmbedOrigins(context.Background(), e.mA.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"https://shop.example", "https://www.shop.example:8443"}, origins)

	st, body := admin.post(base, url.Values{"embed_origins": {"https://shop.example/checkout"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, `data-field="embed_origins"`)
	st, _ = rev1.post(base, url.Values{"embed_origins": {""}})
	require.Equal(t, http.StatusForbidden, st)
	_, page := rev1.get("/console/settings")
	require.Contains(t, page, "Embeddable from https://shop.example, https://www.shop.example:8443")
	require.NotContains(t, page, `id="embedding-form"`)
	_, page = admin.get("/console/settings")
	require.Contains(t, page, `id="embedding-form"`)
}
