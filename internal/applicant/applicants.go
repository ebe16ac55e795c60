package applicant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
	"github.com/openkyc/openkyc/internal/store"
)

// ErrDeleted refuses changes to a deleted applicant.
var ErrDeleted = kyc.Conflict("applicant_deleted",
	"the applicant was deleted; restore it within its restore window, or create it anew once it is purged")

// Record is what an applicant's pii column holds, sealed: the
// personal data and the merchant's key of the user (an e-mail address on
// KYC Sharing and card binding, often one elsewhere), which the store keeps
// only as a keyed hash. A record sealed before migration 00015 has no
// external_user_id; the store then still has it in clear.
type Record struct {
	kyc.PII
	ExternalUserID string `json:"external_user_id,omitempty"`
}

// Sealer seals and opens applicant records and computes their keyed lookup
// hashes: the one definition of how an applicant is held at rest, used by
// this service and by internal/verification (which opens applicants to
// screen and verify them).
type Sealer struct{ keys *crypto.Keyring }

// NewSealer returns the sealer of the keyring.
func NewSealer(kr *crypto.Keyring) Sealer { return Sealer{keys: kr} }

// Seal seals an applicant's record (its PII and external id) for its pii
// column.
func (s Sealer) Seal(a kyc.Applicant) ([]byte, error) {
	if a.ExternalUserID == "" {
		return nil, fmt.Errorf("applicant %s: no external id to seal", a.ID)
	}
	return s.SealRecord(a.ID, Record{PII: a.PII, ExternalUserID: a.ExternalUserID})
}

// SealRecord seals a record for the applicant id.
func (s Sealer) SealRecord(id string, r Record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return s.keys.Seal(b, []byte("applicant:"+id))
}

// OpenRecord opens what SealRecord sealed.
func (s Sealer) OpenRecord(id string, sealed []byte) (Record, error) {
	var r Record
	b, err := s.keys.Open(sealed, []byte("applicant:"+id))
	if err != nil {
		return r, fmt.Errorf("applicant %s: %w", id, err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("applicant %s: %w", id, err)
	}
	return r, nil
}

// Open fills a stored applicant with its opened record (a tombstone stays
// as it is).
func (s Sealer) Open(a kyc.Applicant, sealed []byte) (kyc.Applicant, error) {
	if a.Erased() { // a tombstone: nothing left to open
		return a, nil
	}
	r, err := s.OpenRecord(a.ID, sealed)
	if err != nil {
		return a, err
	}
	a.PII = r.PII
	if r.ExternalUserID != "" {
		a.ExternalUserID = r.ExternalUserID
	}
	return a, nil
}

// ExternalIDHash is the keyed hash the store looks a merchant's key of a
// user up by, scoped by merchant and surface: equal keys of two merchants
// (or of two surfaces) do not correlate.
func (s Sealer) ExternalIDHash(merchantID string, surface kyc.Surface, externalID string) string {
	if externalID == "" {
		return ""
	}
	return s.keys.LookupHash("external_user_id", merchantID+"|"+string(surface)+"|"+externalID)
}

// Hashes sets the applicant's keyed lookup hashes from its data.
func (s Sealer) Hashes(a *kyc.Applicant) {
	a.ExternalIDHash = s.ExternalIDHash(a.MerchantID, a.Surface, a.ExternalUserID)
	a.DocNumberHash = s.keys.LookupHash("document_number", pii.DocumentNumberKey(a.PII.DocumentNumber))
	a.EmailHash = s.keys.LookupHash("email", pii.EmailKey(a.PII.Email))
	a.PhoneHash = s.keys.LookupHash("phone", a.PII.Phone)
}

// Input is applicant data as a surface received it, before
// validation and normalisation.
type Input struct {
	ExternalUserID string
	PII            kyc.PII
}

// Create creates the applicant with this external id on a surface.
// Repeating a create with the same data returns the existing applicant and
// created=false; with different data it is a conflict.
func (s *Service) Create(ctx context.Context, p kyc.Principal, surface kyc.Surface, in Input) (kyc.Applicant, bool, error) {
	ext, err := pii.ExternalID("external_user_id", in.ExternalUserID)
	if err != nil {
		return kyc.Applicant{}, false, err
	}
	now := s.clock()
	pii, err := pii.Normalize(in.PII, now)
	if err != nil {
		return kyc.Applicant{}, false, err
	}
	for attempt := 0; ; attempt++ {
		a, created, err := s.create(ctx, p, surface, ext, pii)
		// Two concurrent first creates: the loser retries and finds the winner.
		var ce *kyc.ConflictError
		if attempt == 0 && errors.As(err, &ce) && ce.Code == "applicant_exists" {
			continue
		}
		return a, created, err
	}
}

func (s *Service) create(ctx context.Context, p kyc.Principal, surface kyc.Surface, ext string, pii kyc.PII) (kyc.Applicant, bool, error) {
	now := s.clock()
	var out kyc.Applicant
	created := false
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		existing, sealed, err := tx.ApplicantByExternalID(ctx, p.MerchantID, surface, s.sealer.ExternalIDHash(p.MerchantID, surface, ext))
		if err == nil && existing.Deleted() {
			return ErrDeleted
		}
		if err == nil {
			existing, err = s.sealer.Open(existing, sealed)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(existing.PII, pii) {
				return kyc.Conflict("applicant_data_mismatch", "an applicant with this external_user_id exists with different data; use PATCH to change it")
			}
			out = existing
			return nil
		}
		if !kyc.IsNotFound(err) {
			return err
		}
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), MerchantID: p.MerchantID, Surface: surface, ExternalUserID: ext, PII: pii, CreatedAt: now, UpdatedAt: now}
		s.sealer.Hashes(&a)
		sealedPII, err := s.sealer.Seal(a)
		if err != nil {
			return err
		}
		if err := tx.InsertApplicant(ctx, a, sealedPII); err != nil {
			return err
		}
		out, created = a, true
		return tx.Audit(ctx, p, now, "applicant.create", "applicant", a.ID, map[string]string{"surface": string(surface)})
	})
	return out, created, err
}

