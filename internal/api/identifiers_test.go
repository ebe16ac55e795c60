package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// Identifiers holding Unicode control or format characters are refused:
// "invoice\u202egpj.exe" would read as "invoiceexe.jpg" wherever it shows.
func TestIdentifierControlCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	r := e.postJSON("/v1/applicants", e.keyA, `{"external_user_id":"invoice\u202egpj.exe"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
	golden(t, "error_control_characters", r.Body)
	apl := e.createApplicant(e.keyA, annaBody)
	for _, tc := range []struct{ path, body, field, code string }{
		{"/v1/applicants", `{"external_user_id":"\u2066user\u2069"}`, "external_user_id", "U+2066"},
		{"/v1/applicants", `{"external_user_id":"user\u200b1"}`, "external_user_id", "U+200B"},
		{"/v1/applicants", `{"external_user_id":"user-2","email":"anna\u202e@example.com"}`, "email", "U+202E"},
		{"/v1/verifications", `{"applicant_id":"` + apl + `","reference":"order\u200e1"}`, "reference", "U+200E"},
		{"/v1/blocklist", `{"kind":"email","value":"x\u200d@example.com"}`, "value", "U+200D"},
	} {
		r := e.postJSON(tc.path, e.keyA, tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", tc.body, r.Body)
		code, field := r.errField(t)
		require.Equal(t, "validation_failed", code)
		require.Equal(t, tc.field, field)
		errObj := r.json(t)["error"].(map[string]any)
		require.Equal(t, "control_characters", errObj["rule"])
		require.Contains(t, errObj["message"], tc.code)
	}
}
