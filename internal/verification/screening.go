package verification

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/jobs"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/store"
)

// EventScreeningAlert is emitted when continuous screening finds a new hit
// for an approved applicant (the verification goes back to review).
const EventScreeningAlert = "screening.alert"

// AlertPayload is the body of a screening.alert event: list data only.
type AlertPayload struct {
	VerificationID string                  `json:"verification_id"`
	ApplicantID    string                  `json:"applicant_id"`
	Reference      string                  `json:"reference"`
	Hits           []screening.EvidenceHit `json:"hits"`
}

// FindScreeningHit finds a hit in the newest screening.sanctions result of a
// verification, by its entry or, for a hit grouped across lists, by any of
// its entries.
func FindScreeningHit(checks []kyc.Check, list, entryID string) (screening.EvidenceHit, bool) {
	for i := len(checks) - 1; i >= 0; i-- {
		c := checks[i]
		if c.Kind != kyc.KindSanctions {
			continue
		}
		ev, err := check.DecodeEvidence[screening.Evidence](c)
		if err != nil { // a malformed row holds no hit to find
			continue
		}
		for _, h := range ev.Hits {
			for _, x := range h.Entries() { // a grouped hit by any of its entries
				if x.List == list && x.EntryID == entryID {
					return h, true
				}
			}
		}
	}
	return screening.EvidenceHit{}, false
}

// ResolveHit is a reviewer's word on one screening hit of a verification in
// review: confirm rejects it finally with SANCTIONS_HIT (through the same
// decision path as the policy, so events and dialect callbacks fire);
// dismiss remembers the hit as not this person, so it does not alert again
// while the list entry is unchanged.
func (s *Service) ResolveHit(ctx context.Context, p kyc.Principal, id, list, entryID string, confirm bool, note string) (kyc.Verification, error) {
	if !kyc.ValidID(kyc.PrefixVerification, id) {
		return kyc.Verification{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	v, checks, err := s.store.VerificationWithChecks(ctx, p.MerchantID, id)
	if err != nil {
		return v, err
	}
	if v.State != kyc.StateReview {
		return v, kyc.Conflict("invalid_transition", "screening hits are resolved while the verification is in review (it is %s)", v.State)
	}
	hit, ok := FindScreeningHit(checks, list, entryID)
	if !ok {
		return v, fmt.Errorf("screening hit %s/%s: %w", list, entryID, kyc.ErrNotFound)
	}
	if confirm {
		return s.Apply(ctx, p, id, Event{Action: ActDecide, Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal,
			Reasons: []string{kyc.ReasonSanctionsHit}, Note: note, DecidedBy: p.Actor})
	}
	now := s.clock()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		// one word for the party: every list entry of the hit is dismissed,
		// each with the content it has now
		var entries []map[string]string
		for _, x := range hit.Entries() {
			if err := tx.PutDismissal(ctx, store.Dismissal{MerchantID: v.MerchantID, ApplicantID: v.ApplicantID, List: x.List, EntryID: x.EntryID,
				EntryHash: x.EntryHash, DismissedBy: p.Actor, CreatedAt: now}); err != nil {
				return err
			}
			entries = append(entries, map[string]string{"list": x.List, "entry_id": x.EntryID, "entry_hash": x.EntryHash})
		}
		detail := map[string]any{"list": hit.List, "entry_id": hit.EntryID, "entry_hash": hit.EntryHash}
		if len(hit.Sources) > 0 {
			detail["entries"] = entries
		}
		return record(ctx, tx, p, now, "screening.hit_dismissed", "verification", v.ID, detail)
	})
	return v, err
}

// RescreenStats counts one monitoring pass.
type RescreenStats struct {
	Screened int `json:"screened"`
	Alerts   int `json:"alerts"`
	// Resumed: the pass went on from where an earlier attempt stopped.
	Resumed bool `json:"resumed,omitempty"`
}

// Rescreen screens the applicant of every approved verification of every
// merchant against the current lists. A hit that is neither dismissed nor
// alerted before (for the same entry content) reopens the verification for
// review with the new screening.sanctions result and emits screening.alert,
// in one transaction.
func (s *Service) Rescreen(ctx context.Context, c screening.Check) (RescreenStats, error) {
	return s.RescreenRun(ctx, c, RescreenOptions{})
}

// RescreenOptions are a monitoring pass's run and pace.
type RescreenOptions struct {
	// Run names the pass (the monitoring job's id); "" records no progress.
	Run string
	// Duty is the share of time the pass works: after each page it rests
	// for as long as makes the page's work that share (0 or 1: no rest).
	Duty float64
}

// RescreenPage is how many verifications a monitoring pass reads at once;
// its progress is recorded after each page.
const RescreenPage = 200

