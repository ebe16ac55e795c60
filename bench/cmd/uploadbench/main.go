// Command uploadbench uploads a document to a running openkyc, first one at a
// time (throughput) and then many at once (memory), and prints the figures.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	key := flag.String("key", "", "API key")
	applicant := flag.String("applicant", "", "applicant id")
	file := flag.String("file", "", "document to upload")
	kind := flag.String("kind", "aml_report", "document kind")
	seq := flag.Int("n", 10, "sequential uploads (median is reported)")
	conc := flag.Int("c", 0, "then this many concurrent uploads")
	flag.Parse()
	data, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("kind", *kind)
	fw, _ := w.CreateFormFile("file", "doc")
	_, _ = fw.Write(data)
	_ = w.Close()
	payload, ct := body.Bytes(), w.FormDataContentType()
	url := *base + "/v1/applicants/" + *applicant + "/documents"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	upload := func() time.Duration {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+*key)
		req.Header.Set("Content-Type", ct)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			log.Fatalf("upload: %d %s", res.StatusCode, b)
		}
		return time.Since(start)
	}
	upload() // warm up
	var ds []time.Duration
	for range *seq {
		ds = append(ds, upload())
	}
	slices.Sort(ds)
	med := ds[len(ds)/2]
	fmt.Printf("sequential_median_seconds %.6f\nsequential_mb_per_s %.1f\n", med.Seconds(), float64(len(data))/1e6/med.Seconds())
	if *conc > 0 {
		var wg sync.WaitGroup
		start := time.Now()
		for range *conc {
			wg.Add(1)
			go func() { defer wg.Done(); upload() }()
		}
		wg.Wait()
		el := time.Since(start)
		fmt.Printf("concurrent_uploads %d\nconcurrent_seconds %.3f\nconcurrent_mb_per_s %.1f\n", *conc, el.Seconds(), float64(*conc*len(data))/1e6/el.Seconds())
	}
}
