package staff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/store"
)

func TestHashVerify(t *testing.T) {
	t.Parallel()
	h := staff.Hash("correct horse battery staple")
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	require.True(t, staff.Verify("correct horse battery staple", h))
	require.False(t, staff.Verify("correct horse battery stapl", h))
	require.NotEqual(t, h, staff.Hash("correct horse battery staple"), "salted")
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		require.False(t, staff.Verify("x", bad), bad)
	}
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		s, err := store.Open(ctx, store.Config{URL: db.URL})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		_, err = s.Migrate(ctx)
		require.NoError(t, err)
		var ms []string
		for _, no := range []string{"S1", "S2"} {
			m := kyc.Merchant{ID: kyc.NewID(kyc.PrefixMerchant), MerchantNo: no, Name: no, Status: kyc.MerchantActive, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMerchant(ctx, m) }))
			ms = append(ms, m.ID)
		}
		svc := staff.New(s)
		const pw = "a long enough password"

		admin, err := svc.Create(ctx, " Admin@Example.com ", staff.RoleAdmin, pw, nil)
		require.NoError(t, err)
		require.Equal(t, "admin@example.com", admin.Email)
		require.True(t, admin.CanSee(ms[0]) && admin.CanSee(ms[1]))
		rev, err := svc.Create(ctx, "rev@example.com", staff.RoleReviewer, pw, []string{ms[0], ms[0]})
		require.NoError(t, err)
		require.Equal(t, []string{ms[0]}, rev.Merchants)
		require.True(t, rev.CanSee(ms[0]))
		require.False(t, rev.CanSee(ms[1]), "a reviewer sees only assigned merchants")

		for _, c := range []struct {
			email, role, pw string
			merchants       []string
			field           string
		}{
			{"not-an-email", staff.RoleAdmin, pw, nil, "email"},
			{"x@example.com", "boss", pw, nil, "role"},
			{"x@example.com", staff.RoleAdmin, "short", nil, "password"},
			{"x@example.com", staff.RoleAuditor, pw, nil, "merchants"},
			{"x@example.com", staff.RoleAuditor, pw, []string{"mer_nope"}, "merchants"},
		} {
			_, err := svc.Create(ctx, c.email, c.role, c.pw, c.merchants)
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe, c)
			require.Equal(t, c.field, fe.Field)
		}
		_, err = svc.Create(ctx, "REV@example.com", staff.RoleAuditor, pw, []string{ms[1]})
		require.ErrorIs(t, err, kyc.ErrConflict, "e-mails are unique, case-insensitively")

		got, err := svc.Authenticate(ctx, "rev@EXAMPLE.com", pw)
		require.NoError(t, err)
		require.Equal(t, rev.ID, got.ID)
		_, err = svc.Authenticate(ctx, "rev@example.com", pw+"!")
		require.ErrorIs(t, err, staff.ErrBadLogin)
		_, err = svc.Authenticate(ctx, "nobody@example.com", pw)
		require.ErrorIs(t, err, staff.ErrBadLogin, "the same answer for an unknown e-mail")
		_, err = svc.Authenticate(ctx, "garbage", pw)
		require.ErrorIs(t, err, staff.ErrBadLogin)

		all, err := svc.List(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, "admin@example.com", all[0].Email)
	})
}

// BenchmarkVerify is the cost of one sign-in's password check (argon2id,
// 19 MiB, 2 passes), the same for unknown e-mails.
func BenchmarkVerify(b *testing.B) {
	h := staff.Hash("correct horse battery staple")
	for b.Loop() {
		if !staff.Verify("correct horse battery staple", h) {
			b.Fatal("no match")
		}
	}
}
