package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/web/console"
)

func TestLoginSessionsAndCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})

	// Without a session every page sends the user to sign in.
	anon := &client{e: e}
	st, loc := anon.get("/console/queue")
	require.Equal(t, http.StatusSeeOther, st)
	require.Equal(t, "/console/login?next=/console/queue", loc)

	// Wrong password and unknown e-mail get the same answer.
	var bodies []string
	for _, f := range []url.Values{{"email": {"rev1@example.com"}, "password": {"wrong password 123"}},
		{"email": {"nobody@example.com"}, "password": {"wrong password 123"}}} {
		res := e.postForm("/console/login", "", f)
		require.Equal(t, http.StatusUnauthorized, res.StatusCode)
		require.Empty(t, res.Cookies())
		b := readBody(t, res)
		require.Contains(t, b, "Wrong e-mail or password.")
		bodies = append(bodies, regexp.MustCompile(`value="[^"]*@example.com"`).ReplaceAllString(b, ""))
	}
	require.Equal(t, bodies[0], bodies[1])

	// The session cookie is HttpOnly, Secure, SameSite=Strict, scoped to /console/.
	res := e.postForm("/console/login", "", url.Values{"email": {"REV1@example.com "}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	var ck *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == console.CookieName {
			ck = c
		}
	}
	require.NotNil(t, ck)
	require.True(t, ck.HttpOnly && ck.Secure)
	require.Equal(t, http.SameSiteStrictMode, ck.SameSite)
	require.Equal(t, "/console/", ck.Path)

	c := e.login("rev1")
	st, body := c.get("/console/queue")
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, body, "rev1@example.com")
	require.NotContains(t, body, c.cookie, "the session token never appears in a page")

	// State changes need the session's CSRF token.
	v := e.reviewCase(e.pA, "csrf-1")
	st, body = c.post("/console/cases/"+v.ID+"/claim", url.Values{"csrf_token": {""}})
	require.Equal(t, http.StatusForbidden, st, body)
	st, _ = c.post("/console/cases/"+v.ID+"/claim", url.Values{"csrf_token": {c.csrf + "x"}})
	require.Equal(t, http.StatusForbidden, st)
	other := e.login("rev2")
	st, _ = c.post("/console/cases/"+v.ID+"/claim", url.Values{"csrf_token": {other.csrf}})
	require.Equal(t, http.StatusForbidden, st, "another session's token does not do")
	claim, err := e.a.Store.ClaimOf(context.Background(), v.ID)
	require.ErrorIs(t, err, kyc.ErrNotFound, "%v", claim)
	st, _ = c.post("/console/cases/"+v.ID+"/claim", nil)
	require.Equal(t, http.StatusSeeOther, st)

	// A cross-site browser request is refused before the token is looked at.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/console/cases/"+v.ID+"/release", strings.NewReader("csrf_token="+c.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: console.CookieName, Value: c.cookie})
	xres, err := noRedirect.Do(req)
	require.NoError(t, err)
	xres.Body.Close()
	require.Equal(t, http.StatusForbidden, xres.StatusCode)

	// Idle timeout: 30 minutes without a request ends the session.
	e.clock.Advance(29 * time.Minute)
	st, _ = c.get("/console/queue")
	require.Equal(t, http.StatusOK, st, "used within the idle timeout")
	e.clock.Advance(31 * time.Minute)
	st, loc = c.get("/console/queue")
	require.Equal(t, http.StatusSeeOther, st)
	require.True(t, strings.HasPrefix(loc, "/console/login"), loc)

	// Absolute timeout: 12 hours after sign-in, however active.
	c = e.login("rev1")
	for range 13 {
		e.clock.Advance(25 * time.Minute)
		c.get("/console/queue")
	}
	st, _ = c.get("/console/queue")
	require.Equal(t, http.StatusOK, st)
	for range 16 {
		e.clock.Advance(25 * time.Minute)
		c.get("/console/queue")
	}
	st, _ = c.get("/console/queue")
	require.Equal(t, http.StatusSeeOther, st, "12 h after sign-in")

	// Logout ends the session on the server.
	c = e.login("rev1")
	st, _ = c.post("/console/logout", nil)
	require.Equal(t, http.StatusSeeOther, st)
	st, _ = c.get("/console/queue")
	require.Equal(t, http.StatusSeeOther, st)

	// Password change: needs the current password, ends other sessions.
	c, c2 := e.login("rev2"), e.login("rev2")
	st, body = c.post("/console/password", url.Values{"current": {"nope nope nope"}, "new": {"another long password"}, "again": {"another long password"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, "current password is wrong")
	st, body = c.post("/console/password", url.Values{"current": {password}, "new": {"short"}, "again": {"short"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, "new: must be 12 to 256 characters")
	st, _ = c.post("/console/password", url.Values{"current": {password}, "new": {"another long password"}, "again": {"another long password"}})
	require.Equal(t, http.StatusSeeOther, st)
	st, _ = c.get("/console/queue")
	require.Equal(t, http.StatusOK, st, "this session stays")
	st, _ = c2.get("/console/queue")
	require.Equal(t, http.StatusSeeOther, st, "the other session ended")
	res = e.postForm("/console/login", "", url.Values{"email": {"rev2@example.com"}, "password": {password}})
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "the old password no longer works")
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	e.clock.Freeze()
	for i := range console.MaxFailures {
		res := e.postForm("/console/login", "", url.Values{"email": {"aud@example.com"}, "password": {"guess number " + string(rune('a'+i))}})
		require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	}
	// The e-mail is locked, even with the right password.
	res := e.postForm("/console/login", "", url.Values{"email": {"aud@example.com"}, "password": {password}})
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	// The lock ends after its window.
	e.clock.Advance(console.LockFor + time.Second)
	res = e.postForm("/console/login", "", url.Values{"email": {"aud@example.com"}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	// One address cannot try more than the burst at once, whatever the e-mails.
	limited := false
	for i := range console.LoginBurst + 1 {
		res := e.postForm("/console/login", "", url.Values{"email": {"x" + string(rune('a'+i)) + "@example.com"}, "password": {"whatever whatever"}})
		limited = limited || res.StatusCode == http.StatusTooManyRequests
	}
	require.True(t, limited)
}

// TestReviewScenario: queue, claim, four-eyes rejection by two reviewers,
// role and merchant restrictions, signed document URLs, screening hits and
// the audit trail, on SQLite and PostgreSQL.
func TestReviewScenario(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("thanks\x00")) }))
		t.Cleanup(rcv.Close)
		_, _, err := e.a.Webhooks.CreateEndpoint(ctx, e.pA, rcv.URL+"/hook", nil)
		require.NoError(t, err)
		v := e.reviewCase(e.pA, "case-1")
		vb := e.reviewCase(e.pB, "case-b")
		admin, rev1, rev2, revB, aud := e.login("admin"), e.login("rev1"), e.login("rev2"), e.login("revB"), e.login("aud")

		// The queue shows each reviewer their merchants' cases only, with counts and findings.
		_, q := rev1.get("/console/queue")
		require.Contains(t, q, v.ID)
		require.NotContains(t, q, vb.ID)
		require.Contains(t, q, "screening.sanctions: SANCTIONS_POSSIBLE_MATCH")
		require.Regexp(t, `data-state="review"><span>review</span> <b>1</b>`, q)
		_, q = revB.get("/console/queue")
		require.Contains(t, q, vb.ID)
		require.NotContains(t, q, v.ID)
		_, q = admin.get("/console/queue?check=screening.sanctions")
		require.Contains(t, q, v.ID)
		require.Contains(t, q, vb.ID)
		_, q = admin.get("/console/queue?merchant=" + e.mB.ID)
		require.NotContains(t, q, v.ID)
		_, q = admin.get("/console/queue?reason=FACE_MISMATCH")
		require.NotContains(t, q, v.ID)
		st, q := admin.get("/console/queue?min_age=5")
		require.Equal(t, http.StatusOK, st)
		require.NotContains(t, q, v.ID, "not waiting 5 hours yet")
		require.Contains(t, q, "Nothing here.")
		st, q = admin.get("/console/queue?min_age=0&sort=newest")
		require.Equal(t, http.StatusOK, st)
		require.Less(t, strings.Index(q, vb.ID), strings.Index(q, v.ID), "newest first")
		st, _ = rev1.get("/console/queue?merchant=" + e.mB.ID)
		require.Equal(t, http.StatusUnprocessableEntity, st)
		st, _ = rev1.get("/console/queue?min_age=x")
		require.Equal(t, http.StatusUnprocessableEntity, st)

		// Another merchant's case does not exist for a reviewer, in any form.
		st, _ = revB.get("/console/cases/" + v.ID)
		require.Equal(t, http.StatusNotFound, st)
		for _, path := range []string{"claim", "decide", "hits"} {
			st, _ = revB.post("/console/cases/"+v.ID+"/"+path, url.Values{"decision": {"approve"}, "action": {"dismiss"}, "list": {"us_ofac"}, "entry_id": {"99001"}})
			require.Equal(t, http.StatusNotFound, st, path)
		}

		// The case view: decrypted data, audited; documents through signed URLs.
		st, page := rev1.get("/console/cases/" + v.ID)
		require.Equal(t, http.StatusOK, st)
		require.Contains(t, page, "<bdi>Omar Khalid</bdi> <bdi>Al-Samarrai</bdi>")
		require.Contains(t, page, "us_ofac 99001")
		require.Contains(t, page, "name score")
		docURLs := regexp.MustCompile(`<img src="(/console/documents/[^"]+)" alt="(?:id_front|selfie)"`).FindAllStringSubmatch(page, -1)
		require.Len(t, docURLs, 2)
		docURL := strings.ReplaceAll(docURLs[0][1], "&amp;", "&")
		st, img := rev1.get(docURL)
		require.Equal(t, http.StatusOK, st)
		require.True(t, strings.HasPrefix(img, "\xff\xd8"), "a JPEG")
		st, _ = rev2.get(docURL)
		require.Equal(t, http.StatusForbidden, st, "signed for rev1 only")
		require.Contains(t, page, `id="tamper"`)
		require.Contains(t, page, "no_camera_metadata")
		elaURL := regexp.MustCompile(`src="(/console/documents/[^"]+/ela\?[^"]+)"`).FindStringSubmatch(page)
		require.NotNil(t, elaURL, "a heat map of the JPEG ID photo")
		st, heat := rev1.get(strings.ReplaceAll(elaURL[1], "&amp;", "&"))
		require.Equal(t, http.StatusOK, st)
		require.True(t, strings.HasPrefix(heat, "\x89PNG"))
		st, _ = rev1.get(strings.Replace(strings.ReplaceAll(elaURL[1], "&amp;", "&"), "/ela?", "?", 1))
		require.Equal(t, http.StatusForbidden, st, "a heat map signature does not open the document")
		st, _ = rev1.get(strings.Replace(docURL, "sig=", "sig=0", 1))
		require.Equal(t, http.StatusForbidden, st)
		e.clock.Advance(6 * time.Minute)
		st, _ = rev1.get(docURL)
		require.Equal(t, http.StatusForbidden, st, "expired")
		for _, c := range []*client{admin, rev1, rev2, revB, aud} {
			c.get("/console/queue") // keep the sessions alive
		}

		// Auditors read, never change.
		st, _ = aud.get("/console/cases/" + v.ID)
		require.Equal(t, http.StatusOK, st)
		st, _ = aud.post("/console/cases/"+v.ID+"/claim", nil)
		require.Equal(t, http.StatusForbidden, st)
		st, _ = aud.post("/console/cases/"+v.ID+"/decide", url.Values{"decision": {"approve"}})
		require.Equal(t, http.StatusForbidden, st)

		// Only admins change settings; four-eyes for final rejections.
		st, _ = rev1.post("/console/settings/"+e.mA.ID, url.Values{"four_eyes": {"final"}, "sla_hours": {"24"}})
		require.Equal(t, http.StatusForbidden, st)
		st, body := admin.post("/console/settings/"+e.mA.ID, url.Values{"four_eyes": {"sometimes"}, "sla_hours": {"24"}})
		require.Equal(t, http.StatusUnprocessableEntity, st)
		require.Contains(t, body, "four_eyes: must be off, final or all")
		st, _ = admin.post("/console/settings/"+e.mA.ID, url.Values{"four_eyes": {"final"}, "sla_hours": {"24"}})
		require.Equal(t, http.StatusSeeOther, st)

		// rev1 claims; rev2 cannot decide the claimed case.
		st, _ = rev1.post("/console/cases/"+v.ID+"/claim", nil)
		require.Equal(t, http.StatusSeeOther, st)
		st, body = rev2.post("/console/cases/"+v.ID+"/claim", nil)
		require.Equal(t, http.StatusConflict, st, body)
		st, _ = rev2.post("/console/cases/"+v.ID+"/decide", url.Values{"decision": {"approve"}})
		require.Equal(t, http.StatusConflict, st)

		// Bad decisions name the field.
		st, body = rev1.post("/console/cases/"+v.ID+"/decide", url.Values{"decision": {"reject"}, "reject_type": {"final"}})
		require.Equal(t, http.StatusUnprocessableEntity, st)
		require.Contains(t, body, `data-field="reasons"`)
		st, body = rev1.post("/console/cases/"+v.ID+"/decide", url.Values{"decision": {"reject"}, "reject_type": {"final"}, "reasons": {"NOT_A_CODE"}})
		require.Equal(t, http.StatusUnprocessableEntity, st, body)

		// A final rejection waits for a second reviewer.
		st, _ = rev1.post("/console/cases/"+v.ID+"/decide", url.Values{"decision": {"reject"}, "reject_type": {"final"},
			"reasons": {kyc.ReasonFraudSuspected}, "user_message": {"We cannot verify you."}, "note": {"document photo reused"}})
		require.Equal(t, http.StatusSeeOther, st)
		cur, err := e.a.Verifications.ByID(ctx, e.pA, v.ID)
		require.NoError(t, err)
		require.Equal(t, kyc.StateReview, cur.State)

		st, _ = rev1.post("/console/cases/"+v.ID+"/confirm", nil)
		require.Equal(t, http.StatusConflict, st, "not by the proposer")
		st, _ = revB.post("/console/cases/"+v.ID+"/confirm", nil)
		require.Equal(t, http.StatusNotFound, st)
		_, page = rev2.get("/console/cases/" + v.ID)
		require.Contains(t, page, "Decision waiting for a second reviewer")
		require.Contains(t, page, "document photo reused")
		st, _ = rev2.post("/console/cases/"+v.ID+"/confirm", nil)
		require.Equal(t, http.StatusSeeOther, st)
		cur, err = e.a.Verifications.ByID(ctx, e.pA, v.ID)
		require.NoError(t, err)
		require.Equal(t, kyc.StateCompleted, cur.State)
		require.Equal(t, kyc.DecisionRejected, cur.Decision)
		require.Equal(t, kyc.RejectFinal, cur.RejectType)
		require.Equal(t, []string{kyc.ReasonFraudSuspected}, cur.Reasons)
		require.Equal(t, "reviewer:"+e.accounts["rev2"].ID, cur.DecidedBy)

		// The same decision path as the policy: the completed event is in the outbox.
		evs, err := e.a.Store.EventsBySubject(ctx, e.mA.ID, v.ID)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(evs, func(ev kyc.Event) bool { return ev.Type == "verification.completed" }))

		// The case's audit trail names who viewed, proposed and confirmed.
		entries, err := e.a.Store.AuditBySubject(ctx, e.mA.ID, []string{v.ID, v.ApplicantID}, 100)
		require.NoError(t, err)
		seen := map[string]string{}
		for _, en := range entries {
			seen[en.Action+" "+en.Actor] = en.SubjectID
		}
		for _, want := range []string{"applicant.viewed reviewer:" + e.accounts["rev1"].ID, "applicant.viewed reviewer:" + e.accounts["aud"].ID,
			"review.claimed reviewer:" + e.accounts["rev1"].ID, "decision.proposed reviewer:" + e.accounts["rev1"].ID,
			"decision.confirmed reviewer:" + e.accounts["rev2"].ID, "verification.decide reviewer:" + e.accounts["rev2"].ID} {
			require.Contains(t, seen, want)
		}
		docs, err := e.a.Applicants.Documents(ctx, e.pA, v.ApplicantID)
		require.NoError(t, err)
		ids := []string{}
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		viewed, err := e.a.Store.AuditBySubject(ctx, e.mA.ID, ids, 10)
		require.NoError(t, err)
		require.True(t, slices.ContainsFunc(viewed, func(en kyc.AuditEntry) bool {
			return en.Action == "document.viewed" && en.Actor == "reviewer:"+e.accounts["rev1"].ID
		}), "opening a document is audited")

		// Screening hits: dismiss one case's hit, confirm another's (four-eyes off: at once).
		st, _ = admin.post("/console/settings/"+e.mA.ID, url.Values{"four_eyes": {"off"}, "sla_hours": {"24"}})
		require.Equal(t, http.StatusSeeOther, st)
		v2, v3 := e.reviewCase(e.pA, "case-2"), e.reviewCase(e.pA, "case-3")
		st, _ = rev1.post("/console/cases/"+v2.ID+"/hits", url.Values{"action": {"dismiss"}, "list": {"us_ofac"}, "entry_id": {"99001"}})
		require.Equal(t, http.StatusSeeOther, st)
		_, page = rev1.get("/console/cases/" + v2.ID)
		require.Contains(t, page, `<span class="badge">dismissed</span>`)
		st, _ = rev1.post("/console/cases/"+v2.ID+"/hits", url.Values{"action": {"maybe"}, "list": {"us_ofac"}, "entry_id": {"99001"}})
		require.Equal(t, http.StatusUnprocessableEntity, st)
		st, _ = rev1.post("/console/cases/"+v3.ID+"/hits", url.Values{"action": {"confirm"}, "list": {"us_ofac"}, "entry_id": {"nope"}})
		require.Equal(t, http.StatusNotFound, st)
		st, _ = rev1.post("/console/cases/"+v3.ID+"/hits", url.Values{"action": {"confirm"}, "list": {"us_ofac"}, "entry_id": {"99001"}})
		require.Equal(t, http.StatusSeeOther, st)
		cur, err = e.a.Verifications.ByID(ctx, e.pA, v3.ID)
		require.NoError(t, err)
		require.Equal(t, []string{kyc.ReasonSanctionsHit}, cur.Reasons)
		require.Equal(t, kyc.RejectFinal, cur.RejectType)

		// Resubmission of specific documents: a retry rejection naming them.
		st, _ = rev2.post("/console/cases/"+v2.ID+"/decide", url.Values{"decision": {"resubmit"}, "documents": {"selfie", "id_front"}})
		require.Equal(t, http.StatusSeeOther, st)
		cur, err = e.a.Verifications.ByID(ctx, e.pA, v2.ID)
		require.NoError(t, err)
		require.Equal(t, kyc.RejectRetry, cur.RejectType)
		require.Equal(t, []string{"RESUBMIT_ID_FRONT", "RESUBMIT_SELFIE"}, cur.Reasons)
		require.Equal(t, "Please submit these documents again: id front, selfie.", cur.UserMessage)

		// Recent decisions.
		st, q = rev1.get("/console/queue?view=recent")
		require.Equal(t, http.StatusOK, st)
		require.Contains(t, q, v.ID)
		require.Contains(t, q, v3.ID)

		// Operations pages.
		st, page = admin.get("/console/lists")
		require.Equal(t, http.StatusOK, st)
		require.Contains(t, page, "us_ofac")
		st, page = aud.get("/console/audit")
		require.Equal(t, http.StatusOK, st)
		require.Contains(t, page, "verified")
		require.NotContains(t, page, e.mB.ID, "auditors see their merchants only")
		st, page = admin.get("/console/settings")
		require.Equal(t, http.StatusOK, st)
		require.Contains(t, page, "basic")
		// The delivery log: status, timing, what was sent and answered; redeliver.
		var hooks string
		for deadline := time.Now().Add(30 * time.Second); ; {
			st, hooks = rev1.get("/console/webhooks?merchant=" + e.mA.ID)
			require.Equal(t, http.StatusOK, st)
			if strings.Contains(hooks, "verification.completed") || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		require.Contains(t, hooks, "verification.completed")
		require.Contains(t, hooks, "thanks.", "the answer's start, control characters shown as dots")
		require.Contains(t, hooks, v.ID)
		st, hooks = revB.get("/console/webhooks")
		require.Equal(t, http.StatusOK, st)
		require.NotContains(t, hooks, v.ID, "another merchant's deliveries stay hidden")
		st, _ = revB.get("/console/webhooks?merchant=" + e.mA.ID)
		require.Equal(t, http.StatusNotFound, st)
		evs, err = e.a.Store.EventsBySubject(ctx, e.mA.ID, v.ID)
		require.NoError(t, err)
		done := evs[slices.IndexFunc(evs, func(ev kyc.Event) bool { return ev.Type == "verification.completed" })]
		st, _ = rev1.post("/console/events/"+e.mA.ID+"/"+done.ID+"/redeliver", nil)
		require.Equal(t, http.StatusSeeOther, st)
		redelivered := 0
		require.NoError(t, e.a.Store.AuditEntries(ctx, e.mA.ID, func(en kyc.AuditEntry) error {
			if en.Action == "webhook.redelivered" {
				redelivered++
				require.Equal(t, done.ID, en.SubjectID)
				require.Equal(t, "reviewer:"+e.accounts["rev1"].ID, en.Actor)
			}
			return nil
		}))
		require.Equal(t, 1, redelivered, "the redelivery is audited (with its jobs, in one transaction)")
		st, _ = admin.get("/console/webhooks?failed=1")
		require.Equal(t, http.StatusOK, st)
		st, _ = aud.post("/console/events/"+e.mA.ID+"/evt_x/redeliver", nil)
		require.Equal(t, http.StatusForbidden, st)
		st, _ = revB.post("/console/events/"+e.mA.ID+"/evt_x/redeliver", nil)
		require.Equal(t, http.StatusNotFound, st)
	})
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

