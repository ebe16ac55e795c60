package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// signIn loads the login page and signs in.
func signIn(url, email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(url+"/console/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("sign-in")),
		chromedp.WaitVisible(chromedp.ID("who")),
	)
}

func shot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		b, err := chromedp.FullScreenshot(90)(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(kyctest.Artifacts(t), "console-"+name+".jpg"), b, 0o644)
	})
}

// TestBrowserFourEyes: two reviewers in two browsers reject a case with the
// four-eyes rule; the other merchant's reviewer cannot open it; a request
// without the CSRF token is refused; an idle session ends.
func TestBrowserFourEyes(t *testing.T) {
	t.Parallel()
	kyctest.Chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	v := e.reviewCase(e.pA, "browser-1")
	url := e.srv.URL

	// The admin turns four-eyes on for final rejections.
	admin := kyctest.Browser(t, "")
	kyctest.RunBrowser(t, admin, "admin", signIn(url, "admin@example.com"),
		chromedp.Navigate(url+"/console/settings"),
		chromedp.WaitVisible(chromedp.CSS(`section[data-merchant="`+e.mA.ID+`"] select[name="four_eyes"]`)),
		chromedp.SetValue(chromedp.CSS(`section[data-merchant="`+e.mA.ID+`"] select[name="four_eyes"]`), "final"),
		chromedp.Click(chromedp.CSS(`section[data-merchant="`+e.mA.ID+`"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)

	// rev1 finds the case in the queue, opens it with its evidence, claims it and proposes a final rejection.
	rev1 := kyctest.Browser(t, "")
	var queueText, caseText, flash string
	var docsLoaded bool
	kyctest.RunBrowser(t, rev1, "rev1", signIn(url, "rev1@example.com"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id="`+v.ID+`"]`)),
		kyctest.Into(&queueText, chromedp.Text(chromedp.ID("queue-table"))),
		shot(t, "queue"),
		// the htmx filter swaps the table in place
		chromedp.SetValue(chromedp.ID("f-check"), "screening.sanctions"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-check").dispatchEvent(new Event("change", {bubbles: true}))`),
		// the swap is done when the URL shows the filter (hx-push-url)
		chromedp.Poll[chromedp.Void](`location.search.includes("check=screening.sanctions")`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id="`+v.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/console/cases/`+v.ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("applicant-name")),
		chromedp.Poll[chromedp.Void](`Array.from(document.querySelectorAll("figure.doc img")).every(i => i.complete && i.naturalWidth > 0)`),
		kyctest.Into(&docsLoaded, chromedp.Evaluate[bool](`document.querySelectorAll("figure.doc img").length === 2`)),
		chromedp.Click(chromedp.CSS(`figure.doc .rotate`)),
		kyctest.Into(&caseText, chromedp.Text(chromedp.ID("main"))),
		shot(t, "case"),
		chromedp.Click(chromedp.ID("claim-btn")),
		chromedp.WaitVisible(chromedp.ID("flash")), // the new page, not the old one's form
		chromedp.WaitVisible(chromedp.ID("decide-form")),
		chromedp.Click(chromedp.ID("d-reject")),
		chromedp.Click(chromedp.ID("rt-final")),
		chromedp.Click(chromedp.ID("r-"+kyc.ReasonFraudSuspected)),
		chromedp.SendKeys(chromedp.ID("note"), "same photo as another applicant"),
		chromedp.Click(chromedp.ID("decide-btn")),
		chromedp.WaitVisible(chromedp.ID("proposal")),
		kyctest.Into(&flash, chromedp.Text(chromedp.ID("flash"))),
	)
	require.Contains(t, queueText, "screening.sanctions")
	require.True(t, docsLoaded, "the documents load through their signed URLs")
	require.Contains(t, caseText, "Omar Khalid Al-Samarrai")
	require.Contains(t, caseText, "us_ofac 99001")
	require.Contains(t, flash, "second reviewer")
	cur, err := e.a.Verifications.ByID(context.Background(), e.pA, v.ID)
	require.NoError(t, err)
	require.Equal(t, kyc.StateReview, cur.State, "one reviewer is not enough")

	// A request without the session's CSRF token is refused, from the page itself.
	var status int
	kyctest.RunBrowser(t, rev1, "csrf", kyctest.Into(&status, chromedp.Evaluate[int](
		`fetch("/console/cases/`+v.ID+`/withdraw", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "x=1"}).then(r => r.status)`,
		chromedp.EvalAwaitPromise)))
	require.Equal(t, 403, status)

	// rev2 confirms in another browser.
	rev2 := kyctest.Browser(t, "")
	var state string
	kyctest.RunBrowser(t, rev2, "rev2", signIn(url, "rev2@example.com"),
		chromedp.Navigate(url+"/console/cases/"+v.ID),
		chromedp.WaitVisible(chromedp.ID("confirm-btn")),
		chromedp.Click(chromedp.ID("confirm-btn")),
		chromedp.WaitVisible(chromedp.ID("decision")),
		kyctest.Into(&state, chromedp.Text(chromedp.ID("state"))),
		shot(t, "decided"),
	)
	require.Contains(t, state, "completed")
	require.Contains(t, state, "rejected (final)")

	// The other merchant's reviewer cannot open the case.
	revB := kyctest.Browser(t, "")
	var text string
	kyctest.RunBrowser(t, revB, "revB", signIn(url, "revB@example.com"),
		chromedp.Navigate(url+"/console/cases/"+v.ID),
		chromedp.WaitVisible(chromedp.ID("error")),
		kyctest.Into(&text, chromedp.Text(chromedp.ID("error"))),
	)
	require.Contains(t, text, "Not found")

	// An idle session ends: the next page is the sign-in form.
	e.clock.Advance(31 * time.Minute)
	var loc string
	kyctest.RunBrowser(t, rev1, "expired",
		chromedp.Navigate(url+"/console/queue"),
		chromedp.WaitVisible(chromedp.ID("sign-in")),
		kyctest.Into(&loc, chromedp.Location()),
	)
	require.True(t, strings.HasPrefix(loc, url+"/console/login"), loc)
}

// TestBrowserAnalytics: the analytics page at 375 px wide: charts scale to
// the screen, wide tables scroll in their own box, and the page itself
// never scrolls sideways; the filters reload it.
func TestBrowserAnalytics(t *testing.T) {
	t.Parallel()
	kyctest.Chromium(t)
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	e.reviewCase(e.pA, "browser-analytics")
	ctx := kyctest.Browser(t, "")
	var overflow bool
	var charts int
	var path, wide string
	kyctest.RunBrowser(t, ctx, "analytics", signIn(e.srv.URL, "admin@example.com"),
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(e.srv.URL+"/console/analytics"),
		chromedp.WaitVisible(chromedp.ID("funnel")),
		kyctest.Into(&charts, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("svg.chart")).filter(s => s.getBoundingClientRect().width <= 375 && s.getBoundingClientRect().width > 200).length`)),
		kyctest.Into(&overflow, chromedp.Evaluate[bool](`document.querySelectorAll("details").forEach(d => d.open = true), document.documentElement.scrollWidth > document.documentElement.clientWidth`)),
		kyctest.Into(&wide, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("body *")).filter(el => !el.closest(".scroll") && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(el => el.tagName + "#" + el.id + "." + el.className).join(", ")`)),
		shot(t, "analytics-375px"),
		chromedp.SetValue(chromedp.CSS(`select[name="period"]`), "30d"),
		chromedp.Click(chromedp.CSS(`#analytics-filters button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`select[name="period"] option[value="30d"][selected]`)),
		kyctest.Into(&path, chromedp.Evaluate[string](`location.pathname + location.search`)),
	)
	require.Equal(t, 2, charts, "both charts fit the screen")
	require.False(t, overflow, "the page does not scroll sideways at 375 px: %s", wide)
	require.True(t, strings.HasPrefix(path, "/console/analytics?period=30d"), path)
}
