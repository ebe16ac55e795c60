package store_test

import (
	"context"
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
			counts, err := s.StateCounts(ctx, onlyA)
			require.NoError(t, err)
			require.Equal(t, 1, counts[kyc.StateReview])
			f, err := s.Findings(ctx, []string{va.ID, vb.ID})
			require.NoError(t, err)
			require.Equal(t, "FACE_MISMATCH", f[va.ID][0].Reason)

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
