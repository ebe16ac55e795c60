package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/cli"
)

func runStdin(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := cli.Command(&out, &errOut)
	cmd.Reader = strings.NewReader(stdin)
	err := cmd.Run(context.Background(), append([]string{"openkyc"}, args...))
	return out.String(), err
}

func TestStaffCommands(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	mid := newMerchant(t, data)
	out, err := runStdin(t, "a long enough password\n", "staff", "create", "--data-dir", data, "--email", "rev@example.com", "--role", "reviewer", "--merchant", mid, "--json")
	require.NoError(t, err)
	var acc struct {
		ID        string   `json:"id"`
		Role      string   `json:"role"`
		Merchants []string `json:"merchants"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &acc))
	require.Equal(t, "reviewer", acc.Role)
	require.Equal(t, []string{mid}, acc.Merchants)

	_, err = runStdin(t, "a long enough password\n", "staff", "create", "--data-dir", data, "--email", "boss@example.com", "--role", "admin")
	require.NoError(t, err)
	_, err = runStdin(t, "short\n", "staff", "create", "--data-dir", data, "--email", "x@example.com", "--role", "admin")
	require.ErrorContains(t, err, "password")
	_, err = runStdin(t, "a long enough password\n", "staff", "create", "--data-dir", data, "--email", "y@example.com", "--role", "auditor")
	require.ErrorContains(t, err, "merchant")

	out, err = run(t, "staff", "list", "--data-dir", data)
	require.NoError(t, err)
	require.Contains(t, out, "boss@example.com")
	require.Contains(t, out, "(all)")
	require.Contains(t, out, "rev@example.com")
	require.NotContains(t, out, "argon2", "no hashes printed")

	// Changes: a role with its merchants, disabling (sign-in refused), enabling.
	mid2 := newMerchant(t, data)
	out, err = run(t, "staff", "set", "--data-dir", data, "--email", "rev@example.com", "--role", "auditor", "--merchant", mid2, "--merchant", mid, "--json")
	require.NoError(t, err)
	var changed struct {
		Role      string   `json:"role"`
		Merchants []string `json:"merchants"`
		Status    string   `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &changed))
	require.Equal(t, "auditor", changed.Role)
	require.ElementsMatch(t, []string{mid, mid2}, changed.Merchants)
	require.Equal(t, "active", changed.Status)
	_, err = run(t, "staff", "set", "--data-dir", data, "--email", "rev@example.com", "--disable")
	require.NoError(t, err)
	out, err = run(t, "staff", "list", "--data-dir", data)
	require.NoError(t, err)
	require.Regexp(t, `rev@example\.com\s+auditor\s+\S+\s+disabled`, out)
	_, err = run(t, "staff", "set", "--data-dir", data, "--email", "rev@example.com", "--enable")
	require.NoError(t, err)
	_, err = run(t, "staff", "set", "--data-dir", data, "--email", "boss@example.com", "--role", "reviewer")
	require.ErrorContains(t, err, "merchant", "a reviewer needs merchants")
	_, err = run(t, "staff", "set", "--data-dir", data, "--email", "nobody@example.com", "--disable")
	require.Error(t, err)
	_, err = run(t, "staff", "set", "--data-dir", data, "--email", "rev@example.com", "--role", "root")
	require.ErrorContains(t, err, "role")
}
