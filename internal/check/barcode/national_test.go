package barcode_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/barcode"
)

func TestParseNational(t *testing.T) {
	t.Parallel()
	good := "001099012345|123456789|Nguyễn Văn An|01021990|Nam|12 Phố Huế, Hai Bà Trưng, Hà Nội|15062021"
	n, err := barcode.ParseNational(good)
	require.NoError(t, err)
	require.Equal(t, barcode.NationalID{Format: barcode.FormatVNCitizenID, Country: "VN", DocumentNumber: "001099012345", OldNumber: "123456789",
		FullName: "Nguyễn Văn An", DateOfBirth: "1990-02-01", Sex: "M", Address: "12 Phố Huế, Hai Bà Trưng, Hà Nội", DateOfIssue: "2021-06-15"}, n)
	n, err = barcode.ParseNational("079303001234||Trần Thị  Hoa|29021996|Nữ|Quận 1, TP. Hồ Chí Minh|01072024\n")
	require.NoError(t, err)
	require.Equal(t, "Trần Thị Hoa", n.FullName)
	require.Equal(t, "F", n.Sex)
	require.Empty(t, n.OldNumber)

	tests := []struct{ name, text, problem string }{
		{"a URL", "https://example.org/v?id=42", ""},
		{"too few fields", "001099012345|123456789|Nguyễn Văn An|01021990", ""},
		{"number not 12 digits", strings.Replace(good, "001099012345", "00109901234X", 1), ""},
		{"3 KB of binary", strings.Repeat("\x00|", 1500), ""},
		{"a birth date that is not a date", strings.Replace(good, "01021990", "31021990", 1), "birth date"},
		{"sex neither Nam nor Nữ", strings.Replace(good, "|Nam|", "|X|", 1), "sex"},
		{"name of digits", strings.Replace(good, "Nguyễn Văn An", "12345", 1), "name"},
		{"old number of 5 digits", strings.Replace(good, "123456789", "12345", 1), "old number"},
		{"a number whose province does not start with 0", strings.Replace(good, "001099012345", "101099012345", 1), ""},
		{"issue date not a date", strings.Replace(good, "15062021", "2021-06-15", 1), "date of issue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := barcode.ParseNational(tt.text)
			require.Error(t, err)
			require.NotContains(t, err.Error(), "1990", "an error is evidence in the clear: no values")
			if tt.problem == "" {
				require.ErrorIs(t, err, barcode.ErrNotNational)
			} else {
				require.NotErrorIs(t, err, barcode.ErrNotNational)
				require.ErrorContains(t, err, tt.problem)
			}
		})
	}
}

func FuzzParseNational(f *testing.F) {
	f.Add("001099012345|123456789|Nguyễn Văn An|01021990|Nam|12 Phố Huế|15062021")
	f.Add("|||||||")
	f.Fuzz(func(t *testing.T, text string) {
		n, err := barcode.ParseNational(text)
		if err == nil {
			require.Len(t, n.DocumentNumber, 12)
			require.Len(t, n.DateOfBirth, 10)
		}
	})
}
