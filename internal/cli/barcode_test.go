package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestCheckDocumentBarcode: `openkyc check document` reads the PDF417 on
// the back of a licence photographed a few degrees off level and prints
// its AAMVA data.
func TestCheckDocumentBarcode(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile("../check/barcode/testdata/us_v08.txt")
	require.NoError(t, err)
	card := kyctest.LicenceBack(t, string(text))
	dir := t.TempDir()
	file := filepath.Join(dir, "back.jpg")
	require.NoError(t, os.WriteFile(file, kyctest.JPEG(t, kyctest.Rotate(card, 3)), 0o600))

	got, err := run(t, "check", "document", "--json", "--kind", "id_back", "--assets-dir", "../../assets", file)
	require.NoError(t, err)
	var res struct {
		Barcodes struct {
			Status string `json:"status"`
			Codes  []struct {
				Format string `json:"format"`
				AAMVA  struct {
					DocumentNumber string `json:"document_number"`
					DateOfBirth    string `json:"date_of_birth"`
					Surname        string `json:"surname"`
				} `json:"aamva"`
			} `json:"codes"`
		} `json:"barcodes"`
	}
	require.NoError(t, json.Unmarshal([]byte(got), &res))
	require.Equal(t, "read", res.Barcodes.Status)
	require.Len(t, res.Barcodes.Codes, 1)
	c := res.Barcodes.Codes[0]
	require.Equal(t, "PDF417", c.Format)
	require.Equal(t, "D1234562", c.AAMVA.DocumentNumber)
	require.Equal(t, "1977-08-31", c.AAMVA.DateOfBirth)
	require.Equal(t, "SAMPLE", c.AAMVA.Surname)
}
