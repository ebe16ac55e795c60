package kyc

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// ID prefixes make identifiers self-describing in logs and support tickets.
const (
	PrefixMerchant     = "mer_"
	PrefixCredential   = "key_"
	PrefixApplicant    = "apl_"
	PrefixVerification = "ver_"
	PrefixDocument     = "doc_"
	PrefixCheck        = "chk_"
	PrefixDecision     = "dec_"
	PrefixEvent        = "evt_"
	PrefixAudit        = "aud_"
)

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

var (
	idMu   sync.Mutex
	idLast [16]byte
)

// NewID returns prefix followed by 26 characters of Crockford base32: 48 bits of
// millisecond time then 80 random bits (ULID layout), so ids sort by creation.
// Within one millisecond the random part is incremented (monotonic ULID), so
// ids made by one process are strictly increasing.
func NewID(prefix string) string {
	var b [16]byte
	ms := uint64(time.Now().UnixMilli())
	idMu.Lock()
	lastMs := binary.BigEndian.Uint64(idLast[:8]) >> 16
	if ms <= lastMs {
		b = idLast
		for i := 15; i >= 6; i-- { // increment the 80-bit random part
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	} else {
		binary.BigEndian.PutUint64(b[:8], ms<<16)
		if _, err := rand.Read(b[6:]); err != nil {
			idMu.Unlock()
			panic("crypto/rand failed: " + err.Error())
		}
		b[6] &= 0x7f // leave room to increment without overflowing into the time
	}
	idLast = b
	idMu.Unlock()
	return prefix + encode128(b)
}

func encode128(b [16]byte) string {
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// ValidID reports whether s looks like an id with the given prefix. It lets
// handlers reject garbage before touching the store.
func ValidID(prefix, s string) bool {
	if !strings.HasPrefix(s, prefix) || len(s) != len(prefix)+26 {
		return false
	}
	for _, c := range s[len(prefix):] {
		if !strings.ContainsRune(crockford, c) {
			return false
		}
	}
	return true
}
