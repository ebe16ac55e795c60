package kycsharing_test

import (
	"bytes"
	"mime/multipart"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// fileUpload with two file parts is refused before anything is stored; the
// second file used to be ignored.
func TestFileUploadRefusesTwoFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	require.Equal(t, "0", code(e.do(canonical(t, "/open/api/kyc/share/information", e.a, info("REQ-2F", "two@example.com", "", "")))))
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	require.NoError(t, w.WriteField("requestNo", "REQ-2F"))
	require.NoError(t, w.WriteField("type", "face"))
	for range 2 {
		fw, err := w.CreateFormFile("file", "f.jpg")
		require.NoError(t, err)
		_, err = fw.Write(photo())
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	res := e.do(call{path: "/open/api/kyc/share/fileUpload", body: b.Bytes(), contentType: w.FormDataContentType(), m: e.a,
		signBody: []byte(`{"requestNo":"REQ-2F","type":"face"}`)})
	require.Equal(t, "40001", code(res), "%v", res)
	require.Equal(t, "file: send one file per request; this one has more", res["msg"])
	// Nothing was stored: submit still misses the face.
	sub := e.do(call{path: "/open/api/kyc/share/submit", body: []byte(`{"requestNo":"REQ-2F"}`), m: e.a})
	require.Contains(t, sub["msg"], "idFront, face, amlReport, idvReport")
}
