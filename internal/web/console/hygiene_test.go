package console_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/web/console"
)

// The flash banner shows fixed messages chosen by key: ?done= with any
// other text shows nothing.
func TestFlashFromFixedKeysOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	c := e.login("rev1")
	for _, done := range []string{"Your account is suspended. Call +1 555 0100 now.", "<b>x</b>", "claimed ", "Claimed"} {
		st, body := c.get("/console/queue?done=" + url.QueryEscape(done))
		require.Equal(t, http.StatusOK, st)
		require.NotContains(t, body, `id="flash"`, "%q shows nothing", done)
		require.NotContains(t, body, "suspended")
	}
	v := e.reviewCase(e.pA, "flash-1")
	st, loc := c.post("/console/cases/"+v.ID+"/claim", nil)
	require.Equal(t, http.StatusSeeOther, st)
	require.Equal(t, "/console/cases/"+v.ID+"?done=claimed", loc)
	st, body := c.get(loc)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, body, `<p class="flash" id="flash" role="status">Case claimed.</p>`)
}

// User-supplied text is shown inside <bdi> with control and format
// characters made visible, also when it was stored before identifiers were
// checked.
func TestUserTextIsolatedAndVisible(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	v := e.reviewCase(e.pA, "bidi-1")
	// Data stored before the rule: written straight into the database.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.a.Config.DataDir, "openkyc.db")+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	// As an old version wrote it (in the clear, no hash); the start-up
	// backfill then seals it as it is.
	_, err = db.Exec(`UPDATE applicants SET external_user_id = ?, external_user_id_hash = '' WHERE id = ?`, "invoice\u202egpj.exe", v.ApplicantID)
	require.NoError(t, err)
	rep, err := e.a.Applicants.SealExternalIDs(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, rep.Sealed, "%+v", rep)
	_, err = db.Exec(`UPDATE verifications SET reference = ? WHERE id = ?`, "order\u2066-1\u2069", v.ID)
	require.NoError(t, err)

	c := e.login("rev1")
	st, body := c.get("/console/cases/" + v.ID)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, body, `<dd id="external-user-id"><bdi>invoice[U+202E]gpj.exe</bdi>`)
	require.Contains(t, body, `<dd id="applicant-name"><bdi>Omar Khalid</bdi> <bdi>Al-Samarrai</bdi></dd>`)
	require.Contains(t, body, `<dd id="applicant-email"><bdi>omar@example.com</bdi></dd>`)
	st, queue := c.get("/console/queue")
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, queue, `<bdi>order[U+2066]-1[U+2069]</bdi>`)
	for _, page := range []string{body, queue} {
		for _, r := range []string{"\u202e", "\u2066", "\u2069"} {
			require.NotContains(t, page, r, "no raw bidi control reaches the page")
		}
	}
}

// A locked e-mail is told to come back when the lock ends, not in 60 s.
func TestLoginLockRetryAfter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	for i := range console.MaxFailures {
		res := e.postForm("/console/login", "", url.Values{"email": {"rev2@example.com"}, "password": {"guess number " + strconv.Itoa(i)}})
		require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	}
	retry := func() int {
		res := e.postForm("/console/login", "", url.Values{"email": {"rev2@example.com"}, "password": {password}})
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
		s, err := strconv.Atoi(res.Header.Get("Retry-After"))
		require.NoError(t, err, res.Header.Get("Retry-After"))
		return s
	}
	lock := int(console.LockFor / time.Second)
	require.InDelta(t, lock, retry(), 10, "the whole lock is left")
	e.clock.Advance(10 * time.Minute)
	require.InDelta(t, lock-600, retry(), 10, "the time left")
	e.clock.Advance(console.LockFor - 10*time.Minute + time.Second)
	res := e.postForm("/console/login", "", url.Values{"email": {"rev2@example.com"}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
}
