package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/kyc"
)

func chain(n int) []kyc.AuditEntry {
	prev := audit.Genesis
	var out []kyc.AuditEntry
	for i := 1; i <= n; i++ {
		e := kyc.AuditEntry{MerchantID: "mer_1", Seq: int64(i), ID: kyc.NewID(kyc.PrefixAudit), At: time.UnixMicro(int64(i) * 1000),
			Actor: "api_key:key_1", Action: "verification.submit", SubjectType: "verification", SubjectID: "ver_1", Data: []byte(`{"to":"submitted"}`), PrevHash: prev}
		e.Hash = audit.Hash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func verify(entries []kyc.AuditEntry) error {
	v := audit.NewVerifier("mer_1")
	for _, e := range entries {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return nil
}

func TestVerifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func([]kyc.AuditEntry) []kyc.AuditEntry
		brokeAt int64
	}{
		{"intact", func(e []kyc.AuditEntry) []kyc.AuditEntry { return e }, 0},
		{"edited data", func(e []kyc.AuditEntry) []kyc.AuditEntry { e[2].Data = []byte(`{"to":"completed"}`); return e }, 3},
		{"edited actor and rehashed", func(e []kyc.AuditEntry) []kyc.AuditEntry {
			e[1].Actor = "someone"
			e[1].Hash = audit.Hash(e[1])
			return e
		}, 3},
		{"deleted entry", func(e []kyc.AuditEntry) []kyc.AuditEntry { return append(e[:1], e[2:]...) }, 3},
		{"swapped entries", func(e []kyc.AuditEntry) []kyc.AuditEntry { e[1], e[2] = e[2], e[1]; return e }, 3},
		{"foreign merchant", func(e []kyc.AuditEntry) []kyc.AuditEntry { e[0].MerchantID = "mer_2"; return e }, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := verify(tc.mutate(chain(5)))
			if tc.brokeAt == 0 {
				require.NoError(t, err)
				return
			}
			var bl *audit.BrokenLink
			require.ErrorAs(t, err, &bl)
			require.Equal(t, tc.brokeAt, bl.Seq)
		})
	}
}
