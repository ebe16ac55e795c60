package verification_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/jobs"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/store/storetest"
	"github.com/openkyc/openkyc/internal/verification"
)

func newService(t testing.TB, db kyctest.DB) (*verification.Service, *store.Store, kyc.Principal) {
	svcs, st, ps := newReplicas(t, db, 1, verification.Config{})
	return svcs[0], st, ps[0]
}

// newReplicas returns n services on one database, key ring and blob store,
// as n replicas would run, and two merchants.
func newReplicas(t testing.TB, db kyctest.DB, n int, cfg verification.Config) ([]*verification.Service, *store.Store, []kyc.Principal) {
	t.Helper()
	ctx := context.Background()
	s := storetest.Open(t, db)
	mk, err := crypto.OpenMasterKey(crypto.MasterKeySource{DataDir: t.TempDir()})
	require.NoError(t, err)
	kr, err := crypto.OpenKeyring(ctx, mk, s)
	require.NoError(t, err)
	u, err := blob.URLForDataDir(t.TempDir())
	require.NoError(t, err)
	bs, err := blob.Open(ctx, u, kr)
	require.NoError(t, err)
	var ps []kyc.Principal
	for _, name := range []string{"M", "M2"} {
		m, err := merchant.New(s, kr, nil).Create(ctx, name, "test")
		require.NoError(t, err)
		ps = append(ps, kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"})
	}
	var svcs []*verification.Service
	for range n {
		svcs = append(svcs, verification.NewService(s, kr, bs, cfg))
	}
	return svcs, s, ps
}

// newVerification creates an applicant and a verification of it, in state
// created.
func newVerification(t *testing.T, svc *verification.Service, p kyc.Principal) kyc.Verification {
	t.Helper()
	a, _, err := svc.Applicants().Create(context.Background(), p, kyc.SurfaceNative, applicant.Input{ExternalUserID: "u"})
	require.NoError(t, err)
	v, err := svc.Create(context.Background(), p, kyc.SurfaceNative, verification.CreateInput{ApplicantID: a.ID, Reference: "r"})
	require.NoError(t, err)
	return v
}

func TestLifecycleWritesAuditAndOutboxTogether(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		svc, st, p := newService(t, db)
		a, created, err := svc.Applicants().Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: "u1", PII: kyc.PII{FirstName: "Li", LastName: "Wei"}})
		require.NoError(t, err)
		require.True(t, created)
		v, err := svc.Create(ctx, p, kyc.SurfaceNative, verification.CreateInput{ApplicantID: a.ID, Reference: "r1"})
		require.NoError(t, err)
		for _, act := range []verification.Action{verification.ActSubmit, verification.ActStart, verification.ActReview} {
			v, err = svc.Apply(ctx, p, v.ID, verification.Event{Action: act})
			require.NoError(t, err, act)
		}
		// A malformed decision changes nothing: no audit entry, no event.
		seqBefore, _, err := st.AuditHead(ctx, p.MerchantID)
		require.NoError(t, err)
		_, err = svc.Apply(ctx, p, v.ID, verification.Event{Action: verification.ActDecide, Decision: kyc.DecisionRejected, DecidedBy: "reviewer:stf_1"})
		require.ErrorIs(t, err, kyc.ErrInvalid)
		seqAfter, _, err := st.AuditHead(ctx, p.MerchantID)
		require.NoError(t, err)
		require.Equal(t, seqBefore, seqAfter)

		v, err = svc.Apply(ctx, p, v.ID, verification.Event{Action: verification.ActDecide, Decision: kyc.DecisionRejected,
			RejectType: kyc.RejectRetry, Reasons: []string{kyc.ReasonDocExpired}, UserMessage: "Your document has expired.",
			Note: "Expiry 2021-03-01 on the front side", DecidedBy: "reviewer:stf_1"})
		require.NoError(t, err)
		require.Equal(t, kyc.StateCompleted, v.State)

		got, _, err := svc.Get(ctx, p, v.ID)
		require.NoError(t, err)
		require.Equal(t, kyc.DecisionRejected, got.Decision)
		require.Equal(t, []string{kyc.ReasonDocExpired}, got.Reasons)
		require.Equal(t, 5, got.Version)

		evs, err := st.EventsBySubject(ctx, p.MerchantID, v.ID)
		require.NoError(t, err)
		var types []string
		for _, e := range evs {
			types = append(types, e.Type)
		}
		require.Equal(t, []string{"verification.created", "verification.submitted", "verification.processing", "verification.review", "verification.completed", "verification.resubmission_requested"}, types)
		var last verification.EventPayload
		require.NoError(t, json.Unmarshal(evs[4].Payload, &last))
		require.Equal(t, kyc.RejectRetry, last.RejectType)

		var actions []string
		ver := audit.NewVerifier(p.MerchantID)
		require.NoError(t, st.AuditEntries(ctx, p.MerchantID, func(e kyc.AuditEntry) error {
			actions = append(actions, e.Action)
			require.NotContains(t, string(e.Data), "Expiry 2021", "internal notes stay out of the audit data")
			return ver.Next(e)
		}))
		require.Equal(t, []string{"merchant.create", "applicant.create", "verification.create", "verification.submit", "verification.start",
			"verification.review", "verification.decide"}, actions)

		_, err = svc.Apply(ctx, p, v.ID, verification.Event{Action: verification.ActCancel})
		require.ErrorIs(t, err, kyc.ErrConflict, "completed is terminal")
	})
}

