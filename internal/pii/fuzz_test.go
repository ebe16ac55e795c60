package pii_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/pii"
)

// FuzzNormalize: never panics, and normalising is idempotent.
func FuzzNormalize(f *testing.F) {
	f.Add("Anna", "Eriksson", "1990-04-12", "SWE", "anna@Example.com", "+46 70 123 45 67", "xk 447-1902", "se")
	f.Add("José", "O’Brien", "2000-02-29", "de", "a@b", "030 1234567", "", "DEU")
	f.Add("\u0301", " ", "1899-12-31", "ZZ", "<a@b.c>", "++", "ÄÖ", "1")
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, first, last, dob, nat, email, phone, doc, country string) {
		in := kyc.PII{FirstName: first, LastName: last, DateOfBirth: dob, Nationality: nat, Email: email, Phone: phone,
			DocumentNumber: doc, Address: &kyc.Address{Country: country}}
		out, err := pii.Normalize(in, now)
		if err != nil {
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe)
			require.NotEmpty(t, fe.Field)
			return
		}
		again, err := pii.Normalize(out, now)
		require.NoError(t, err)
		require.Equal(t, out, again)
	})
}