// TestAdminSettings: admins change levels, dialect callbacks and blocklists
// of any merchant, audited; reviewers only read them.
func TestAdminSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	ctx := context.Background()
	admin, rev1 := e.login("admin"), e.login("rev1")
	base := "/console/settings/" + e.mA.ID

	// Levels: edited as JSON, a new version each time; bad JSON names the problem.
	level := `{"name":"strict","required_documents":["id_front","selfie"],"min_age":21,"checks":{"documents.required":{"enabled":true,"required":true}},"final_reasons":[],"max_attempts":2}`
	st, _ := admin.post(base+"/levels", url.Values{"level": {level}})
	require.Equal(t, http.StatusSeeOther, st)
	l, err := e.a.Levels.Get(ctx, e.mA.ID, "strict")
	require.NoError(t, err)
	require.Equal(t, 21, l.MinAge)
	require.Equal(t, 1, l.Version)
	st, body := admin.post(base+"/levels", url.Values{"level": {`{"name":"strict","colour":"red"}`}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, `unknown field &#34;colour&#34;`)
	st, body = admin.post(base+"/levels", url.Values{"level": {`{"name":"strict","min_age":"x"}`}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, "field min_age must be an integer")
	st, _ = rev1.post(base+"/levels", url.Values{"level": {level}})
	require.Equal(t, http.StatusForbidden, st)

	// Dialect callbacks: validated like the API does.
	st, _ = admin.post(base+"/dialects/card_binding", url.Values{"callback_url": {"https://merchant.example/kyc"}, "ack": {"code1"}})
	require.Equal(t, http.StatusSeeOther, st)
	ds, err := e.a.Merchants.Settings(ctx, e.mA.ID, kyc.SurfaceCardBinding)
	require.NoError(t, err)
	require.Equal(t, "https://merchant.example/kyc", ds.CallbackURL)
	st, body = admin.post(base+"/dialects/card_binding", url.Values{"callback_url": {"https://merchant.example/kyc"}, "ack": {"sometimes"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	require.Contains(t, body, `data-field="ack"`)
	st, _ = admin.post(base+"/dialects/telex", url.Values{"callback_url": {""}, "ack": {"2xx"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)

	// Blocklist: add, shown, removed.
	st, _ = admin.post(base+"/blocklist", url.Values{"kind": {"email"}, "value": {"Fraud@Example.com"}, "note": {"chargebacks"}})
	require.Equal(t, http.StatusSeeOther, st)
	entries, err := e.a.Applicants.Blocklist().Entries(ctx, e.pA)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	_, page := rev1.get("/console/settings")
	require.Contains(t, page, "chargebacks")
	require.Contains(t, page, "https://merchant.example/kyc")
	require.NotContains(t, page, `/blocklist/`+entries[0].ID+`/remove`, "reviewers get no remove button")
	st, _ = rev1.post(base+"/blocklist/"+entries[0].ID+"/remove", nil)
	require.Equal(t, http.StatusForbidden, st)
	st, _ = admin.post(base+"/blocklist", url.Values{"kind": {"colour"}, "value": {"red"}})
	require.Equal(t, http.StatusUnprocessableEntity, st)
	st, _ = admin.post(base+"/blocklist/"+entries[0].ID+"/remove", nil)
	require.Equal(t, http.StatusSeeOther, st)
	entries, err = e.a.Applicants.Blocklist().Entries(ctx, e.pA)
	require.NoError(t, err)
	require.Empty(t, entries)
	st, _ = admin.post("/console/settings/mer_nope/blocklist", url.Values{"kind": {"email"}, "value": {"a@b.co"}})
	require.Equal(t, http.StatusNotFound, st)

	// Every change is in the merchant's audit trail under the admin's name.
	actions := map[string]bool{}
	require.NoError(t, e.a.Store.AuditEntries(ctx, e.mA.ID, func(en kyc.AuditEntry) error {
		if en.Actor == "reviewer:"+e.accounts["admin"].ID {
			actions[en.Action] = true
		}
		return nil
	}))
	for _, a := range []string{"level.put", "blocklist.add", "blocklist.remove"} {
		require.True(t, actions[a], "%s audited: %v", a, actions)
	}
}

// TestDegradedBanner: every signed-in page says when checks cannot run on
// this server (here: no OCR assets or face models), so a reviewer knows why
// cases arrive with CHECK_UNAVAILABLE.
func TestDegradedBanner(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0], func(c *config.Config) { c.AssetsDir = t.TempDir() })
	admin := e.login("admin")
	for _, path := range []string{"/console/queue", "/console/lists", "/console/audit"} {
		st, body := admin.get(path)
		require.Equal(t, http.StatusOK, st, path)
		require.Contains(t, body, `id="degraded"`, path)
		require.Contains(t, body, "document.mrz: mrz reader unavailable", path)
	}
	anon := &client{e: e}
	st, body := anon.get("/console/login")
	require.Equal(t, http.StatusOK, st)
	require.NotContains(t, body, `id="degraded"`, "not before sign-in")
}
