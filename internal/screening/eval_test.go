package screening

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// sharedData is ../shared/data beside the checkout (never copied into it).
func sharedData(t testing.TB) string {
	dir := os.Getenv("OPENKYC_SHARED_DATA")
	if dir == "" {
		dir = "../../../shared/data"
	}
	if _, err := os.Stat(filepath.Join(dir, "lists")); err != nil {
		if os.Getenv("OPENKYC_REQUIRE_LISTS") != "" {
			t.Fatal("shared data missing: ", err)
		}
		t.Skip("shared data (../shared/data) missing: ", err)
	}
	return dir
}

func readCSV(t testing.TB, path string) []map[string]string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(row) {
				m[h] = row[i]
			}
		}
		out = append(out, m)
	}
	return out
}
