package vexora_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// Identifiers holding Unicode control or format characters are refused with
// 1002 naming the field and the rule, on applications and on queries.
func TestIdentifierControlCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	res := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": "user\u202egpj.exe", "email": "u@example.jp"}))
	golden(t, "error_control_characters", res)
	for _, tc := range []struct {
		path   string
		fields map[string]string
		msg    string
	}{
		{"/v1/vexora/kycApplyFor", map[string]string{"userId": "user\u200b1"}, "userId: must not contain Unicode control or format characters (found U+200B)"},
		{"/v1/vexora/kycApplyFor", map[string]string{"userId": "user-2", "email": "a\u202e@example.jp"}, "email: must not contain Unicode control or format characters (found U+202E)"},
		{"/v1/vexora/kycStatusQuery", map[string]string{"userId": "\u2066user\u2069"}, "userId: must not contain Unicode control or format characters (found U+2066)"},
		{"/v1/vexora/kycStatusQuery", map[string]string{"kycNumber": "KYC\u200f1"}, "kycNumber: must not contain Unicode control or format characters (found U+200F)"},
	} {
		res := e.postJSON(tc.path, e.a, signed(e.a, tc.fields))
		require.Equal(t, "1002", code(t, res), "%v", res)
		require.Equal(t, tc.msg, res["msg"])
	}
}
