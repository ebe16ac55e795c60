package kyc

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
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

// NewID returns prefix followed by 26 characters of Crockford base32: 48 bits of
// millisecond time then 80 random bits, so ids of one kind sort by creation.
func NewID(prefix string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
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
