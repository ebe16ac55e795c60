package barcode

import (
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// aamvaText writes a version 08 DL/ID text of a made-up person, varied by
// seed (names, dates, numbers, address lengths).
func aamvaText(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 7))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('A' + r.IntN(26))
		}
		return string(b)
	}
	date := func(y0, y1 int) string {
		return fmt.Sprintf("%02d%02d%04d", 1+r.IntN(12), 1+r.IntN(28), y0+r.IntN(y1-y0))
	}
	body := strings.Join([]string{
		"DAQ" + fmt.Sprintf("%c%07d", 'A'+r.IntN(26), r.IntN(10_000_000)),
		"DCS" + word(4+r.IntN(8)), "DDEN", "DAC" + word(3+r.IntN(7)), "DDFN", "DAD" + word(1+r.IntN(6)), "DDGN",
		"DCAC", "DCBNONE", "DCDNONE", "DBD" + date(2015, 2024), "DBB" + date(1940, 2005), "DBA" + date(2025, 2032),
		"DBC" + fmt.Sprint(1+r.IntN(2)), "DAU0" + fmt.Sprint(60+r.IntN(20)) + " IN", "DAYBRO",
		"DAG" + fmt.Sprintf("%d %s ST", 1+r.IntN(9999), word(4+r.IntN(10))), "DAI" + word(4+r.IntN(10)), "DAJCA",
		"DAK" + fmt.Sprintf("%05d0000  ", r.IntN(100000)), "DCF" + word(12), "DCGUSA",
	}, "\n")
	head := "@\n\x1e\rANSI 636014080001DL00310000"
	return head + "DL" + body + "\r"
}

// BenchmarkDecodeRate: the share of PDF417 barcodes ZXingReader reads on
// the back of a card photographed as a phone does. The texts are AAMVA
// records of made-up people and the symbols are drawn by ZXingWriter onto a
// synthetic card: generated data, for coverage and regression, not a
// measure on real captures (no public set of real licence backs is at
// hand). Variants as the MRZ harness's. BARCODE_BENCH_N sets the number of
// cards (40).
func BenchmarkDecodeRate(b *testing.B) {
	r := Reader{}
	if err := r.Available(); err != nil {
		b.Skip(err)
	}
	n := 40
	if v := os.Getenv("BARCODE_BENCH_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	variants := []struct {
		name string
		f    func(image.Image, uint64) image.Image
	}{
		{"original", func(m image.Image, _ uint64) image.Image { return m }},
		{"rotate 4°", func(m image.Image, _ uint64) image.Image { return kyctest.Rotate(m, 4) }},
		{"keystone 8 %", func(m image.Image, _ uint64) image.Image { return kyctest.Keystone(m, 0.08) }},
		{"downscale 60 %", func(m image.Image, _ uint64) image.Image { return kyctest.Scale(m, 0.6) }},
		{"jpeg 50", func(m image.Image, _ uint64) image.Image { return kyctest.JPEGQuality(m, 50) }},
		{"noise σ6", func(m image.Image, s uint64) image.Image { return kyctest.Noise(m, 6, s) }},
		{"defocus", func(m image.Image, _ uint64) image.Image { return kyctest.Defocus(m, 1.5) }},
		{"light", func(m image.Image, s uint64) image.Image { return kyctest.Light(m, s) }},
		{"combined", func(m image.Image, s uint64) image.Image {
			return kyctest.JPEGQuality(kyctest.Noise(kyctest.Rotate(kyctest.Scale(m, 0.6), 4), 6, s), 50)
		}},
	}
	read := map[string]int{}
	var secs []float64
	for b.Loop() {
		clear(read)
		secs = secs[:0]
		for i := range n {
			text := aamvaText(uint64(i))
			want, err := ParseAAMVA([]byte(text))
			if err != nil {
				b.Fatal(err)
			}
			card := kyctest.LicenceBack(b, text)
			for _, v := range variants {
				img := v.f(card, uint64(i))
				t0 := time.Now()
				codes, err := r.ReadImage(b.Context(), img)
				secs = append(secs, time.Since(t0).Seconds())
				if err != nil {
					b.Fatal(err)
				}
				for _, c := range codes {
					if got, err := ParseAAMVA([]byte(c.Text)); err == nil && got.DocumentNumber == want.DocumentNumber &&
						got.DateOfBirth == want.DateOfBirth && got.Surname == want.Surname {
						read[v.name]++
						break
					}
				}
			}
		}
	}
	total := 0
	for _, v := range variants {
		b.ReportMetric(100*float64(read[v.name])/float64(n), "%"+strings.ReplaceAll(v.name, " ", "_"))
		total += read[v.name]
	}
	sort.Float64s(secs)
	b.ReportMetric(100*float64(total)/float64(n*len(variants)), "%all")
	b.ReportMetric(secs[len(secs)/2], "s/p50")
	b.ReportMetric(secs[len(secs)*95/100], "s/p95")
}
