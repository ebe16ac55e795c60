package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// The conformance suite: every case runs on SQLite and, when
// OPENKYC_TEST_POSTGRES_URL is set, on PostgreSQL, against the same SQL.

func open(t testing.TB, db kyctest.DB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{URL: db.URL})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	n, err := s.Migrate(ctx)
	require.NoError(t, err)
	require.Positive(t, n)
	return s
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func merchant(t *testing.T, s *store.Store, no string) kyc.Merchant {
	t.Helper()
	m := kyc.Merchant{ID: kyc.NewID(kyc.PrefixMerchant), MerchantNo: no, Name: "Shop " + no, Status: kyc.MerchantActive, CreatedAt: now(), UpdatedAt: now()}
	require.NoError(t, s.InTx(context.Background(), func(tx *store.Tx) error { return tx.InsertMerchant(context.Background(), m) }))
	return m
}

func applicant(t *testing.T, s *store.Store, m kyc.Merchant, ext string) kyc.Applicant {
	t.Helper()
	a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), MerchantID: m.ID, Surface: kyc.SurfaceNative, ExternalIDHash: "xh-" + ext,
		EmailHash: "eh-" + ext, CreatedAt: now(), UpdatedAt: now()}
	require.NoError(t, s.InTx(context.Background(), func(tx *store.Tx) error {
		return tx.InsertApplicant(context.Background(), a, []byte("sealed"))
	}))
	return a
}

