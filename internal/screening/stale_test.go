package screening

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
)

// TestStaleLists: a list fetched longer ago than the check's MaxAge makes
// screening.sanctions unavailable with LISTS_STALE; the metrics show each
// list's age and entries.
func TestStaleLists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join("testdata", "formats", "ofac_xml")
	ents, err := os.ReadDir(src)
	require.NoError(t, err)
	fetched := time.Now().Add(-100 * time.Hour)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		p := filepath.Join(dir, e.Name())
		require.NoError(t, os.WriteFile(p, b, 0o600))
		require.NoError(t, os.Chtimes(p, fetched, fetched))
	}
	s := NewScreener()
	_, err = s.LoadDir(dir)
	require.NoError(t, err)
	now := time.Now()
	require.Empty(t, s.Stale(0, now), "no limit")
	require.Empty(t, s.Stale(200*time.Hour, now))
	stale := s.Stale(72*time.Hour, now)
	require.Len(t, stale, 1)
	require.Contains(t, stale[0], "ofac is 100h0m0s old")

	// an old snapshot imported offline stays old
	imported := t.TempDir()
	_, err = Import(dir, imported)
	require.NoError(t, err)
	s2 := NewScreener()
	_, err = s2.LoadDir(imported)
	require.NoError(t, err)
	require.Len(t, s2.Stale(72*time.Hour, now), 1)

	subject := &check.Subject{Applicant: kyc.Applicant{PII: kyc.PII{FirstName: "Anna", LastName: "Eriksson"}}}
	r := Check{Screener: s, MaxAge: 72 * time.Hour}.Run(context.Background(), subject)
	require.Equal(t, kyc.CheckNotRun, r.Status)
	require.Equal(t, kyc.NotRunUnavailable, r.NotRunKind)
	require.Equal(t, ReasonListsStale, r.ReasonCode)
	require.Contains(t, r.Evidence.(map[string]any)["reason"], "stale lists: us_ofac")

	got := testutil.CollectAndCount(NewCollector(s))
	require.Equal(t, 2, got, "age and entries of the one list")
	require.NoError(t, testutil.CollectAndCompare(NewCollector(s), strings.NewReader(`
# HELP openkyc_screening_list_entries Entries of each loaded sanctions list.
# TYPE openkyc_screening_list_entries gauge
openkyc_screening_list_entries{list="us_ofac"} `+strconv.Itoa(s.Versions()[0].Entries)+`
`), "openkyc_screening_list_entries"))
}
