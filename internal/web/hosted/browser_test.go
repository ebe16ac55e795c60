package hosted_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/web/hosted"
)

func TestBrowserFlow(t *testing.T) {
	t.Parallel()
	kyctest.Chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	ret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`<!doctype html><title>merchant</title><p id="back">back at the merchant</p>`))
	}))
	t.Cleanup(ret.Close)
	vid := e.verification(e.keyA, "camera-user")
	url := e.srv.URL + e.link(e.keyA, vid, `{"return_url":"`+ret.URL+`/done","locale":"en"}`)
	dir := t.TempDir()
	cardVideo, faceVideo := filepath.Join(dir, "card.y4m"), filepath.Join(dir, "face.y4m")
	kyctest.WriteY4M(t, cardVideo, kyctest.SyntheticCard(1280, 800), 5)
	kyctest.WriteY4M(t, faceVideo, kyctest.SyntheticFace(1280, 720), 5)

	// The document with a camera showing the ID card.
	ctx := kyctest.Browser(t, cardVideo)
	kyctest.RunBrowser(t, ctx, "document", chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("doc_type")),
		chromedp.SetValue(chromedp.ID("doc_type"), "id_card"),
		chromedp.SetValue(chromedp.ID("country"), "SG"),
		chromedp.Click(chromedp.ID("doc-continue")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="front"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="back"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"]`)),
	)

	// The selfie with a camera showing the face: the challenge runs, then review.
	ctx = kyctest.Browser(t, faceVideo)
	var status string
	kyctest.RunBrowser(t, ctx, "selfie", chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"] #take`)),
		chromedp.Click(chromedp.ID("take")),
		chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.WaitVisible(chromedp.ID("back")), // htmx followed HX-Redirect to return_url
		kyctest.Into(&status, chromedp.Location()),
	)
	require.Equal(t, ret.URL+"/done", status)
	_, v := e.api(http.MethodGet, "/v1/verifications/"+vid, e.keyA, "")
	require.Equal(t, "completed", v["state"])
	require.Equal(t, "approved", v["decision"], "%v", v)
}

func TestBrowserUploadFallbackLocaleAndExpiry(t *testing.T) {
	t.Parallel()
	kyctest.Chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	vid := e.verification(e.keyA, "upload-user")
	url := e.srv.URL + e.link(e.keyA, vid, `{"locale":"zh-CN"}`)
	card := filepath.Join(t.TempDir(), "card.jpg")
	require.NoError(t, os.WriteFile(card, kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)), 0o644))

	// No camera: the page says so and the user uploads a photo; Chinese texts; 375 px wide.
	ctx := kyctest.Browser(t, "")
	var heading, feedback string
	var shot []byte
	kyctest.RunBrowser(t, ctx, "fallback",
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("doc_type")),
		kyctest.Into(&heading, chromedp.Text(chromedp.CSS("h1"))),
		chromedp.SetValue(chromedp.ID("doc_type"), "passport"),
		chromedp.SetValue(chromedp.ID("country"), "CN"),
		chromedp.Click(chromedp.ID("doc-continue")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="front"]`)),
		chromedp.Poll[chromedp.Void](`document.getElementById("feedback").textContent.length > 0`),
		kyctest.Into(&feedback, chromedp.Text(chromedp.ID("feedback"))),
		kyctest.Into(&shot, chromedp.FullScreenshot(100)),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{card}),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"]`)), // passport: no back
	)
	require.Equal(t, "选择您的证件", heading)
	require.Contains(t, feedback, "没有可用的相机")
	require.NoError(t, os.WriteFile(filepath.Join(kyctest.Artifacts(t), "hosted-375px-zh-CN.png"), shot, 0o644))

	// An expired link shows a clear page.
	// a second connection to the app's database: wait for its writers
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.a.Config.DataDir, "openkyc.db")+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`UPDATE hosted_links SET expires_at = 0 WHERE verification_id = ?`, vid)
	require.NoError(t, err)
	var text string
	kyctest.RunBrowser(t, ctx, "expired", chromedp.Navigate(url), kyctest.Into(&text, chromedp.Text(chromedp.CSS("main"))))
	require.True(t, strings.Contains(text, "此链接已过期"), text)
}

// TestBrowserMRZFeedback: a passport photo without an MRZ, uploaded without
// a camera, is answered on the page with the MRZ advice; the user may retake
// it or keep it and go on.
func TestBrowserMRZFeedback(t *testing.T) {
	t.Parallel()
	kyctest.Chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, ocrAssets(t))
	vid := e.verification(e.keyA, "mrz-user")
	url := e.srv.URL + e.link(e.keyA, vid, `{"locale":"en"}`)
	card := filepath.Join(t.TempDir(), "card.jpg")
	require.NoError(t, os.WriteFile(card, kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760)), 0o644))

	ctx := kyctest.Browser(t, "")
	var feedback string
	kyctest.RunBrowser(t, ctx, "mrz",
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("doc_type")),
		chromedp.SetValue(chromedp.ID("doc_type"), "passport"),
		chromedp.SetValue(chromedp.ID("country"), "SG"),
		chromedp.Click(chromedp.ID("doc-continue")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="front"]`)),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{card}),
		chromedp.WaitVisible(chromedp.ID("useanyway")),
		kyctest.Into(&feedback, chromedp.Text(chromedp.ID("feedback"))),
		chromedp.WaitVisible(chromedp.ID("retake")),
		chromedp.Click(chromedp.ID("useanyway")),
		chromedp.WaitVisible(chromedp.CSS(`section[data-step="selfie"]`)),
	)
	en := hosted.Messages("en")
	require.True(t, strings.Contains(feedback, en["mrz.not_found"]) || strings.Contains(feedback, en["mrz.unreadable"]), feedback)
}
