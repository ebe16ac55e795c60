package app

import "net/http"

// hostedPageUnavailable is where dialects point users (Vexora
// authenticationUrl) until the hosted verification page exists.
func hostedPageUnavailable(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verification page not available</title></head><body style="font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
<h1>Verification page not available</h1>
<p>This service cannot yet collect documents in the browser. Please return to the site that sent you here;
it can send your documents directly.</p></body></html>`))
}
