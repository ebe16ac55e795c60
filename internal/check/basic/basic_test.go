package basic_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/basic"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
)

// docEnv serves stored documents; checks here use nothing else of check.Env.
type docEnv struct {
	check.Env
	files map[string][]byte
}

func (e docEnv) OpenDocument(_ context.Context, d kyc.Document) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(e.files[d.ID])), nil
}

func corpusPDF(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "docfile", "testdata", "pdf", name))
	require.NoError(t, err)
	return b
}

// reportSubject holds an AML and an IDV report with the given bytes.
func reportSubject(aml, idv []byte) *check.Subject {
	env := docEnv{files: map[string][]byte{"doc_aml": aml, "doc_idv": idv}}
	doc := func(id string, kind kyc.DocumentKind, b []byte) kyc.Document {
		sum := sha256.Sum256(b)
		return kyc.Document{ID: id, Kind: kind, ContentType: docfile.PDF, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
	}
	return &check.Subject{Env: env, Documents: []kyc.Document{doc("doc_aml", kyc.DocAMLReport, aml), doc("doc_idv", kyc.DocIDVReport, idv)}}
}

// A report whose JavaScript open action sits in a compressed object stream
// fails reliance.reports and document.integrity.
func TestReportsReadWhole(t *testing.T) {
	t.Parallel()
	lim := docfile.Limits{}
	dec := docfile.NewDecoder(nil, lim, time.Second)
	benign := corpusPDF(t, "benign-objstm.pdf")
	tests := []struct {
		name    string
		aml     []byte
		status  kyc.CheckStatus
		problem string
	}{
		{"benign", corpusPDF(t, "benign-plain.pdf"), kyc.CheckPassed, ""},
		{"javascript in object stream", corpusPDF(t, "objstm-openaction-js.pdf"), kyc.CheckFailed, "active content (/OpenAction)"},
		{"encrypted", corpusPDF(t, "encrypted-aes256-qpdf.pdf"), kyc.CheckFailed, "encrypted PDFs are not accepted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []check.Checker{
				basic.RelianceReports{Limits: lim, Decoder: dec},
				basic.RelianceReports{Limits: lim}, // without a decoder
				basic.DocumentIntegrity{Limits: lim, Decoder: dec},
			} {
				res := c.Run(context.Background(), reportSubject(tc.aml, benign))
				require.Equal(t, tc.status, res.Status, "%s: %v", c.Kind(), res.Evidence)
				if tc.problem == "" {
					continue
				}
				require.Equal(t, kyc.ReasonDocumentQuality, res.ReasonCode)
				var docs []map[string]any
				if c.Kind() == "reliance.reports" {
					docs = res.Evidence.(map[string]any)["reports"].([]map[string]any)
				} else {
					docs = res.Evidence.(map[string]any)["documents"].([]map[string]any)
				}
				require.Contains(t, docs[0]["problem"], tc.problem)
				require.NotContains(t, docs[1], "problem")
			}
		})
	}
}
