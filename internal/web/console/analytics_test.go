package console_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/web/console"
)

// TestAnalyticsPage: verifications that went to review and were decided
// there show on the analytics page — funnel, reasons, checks, review — for
// the staff who may see their merchant only; every table exports as CSV;
// bad filters name the field; each view is audited.
func TestAnalyticsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	ctx := context.Background()
	admin, rev1, revB := e.login("admin"), e.login("rev1"), e.login("revB")
	v := e.reviewCase(e.pA, "an-1") // a listed person: to review for the sanctions hit
	st, body := rev1.post("/console/cases/"+v.ID+"/claim", nil)
	require.Equal(t, http.StatusSeeOther, st, body)
	st, body = rev1.post("/console/cases/"+v.ID+"/decide", url.Values{"decision": {"approve"}, "note": {"namesake"}})
	require.Equal(t, http.StatusSeeOther, st, body)
	e.waitState(e.pA, v.ID, kyc.StateCompleted)

	st, page := rev1.get("/console/analytics?period=7d")
	require.Equal(t, http.StatusOK, st, page)
	require.Contains(t, page, "<svg class=\"chart\"")
	require.Contains(t, page, `<td>created</td><td>1</td>`)
	require.Contains(t, page, `<td>decided</td><td>1</td>`)
	require.Contains(t, page, `<td>documents uploaded</td><td>1</td>`, "the documents came before the verification: counted at its creation")
	require.Contains(t, page, `<code>`+screening.ReasonPossibleMatch+`</code>`, "the hand-over's reason")
	require.Contains(t, page, `<code>screening.sanctions</code>`)
	require.Contains(t, page, `<dd id="review-in">1</dd>`)
	require.Contains(t, page, `<dd id="review-p50">≤`)
	require.Contains(t, page, `<strong id="auto-share">0.0%</strong>`, "a person decided it")
	require.Contains(t, page, `<td><bdi>rev1@example.com</bdi></td>`, "decisions per reviewer, by account")
	require.Contains(t, page, `href="/console/analytics.csv?country=&amp;level=&amp;merchant=&amp;period=7d&amp;surface=&amp;table=checks"`)

	// merchant B's reviewer sees none of it; naming merchant A is refused
	_, pageB := revB.get("/console/analytics")
	require.Contains(t, pageB, `<td>created</td><td>0</td>`)
	st, _ = revB.get("/console/analytics?merchant=" + e.mA.ID)
	require.Equal(t, http.StatusUnprocessableEntity, st)
	// an admin sees every merchant, or one
	_, pageAll := admin.get("/console/analytics?period=30d")
	require.Contains(t, pageAll, `<td>created</td><td>1</td>`)
	_, pageOne := admin.get("/console/analytics?merchant=" + e.mB.ID)
	require.Contains(t, pageOne, `<td>created</td><td>0</td>`)

	// level and surface
	_, page = admin.get("/console/analytics?level=basic&surface=native")
	require.Contains(t, page, `<td>created</td><td>1</td>`)
	_, page = admin.get("/console/analytics?surface=vexora")
	require.Contains(t, page, `<td>created</td><td>0</td>`)
	_, page = admin.get("/console/analytics?level=basic")
	require.Contains(t, page, `<td>created</td><td>1</td>`)

	// the document country: declared none, so the nationality (Iraq); by
	// code of two or three letters; "unknown" is the verifications without
	_, page = admin.get("/console/analytics?country=IQ")
	require.Contains(t, page, `<td>created</td><td>1</td>`)
	require.Contains(t, page, `<td>decided</td><td>1</td>`)
	require.Contains(t, page, `name="country" value="IQ"`)
	require.Contains(t, page, `<option value="DE">Germany</option>`)
	_, page = admin.get("/console/analytics?country=irq")
	require.Contains(t, page, `<td>decided</td><td>1</td>`)
	_, page = rev1.get("/console/analytics?country=IQ")
	require.Contains(t, page, `<td>decided</td><td>1</td>`)
	_, page = revB.get("/console/analytics?country=IQ")
	require.Contains(t, page, `<td>created</td><td>0</td>`, "another merchant's country figures")
	for _, q := range []string{"country=DE", "country=unknown"} {
		_, page = admin.get("/console/analytics?" + q)
		require.Contains(t, page, `<td>created</td><td>0</td>`, q)
	}

	// bad filters
	for q, field := range map[string]string{"period=year": "period", "period=custom&from=2026-13-01&to=2026-01-01": "from",
		"period=custom&from=2026-02-01&to=2026-01-01": "to", "period=custom&from=2020-01-01&to=2026-01-01": "from",
		"surface=telegram": "surface", "level=nope": "level", "country=XX": "country", "country=Germany": "country", "country=DE&level=basic": "country"} {
		st, body := admin.get("/console/analytics?" + q)
		require.Equal(t, http.StatusUnprocessableEntity, st, q)
		require.Contains(t, body, `data-field="`+field+`"`, q)
	}

	// CSV of every table
	for _, table := range []string{"days", "funnel", "reasons", "review_reasons", "checks", "reviewers", "webhooks"} {
		res := rev1.raw("/console/analytics.csv?table=" + table + "&period=7d")
		require.Equal(t, http.StatusOK, res.StatusCode, table)
		require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
		require.Contains(t, res.Header.Get("Content-Disposition"), "openkyc-"+table+"-")
		rows, err := csv.NewReader(res.Body).ReadAll()
		res.Body.Close()
		require.NoError(t, err, table)
		require.NotEmpty(t, rows, table)
	}
	res := rev1.raw("/console/analytics.csv?table=review_reasons&period=7d")
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, []string{screening.ReasonPossibleMatch, "1", "100.0"}, rows[1])
	st, _ = rev1.get("/console/analytics.csv?table=secrets")
	require.Equal(t, http.StatusUnprocessableEntity, st)

	// viewing is audited under the viewer's name, in merchant A's trail
	var viewed int
	require.NoError(t, e.a.Store.AuditEntries(ctx, e.mA.ID, func(en kyc.AuditEntry) error {
		if en.Action == "analytics.viewed" && strings.Contains(en.Actor, e.accounts["rev1"].ID) {
			viewed++
		}
		return nil
	}))
	require.Positive(t, viewed)
}

// raw is a signed-in GET whose response the caller reads.
func (c *client) raw(path string) *http.Response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	require.NoError(c.e.t, err)
	req.AddCookie(&http.Cookie{Name: console.CookieName, Value: c.cookie})
	res, err := noRedirect.Do(req)
	require.NoError(c.e.t, err)
	return res
}
