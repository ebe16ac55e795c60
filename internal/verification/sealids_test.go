package verification_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/store/storetest"
	"github.com/openkyc/openkyc/internal/verification"
)

// legacyDB is a service on a migrated database with the key ring and a raw
// connection, to write rows as the code before migration 00015 did.
type legacyDB struct {
	svc *verification.Service
	st  *store.Store
	kr  *crypto.Keyring
	raw *sql.DB
	ps  []kyc.Principal
}

func newLegacyDB(t *testing.T, db kyctest.DB) *legacyDB {
	t.Helper()
	ctx := context.Background()
	s := storetest.Open(t, db)
	kr := storetest.Keyring(t, s)
	u, err := blob.URLForDataDir(t.TempDir())
	require.NoError(t, err)
	bs, err := blob.Open(ctx, u, kr)
	require.NoError(t, err)
	l := &legacyDB{svc: verification.NewService(s, kr, bs, verification.Config{}), st: s, kr: kr}
	for _, name := range []string{"M", "M2"} {
		m, err := merchant.New(s, kr, nil).Create(ctx, name, "test")
		require.NoError(t, err)
		l.ps = append(l.ps, kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"})
	}
	if db.Name == "postgres" {
		l.raw, err = sql.Open("pgx", db.URL)
	} else {
		l.raw, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(db.URL, "sqlite:")+"?_pragma=busy_timeout(5000)")
	}
	require.NoError(t, err)
	t.Cleanup(func() { l.raw.Close() })
	return l
}

// insert writes an applicant as the code before migration 00015 did: the
// external id in clear, the PII alone in the sealed record, no hash.
func (l *legacyDB) insert(t *testing.T, p kyc.Principal, surface kyc.Surface, ext string, pii kyc.PII) string {
	t.Helper()
	id := kyc.NewID(kyc.PrefixApplicant)
	b, err := json.Marshal(pii)
	require.NoError(t, err)
	sealed, err := l.kr.Seal(b, []byte("applicant:"+id))
	require.NoError(t, err)
	at := time.Now().UnixMicro()
	_, err = l.raw.ExecContext(context.Background(),
		`INSERT INTO applicants (id, merchant_id, surface, external_user_id, pii, doc_number_hash, email_hash, phone_hash, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, '', '', '', $6, $6)`, id, p.MerchantID, string(surface), ext, sealed, at)
	require.NoError(t, err)
	return id
}

func (l *legacyDB) columns(t *testing.T, id string) (ext, hash string) {
	t.Helper()
	require.NoError(t, l.raw.QueryRowContext(context.Background(),
		`SELECT external_user_id, external_user_id_hash FROM applicants WHERE id = $1`, id).Scan(&ext, &hash))
	return ext, hash
}

