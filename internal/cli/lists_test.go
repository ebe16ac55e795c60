package cli_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListsCommands(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	formats := "../screening/testdata/formats/"

	out, err := run(t, "lists", "import", "--data-dir", data, formats+"eu")
	require.NoError(t, err)
	require.Contains(t, out, "eu_fsf")
	out, err = run(t, "lists", "show", "--data-dir", data)
	require.NoError(t, err)
	require.Contains(t, out, "eu_fsf")

	// a broken directory is refused and the installed lists stay
	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "sdn.csv"), []byte("1,\"x\n"), 0o644))
	_, err = run(t, "lists", "import", "--data-dir", data, bad)
	require.Error(t, err)
	out, err = run(t, "lists", "show", "--data-dir", data)
	require.NoError(t, err)
	require.Contains(t, out, "eu_fsf")

	// update downloads the configured sources (a loopback server here)
	srv := httptest.NewServer(http.FileServer(http.Dir(formats)))
	t.Cleanup(srv.Close)
	out, err = run(t, "lists", "update", "--data-dir", data, "--source", "ofac="+srv.URL+"/ofac_xml/sdn.xml",
		"--source", "uk="+srv.URL+"/uk_csv/ConList.csv", "--source", "opensanctions:peps="+srv.URL+"/opensanctions/peps.json")
	require.NoError(t, err)
	for _, l := range []string{"us_ofac", "uk_hmt", "opensanctions:peps"} {
		require.Contains(t, out, l)
	}
	require.NotContains(t, out, "eu_fsf", "an update replaces the installed set")
	out, err = run(t, "screen", "--lists-dir", filepath.Join(data, "lists"), "Rustam Karimov")
	require.NoError(t, err)
	require.Contains(t, out, "88001")

	_, err = run(t, "lists", "update", "--data-dir", data, "--source", "ofac="+srv.URL+"/missing.xml")
	require.ErrorContains(t, err, "404")
	_, err = run(t, "lists", "update", "--data-dir", data, "--source", "nope="+srv.URL)
	require.ErrorContains(t, err, "unknown source")
	_, err = run(t, "lists", "update", "--data-dir", data, "--source", "opensanctions:../x="+srv.URL)
	require.Error(t, err)
}
