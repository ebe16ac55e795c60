package dialect_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect"
)

func TestCanonicalJSON(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		``:                               ``,
		`{}`:                             ``,
		`{"b":1,"a":"x"}`:                `{"a":"x","b":1}`,
		`{"a":{"z":"","y":null,"x":[]}}`: ``,
		`{"a":[{"b":""},"",2.50]}`:       `{"a":[2.50]}`,
		`{"q":"<a&b>\u2028é\"\\\n"}`:     "{\"q\":\"<a&b>\u2028é\\\"\\\\\\n\"}",
		` { "n" : -1e3 , "t" : true } `:  `{"n":-1e3,"t":true}`,
	}
	for in, want := range tests {
		got, err := dialect.CanonicalJSON([]byte(in))
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	require.Equal(t, `{"a":"1","c":"é"}`, dialect.CanonicalFields(map[string]string{"c": "é", "b": "", "a": "1"}), "form fields: sorted, empty dropped")
	require.Empty(t, dialect.CanonicalFields(map[string]string{"b": ""}))
	for _, bad := range []string{`{`, `{"a":1} {}`, `nope`} {
		_, err := dialect.CanonicalJSON([]byte(bad))
		require.Error(t, err, bad)
	}
}

func FuzzCanonicalJSON(f *testing.F) {
	f.Add([]byte(`{"requestNo":"R","individualInfo":{"firstName":"María","tags":[]}}`))
	f.Add([]byte(`[1,[2,[3]],{"":""}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := dialect.CanonicalJSON(body)
		if err != nil || c == "" {
			return
		}
		// The canonical form is valid JSON and a fixed point.
		require.True(t, json.Valid([]byte(c)), c)
		again, err := dialect.CanonicalJSON([]byte(c))
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}
