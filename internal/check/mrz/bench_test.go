package mrz_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// BenchmarkAccuracy reads MRZ_BENCH_DOCS (default 200) generated documents
// of every format, clean and degraded, plus as many with one wrong check
// digit, and reports: share fully valid (clean / degraded), character
// accuracy, false acceptances of wrong check digits (must be 0) and
// seconds per document (locate + OCR + parse, one OCR thread). Run it with
// -benchtime 1x (bench/run.sh does).
func BenchmarkAccuracy(b *testing.B) {
	r := reader(b)
	n := 200
	if v, err := strconv.Atoi(os.Getenv("MRZ_BENCH_DOCS")); err == nil && v > 0 {
		n = v
	}
	rng := rand.New(rand.NewPCG(42, 7))
	letters, alnum := "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	word := func(k int, set string) string {
		s := make([]byte, k)
		for i := range s {
			s[i] = set[rng.IntN(len(set))]
		}
		return string(s)
	}
	date := func(y0, span int) string {
		return time.Date(y0+rng.IntN(span), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format("060102")
	}
	formats := []mrz.Format{mrz.TD3, mrz.TD3, mrz.TD1, mrz.TD2}
	states := []string{"UTO", "FRA", "D", "SGP", "PHL", "GBR", "NLD", "CHN"}
	type sample struct {
		lines []string
		bad   bool
	}
	var docs []sample
	for i := 0; i < n; i++ {
		f := mrz.Fields{Format: formats[i%len(formats)], IssuingState: states[rng.IntN(len(states))], Surname: word(3+rng.IntN(9), letters),
			GivenNames: word(3+rng.IntN(6), letters) + " " + word(2+rng.IntN(6), letters), DocumentNumber: word(8+rng.IntN(2), alnum),
			Nationality: states[rng.IntN(len(states))], BirthDate: date(1945, 60), Sex: []string{"M", "F"}[rng.IntN(2)], ExpiryDate: date(2027, 10)}
		lines, err := mrz.Generate(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, sample{lines: lines})
		// the same document with its birth date check digit off by one
		bad := append([]string(nil), lines...)
		li, pos := 1, 19
		switch f.Format {
		case mrz.TD1:
			pos = 6
		}
		c := bad[li][pos]
		bad[li] = bad[li][:pos] + string('0'+(c-'0'+1)%10) + bad[li][pos+1:]
		docs = append(docs, sample{lines: bad, bad: true})
	}
	b.ResetTimer()
	var valid [2]int
	var total [2]int
	chars, charsOK, falseAccept, bads := 0, 0, 0, 0
	var elapsed, elapsedGood time.Duration
	reads := 0
	for i := 0; i < b.N; i++ {
		for k, s := range docs {
			for deg, sev := range []float64{0, 0.6} {
				if s.bad && deg == 1 {
					continue
				}
				b.StopTimer()
				img := kyctest.Degrade(kyctest.SyntheticDocument(b, s.lines, 1200), sev, uint64(k))
				b.StartTimer()
				start := time.Now()
				rd, err := r.Read(context.Background(), img)
				elapsed += time.Since(start)
				if !s.bad {
					elapsedGood += time.Since(start)
				}
				reads++
				if s.bad {
					bads++
					if err == nil && rd.Document.Valid() {
						falseAccept++
					}
					continue
				}
				total[deg]++
				if err != nil {
					chars += len(s.lines) * len(s.lines[0])
					continue
				}
				if rd.Document.Valid() {
					valid[deg]++
				}
				for li, want := range s.lines {
					chars += len(want)
					if li < len(rd.Lines) {
						got := rd.Lines[li]
						for j := 0; j < len(want) && j < len(got); j++ {
							if got[j] == want[j] {
								charsOK++
							}
						}
					}
				}
			}
		}
	}
	b.ReportMetric(100*float64(valid[0])/float64(total[0]), "%valid-clean")
	b.ReportMetric(100*float64(valid[1])/float64(total[1]), "%valid-degraded")
	b.ReportMetric(100*float64(charsOK)/float64(chars), "%char-accuracy")
	b.ReportMetric(float64(falseAccept), "false-accepts")
	b.ReportMetric(float64(bads), "wrong-digit-docs")
	b.ReportMetric(elapsed.Seconds()/float64(reads), "s/doc")
	b.ReportMetric(elapsedGood.Seconds()/float64(total[0]+total[1]), "s/valid-doc")
	b.ReportMetric(0, "ns/op")
}
