package applicant

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check/basic"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
	"github.com/openkyc/openkyc/internal/store"
)

// BlocklistEntry is a blocked value as shown to the merchant.
type BlocklistEntry struct {
	ID        string
	Kind      string
	Value     string
	Note      string
	CreatedAt time.Time
}

// blockKey normalises a value of a blocklist kind the way applicant data is
// normalised, so that matching is by equality of keyed hashes.
func blockKey(kind, value string) (string, error) {
	switch kind {
	case "document_number":
		k := pii.DocumentNumberKey(value)
		if k == "" {
			return "", kyc.Invalid("value", "format", "a document number needs letters or digits")
		}
		return k, nil
	case "email":
		n, err := pii.Normalize(kyc.PII{Email: value}, time.Now())
		if err != nil || n.Email == "" {
			return "", kyc.Invalid("value", "format", "value must be an e-mail address")
		}
		return pii.EmailKey(n.Email), nil
	case "phone":
		p, err := pii.Phone(value, "")
		if err != nil || p == "" {
			return "", kyc.Invalid("value", "e164", "value must be a phone number in international format such as +14155550123")
		}
		return p, nil
	case "name":
		k := pii.NameKey(value)
		if k == "" {
			return "", kyc.Invalid("value", "format", "a name needs letters")
		}
		return k, nil
	}
	return "", kyc.Invalid("kind", "enum", "kind must be one of %s", strings.Join(basic.BlocklistKinds, ", "))
}

// Blocklist is a merchant's lists of blocked values (document numbers,
// e-mails, phones, names): kept sealed, matched by keyed hash.
type Blocklist struct{ s *Service }

// Blocklist is the blocklist side of the applicant service.
func (s *Service) Blocklist() *Blocklist { return &Blocklist{s: s} }

func (s *Service) blockHash(kind, key string) string {
	return s.keys.LookupHash("blocklist:"+kind, key)
}

// Add blocks a value for the merchant.
func (b *Blocklist) Add(ctx context.Context, p kyc.Principal, kind, value, note string) (BlocklistEntry, error) {
	s := b.s
	if !slices.Contains(basic.BlocklistKinds, kind) {
		return BlocklistEntry{}, kyc.Invalid("kind", "enum", "kind must be one of %s", strings.Join(basic.BlocklistKinds, ", "))
	}
	if len(value) > 200 {
		return BlocklistEntry{}, kyc.Invalid("value", "max_length", "value must be at most 200 characters")
	}
	if err := kyc.CheckIdentifier("value", value); err != nil {
		return BlocklistEntry{}, err
	}
	if len(note) > 500 {
		return BlocklistEntry{}, kyc.Invalid("note", "max_length", "note must be at most 500 characters")
	}
	key, err := blockKey(kind, value)
	if err != nil {
		return BlocklistEntry{}, err
	}
	now := s.clock()
	e := store.BlocklistEntry{ID: kyc.NewID("blk_"), MerchantID: p.MerchantID, Kind: kind, ValueHash: s.blockHash(kind, key), Note: note, CreatedAt: now}
	if e.SealedValue, err = s.keys.Seal([]byte(value), []byte("blocklist:"+e.ID)); err != nil {
		return BlocklistEntry{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertBlocklistEntry(ctx, e); err != nil {
			return err
		}
		return tx.Audit(ctx, p, now, "blocklist.add", "blocklist_entry", e.ID, map[string]string{"kind": kind})
	})
	return BlocklistEntry{ID: e.ID, Kind: kind, Value: value, Note: note, CreatedAt: now}, err
}

// Remove unblocks a value.
func (b *Blocklist) Remove(ctx context.Context, p kyc.Principal, id string) error {
	s := b.s
	now := s.clock()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteBlocklistEntry(ctx, p.MerchantID, id); err != nil {
			return err
		}
		return tx.Audit(ctx, p, now, "blocklist.remove", "blocklist_entry", id, map[string]string{})
	})
}

// Entries lists the merchant's blocked values (decrypted).
func (b *Blocklist) Entries(ctx context.Context, p kyc.Principal) ([]BlocklistEntry, error) {
	s := b.s
	rows, err := s.store.BlocklistEntries(ctx, p.MerchantID)
	if err != nil {
		return nil, err
	}
	out := make([]BlocklistEntry, 0, len(rows))
	for _, r := range rows {
		v, err := s.keys.Open(r.SealedValue, []byte("blocklist:"+r.ID))
		if err != nil {
			return nil, fmt.Errorf("blocklist entry %s: %w", r.ID, err)
		}
		out = append(out, BlocklistEntry{ID: r.ID, Kind: r.Kind, Value: string(v), Note: r.Note, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// Has reports whether the merchant's list of kind holds value.
func (b *Blocklist) Has(ctx context.Context, merchantID, kind, value string) (bool, error) {
	s := b.s
	key, err := blockKey(kind, value)
	if err != nil {
		return false, nil // a value that cannot be normalised cannot match
	}
	return s.store.BlocklistHas(ctx, merchantID, kind, s.blockHash(kind, key))
}
