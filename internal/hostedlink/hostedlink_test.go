package hostedlink_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"
	"github.com/openkyc/openkyc/internal/store"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/verification"
)

// TestLinks issues, resolves, completes and refuses links on both engines:
// the token resolves only to its own link, another merchant cannot link a
// verification it does not own, bad input names its field, and the
// submission is audited with the link.
func TestLinks(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		a, _ := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000})
		var ps []kyc.Principal
		for _, name := range []string{"A", "B"} {
			c, err := a.Merchants.Create(ctx, name, "test")
			require.NoError(t, err)
			ps = append(ps, kyc.Principal{MerchantID: c.Merchant.ID, Actor: "test"})
		}
		ap, _, err := a.Applicants.Create(ctx, ps[0], kyc.SurfaceNative, applicant.Input{ExternalUserID: "u1"})
		require.NoError(t, err)
		v, err := a.Verifications.Create(ctx, ps[0], kyc.SurfaceNative, verification.CreateInput{ApplicantID: ap.ID, Reference: "order-1"})
		require.NoError(t, err)
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		svc := hostedlink.New(a.Store, "https://kyc.example.com/", false, func() time.Time { return now })

		for _, tc := range []struct {
			in    hostedlink.Input
			field string
		}{
			{hostedlink.Input{TTL: time.Minute}, "ttl_seconds"},
			{hostedlink.Input{TTL: 8 * 24 * time.Hour}, "ttl_seconds"},
			{hostedlink.Input{Locale: "de"}, "locale"},
			{hostedlink.Input{ReturnURL: "http://shop.example.com/done"}, "return_url"},
			{hostedlink.Input{ReturnURL: "javascript:alert(1)"}, "return_url"},
			{hostedlink.Input{ReturnURL: "https://user:pw@shop.example.com/"}, "return_url"},
		} {
			_, err := svc.Create(ctx, ps[0], v.ID, tc.in)
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe, "%+v", tc.in)
			require.Equal(t, tc.field, fe.Field, "%+v", tc.in)
		}
		_, err = svc.Create(ctx, ps[1], v.ID, hostedlink.Input{})
		require.ErrorIs(t, err, kyc.ErrNotFound, "another merchant's verification")
		_, err = svc.Create(ctx, ps[0], "ver_nonsense", hostedlink.Input{})
		require.ErrorIs(t, err, kyc.ErrNotFound)

		issued, err := svc.Create(ctx, ps[0], v.ID, hostedlink.Input{Locale: "zh-CN", ReturnURL: "https://shop.example.com/done"})
		require.NoError(t, err)
		require.Equal(t, now.Add(hostedlink.DefaultTTL), issued.ExpiresAt)
		u, err := url.Parse(issued.URL)
		require.NoError(t, err)
		require.Equal(t, "kyc.example.com", u.Host)
		token := strings.TrimPrefix(u.Path, "/verify/")
		require.Len(t, token, 43)

		l, err := svc.ByToken(ctx, token)
		require.NoError(t, err)
		require.Equal(t, issued.ID, l.ID)
		require.Equal(t, ps[0].MerchantID, l.MerchantID)
		require.Equal(t, v.ID, l.VerificationID)
		require.Equal(t, "zh-CN", l.Locale)
		prompts := strings.Split(l.Challenge, ",")
		require.Equal(t, "center", prompts[0])
		require.True(t, len(prompts) >= 3 && len(prompts) <= 5, l.Challenge)
		other := []byte(token)
		other[10] ^= 1 // a different token of the same length
		_, err = svc.ByToken(ctx, string(other))
		require.ErrorIs(t, err, kyc.ErrNotFound, "a token one character off")

		require.Nil(t, l.OpenedAt)
		hp := kyc.Principal{MerchantID: l.MerchantID, Actor: "hosted:" + l.ID}
		require.NoError(t, svc.MarkOpened(ctx, hp, l))
		require.NoError(t, svc.MarkOpened(ctx, hp, l)) // counted once
		l, err = svc.ByToken(ctx, token)
		require.NoError(t, err)
		require.Equal(t, now, *l.OpenedAt)

		require.NoError(t, svc.ChooseDocument(ctx, l.ID, "passport", "SGP"))
		require.NoError(t, svc.MarkSubmitted(ctx, hp, l))
		counts, err := a.Store.AnalyticsCounts(ctx, store.AnalyticsQuery{Merchants: []string{ps[0].MerchantID}, From: 0, To: store.Day(now) + 1,
			Prefixes: []string{"link."}, Totals: true})
		require.NoError(t, err)
		require.Equal(t, []store.DayCount{{Metric: analytics.MetricLinkCreated, N: 1}, {Metric: analytics.MetricLinkOpened, N: 1},
			{Metric: analytics.MetricLinkDone, N: 1}}, counts, "the funnel of links counts each step once")
		latest, err := a.Links.Latest(ctx, ps[0].MerchantID, v.ID)
		require.NoError(t, err)
		require.Equal(t, l.ID, latest.ID)
		require.Equal(t, "passport", latest.DocType)
		require.Equal(t, "SGP", latest.DocCountry)
		require.NotNil(t, latest.SubmittedAt)
		_, err = a.Links.Latest(ctx, ps[1].MerchantID, v.ID)
		require.ErrorIs(t, err, kyc.ErrNotFound, "another merchant's latest link")

		var actions []string
		require.NoError(t, a.Store.AuditEntries(ctx, ps[0].MerchantID, func(e kyc.AuditEntry) error {
			if strings.HasPrefix(e.Action, "hosted_link.") {
				actions = append(actions, e.Action)
				require.Equal(t, v.ID, e.SubjectID)
				require.Contains(t, string(e.Data), l.ID)
			}
			return nil
		}))
		require.Equal(t, []string{"hosted_link.create", "hosted_link.submit"}, actions)
	})
}

// TestTakesDocuments: a link can be issued while the user can still upload:
// a new verification or one rejected with a retry allowed.
func TestTakesDocuments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    kyc.Verification
		want bool
	}{
		{kyc.Verification{State: kyc.StateCreated}, true},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, RejectType: kyc.RejectRetry}, true},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionRejected, RejectType: kyc.RejectFinal}, false},
		{kyc.Verification{State: kyc.StateCompleted, Decision: kyc.DecisionApproved}, false},
		{kyc.Verification{State: kyc.StateReview}, false},
	} {
		require.Equal(t, tc.want, hostedlink.TakesDocuments(tc.v), "%+v", tc.v)
	}
}
