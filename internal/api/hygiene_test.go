package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// The bearer scheme name is case-insensitive (RFC 9110 §11.1).
func TestBearerSchemeCaseInsensitive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	for _, tc := range []struct {
		auth   string
		status int
	}{
		{"Bearer " + e.keyA, http.StatusOK},
		{"bearer " + e.keyA, http.StatusOK},
		{"BEARER " + e.keyA, http.StatusOK},
		{"bEaReR  " + e.keyA, http.StatusOK},
		{"Basic " + e.keyA, http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer ", http.StatusUnauthorized},
		{"Bearer" + e.keyA, http.StatusUnauthorized},
		{"bearer wrong", http.StatusUnauthorized},
	} {
		r := e.do(http.MethodGet, "/v1/verifications", "", nil, map[string]string{"Authorization": tc.auth})
		require.Equal(t, tc.status, r.Status, "%q: %s", tc.auth, r.Body)
	}
}

// JSON type errors name the field and the rule, never a Go type or the value.
func TestJSONTypeErrorsNameNoGoTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	apl := e.createApplicant(e.keyA, annaBody)
	r := e.postJSON("/v1/verifications", e.keyA, `{"applicant_id":"`+apl+`","reference":"order-1"}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	ver := r.json(t)["id"].(string)
	r = e.postJSON("/v1/verifications/"+ver+"/links", e.keyA, `{"ttl_seconds":1e30}`)
	golden(t, "error_json_range", r.Body)
	for _, tc := range []struct{ path, body, field, rule string }{
		{"/v1/verifications/" + ver + "/links", `{"ttl_seconds":99999999999999999999}`, "ttl_seconds", "range"},
		{"/v1/verifications/" + ver + "/links", `{"ttl_seconds":-1e19}`, "ttl_seconds", "range"},
		{"/v1/webhooks", `{"url":"https://example.com/h","events":["a"],"x":1e400}`, "body", ""},
	} {
		r := e.postJSON(tc.path, e.keyA, tc.body)
		require.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, r.Status, "%s", r.Body)
		for _, leak := range []string{"Go ", "LinkBody", "WebhookBody", "json:", "1e30", "99999999999999999999", "float64", "of type"} {
			require.NotContains(t, string(r.Body), leak, "%s", r.Body)
		}
		errObj := r.json(t)["error"].(map[string]any)
		require.Equal(t, tc.field, errObj["field"], "%s", r.Body)
		if tc.rule != "" {
			require.Equal(t, tc.rule, errObj["rule"], "%s", r.Body)
		}
	}
}

// The delivery log's limit is 1 to 200 like every list; outside is 422.
func TestDeliveriesLimitBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0], func(c *config.Config) { c.WebhookAllowPrivate = true })
	r := e.postJSON("/v1/webhooks", e.keyA, `{"url":"http://127.0.0.1:9/hook"}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	id := r.json(t)["id"].(string)
	for limit, want := range map[string]int{"": 200, "1": 200, "200": 200, "0": 200, "-5": 422, "201": 422, "1000000000": 422} {
		r := e.get("/v1/webhooks/"+id+"/deliveries?limit="+limit, e.keyA)
		require.Equal(t, want, r.Status, "limit=%s: %s", limit, r.Body)
		if want == 422 {
			code, field := r.errField(t)
			require.Equal(t, "validation_failed", code)
			require.Equal(t, "limit", field)
		}
	}
}
