package vexora_test

import (
	"bytes"
	"mime/multipart"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// A multipart application with the same file part twice is refused: the
// second copy is neither ignored nor stored over the first.
func TestApplyRefusesRepeatedFilePart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	f := signed(e.a, map[string]string{"userId": "twice_1", "email": "twice@example.jp"})
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range f {
		require.NoError(t, w.WriteField(k, v))
	}
	for _, name := range []string{"idFront", "face", "idFront"} {
		fw, err := w.CreateFormFile(name, name+".jpg")
		require.NoError(t, err)
		_, err = fw.Write(photo(640, 400))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	res := e.post("/v1/vexora/kycApplyFor", e.a.no, b.Bytes(), w.FormDataContentType())
	require.Equal(t, "1002", code(t, res), "%v", res)
	require.Equal(t, "idFront: sent more than once; send each file once", res["msg"])
	q := e.postJSON("/v1/vexora/kycStatusQuery", e.a, signed(e.a, map[string]string{"userId": "twice_1"}))
	require.Equal(t, "1005", code(t, q), "no application was created: %v", q)
}
