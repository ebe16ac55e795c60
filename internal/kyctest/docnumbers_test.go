package kyctest

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestGeneratedNumbersFollowTheirSchemes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(7, 7))
	for n := range 11 * 20 {
		f := RandomIDFront(r, n, now)
		num := strings.ReplaceAll(f.DocumentNumber, " ", "")
		switch f.Style {
		case "DE":
			require.Regexp(t, `^[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{8}$`, num)
		case "NL":
			require.Regexp(t, `^[A-NP-Z]{2}[A-NP-Z0-9]{6}[0-9]$`, num)
		case "PT":
			require.Regexp(t, `^[0-9]{9}[A-Z]{2}[0-9]$`, num)
			require.Zero(t, ptSum(num)%10, num)
		case "ID":
			b := birthOf(f)
			day := b.Day()
			if f.Sex == "F" {
				day += 40
			}
			require.Len(t, num, 16)
			require.Equal(t, b.Format("0106"), num[8:12], num)
			require.Equal(t, day, int(num[6]-'0')*10+int(num[7]-'0'), num)
		case "VN":
			require.Len(t, num, 12)
			require.Equal(t, birthOf(f).Format("06"), num[4:6])
		case "CN":
			require.Regexp(t, `^[0-9]{17}[0-9X]$`, num)
			require.Equal(t, cnCheck(num[:17]), num[17])
			require.Equal(t, birthOf(f).Format("20060102"), num[6:14])
			require.Equal(t, f.Sex == "M", (num[16]-'0')%2 == 1)
		case "GB-DL":
			require.Regexp(t, `^[A-Z][A-Z9]{4}[0-9]{6}[A-Z9]{2}9[A-Z]{2}$`, num)
			b := birthOf(f)
			require.Equal(t, b.Format("2006")[2:3]+b.Format("2006")[3:4], num[5:6]+num[10:11], num)
		}
	}
}

func TestUKLicenceNumber(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 1))
	got := ukLicence(r, IDFront{Surname: "O'BRIEN", GivenNames: "ANNE-MARIE", BirthDate: "1985-07-04", Sex: "F"})
	require.Equal(t, "OBRIE857045AM9", got[:14])
	got = ukLicence(r, IDFront{Surname: "LI", GivenNames: "JOSÉ", BirthDate: "1990-12-31", Sex: "M"})
	require.Equal(t, "LI999912310J99", got[:14])
}
