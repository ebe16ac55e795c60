package kycsharing_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// seedAnswer is the response of the seed page (kyc-sharing-upload-photo),
// typed as its "Response Parameter" table: success boolean, error boolean
// ("Fail flag"), msg string, code integer, model object, traceId string.
type seedAnswer struct {
	Success bool            `json:"success"`
	Error   bool            `json:"error"`
	Msg     string          `json:"msg"`
	Code    int             `json:"code"`
	Model   json.RawMessage `json:"model"`
	TraceID string          `json:"traceId"`
}

// strict decodes an answer as a strictly typed client does: exact types,
// no unknown fields.
func strict(t *testing.T, res map[string]any) seedAnswer {
	t.Helper()
	var a seedAnswer
	kyctest.StrictJSON(t, res, &a)
	require.Equal(t, a.Code != 0, a.Error, "error is the failure flag: %v", res)
	require.Equal(t, !a.Error, a.Success, "%v", res)
	return a
}

// seedUpload sends the parts in the order the seed's body table lists
// them: file, requestNo, type.
func (e *env) seedUpload(m merchant, reqNo, typ string, file []byte, omit string) map[string]any {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", "f")
	_, _ = fw.Write(file)
	signed := map[string]string{}
	for _, f := range [][2]string{{"requestNo", reqNo}, {"type", typ}} {
		if f[0] != omit {
			_ = w.WriteField(f[0], f[1])
			signed[f[0]] = f[1]
		}
	}
	_ = w.Close()
	body, _ := json.Marshal(signed) // sorted keys, as the canonical form
	return e.do(call{path: "/open/api/kyc/share/fileUpload", body: b.Bytes(), contentType: w.FormDataContentType(), m: m, signBody: body})
}

// TestSeedClient: a client written from the seed's text completes the
// whole flow: every answer parses with the seed's types; uploads send the
// file part first, as the seed lists it; a missing requestNo is a
// parameter error naming it.
func TestSeedClient(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		a := strict(t, e.do(call{path: "/open/api/kyc/share/information", body: info("SEED-1", "seed@example.com", "https://merchant.example/hook", ""), m: e.a}))
		require.Equal(t, 0, a.Code, a.Msg)
		for typ, f := range map[string][]byte{"idFront": photo(), "face": photo(), "amlReport": []byte(report), "idvReport": []byte(report)} {
			a := strict(t, e.seedUpload(e.a, "SEED-1", typ, f, ""))
			require.Equal(t, 0, a.Code, "%s: %s", typ, a.Msg)
		}
		a = strict(t, e.seedUpload(e.a, "SEED-1", "idBack", photo(), "requestNo"))
		require.Equal(t, 40001, a.Code)
		require.Contains(t, a.Msg, "requestNo")
		a = strict(t, e.seedUpload(e.a, "SEED-1", "idBack", photo(), "type"))
		require.Equal(t, 40001, a.Code)
		require.Contains(t, a.Msg, "type")
		a = strict(t, e.do(call{path: "/open/api/kyc/share/submit", body: []byte(`{"requestNo":"SEED-1"}`), m: e.a}))
		require.Equal(t, 0, a.Code, a.Msg)
		a = strict(t, e.do(call{path: "/open/api/kyc/share/query", body: []byte(`{"requestNo":"SEED-1"}`), m: e.a}))
		require.Equal(t, 0, a.Code, a.Msg)
		var model struct {
			RequestNo string `json:"requestNo"`
			KYCStatus string `json:"kycStatus"`
		}
		require.NoError(t, json.Unmarshal(a.Model, &model))
		require.Equal(t, "SEED-1", model.RequestNo)
		require.Contains(t, []string{"reviewing", "approved", "rejected"}, model.KYCStatus)
		// a wrong signature is a failure with the flag set
		a = strict(t, e.do(call{path: "/open/api/kyc/share/query", body: []byte(`{"requestNo":"SEED-1"}`), m: e.a,
			headers: map[string]string{"sign": "AAAA"}}))
		require.Equal(t, 40101, a.Code)
		require.NotEmpty(t, a.TraceID)
	})
}

// TestSpooledUploadRefusals: a file sent before the signed fields is set
// aside only for a known caller, and refused like a streamed one: over
// 5 MB, a second file, a signature that does not hold (nothing recorded).
func TestSpooledUploadRefusals(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		a := strict(t, e.do(call{path: "/open/api/kyc/share/information", body: info("SPOOL-1", "spool@example.com", "https://merchant.example/hook", ""), m: e.a}))
		require.Equal(t, 0, a.Code, a.Msg)
		body := func(files ...[]byte) ([]byte, string) {
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			for _, f := range files {
				fw, _ := w.CreateFormFile("file", "f")
				_, _ = fw.Write(f)
			}
			_ = w.WriteField("requestNo", "SPOOL-1")
			_ = w.WriteField("type", "idFront")
			_ = w.Close()
			return b.Bytes(), w.FormDataContentType()
		}
		signed := []byte(`{"requestNo":"SPOOL-1","type":"idFront"}`)
		upload := func(c call) seedAnswer {
			c.path = "/open/api/kyc/share/fileUpload"
			if c.signBody == nil {
				c.signBody = signed
			}
			return strict(t, e.do(c))
		}
		b, ct := body(photo())
		a = upload(call{body: b, contentType: ct, m: merchant{appID: "unknown", secret: "x"}})
		require.Equal(t, 40103, a.Code, "an unknown appId is refused before the body is read")
		a = upload(call{body: b, contentType: ct, m: e.a, signBody: []byte(`{"requestNo":"SPOOL-1","type":"face"}`)})
		require.Equal(t, 40101, a.Code, "the fields after the file are signed")
		b, ct = body(photo(), photo())
		a = upload(call{body: b, contentType: ct, m: e.a})
		require.Equal(t, 40001, a.Code)
		require.Equal(t, "file: send one file per request; this one has more", a.Msg)
		b, ct = body(append(photo(), make([]byte, 5<<20)...))
		a = upload(call{body: b, contentType: ct, m: e.a})
		require.Equal(t, 40001, a.Code)
		require.Contains(t, a.Msg, "5 MB")
		// none of these recorded a document: submit still names idFront
		a = strict(t, e.do(call{path: "/open/api/kyc/share/submit", body: []byte(`{"requestNo":"SPOOL-1"}`), m: e.a}))
		require.Equal(t, 40001, a.Code)
		require.Contains(t, a.Msg, "idFront")
	})
}
