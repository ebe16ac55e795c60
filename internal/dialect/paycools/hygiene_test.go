package paycools_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// Identifiers holding Unicode control or format characters (a right-to-left
// override makes "user\u202egpj.exe" read "userexe.jpg") are refused with
// 21002 naming the field and the rule; lookups too.
func TestIdentifierControlCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	res := e.call("/paycools/ekyc/init", e.m1, initParam("ORDER7", "user\u202egpj.exe", ""), "")
	golden(t, "error_control_characters", res)
	const initPath, checkPath = "/paycools/ekyc/init", "/paycools/ekyc/checkResult"
	for _, tc := range []struct{ path, param, msg string }{
		{initPath, initParam("ORDER8", "\u2066user\u2069", ""), "userId: must not contain Unicode control or format characters (found U+2066)"},
		{initPath, initParam("ORDER9", "user\u200b9", ""), "userId: must not contain Unicode control or format characters (found U+200B)"},
		{initPath, initParam("ORDER\u202e1", "user-1", ""), "mchOrderId: is required, 1 to 32 letters or digits"},
		{checkPath, fmt.Sprintf(`{"mchOrderId":"ORDER\u202e1","timestamp":%d}`, time.Now().UnixMilli()), "mchOrderId: must not contain Unicode control or format characters (found U+202E)"},
		{checkPath, `{"businessId":"ver_\u200e01"}`, "businessId: must not contain Unicode control or format characters (found U+200E)"},
	} {
		res := e.call(tc.path, e.m1, tc.param, "")
		require.Equal(t, 21002, code(res), "%s: %v", tc.param, res)
		require.Equal(t, tc.msg, res["message"], tc.param)
	}
}
