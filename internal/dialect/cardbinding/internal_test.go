package cardbinding

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
)

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		code string
	}{
		{errors.New("disk on fire"), CodeInternal},
		{kyc.ErrUnauthenticated, CodeSignature},
		{kyc.ErrForbidden, CodePrivilege},
		{kyc.Conflict("x", "taken"), CodeDuplicate},
		{kyc.ErrNotFound, CodeClient},
		{kyc.Invalid("date_of_birth", "range", "too old"), CodeParam},
		{fail(CodeTimestamp, "timestamp: stale"), CodeTimestamp},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(http.MethodPost, PathBind, nil)
		w := httptest.NewRecorder()
		(&Handler{}).writeErr(w, r, tc.err)
		require.Equal(t, http.StatusOK, w.Code)
		var env Envelope
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env))
		require.Equal(t, tc.code, env.Code, "%v", tc.err)
		require.NotContains(t, env.Msg, "disk on fire", "internal errors are not shown")
	}
	r := httptest.NewRequest(http.MethodPost, PathBind, nil)
	w := httptest.NewRecorder()
	(&Handler{}).writeErr(w, r, kyc.Invalid("date_of_birth", "range", "too old"))
	require.Contains(t, w.Body.String(), "kyc_info.birthday: too old", "core fields are named as the dialect names them")
}

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v      kyc.Verification
		status int
		result int
	}{
		{kyc.Verification{State: kyc.StateCreated}, StatusPending, ResultFailure},
		{kyc.Verification{State: kyc.StateSubmitted}, StatusPending, ResultFailure},
		{kyc.Verification{State: kyc.StateProcessing}, StatusPending, ResultFailure},
		{kyc.Verification{State: kyc.StateReview}, StatusReview, ResultFailure},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionApproved}, StatusApproved, ResultSuccess},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, Reasons: []string{"UNDERAGE"}}, StatusRejected, ResultFailure},
		{kyc.Verification{State: kyc.StateExpired}, StatusRejected, ResultFailure},
		{kyc.Verification{State: kyc.StateCancelled}, StatusRejected, ResultFailure},
	}
	for _, tc := range tests {
		st, _ := Status(tc.v)
		require.Equal(t, tc.status, st, "%s/%s", tc.v.State, tc.v.Decision)
		if tc.v.State.Terminal() {
			require.Equal(t, tc.result, PushOf(tc.v).Result)
		}
	}
}

func TestAcknowledged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode   string
		status int
		body   string
		ok     bool
	}{
		{"", 200, `{"code":1,"msg":"ok"}`, true},
		{"", 200, `{"code":"1"}`, true},
		{"", 200, `{"code":0}`, false},
		{"", 200, `ok`, false},
		{"", 500, `{"code":1}`, false},
		{merchant.Ack2xx, 204, ``, true},
		{merchant.Ack2xx, 302, ``, false},
		{merchant.Ack200, 202, ``, false},
		{merchant.Ack200, 200, ``, true},
	}
	for _, tc := range tests {
		require.Equal(t, tc.ok, dialect.Acknowledged(tc.mode, merchant.AckCode1, tc.status, []byte(tc.body)), "%+v", tc)
	}
}

func FuzzParseBind(f *testing.F) {
	f.Add([]byte(`{"mc_trade_no":"T","base_info":{"email":"a@b.co","first_name":"A","last_name":"B","mobile":"1234567","mobile_code":"1"},"kyc_info":{"address":"x","birthday":"1990-01-01","doc_type":"1","front_doc":"/9j/","poa_type":1}}`))
	f.Add([]byte(`{"mc_trade_no":12,"base_info":null}`))
	f.Add([]byte(`{"mc_trade_no":"T","base_info":{},"kyc_info":{"front_doc":"data:image/png;base64,iVBORw0KGgo="}}`))
	f.Add([]byte(`[1,2]`))
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := parseBind(body, Options{}, now)
		if err != nil {
			require.Equal(t, CodeParam, err.Code)
			require.Contains(t, err.Msg, ": ", "names the field")
			return
		}
		require.NotEmpty(t, b.TradeNo)
		require.NotEmpty(t, b.Email)
		require.False(t, strings.ContainsAny(b.Mobile, "abc"))
		for _, f := range b.Files {
			require.NotEmpty(t, f.data)
		}
	})
}
