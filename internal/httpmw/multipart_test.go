package httpmw_test

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/kyc"
)

func TestLastPart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		parts []string // form names after "kind"; the first "file" is read
		rule  string   // "" when the file reads to io.EOF
	}{
		{"one file", []string{"file"}, ""},
		{"two files", []string{"file", "file"}, "multiple"},
		{"a field after the file", []string{"file", "kind"}, "order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			require.NoError(t, w.WriteField("kind", "id_front"))
			for i, name := range tc.parts {
				fw, err := w.CreateFormFile(name, "f.bin")
				require.NoError(t, err)
				_, err = fw.Write(bytes.Repeat([]byte{byte('a' + i)}, 10_000))
				require.NoError(t, err)
			}
			require.NoError(t, w.Close())
			mr := multipart.NewReader(&b, w.Boundary())
			_, err := mr.NextPart() // kind
			require.NoError(t, err)
			file, err := mr.NextPart()
			require.NoError(t, err)
			got, err := io.ReadAll(httpmw.LastPart(mr, file))
			require.Equal(t, bytes.Repeat([]byte{'a'}, 10_000), got, "the file is read whole")
			if tc.rule == "" {
				require.NoError(t, err)
				return
			}
			var fe *kyc.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Equal(t, "file", fe.Field)
			require.Equal(t, tc.rule, fe.Rule)
		})
	}
}
