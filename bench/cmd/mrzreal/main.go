// Command mrzreal measures the MRZ reader on real specimen images (the
// public development set in ../shared/data/mrz-real: README.md and
// truth.json), as published and under deterministic capture degradations,
// and writes a Markdown report. bench/mrz-real.sh runs it.
//
// The images are read from their directory, never copied. Scored images are
// split into a dev half and a hold-out half by a hash of their MRZ text, so
// related images of one document (resized, rotated, other light) fall in the
// same half.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"image"
	_ "image/jpeg"
	"image/png"
	"slices"

	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	_ "golang.org/x/image/bmp" // two specimens are BMP files named .jpg

	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// entry is one image of truth.json (the fields used here).
type entry struct {
	File             string   `json:"file"`
	Format           string   `json:"format"`
	Lines            []string `json:"lines"`
	CheckDigitsValid bool     `json:"check_digits_valid"`
	Capture          string   `json:"capture"`
	Scored           bool     `json:"scored"`
}

// variant is one way of capturing an image.
type variant struct {
	name, desc string
	apply      func(img image.Image, r *rand.Rand, seed uint64) image.Image
}

// sign is -1 or 1.
func sign(r *rand.Rand) float64 { return float64(1 - 2*r.IntN(2)) }

func between(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

var variants = []variant{
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

// fields are the scored fields of a document.
var fieldNames = []string{"document_number", "birth_date", "expiry_date", "surname", "given_names"}

func fieldsOf(d mrz.Document) []string {
	return []string{d.DocumentNumber, d.BirthDate.Raw, d.ExpiryDate.Raw, d.Surname, d.GivenNames}
}

// outcome is one reading of one image under one variant.
type outcome struct {
	File    string          `json:"file"`
	Half    string          `json:"half"`
	Variant string          `json:"variant"`
	Found   bool            `json:"found"`
	Valid   bool            `json:"valid"`    // every check digit of the reading holds
	Status  kyc.CheckStatus `json:"status"`   // what document.mrz concludes
	Reasons []string        `json:"reasons"`  // why review, if so
	FieldOK []bool          `json:"field_ok"` // per fieldNames
	Correct bool            `json:"correct"`  // all five fields as printed
	Exact   bool            `json:"exact"`    // every line as printed
	// Classified: the type (docdata.MRZTypes of the document code) and
	// issuing state read are those printed (document.classification).
	Classified bool      `json:"classified"`
	Truthful   bool      `json:"truthful"` // the check digits' validity as printed
	Repaired   int       `json:"repaired"` // characters the repair step changed
	Seconds    float64   `json:"seconds"`  // locate + OCR + parse
	Error      string    `json:"error,omitempty"`
	Lines      []string  `json:"lines,omitempty"`      // as read (the -json file only, for debugging)
	Confidence []float64 `json:"confidence,omitempty"` // per line
	Raw        []string  `json:"raw,omitempty"`        // as tesseract read them
	// FieldConfidence is the lowest character confidence per field.
	FieldConfidence map[string]float64 `json:"field_confidence,omitempty"`
	Fitted          int                `json:"fitted"`
	CharHeight      float64            `json:"char_height"` // px in the image read
	WrongField      []string           `json:"wrong_fields,omitempty"`
}

func main() {
	dir := flag.String("dir", "../shared/data/mrz-real", "the set: README.md, truth.json, images/")
	assets := flag.String("assets", "assets", "engines' assets (tessdata/ocrb_int.traineddata)")
	out := flag.String("out", "bench/results/mrz-real.md", "Markdown report")
	jsonOut := flag.String("json", "", "also write every outcome as JSON here")
	parallel := flag.Int("parallel", 2, "images read at the same time (one OCR thread each)")
	only := flag.String("variants", "", "comma-separated variants (default all)")
	glyphFont := flag.String("glyph-font", mrz.DefaultGlyphFont, "OCR-B font for the glyph matcher (empty: tesseract alone)")
	debugDir := flag.String("debug", "", "write each reading's passes (text) here, one file per image and variant")
	debugInputs := flag.Bool("debug-inputs", false, "with -debug, also write each degraded input image (PNG)")
	files := flag.String("files", "", "only images whose name contains this")
	flag.Parse()

	var truth []entry
	b, err := os.ReadFile(filepath.Join(*dir, "truth.json"))
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		log.Fatal(err)
	}
	var scored []entry
	for _, e := range truth {
		if e.Scored {
			scored = append(scored, e)
		}
	}
	half := split(scored)
	vs := variants
	if *only != "" {
		vs = nil
		for _, v := range variants {
			if strings.Contains(","+*only+",", ","+v.name+",") {
				vs = append(vs, v)
			}
		}
	}
	// A generous time budget: a reading cut off by a busy machine would
	// count as not found; the seconds are reported instead.
	r := mrz.Reader{TessdataDir: filepath.Join(*assets, "tessdata"), Timeout: time.Minute}
	if err := r.Available(); err != nil {
		log.Fatal(err)
	}
	if *glyphFont != "" {
		gf, err := mrz.LoadGlyphFont(*glyphFont)
		if err != nil {
			log.Fatal(err)
		}
		r.Glyphs = gf
	}
	if *files != "" {
		var keep []entry
		for _, e := range scored {
			if strings.Contains(e.File, *files) {
				keep = append(keep, e)
			}
		}
		scored = keep
	}

	type job struct {
		e entry
		v variant
	}
	jobs := make(chan job)
	results := make(chan outcome)
	var wg sync.WaitGroup
	for i := 0; i < max(1, *parallel); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := r
				if *debugDir != "" {
					r.Debug = textDebug{dir: *debugDir, prefix: filepath.Base(j.e.File) + "-" + j.v.name + "-", images: *debugInputs}
				}
				results <- run(r, *dir, j.e, j.v, half[j.e.File])
			}
		}()
	}
	go func() {
		for _, e := range scored {
			for _, v := range vs {
				jobs <- job{e, v}
			}
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	var all []outcome
	start := time.Now()
	for o := range results {
		all = append(all, o)
		if len(all)%50 == 0 {
			fmt.Fprintf(os.Stderr, "mrzreal: %d of %d readings (%s)\n", len(all), len(scored)*len(vs), time.Since(start).Round(time.Second))
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].File != all[j].File {
			return all[i].File < all[j].File
		}
		return variantIndex(all[i].Variant) < variantIndex(all[j].Variant)
	})
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(all, "", " ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	var md bytes.Buffer
	report(&md, scored, half, vs, all, *parallel)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, md.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(md.Bytes())
}

func variantIndex(name string) int {
	for i, v := range variants {
		if v.name == name {
			return i
		}
	}
	return len(variants)
}

// split puts each distinct MRZ (and so every image of it) in the dev or the
// hold-out half: distinct MRZs ordered by the SHA-256 of their text, the
// first half (rounded up) dev.
func split(scored []entry) map[string]string {
	key := func(e entry) string {
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

// seedOf is the variant's seed for one image.
func seedOf(file, variant string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(file + "\x00" + variant))
	return h.Sum64()
}

func run(r mrz.Reader, dir string, e entry, v variant, half string) outcome {
	o := outcome{File: filepath.Base(e.File), Half: half, Variant: v.name, FieldOK: make([]bool, len(fieldNames))}
	b, err := os.ReadFile(filepath.Join(dir, e.File))
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		log.Fatalf("%s: %v", e.File, err)
	}
	seed := seedOf(o.File, v.name)
	img = v.apply(img, rand.New(rand.NewPCG(seed, 1)), seed)
	if d, ok := r.Debug.(textDebug); ok && d.images {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err == nil {
			d.Text("input.png", buf.String())
		}
	}
	runtime.GC() // big originals: keep two workers' garbage out of the timing
	t0 := time.Now()
	rd, err := r.Read(context.Background(), img)
	o.Seconds = time.Since(t0).Seconds()
	o.Status = kyc.CheckNotRun
	if err != nil {
		o.Error = err.Error()
		return o
	}
	o.Found = true
	o.Valid = rd.Document.Valid()
	o.Repaired, o.Fitted, o.CharHeight = rd.Repaired, rd.Fitted, rd.CharHeight
	o.Lines, o.Confidence, o.Raw = rd.Lines, rd.Confidence, rd.Raw
	o.Status, o.Reasons, o.FieldConfidence = status(rd)
	want, _ := mrz.Parse(e.Lines...)
	wf, gf := fieldsOf(want), fieldsOf(rd.Document)
	o.Correct = true
	for i := range wf {
		o.FieldOK[i] = wf[i] == gf[i]
		if !o.FieldOK[i] {
			o.Correct = false
			o.WrongField = append(o.WrongField, fieldNames[i])
		}
	}
	o.Exact = strings.Join(rd.Lines, "\n") == strings.Join(e.Lines, "\n")
	o.Classified = slices.Equal(docdata.MRZTypes(rd.Document.DocumentCode), docdata.MRZTypes(want.DocumentCode)) &&
		rd.Document.IssuingState == want.IssuingState
	o.Truthful = o.Valid == e.CheckDigitsValid
	return o
}

// status is what the check document.mrz concludes from a reading
// (mrz.Assess): failed when a check digit does not hold, review when the
// reading is in doubt, passed otherwise.
func status(rd mrz.Reading) (kyc.CheckStatus, []string, map[string]float64) {
	a := mrz.Assess(rd, time.Now())
	return a.Status, a.Doubts, a.FieldConfidence
}

// wrongPass is a reading document.mrz passes although it is not what is
// printed: a field differs, or the document's printed check digits do not
// all hold (a reader that "repairs" them into valid ones is wrong).
func (o outcome) wrongPass() bool {
	return o.Status == kyc.CheckPassed && (!o.Correct || !o.Truthful)
}

func pct(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(n)/float64(d))
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(q*float64(len(s)-1) + 0.5)
	return s[i]
}

