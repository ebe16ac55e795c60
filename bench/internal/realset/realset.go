// Package realset is what the benchmarks on the public set of real
// specimen images (../shared/data/mrz-real) share: its truth, the split
// into a dev and a hold-out half, and the deterministic capture
// degradations every engine is measured under.
package realset

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// Entry is one image of truth.json (the fields used here).
type Entry struct {
	File             string   `json:"file"`
	Format           string   `json:"format"`
	Lines            []string `json:"lines"`
	CheckDigitsValid bool     `json:"check_digits_valid"`
	Capture          string   `json:"capture"`
	Scored           bool     `json:"scored"`
}

// Scored reads dir/truth.json and returns its scored images.
func Scored(dir string) ([]Entry, error) {
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		return nil, err
	}
	var truth []Entry
	if err := json.Unmarshal(b, &truth); err != nil {
		return nil, err
	}
	var scored []Entry
	for _, e := range truth {
		if e.Scored {
			scored = append(scored, e)
		}
	}
	return scored, nil
}

// Split puts each distinct MRZ (and so every image of it) in the dev or the
// hold-out half: distinct MRZs ordered by the SHA-256 of their text, the
// first half (rounded up) dev.
func Split(scored []Entry) map[string]string {
	key := func(e Entry) string {
		s := sha256.Sum256([]byte(strings.Join(e.Lines, "\n")))
		return hex.EncodeToString(s[:])
	}
	seen := map[string]bool{}
	var keys []string
	for _, e := range scored {
		if k := key(e); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	dev := map[string]bool{}
	for _, k := range keys[:(len(keys)+1)/2] {
		dev[k] = true
	}
	out := map[string]string{}
	for _, e := range scored {
		out[e.File] = "hold-out"
		if dev[key(e)] {
			out[e.File] = "dev"
		}
	}
	return out
}

// Variant is one way of capturing an image.
type Variant struct {
	Name, Desc string
	Apply      func(img image.Image, r *rand.Rand, seed uint64) image.Image
}

// sign is -1 or 1.
func sign(r *rand.Rand) float64 { return float64(1 - 2*r.IntN(2)) }

func between(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// Variants are the image as published and the degradations of a phone
// capture, one at a time and combined.
var Variants = []Variant{
	{"original", "as published", func(img image.Image, _ *rand.Rand, _ uint64) image.Image { return img }},
	{"rotate", "rotated 2–8° either way", func(img image.Image, r *rand.Rand, _ uint64) image.Image {
		return kyctest.Rotate(img, sign(r)*between(r, 2, 8))
	}},
	{"keystone", "perspective: top or bottom edge 4–10 % shorter", func(img image.Image, r *rand.Rand, _ uint64) image.Image {
		return kyctest.Keystone(img, sign(r)*between(r, 0.04, 0.10))
	}},
	{"downscale", "scaled to 50–70 %", func(img image.Image, r *rand.Rand, _ uint64) image.Image {
		return kyctest.Scale(img, between(r, 0.5, 0.7))
	}},
	{"jpeg", "JPEG quality 40–60", func(img image.Image, r *rand.Rand, _ uint64) image.Image {
		return kyctest.JPEGQuality(img, 40+r.IntN(21))
	}},
	{"noise", "Gaussian noise σ 4–8", func(img image.Image, r *rand.Rand, seed uint64) image.Image {
		return kyctest.Noise(img, between(r, 4, 8), seed)
	}},
	{"defocus", "disc blur of radius 1–2 px per 1000 px of width (at least 1 px)", func(img image.Image, r *rand.Rand, _ uint64) image.Image {
		return kyctest.Defocus(img, max(1, between(r, 1, 2)*float64(img.Bounds().Dx())/1000))
	}},
	{"light", "uneven light (down to 45–60 %) and a soft shadow (55–70 %)", func(img image.Image, _ *rand.Rand, seed uint64) image.Image {
		return kyctest.Light(img, seed)
	}},
	{"combined", "the issue's phone capture: scale 60 %, rotate 4° either way, noise σ 6, JPEG 50", func(img image.Image, r *rand.Rand, seed uint64) image.Image {
		out := kyctest.Rotate(kyctest.Scale(img, 0.6), sign(r)*4)
		return kyctest.JPEGQuality(kyctest.Noise(out, 6, seed), 50)
	}},
}

// Select keeps the variants named in a comma-separated list ("" keeps all).
func Select(only string) []Variant {
	if only == "" {
		return Variants
	}
	var vs []Variant
	for _, v := range Variants {
		if strings.Contains(","+only+",", ","+v.Name+",") {
			vs = append(vs, v)
		}
	}
	return vs
}

// Index is a variant's position in Variants (len(Variants) if unknown).
func Index(name string) int {
	for i, v := range Variants {
		if v.Name == name {
			return i
		}
	}
	return len(Variants)
}

// SeedOf is a variant's seed for one image.
func SeedOf(file, variant string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(file + "\x00" + variant))
	return h.Sum64()
}

// Pct formats n of d as a whole percentage ("–" of nothing).
func Pct(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(n)/float64(d))
}

// Quantile is the q-quantile of v (nearest rank).
func Quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(q*float64(len(s)-1) + 0.5)
	return s[i]
}
