package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// TestConsoleStore: the review console's tables and reads on both engines,
// with the merchant scope of every cross-merchant read.
func TestConsoleStore(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		s := open(t, db)
		ctx := context.Background()
		mA, mB := merchant(t, s, "C-"+db.Name+"-A"), merchant(t, s, "C-"+db.Name+"-B")
		in := func(fn func(tx *store.Tx) error) { require.NoError(t, s.InTx(ctx, fn)) }
		st := store.Staff{ID: kyc.NewID("stf_"), Email: "c-" + db.Name + "@example.com", Role: "reviewer", PasswordHash: "h", Status: "active",
			Merchants: []string{mA.ID}, CreatedAt: now(), UpdatedAt: now()}
		in(func(tx *store.Tx) error { return tx.InsertStaff(ctx, st) })

		t.Run("sessions", func(t *testing.T) {
			t0 := now()
			ses := store.StaffSession{TokenHash: "th-" + db.Name, StaffID: st.ID, CSRFToken: "csrf", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}
			in(func(tx *store.Tx) error { return tx.InsertStaffSession(ctx, ses) })
			got, acc, err := s.StaffSessionByHash(ctx, ses.TokenHash)
			require.NoError(t, err)
			require.Equal(t, ses, got)
			require.Equal(t, []string{mA.ID}, acc.Merchants)
			require.NoError(t, s.TouchStaffSession(ctx, ses.TokenHash, t0.Add(time.Minute)))
			got, _, _ = s.StaffSessionByHash(ctx, ses.TokenHash)
			require.Equal(t, t0.Add(time.Minute), got.LastSeenAt)
			n, err := s.PurgeStaffSessions(ctx, t0, t0)
			require.NoError(t, err)
			require.Zero(t, n, "neither expired nor idle")
			other := ses
			other.TokenHash = "th2-" + db.Name
			in(func(tx *store.Tx) error { return tx.InsertStaffSession(ctx, other) })
			in(func(tx *store.Tx) error { return tx.SetStaffPassword(ctx, st.ID, "h2", ses.TokenHash, t0) })
			_, _, err = s.StaffSessionByHash(ctx, other.TokenHash)
			require.ErrorIs(t, err, kyc.ErrNotFound, "a password change ends the other sessions")
			n, err = s.PurgeStaffSessions(ctx, t0.Add(2*time.Hour), t0)
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			_, _, err = s.StaffSessionByHash(ctx, ses.TokenHash)
			require.ErrorIs(t, err, kyc.ErrNotFound)
		})

		t.Run("queue, claims and proposals are scoped", func(t *testing.T) {
			va := verification(t, s, applicant(t, s, mA, "qa"), "qa")
			vb := verification(t, s, applicant(t, s, mB, "qb"), "qb")
			for _, v := range []kyc.Verification{va, vb} {
				next := v
				next.State, next.Version = kyc.StateReview, v.Version+1
				in(func(tx *store.Tx) error {
					if err := tx.UpdateVerification(ctx, next, v.Version); err != nil {
						return err
					}
					return tx.InsertCheck(ctx, kyc.Check{ID: kyc.NewID(kyc.PrefixCheck), MerchantID: v.MerchantID, VerificationID: v.ID,
						Kind: "face.match", Status: kyc.CheckReview, ReasonCode: "FACE_MISMATCH", Evidence: []byte("{}"), CreatedAt: now()})
				})
			}
			onlyA := store.Scope{Merchants: []string{mA.ID}}
			items, err := s.Queue(ctx, store.QueueQuery{Scope: onlyA, State: kyc.StateReview, Limit: 10})
			require.NoError(t, err)
			require.Len(t, items, 1)
			require.Equal(t, va.ID, items[0].Verification.ID)
			items, err = s.Queue(ctx, store.QueueQuery{Scope: onlyA, MerchantID: mB.ID, State: kyc.StateReview, Limit: 10})
			require.NoError(t, err)
			require.Empty(t, items, "a merchant outside the scope stays out even when asked for")
			items, err = s.Queue(ctx, store.QueueQuery{Scope: store.Scope{}, State: kyc.StateReview, Limit: 10})
			require.NoError(t, err)
			require.Empty(t, items, "an empty scope sees nothing")
			items, err = s.Queue(ctx, store.QueueQuery{Scope: store.Scope{All: true}, State: kyc.StateReview, Reason: "FACE_MISMATCH", CheckKind: "face.match",
				Before: time.Now().Add(time.Hour), Since: time.Now().Add(-time.Hour), Limit: 10})
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(items), 2)
			counts, err := s.StateCounts(ctx, onlyA, time.Now().Add(-time.Hour))
			require.NoError(t, err)
			require.Equal(t, 1, counts[kyc.StateReview])
			f, err := s.Findings(ctx, []string{va.ID, vb.ID})
			require.NoError(t, err)
			require.Equal(t, "FACE_MISMATCH", f[va.ID][0].Reason)

			// the verification's own review reasons filter too; LIKE's wildcards do not
			vr, _ := s.VerificationByID(ctx, mA.ID, va.ID)
			withReasons := vr
			withReasons.Reasons, withReasons.Version = []string{kyc.ReasonCheckUnavailable, kyc.ReasonDocumentUnreadable}, vr.Version+1
			in(func(tx *store.Tx) error { return tx.UpdateVerification(ctx, withReasons, vr.Version) })
			for reason, want := range map[string]int{kyc.ReasonDocumentUnreadable: 1, kyc.ReasonCheckUnavailable: 1, "DOCUMENT_UNREADABL_": 0, "%": 0} {
				items, err = s.Queue(ctx, store.QueueQuery{Scope: onlyA, State: kyc.StateReview, Reason: reason, Limit: 10})
				require.NoError(t, err)
				require.Len(t, items, want, reason)
			}
			// the check filter finds checks that did not pass; one that did not
			// apply (not_run, not_applicable) is no finding
			in(func(tx *store.Tx) error {
				return tx.InsertCheck(ctx, kyc.Check{ID: kyc.NewID(kyc.PrefixCheck), MerchantID: va.MerchantID, VerificationID: va.ID,
					Kind: kyc.KindMRZ, Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunNotApplicable, Evidence: []byte("{}"), CreatedAt: now()})
			})
			items, err = s.Queue(ctx, store.QueueQuery{Scope: onlyA, State: kyc.StateReview, CheckKind: kyc.KindMRZ, Limit: 10})
			require.NoError(t, err)
			require.Empty(t, items, "a check that did not apply is not a finding")
			in(func(tx *store.Tx) error {
				return tx.InsertCheck(ctx, kyc.Check{ID: kyc.NewID(kyc.PrefixCheck), MerchantID: va.MerchantID, VerificationID: va.ID,
					Kind: kyc.KindMRZ, Status: kyc.CheckNotRun, NotRunKind: kyc.NotRunUnavailable, Evidence: []byte("{}"), CreatedAt: now()})
			})
			items, err = s.Queue(ctx, store.QueueQuery{Scope: onlyA, State: kyc.StateReview, CheckKind: kyc.KindMRZ, Limit: 10})
			require.NoError(t, err)
			require.Len(t, items, 1, "one that could not run is")

			in(func(tx *store.Tx) error {
				return tx.PutClaim(ctx, store.Claim{VerificationID: va.ID, MerchantID: mA.ID, StaffID: st.ID, AssignedBy: st.ID, ClaimedAt: now()})
			})
			items, _ = s.Queue(ctx, store.QueueQuery{Scope: onlyA, State: kyc.StateReview, Limit: 10})
			require.Equal(t, st.Email, items[0].ClaimedEmail)
			p := store.Proposal{VerificationID: va.ID, MerchantID: mA.ID, Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal,
				Reasons: []string{"OTHER"}, SealedNote: []byte("n"), ProposedBy: st.ID, CreatedAt: now()}
			in(func(tx *store.Tx) error { return tx.InsertProposal(ctx, p) })
			err = s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertProposal(ctx, p) })
			require.True(t, kyc.IsConflict(err), "one proposal per case: %v", err)
			got, err := s.ProposalOf(ctx, mA.ID, va.ID)
			require.NoError(t, err)
			require.Equal(t, p, got)
			_, err = s.ProposalOf(ctx, mB.ID, va.ID)
			require.ErrorIs(t, err, kyc.ErrNotFound, "another merchant's proposal is not found")
			in(func(tx *store.Tx) error {
				ok, err := tx.DeleteProposal(ctx, mB.ID, va.ID)
				require.False(t, ok)
				return err
			})
			in(func(tx *store.Tx) error { return tx.DeleteClaim(ctx, va.ID) })
			_, err = s.ClaimOf(ctx, va.ID)
			require.ErrorIs(t, err, kyc.ErrNotFound)
		})

		t.Run("review settings default and change", func(t *testing.T) {
			rs, err := s.ReviewSettingsOf(ctx, mB.ID)
			require.NoError(t, err)
			require.Equal(t, "off", rs.FourEyes)
			require.Equal(t, 24, rs.SLAHours)
			in(func(tx *store.Tx) error {
				return tx.PutReviewSettings(ctx, store.ReviewSettings{MerchantID: mB.ID, FourEyes: "all", SLAHours: 4, UpdatedAt: now()})
			})
			rs, err = s.ReviewSettingsOf(ctx, mB.ID)
			require.NoError(t, err)
			require.Equal(t, "all", rs.FourEyes)
			require.Equal(t, 4, rs.SLAHours)
		})

		t.Run("case audit and deliveries are per merchant", func(t *testing.T) {
			pA := kyc.Principal{MerchantID: mA.ID, Actor: "t"}
			in(func(tx *store.Tx) error {
				return tx.Audit(ctx, pA, now(), "x.one", "verification", "ver_same", map[string]any{})
			})
			in(func(tx *store.Tx) error {
				return tx.Audit(ctx, kyc.Principal{MerchantID: mB.ID, Actor: "t"}, now(), "x.other", "verification", "ver_same", map[string]any{})
			})
			es, err := s.AuditBySubject(ctx, mA.ID, []string{"ver_same"}, 10)
			require.NoError(t, err)
			require.Len(t, es, 1)
			require.Equal(t, "x.one", es[0].Action)
			n, err := s.VerifyAuditChain(ctx, mA.ID)
			require.NoError(t, err)
			require.Positive(t, n)

			in(func(tx *store.Tx) error {
				return tx.InsertDelivery(ctx, store.Delivery{ID: kyc.NewID("dlv_"), MerchantID: mB.ID, EndpointID: "we_1", EventID: "evt_1", Attempt: 1,
					StatusCode: 500, Error: "receiver answered 500", ResponsePreview: "oops", CreatedAt: now()})
			})
			ds, err := s.RecentDeliveries(ctx, store.Scope{Merchants: []string{mA.ID}}, "", "", "", 10)
			require.NoError(t, err)
			require.Empty(t, ds)
			ds, err = s.RecentDeliveries(ctx, store.Scope{All: true}, mB.ID, "1", "", 10)
			require.NoError(t, err)
			require.Len(t, ds, 1)
			require.Equal(t, "oops", ds[0].ResponsePreview)
		})
	})
}

