package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestRegistrationRefusesInternalTargets: with private targets not allowed,
// webhook endpoints and dialect callback URLs that point inward are
// validation errors naming the field and the rule (issue 17); nothing is
// stored.
func TestRegistrationRefusesInternalTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0]) // private targets not allowed; names resolve with kyctest.Lookup
	for _, u := range kyctest.InternalTargets {
		q, _ := json.Marshal(u)
		r := e.postJSON("/v1/webhooks", e.keyA, `{"url":`+string(q)+`,"events":["verification.completed"]}`)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", u, r.Body)
		code, field := r.errField(t)
		require.Equal(t, "validation_failed", code)
		require.Equal(t, "url", field)
		require.Contains(t, string(r.Body), "url host", u)

		r = e.do(http.MethodPatch, "/v1/dialects/vexora/settings", e.keyA, strings.NewReader(`{"callback_url":`+string(q)+`}`),
			map[string]string{"Content-Type": "application/json"})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", u, r.Body)
		_, field = r.errField(t)
		require.Equal(t, "callback_url", field)
		require.Contains(t, string(r.Body), "url host", u)
	}
	list := e.get("/v1/webhooks", e.keyA)
	require.NotContains(t, string(list.Body), "https://", "no endpoint stored")
	require.Empty(t, e.get("/v1/dialects/vexora/settings", e.keyA).json(t)["callback_url"])

	r := e.postJSON("/v1/webhooks", e.keyA, `{"url":"https://unknown.example/kyc","events":["verification.completed"]}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, string(r.Body), "url host does not resolve")
}
