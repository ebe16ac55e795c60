package kyc_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
)

func TestCheckIdentifier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		code string // the code point named; "" when accepted
	}{
		{"user-1", ""},
		{"anna.eriksson@example.com", ""},
		{"Åsa_Ωμέγα-李", ""},
		{"invoice\u202egpj.exe", "U+202E"}, // right-to-left override
		{"a\u202ab", "U+202A"},
		{"a\u2066b", "U+2066"}, // left-to-right isolate
		{"a\u2069", "U+2069"},
		{"\u200eabc", "U+200E"}, // left-to-right mark
		{"a\u200fb", "U+200F"},
		{"a\u200bb", "U+200B"}, // zero-width space
		{"a\u200db", "U+200D"}, // zero-width joiner
		{"a\ufeffb", "U+FEFF"},
		{"a\u00adb", "U+00AD"}, // soft hyphen
		{"a\x00b", "U+0000"},
		{"a\nb", "U+000A"},
		{"a\u0085b", "U+0085"},     // C1 control
		{"a\U000E0041", "U+E0041"}, // tag character
	} {
		err := kyc.CheckIdentifier("external_user_id", tc.in)
		if tc.code == "" {
			require.NoError(t, err, "%q", tc.in)
			continue
		}
		var fe *kyc.FieldError
		require.True(t, errors.As(err, &fe), "%q", tc.in)
		require.ErrorIs(t, err, kyc.ErrInvalid)
		require.Equal(t, "external_user_id", fe.Field)
		require.Equal(t, "control_characters", fe.Rule)
		require.Contains(t, fe.Msg, tc.code)
		require.NotContains(t, fe.Msg, "gpj", "the value is never echoed")
	}
}

func TestShowHidden(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":                "plain",
		"invoice\u202egpj.exe": "invoice[U+202E]gpj.exe",
		"a\u200b\u2066b\u2069": "a[U+200B][U+2066]b[U+2069]",
		"line one\nline\ttwo":  "line one\nline\ttwo",
		"nul\x00":              "nul[U+0000]",
		"Ελένη O'Brien-Łukasz": "Ελένη O'Brien-Łukasz",
	} {
		require.Equal(t, want, kyc.ShowHidden(in), "%q", in)
	}
}

func TestJSONKind(t *testing.T) {
	t.Parallel()
	for goType, want := range map[string]string{
		"string": "a string", "int": "an integer", "int64": "an integer", "uint8": "an integer", "float64": "a number",
		"bool": "a boolean", "[]string": "an array", "[4]int": "an array", "map[string]any": "an object",
		"api.LinkBody": "an object", "*kycsharing.IndividualInfo": "an object", "*string": "a string",
	} {
		require.Equal(t, want, kyc.JSONKind(goType), goType)
	}
}
