package api_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/verification"
)

func listed(ext string) string {
	return `{"external_user_id":"` + ext + `","first_name":"Omar Khalid","last_name":"Al-Samarrai","date_of_birth":"1968-03-05","nationality":"IQ"}`
}

// TestScreeningInThePipeline: a listed name goes to review with
// SANCTIONS_POSSIBLE_MATCH; a reviewer's confirmation rejects finally with
// SANCTIONS_HIT, a dismissal is remembered; continuous screening reopens an
// approved verification once when a new list version lists the applicant.
func TestScreeningInThePipeline(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		lists := t.TempDir()
		e := newEnv(t, db, withWorkers)
		ctx := context.Background()
		p := principalOf(t, e, e.keyA)
		rcv := newReceiver(t)
		e.registerWebhook(rcv)
		scr := e.app.Screening

		// No lists yet: the check does not run and the applicant is approved.
		require.False(t, scr.Loaded())
		early := e.settle(e.submitNew(e.applicantWithDocs(listed("m1"), "id_front", "selfie"), "m-1"))
		require.Equal(t, "approved", early["decision"], "%v", early)

		// The list arrives: the new verification goes to review.
		b, err := os.ReadFile("../screening/testdata/formats/ofac_xml/sdn.xml")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(lists, "sdn.xml"), b, 0o644))
		_, err = scr.LoadDir(lists)
		require.NoError(t, err)
		v := e.settle(e.submitNew(e.applicantWithDocs(listed("s1"), "id_front", "selfie"), "s-1"))
		require.Equal(t, "review", v["state"], "%v", v)
		var hit map[string]any
		for _, c := range v["checks"].([]any) {
			c := c.(map[string]any)
			if c["kind"] == "screening.sanctions" {
				require.Equal(t, "review", c["status"])
				require.Equal(t, screening.ReasonPossibleMatch, c["reason_code"])
				hit = c["evidence"].(map[string]any)["hits"].([]any)[0].(map[string]any)
			}
		}
		require.Equal(t, "99001", hit["entry_id"])
		require.NotContains(t, string(e.get("/v1/verifications/"+v["id"].(string), e.keyA).Body), "samarrai\"", "the applicant's name parts stay sealed")

		// Another merchant cannot resolve it.
		pb := principalOf(t, e, e.keyB)
		_, err = e.app.Verifications.ResolveHit(ctx, pb, v["id"].(string), "us_ofac", "99001", true, "")
		require.ErrorIs(t, err, kyc.ErrNotFound)

		// Confirmed: final rejection.
		p.Actor = "reviewer:test"
		out, err := e.app.Verifications.ResolveHit(ctx, p, v["id"].(string), "us_ofac", "99001", true, "same DOB and passport")
		require.NoError(t, err)
		require.Equal(t, kyc.DecisionRejected, out.Decision)
		require.Equal(t, kyc.RejectFinal, out.RejectType)
		require.Equal(t, []string{kyc.ReasonSanctionsHit}, out.Reasons)

		// Dismissed for another applicant: remembered, no alert later.
		v2 := e.settle(e.submitNew(e.applicantWithDocs(listed("s2"), "id_front", "selfie"), "s-2"))
		require.Equal(t, "review", v2["state"])
		_, err = e.app.Verifications.ResolveHit(ctx, p, v2["id"].(string), "us_ofac", "99001", false, "")
		require.NoError(t, err)
		_, err = e.app.Verifications.ResolveHit(ctx, p, v2["id"].(string), "us_ofac", "nope", false, "")
		require.ErrorIs(t, err, kyc.ErrNotFound)

		// Monitoring: loading the list queued a pass that reopened the early
		// approval (made before the list) and sent screening.alert.
		waitUntil(t, "screening.alert delivered", func() bool {
			return slices.Contains(rcv.types(early["id"].(string)), "screening.alert")
		})
		if db.Name == "sqlite" {
			rcv.mu.Lock()
			for _, m := range rcv.got {
				if m.Type == "screening.alert" {
					b, err := json.Marshal(m)
					require.NoError(t, err)
					golden(t, "webhook_screening_alert", b)
				}
			}
			rcv.mu.Unlock()
		}
		ev := e.get("/v1/verifications/"+early["id"].(string), e.keyA).json(t)
		require.Equal(t, "review", ev["state"])
		require.Nil(t, ev["decision"], "no decision while in review")

		// A reviewer approves it again: the same entry does not alert twice.
		_, err = e.app.Verifications.Apply(ctx, p, early["id"].(string), verification.Event{Action: verification.ActDecide,
			Decision: kyc.DecisionApproved, DecidedBy: "reviewer:test"})
		require.NoError(t, err)
		st, err := e.app.Verifications.Rescreen(ctx, screening.Check{Screener: scr})
		require.NoError(t, err)
		require.Equal(t, 0, st.Alerts)
		require.GreaterOrEqual(t, st.Screened, 1)
	})
}