func verification(t *testing.T, s *store.Store, a kyc.Applicant, ref string) kyc.Verification {
	t.Helper()
	v := kyc.Verification{ID: kyc.NewID(kyc.PrefixVerification), MerchantID: a.MerchantID, ApplicantID: a.ID, Surface: kyc.SurfaceNative,
		Reference: ref, Level: "basic", State: kyc.StateCreated, Version: 1, CreatedAt: now(), UpdatedAt: now()}
	require.NoError(t, s.InTx(context.Background(), func(tx *store.Tx) error { return tx.InsertVerification(context.Background(), v) }))
	return v
}

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		s := open(t, db)
		ctx := context.Background()

		t.Run("migrations are current and re-running is a no-op", func(t *testing.T) {
			ok, err := s.MigrationsCurrent(ctx)
			require.NoError(t, err)
			require.True(t, ok)
			n, err := s.Migrate(ctx)
			require.NoError(t, err)
			require.Zero(t, n)
			require.NoError(t, s.Ping(ctx))
		})

		t.Run("merchants", func(t *testing.T) {
			m := merchant(t, s, "M-"+db.Name+"-1")
			got, err := s.MerchantByID(ctx, m.ID)
			require.NoError(t, err)
			require.Equal(t, m, got)
			dup := m
			dup.ID = kyc.NewID(kyc.PrefixMerchant)
			err = s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMerchant(ctx, dup) })
			require.ErrorIs(t, err, kyc.ErrConflict)
			_, err = s.MerchantByID(ctx, dup.ID)
			require.ErrorIs(t, err, kyc.ErrNotFound)
			all, err := s.Merchants(ctx)
			require.NoError(t, err)
			require.Contains(t, all, m)
		})

		t.Run("credentials", func(t *testing.T) {
			m := merchant(t, s, "M-cred")
			c := kyc.Credential{ID: kyc.NewID(kyc.PrefixCredential), MerchantID: m.ID, Kind: kyc.CredentialAPIKey, Lookup: "hash-1", Hint: "abcd", CreatedAt: now()}
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertCredential(ctx, c) }))
			gotC, gotM, err := s.CredentialByLookup(ctx, kyc.CredentialAPIKey, "hash-1", now())
			require.NoError(t, err)
			require.Equal(t, c, gotC)
			require.Equal(t, m, gotM)
			_, _, err = s.CredentialByLookup(ctx, kyc.CredentialAPIKey, "hash-2", now())
			require.ErrorIs(t, err, kyc.ErrNotFound)
			_, _, err = s.CredentialByLookup(ctx, "other_kind", "hash-1", now())
			require.ErrorIs(t, err, kyc.ErrNotFound)

			// Rotation: the old key ends after the overlap, the new one works.
			c2 := kyc.Credential{ID: kyc.NewID(kyc.PrefixCredential), MerchantID: m.ID, Kind: kyc.CredentialAPIKey, Lookup: "hash-3", Hint: "efgh", CreatedAt: now()}
			end := now().Add(time.Hour)
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.InsertCredential(ctx, c2); err != nil {
					return err
				}
				n, err := tx.ExpireCredentials(ctx, m.ID, kyc.CredentialAPIKey, c2.ID, end)
				require.EqualValues(t, 1, n)
				return err
			}))
			_, _, err = s.CredentialByLookup(ctx, kyc.CredentialAPIKey, "hash-1", end.Add(-time.Second))
			require.NoError(t, err, "within the overlap")
			_, _, err = s.CredentialByLookup(ctx, kyc.CredentialAPIKey, "hash-1", end)
			require.ErrorIs(t, err, kyc.ErrNotFound, "after the overlap")
			_, _, err = s.CredentialByLookup(ctx, kyc.CredentialAPIKey, "hash-3", end.Add(time.Hour))
			require.NoError(t, err)
		})

		t.Run("applicants are unique per merchant and surface and isolated", func(t *testing.T) {
			m1, m2 := merchant(t, s, "M-apl-1"), merchant(t, s, "M-apl-2")
			a := applicant(t, s, m1, "user-1")
			got, sealed, err := s.ApplicantByID(ctx, m1.ID, a.ID)
			require.NoError(t, err)
			require.Equal(t, a, got)
			require.Equal(t, []byte("sealed"), sealed)

			err = s.InTx(ctx, func(tx *store.Tx) error {
				dup := a
				dup.ID = kyc.NewID(kyc.PrefixApplicant)
				return tx.InsertApplicant(ctx, dup, []byte("x"))
			})
			var ce *kyc.ConflictError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "applicant_exists", ce.Code)

			applicant(t, s, m2, "user-1") // same key, other merchant: fine
			other := a
			other.ID, other.Surface = kyc.NewID(kyc.PrefixApplicant), kyc.SurfaceVexora
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertApplicant(ctx, other, []byte("x")) }))

			_, _, err = s.ApplicantByID(ctx, m2.ID, a.ID)
			require.ErrorIs(t, err, kyc.ErrNotFound, "another merchant's applicant is not found")
			byExt, _, err := s.ApplicantByExternalID(ctx, m1.ID, kyc.SurfaceNative, "xh-user-1")
			require.NoError(t, err)
			require.Equal(t, a.ID, byExt.ID)

			a.EmailHash, a.UpdatedAt = "eh-new", now()
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateApplicant(ctx, a, []byte("sealed2")) }))
			err = s.InTx(ctx, func(tx *store.Tx) error {
				x := a
				x.MerchantID = m2.ID
				return tx.UpdateApplicant(ctx, x, []byte("hijack"))
			})
			require.ErrorIs(t, err, kyc.ErrNotFound, "cannot update another merchant's applicant")
			got, sealed, err = s.ApplicantByID(ctx, m1.ID, a.ID)
			require.NoError(t, err)
			require.Equal(t, "eh-new", got.EmailHash)
			require.Equal(t, []byte("sealed2"), sealed)

			b := applicant(t, s, m1, "user-2")
			b.EmailHash = "eh-new"
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateApplicant(ctx, b, []byte("s")) }))
			ids, err := s.ApplicantIDsByHash(ctx, m1.ID, store.HashEmail, "eh-new", a.ID)
			require.NoError(t, err)
			require.Equal(t, []string{b.ID}, ids)
			ids, err = s.ApplicantIDsByHash(ctx, m2.ID, store.HashEmail, "eh-new", "")
			require.NoError(t, err)
			require.Empty(t, ids, "duplicate search never crosses merchants")
			_, err = s.ApplicantIDsByHash(ctx, m1.ID, "name; DROP TABLE applicants", "x", "")
			require.Error(t, err)
		})

		t.Run("external ids are kept as a keyed hash, unique per merchant and surface, looked up within the merchant", func(t *testing.T) {
			m1, m2 := merchant(t, s, "M-ext-1"), merchant(t, s, "M-ext-2")
			a1 := applicant(t, s, m1, "mail") // hash "xh-mail"
			a2 := applicant(t, s, m2, "mail") // the same hash in another merchant: another applicant
			require.NotEqual(t, a1.ID, a2.ID)
			for _, c := range []struct {
				m    kyc.Merchant
				want string
			}{{m1, a1.ID}, {m2, a2.ID}} {
				got, _, err := s.ApplicantByExternalID(ctx, c.m.ID, kyc.SurfaceNative, "xh-mail")
				require.NoError(t, err)
				require.Equal(t, c.want, got.ID, "each merchant finds its own applicant only")
				require.Equal(t, "xh-mail", got.ExternalIDHash)
				require.Empty(t, got.ExternalUserID, "the store holds no external id in clear")
			}
			for _, miss := range []struct {
				name    string
				m       kyc.Merchant
				surface kyc.Surface
				hash    string
			}{
				{"other surface", m1, kyc.SurfaceKYCSharing, "xh-mail"},
				{"unknown hash", m1, kyc.SurfaceNative, "xh-other"},
				{"empty hash", m1, kyc.SurfaceNative, ""},
				{"unknown merchant", kyc.Merchant{ID: "mer_nobody"}, kyc.SurfaceNative, "xh-mail"},
			} {
				_, _, err := s.ApplicantByExternalID(ctx, miss.m.ID, miss.surface, miss.hash)
				require.ErrorIs(t, err, kyc.ErrNotFound, miss.name)
			}

			// The hash is unique per (merchant, surface); the same hash on another surface is another applicant.
			err := s.InTx(ctx, func(tx *store.Tx) error {
				dup := a1
				dup.ID = kyc.NewID(kyc.PrefixApplicant)
				return tx.InsertApplicant(ctx, dup, []byte("x"))
			})
			var ce *kyc.ConflictError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "applicant_exists", ce.Code)
			ks := a1
			ks.ID, ks.Surface = kyc.NewID(kyc.PrefixApplicant), kyc.SurfaceKYCSharing
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertApplicant(ctx, ks, []byte("x")) }))
			noHash := a1
			noHash.ID, noHash.ExternalIDHash = kyc.NewID(kyc.PrefixApplicant), ""
			require.Error(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertApplicant(ctx, noHash, []byte("x")) }),
				"an applicant without the hash of its external id is refused")

			// The newest verification by the hash, within the merchant only.
			v1 := verification(t, s, a1, "ext-ref-1")
			got, err := s.LatestVerificationByExternalID(ctx, m1.ID, kyc.SurfaceNative, "xh-mail")
			require.NoError(t, err)
			require.Equal(t, v1.ID, got.ID)
			_, err = s.LatestVerificationByExternalID(ctx, m2.ID, kyc.SurfaceNative, "xh-mail")
			require.ErrorIs(t, err, kyc.ErrNotFound, "merchant 2's applicant has no verification; merchant 1's is not found")
			_, err = s.LatestVerificationByExternalID(ctx, m1.ID, kyc.SurfaceNative, "")
			require.ErrorIs(t, err, kyc.ErrNotFound)

			// A purge clears the hash: the merchant may use the key again.
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error {
				_, ok, err := tx.EraseApplicant(ctx, m2.ID, a2.ID, now())
				require.True(t, ok)
				return err
			}))
			erased, _, err := s.ApplicantByID(ctx, m2.ID, a2.ID)
			require.NoError(t, err)
			require.Empty(t, erased.ExternalIDHash)
			require.Equal(t, "erased:"+a2.ID, erased.ExternalUserID)
			_, _, err = s.ApplicantByExternalID(ctx, m2.ID, kyc.SurfaceNative, "xh-mail")
			require.ErrorIs(t, err, kyc.ErrNotFound)
			again := applicant(t, s, m2, "mail")
			require.NotEqual(t, a2.ID, again.ID)
			unsealed, err := s.UnsealedApplicants(ctx, "", 1000)
			require.NoError(t, err)
			require.Empty(t, unsealed, "tombstones and applicants written with their hash are not waiting to be sealed")
		})

		t.Run("verifications", func(t *testing.T) {
			m1, m2 := merchant(t, s, "M-ver-1"), merchant(t, s, "M-ver-2")
			a := applicant(t, s, m1, "u")
			v := verification(t, s, a, "ref-1")
			got, err := s.VerificationByID(ctx, m1.ID, v.ID)
			require.NoError(t, err)
			v.Reasons = []string{}
			require.Equal(t, v, got)
			_, err = s.VerificationByID(ctx, m2.ID, v.ID)
			require.ErrorIs(t, err, kyc.ErrNotFound)

			err = s.InTx(ctx, func(tx *store.Tx) error {
				dup := v
				dup.ID = kyc.NewID(kyc.PrefixVerification)
				return tx.InsertVerification(ctx, dup)
			})
			var ce *kyc.ConflictError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "reference_exists", ce.Code)
			byRef, err := s.VerificationByReference(ctx, m1.ID, kyc.SurfaceNative, "ref-1")
			require.NoError(t, err)
			require.Equal(t, v.ID, byRef.ID)

			next := v
			next.State, next.Decision, next.RejectType, next.Reasons, next.Version = kyc.StateCompleted, kyc.DecisionRejected, kyc.RejectRetry, []string{"DOC_EXPIRED"}, 2
			next.DecidedBy, next.UpdatedAt = "policy:1", now()
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateVerification(ctx, next, 1) }))
			err = s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateVerification(ctx, next, 1) })
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "concurrent_update", ce.Code)
			got, err = s.VerificationByID(ctx, m1.ID, v.ID)
			require.NoError(t, err)
			require.Equal(t, next, got)
		})

		t.Run("verification list pages newest first and filters by state", func(t *testing.T) {
			m := merchant(t, s, "M-list")
			a := applicant(t, s, m, "u")
			var ids []string
			for i := range 7 {
				v := verification(t, s, a, fmt.Sprintf("r%d", i))
				ids = append([]string{v.ID}, ids...)
				time.Sleep(2 * time.Millisecond) // ids sort by millisecond
			}
			var seen []string
			cursor := ""
			for {
				page, err := s.ListVerifications(ctx, store.VerificationFilter{MerchantID: m.ID, Before: cursor, Limit: 3})
				require.NoError(t, err)
				for _, v := range page {
					seen = append(seen, v.ID)
				}
				if len(page) < 3 {
					break
				}
				cursor = page[len(page)-1].ID
			}
			require.Equal(t, ids, seen)
			page, err := s.ListVerifications(ctx, store.VerificationFilter{MerchantID: m.ID, State: kyc.StateReview, Limit: 10})
			require.NoError(t, err)
			require.Empty(t, page)
			page, err = s.ListVerifications(ctx, store.VerificationFilter{MerchantID: m.ID, State: kyc.StateCreated, Limit: 100})
			require.NoError(t, err)
			require.Len(t, page, 7)
		})

		t.Run("documents checks decisions events", func(t *testing.T) {
			m, m2 := merchant(t, s, "M-doc"), merchant(t, s, "M-doc-2")
			a := applicant(t, s, m, "u")
			v := verification(t, s, a, "r")
			d := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), MerchantID: m.ID, ApplicantID: a.ID, Kind: kyc.DocIDFront, ContentType: "image/jpeg",
				Size: 10, SHA256: "ab", BlobKey: "k", KeyID: "dk", Width: 4, Height: 3, CreatedAt: now()}
			c := kyc.Check{ID: kyc.NewID(kyc.PrefixCheck), MerchantID: m.ID, VerificationID: v.ID, Kind: "document.integrity", Status: kyc.CheckPassed,
				Score: 0.5, Evidence: []byte(`{"a":1}`), EngineVersion: "1", CreatedAt: now()}
			e := kyc.Event{ID: kyc.NewID(kyc.PrefixEvent), MerchantID: m.ID, Type: "verification.submitted", SubjectID: v.ID, Payload: []byte(`{}`), CreatedAt: now()}
			// A phone photo whose motion-photo video was removed: the record
			// of the removal round-trips.
			d2 := kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), MerchantID: m.ID, ApplicantID: a.ID, Kind: kyc.DocIDBack, ContentType: "image/jpeg",
				Size: 12, SHA256: "cd", BlobKey: "k2", KeyID: "dk", Width: 4, Height: 3, CreatedAt: now(),
				Trailer: &kyc.RemovedTrailer{Kinds: []string{"jpeg", "mp4"}, Size: 3 << 20, SHA256: "ef"}}
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error {
				require.NoError(t, tx.InsertDocument(ctx, d))
				require.NoError(t, tx.InsertDocument(ctx, d2))
				require.NoError(t, tx.InsertCheck(ctx, c))
				require.NoError(t, tx.InsertDecision(ctx, store.DecisionRecord{ID: kyc.NewID(kyc.PrefixDecision), MerchantID: m.ID, VerificationID: v.ID,
					Decision: kyc.DecisionApproved, DecidedBy: "policy:1", SealedNote: []byte{1, 2}, CreatedAt: now()}))
				return tx.InsertEvent(ctx, e)
			}))
			gotD, err := s.DocumentByID(ctx, m.ID, d.ID)
			require.NoError(t, err)
			require.Equal(t, d, gotD)
			gotD, err = s.DocumentByID(ctx, m.ID, d2.ID)
			require.NoError(t, err)
			require.Equal(t, d2, gotD)
			_, err = s.DocumentByID(ctx, m2.ID, d.ID)
			require.ErrorIs(t, err, kyc.ErrNotFound)
			docs, err := s.DocumentsByApplicant(ctx, m.ID, a.ID)
			require.NoError(t, err)
			require.Equal(t, []kyc.Document{d, d2}, docs) // ids grow: oldest first
			checks, err := s.ChecksByVerification(ctx, m.ID, v.ID)
			require.NoError(t, err)
			require.Equal(t, []kyc.Check{c}, checks)
			checks, err = s.ChecksByVerification(ctx, m2.ID, v.ID)
			require.NoError(t, err)
			require.Empty(t, checks)
			gotV, gotChecks, err := s.VerificationWithChecks(ctx, m.ID, v.ID)
			require.NoError(t, err)
			v.Reasons = []string{}
			require.Equal(t, v, gotV)
			require.Equal(t, []kyc.Check{c}, gotChecks)
			_, _, err = s.VerificationWithChecks(ctx, m2.ID, v.ID)
			require.ErrorIs(t, err, kyc.ErrNotFound, "never another merchant's")
			noChecks := verification(t, s, a, "r-none")
			gotV, gotChecks, err = s.VerificationWithChecks(ctx, m.ID, noChecks.ID)
			require.NoError(t, err)
			require.Equal(t, noChecks.ID, gotV.ID)
			require.Empty(t, gotChecks)
			evs, err := s.EventsBySubject(ctx, m.ID, v.ID)
			require.NoError(t, err)
			require.Equal(t, []kyc.Event{e}, evs)
		})

		t.Run("a failed transaction leaves nothing", func(t *testing.T) {
			m := merchant(t, s, "M-rollback")
			a := applicant(t, s, m, "u")
			err := s.InTx(ctx, func(tx *store.Tx) error {
				v := kyc.Verification{ID: kyc.NewID(kyc.PrefixVerification), MerchantID: m.ID, ApplicantID: a.ID, Surface: kyc.SurfaceNative,
					Reference: "gone", State: kyc.StateCreated, Version: 1, CreatedAt: now(), UpdatedAt: now()}
				require.NoError(t, tx.InsertVerification(ctx, v))
				e := kyc.AuditEntry{MerchantID: m.ID, ID: kyc.NewID(kyc.PrefixAudit), At: now(), Actor: "t", Action: "x", SubjectType: "verification", SubjectID: v.ID}
				require.NoError(t, tx.AppendAudit(ctx, &e))
				return fmt.Errorf("boom")
			})
			require.Error(t, err)
			_, err = s.VerificationByReference(ctx, m.ID, kyc.SurfaceNative, "gone")
			require.ErrorIs(t, err, kyc.ErrNotFound)
			seq, hash, err := s.AuditHead(ctx, m.ID)
			require.NoError(t, err)
			require.Zero(t, seq)
			require.Equal(t, audit.Genesis, hash)
		})

		t.Run("audit chain under concurrent writers", func(t *testing.T) {
			m1, m2 := merchant(t, s, "M-aud-1"), merchant(t, s, "M-aud-2")
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					mid := m1.ID
					if i%2 == 1 {
						mid = m2.ID
					}
					err := s.InTx(ctx, func(tx *store.Tx) error {
						e := kyc.AuditEntry{MerchantID: mid, ID: kyc.NewID(kyc.PrefixAudit), At: now(), Actor: "test", Action: "ping",
							SubjectType: "merchant", SubjectID: mid, Data: []byte(fmt.Sprintf(`{"i":%d}`, i))}
						return tx.AppendAudit(ctx, &e)
					})
					require.NoError(t, err)
				}()
			}
			wg.Wait()
			for _, m := range []kyc.Merchant{m1, m2} {
				v := audit.NewVerifier(m.ID)
				require.NoError(t, s.AuditEntries(ctx, m.ID, v.Next))
				require.EqualValues(t, 10, v.Count)
				seq, hash, err := s.AuditHead(ctx, m.ID)
				require.NoError(t, err)
				vs, vh := v.Head()
				require.Equal(t, seq, vs)
				require.Equal(t, hash, vh)
			}
		})

		t.Run("idempotency keys", func(t *testing.T) {
			m, m2 := merchant(t, s, "M-idem"), merchant(t, s, "M-idem-2")
			ok, err := s.ReserveIdempotencyKey(ctx, m.ID, "k1", "POST /v1/applicants", now())
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = s.ReserveIdempotencyKey(ctx, m.ID, "k1", "POST /v1/applicants", now())
			require.NoError(t, err)
			require.False(t, ok)
			ok, err = s.ReserveIdempotencyKey(ctx, m2.ID, "k1", "POST /v1/applicants", now())
			require.NoError(t, err)
			require.True(t, ok, "keys are per merchant")
			rec, err := s.IdempotencyKey(ctx, m.ID, "k1")
			require.NoError(t, err)
			require.Zero(t, rec.Status)
			require.NoError(t, s.CompleteIdempotencyKey(ctx, store.IdempotencyRecord{MerchantID: m.ID, Key: "k1", RequestHash: "h", Status: 201, ContentType: "application/json", Body: []byte(`{}`)}))
			rec, err = s.IdempotencyKey(ctx, m.ID, "k1")
			require.NoError(t, err)
			require.Equal(t, 201, rec.Status)
			require.Equal(t, "h", rec.RequestHash)
			require.NoError(t, s.ReleaseIdempotencyKey(ctx, m.ID, "k1"))
			_, err = s.IdempotencyKey(ctx, m.ID, "k1")
			require.ErrorIs(t, err, kyc.ErrNotFound)
			n, err := s.PurgeIdempotencyKeys(ctx, now().Add(time.Hour))
			require.NoError(t, err)
			require.GreaterOrEqual(t, n, int64(1))
		})

		t.Run("dialect settings and nonces", func(t *testing.T) {
			m, m2 := merchant(t, s, "M-dset"), merchant(t, s, "M-dset-2")
			got, err := s.DialectSettings(ctx, m.ID, kyc.SurfaceCardBinding)
			require.NoError(t, err)
			require.Equal(t, store.DialectSettings{MerchantID: m.ID, Dialect: kyc.SurfaceCardBinding}, got, "no row: defaults")
			want := store.DialectSettings{MerchantID: m.ID, Dialect: kyc.SurfaceCardBinding, CallbackURL: "https://m.example/cb", Ack: "2xx",
				PublicKey: "-----BEGIN PUBLIC KEY-----", AllowIDCard: true, AddressPattern: `^[a-z]+$`, UpdatedAt: now()}
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.PutDialectSettings(ctx, want) }))
			want.Ack, want.AllowIDCard = "code1", false
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error { return tx.PutDialectSettings(ctx, want) }))
			got, err = s.DialectSettings(ctx, m.ID, kyc.SurfaceCardBinding)
			require.NoError(t, err)
			require.Equal(t, want, got)
			other, err := s.DialectSettings(ctx, m2.ID, kyc.SurfaceCardBinding)
			require.NoError(t, err)
			require.Empty(t, other.CallbackURL, "settings are per merchant")

			exp := now().Add(10 * time.Minute)
			fresh, err := s.UseNonce(ctx, m.ID, kyc.SurfaceCardBinding, "n1", exp)
			require.NoError(t, err)
			require.True(t, fresh)
			fresh, err = s.UseNonce(ctx, m.ID, kyc.SurfaceCardBinding, "n1", exp)
			require.NoError(t, err)
			require.False(t, fresh, "replay")
			fresh, err = s.UseNonce(ctx, m2.ID, kyc.SurfaceCardBinding, "n1", exp)
			require.NoError(t, err)
			require.True(t, fresh, "nonces are per merchant")
			n, err := s.PurgeNonces(ctx, exp.Add(time.Second))
			require.NoError(t, err)
			require.GreaterOrEqual(t, n, int64(2))
			fresh, err = s.UseNonce(ctx, m.ID, kyc.SurfaceCardBinding, "n1", exp)
			require.NoError(t, err)
			require.True(t, fresh, "purged after expiry")
		})

		t.Run("list versions", func(t *testing.T) {
			at := now()
			pub := time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)
			require.NoError(t, s.InTx(ctx, func(tx *store.Tx) error {
				for _, v := range []store.ListVersion{
					{List: "un_sc", SHA256: "aa", Published: pub, Entries: 3, People: 2, Names: 7, FirstLoadedAt: at},
					{List: "us_ofac", SHA256: "bb", Entries: 5, People: 1, Names: 9, FirstLoadedAt: at.Add(time.Second)},
					{List: "un_sc", SHA256: "aa", Entries: 99, FirstLoadedAt: at.Add(time.Hour)}, // once per content
				} {
					if err := tx.PutListVersion(ctx, v); err != nil {
						return err
					}
				}
				return nil
			}))
			vs, err := s.ListVersions(ctx, 10)
			require.NoError(t, err)
			require.Equal(t, []store.ListVersion{
				{List: "us_ofac", SHA256: "bb", Entries: 5, People: 1, Names: 9, FirstLoadedAt: at.Add(time.Second)},
				{List: "un_sc", SHA256: "aa", Published: pub, Entries: 3, People: 2, Names: 7, FirstLoadedAt: at},
			}, vs)
		})

		t.Run("face embeddings", func(t *testing.T) {
			m, m2 := merchant(t, s, "M-face"), merchant(t, s, "M-face-2")
			for i, e := range []store.FaceEmbedding{
				{DocumentID: "doc_f1", MerchantID: m.ID, ApplicantID: "apl_1", Sealed: []byte{1}, CreatedAt: now()},
				{DocumentID: "doc_f2", MerchantID: m.ID, ApplicantID: "apl_2", Sealed: []byte{2}, CreatedAt: now()},
				{DocumentID: "doc_f3", MerchantID: m2.ID, ApplicantID: "apl_3", Sealed: []byte{3}, CreatedAt: now()},
				{DocumentID: "doc_f1", MerchantID: m.ID, ApplicantID: "apl_1", Sealed: []byte{9}, CreatedAt: now()}, // once per document
			} {
				require.NoError(t, s.PutFaceEmbedding(ctx, e), i)
			}
			var got []string
			collect := func(e store.FaceEmbedding) error {
				got = append(got, e.ApplicantID+":"+string(rune('0'+e.Sealed[0])))
				return nil
			}
			require.NoError(t, s.FaceEmbeddings(ctx, m.ID, time.Time{}, collect))
			require.Equal(t, []string{"apl_1:1", "apl_2:2"}, got, "the merchant's embeddings only, oldest first")
			got = nil
			require.NoError(t, s.FaceEmbeddings(ctx, m.ID, now().Add(time.Hour), collect))
			require.Empty(t, got, "nothing stored since")
		})

		t.Run("data keys", func(t *testing.T) {
			require.NoError(t, s.InsertDataKey(ctx, crypto.WrappedKey{ID: "k-a", Purpose: crypto.PurposeEncrypt, Wrapped: []byte{1}, Active: true}))
			require.NoError(t, s.InsertDataKey(ctx, crypto.WrappedKey{ID: "k-a", Purpose: crypto.PurposeEncrypt, Wrapped: []byte{2}, Active: true}))
			keys, err := s.DataKeys(ctx)
			require.NoError(t, err)
			require.Contains(t, keys, crypto.WrappedKey{ID: "k-a", Purpose: crypto.PurposeEncrypt, Wrapped: []byte{1}, Active: true})
		})
	})
}

func TestOpenRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"mysql://x", "redis://localhost"} {
		_, err := store.Open(context.Background(), store.Config{URL: u})
		require.ErrorContains(t, err, "database URL")
	}
	_, err := store.Open(context.Background(), store.Config{})
	require.Error(t, err)
}
