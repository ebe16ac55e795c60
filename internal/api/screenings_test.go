package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func TestScreenings(t *testing.T) {
	t.Parallel()
	db := kyctest.DBs(t)[0]
	e := newEnv(t, db, func(c *config.Config) { c.ListsDir = "../screening/testdata/formats/ofac_xml" })

	r := e.postJSON("/v1/screenings", e.keyA, `{"name":"Umar al-Samarai","date_of_birth":"1968-03-05","nationality":"IQ","type":"person"}`)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	golden(t, "screening_hit", r.Body)
	var out struct {
		Hits []struct {
			List    string  `json:"list"`
			EntryID string  `json:"entry_id"`
			Score   float64 `json:"score"`
		} `json:"hits"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &out))
	require.Equal(t, "99001", out.Hits[0].EntryID)
	require.Greater(t, out.Hits[0].Score, 0.9)

	r = e.postJSON("/v1/screenings", e.keyB, `{"name":"Jane Doe"}`)
	require.Equal(t, http.StatusOK, r.Status)
	require.JSONEq(t, `{"hits":[],"lists":[{"list":"us_ofac","published":"2026-02-20","sha256":"`+sha(t, "../screening/testdata/formats/ofac_xml/sdn.xml")+`","entries":2}]}`, string(r.Body))

	for _, c := range []struct{ body, field, rule string }{
		{`{"name":""}`, "name", "required"},
		{`{"name":"Xavier","date_of_birth":"1968-13-01"}`, "date_of_birth", "format"},
		{`{"name":"Xavier","nationality":"Atlantis"}`, "nationality", "format"},
		{`{"name":"Xavier","type":"robot"}`, "type", "enum"},
		{`{"name":"Xavier","threshold":1.5}`, "threshold", "range"},
		{`{"name":"Xavier","limit":1000}`, "limit", "range"},
		{`{"name":"---"}`, "name", "format"},
		{`{"name":"x"}`, "name", "name_part"},
		{`{"name":"al bin"}`, "name", "name_part"},
		{`{"name":"Mr Dr"}`, "name", "name_part"},
		{`{"name":"J. P."}`, "name", "name_part"},
		{`{"name":"` + strings.Repeat("a", 301) + `"}`, "name", "max_length"},
	} {
		r := e.postJSON("/v1/screenings", e.keyA, c.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, c.body)
		var er struct {
			Error struct{ Code, Field, Rule string }
		}
		require.NoError(t, json.Unmarshal(r.Body, &er))
		require.Equal(t, c.field, er.Error.Field, c.body)
		require.Equal(t, c.rule, er.Error.Rule, c.body)
	}
	require.Equal(t, http.StatusUnauthorized, e.postJSON("/v1/screenings", "", `{"name":"x"}`).Status)

	// direction marks and zero-width joiners are nothing; a name of many
	// parts is answered on its first ones, and the answer says so
	r = e.postJSON("/v1/screenings", e.keyA, `{"name":"Umar\u200f al-\u200dSamarai"}`)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"99001"`)
	r = e.postJSON("/v1/screenings", e.keyA, `{"name":"Umar al-Samarai `+strings.Repeat("Abdullah Muhammad ", 10)+`"}`)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"warnings":["name: only the first 12 name parts were compared (11 more ignored)"]`)

	// the versions in force and the history of loads
	lists := e.get("/v1/screenings/lists", e.keyB)
	require.Equal(t, http.StatusOK, lists.Status, string(lists.Body))
	golden(t, "screening_lists", lists.Body)
	require.Equal(t, http.StatusUnauthorized, e.get("/v1/screenings/lists", "").Status)

	// a server without lists says so
	bare := newEnv(t, kyctest.DBs(t)[0])
	r = bare.postJSON("/v1/screenings", bare.keyA, `{"name":"Umar al-Samarai"}`)
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
	require.Contains(t, string(r.Body), "lists_not_loaded")
}

func sha(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestScreeningsGrouped: a person on two lists is one hit with both
// entries as sources; a namesake born another year stays a hit of its own.
func TestScreeningsGrouped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0], func(c *config.Config) { c.ListsDir = "../screening/testdata/grouped" })
	r := e.postJSON("/v1/screenings", e.keyA, `{"name":"Omar Khalid Al-Samarrai","threshold":0.5}`)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	golden(t, "screening_grouped", r.Body)
	var out struct {
		Hits []struct {
			EntryID string `json:"entry_id"`
			Sources []struct {
				List    string `json:"list"`
				EntryID string `json:"entry_id"`
			} `json:"sources"`
		} `json:"hits"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &out))
	require.Len(t, out.Hits, 2, string(r.Body))
	require.Len(t, out.Hits[0].Sources, 2)
	ids := []string{out.Hits[0].Sources[0].EntryID, out.Hits[0].Sources[1].EntryID}
	require.ElementsMatch(t, []string{"99001", "9101"}, ids)
	require.Equal(t, "9102", out.Hits[1].EntryID)
	require.Empty(t, out.Hits[1].Sources)
}
