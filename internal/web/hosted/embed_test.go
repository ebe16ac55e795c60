package hosted_test

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/web/hosted"
)

// sdkIntegrity is the Subresource Integrity value of openkyc.js.
func sdkIntegrity() string {
	sum := sha512.Sum384(hosted.SDK)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

// merchantPage serves a merchant's page that loads openkyc.js from the
// openkyc server (with SRI) and opens link on a click, keeping the events.
func merchantPage(t *testing.T, openkyc, link string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>shop</title>
<script src="%s/sdk/v1/openkyc.js" integrity="%s" crossorigin="anonymous"></script>
<button id="verify">Verify my identity</button>
<script>
window.events = [];
document.getElementById("verify").addEventListener("click", function () {
  OpenKYC.open({url: %q, locale: "en", onEvent: function (e) { window.events.push(e); }});
});
</script>`, openkyc, sdkIntegrity(), link)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type event struct {
	Type  string `json:"type"`
	Name  string `json:"name,omitempty"`
	Kind  string `json:"kind,omitempty"`
	State string `json:"state,omitempty"`
	Code  string `json:"code,omitempty"`
}

// TestEmbeddedFlow: a merchant page on another origin embeds the hosted
// flow with openkyc.js, the user completes it with the camera inside the
// iframe, and the page receives the events in order; a page on an origin
// the merchant did not allow cannot frame it.
func TestEmbeddedFlow(t *testing.T) {
	t.Parallel()
	kyctest.Chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	// openkyc at localhost, the merchants at 127.0.0.1: two sites, as in
	// production (the iframe runs in its own process)
	openkyc := strings.Replace(e.srv.URL, "127.0.0.1", "localhost", 1)
	vid := e.verification(e.keyA, "embed-user")
	link := openkyc + e.link(e.keyA, vid, `{}`)
	shop := merchantPage(t, openkyc, link)
	other := merchantPage(t, openkyc, link)
	st, body := e.api(http.MethodPut, "/v1/hosted/settings", e.keyA, `{"embed_origins":["`+shop.URL+`"]}`)
	require.Equal(t, http.StatusOK, st, "%v", body)

	// the page's policy names the allowed origin only
	res, err := http.Get(e.srv.URL + strings.TrimPrefix(link, openkyc))
	require.NoError(t, err)
	res.Body.Close()
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "frame-ancestors "+shop.URL+";")
	// the script: any origin may load it, and its SRI value is the documented one
	res, err = http.Get(e.srv.URL + "/sdk/v1/openkyc.js")
	require.NoError(t, err)
	js, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, hosted.SDK, js)
	doc, err := os.ReadFile("../../../docs/hosted.md")
	require.NoError(t, err)
	require.Contains(t, string(doc), sdkIntegrity(), "docs/hosted.md gives openkyc.js's SRI value")

	dir := t.TempDir()
	video := filepath.Join(dir, "card.y4m")
	kyctest.WriteY4M(t, video, kyctest.SyntheticCard(1280, 800), 5)
	ctx := kyctest.Browser(t, video)
	kyctest.RunBrowser(t, ctx, "merchant page", chromedp.Navigate(shop.URL), chromedp.Click(chromedp.ID("verify")),
		chromedp.WaitVisible(chromedp.CSS(`iframe[title="Identity verification"]`)),
		chromedp.Poll[chromedp.Void](`window.events.some(function (e) { return e.type === "ready"; })`))
	// the iframe is its own target (another site): actions run in it there
	var frameID target.ID
	for deadline := time.Now().Add(30 * time.Second); frameID == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		infos, err := chromedp.Targets(ctx)
		require.NoError(t, err)
		for _, in := range infos {
			if in.Type == "iframe" && strings.HasPrefix(in.URL, openkyc+"/verify/") {
				frameID = in.TargetID
			}
		}
	}
	require.NotEmpty(t, frameID, "the hosted page runs in the iframe")
	fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(frameID))
	defer cancel()
	kyctest.RunBrowser(t, fctx, "embedded flow",
		chromedp.WaitVisible(chromedp.ID("doc_type")),
		chromedp.SetValue(chromedp.ID("doc_type"), "id_card"),
		chromedp.SetValue(chromedp.ID("country"), "SG"),
		chromedp.Click(chromedp.ID("doc-continue")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="front"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="back"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("status")),
	)
	var raw string
	kyctest.RunBrowser(t, ctx, "events",
		chromedp.Poll[chromedp.Void](`window.events.some(function (e) { return e.type === "completed"; })`),
		chromedp.Click(chromedp.CSS(`button[data-openkyc="close"]`)),
		chromedp.Poll[chromedp.Void](`window.events.some(function (e) { return e.type === "closed"; })`),
		kyctest.Into(&raw, chromedp.Evaluate[string](`JSON.stringify(window.events)`)),
	)
	t.Logf("events: %s", raw)
	var got []event
	require.NoError(t, json.Unmarshal([]byte(raw), &got))
	var seq []string
	frames := 0
	for _, ev := range got {
		if ev.Type == "uploaded" && ev.Kind == "liveness_frame" {
			frames++
			continue
		}
		seq = append(seq, strings.TrimRight(ev.Type+" "+ev.Name+ev.Kind+ev.State+ev.Code, " "))
	}
	_, v := e.api(http.MethodGet, "/v1/verifications/"+vid, e.keyA, "")
	final := "review"
	if v["state"] == "completed" {
		final = v["decision"].(string)
	}
	require.Equal(t, []string{"ready", "step document", "step front", "uploaded id_front", "step back", "uploaded id_back", "step selfie",
		"uploaded selfie", "step review", "submitted", "step status", "completed " + final, "closed"}, seq, "%s", raw)
	require.GreaterOrEqual(t, frames, 3, "a liveness frame per prompt")
	for _, ev := range got { // nothing personal: only the fields of the event types
		require.NotContains(t, raw, "Mei", "no personal data in the events")
		require.Regexp(t, regexp.MustCompile(`^[a-z_]*$`), ev.Name+ev.Kind+ev.State+ev.Code)
	}

	// a page on an origin the merchant did not allow: the browser refuses
	// the frame, so no event arrives
	ctx2 := kyctest.Browser(t, "")
	var n int
	kyctest.RunBrowser(t, ctx2, "not allowed", chromedp.Navigate(other.URL), chromedp.Click(chromedp.ID("verify")),
		chromedp.WaitVisible(chromedp.CSS(`iframe[title="Identity verification"]`)),
		chromedp.Sleep(3*time.Second),
		kyctest.Into(&n, chromedp.Evaluate[int](`window.events.length`)))
	require.Zero(t, n, "the flow must not run in a frame of another origin")
}
