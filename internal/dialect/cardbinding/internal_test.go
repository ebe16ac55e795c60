package cardbinding

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
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
		(&Dialect{}).writeErr(w, r, tc.err)
		require.Equal(t, http.StatusOK, w.Code)
		var env Envelope
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env))
		require.Equal(t, tc.code, env.Code, "%v", tc.err)
		require.NotContains(t, env.Msg, "disk on fire", "internal errors are not shown")
	}
	r := httptest.NewRequest(http.MethodPost, PathBind, nil)
	w := httptest.NewRecorder()
	(&Dialect{}).writeErr(w, r, kyc.Invalid("date_of_birth", "range", "too old"))
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
		b, err := parseBind(body, Options{}, now, nil)
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

// FuzzSpoolBody: reading a body with its files set aside changes nothing a
// merchant can see. Wherever the body reads whole, the signed digest is the
// same, the fields parse the same and every file decodes to the same bytes
// (or is refused with the same error).
func FuzzSpoolBody(f *testing.F) {
	f.Add([]byte(`{"mc_trade_no":"T","base_info":{"email":"a@b.co","first_name":"A","last_name":"B","mobile":"1234567","mobile_code":"1"},"kyc_info":{"address":"x","birthday":"1990-01-01","doc_type":"1","front_doc":"/9j/","poa_type":1}}`))
	f.Add([]byte(`{"mc_trade_no":"T","base_info":{},"kyc_info":{"front_doc":"data:image/png;base64,iVBO\nRw0K\r\nGgo=","back_doc":"","mix_doc":"QQ\u003d\u003d","sign_img":"\ud83d\ude00\ud800x\"\\\/"}}`))
	f.Add([]byte(`{"kyc_info":{"front_doc":"\u0000spool:0"},"base_info":{"first_name":"\u0000spool:0"}}`))
	f.Add([]byte(`{"kyc_info":{"front_doc":"QQ==","front_doc":"QkI="}}`))
	f.Add([]byte(`{"kyc_info":{"front_doc":"QQ==`))
	f.Add([]byte(`[1,2]`))
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	headers := map[string]string{"api-key": "k", "timestamp": "1", "nonce": "abcdefgh"}
	f.Fuzz(func(t *testing.T, body []byte) {
		sp, err := spoolBody(bytes.NewReader(body))
		if e := (*Error)(nil); errors.As(err, &e) {
			require.Contains(t, e.Msg, "each file field at most once")
			return
		}
		require.NoError(t, err)
		defer sp.Close()
		whole, werr := StringToSign(headers, body)
		kept, kerr := StringToSign(headers, sp.kept)
		if werr != nil {
			require.Error(t, kerr, "a body that does not read whole does not read spooled")
			return
		}
		require.NoError(t, kerr, "%q", sp.kept)
		want := sha256.Sum256([]byte(whole))
		got, err := sp.digest(kept)
		require.NoError(t, err)
		require.Equal(t, want[:], got)

		b1, e1 := parseBind(body, Options{}, now, nil)
		b2, e2 := parseBind(sp.kept, Options{}, now, sp)
		if e1 != nil {
			require.NotNil(t, e2)
			require.Equal(t, e1.Msg, e2.Msg)
			return
		}
		require.Nil(t, e2, "%v", e2)
		require.Equal(t, len(b1.Files), len(b2.Files))
		for i := range b1.Files {
			r, err := b2.Files[i].open()
			require.NoError(t, err)
			data, err := io.ReadAll(r)
			require.NoError(t, err, "%s", b2.Files[i].field)
			require.Equal(t, b1.Files[i].data, data, b1.Files[i].field)
		}
	})
}

// TestSpoolKeepsFilesOut: a file string leaves the kept body for its spool
// (dialect.Spool: encrypted, unlinked) and reads back whole.
func TestSpoolKeepsFilesOut(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("QUJDRA==", 8192)
	sp, err := spoolBody(strings.NewReader(`{"mc_trade_no":"T","kyc_info":{"doc_no":"X1","front_doc":"` + text + `"}}`))
	require.NoError(t, err)
	defer sp.Close()
	require.Len(t, sp.files, 1)
	require.Less(t, len(sp.kept), 200, "the kept body holds no file: %q", sp.kept)
	require.EqualValues(t, len(text), sp.files[0].Size())
	r, err := sp.files[0].open()
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, text, string(got))
}

// TestSpoolBounded: a body repeating file fields cannot open temporary
// files without end (before its signature is even checked).
func TestSpoolBounded(t *testing.T) {
	t.Parallel()
	body := `{"kyc_info":{` + strings.Repeat(`"front_doc":"QQ==",`, maxSpools+1) + `"doc_no":"1"}}`
	_, err := spoolBody(strings.NewReader(body))
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, CodeParam, e.Code)
	require.Contains(t, e.Msg, "kyc_info: each file field at most once")
}