func TestSealExternalIDsBackfill(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		l := newLegacyDB(t, db)
		p1, p2 := l.ps[0], l.ps[1]
		const mail = "legacy.user@example.org"
		pii := kyc.PII{FirstName: "Lena", LastName: "Oldrow", Email: mail}
		a1 := l.insert(t, p1, kyc.SurfaceKYCSharing, mail, pii)
		a2 := l.insert(t, p2, kyc.SurfaceKYCSharing, mail, pii) // the same e-mail at another merchant
		v1, err := l.svc.Create(ctx, p1, kyc.SurfaceKYCSharing, verification.CreateInput{ApplicantID: a1, Reference: "req-1"})
		require.NoError(t, err)
		// A row whose PII does not open stays as it is, counted.
		broken := kyc.NewID(kyc.PrefixApplicant)
		_, err = l.raw.ExecContext(ctx, `INSERT INTO applicants (id, merchant_id, surface, external_user_id, pii, doc_number_hash, email_hash, phone_hash, created_at, updated_at)
			VALUES ($1, $2, 'native', 'broken-1', $3, '', '', '', 1, 1)`, broken, p1.MerchantID, []byte("not sealed"))
		require.NoError(t, err)
		// A tombstone is left alone.
		tomb := kyc.NewID(kyc.PrefixApplicant)
		_, err = l.raw.ExecContext(ctx, `INSERT INTO applicants (id, merchant_id, surface, external_user_id, pii, doc_number_hash, email_hash, phone_hash, created_at, updated_at, deleted_at, erased_at)
			VALUES ($1, $2, 'native', $3, $4, '', '', '', 1, 1, 1, 1)`, tomb, p1.MerchantID, "erased:"+tomb, []byte{})
		require.NoError(t, err)
		// A row the new code updates before the backfill is sealed by the update.
		upd := l.insert(t, p1, kyc.SurfaceVexora, "+819012345678", kyc.PII{FirstName: "Taro"})
		last := "Updated"
		_, err = l.svc.Applicants().Update(ctx, p1, upd, applicant.Patch{LastName: &last})
		require.NoError(t, err)
		ext, hash := l.columns(t, upd)
		require.Equal(t, upd, ext)
		require.NotEmpty(t, hash)

		rep, err := l.svc.Applicants().SealExternalIDs(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, rep.Sealed)
		require.Equal(t, 1, rep.Failed)
		require.ErrorIs(t, rep.Err, crypto.ErrDecrypt)

		h1, h2 := "", ""
		for _, c := range []struct {
			id   string
			hash *string
		}{{a1, &h1}, {a2, &h2}} {
			ext, hash := l.columns(t, c.id)
			require.Equal(t, c.id, ext, "the clear column no longer holds the e-mail")
			require.Len(t, hash, 64)
			*c.hash = hash
		}
		require.NotEqual(t, h1, h2, "the hash is scoped by merchant: equal e-mails of two merchants do not correlate")
		if db.Name == "sqlite" {
			path := strings.TrimPrefix(db.URL, "sqlite:")
			for _, f := range []string{path, path + "-wal"} {
				b, err := os.ReadFile(f)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				require.NoError(t, err)
				require.False(t, bytes.Contains(b, []byte(mail)), "%s still holds the e-mail in clear", f)
			}
		}
		ext, hash = l.columns(t, broken)
		require.Equal(t, "broken-1", ext)
		require.Empty(t, hash)
		ext, hash = l.columns(t, tomb)
		require.Equal(t, "erased:"+tomb, ext)
		require.Empty(t, hash)

		// Lookups work on the sealed rows, within their merchant and surface.
		got, err := l.svc.Applicants().Find(ctx, p1, kyc.SurfaceKYCSharing, mail)
		require.NoError(t, err)
		require.Equal(t, a1, got.ID)
		require.Equal(t, mail, got.ExternalUserID, "decrypted from the sealed record")
		require.Equal(t, pii, got.PII)
		got, err = l.svc.Applicants().Find(ctx, p2, kyc.SurfaceKYCSharing, mail)
		require.NoError(t, err)
		require.Equal(t, a2, got.ID)
		_, err = l.svc.Applicants().Find(ctx, p1, kyc.SurfaceCardBinding, mail)
		require.ErrorIs(t, err, kyc.ErrNotFound)
		v, err := l.svc.LatestByExternalID(ctx, p1, kyc.SurfaceKYCSharing, mail)
		require.NoError(t, err)
		require.Equal(t, v1.ID, v.ID)
		_, err = l.svc.LatestByExternalID(ctx, p2, kyc.SurfaceKYCSharing, mail)
		require.ErrorIs(t, err, kyc.ErrNotFound)
		same, created, err := l.svc.Applicants().Create(ctx, p1, kyc.SurfaceKYCSharing, applicant.Input{ExternalUserID: mail, PII: pii})
		require.NoError(t, err)
		require.False(t, created, "the sealed row is the applicant of this e-mail")
		require.Equal(t, a1, same.ID)
		got, err = l.svc.Applicants().Find(ctx, p1, kyc.SurfaceVexora, "+819012345678")
		require.NoError(t, err)
		require.Equal(t, upd, got.ID)
		require.Equal(t, "Updated", got.PII.LastName)

		// Idempotent: a second run seals nothing more.
		rep, err = l.svc.Applicants().SealExternalIDs(ctx)
		require.NoError(t, err)
		require.Zero(t, rep.Sealed)
		require.Equal(t, 1, rep.Failed)

		// Replicas starting together seal each row once.
		var ids []string
		for i := range 7 {
			ids = append(ids, l.insert(t, p2, kyc.SurfaceNative, "user-"+string(rune('a'+i)), kyc.PII{FirstName: "N"}))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := l.svc.Applicants().SealExternalIDs(ctx)
				require.NoError(t, err)
				mu.Lock()
				total += rep.Sealed
				mu.Unlock()
			}()
		}
		wg.Wait()
		require.Equal(t, len(ids), total)
		for i, id := range ids {
			got, err := l.svc.Applicants().Find(ctx, p2, kyc.SurfaceNative, "user-"+string(rune('a'+i)))
			require.NoError(t, err)
			require.Equal(t, id, got.ID)
		}
	})
}