// TestApplyWithinCommitsTogether: the caller's writes commit with the
// transition, and when they fail nothing of the transition is left: no
// state change, audit entry or outbox event.
func TestApplyWithinCommitsTogether(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		svc, st, p := newService(t, db)
		v := newVerification(t, svc, p)
		seq, _, err := st.AuditHead(ctx, p.MerchantID)
		require.NoError(t, err)

		_, err = svc.ApplyWithin(ctx, p, v.ID, verification.Event{Action: verification.ActSubmit},
			func(ctx context.Context, tx *store.Tx, next kyc.Verification) error {
				require.Equal(t, kyc.StateSubmitted, next.State, "it sees the verification after the change")
				if err := tx.Audit(ctx, p, time.Now(), "test.within", "verification", v.ID, nil); err != nil {
					return err
				}
				return kyc.Conflict("test", "the caller's write failed")
			})
		require.ErrorIs(t, err, kyc.ErrConflict)
		got, _, err := svc.Get(ctx, p, v.ID)
		require.NoError(t, err)
		require.Equal(t, kyc.StateCreated, got.State)
		after, _, err := st.AuditHead(ctx, p.MerchantID)
		require.NoError(t, err)
		require.Equal(t, seq, after, "neither the transition's audit entry nor the caller's")
		evs, err := st.EventsBySubject(ctx, p.MerchantID, v.ID)
		require.NoError(t, err)
		require.Len(t, evs, 1, "only verification.created")

		_, err = svc.ApplyWithin(ctx, p, v.ID, verification.Event{Action: verification.ActSubmit},
			func(ctx context.Context, tx *store.Tx, _ kyc.Verification) error {
				return tx.Audit(ctx, p, time.Now(), "test.within", "verification", v.ID, nil)
			})
		require.NoError(t, err)
		var actions []string
		require.NoError(t, st.AuditEntries(ctx, p.MerchantID, func(e kyc.AuditEntry) error {
			actions = append(actions, e.Action)
			return nil
		}))
		require.Equal(t, []string{"verification.submit", "test.within"}, actions[len(actions)-2:])
	})
}

func TestConcurrentTransitionsOneWins(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		svc, st, p := newService(t, db)
		v := newVerification(t, svc, p)
		errs := make(chan error, 8)
		for range 8 {
			go func() { _, err := svc.Submit(ctx, p, v.ID); errs <- err }()
		}
		ok := 0
		for range 8 {
			if err := <-errs; err == nil {
				ok++
			} else {
				require.ErrorIs(t, err, kyc.ErrConflict)
			}
		}
		require.Equal(t, 1, ok, "exactly one submit wins")
		evs, err := st.EventsBySubject(ctx, p.MerchantID, v.ID)
		require.NoError(t, err)
		require.Len(t, evs, 2)
	})
}

func TestCreateApplicantRace(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		svc, _, p := newService(t, db)
		ids := make(chan string, 6)
		for range 6 {
			go func() {
				a, _, err := svc.Applicants().Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: "same", PII: kyc.PII{Email: "a@b.co"}})
				require.NoError(t, err)
				ids <- a.ID
			}()
		}
		first := <-ids
		for range 5 {
			require.Equal(t, first, <-ids)
		}
	})
}

// TestListsLoaded: loading lists records their versions and queues one
// rescreen per set of versions, whichever replica loads them and however
// often (the job id is derived from the versions).
func TestListsLoaded(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		svcs, st, _ := newReplicas(t, db, 2, verification.Config{})
		set := []screening.Version{{List: "ofac_sdn", SHA256: strings.Repeat("a", 64), Entries: 10, People: 6, Names: 14},
			{List: "un", SHA256: strings.Repeat("b", 64), Entries: 3, People: 2, Names: 5}}
		require.NoError(t, svcs[0].ListsLoaded(ctx, set))
		require.NoError(t, svcs[1].ListsLoaded(ctx, set), "a second replica loading the same lists")
		vs, err := svcs[0].ListVersions(ctx, 10)
		require.NoError(t, err)
		require.Len(t, vs, 2)
		next := append([]screening.Version(nil), set...)
		next[1].SHA256 = strings.Repeat("c", 64)
		require.NoError(t, svcs[1].ListsLoaded(ctx, next))
		vs, err = svcs[0].ListVersions(ctx, 10)
		require.NoError(t, err)
		require.Len(t, vs, 3, "the new version is recorded beside the old")
		counts, err := st.JobCounts(ctx)
		require.NoError(t, err)
		n := 0
		for k, c := range counts {
			if k[0] == jobs.KindRescreen {
				n += c
			}
		}
		require.Equal(t, 2, n, "one rescreen per set of versions")
	})
}
