package cardbinding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// Identifiers holding Unicode control or format characters are refused with
// A0003 naming the field and the rule: mc_trade_no, base_info.email and
// kyc_info.doc_no on binding, mc_trade_no on query.
func TestIdentifierControlCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	res := e.do(call{path: "/openapi/card/binding/kyc", body: bindBody("TRADE\u202e1", "wei@example.com", "E12345678", nil), acc: e.m1})
	golden(t, "error_control_characters", res)
	const rule = ": must not contain Unicode control or format characters (found "
	for _, tc := range []struct {
		path string
		body []byte
		msg  string
	}{
		{"/openapi/card/binding/kyc", bindBody("TRADE-2", "wei\u200b@example.com", "E12345678", nil), "base_info.email" + rule + "U+200B)"},
		{"/openapi/card/binding/kyc", bindBody("TRADE-3", "wei@example.com", "E1234\u20665678", nil), "kyc_info.doc_no" + rule + "U+2066)"},
		{"/openapi/card/binding/kyc/query", queryBody("TRADE\u200f1"), "mc_trade_no" + rule + "U+200F)"},
	} {
		res := e.do(call{path: tc.path, body: tc.body, acc: e.m1})
		require.Equal(t, "A0003", code(res), "%s: %v", tc.path, res)
		require.Equal(t, tc.msg, res["msg"])
	}
}
