package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/policy"
)

// TestNoApprovalOnChecksThatDidNotRun is the fresh install of the issue:
// no sanctions lists, no OCR or face assets, an id_front without an MRZ and
// a selfie, the default level. The verification goes to review with
// CHECK_UNAVAILABLE and DOCUMENT_UNREADABLE, each check saying why it did
// not run. A level that allows the missing engines approves and the
// decision's audit entry names what was not checked.
func TestNoApprovalOnChecksThatDidNotRun(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, withWorkers, func(c *config.Config) { c.BuiltInLevels = policy.BuiltIn })
		vid := e.submitNew(e.applicantWithDocs(person("fs1", "fs1@example.com"), "id_front", "selfie"), "fs-1")
		v := e.settle(vid)
		require.Equal(t, "review", v["state"], "%v", v)
		require.Equal(t, []any{kyc.ReasonCheckUnavailable, kyc.ReasonDocumentUnreadable}, v["reasons"])
		type result struct{ status, kind, code string }
		got := map[string]result{}
		for _, c := range v["checks"].([]any) {
			c := c.(map[string]any)
			kind, _ := c["not_run_kind"].(string)
			code, _ := c["reason_code"].(string)
			got[c["kind"].(string)] = result{c["status"].(string), kind, code}
		}
		unavailable := result{"not_run", "unavailable", kyc.ReasonCheckUnavailable}
		for _, k := range []string{"screening.sanctions", "document.mrz", "data.consistency", "face.match", "face.duplicate", "face.liveness",
			"data.expiry"} { // no expiry declared, and no MRZ reader to read one
			require.Equal(t, unavailable, got[k], k)
		}
		require.Equal(t, result{"passed", "", ""}, got["duplicate.identity"], "the e-mail was compared")
		require.Equal(t, result{"passed", "", ""}, got["blocklist"])

		// The same applicant data under a level that allows the missing engines.
		lv := policy.Default()
		for _, k := range []kyc.CheckKind{"screening.sanctions", "document.mrz", "data.consistency", "face.match", "face.duplicate", "face.liveness", "data.expiry"} {
			r := lv.Checks[k]
			r.AllowUnavailable = true
			lv.Checks[k] = r
		}
		lv.RequireDocumentData = false
		body, err := json.Marshal(map[string]any{"required_documents": lv.RequiredDocuments, "min_age": lv.MinAge, "checks": lv.Checks,
			"final_reasons": lv.FinalReasons, "max_attempts": lv.MaxAttempts})
		require.NoError(t, err)
		res := e.do(http.MethodPut, "/v1/levels/no-engines", e.keyA, strings.NewReader(string(body)), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		aid := e.applicantWithDocs(person("fs2", "fs2@example.com"), "id_front", "selfie")
		r := e.postJSON("/v1/verifications", e.keyA, `{"applicant_id":"`+aid+`","reference":"fs-2","level":"no-engines"}`)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		vid2 := r.json(t)["id"].(string)
		require.Equal(t, http.StatusAccepted, e.postJSON("/v1/verifications/"+vid2+"/submit", e.keyA, "").Status)
		v = e.settle(vid2)
		require.Equal(t, "approved", v["decision"], "%v", v)

		mid := e.merchantOf(e.keyA)
		var notChecked []any
		require.NoError(t, e.app.Store.AuditEntries(context.Background(), mid, func(a kyc.AuditEntry) error {
			if a.Action == "verification.decide" && a.SubjectID == vid2 {
				var data map[string]any
				require.NoError(t, json.Unmarshal(a.Data, &data))
				notChecked, _ = data["not_checked"].([]any)
			}
			return nil
		}))
		require.ElementsMatch(t, []any{"data.consistency: unavailable (allowed by the level)", "data.expiry: unavailable (allowed by the level)",
			"document.barcode: not applicable", "document.viz: not applicable", "document.classification: not applicable",
			"document.mrz: unavailable (allowed by the level)", "face.duplicate: unavailable (allowed by the level)",
			"face.liveness: unavailable (allowed by the level)", "face.match: unavailable (allowed by the level)",
			"screening.sanctions: unavailable (allowed by the level)"}, notChecked)

		// The decision metrics count both, without merchant ids.
		m := string(e.get("/metrics", "").Body)
		require.Contains(t, m, `openkyc_check_results_total{kind="screening.sanctions",not_run_kind="unavailable",status="not_run"} 2`)
		require.Contains(t, m, `openkyc_check_results_total{kind="data.expiry",not_run_kind="unavailable",status="not_run"} 2`)
		require.Contains(t, m, `openkyc_verifications_decided_total{decision="approved",level="custom",reject_type=""} 1`)
		require.Contains(t, m, `openkyc_verification_decision_seconds_count{level="basic"} 1`)
		require.NotContains(t, m, "mer_")
	})
}

