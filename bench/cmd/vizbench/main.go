// Command vizbench measures the printed-zone (VIZ) reader, and writes a
// Markdown report (bench/viz.sh runs it):
//
//   - on generated identity document fronts without an MRZ (kyctest.IDFront:
//     twelve country styles, their languages and date formats, values in
//     the Go fonts, which tesseract was not trained on, the Chinese card in
//     Droid Sans Fallback; skipped, and said so, when no CJK font is
//     installed), as rendered and
//     under the capture degradations of the MRZ harness;
//   - on the real specimen images of ../shared/data/mrz-real whose data
//     page or card side carries a printed zone: the truth of a field is the
//     transcribed MRZ's, so a field counts only where the MRZ holds it
//     (names as the MRZ writes them, dates whole). Dev and hold-out halves
//     as the MRZ harness splits them.
//
// A field is correct when its value equals the truth (names compared
// folded, letters only); "confident wrong" counts fields read wrong with a
// confidence at or above viz.Confident, the level at which the pipeline
// uses a field.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/pii"
)

// scored are the fields scored, in report order.
var scored = []string{"name", viz.FieldBirthDate, viz.FieldExpiryDate, viz.FieldDocumentNumber}

// scoredConf is one field read: its confidence and whether it is right.
type scoredConf struct {
	conf  float64
	right bool
}

// truth is what one image holds.
type truth struct {
	name                          string // surname then given names
	birth, expiry, number         string
	docType, country              string // generated only
	style, file, half, set, width string
}

// outcome is one reading.
type outcome struct {
	t          truth
	variant    string
	fields     map[string]string // correct, wrong, missing, "" (no truth)
	confWrong  []string          // fields wrong at or above viz.Confident
	confRight  map[string]bool
	read       map[string]viz.Field // what was read (the -detail report)
	confs      []scoredConf         // every scored field read, for the threshold sweep
	classified bool
	seconds    float64
	err        error
}