// RescreenRun is Rescreen as the pass run (the monitoring job's id): its
// progress is recorded after every page, and a run interrupted by a
// restart, a lost lease or a timeout goes on from there on its next
// attempt, on any replica. Screening a page twice is harmless: alerts are
// recorded once per entry content.
func (s *Service) RescreenRun(ctx context.Context, c screening.Check, opt RescreenOptions) (RescreenStats, error) {
	var st RescreenStats
	run := opt.Run
	if c.Screener == nil || !c.Screener.Loaded() {
		return st, screening.ErrNoLists
	}
	if stale := c.Screener.Stale(c.MaxAge, s.clock()); len(stale) > 0 {
		return st, fmt.Errorf("continuous screening skipped, stale lists: %s", strings.Join(stale, "; "))
	}
	after := ""
	if run != "" {
		p, ok, err := s.store.RescreenProgressOf(ctx, run)
		if err != nil {
			return st, err
		}
		if ok {
			after, st.Screened, st.Alerts, st.Resumed = p.After, p.Screened, p.Alerts, true
		}
	}
	for {
		t0 := time.Now()
		page, err := s.store.ApprovedVerifications(ctx, after, RescreenPage)
		if err != nil || len(page) == 0 {
			return st, err
		}
		after = page[len(page)-1].ID
		ids := make([]string, len(page))
		for i, v := range page {
			ids[i] = v.ApplicantID
		}
		applicants, err := s.store.ApplicantsByIDs(ctx, ids)
		if err != nil {
			return st, err
		}
		for _, v := range page {
			sa, ok := applicants[v.ApplicantID]
			if !ok || sa.MerchantID != v.MerchantID { // deleted meanwhile
				continue
			}
			a, err := s.sealer.Open(sa.Applicant, sa.Sealed)
			if err != nil {
				return st, err
			}
			st.Screened++
			n, err := s.alert(ctx, c, v, a)
			if err != nil {
				return st, fmt.Errorf("rescreen %s: %w", v.ID, err)
			}
			st.Alerts += n
			// a pass is one goroutine screening for minutes: let the
			// requests queued behind it on its processor run now rather
			// than at the scheduler's next preemption (up to 10 ms)
			runtime.Gosched()
		}
		if run != "" {
			if err := s.store.PutRescreenProgress(ctx, store.RescreenProgress{Run: run, After: after, Screened: st.Screened, Alerts: st.Alerts,
				UpdatedAt: s.clock()}); err != nil {
				return st, err
			}
		}
		if opt.Duty > 0 && opt.Duty < 1 {
			rest := time.Duration(float64(time.Since(t0)) * (1 - opt.Duty) / opt.Duty)
			select {
			case <-ctx.Done():
				return st, ctx.Err()
			case <-time.After(rest):
			}
		}
	}
}

func (s *Service) alert(ctx context.Context, c screening.Check, v kyc.Verification, a kyc.Applicant) (int, error) {
	env := checkEnv{s}
	hits, vs, err := c.Screen(ctx, env, a)
	if err != nil || len(hits) == 0 {
		return 0, err
	}
	var fresh []screening.Hit
	for _, h := range hits {
		// a party alerts when one of its entries is new or changed
		for _, x := range h.Entries() {
			seen, err := s.store.HasAlert(ctx, v.MerchantID, v.ApplicantID, x.List, x.EntryID, x.Entry.Hash())
			if err != nil {
				return 0, err
			}
			if !seen {
				fresh = append(fresh, h)
				break
			}
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	// the new result, as the check stores it (every current hit)
	res := screening.Result(env, v.ID, hits, vs)
	now := s.clock()
	evidence, err := json.Marshal(res.Evidence)
	if err != nil {
		return 0, err
	}
	result := kyc.Check{ID: kyc.NewID(kyc.PrefixCheck), MerchantID: v.MerchantID, VerificationID: v.ID, Kind: c.Kind(), EngineVersion: c.Version(),
		Status: res.Status, NotRunKind: res.NotRunKind, Score: res.Score, ReasonCode: res.ReasonCode, Evidence: evidence, CreatedAt: now}
	eh := screening.EvidenceHits(fresh)
	p := kyc.Principal{MerchantID: v.MerchantID, Actor: "system:monitoring"}
	_, err = s.ApplyWithin(ctx, p, v.ID, Event{Action: ActReopen, Checks: []kyc.Check{result}},
		func(ctx context.Context, tx *store.Tx, next kyc.Verification) error {
			for _, h := range eh {
				for _, x := range h.Entries() { // an entry alerted before is kept once (ON CONFLICT)
					if _, err := tx.InsertAlert(ctx, store.Alert{MerchantID: v.MerchantID, ApplicantID: v.ApplicantID, VerificationID: v.ID,
						List: x.List, EntryID: x.EntryID, EntryHash: x.EntryHash, Score: x.Score, CreatedAt: now}); err != nil {
						return err
					}
				}
			}
			payload, err := json.Marshal(AlertPayload{VerificationID: v.ID, ApplicantID: v.ApplicantID, Reference: v.Reference, Hits: eh})
			if err != nil {
				return err
			}
			if err := publish(ctx, tx, v.MerchantID, EventScreeningAlert, v.ID, payload, now); err != nil {
				return err
			}
			return record(ctx, tx, p, now, EventScreeningAlert, "verification", v.ID, map[string]any{"hits": len(eh)})
		})
	if kyc.IsConflict(err) { // decided or reopened meanwhile: the next pass sees it
		return 0, nil
	}
	return len(eh), err
}

// ListVersion is a sanctions list version some server has loaded.
type ListVersion = store.ListVersion

// ListVersions lists the sanctions list versions servers have loaded,
// newest first (the lists are the same for every merchant).
func (s *Service) ListVersions(ctx context.Context, limit int) ([]ListVersion, error) {
	return s.store.ListVersions(ctx, limit)
}

// ListsLoaded records the sanctions list versions a server loaded and queues
// one rescreen of the monitored verifications for that set of versions, in
// one transaction. The job's id is derived from the versions, so replicas
// that load the same lists queue it once.
func (s *Service) ListsLoaded(ctx context.Context, versions []screening.Version) error {
	h := sha256.New()
	for _, v := range versions {
		h.Write([]byte(v.List + ":" + v.SHA256 + ";"))
	}
	id := "job_rescreen_" + hex.EncodeToString(h.Sum(nil)[:12])
	now := s.now()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, v := range versions {
			if err := tx.PutListVersion(ctx, store.ListVersion{List: v.List, SHA256: v.SHA256, Published: v.Published,
				Entries: v.Entries, People: v.People, Names: v.Names, FirstLoadedAt: now}); err != nil {
				return err
			}
		}
		return tx.InsertJob(ctx, jobs.New(id, jobs.KindRescreen, "", "lists", nil, now))
	})
}
