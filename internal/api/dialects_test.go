package api_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func TestDialectSettings(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		got := e.get("/v1/dialects/kyc_sharing/settings", e.keyA)
		require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)
		golden(t, "dialect_settings_default", got.Body)

		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		pemText, _ := json.Marshal(okcrypto.RSAPublicKeyPEM(&k.PublicKey))
		patch := `{"callback_url":"https://merchant.example/kyc","ack":"2xx","allow_id_card":true,"public_key":` + string(pemText) + `}`
		res := e.do(http.MethodPatch, "/v1/dialects/card_binding/settings", e.keyA, strings.NewReader(patch), map[string]string{"Content-Type": "application/json"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		body := res.json(t)
		require.Equal(t, "https://merchant.example/kyc", body["callback_url"])
		require.Equal(t, true, body["allow_id_card"])
		require.Contains(t, body["public_key"], "BEGIN PUBLIC KEY")

		// Merchant B's settings are its own.
		other := e.get("/v1/dialects/card_binding/settings", e.keyB).json(t)
		require.Empty(t, other["callback_url"])
		require.Equal(t, "code1", other["ack"])

		bad := []struct{ dialect, body, field string }{
			{"card_binding", `{"callback_url":"ftp://merchant.example"}`, "callback_url"},
			{"card_binding", `{"ack":"maybe"}`, "ack"},
			{"card_binding", `{"public_key":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}`, "public_key"},
			{"card_binding", `{"address_pattern":"(["}`, "address_pattern"},
			{"vexora", `{"allow_id_card":true}`, "allow_id_card"},
		}
		for _, b := range bad {
			r := e.do(http.MethodPatch, "/v1/dialects/"+b.dialect+"/settings", e.keyA, strings.NewReader(b.body), map[string]string{"Content-Type": "application/json"})
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", b.body, r.Body)
			_, field := r.errField(t)
			require.Contains(t, field, b.field, "%s", r.Body)
		}
		require.Equal(t, http.StatusUnprocessableEntity, e.get("/v1/dialects/paypal/settings", e.keyA).Status)
		require.Equal(t, http.StatusUnauthorized, e.get("/v1/dialects/vexora/settings", "").Status)
		require.Equal(t, "2xx", e.get("/v1/dialects/card_binding/settings", e.keyA).json(t)["ack"], "refused patches changed nothing")
	})
}
