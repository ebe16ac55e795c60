package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestCheckDocumentPrintedZone: `openkyc check document` reads the printed
// zone of an identity card front without an MRZ (a generated French-style
// card) and prints its fields with their confidences, and the type and
// country its titles name.
func TestCheckDocumentPrintedZone(t *testing.T) {
	t.Parallel()
	kyctest.NeedOCR(t, (&viz.Reader{}).Available())
	front := kyctest.IDFront{Style: "FR", Country: "FR", DocumentType: "id_card", Surname: "MARTIN", GivenNames: "CAMILLE",
		BirthDate: "1990-03-12", ExpiryDate: "2031-05-01", DocumentNumber: "X4RTBPFW4", Sex: "F", Nationality: "FR"}
	file := filepath.Join(t.TempDir(), "front.jpg")
	require.NoError(t, os.WriteFile(file, kyctest.JPEG(t, front.Render(1200, 1)), 0o600))

	got, err := run(t, "check", "document", "--json", "--country", "fr", "--assets-dir", "../../assets", file)
	require.NoError(t, err)
	var res struct {
		PrintedZone struct {
			Reading   viz.Reading `json:"reading"`
			Confident float64     `json:"confident"`
		} `json:"printed_zone"`
	}
	require.NoError(t, json.Unmarshal([]byte(got), &res))
	rd := res.PrintedZone.Reading
	require.Equal(t, "MARTIN", rd.Fields[viz.FieldSurname].Value)
	require.Equal(t, "CAMILLE", rd.Fields[viz.FieldGivenNames].Value)
	require.Equal(t, "1990-03-12", rd.Fields[viz.FieldBirthDate].Value)
	require.Equal(t, []string{"id_card"}, rd.DocumentTypes)
	require.Equal(t, "FR", rd.IssuingCountry)
	require.Contains(t, rd.Models, "eng")
	require.InDelta(t, viz.Confident, res.PrintedZone.Confident, 1e-9)
}
