package applicant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store/storetest"
)

// TestBlocklist: entries are matched after normalisation, listed decrypted
// to their merchant only, refused with the field named when malformed,
// removed, and every change is audited.
func TestBlocklist(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		s := storetest.Open(t, db)
		kr := storetest.Keyring(t, s)
		var ps []kyc.Principal
		for _, id := range storetest.Merchants(t, s, "B1", "B2") {
			ps = append(ps, kyc.Principal{MerchantID: id, Actor: "test"})
		}
		svc := applicant.New(s, kr, nil, applicant.Config{})

		e, err := svc.Blocklist().Add(ctx, ps[0], "email", "Fraud.Ster@Example.com", "chargebacks")
		require.NoError(t, err)
		_, err = svc.Blocklist().Add(ctx, ps[0], "document_number", "x 123-456 y", "")
		require.NoError(t, err)
		for _, tc := range []struct{ kind, value, want string }{
			{"email", "fraud.ster@example.com", "yes"},
			{"email", "someone@example.com", "no"},
			{"document_number", "X123456Y", "yes"},
			{"phone", "not a phone", "no"},
		} {
			hit, err := svc.Blocklist().Has(ctx, ps[0].MerchantID, tc.kind, tc.value)
			require.NoError(t, err)
			require.Equal(t, tc.want == "yes", hit, "%s %s", tc.kind, tc.value)
		}
		hit, err := svc.Blocklist().Has(ctx, ps[1].MerchantID, "email", "fraud.ster@example.com")
		require.NoError(t, err)
		require.False(t, hit, "another merchant's list")

		es, err := svc.Blocklist().Entries(ctx, ps[0])
		require.NoError(t, err)
		require.Len(t, es, 2)
		require.Contains(t, []string{es[0].Value, es[1].Value}, "Fraud.Ster@Example.com", "listed as entered, decrypted")
		es, err = svc.Blocklist().Entries(ctx, ps[1])
		require.NoError(t, err)
		require.Empty(t, es)

		for _, tc := range []struct{ kind, value, note, field string }{
			{"iban", "DE00", "", "kind"},
			{"email", "not-an-email", "", "value"},
			{"phone", "12", "", "value"},
			{"name", strings.Repeat("a", 201), "", "value"},
			{"name", "Li Wei", strings.Repeat("n", 501), "note"},
		} {
			_, err := svc.Blocklist().Add(ctx, ps[0], tc.kind, tc.value, tc.note)
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe, "%+v", tc)
			require.Equal(t, tc.field, fe.Field, "%+v", tc)
		}

		require.ErrorIs(t, svc.Blocklist().Remove(ctx, ps[1], e.ID), kyc.ErrNotFound, "another merchant's entry")
		require.NoError(t, svc.Blocklist().Remove(ctx, ps[0], e.ID))
		hit, err = svc.Blocklist().Has(ctx, ps[0].MerchantID, "email", "fraud.ster@example.com")
		require.NoError(t, err)
		require.False(t, hit, "removed")

		var actions []string
		require.NoError(t, s.AuditEntries(ctx, ps[0].MerchantID, func(en kyc.AuditEntry) error {
			actions = append(actions, en.Action)
			require.NotContains(t, string(en.Data), "xample", "no blocked value in the audit trail")
			return nil
		}))
		require.Equal(t, []string{"blocklist.add", "blocklist.add", "blocklist.remove"}, actions)
	})
}
