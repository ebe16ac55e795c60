package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestHostedSettings: a merchant sets the origins that may embed its
// hosted page; they are normalised, bad ones are refused naming the field
// and the rule, and another merchant neither sees nor shares them.
func TestHostedSettings(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		put := func(key, body string) resp {
			return e.do(http.MethodPut, "/v1/hosted/settings", key, strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		}
		golden(t, "hosted_settings_default", e.get("/v1/hosted/settings", e.keyA).Body)
		res := put(e.keyA, `{"embed_origins":["https://Shop.Example","https://shop.example:443/","http://localhost:3000","https://shop.example"]}`)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		golden(t, "hosted_settings_set", res.Body)
		for _, bad := range []string{`"https://shop.example/checkout"`, `"https://*.shop.example"`, `"http://shop.example"`, `"shop.example"`,
			`"https://shop.example?x=1"`, `"javascript:alert(1)"`} {
			res := put(e.keyA, `{"embed_origins":[`+bad+`]}`)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", bad, res.Body)
			body := res.json(t)["error"].(map[string]any)
			require.Contains(t, body["message"], "embed_origins", bad)
		}
		golden(t, "hosted_settings_invalid", put(e.keyA, `{"embed_origins":["https://shop.example/checkout"]}`).Body)
		many := `"https://a.example"` + strings.Repeat(`,"https://a.example"`, 10)
		require.Equal(t, http.StatusUnprocessableEntity, put(e.keyA, `{"embed_origins":[`+many+`]}`).Status)
		// unchanged by the refused requests; merchant B has its own
		require.Contains(t, string(e.get("/v1/hosted/settings", e.keyA).Body), "http://localhost:3000")
		require.JSONEq(t, `{"embed_origins":[]}`, string(e.get("/v1/hosted/settings", e.keyB).Body))
		require.Equal(t, http.StatusUnauthorized, e.get("/v1/hosted/settings", "").Status)
		// an empty list turns embedding off again
		res = put(e.keyA, `{"embed_origins":[]}`)
		require.Equal(t, http.StatusOK, res.Status)
		require.JSONEq(t, `{"embed_origins":[]}`, string(res.Body))
	})
}