// TestLevelRulesRefused: contradictory or unknown settings of the new rules
// are refused with the field named.
func TestLevelRulesRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	for _, tc := range []struct{ body, field string }{
		{`{"required_documents":["id_front"],"min_age":18,"checks":{"blocklist":{"enabled":true,"required":true,"allow_unavailable":true}},"final_reasons":[],"max_attempts":3}`, "checks.blocklist.allow_unavailable"},
		{`{"required_documents":["id_front"],"min_age":18,"checks":{"data.age":{"enabled":true,"required":true,"on_not_applicable":"pass"}},"final_reasons":[],"max_attempts":3}`, "checks.data.age.on_not_applicable"},
		{`{"required_documents":["id_front"],"min_age":18,"checks":{},"final_reasons":[],"max_attempts":3,"require_document_data":true}`, "require_document_data"},
	} {
		r := e.do(http.MethodPut, "/v1/levels/bad", e.keyA, strings.NewReader(tc.body), nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
		_, field := r.errField(t)
		require.Equal(t, tc.field, field, "%s", r.Body)
	}
	r := e.do(http.MethodPut, "/v1/levels/bad", e.keyA, strings.NewReader(`{"required_documents":["id_front"],"min_age":18,"checks":{"face.liveness":{"enabled":true,"on_not_applicable":"ignore"}},"final_reasons":[],"max_attempts":3}`), nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
	require.Contains(t, string(r.Body), "on_not_applicable")
}

// TestStaleListsGoToReview: lists older than --lists-max-age make
// screening unavailable with LISTS_STALE; the verification is not approved
// even under a level that allows every other engine to be missing.
func TestStaleListsGoToReview(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		lists := t.TempDir()
		b, err := os.ReadFile("../screening/testdata/formats/ofac_xml/sdn.xml")
		require.NoError(t, err)
		p := filepath.Join(lists, "sdn.xml")
		require.NoError(t, os.WriteFile(p, b, 0o600))
		old := time.Now().Add(-100 * time.Hour)
		require.NoError(t, os.Chtimes(p, old, old))
		e := newEnv(t, db, withWorkers, func(c *config.Config) {
			c.ListsDir, c.ListsMaxAge = lists, 72*time.Hour
			c.BuiltInLevels = func(name string) (policy.Level, bool) {
				l, ok := apptest.EnginelessLevel(name) // every engine may be missing...
				r := l.Checks["screening.sanctions"]
				r.AllowUnavailable = false // ...but screening
				l.Checks["screening.sanctions"] = r
				return l, ok
			}
		})
		vid := e.submitNew(e.applicantWithDocs(person("st1", "st1@example.com"), "id_front", "selfie"), "st-1")
		v := e.settle(vid)
		require.Equal(t, "review", v["state"], "%v", v)
		require.Equal(t, []any{kyc.ReasonCheckUnavailable, "LISTS_STALE"}, v["reasons"])
		for _, c := range v["checks"].([]any) {
			if c := c.(map[string]any); c["kind"] == "screening.sanctions" {
				require.Equal(t, "unavailable", c["not_run_kind"])
				require.Equal(t, "LISTS_STALE", c["reason_code"])
				require.Contains(t, c["evidence"].(map[string]any)["reason"], "us_ofac is 100h")
			}
		}
		ready := e.get("/readyz", "").json(t)
		require.Equal(t, "degraded", ready["status"])
		require.Contains(t, fmt.Sprint(ready["reasons"]), "stale list: us_ofac")
	})
}
