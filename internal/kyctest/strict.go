package kyctest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// StrictJSON decodes an answer (raw JSON, or a value decoded loosely before)
// into out as a strictly typed client does: exact field types, no unknown
// field. The dialects' seed tests type out from the seed pages.
func StrictJSON(t testing.TB, answer any, out any) {
	t.Helper()
	b, ok := answer.([]byte)
	if !ok {
		var err error
		b, err = json.Marshal(answer)
		require.NoError(t, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(out), "%s", b)
}