func main() {
	dir := flag.String("dir", "../shared/data/mrz-real", "the real set: truth.json, images/")
	n := flag.Int("n", 120, "generated fronts (cycling the twelve styles)")
	out := flag.String("out", "bench/results/viz.md", "Markdown report")
	parallel := flag.Int("parallel", 2, "images read at the same time (one OCR thread each)")
	only := flag.String("variants", "", "comma-separated variants (default all)")
	realOnly := flag.String("real-variants", "original,combined", "variants of the real set")
	detail := flag.Bool("detail", false, "list every reading's fields against the truth")
	ocr := flag.String("ocr", tesseract.ModeAuto, "tesseract: auto (workers keeping libtesseract loaded, when it loads) or program")
	baseline := flag.Int("baseline", 40, "clean fronts also read with tesseract workers and the program, to compare (0: none)")
	flag.Parse()

	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	r := &viz.Reader{Timeout: time.Minute, OCR: tesseract.For(*ocr, "")}
	if err := r.Available(); err != nil {
		log.Fatal(err)
	}
	type job struct {
		t   truth
		img func() image.Image
		v   realset.Variant
	}
	var jobs []job
	var clean []job // the baseline's fronts
	rnd := rand.New(rand.NewPCG(2026, 12))
	_, _, cjkErr := kyctest.CJKFont()
	skipped := 0
	for i := range *n {
		f := kyctest.RandomIDFront(rnd, i, now)
		width := 900 + rnd.IntN(500)
		if f.Style == "CN" && cjkErr != nil {
			skipped++
			continue
		}
		seed := uint64(i)
		t := truth{name: strings.TrimSpace(f.Surname + " " + f.GivenNames + f.FullName), birth: f.BirthDate, expiry: f.ExpiryDate,
			number: f.DocumentNumber, docType: f.DocumentType, country: f.Country, style: f.Style, set: "generated",
			file: fmt.Sprintf("gen-%03d-%s", i, f.Style), width: fmt.Sprint(width)}
		render := func() image.Image { return f.Render(width, seed) }
		for _, v := range realset.Select(*only) {
			jobs = append(jobs, job{t, render, v})
		}
		if len(clean) < *baseline {
			clean = append(clean, job{t, render, realset.Variants[0]})
		}
	}
	entries, err := realset.Scored(*dir)
	if err != nil {
		log.Fatal(err)
	}
	half := realset.Split(entries)
	for _, e := range entries {
		d, err := mrz.Parse(e.Lines...)
		if err != nil && len(d.Lines) == 0 {
			continue
		}
		t := truth{name: strings.TrimSpace(d.Surname + " " + d.GivenNames), number: d.DocumentNumber, set: "real", file: filepath.Base(e.File), half: half[e.File]}
		if b := d.BirthDate.String(); !strings.Contains(b, "X") {
			t.birth = b
		}
		if x := d.ExpiryDate.String(); !strings.Contains(x, "X") {
			t.expiry = x
		}
		path := filepath.Join(*dir, e.File)
		for _, v := range realset.Select(*realOnly) {
			jobs = append(jobs, job{t, func() image.Image {
				f, err := os.Open(path)
				if err != nil {
					log.Fatal(err)
				}
				defer f.Close()
				img, _, err := image.Decode(f)
				if err != nil {
					log.Fatalf("%s: %v", path, err)
				}
				return img
			}, v})
		}
	}

	results := make(chan outcome)
	queue := make(chan job)
	var wg sync.WaitGroup
	for range max(1, *parallel) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				seed := realset.SeedOf(j.t.file, j.v.Name)
				img := j.v.Apply(j.img(), rand.New(rand.NewPCG(seed, 1)), seed)
				t0 := time.Now()
				declared := ""
				if j.t.style == "CN" {
					declared = "CN" // an undeclared card is read in English first, which cannot read its Chinese titles
				}
				rd, err := r.Read(context.Background(), img, declared, now)
				o := score(j.t, rd, err)
				o.variant, o.seconds = j.v.Name, time.Since(t0).Seconds()
				results <- o
			}
		}()
	}
	go func() {
		for _, j := range jobs {
			queue <- j
		}
		close(queue)
		wg.Wait()
		close(results)
	}()
	var all []outcome
	start := time.Now()
	for o := range results {
		if o.err != nil {
			log.Printf("%s %s: %v", o.t.file, o.variant, o.err)
		}
		all = append(all, o)
		if len(all)%100 == 0 {
			fmt.Fprintf(os.Stderr, "vizbench: %d of %d readings (%s)\n", len(all), len(jobs), time.Since(start).Round(time.Second))
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].t.file != all[j].t.file {
			return all[i].t.file < all[j].t.file
		}
		return realset.Index(all[i].variant) < realset.Index(all[j].variant)
	})
	var md bytes.Buffer
	note := ""
	if skipped > 0 {
		note = fmt.Sprintf(" **%d Chinese fronts were skipped: %v.**", skipped, cjkErr)
	}
	report(&md, all, *n-skipped, *parallel, r.OCR.Mode(), note)
	if len(clean) > 0 {
		readers := map[bool]*viz.Reader{false: {Timeout: time.Minute, OCR: tesseract.Program{}}, true: {Timeout: time.Minute}}
		cmp := ocrmode.Compare(len(clean), *parallel, func(i int, library bool) string {
			j := clean[i]
			declared := ""
			if j.t.style == "CN" {
				declared = "CN"
			}
			rd, err := readers[library].Read(context.Background(), j.img(), declared, now)
			return fmt.Sprintf("%v %v", rd.Fields, err)
		})
		cmp.Report(&md, fmt.Sprintf("The first %d generated fronts as rendered", len(clean)))
	}
	if *detail {
		for _, o := range all {
			fmt.Fprintf(&md, "\n%s %s %s:", o.t.file, o.variant, o.t.half)
			for _, k := range scored {
				if o.fields[k] != "correct" && o.fields[k] != "" {
					fmt.Fprintf(&md, " %s=%s(%q %.2f, want %q)", k, o.fields[k], o.read[k].Text, o.read[k].Confidence, map[string]string{"name": o.t.name,
						viz.FieldBirthDate: o.t.birth, viz.FieldExpiryDate: o.t.expiry, viz.FieldDocumentNumber: o.t.number}[k])
				}
			}
		}
		md.WriteString("\n")
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, md.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(md.Bytes())
}

// ocrLabel says how tesseract ran.
func ocrLabel(mode string) string {
	if mode == "workers" {
		return "workers keeping libtesseract loaded"
	}
	return "the tesseract program, one process per recognition"
}

// nameKey is a name as compared: letters, folded, in order.
func nameKey(s string) string { return strings.Join(docdata.NameKey(s), " ") }

func score(t truth, rd viz.Reading, err error) outcome {
	o := outcome{t: t, fields: map[string]string{}, confRight: map[string]bool{}, err: err, read: map[string]viz.Field{}}
	f := rd.Fields
	read := map[string]viz.Field{}
	if nm, ok := rd.Name(); ok {
		read["name"] = nm
	}
	for _, k := range scored[1:] {
		if v, ok := f[k]; ok {
			read[k] = v
		}
	}
	o.read = read
	want := map[string]string{"name": nameKey(t.name), viz.FieldBirthDate: t.birth, viz.FieldExpiryDate: t.expiry,
		viz.FieldDocumentNumber: pii.DocumentNumberKey(t.number)}
	for _, k := range scored {
		if want[k] == "" {
			continue
		}
		got, ok := read[k]
		if !ok {
			o.fields[k] = "missing"
			continue
		}
		v := got.Value
		switch k {
		case "name":
			v = nameKey(v)
		case viz.FieldDocumentNumber:
			v = pii.DocumentNumberKey(v)
		}
		o.confs = append(o.confs, scoredConf{got.Confidence, v == want[k]})
		if v == want[k] {
			o.fields[k] = "correct"
			o.confRight[k] = got.Confidence >= viz.Confident
			continue
		}
		o.fields[k] = "wrong"
		if got.Confidence >= viz.Confident {
			o.confWrong = append(o.confWrong, k)
		}
	}
	o.classified = t.docType != "" && slices.Equal(rd.DocumentTypes, []string{t.docType}) && rd.IssuingCountry == t.country
	return o
}

