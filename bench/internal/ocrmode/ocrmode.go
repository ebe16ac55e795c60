// Package ocrmode measures the document readers with tesseract workers
// (libtesseract kept loaded) against the tesseract program, in the same
// run: each
// input is read both ways, one after the other, so both meet the same
// machine.
package ocrmode

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/openkyc/openkyc/internal/check/tesseract"
)

// Read reads input i with tesseract workers (library: libtesseract kept
// loaded in helper processes) or the program
// and returns what was read, as a string to compare (every field and
// confidence).
type Read func(i int, library bool) string

// Result is the comparison over n inputs.
type Result struct {
	N                  int
	Library, Program   []float64 // seconds per input
	Same               int       // inputs read identically both ways
	LibraryUnavailable error
}

// Compare reads inputs 0…n-1 both ways, parallel at a time.
func Compare(n, parallel int, read Read) Result {
	res := Result{N: n}
	if _, err := tesseract.SharedWorkers(); err != nil {
		res.LibraryUnavailable = err
		return res
	}
	res.Library, res.Program = make([]float64, n), make([]float64, n)
	same := make([]bool, n)
	queue := make(chan int)
	var wg sync.WaitGroup
	for range max(1, parallel) {
		wg.Go(func() {
			for i := range queue {
				t0 := time.Now()
				a := read(i, false)
				t1 := time.Now()
				b := read(i, true)
				res.Program[i], res.Library[i] = t1.Sub(t0).Seconds(), time.Since(t1).Seconds()
				same[i] = a == b
			}
		})
	}
	for i := range n {
		queue <- i
	}
	close(queue)
	wg.Wait()
	for _, s := range same {
		if s {
			res.Same++
		}
	}
	return res
}

// Quantile of v (q in 0…1), nearest rank.
func Quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// Report writes the comparison as a Markdown section.
func (r Result) Report(w io.Writer, what string) {
	fmt.Fprintf(w, "\n## Tesseract workers against the program (same run)\n\n")
	if r.LibraryUnavailable != nil {
		fmt.Fprintf(w, "Not measured: %v.\n", r.LibraryUnavailable)
		return
	}
	fmt.Fprintf(w, "%s, each read with the tesseract program (one process per recognition, its models loaded each time) and with tesseract workers (helper processes keeping libtesseract's engines loaded), one after the other.\n\n", what)
	fmt.Fprintf(w, "| OCR | inputs | s p50 | s p95 | same reading both ways |\n|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| program | %d | %.2f | %.2f | |\n", r.N, Quantile(r.Program, 0.5), Quantile(r.Program, 0.95))
	fmt.Fprintf(w, "| workers | %d | %.2f | %.2f | %d of %d |\n", r.N, Quantile(r.Library, 0.5), Quantile(r.Library, 0.95), r.Same, r.N)
	if p := Quantile(r.Program, 0.5); p > 0 {
		fmt.Fprintf(w, "\nworkers / program, p50: **×%.2f**\n", Quantile(r.Library, 0.5)/p)
	}
}
