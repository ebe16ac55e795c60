// Command webhook-receiver is an example endpoint for openkyc webhooks. It
// verifies each delivery's Standard Webhooks signature with the endpoint
// secret (OPENKYC_WEBHOOK_SECRET, "whsec_..."), refuses stale timestamps,
// drops repeated deliveries by webhook-id, and answers 2xx quickly.
//
//	OPENKYC_WEBHOOK_SECRET=whsec_... go run ./docs/examples/webhook-receiver -addr :9000
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/openkyc/openkyc/client"
)

// verify checks the webhook-signature header ("v1,<base64>" entries
// separated by spaces; two during a secret rotation) against secret, in
// constant time, and refuses timestamps more than 5 minutes off, with the Go
// client's helper (client.VerifyWebhook does the same from the headers).
func verify(secret, id, timestamp, signatures string, body []byte, now time.Time) bool {
	return client.VerifyWebhookSignature(secret, id, timestamp, signatures, body, now, 5*time.Minute) == nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	flag.Parse()
	secret := os.Getenv("OPENKYC_WEBHOOK_SECRET")
	if secret == "" {
		log.Fatal("set OPENKYC_WEBHOOK_SECRET to the endpoint's whsec_ secret")
	}
	var mu sync.Mutex
	seen := map[string]bool{} // use a database with expiry in production
	http.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		id := r.Header.Get("webhook-id")
		if !verify(secret, id, r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body, time.Now()) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		dup := seen[id]
		seen[id] = true
		mu.Unlock()
		if dup {
			w.WriteHeader(http.StatusNoContent) // already handled: acknowledge again
			return
		}
		var msg struct {
			Type string `json:"type"`
			Data struct {
				VerificationID string   `json:"verification_id"`
				Reference      string   `json:"reference"`
				State          string   `json:"state"`
				Decision       string   `json:"decision"`
				RejectType     string   `json:"reject_type"`
				Reasons        []string `json:"reasons"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		log.Printf("%s %s (%s): state=%s decision=%s %s %v", msg.Type, msg.Data.Reference, msg.Data.VerificationID,
			msg.Data.State, msg.Data.Decision, msg.Data.RejectType, msg.Data.Reasons)
		w.WriteHeader(http.StatusNoContent)
	})
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