// TestScreeningGroupedHit: a person listed by OFAC and the EU is one hit
// with both entries; the reviewer's dismissal, given on either entry,
// holds for both, so monitoring does not alert on the other list.
func TestScreeningGroupedHit(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, withWorkers, func(c *config.Config) { c.ListsDir = "../screening/testdata/grouped" })
		ctx := context.Background()
		p := principalOf(t, e, e.keyA)
		p.Actor = "reviewer:test"
		v := e.settle(e.submitNew(e.applicantWithDocs(listed("g1"), "id_front", "selfie"), "g-1"))
		require.Equal(t, "review", v["state"], "%v", v)
		var hits []any
		for _, c := range v["checks"].([]any) {
			if c := c.(map[string]any); c["kind"] == "screening.sanctions" {
				hits = c["evidence"].(map[string]any)["hits"].([]any)
			}
		}
		// the party on both lists is one hit; the namesake born in 1975 is
		// another
		require.Len(t, hits, 2, "%v", hits)
		sources := hits[0].(map[string]any)["sources"].([]any)
		require.Len(t, sources, 2)
		require.Equal(t, "9102", hits[1].(map[string]any)["entry_id"])
		require.Nil(t, hits[1].(map[string]any)["sources"])

		// dismissed on its EU entry: the OFAC entry is dismissed with it
		_, err := e.app.Verifications.ResolveHit(ctx, p, v["id"].(string), "eu_fsf", "9101", false, "another person")
		require.NoError(t, err)
		_, err = e.app.Verifications.ResolveHit(ctx, p, v["id"].(string), "eu_fsf", "9102", false, "born in 1975")
		require.NoError(t, err)
		_, err = e.app.Verifications.Apply(ctx, p, v["id"].(string), verification.Event{Action: verification.ActDecide,
			Decision: kyc.DecisionApproved, DecidedBy: "reviewer:test"})
		require.NoError(t, err)
		st, err := e.app.Verifications.Rescreen(ctx, screening.Check{Screener: e.app.Screening})
		require.NoError(t, err)
		require.GreaterOrEqual(t, st.Screened, 1)
		require.Equal(t, 0, st.Alerts, "the dismissal holds for the OFAC entry too")
	})
}

// TestRescreenResumes: a monitoring pass records its progress; run again
// (a restart, a lost lease) it goes on from there instead of starting
// over, on any process sharing the database.
func TestRescreenResumes(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, withWorkers)
		ctx := context.Background()
		var ids []string
		for i := range 3 {
			v := e.settle(e.submitNew(e.applicantWithDocs(`{"external_user_id":"r`+string(rune('0'+i))+`","first_name":"Jane","last_name":"Doe"}`, "id_front", "selfie"), "r-"+string(rune('0'+i))))
			if v["state"] == "review" { // engines missing here: a reviewer approves
				_, err := e.app.Verifications.Apply(ctx, principalOf(t, e, e.keyA), v["id"].(string), verification.Event{Action: verification.ActDecide,
					Decision: kyc.DecisionApproved, DecidedBy: "reviewer:test"})
				require.NoError(t, err)
			} else {
				require.Equal(t, "approved", v["decision"], "%v", v)
			}
			ids = append(ids, v["id"].(string))
		}
		slices.Sort(ids)
		b, err := os.ReadFile("../screening/testdata/formats/ofac_xml/sdn.xml")
		require.NoError(t, err)
		lists := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(lists, "sdn.xml"), b, 0o644))
		scr := screening.NewScreener()
		_, err = scr.LoadDir(lists)
		require.NoError(t, err)
		check := screening.Check{Screener: scr}

		st, err := e.app.Verifications.RescreenRun(ctx, check, verification.RescreenOptions{Run: "run-1"})
		require.NoError(t, err)
		require.Equal(t, verification.RescreenStats{Screened: 3}, st)
		st, err = e.app.Verifications.RescreenRun(ctx, check, verification.RescreenOptions{Run: "run-1"})
		require.NoError(t, err)
		require.Equal(t, verification.RescreenStats{Screened: 3, Resumed: true}, st, "a finished run has nothing left")

		// a run that stopped after the first verification goes on from it
		require.NoError(t, e.app.Store.PutRescreenProgress(ctx, store.RescreenProgress{Run: "run-2", After: ids[0], Screened: 1, UpdatedAt: time.Now()}))
		st, err = e.app.Verifications.RescreenRun(ctx, check, verification.RescreenOptions{Run: "run-2", Duty: 0.5})
		require.NoError(t, err)
		require.Equal(t, verification.RescreenStats{Screened: 3, Resumed: true}, st)
		p, ok, err := e.app.Store.RescreenProgressOf(ctx, "run-2")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, ids[2], p.After)
		// progress only moves forward
		require.NoError(t, e.app.Store.PutRescreenProgress(ctx, store.RescreenProgress{Run: "run-2", After: ids[0], Screened: 1, UpdatedAt: time.Now()}))
		p, _, err = e.app.Store.RescreenProgressOf(ctx, "run-2")
		require.NoError(t, err)
		require.Equal(t, ids[2], p.After)
	})
}
