package pii_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	got, err := pii.Normalize(kyc.PII{FirstName: "  José  María ", LastName: "O’Brien", Nationality: "deu", Email: "X.Y@Example.COM",
		Phone: "030 1234567", DocumentNumber: " c01x00t47 ", Address: &kyc.Address{Country: "de"}}, now)
	require.NoError(t, err)
	require.Equal(t, kyc.PII{FirstName: "José María", LastName: "O’Brien", Nationality: "DE", Email: "X.Y@example.com", Phone: "+49301234567",
		DocumentNumber: "C01X00T47", Address: &kyc.Address{Country: "DE"}}, got)
	require.Equal(t, "C01X00T47", pii.DocumentNumberKey("c01-x00 t47"))
}

func TestNameKey(t *testing.T) {
	t.Parallel()
	require.Equal(t, "jose maria o brien", pii.NameKey("  José   María O’Brien "))
	require.Equal(t, pii.NameKey("MÜLLER, Jürgen"), pii.NameKey("muller jurgen"))
}

// Identifiers and e-mail addresses refuse control and format characters
// (bidi overrides, zero-width characters): they would display as other text.
func TestIdentifiersRefuseHiddenCharacters(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"user\u202egpj.exe", "user\u200b1", "\u2066user\u2069", "user\u200e", "user\ufeff", "user\x001"} {
		_, err := pii.ExternalID("external_user_id", s)
		var fe *kyc.FieldError
		require.ErrorAs(t, err, &fe, "%q", s)
		require.Equal(t, "control_characters", fe.Rule, "%q", s)
	}
	_, err := pii.Normalize(kyc.PII{Email: "anna\u202emoc.elpmaxe@example.com"}, time.Now())
	var fe *kyc.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "email", fe.Field)
	require.Equal(t, "control_characters", fe.Rule)
}

// TestDocumentNumber: a document number is kept as printed, upper-cased, up
// to 128 characters; control and format characters and invalid UTF-8 are
// refused; duplicate search compares letters and digits.
func TestDocumentNumber(t *testing.T) {
	t.Parallel()
	now := time.Now()
	got, err := pii.Normalize(kyc.PII{DocumentNumber: " e-123/456 #7.8 (äö) "}, now)
	require.NoError(t, err)
	require.Equal(t, "E-123/456 #7.8 (ÄÖ)", got.DocumentNumber)
	require.Equal(t, "E12345678ÄÖ", pii.DocumentNumberKey(got.DocumentNumber))
	require.Equal(t, "C01X00T47", pii.DocumentNumberKey("c01-x00 t47"), "Latin numbers keep their keys")
	require.Equal(t, "AB123", pii.DocumentNumberKey("ＡＢ１２３"), "full-width is folded")
	require.NotEqual(t, pii.DocumentNumberKey("АБ123456"), pii.DocumentNumberKey("ВГ123456"), "other scripts are not dropped")
	require.NotEmpty(t, pii.DocumentNumberKey("АБВГ"))
	_, err = pii.Normalize(kyc.PII{DocumentNumber: strings.Repeat("Ж", 128)}, now)
	require.NoError(t, err, "128 characters, not bytes")
	for _, bad := range []string{strings.Repeat("9", 129), "E123\u202e456", "E1\x00", "E1\xff"} {
		_, err := pii.Normalize(kyc.PII{DocumentNumber: bad}, now)
		var fe *kyc.FieldError
		require.ErrorAs(t, err, &fe, "%q", bad)
		require.Equal(t, "document_number", fe.Field)
	}
}