// BenchmarkQueue: the console's queue page reads (the queue, counts per
// state, the findings of the page) over 20,000 verifications of 10
// merchants, 6,000 of them in review; a reviewer of 3 merchants and an admin.
func BenchmarkQueue(b *testing.B) {
	for _, db := range kyctest.DBs(b) {
		b.Run(db.Name, func(b *testing.B) {
			ctx := context.Background()
			s, err := store.Open(ctx, store.Config{URL: db.URL})
			require.NoError(b, err)
			defer s.Close()
			_, err = s.Migrate(ctx)
			require.NoError(b, err)
			var ms []string
			t0 := time.Now().Add(-30 * 24 * time.Hour)
			require.NoError(b, s.InTx(ctx, func(tx *store.Tx) error {
				for i := range 10 {
					m := kyc.Merchant{ID: kyc.NewID(kyc.PrefixMerchant), MerchantNo: fmt.Sprintf("Q%d", i), Name: "Q", Status: kyc.MerchantActive, CreatedAt: t0, UpdatedAt: t0}
					if err := tx.InsertMerchant(ctx, m); err != nil {
						return err
					}
					ms = append(ms, m.ID)
				}
				for i := range 20_000 {
					m := ms[i%10]
					at := t0.Add(time.Duration(i) * time.Minute).UTC().Truncate(time.Microsecond)
					a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), MerchantID: m, Surface: kyc.SurfaceNative, ExternalIDHash: fmt.Sprint("xh-", i), CreatedAt: at, UpdatedAt: at}
					if err := tx.InsertApplicant(ctx, a, []byte("x")); err != nil {
						return err
					}
					st := kyc.StateCompleted
					if i%10 < 3 {
						st = kyc.StateReview
					}
					v := kyc.Verification{ID: kyc.NewID(kyc.PrefixVerification), MerchantID: m, ApplicantID: a.ID, Surface: kyc.SurfaceNative,
						Reference: fmt.Sprint(i), Level: "basic", State: st, Version: 1, CreatedAt: at, UpdatedAt: at}
					if err := tx.InsertVerification(ctx, v); err != nil {
						return err
					}
					for _, k := range []string{"face.match", "screening.sanctions", "document.mrz"} {
						status := kyc.CheckPassed
						if st == kyc.StateReview && k == "screening.sanctions" {
							status = kyc.CheckReview
						}
						if err := tx.InsertCheck(ctx, kyc.Check{ID: kyc.NewID(kyc.PrefixCheck), MerchantID: m, VerificationID: v.ID, Kind: kyc.CheckKind(k), Status: status,
							Evidence: []byte("{}"), CreatedAt: at}); err != nil {
							return err
						}
					}
				}
				return nil
			}))
			if db.Name == "postgres" { // as autovacuum would after a load
				raw, err := sql.Open("pgx", db.URL)
				require.NoError(b, err)
				_, err = raw.ExecContext(ctx, "ANALYZE")
				require.NoError(b, err)
				raw.Close()
			}
			for _, sc := range []struct {
				name  string
				scope store.Scope
			}{{"reviewer", store.Scope{Merchants: ms[:3]}}, {"admin", store.Scope{All: true}}} {
				b.Run(sc.name+"/queue", func(b *testing.B) {
					for b.Loop() {
						if _, err := s.Queue(ctx, store.QueueQuery{Scope: sc.scope, State: kyc.StateReview, Limit: 100}); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(sc.name+"/counts", func(b *testing.B) {
					for b.Loop() {
						if _, err := s.StateCounts(ctx, sc.scope, time.Now().Add(-7*24*time.Hour)); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(sc.name+"/page", func(b *testing.B) {
					for b.Loop() {
						items, err := s.Queue(ctx, store.QueueQuery{Scope: sc.scope, State: kyc.StateReview, Limit: 100})
						if err != nil || len(items) != 100 {
							b.Fatal(err, len(items))
						}
						if _, err := s.StateCounts(ctx, sc.scope, time.Now().Add(-7*24*time.Hour)); err != nil {
							b.Fatal(err)
						}
						ids := make([]string, len(items))
						for i, it := range items {
							ids[i] = it.Verification.ID
						}
						if _, err := s.Findings(ctx, ids); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// TestQueuePaging: pages follow each other without gaps or repeats, in both
// orders, also among cases that entered review at the same microsecond.
func TestQueuePaging(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		s := open(t, db)
		ctx := context.Background()
		m := merchant(t, s, "P-"+db.Name)
		t0 := now().Add(-time.Hour)
		var want []string
		require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error {
			for i := range 7 {
				at := t0.Add(time.Duration(i/2) * time.Minute) // pairs share a time
				a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), MerchantID: m.ID, Surface: kyc.SurfaceNative, ExternalIDHash: fmt.Sprint("xh-p", i),
					CreatedAt: at, UpdatedAt: at}
				if err := tx.InsertApplicant(ctx, a, []byte("x")); err != nil {
					return err
				}
				v := kyc.Verification{ID: kyc.NewID(kyc.PrefixVerification), MerchantID: m.ID, ApplicantID: a.ID, Surface: kyc.SurfaceNative,
					Reference: fmt.Sprint("p", i), Level: "basic", State: kyc.StateReview, Reasons: []string{}, Version: 1, CreatedAt: at, UpdatedAt: at}
				if err := tx.InsertVerification(ctx, v); err != nil {
					return err
				}
				want = append(want, v.ID)
			}
			return nil
		}))
		for _, newest := range []bool{false, true} {
			var got []string
			var after *store.QueueCursor
			for page := 0; page < 5; page++ {
				items, err := s.Queue(ctx, store.QueueQuery{Scope: store.Scope{Merchants: []string{m.ID}}, State: kyc.StateReview,
					Newest: newest, Limit: 3, After: after})
				require.NoError(t, err)
				for _, it := range items {
					got = append(got, it.Verification.ID)
				}
				if len(items) < 3 {
					break
				}
				last := items[len(items)-1].Verification
				after = &store.QueueCursor{At: last.UpdatedAt, ID: last.ID}
			}
			require.Len(t, got, 7, "newest=%v", newest)
			seen := map[string]bool{}
			for _, id := range got {
				require.False(t, seen[id], "repeated %s", id)
				seen[id] = true
			}
			require.ElementsMatch(t, want, got)
		}
	})
}
