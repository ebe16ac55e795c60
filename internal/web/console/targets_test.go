package console_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestDialectCallbackRefusesInternalTargets: with private targets not
// allowed, the settings page refuses a callback URL that points inward
// beside the field, naming the rule (issue 17); nothing is stored.
func TestDialectCallbackRefusesInternalTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.WebhookAllowPrivate, c.WebhookLookup = false, kyctest.Lookup })
	admin := e.login("admin")
	path := "/console/settings/" + e.mA.ID + "/dialects/card_binding"
	for _, u := range kyctest.InternalTargets {
		st, body := admin.post(path, url.Values{"callback_url": {u}, "ack": {"code1"}})
		require.Equal(t, http.StatusUnprocessableEntity, st, u)
		require.Contains(t, body, `data-field="callback_url"`, u)
		require.Contains(t, body, "url host", u)
	}
	ds, err := e.a.Merchants.Settings(context.Background(), e.mA.ID, kyc.SurfaceCardBinding)
	require.NoError(t, err)
	require.Empty(t, ds.CallbackURL)
	st, _ := admin.post(path, url.Values{"callback_url": {"https://merchant.example/kyc"}, "ack": {"code1"}})
	require.Equal(t, http.StatusSeeOther, st)
}