func report(w *bytes.Buffer, all []outcome, n, parallel int, mode, skipped string) {
	fmt.Fprintf(w, "# Printed zone (VIZ) reading\n\nRun: %s on %d images at a time, one OCR thread each; tesseract (%s) with Debian's models, the document's country undeclared (the reader finds it from the titles) except on the Chinese cards (declared: English, the first pass of an undeclared card, cannot read their titles).%s\n\n",
		time.Now().UTC().Format(time.RFC3339), parallel, ocrLabel(mode), skipped)
	fmt.Fprintf(w, "A field is **read** when its value equals the truth; **confident** counts the correct ones at or above the confidence the pipeline uses (%.2f); **confident wrong** counts fields read wrong at or above it (target 0 on clean images).\n\n", viz.Confident)
	section := func(title string, keep func(o outcome) bool, byVariant bool) {
		fmt.Fprintf(w, "## %s\n\n| variant | images | name | birth date | expiry | document number | confident (all four fields) | confident wrong | classified | s p50 | s p95 |\n|---|---|---|---|---|---|---|---|---|---|---|\n", title)
		groups := map[string][]outcome{}
		var names []string
		for _, o := range all {
			if !keep(o) {
				continue
			}
			key := o.variant
			if !byVariant {
				key = o.t.style
			}
			if _, ok := groups[key]; !ok {
				names = append(names, key)
			}
			groups[key] = append(groups[key], o)
		}
		if byVariant {
			sort.Slice(names, func(i, j int) bool { return realset.Index(names[i]) < realset.Index(names[j]) })
		}
		for _, name := range names {
			os := groups[name]
			var cells []string
			confident, fieldsTotal, wrong, classified, withType := 0, 0, 0, 0, 0
			var secs []float64
			for _, k := range scored {
				right, total := 0, 0
				for _, o := range os {
					switch o.fields[k] {
					case "correct":
						right++
						total++
						if o.confRight[k] {
							confident++
						}
					case "wrong", "missing":
						total++
					}
				}
				fieldsTotal += total
				cells = append(cells, realset.Pct(right, total))
			}
			for _, o := range os {
				wrong += len(o.confWrong)
				secs = append(secs, o.seconds)
				if o.t.docType != "" {
					withType++
					if o.classified {
						classified++
					}
				}
			}
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | **%d** | %s | %.2f | %.2f |\n", name, len(os), cells[0], cells[1], cells[2], cells[3],
				realset.Pct(confident, fieldsTotal), wrong, realset.Pct(classified, withType), realset.Quantile(secs, 0.5), realset.Quantile(secs, 0.95))
		}
		fmt.Fprintln(w)
	}
	section(fmt.Sprintf("Generated fronts (%d, twelve styles), by variant", n), func(o outcome) bool { return o.t.set == "generated" }, true)
	section("Generated fronts as rendered, by style", func(o outcome) bool { return o.t.set == "generated" && o.variant == "original" }, false)
	for _, h := range []string{"dev", "hold-out"} {
		section("Real specimens, "+h+" half (truth from the MRZ)", func(o outcome) bool { return o.t.set == "real" && o.t.half == h }, true)
	}
	fmt.Fprintf(w, "## Confidence threshold\n\nFields of the generated fronts read at or above each confidence: the share of all scored fields read right, and how many were wrong.\n\n| threshold | as rendered: right | as rendered: wrong | degraded: right | degraded: wrong |\n|---|---|---|---|---|\n")
	for _, thr := range []float64{0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95} {
		var cells []string
		for _, clean := range []bool{true, false} {
			right, wrong, total := 0, 0, 0
			for _, o := range all {
				if o.t.set != "generated" || (o.variant == "original") != clean {
					continue
				}
				for _, k := range scored {
					if o.fields[k] != "" {
						total++
					}
				}
				for _, c := range o.confs {
					switch {
					case c.conf < thr:
					case c.right:
						right++
					default:
						wrong++
					}
				}
			}
			cells = append(cells, realset.Pct(right, total), fmt.Sprint(wrong))
		}
		fmt.Fprintf(w, "| %.2f | %s |\n", thr, strings.Join(cells, " | "))
	}
	fmt.Fprintf(w, "\n## Confident wrong readings\n\n")
	any := false
	for _, o := range all {
		if len(o.confWrong) > 0 {
			any = true
			fmt.Fprintf(w, "- %s (%s): %s\n", o.t.file, o.variant, strings.Join(o.confWrong, ", "))
		}
	}
	if !any {
		fmt.Fprintln(w, "None.")
	}
}