func report(w *bytes.Buffer, scored []entry, half map[string]string, vs []variant, all []outcome, parallel int) {
	tv := tesseractVersion()
	distinct := map[string]map[string]bool{"dev": {}, "hold-out": {}}
	images := map[string]int{}
	for _, e := range scored {
		distinct[half[e.File]][strings.Join(e.Lines, "\n")] = true
		images[half[e.File]]++
	}
	fmt.Fprintf(w, "# MRZ reading on real specimen images\n\n")
	fmt.Fprintf(w, "Run: %s on %d cores, %s, %s, OCR-B ocrb_int, OMP_THREAD_LIMIT=1, %d images read at a time. `./bench/mrz-real.sh`.\n\n",
		time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.Version(), tv, parallel)
	fmt.Fprintf(w, "Set: the %d scored images of `../shared/data/mrz-real` (its README: sources, licences, quirks), split by a hash of the MRZ text: "+
		"dev %d images (%d distinct MRZs), hold-out %d images (%d distinct MRZs).\n\n",
		len(scored), images["dev"], len(distinct["dev"]), images["hold-out"], len(distinct["hold-out"]))
	fmt.Fprintf(w, "Variants (deterministic, seeded per image and variant):\n\n")
	for _, v := range vs {
		fmt.Fprintf(w, "- `%s`: %s\n", v.name, v.desc)
	}
	fmt.Fprintf(w, "\nColumns: *found* the reader returned an MRZ; *valid* every check digit of the reading holds; *correct* document number, "+
		"birth date, expiry date, surname and given names all as printed (compared as the parser splits the transcribed lines); *exact* every line as printed; *type + country* the document type (document code: P passport, V visa, A/C/I card) and issuing state read are those printed, as document.classification uses them; "+
		"per-field accuracy; *passed* / *review* what document.mrz concludes; *valid but wrong* document.mrz passes a reading that is not what is printed "+
		"(a field differs, or the specimen's printed check digits do not hold — target 0); *correct → review* correct readings sent to review (the cost of doubt); "+
		"seconds per image for locate + OCR + parse.\n\n")
	for _, h := range []string{"dev", "hold-out"} {
		fmt.Fprintf(w, "## %s half\n\n", h)
		fmt.Fprintf(w, "| variant | images | found | valid | correct | exact | type + country | number | birth | expiry | surname | given names | passed | review | valid but wrong | correct → review | p50 s | p95 s |\n")
		fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, v := range vs {
			var n, found, valid, correct, exact, classified, passed, review, wrong, costly int
			fok := make([]int, len(fieldNames))
			var secs []float64
			for _, o := range all {
				if o.Half != h || o.Variant != v.name {
					continue
				}
				n++
				secs = append(secs, o.Seconds)
				found += b2i(o.Found)
				valid += b2i(o.Valid)
				correct += b2i(o.Correct)
				exact += b2i(o.Exact)
				classified += b2i(o.Classified)
				passed += b2i(o.Status == kyc.CheckPassed)
				review += b2i(o.Status == kyc.CheckReview)
				wrong += b2i(o.wrongPass())
				costly += b2i(o.Correct && o.Truthful && o.Status == kyc.CheckReview)
				for i, ok := range o.FieldOK {
					fok[i] += b2i(ok)
				}
			}
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s |", v.name, n, pct(found, n), pct(valid, n), pct(correct, n), pct(exact, n), pct(classified, n))
			for _, k := range fok {
				fmt.Fprintf(w, " %s |", pct(k, n))
			}
			fmt.Fprintf(w, " %d | %d | **%d** | %d | %.2f | %.2f |\n", passed, review, wrong, costly, quantile(secs, 0.5), quantile(secs, 0.95))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "## Per image, as published\n\n| image | half | found | status | correct | wrong fields | repaired chars | s |\n|---|---|---|---|---|---|---|---|\n")
	for _, o := range all {
		if o.Variant != "original" {
			continue
		}
		mark := ""
		if o.wrongPass() {
			mark = " **valid but wrong**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s%s | %s | %s | %d | %.2f |\n", o.File, o.Half, yes(o.Found), o.Status, mark, yes(o.Correct),
			strings.Join(o.WrongField, ", "), o.Repaired, o.Seconds)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// tesseractVersion is the first line of tesseract --version.
func tesseractVersion() string {
	out, err := exec.Command("tesseract", "--version").CombinedOutput()
	if err != nil {
		return "tesseract (unknown version)"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return line
}

// textDebug keeps the reader's text output (each pass's readings) of one
// image and variant; with images, also the reader's images (located
// lines, OCR sheets).
type textDebug struct {
	dir, prefix string
	images      bool // also the degraded input (input.png)
}

func (d textDebug) Image(name string, img image.Image) {
	if !d.images {
		return
	}
	f, err := os.Create(filepath.Join(d.dir, d.prefix+name))
	if err != nil {
		log.Print(err)
		return
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		log.Print(err)
	}
}

func (d textDebug) Text(name, text string) {
	if err := os.WriteFile(filepath.Join(d.dir, d.prefix+name), []byte(text), 0o600); err != nil {
		log.Print(err)
	}
}
