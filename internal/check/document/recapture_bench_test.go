package document_test

import (
	"fmt"
	"hash/fnv"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// realDir is the public specimen set (../shared/data/mrz-real): photos and
// scans of real documents made by others, the genuine captures here.
func realDir() string {
	if d := os.Getenv("MRZ_REAL_DIR"); d != "" {
		return d
	}
	return "../../../../shared/data/mrz-real"
}

// half splits the set by a hash of the file name: "dev" or "hold-out".
func half(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	if h.Sum32()%2 == 0 {
		return "dev"
	}
	return "hold-out"
}

// BenchmarkRecapture measures the recapture hints. Genuine: every image of
// the public specimen set (photos and scans of real documents, made by
// others) as published and under the MRZ harness's phone degradations.
// Recaptured: the same images shown on a simulated screen and
// photographed (kyctest.ScreenPhoto), and as photographed grey photocopies
// (kyctest.Photocopy) — simulations, as no public set of real screen photos
// of documents is at hand. Reports, per half, the share of each variant
// flagged as a screen and as a grey copy: on genuine variants the false
// alarm rate (FAR), on recaptures the detection rate (1 − FRR).
func BenchmarkRecapture(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(realDir(), "images", "*"))
	if len(files) == 0 {
		b.Skip("no images under ", realDir())
	}
	variants := []struct {
		name      string
		recapture string // "", "screen" or "grey_copy"
		f         func(image.Image, uint64) image.Image
	}{
		{"original", "", func(m image.Image, _ uint64) image.Image { return m }},
		{"jpeg 50", "", func(m image.Image, _ uint64) image.Image { return kyctest.JPEGQuality(m, 50) }},
		{"downscale 60 %", "", func(m image.Image, _ uint64) image.Image { return kyctest.Scale(m, 0.6) }},
		{"noise σ6", "", func(m image.Image, s uint64) image.Image { return kyctest.Noise(m, 6, s) }},
		{"defocus", "", func(m image.Image, _ uint64) image.Image { return kyctest.Defocus(m, 1.5) }},
		{"combined", "", func(m image.Image, s uint64) image.Image {
			return kyctest.JPEGQuality(kyctest.Noise(kyctest.Rotate(kyctest.Scale(m, 0.6), 4), 6, s), 50)
		}},
		{"screen photo", "screen", func(m image.Image, s uint64) image.Image { return kyctest.ScreenPhoto(m, s) }},
		{"screen photo, downscaled 50 %", "screen", func(m image.Image, s uint64) image.Image {
			return kyctest.Scale(kyctest.ScreenPhoto(m, s), 0.5)
		}},
		{"screen photo, JPEG 50", "screen", func(m image.Image, s uint64) image.Image {
			return kyctest.JPEGQuality(kyctest.ScreenPhoto(m, s), 50)
		}},
		{"grey photocopy", "grey_copy", func(m image.Image, s uint64) image.Image { return kyctest.Photocopy(m, s) }},
	}
	type row struct{ screen, grey, n int }
	var report strings.Builder
	for b.Loop() {
		report.Reset()
		counts := map[string]map[string]*row{}
		var secs []float64
		var scores []string
		for i, f := range files {
			r, err := os.Open(f)
			if err != nil {
				b.Fatal(err)
			}
			img, _, err := image.Decode(r)
			r.Close()
			if err != nil {
				b.Logf("%s: %v", filepath.Base(f), err)
				continue
			}
			hv := half(filepath.Base(f))
			for _, v := range variants {
				m := v.f(img, uint64(i))
				t0 := time.Now()
				rep := document.Recapture(m)
				secs = append(secs, time.Since(t0).Seconds())
				if counts[v.name] == nil {
					counts[v.name] = map[string]*row{}
				}
				c := counts[v.name][hv]
				if c == nil {
					c = &row{}
					counts[v.name][hv] = c
				}
				c.n++
				h := rep.Hints()
				if slices.Contains(h, "screen") {
					c.screen++
				}
				if slices.Contains(h, "grey_copy") {
					c.grey++
				}
				if os.Getenv("RECAPTURE_SCORES") != "" {
					scores = append(scores, fmt.Sprintf("%-16s %-9s screen %5.2f colour %.4f %s", v.name, hv, rep.Screen, rep.Colour, filepath.Base(f)))
				}
			}
		}
		fmt.Fprintf(&report, "| variant | kind | half | images | flagged screen | flagged grey copy |\n|---|---|---|---|---|---|\n")
		for _, v := range variants {
			kind := "genuine"
			if v.recapture != "" {
				kind = "recaptured (" + v.recapture + ")"
			}
			for _, hv := range []string{"dev", "hold-out"} {
				c := counts[v.name][hv]
				if c == nil {
					continue
				}
				fmt.Fprintf(&report, "| %s | %s | %s | %d | %.0f %% | %.0f %% |\n", v.name, kind, hv, c.n,
					100*float64(c.screen)/float64(c.n), 100*float64(c.grey)/float64(c.n))
			}
		}
		sort.Float64s(secs)
		fmt.Fprintf(&report, "\nSeconds per image: p50 %.3f, p95 %.3f.\n", secs[len(secs)/2], secs[len(secs)*95/100])
		if len(scores) > 0 {
			sort.Strings(scores)
			report.WriteString("\n" + strings.Join(scores, "\n") + "\n")
		}
	}
	if out := os.Getenv("RECAPTURE_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	} else {
		fmt.Print(report.String())
	}
}
