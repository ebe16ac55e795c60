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
	"github.com/openkyc/openkyc/internal/store/storetest"
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
		s := storetest.Open(t, db)
		ms := storetest.Merchants(t, s, "S1", "S2")
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

// TestSessions: a session resolves by its token until its idle timeout or
// its absolute lifetime ends or its account is disabled; signing out ends
// it; a password change keeps the current session and ends the others, and
// refuses a password of the wrong length naming the field.
func TestSessions(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		s := storetest.Open(t, db)
		svc := staff.New(s)
		const pw = "a long enough password"
		a, err := svc.Create(ctx, "admin@example.com", staff.RoleAdmin, pw, nil)
		require.NoError(t, err)
		t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		const idle, maxAge = 30 * time.Minute, 12 * time.Hour

		tok, err := svc.StartSession(ctx, a, t0, maxAge)
		require.NoError(t, err)
		require.Len(t, tok, 43)
		ses, err := svc.ResolveSession(ctx, tok, t0.Add(time.Minute), idle)
		require.NoError(t, err)
		require.Equal(t, a.ID, ses.Account.ID)
		require.Equal(t, staff.TokenHash(tok), ses.TokenHash)
		require.Len(t, ses.CSRFToken, 43)
		require.NotEqual(t, tok, ses.CSRFToken)
		for _, bad := range []string{"", "short", strings.Repeat("A", 43)} {
			_, err = svc.ResolveSession(ctx, bad, t0, idle)
			require.ErrorIs(t, err, staff.ErrNoSession, bad)
		}
		// used every 20 minutes it lasts until its absolute end
		at := t0
		for at.Add(20 * time.Minute).Before(t0.Add(maxAge)) {
			at = at.Add(20 * time.Minute)
			_, err = svc.ResolveSession(ctx, tok, at, idle)
			require.NoError(t, err, "%s", at.Sub(t0))
		}
		_, err = svc.ResolveSession(ctx, tok, t0.Add(maxAge), idle)
		require.ErrorIs(t, err, staff.ErrNoSession, "past its absolute lifetime")
		_, err = svc.ResolveSession(ctx, tok, t0.Add(time.Minute), idle)
		require.ErrorIs(t, err, staff.ErrNoSession, "an ended session is deleted")

		idleTok, err := svc.StartSession(ctx, a, t0, maxAge)
		require.NoError(t, err)
		_, err = svc.ResolveSession(ctx, idleTok, t0.Add(idle), idle)
		require.ErrorIs(t, err, staff.ErrNoSession, "idle")

		cur, err := svc.StartSession(ctx, a, t0, maxAge)
		require.NoError(t, err)
		other, err := svc.StartSession(ctx, a, t0, maxAge)
		require.NoError(t, err)
		err = svc.ChangePassword(ctx, a.ID, "short", staff.TokenHash(cur), t0)
		var fe *kyc.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "new", fe.Field)
		_, err = svc.ResolveSession(ctx, other, t0, idle)
		require.NoError(t, err, "a refused change ends nothing")
		require.NoError(t, svc.ChangePassword(ctx, a.ID, "another long password", staff.TokenHash(cur), t0))
		_, err = svc.ResolveSession(ctx, cur, t0, idle)
		require.NoError(t, err, "the session that changed it stays")
		_, err = svc.ResolveSession(ctx, other, t0, idle)
		require.ErrorIs(t, err, staff.ErrNoSession, "the others end")
		_, err = svc.Authenticate(ctx, a.Email, "another long password")
		require.NoError(t, err)

		require.NoError(t, svc.EndSession(ctx, staff.TokenHash(cur)))
		_, err = svc.ResolveSession(ctx, cur, t0, idle)
		require.ErrorIs(t, err, staff.ErrNoSession, "signed out")

		last, err := svc.StartSession(ctx, a, t0, maxAge)
		require.NoError(t, err)
		off := true
		_, err = svc.Update(ctx, a.Email, staff.Change{Disabled: &off})
		require.NoError(t, err)
		_, err = svc.ResolveSession(ctx, last, t0, idle)
		require.ErrorIs(t, err, staff.ErrNoSession, "disabling an account ends its sessions")
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
