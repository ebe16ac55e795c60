package docfile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
)

// pdfOutcomes is what happens to each file of testdata/pdf: accepted (""),
// or refused with a message containing the text.
var pdfOutcomes = map[string]string{
	"objstm-openaction-js.pdf":   "active content (/OpenAction)",
	"objstm-page-aa.pdf":         "active content (/AA)",
	"objstm-launch.pdf":          "active content (/Launch)",
	"objstm-embeddedfile.pdf":    "active content (/EmbeddedFile",
	"objstm-richmedia.pdf":       "active content (/RichMedia)",
	"objstm-xfa.pdf":             "active content (/XFA)",
	"objstm-submitform.pdf":      "active content (/SubmitForm)",
	"objstm-importdata.pdf":      "active content (/ImportData)",
	"objstm-escaped-name.pdf":    "active content (/JavaScript)",
	"incremental-openaction.pdf": "active content (/OpenAction)",
	"encrypted.pdf":              "encrypted PDFs are not accepted",
	// Made by qpdf 11.3 from the benign files, with an empty user password
	// (they open without asking), see testdata/pdf/README.md.
	"encrypted-aes256-qpdf.pdf":        "encrypted PDFs are not accepted",
	"encrypted-aes128-objstm-qpdf.pdf": "encrypted PDFs are not accepted",
	"objstm-flate-bomb.pdf":            "decompresses to more than 16777216 bytes",
	"objstm-lzw.pdf":                   "compressed with /LZWDecode are not accepted",
	"garbage-before-objstm.pdf":        "active content (/AA)",
	"comment-stream.pdf":               "active content (/OpenAction)",
	"benign-plain.pdf":                 "",
	"benign-objstm.pdf":                "",
	"benign-incremental.pdf":           "",
}

// uploadCheck is what an upload of a PDF goes through: the streaming
// validator, then the whole-document check.
func uploadCheck(kind kyc.DocumentKind, data []byte) error {
	if _, err := validate(kind, data, docfile.Limits{}); err != nil {
		return err
	}
	return docfile.CheckPDF(data)
}

func TestCheckPDFCorpus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "pdf", "*.pdf"))
	require.NoError(t, err)
	require.Len(t, files, len(pdfOutcomes), "every corpus file needs an expected outcome")
	for _, path := range files {
		name := filepath.Base(path)
		want, ok := pdfOutcomes[name]
		require.True(t, ok, "no expected outcome for %s", name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, kind := range []kyc.DocumentKind{kyc.DocProofOfAddress, kyc.DocAMLReport, kyc.DocIDVReport} {
				err := uploadCheck(kind, data)
				if want == "" {
					require.NoError(t, err)
					continue
				}
				var fe *kyc.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, "file", fe.Field)
				require.ErrorIs(t, err, kyc.ErrInvalid)
			}
			// The whole-document check refuses each file by itself, with
			// the expected message.
			err = docfile.CheckPDF(data)
			if want == "" {
				require.NoError(t, err)
				return
			}
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "file", fe.Field)
			require.Contains(t, fe.Msg, want)
		})
	}
}

func TestCheckPDFBounds(t *testing.T) {
	t.Parallel()
	// Several object streams, each under the per-stream bound, that
	// together inflate past the total bound.
	var objs []string
	for range 5 {
		objs = append(objs, "1 0 "+strings.Repeat(" ", 15<<20))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	for i, o := range objs {
		z := deflateBytes(o)
		b.WriteString(itoa(10+i) + " 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length " + itoa(len(z)) + " >>\nstream\n")
		b.Write(z)
		b.WriteString("\nendstream\nendobj\n")
	}
	b.WriteString("trailer\n<< /Root 1 0 R >>\n%%EOF\n")
	err := docfile.CheckPDF(b.Bytes())
	require.ErrorIs(t, err, kyc.ErrInvalid)
	require.ErrorContains(t, err, "object streams decompress to more than 67108864 bytes")

	// Two layers of FlateDecode: the bound holds on the final output.
	z := deflate(deflate(bytes.Repeat([]byte(" "), 20<<20)))
	doc := "%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /N 0 /First 0 /Filter [/FlateDecode /FlateDecode] /Length " + itoa(len(z)) + " >>\nstream\n" + string(z) + "\nendstream\nendobj\n%%EOF\n"
	require.ErrorContains(t, docfile.CheckPDF([]byte(doc)), "decompresses to more than 16777216 bytes")

	// Deep nesting.
	require.ErrorContains(t, docfile.CheckPDF([]byte("%PDF-1.7\n1 0 obj "+strings.Repeat("[", 100)+" endobj\n%%EOF")), "too deeply")
}

func TestDecoderCheckPDF(t *testing.T) {
	t.Parallel()
	d := docfile.NewDecoder(nil, docfile.Limits{MaxBytes: 4096}, time.Second)
	ok, err := os.ReadFile(filepath.Join("testdata", "pdf", "benign-plain.pdf"))
	require.NoError(t, err)
	require.NoError(t, d.CheckPDF(t.Context(), opener(ok)))
	bad, err := os.ReadFile(filepath.Join("testdata", "pdf", "objstm-openaction-js.pdf"))
	require.NoError(t, err)
	require.ErrorContains(t, d.CheckPDF(t.Context(), opener(bad)), "active content (/OpenAction)")
	require.ErrorIs(t, d.CheckPDF(t.Context(), opener(append(ok, make([]byte, 4096)...))), kyc.ErrTooLarge)
}

func FuzzCheckPDF(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "pdf", "*.pdf"))
	for _, path := range files {
		if strings.Contains(path, "bomb") {
			continue // large: slows every run of the fuzzer
		}
		data, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(minimalPDF))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := docfile.CheckPDF(data)
		if err != nil {
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "file", fe.Field)
		}
	})
}

func deflateBytes(s string) []byte { return deflate([]byte(s)) }

func itoa(n int) string { return strconv.Itoa(n) }
