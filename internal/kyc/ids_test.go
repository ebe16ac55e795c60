package kyc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
)

func TestNewIDMonotonicAndValid(t *testing.T) {
	t.Parallel()
	prev := kyc.NewID(kyc.PrefixVerification)
	for range 10000 {
		id := kyc.NewID(kyc.PrefixVerification)
		require.Greater(t, id, prev)
		require.True(t, kyc.ValidID(kyc.PrefixVerification, id))
		prev = id
	}
	for _, bad := range []string{"", "ver_", "apl_01m80hg0me5tyzr37k3r9sh15p", "ver_01m80hg0me5tyzr37k3r9sh15", "ver_01m80hg0me5tyzr37k3r9sh15P", "ver_01m80hg0me5tyzr37k3r9sh1ui"} {
		require.False(t, kyc.ValidID(kyc.PrefixVerification, bad), bad)
	}
}
