package screening

import (
	"path/filepath"
	"testing"
)

// BenchmarkSearch screens the synthetic negatives (people on no list: the
// common case) against OFAC 2021 and UN 2026, one goroutine per core.
func BenchmarkSearch(b *testing.B) {
	ix := Build(loadShared(b))
	rows := readCSV(b, filepath.Join(sharedData(b), "eval", "yente_negatives_global.csv"))[:5000]
	b.ResetTimer()
	i := 0
	for b.Loop() {
		r := rows[i%len(rows)]
		i++
		ix.Search(Query{Name: r["full_name"], BirthDate: r["date_of_birth"], Nationality: r["nationality"], Gender: r["gender"], Type: TypePerson, Threshold: DefaultThreshold})
	}
}