// Get returns one applicant of the merchant with decrypted PII.
func (s *Service) Get(ctx context.Context, p kyc.Principal, id string) (kyc.Applicant, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, id) {
		return kyc.Applicant{}, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	a, sealed, err := s.store.ApplicantByID(ctx, p.MerchantID, id)
	if err != nil {
		return a, err
	}
	return s.sealer.Open(a, sealed)
}

// Patch holds the fields to change; nil means unchanged, and an
// empty string clears a field. Address replaces the whole address.
type Patch struct {
	FirstName, LastName, DateOfBirth, Nationality, Email, Phone, DocumentNumber, DocumentExpiry *string
	DocumentType, DocumentCountry                                                               *string
	Address                                                                                     *kyc.Address
}

// Update applies a patch and re-validates the result.
func (s *Service) Update(ctx context.Context, p kyc.Principal, id string, patch Patch) (kyc.Applicant, error) {
	if !kyc.ValidID(kyc.PrefixApplicant, id) {
		return kyc.Applicant{}, fmt.Errorf("applicant: %w", kyc.ErrNotFound)
	}
	now := s.clock()
	var out kyc.Applicant
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		a, sealed, err := tx.ApplicantByID(ctx, p.MerchantID, id)
		if err != nil {
			return err
		}
		if a.Deleted() {
			return ErrDeleted
		}
		if a, err = s.sealer.Open(a, sealed); err != nil {
			return err
		}
		next := a.PII
		var changed []string
		set := func(field string, dst *string, v *string) {
			if v != nil {
				*dst = *v
				changed = append(changed, field)
			}
		}
		set("first_name", &next.FirstName, patch.FirstName)
		set("last_name", &next.LastName, patch.LastName)
		set("date_of_birth", &next.DateOfBirth, patch.DateOfBirth)
		set("nationality", &next.Nationality, patch.Nationality)
		set("email", &next.Email, patch.Email)
		set("phone", &next.Phone, patch.Phone)
		set("document_number", &next.DocumentNumber, patch.DocumentNumber)
		set("document_expiry", &next.DocumentExpiry, patch.DocumentExpiry)
		set("document_type", &next.DocumentType, patch.DocumentType)
		set("document_country", &next.DocumentCountry, patch.DocumentCountry)
		if patch.Address != nil {
			addr := *patch.Address
			next.Address = &addr
			changed = append(changed, "address")
		}
		if next, err = pii.Normalize(next, now); err != nil {
			return err
		}
		a.PII, a.UpdatedAt = next, now
		s.sealer.Hashes(&a)
		sealedPII, err := s.sealer.Seal(a)
		if err != nil {
			return err
		}
		if err := tx.UpdateApplicant(ctx, a, sealedPII); err != nil {
			return err
		}
		out = a
		return tx.Audit(ctx, p, now, "applicant.update", "applicant", a.ID, map[string]any{"fields": changed})
	})
	return out, err
}

// Find returns the merchant's applicant with this external id on a
// surface, with decrypted PII.
func (s *Service) Find(ctx context.Context, p kyc.Principal, surface kyc.Surface, externalID string) (kyc.Applicant, error) {
	a, sealed, err := s.store.ApplicantByExternalID(ctx, p.MerchantID, surface, s.sealer.ExternalIDHash(p.MerchantID, surface, externalID))
	if err != nil {
		return a, err
	}
	return s.sealer.Open(a, sealed)
}

// Matches reports whether in, once validated and normalised, is exactly the
// applicant's external id and data (for idempotent repeats of dialect calls).
// It writes nothing.
func (s *Service) Matches(a kyc.Applicant, in Input) bool {
	pii, err := pii.Normalize(in.PII, s.clock())
	return err == nil && a.ExternalUserID == in.ExternalUserID && reflect.DeepEqual(a.PII, pii)
}
