package api_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// Issue 17: a PDF whose active content hides in a compressed object stream
// is refused on upload, and nothing of it is kept.
func TestUploadPDFActiveContent(t *testing.T) {
	t.Parallel()
	corpus := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "docfile", "testdata", "pdf", name))
		require.NoError(t, err)
		return b
	}
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		aid := e.createApplicant(e.keyA, annaBody)
		tests := []struct {
			file, kind string
			status     int
			msg        string
		}{
			{"objstm-openaction-js.pdf", "proof_of_address", 422, "PDF contains active content (/OpenAction)"},
			{"objstm-openaction-js.pdf", "aml_report", 422, "PDF contains active content (/OpenAction)"},
			{"objstm-page-aa.pdf", "idv_report", 422, "PDF contains active content (/AA)"},
			{"incremental-openaction.pdf", "proof_of_address", 422, "PDF contains active content (/OpenAction)"},
			{"encrypted-aes256-qpdf.pdf", "proof_of_address", 422, "encrypted PDFs are not accepted"},
			{"objstm-flate-bomb.pdf", "proof_of_address", 422, "decompresses to more than"},
			{"benign-objstm.pdf", "proof_of_address", 201, ""},
		}
		for _, tc := range tests {
			t.Run(tc.file+" as "+tc.kind, func(t *testing.T) {
				r := e.upload(aid, e.keyA, [2]any{"kind", tc.kind}, [2]any{"file", corpus(tc.file)})
				require.Equal(t, tc.status, r.Status, "%s", r.Body)
				if tc.msg == "" {
					return
				}
				_, field := r.errField(t)
				require.Equal(t, "file", field)
				require.Contains(t, string(r.Body), tc.msg)
			})
		}
		// Only the benign upload left a row and a blob behind.
		docs, err := e.app.Store.DocumentsByApplicant(context.Background(), e.merchantOf(e.keyA), aid)
		require.NoError(t, err)
		require.Len(t, docs, 1)
		require.Equal(t, 1, countFiles(t, filepath.Join(e.dataDir, "blobs")))
	})
}
