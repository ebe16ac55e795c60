package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Session is a signed-in console session: the account as it is now, the
// token's hash (the only form stored) and the session's CSRF token.
type Session struct {
	Account   Account
	TokenHash string
	CSRFToken string
}

// ErrNoSession is a missing, unknown, idle or expired session, or one of a
// disabled account.
var ErrNoSession = errors.New("no session")

// SessionToken returns a new secret session token (256 random bits).
func SessionToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is how a session token is stored.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// StartSession stores a new session of a, valid until now+maxAge, and
// returns its token (shown to the browser only, in a cookie).
func (s *Service) StartSession(ctx context.Context, a Account, now time.Time, maxAge time.Duration) (string, error) {
	token := SessionToken()
	row := store.StaffSession{TokenHash: TokenHash(token), StaffID: a.ID, CSRFToken: SessionToken(), CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(maxAge)}
	if err := s.store.InTx(ctx, func(tx *store.Tx) error { return tx.InsertStaffSession(ctx, row) }); err != nil {
		return "", err
	}
	return token, nil
}

// ResolveSession finds the session of a token: it must exist, be within its
// absolute lifetime, have been used within idle, and its account be active
// (else ErrNoSession, and an ended session is deleted). Activity is recorded
// at most once a minute.
func (s *Service) ResolveSession(ctx context.Context, token string, now time.Time, idle time.Duration) (Session, error) {
	if len(token) != 43 {
		return Session{}, ErrNoSession
	}
	hash := TokenHash(token)
	row, st, err := s.store.StaffSessionByHash(ctx, hash)
	if kyc.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if !now.Before(row.ExpiresAt) || now.Sub(row.LastSeenAt) >= idle || st.Status != "active" {
		_ = s.store.DeleteStaffSession(ctx, hash)
		return Session{}, ErrNoSession
	}
	if now.Sub(row.LastSeenAt) >= time.Minute {
		if err := s.store.TouchStaffSession(ctx, hash, now); err != nil {
			return Session{}, err
		}
	}
	return Session{Account: Account{ID: st.ID, Email: st.Email, Role: st.Role, Merchants: st.Merchants, CreatedAt: st.CreatedAt},
		TokenHash: hash, CSRFToken: row.CSRFToken}, nil
}

// EndSession deletes a session (signing out).
func (s *Service) EndSession(ctx context.Context, tokenHash string) error {
	return s.store.DeleteStaffSession(ctx, tokenHash)
}

// ChangePassword sets an account's password (MinPassword to MaxPassword
// characters) and ends its sessions other than keepTokenHash, in one
// transaction. The caller checks the current password (Authenticate).
func (s *Service) ChangePassword(ctx context.Context, staffID, password, keepTokenHash string, now time.Time) error {
	if n := utf8.RuneCountInString(password); n < MinPassword || n > MaxPassword || !utf8.ValidString(password) {
		return kyc.Invalid("new", "length", "must be %d to %d characters", MinPassword, MaxPassword)
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		return tx.SetStaffPassword(ctx, staffID, Hash(password), keepTokenHash, now)
	})
}
