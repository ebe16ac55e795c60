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
	"encoding/json"
	"flag"
	"fmt"
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

	"github.com/openkyc/openkyc/bench/internal/ocrmode"
	"github.com/openkyc/openkyc/bench/internal/realset"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/tesseract"
	"github.com/openkyc/openkyc/internal/kyc"
)

// fields are the scored fields of a document.
var fieldNames = []string{"document_number", "birth_date", "expiry_date", "surname", "given_names"}

func fieldsOf(d mrz.Document) []string {
	return []string{d.DocumentNumber, d.BirthDate.Raw, d.ExpiryDate.Raw, d.Surname, d.GivenNames}
}

// outcome is one reading of one image under one realset.Variant.
type outcome struct {
	File    string          `json:"file"`
	Half    string          `json:"half"`
	Variant string          `json:"realset.Variant"`
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
	debugDir := flag.String("debug", "", "write each reading's passes (text) here, one file per image and realset.Variant")
	debugInputs := flag.Bool("debug-inputs", false, "with -debug, also write each degraded input image (PNG)")
	files := flag.String("files", "", "only images whose name contains this")
	ocr := flag.String("ocr", tesseract.ModeAuto, "tesseract: auto (workers keeping libtesseract loaded, when it loads) or program")
	baseline := flag.Int("baseline", 1000, "images (as published) also read with tesseract workers and the program, to compare (0: none)")
	flag.Parse()

	scored, err := realset.Scored(*dir)
	if err != nil {
		log.Fatal(err)
	}
	half := realset.Split(scored)
	vs := realset.Select(*only)
	// A generous time budget: a reading cut off by a busy machine would
	// count as not found; the seconds are reported instead.
	r := mrz.Reader{TessdataDir: filepath.Join(*assets, "tessdata"), Timeout: time.Minute, OCR: tesseract.For(*ocr, "")}
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
		var keep []realset.Entry
		for _, e := range scored {
			if strings.Contains(e.File, *files) {
				keep = append(keep, e)
			}
		}
		scored = keep
	}

	type job struct {
		e realset.Entry
		v realset.Variant
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
					r.Debug = textDebug{dir: *debugDir, prefix: filepath.Base(j.e.File) + "-" + j.v.Name + "-", images: *debugInputs}
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
		return realset.Index(all[i].Variant) < realset.Index(all[j].Variant)
	})
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(all, "", " ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	var md bytes.Buffer
	report(&md, scored, half, vs, all, *parallel, r.OCR.Mode())
	if nb := min(*baseline, len(scored)); nb > 0 {
		lib, _ := tesseract.SharedWorkers()
		cmp := ocrmode.Compare(nb, *parallel, func(i int, library bool) string {
			rr := r
			rr.OCR = tesseract.Program{}
			if library {
				rr.OCR = lib
			}
			o := run(rr, *dir, scored[i], realset.Variants[0], half[scored[i].File])
			return fmt.Sprint(o.Status, o.Raw, o.Lines, o.Confidence, o.FieldConfidence)
		})
		cmp.Report(&md, fmt.Sprintf("The %d images as published", nb))
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, md.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(md.Bytes())
}

func run(r mrz.Reader, dir string, e realset.Entry, v realset.Variant, half string) outcome {
	o := outcome{File: filepath.Base(e.File), Half: half, Variant: v.Name, FieldOK: make([]bool, len(fieldNames))}
	b, err := os.ReadFile(filepath.Join(dir, e.File))
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		log.Fatalf("%s: %v", e.File, err)
	}
	seed := realset.SeedOf(o.File, v.Name)
	img = v.Apply(img, rand.New(rand.NewPCG(seed, 1)), seed)
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

func report(w *bytes.Buffer, scored []realset.Entry, half map[string]string, vs []realset.Variant, all []outcome, parallel int, mode string) {
	tv := tesseractVersion()
	distinct := map[string]map[string]bool{"dev": {}, "hold-out": {}}
	images := map[string]int{}
	for _, e := range scored {
		distinct[half[e.File]][strings.Join(e.Lines, "\n")] = true
		images[half[e.File]]++
	}
	fmt.Fprintf(w, "# MRZ reading on real specimen images\n\n")
	how := "the tesseract program, one process per recognition"
	if mode == "workers" {
		how = "workers keeping libtesseract loaded"
	}
	fmt.Fprintf(w, "Run: %s on %d cores, %s, %s (%s), OCR-B ocrb_int, OMP_THREAD_LIMIT=1, %d images read at a time. `./bench/mrz-real.sh`.\n\n",
		time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.Version(), tv, how, parallel)
	fmt.Fprintf(w, "Set: the %d scored images of `../shared/data/mrz-real` (its README: sources, licences, quirks), split by a hash of the MRZ text: "+
		"dev %d images (%d distinct MRZs), hold-out %d images (%d distinct MRZs).\n\n",
		len(scored), images["dev"], len(distinct["dev"]), images["hold-out"], len(distinct["hold-out"]))
	fmt.Fprintf(w, "Variants (deterministic, seeded per image and realset.Variant):\n\n")
	for _, v := range vs {
		fmt.Fprintf(w, "- `%s`: %s\n", v.Name, v.Desc)
	}
	fmt.Fprintf(w, "\nColumns: *found* the reader returned an MRZ; *valid* every check digit of the reading holds; *correct* document number, "+
		"birth date, expiry date, surname and given names all as printed (compared as the parser splits the transcribed lines); *exact* every line as printed; *type + country* the document type (document code: P passport, V visa, A/C/I card) and issuing state read are those printed, as document.classification uses them; "+
		"per-field accuracy; *passed* / *review* what document.mrz concludes; *valid but wrong* document.mrz passes a reading that is not what is printed "+
		"(a field differs, or the specimen's printed check digits do not hold — target 0); *correct → review* correct readings sent to review (the cost of doubt); "+
		"seconds per image for locate + OCR + parse.\n\n")
	for _, h := range []string{"dev", "hold-out"} {
		fmt.Fprintf(w, "## %s half\n\n", h)
		fmt.Fprintf(w, "| realset.Variant | images | found | valid | correct | exact | type + country | number | birth | expiry | surname | given names | passed | review | valid but wrong | correct → review | p50 s | p95 s |\n")
		fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, v := range vs {
			var n, found, valid, correct, exact, classified, passed, review, wrong, costly int
			fok := make([]int, len(fieldNames))
			var secs []float64
			for _, o := range all {
				if o.Half != h || o.Variant != v.Name {
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
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s |", v.Name, n, realset.Pct(found, n), realset.Pct(valid, n), realset.Pct(correct, n), realset.Pct(exact, n), realset.Pct(classified, n))
			for _, k := range fok {
				fmt.Fprintf(w, " %s |", realset.Pct(k, n))
			}
			fmt.Fprintf(w, " %d | %d | **%d** | %d | %.2f | %.2f |\n", passed, review, wrong, costly, realset.Quantile(secs, 0.5), realset.Quantile(secs, 0.95))
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
// image and realset.Variant; with images, also the reader's images (located
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
