// Command decodebench attacks a running openkyc with image uploads that
// decode to hundreds of megabytes, half through the hosted page and half
// through the API, while probing /healthz, and prints each phase's answers,
// the health probes and the server's peak resident memory (VmHWM).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image/jpeg"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/openkyc/openkyc/internal/kyctest"
)

var (
	base = flag.String("url", "http://127.0.0.1:8080", "server base URL")
	key  = flag.String("key", "", "API key")
	pid  = flag.Int("pid", 0, "server process id (for VmHWM)")
	n    = flag.Int("n", 20, "concurrent uploads per phase")
)

// Each phase's VmHWM is the server's peak since it started: bench/decode.sh
// starts a fresh server per phase.

func main() {
	which := flag.String("phase", "", "one phase: bomb, phone or large (default: all, one after the other)")
	header := flag.Bool("header", true, "print the table header and the idle server's row")
	flag.Parse()
	if *header {
		fmt.Printf("| phase | uploads | answers | /healthz probes (failed, max ms) | server VmHWM after |\n|---|---|---|---|---|\n")
		fmt.Printf("| idle server | – | – | – | %s |\n", hwm())
	}
	phases := []struct {
		name, title string
		file        func() []byte
	}{
		{"bomb", "pixel bomb: 6300×6300 RGBA 16-bit PNG, %d KB, 317 MB decoded", func() []byte { return kyctest.PixelBombPNG(6300, 6300, true, false) }},
		{"phone", "phone photo: 4000×3000 JPEG 4:2:0, %d KB, 19 MB decoded", phonePhoto},
		{"large", "large legit image: 4000×4000 RGBA 16-bit PNG, %d KB, 128 MB decoded", func() []byte { return kyctest.PixelBombPNG(4000, 4000, true, false) }},
	}
	for _, p := range phases {
		if *which == "" || *which == p.name {
			phase(p.title, p.file())
		}
	}
}

func phase(title string, file []byte) {
	aid, link := applicant()
	probe := kyctest.Probe(*base + "/healthz")
	statuses := make([]int, *n)
	var wg sync.WaitGroup
	for i := range *n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				statuses[i] = upload("/v1/applicants/"+aid+"/documents", map[string]string{"kind": "id_front"}, file)
			} else {
				statuses[i] = upload(link+"/upload?kind=id_front", nil, file)
			}
		}()
	}
	wg.Wait()
	probe.Stop()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	var parts []string
	for _, s := range slices.Sorted(func(yield func(int) bool) {
		for s := range count {
			if !yield(s) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%d × %d", count[s], s))
	}
	fmt.Printf("| %s | %d (half hosted, half API) | %s | %d (%d, %d ms) | %s |\n", fmt.Sprintf(title, len(file)>>10), *n,
		strings.Join(parts, ", "), probe.Probes, probe.Failed, probe.Slowest.Milliseconds(), hwm())
}

// phonePhoto is a 12-megapixel JPEG as phone cameras take them.
func phonePhoto() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, kyctest.SyntheticCard(4000, 3000), &jpeg.Options{Quality: 90}); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

func upload(path string, fields map[string]string, file []byte) int {
	body, ct := kyctest.UploadForm(fields, file)
	req, _ := http.NewRequest(http.MethodPost, *base+path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+*key)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Printf("upload: %v", err)
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func api(method, path, body string) map[string]any {
	req, _ := http.NewRequest(method, *base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+*key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode >= 300 {
		log.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
	}
	return out
}

var users int

func applicant() (string, string) {
	users++
	u := fmt.Sprintf("decode-%d-%d", time.Now().UnixNano(), users)
	a := api(http.MethodPost, "/v1/applicants", `{"external_user_id":"`+u+`","first_name":"Mei","last_name":"Lin"}`)
	v := api(http.MethodPost, "/v1/verifications", `{"applicant_id":"`+a["id"].(string)+`","reference":"`+u+`"}`)
	l := api(http.MethodPost, "/v1/verifications/"+v["id"].(string)+"/links", `{}`)
	p, err := url.Parse(l["url"].(string))
	if err != nil {
		log.Fatal(err)
	}
	return a["id"].(string), p.Path
}

func hwm() string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return fmt.Sprintf("%.0f MB", float64(kb)/1024)
		}
	}
	return "?"
}
