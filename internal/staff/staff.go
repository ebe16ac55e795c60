// Package staff holds the review console's accounts: compliance staff,
// separate from merchants' API keys, with argon2id password hashes and a
// role (admin, reviewer, auditor). Reviewers and auditors see only the
// merchants they are assigned; admins see every merchant.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Roles.
const (
	RoleAdmin    = "admin"    // every merchant; settings
	RoleReviewer = "reviewer" // decides cases of assigned merchants
	RoleAuditor  = "auditor"  // reads cases of assigned merchants
)

// Password limits.
const (
	MinPassword = 12
	MaxPassword = 256
)

// argon2id parameters (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// Account is a staff account without its hash.
type Account struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Merchants []string  `json:"merchants"`
	Status    string    `json:"status"` // active or disabled
	CreatedAt time.Time `json:"created_at"`
}

// CanSee reports whether the account may see a merchant's cases.
func (a Account) CanSee(merchantID string) bool {
	return a.Role == RoleAdmin || slices.Contains(a.Merchants, merchantID)
}

// Service manages accounts.
type Service struct {
	store *store.Store
	now   func() time.Time
	dummy string // a hash to verify against for unknown e-mails (same cost)
}

// New returns the service.
func New(s *store.Store) *Service {
	return &Service{store: s, now: time.Now, dummy: Hash("dummy password that matches no account")}
}

// Hash is the PHC string of an argon2id hash of the password.
func Hash(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify compares a password with a PHC argon2id string in constant time.
func Verify(password, phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<22 || t == 0 || t > 10 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func normEmail(e string) (string, error) {
	e = strings.ToLower(strings.TrimSpace(e))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		return "", kyc.Invalid("email", "format", "must be an e-mail address")
	}
	return e, nil
}

// Create adds an account. Reviewers and auditors need at least one
// merchant; every merchant must exist.
func (s *Service) Create(ctx context.Context, email, role, password string, merchants []string) (Account, error) {
	email, err := normEmail(email)
	if err != nil {
		return Account{}, err
	}
	switch role {
	case RoleAdmin, RoleReviewer, RoleAuditor:
	default:
		return Account{}, kyc.Invalid("role", "enum", "must be admin, reviewer or auditor")
	}
	if n := utf8.RuneCountInString(password); n < MinPassword || n > MaxPassword || !utf8.ValidString(password) {
		return Account{}, kyc.Invalid("password", "length", "must be %d to %d characters", MinPassword, MaxPassword)
	}
	if merchants, err = s.checkMerchants(ctx, role, merchants); err != nil {
		return Account{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	st := store.Staff{ID: kyc.NewID("stf_"), Email: email, Role: role, PasswordHash: Hash(password), Status: "active",
		Merchants: merchants, CreatedAt: now, UpdatedAt: now}
	if err := s.store.InTx(ctx, func(tx *store.Tx) error { return tx.InsertStaff(ctx, st) }); err != nil {
		return Account{}, err
	}
	return account(st), nil
}

// checkMerchants validates the merchants of a role: reviewers and auditors
// need at least one, every one must exist; admins have none (they see all).
func (s *Service) checkMerchants(ctx context.Context, role string, merchants []string) ([]string, error) {
	if role == RoleAdmin {
		return nil, nil
	}
	if len(merchants) == 0 {
		return nil, kyc.Invalid("merchants", "required", "a %s needs at least one merchant (--merchant)", role)
	}
	merchants = slices.Clone(merchants)
	slices.Sort(merchants)
	merchants = slices.Compact(merchants)
	for _, m := range merchants {
		if _, err := s.store.MerchantByID(ctx, m); err != nil {
			if kyc.IsNotFound(err) {
				return nil, kyc.Invalid("merchants", "not_found", "merchant %s does not exist", m)
			}
			return nil, err
		}
	}
	return merchants, nil
}

// Change is an account change; nil fields stay.
type Change struct {
	Role      *string
	Merchants []string // nil: unchanged
	Disabled  *bool
}

// Update changes an account's role, merchants or status. Disabling ends its
// sessions at once; a new role or merchant list applies to its next request.
func (s *Service) Update(ctx context.Context, email string, c Change) (Account, error) {
	e, err := normEmail(email)
	if err != nil {
		return Account{}, err
	}
	st, err := s.store.StaffByEmail(ctx, e)
	if err != nil {
		return Account{}, err
	}
	if c.Role != nil {
		switch *c.Role {
		case RoleAdmin, RoleReviewer, RoleAuditor:
		default:
			return Account{}, kyc.Invalid("role", "enum", "must be admin, reviewer or auditor")
		}
		st.Role = *c.Role
	}
	merchants := st.Merchants
	if c.Merchants != nil {
		merchants = c.Merchants
	}
	if st.Merchants, err = s.checkMerchants(ctx, st.Role, merchants); err != nil {
		return Account{}, err
	}
	if c.Disabled != nil {
		st.Status = "active"
		if *c.Disabled {
			st.Status = "disabled"
		}
	}
	st.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	if err := s.store.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateStaff(ctx, st) }); err != nil {
		return Account{}, err
	}
	return account(st), nil
}

func account(s store.Staff) Account {
	m := s.Merchants
	if m == nil {
		m = []string{}
	}
	return Account{ID: s.ID, Email: s.Email, Role: s.Role, Merchants: m, Status: s.Status, CreatedAt: s.CreatedAt}
}

// ErrBadLogin is the one answer to a wrong e-mail or password.
var ErrBadLogin = errors.New("wrong e-mail or password")

// Authenticate checks a login. An unknown e-mail costs the same hash as a
// known one, so timing does not tell which accounts exist.
func (s *Service) Authenticate(ctx context.Context, email, password string) (Account, error) {
	e, err := normEmail(email)
	if err != nil {
		Verify(password, s.dummy)
		return Account{}, ErrBadLogin
	}
	st, err := s.store.StaffByEmail(ctx, e)
	if kyc.IsNotFound(err) {
		Verify(password, s.dummy)
		return Account{}, ErrBadLogin
	}
	if err != nil {
		return Account{}, err
	}
	if !Verify(password, st.PasswordHash) || st.Status != "active" {
		return Account{}, ErrBadLogin
	}
	return account(st), nil
}

// List returns every account.
func (s *Service) List(ctx context.Context) ([]Account, error) {
	sts, err := s.store.StaffList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(sts))
	for _, st := range sts {
		out = append(out, account(st))
	}
	return out, nil
}
