package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/screening"
)

func TestScreenCommand(t *testing.T) {
	t.Parallel()
	dir := "../screening/testdata/formats/eu"
	out, err := run(t, "screen", "--lists-dir", dir, "--dob", "1961", "Иван Сидоренко")
	require.NoError(t, err)
	require.Contains(t, out, "eu_fsf")
	require.Contains(t, out, "9001")
	require.Contains(t, out, "date_of_birth:year+0.04")

	out, err = run(t, "screen", "--lists-dir", dir, "--json", "--type", "entity", "Northern Star Shipping Co LLC")
	require.NoError(t, err)
	var resp screening.Response
	require.NoError(t, json.Unmarshal([]byte(out), &resp), out)
	require.Equal(t, "9002", resp.Hits[0].EntryID)
	require.Equal(t, "eu_fsf", resp.Lists[0].List)

	out, err = run(t, "screen", "--lists-dir", dir, "Jane Doe")
	require.NoError(t, err)
	require.Contains(t, out, "no hits")

	_, err = run(t, "screen", "--lists-dir", dir, "--dob", "1961-02-30", "Ivan")
	require.ErrorContains(t, err, "date_of_birth")
	_, err = run(t, "screen", "Ivan")
	require.ErrorContains(t, err, "--lists-dir")
	_, err = run(t, "screen", "--lists-dir", t.TempDir(), "Ivan")
	require.ErrorContains(t, err, "no list files")
}

func TestReviewHitCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	args := []string{"review", "hit", "--data-dir", data, "--merchant", newMerchant(t, data), "--verification", "ver_01m813dm1x1y915bqyxq5qypd3", "--list", "us_ofac", "--entry", "1"}
	_, err := run(t, args...)
	require.ErrorContains(t, err, "exactly one of --confirm or --dismiss")
	_, err = run(t, append(args, "--confirm", "--dismiss")...)
	require.ErrorContains(t, err, "exactly one")
	_, err = run(t, append(args, "--dismiss")...)
	require.ErrorContains(t, err, "verification")
	require.ErrorContains(t, err, "not found")
}

// newMerchant creates a merchant in the data directory and returns its id.
func newMerchant(t *testing.T, data string) string {
	t.Helper()
	out, err := run(t, "merchant", "create", "--data-dir", data, "--name", "M", "--json")
	require.NoError(t, err)
	var m struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	require.NotEmpty(t, m.ID)
	return m.ID
}
