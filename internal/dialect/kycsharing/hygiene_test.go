package kycsharing_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect/kycsharing"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// canonical is a JSON call signed over its canonical form (these bodies
// have an empty callbackUrl, which the canonical form drops).
func canonical(t *testing.T, path string, m merchant, body []byte) call {
	c, err := kycsharing.Canonical(body)
	require.NoError(t, err)
	return call{path: path, body: body, signBody: []byte(c), m: m}
}

// Identifiers holding Unicode control or format characters are refused with
// 40001 naming the field and the rule: requestNo and email on information,
// requestNo on fileUpload, submit and query.
func TestIdentifierControlCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	res := e.do(canonical(t, "/open/api/kyc/share/information", e.a, info("REQ\u202e1", "maria@example.com", "", "")))
	golden(t, "error_control_characters", res)
	const msg = ": must not contain Unicode control or format characters (found %s)"
	for _, tc := range []struct {
		path string
		body []byte
		msg  string
	}{
		{"/open/api/kyc/share/information", (info("REQ-2", "maria\u200b@example.com", "", "")), "email" + fmt.Sprintf(msg, "U+200B")},
		{"/open/api/kyc/share/submit", ([]byte(`{"requestNo":"REQ\u20661"}`)), "requestNo" + fmt.Sprintf(msg, "U+2066")},
		{"/open/api/kyc/share/query", ([]byte(`{"requestNo":"REQ\u202e1"}`)), "requestNo" + fmt.Sprintf(msg, "U+202E")},
	} {
		res := e.do(canonical(t, tc.path, e.a, tc.body))
		require.Equal(t, "40001", code(res), "%s: %v", tc.path, res)
		require.Equal(t, tc.msg, res["msg"])
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fields := map[string]string{"requestNo": "REQ\u202e1", "type": "face"}
	require.NoError(t, w.WriteField("requestNo", fields["requestNo"]))
	require.NoError(t, w.WriteField("type", fields["type"]))
	fw, err := w.CreateFormFile("file", "f.jpg")
	require.NoError(t, err)
	_, err = fw.Write(photo())
	require.NoError(t, err)
	require.NoError(t, w.Close())
	up := e.do(call{path: "/open/api/kyc/share/fileUpload", body: b.Bytes(), contentType: w.FormDataContentType(), m: e.a,
		signBody: []byte(kycsharing.FormCanonical(fields))})
	require.Equal(t, "40001", code(up), "%v", up)
	require.Equal(t, "requestNo"+fmt.Sprintf(msg, "U+202E"), up["msg"])
}

// A JSON value of the wrong type is named by its JSON type, never a Go type.
func TestJSONTypeErrorsNameNoGoTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	for body, msg := range map[string]string{
		`{"email":"a@example.com","individualInfo":"x","requestNo":"R1"}`:             "body: individualInfo: wrong type, must be an object",
		`{"email":"a@example.com","individualInfo":{"firstName":5},"requestNo":"R1"}`: "body: individualInfo.firstName: wrong type, must be a string",
	} {
		res := e.do(canonical(t, "/open/api/kyc/share/information", e.a, []byte(body)))
		require.Equal(t, "40001", code(res), "%v", res)
		require.Equal(t, msg, res["msg"])
	}
}
