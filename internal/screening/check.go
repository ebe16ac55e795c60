package screening

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/tracing"
	"go.opentelemetry.io/otel/attribute"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
)

// ReasonPossibleMatch sends a verification with screening hits to review;
// a reviewer who confirms a hit rejects it finally with SANCTIONS_HIT.
const ReasonPossibleMatch = "SANCTIONS_POSSIBLE_MATCH"

// Check is screening.sanctions: the applicant's name, birth date and
// nationality against the loaded lists. Hits at or above the threshold,
// other than those a reviewer dismissed for this applicant (while the
// entry is unchanged), send the verification to review. Without lists it
// does not run.
type Check struct {
	Screener  *Screener
	Threshold float64 // 0: DefaultThreshold
	// MaxAge is the oldest a list may be (since fetched or published) for
	// the check to run; older lists make it unavailable with LISTS_STALE.
	// 0: no limit.
	MaxAge time.Duration
	Now    func() time.Time // default time.Now
}

// ReasonListsStale: a loaded list is older than the check's MaxAge.
const ReasonListsStale = "LISTS_STALE"

func (Check) Kind() kyc.CheckKind { return kyc.KindSanctions }
func (Check) Version() string     { return "1" }

// EvidenceHit is a hit as stored in the check's evidence (list data only:
// the explanation, which holds the applicant's name parts, is sealed).
type EvidenceHit struct {
	List      string  `json:"list"`
	EntryID   string  `json:"entry_id"`
	Name      string  `json:"name"`
	Type      string  `json:"type"`
	Score     float64 `json:"score"`
	EntryHash string  `json:"entry_hash"`
	// Sources are every list entry of the hit when several lists name the
	// party (Hit.Sources); dismissals and alerts are kept per entry.
	Sources []EvidenceSource `json:"sources,omitempty"`
}

// EvidenceSource is one list entry of a grouped hit.
type EvidenceSource struct {
	List      string  `json:"list"`
	EntryID   string  `json:"entry_id"`
	Name      string  `json:"name"`
	Score     float64 `json:"score"`
	EntryHash string  `json:"entry_hash"`
}

// Entries are the list entries of the hit: its sources, or itself.
func (h EvidenceHit) Entries() []EvidenceSource {
	if len(h.Sources) > 0 {
		return h.Sources
	}
	return []EvidenceSource{{List: h.List, EntryID: h.EntryID, Name: h.Name, Score: h.Score, EntryHash: h.EntryHash}}
}

// ApplicantQuery is the applicant's screening query.
func ApplicantQuery(p kyc.PII, threshold float64) Query {
	return Query{Name: strings.TrimSpace(p.FirstName + " " + p.LastName), BirthDate: p.DateOfBirth, Nationality: p.Nationality,
		Type: TypePerson, Threshold: threshold, Limit: 20}
}

// Screen runs an applicant's query and drops dismissed hits.
func (c Check) Screen(ctx context.Context, env check.Env, a kyc.Applicant) ([]Hit, []Version, error) {
	th := c.Threshold
	if th == 0 {
		th = DefaultThreshold
	}
	_, sp := tracing.Start(ctx, "screening.search")
	hits, vs, err := c.Screener.Search(ApplicantQuery(a.PII, th))
	sp.SetAttributes(attribute.Int("openkyc.screening.hits", len(hits)))
	tracing.End(sp, err)
	if err != nil || len(hits) == 0 {
		return hits, vs, err
	}
	dismissed, err := env.ScreeningDismissals(ctx, a.MerchantID, a.ID)
	if err != nil {
		return nil, nil, err
	}
	kept := hits[:0]
	for _, h := range hits {
		// a party is dismissed when every entry of it is, as it reads now:
		// a list that names it anew, or a changed entry, alerts again
		all := true
		for _, x := range h.Entries() {
			hash, ok := dismissed[x.List+"\x00"+x.EntryID]
			all = all && ok && hash == x.Entry.Hash()
		}
		if !all {
			kept = append(kept, h)
		}
	}
	return kept, vs, nil
}

func (c Check) Run(ctx context.Context, s *check.Subject) check.Result {
	if c.Screener == nil || !c.Screener.Loaded() {
		return check.Unavailable("no sanctions lists loaded (serve --lists-dir, or openkyc lists update)")
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if stale := c.Screener.Stale(c.MaxAge, now()); len(stale) > 0 {
		r := check.Unavailable("stale lists: " + strings.Join(stale, "; "))
		r.ReasonCode = ReasonListsStale
		return r
	}
	if strings.TrimSpace(s.Applicant.PII.FirstName+s.Applicant.PII.LastName) == "" {
		return check.NotApplicable("the applicant has no name")
	}
	hits, vs, err := c.Screen(ctx, s.Env, s.Applicant)
	if err != nil {
		return check.Errored(err)
	}
	return Result(s.Env, s.Verification.ID, hits, vs)
}

// Evidence is screening.sanctions' evidence: the hits as shown, the list
// versions screened against and, with hits, their explanations (JSON
// []Hit, sealed to the verification).
type Evidence struct {
	Explanations string        `json:"explanations,omitempty"`
	Hits         []EvidenceHit `json:"hits"`
	Lists        []ListVersion `json:"lists"`
}

// ListVersion is one list as screened against: its name, the SHA-256 of
// the file loaded and how many entries it held.
type ListVersion struct {
	Entries int    `json:"entries"`
	List    string `json:"list"`
	SHA256  string `json:"sha256"`
}

// EvidenceHits are the hits as the evidence and alerts show them.
func EvidenceHits(hits []Hit) []EvidenceHit {
	eh := make([]EvidenceHit, 0, len(hits))
	for _, h := range hits {
		e := EvidenceHit{List: h.List, EntryID: h.EntryID, Name: h.Name, Type: h.Type, Score: h.Score, EntryHash: h.Entry.Hash()}
		for _, x := range h.Sources {
			e.Sources = append(e.Sources, EvidenceSource{List: x.List, EntryID: x.EntryID, Name: x.Name, Score: x.Score, EntryHash: x.Entry.Hash()})
		}
		eh = append(eh, e)
	}
	return eh
}

// Result is the check result of screened hits: passed without hits, else
// review with the hits and the sealed explanations.
func Result(env check.Env, verificationID string, hits []Hit, vs []Version) check.Result {
	ev := Evidence{Lists: make([]ListVersion, 0, len(vs)), Hits: EvidenceHits(hits)}
	for _, v := range vs {
		ev.Lists = append(ev.Lists, ListVersion{List: v.List, SHA256: v.SHA256, Entries: v.Entries})
	}
	if len(hits) == 0 {
		return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
	}
	explain, err := json.Marshal(hits)
	if err != nil {
		return check.Errored(err)
	}
	if ev.Explanations, err = env.Seal(explain, verificationID); err != nil {
		return check.Errored(err)
	}
	return check.Result{Status: kyc.CheckReview, Score: hits[0].Score, ReasonCode: ReasonPossibleMatch, Evidence: ev}
}
