package vexora_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect/vexora"
	"github.com/openkyc/openkyc/internal/kyc"
)

// refSign is a second, independent signer for tests: it builds the string
// with a byte buffer and its own sort.
func refSign(fields map[string]string, secret string) string {
	var keys []string
	for k, v := range fields {
		if k == "sign" || len(v) == 0 {
			continue
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var buf []byte
	for _, k := range keys {
		buf = append(buf, k...)
		buf = append(buf, '=')
		buf = append(buf, fields[k]...)
	}
	buf = append(buf, secret...)
	sum := md5.Sum(buf)
	return hex.EncodeToString(sum[:])
}

func TestSignVector(t *testing.T) {
	t.Parallel()
	// shared/vectors/signatures.json, vexora_md5 (computed independently).
	fields := map[string]string{"timestamp": "1732988442913", "userId": "jp_user_100008", "kycNumber": "", "sign": "ignored"}
	require.Equal(t, "timestamp=1732988442913userId=jp_user_100008vx-test-secret-7f3a", vexora.Canonical(fields, "vx-test-secret-7f3a"))
	require.Equal(t, "e5fa4702a0c0535e0423d8e31e6e1b56", vexora.Sign(fields, "vx-test-secret-7f3a"))
	require.True(t, vexora.ValidSign(fields, "vx-test-secret-7f3a", "E5FA4702A0C0535E0423D8E31E6E1B56"))
	require.False(t, vexora.ValidSign(fields, "other", "e5fa4702a0c0535e0423d8e31e6e1b56"))

	b, err := os.ReadFile("../../../../shared/vectors/signatures.json")
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	require.NoError(t, err)
	var all struct {
		V struct {
			Body   map[string]string `json:"body"`
			Secret string            `json:"app_secret"`
			String string            `json:"string_to_sign"`
			Sign   string            `json:"sign"`
		} `json:"vexora_md5"`
	}
	require.NoError(t, json.Unmarshal(b, &all))
	require.Equal(t, all.V.String, vexora.Canonical(all.V.Body, all.V.Secret))
	require.Equal(t, all.V.Sign, vexora.Sign(all.V.Body, all.V.Secret))
}

func TestStatusMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v      kyc.Verification
		status string
		reason string
	}{
		{kyc.Verification{State: kyc.StateCreated}, "0", ""},
		{kyc.Verification{State: kyc.StateSubmitted}, "1", ""},
		{kyc.Verification{State: kyc.StateProcessing}, "1", ""},
		{kyc.Verification{State: kyc.StateReview}, "1", ""},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionApproved}, "2", ""},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, Reasons: []string{"DOC_EXPIRED"}, UserMessage: "Your document has expired."}, "3", "Your document has expired."},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, Reasons: []string{"A", "B"}}, "3", "A,B"},
		{kyc.Verification{State: kyc.StateExpired}, "3", "The application expired before it was completed"},
		{kyc.Verification{State: kyc.StateCancelled}, "3", "The application was cancelled"},
	}
	for _, tc := range tests {
		st, reason := vexora.Status(tc.v)
		require.Equal(t, tc.status, st, "%+v", tc.v)
		require.Equal(t, tc.reason, reason)
	}
}

func FuzzCanonical(f *testing.F) {
	f.Add("timestamp", "1732988442913", "userId", "u", "s")
	f.Add("sign", "x", "", "", "")
	f.Add("a=b", "c", "ab", "=c", "secret")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, secret string) {
		fields := map[string]string{k1: v1, k2: v2}
		require.Equal(t, refSign(fields, secret), vexora.Sign(fields, secret))
		require.True(t, vexora.ValidSign(fields, secret, refSign(fields, secret)))
	})
}
