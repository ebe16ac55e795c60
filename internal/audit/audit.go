// Package audit defines the hash chain of the append-only audit trail: each
// entry's hash covers its own fields and the previous entry's hash, per
// merchant, so any edit, deletion or reordering breaks the chain from that
// entry on. The store writes entries in the same transaction as the change
// they record; Verify recomputes a chain.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Genesis is the previous hash of a merchant's first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Hash returns the hex sha256 of e's fields with e.PrevHash. Every field is
// length-prefixed so no two different entries encode alike.
func Hash(e kyc.AuditEntry) string {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	put([]byte("openkyc-audit-v1"))
	put([]byte(e.PrevHash))
	put([]byte(e.MerchantID))
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	put(n[:])
	put([]byte(e.ID))
	binary.BigEndian.PutUint64(n[:], uint64(e.At.UnixMicro()))
	put(n[:])
	put([]byte(e.Actor))
	put([]byte(e.Action))
	put([]byte(e.SubjectType))
	put([]byte(e.SubjectID))
	put(e.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// BrokenLink describes the first entry where a chain does not verify.
type BrokenLink struct {
	MerchantID string
	Seq        int64
	ID         string
	Reason     string
}

func (b *BrokenLink) Error() string {
	return fmt.Sprintf("audit chain of merchant %s broken at seq %d (entry %s): %s", b.MerchantID, b.Seq, b.ID, b.Reason)
}

// Verifier checks one merchant's entries fed in seq order.
type Verifier struct {
	merchantID string
	prev       string
	seq        int64
	Count      int64
}

// NewVerifier starts a chain check for one merchant.
func NewVerifier(merchantID string) *Verifier {
	return &Verifier{merchantID: merchantID, prev: Genesis}
}

// Next checks the next entry; it returns a *BrokenLink at the first problem.
func (v *Verifier) Next(e kyc.AuditEntry) error {
	broken := func(reason string) error {
		return &BrokenLink{MerchantID: v.merchantID, Seq: e.Seq, ID: e.ID, Reason: reason}
	}
	switch {
	case e.MerchantID != v.merchantID:
		return broken("entry belongs to another merchant")
	case e.Seq != v.seq+1:
		return broken(fmt.Sprintf("sequence gap: expected %d", v.seq+1))
	case e.PrevHash != v.prev:
		return broken("previous-hash does not match the preceding entry")
	case Hash(e) != e.Hash:
		return broken("entry hash does not match its contents")
	}
	v.prev, v.seq = e.Hash, e.Seq
	v.Count++
	return nil
}

// Head returns the last verified sequence number and hash.
func (v *Verifier) Head() (int64, string) { return v.seq, v.prev }
