package vexora_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// seedAnswer is the answer of the seed page (vexora-kyc-status-query),
// typed as its "Response Result" table: msg String, code String,
// timestamp String, success Boolean, data Object (required) with
// authenticationStatus String and failReason String.
type seedAnswer struct {
	Msg       string     `json:"msg"`
	Code      string     `json:"code"`
	Timestamp string     `json:"timestamp"`
	Success   bool       `json:"success"`
	Data      *seedState `json:"data"`
}

type seedState struct {
	AuthenticationStatus string `json:"authenticationStatus,omitempty"`
	FailReason           string `json:"failReason,omitempty"`
}

// strictAnswer decodes a status-query answer as a strictly typed client
// does (exact types, no unknown fields) and checks data is an object.
func strictAnswer(t *testing.T, b []byte) seedAnswer {
	t.Helper()
	var a seedAnswer
	kyctest.StrictJSON(t, b, &a)
	require.NotNil(t, a.Data, "data is a required object: %s", b)
	require.Equal(t, a.Code == "0000", a.Success, "%s", b)
	return a
}

// TestSeedClient: a client written from the seed page queries the status
// with its exact types; errors, a wrong method included, come in the same
// envelope with data an object.
func TestSeedClient(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		res := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": "seed_user_1", "usernameKanji": "山田 太郎",
			"dateOfBirth": "19900412", "nationality": "JP", "email": "taro@example.jp"}))
		require.Equal(t, "0000", code(t, res), "%v", res)

		query := func(method string, f map[string]string) []byte {
			b, _ := json.Marshal(f)
			req, err := http.NewRequest(method, e.srv.URL+"/v1/vexora/kycStatusQuery", bytes.NewReader(b))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("merchantNo", e.a.no)
			r, err := e.srv.Client().Do(req)
			require.NoError(t, err)
			defer r.Body.Close()
			require.Equal(t, http.StatusOK, r.StatusCode)
			require.Contains(t, r.Header.Get("Content-Type"), "application/json")
			out, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			return out
		}
		a := strictAnswer(t, query(http.MethodPost, signed(e.a, map[string]string{"userId": "seed_user_1"})))
		require.Equal(t, "0", a.Data.AuthenticationStatus)

		a = strictAnswer(t, query(http.MethodPost, signed(e.a, map[string]string{"userId": "nobody"})))
		require.False(t, a.Success)
		require.Equal(t, "1005", a.Code)

		bad := signed(e.a, map[string]string{"userId": "seed_user_1"})
		bad["sign"] = "00000000000000000000000000000000"
		a = strictAnswer(t, query(http.MethodPost, bad))
		require.Equal(t, "1001", a.Code)

		for _, m := range []string{http.MethodGet, http.MethodPut} {
			a = strictAnswer(t, query(m, signed(e.a, map[string]string{"userId": "seed_user_1"})))
			require.Equal(t, "1002", a.Code, m)
			require.Contains(t, a.Msg, "POST")
		}
	})
}
