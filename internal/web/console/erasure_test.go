package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
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

	_, err := e.a.Verifications.DeleteApplicant(ctx, e.pA, v.ApplicantID, false)
	require.NoError(t, err)
	st, page := admin.get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, page, `id="applicant-deleted"`)
	require.Contains(t, page, "cancelled", "the deletion cancelled the case")

	_, err = e.a.Verifications.DeleteApplicant(ctx, e.pA, v.ApplicantID, true)
	require.NoError(t, err)
	st, page = admin.get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, page, `id="applicant-erased"`)
	require.NotContains(t, page, "Al-Samarrai")
	require.NotContains(t, page, "omar@example.com")
}
