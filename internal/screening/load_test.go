package screening

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// loadShared loads the OFAC 2021 set and the UN 2026 list from ../shared/data.
func loadShared(t testing.TB) []*Entry {
	dir := filepath.Join(sharedData(t), "lists")
	open := func(p string) *os.File {
		f, err := os.Open(filepath.Join(dir, p))
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}
	ofac, err := ParseOFAC(open("ofac_sdn_2021-07/sdn.csv"), open("ofac_sdn_2021-07/alt.csv"), open("ofac_sdn_2021-07/add.csv"))
	require.NoError(t, err)
	un, _, err := ParseUN(open("un_2026-02/un_consolidated.xml"))
	require.NoError(t, err)
	return append(ofac, un...)
}
