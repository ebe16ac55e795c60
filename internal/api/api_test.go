package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/api"
	"github.com/openkyc/openkyc/internal/audit"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func TestApplicants(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		r := e.postJSON("/v1/applicants", e.keyA, annaBody)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		golden(t, "applicant_created", r.Body)
		id := r.json(t)["id"].(string)

		again := e.postJSON("/v1/applicants", e.keyA, annaBody)
		require.Equal(t, http.StatusOK, again.Status, "same body returns the existing applicant")
		require.Equal(t, id, again.json(t)["id"])

		// The same data in another spelling is the same applicant.
		same := strings.Replace(annaBody, `"SWE"`, `"se"`, 1)
		require.Equal(t, http.StatusOK, e.postJSON("/v1/applicants", e.keyA, same).Status)

		diff := e.postJSON("/v1/applicants", e.keyA, strings.Replace(annaBody, "Anna", "Annie", 1))
		require.Equal(t, http.StatusConflict, diff.Status)
		code, _ := diff.errField(t)
		require.Equal(t, "applicant_data_mismatch", code)

		got := e.get("/v1/applicants/"+id, e.keyA)
		require.Equal(t, http.StatusOK, got.Status)
		require.Equal(t, "anna.eriksson@example.com", got.json(t)["email"])

		patch := e.do(http.MethodPatch, "/v1/applicants/"+id, e.keyA, strings.NewReader(`{"email":"","phone":"+14155550123","last_name":"Eriksson-Berg"}`), nil)
		require.Equal(t, http.StatusOK, patch.Status, "%s", patch.Body)
		golden(t, "applicant_patched", patch.Body)

		bad := e.do(http.MethodPatch, "/v1/applicants/"+id, e.keyA, strings.NewReader(`{"date_of_birth":"2999-01-01"}`), nil)
		require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		_, field := bad.errField(t)
		require.Equal(t, "date_of_birth", field)
		require.Equal(t, "Eriksson-Berg", e.get("/v1/applicants/"+id, e.keyA).json(t)["last_name"], "a rejected patch changes nothing")

		// The document presented: declared, answered as alpha-2, refused when unknown, cleared with "".
		doc := e.do(http.MethodPatch, "/v1/applicants/"+id, e.keyA, strings.NewReader(`{"document_type":"driving_license","document_country":"USA"}`), nil)
		require.Equal(t, http.StatusOK, doc.Status, "%s", doc.Body)
		require.Equal(t, "driving_license", doc.json(t)["document_type"])
		require.Equal(t, "US", doc.json(t)["document_country"])
		bad = e.do(http.MethodPatch, "/v1/applicants/"+id, e.keyA, strings.NewReader(`{"document_type":"library_card"}`), nil)
		require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		_, field = bad.errField(t)
		require.Equal(t, "document_type", field)
		cleared := e.do(http.MethodPatch, "/v1/applicants/"+id, e.keyA, strings.NewReader(`{"document_type":""}`), nil)
		require.Equal(t, http.StatusOK, cleared.Status)
		require.NotContains(t, cleared.json(t), "document_type")
		require.Equal(t, "US", cleared.json(t)["document_country"])

		// Merchant B cannot see or change merchant A's applicant.
		require.Equal(t, http.StatusNotFound, e.get("/v1/applicants/"+id, e.keyB).Status)
		require.Equal(t, http.StatusNotFound, e.do(http.MethodPatch, "/v1/applicants/"+id, e.keyB, strings.NewReader(`{"first_name":"Eve"}`), nil).Status)
		// and the same external id is a different applicant for merchant B.
		rb := e.postJSON("/v1/applicants", e.keyB, annaBody)
		require.Equal(t, http.StatusCreated, rb.Status)
		require.NotEqual(t, id, rb.json(t)["id"])
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name, body string
			status     int
			code       string
			field      string
		}{
			{"malformed json", `{"external_user_id":`, 400, "bad_request", "body"},
			{"missing external id", `{"first_name":"A"}`, 422, "validation_failed", "external_user_id"},
			{"unknown field", `{"external_user_id":"u","ssn":"1"}`, 422, "validation_failed", "ssn"},
			{"wrong type", `{"external_user_id":7}`, 422, "validation_failed", "external_user_id"},
			{"bad date", `{"external_user_id":"u","date_of_birth":"12/04/1990"}`, 422, "validation_failed", "date_of_birth"},
			{"future birth", `{"external_user_id":"u","date_of_birth":"2990-01-01"}`, 422, "validation_failed", "date_of_birth"},
			{"bad nationality", `{"external_user_id":"u","nationality":"XX"}`, 422, "validation_failed", "nationality"},
			{"bad email", `{"external_user_id":"u","email":"Anna <a@b.c>"}`, 422, "validation_failed", "email"},
			{"bad phone", `{"external_user_id":"u","phone":"12"}`, 422, "validation_failed", "phone"},
			{"bad address country", `{"external_user_id":"u","address":{"country":"Sweden"}}`, 422, "validation_failed", "address.country"},
			{"digits in name", `{"external_user_id":"u","first_name":"R2D2"}`, 422, "validation_failed", "first_name"},
			{"space in external id", `{"external_user_id":"a b"}`, 422, "validation_failed", "external_user_id"},
			{"control chars", `{"external_user_id":"u","last_name":"A\u0000B"}`, 422, "validation_failed", "last_name"},
			{"document number with a bidi override", `{"external_user_id":"u","document_number":"E123\u202e456"}`, 422, "validation_failed", "document_number"},
			{"unknown document type", `{"external_user_id":"u","document_type":"library_card"}`, 422, "validation_failed", "document_type"},
			{"bad document country", `{"external_user_id":"u","document_country":"Narnia"}`, 422, "validation_failed", "document_country"},
			{"document number over 128", `{"external_user_id":"u","document_number":"` + strings.Repeat("9", 129) + `"}`, 422, "validation_failed", "document_number"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.postJSON("/v1/applicants", e.keyA, tc.body)
				require.Equal(t, tc.status, r.Status, "%s", r.Body)
				code, field := r.errField(t)
				require.Equal(t, tc.code, code)
				require.Equal(t, tc.field, field, "%s", r.Body)
				require.NotContains(t, string(r.Body), "12/04/1990", "rejected values are not echoed")
			})
		}
		// Nothing was written by any of them.
		ids, err := e.app.Store.ApplicantIDsByHash(context.Background(), "", "email_hash", "x", "")
		require.NoError(t, err)
		require.Empty(t, ids)

		oversize := `{"external_user_id":"u","first_name":"` + strings.Repeat("a", 70<<10) + `"}`
		r := e.postJSON("/v1/applicants", e.keyA, oversize)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)

		r = e.postJSON("/v1/verifications", e.keyA, `{"applicant_id":"apl_nope","reference":"r"}`)
		require.Equal(t, http.StatusNotFound, r.Status)
		_, field := r.errField(t)
		require.Equal(t, "applicant_id", field)
		r = e.get("/v1/verifications?limit=500", e.keyA)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status)
		r = e.get("/v1/verifications?cursor=garbage", e.keyA)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status)
		golden(t, "error_validation", e.postJSON("/v1/applicants", e.keyA, `{"external_user_id":"u","date_of_birth":"1990-02-30"}`).Body)
	})
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	for name, key := range map[string]string{"none": "", "garbage": "nope", "well-formed unknown": "okyc_" + strings.Repeat("a", 52)} {
		r := e.get("/v1/verifications", key)
		require.Equal(t, http.StatusUnauthorized, r.Status, name)
		require.NotEmpty(t, r.Header.Get("WWW-Authenticate"))
		code, _ := r.errField(t)
		require.Equal(t, "unauthenticated", code)
	}
	r := e.upload("apl_x", "", [2]any{"kind", "id_front"})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Equal(t, http.StatusOK, e.get("/v1/openapi.json", "").Status, "the OpenAPI document is public")
	require.Equal(t, http.StatusOK, e.get("/healthz", "").Status)
	require.Equal(t, http.StatusOK, e.get("/readyz", "").Status)
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	r := e.get("/v1/openapi.json", "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, string(r.Body), `"openapi":"3.1.0"`)
	golden(t, "openapi", r.Body)
}

func TestVerificationLifecycle(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		aid := e.createApplicant(e.keyA, annaBody)
		r := e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":"order-1"}`, aid))
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		golden(t, "verification_created", r.Body)
		vid := r.json(t)["id"].(string)

		dup := e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":"order-1"}`, aid))
		require.Equal(t, http.StatusConflict, dup.Status)
		code, _ := dup.errField(t)
		require.Equal(t, "reference_exists", code)

		// Merchant B: A's applicant does not exist; A's verification neither.
		rb := e.postJSON("/v1/verifications", e.keyB, fmt.Sprintf(`{"applicant_id":%q,"reference":"order-1"}`, aid))
		require.Equal(t, http.StatusNotFound, rb.Status)
		require.Equal(t, http.StatusNotFound, e.get("/v1/verifications/"+vid, e.keyB).Status)
		require.Equal(t, http.StatusNotFound, e.postJSON("/v1/verifications/"+vid+"/submit", e.keyB, "").Status)
		list := e.get("/v1/verifications", e.keyB)
		require.Equal(t, http.StatusOK, list.Status)
		require.Empty(t, list.json(t)["items"])

		sub := e.postJSON("/v1/verifications/"+vid+"/submit", e.keyA, "")
		require.Equal(t, http.StatusAccepted, sub.Status, "%s", sub.Body)
		require.Equal(t, "submitted", sub.json(t)["state"])
		again := e.postJSON("/v1/verifications/"+vid+"/submit", e.keyA, "")
		require.Equal(t, http.StatusConflict, again.Status)
		code, _ = again.errField(t)
		require.Equal(t, "invalid_transition", code)

		got := e.get("/v1/verifications/"+vid, e.keyA)
		require.Equal(t, http.StatusOK, got.Status)
		golden(t, "verification_submitted", got.Body)

		// Each transition wrote an outbox event in the same transaction.
		evs, err := e.app.Store.EventsBySubject(context.Background(), e.merchantOf(e.keyA), vid)
		require.NoError(t, err)
		require.Len(t, evs, 2)
		require.Equal(t, "verification.created", evs[0].Type)
		require.Equal(t, "verification.submitted", evs[1].Type)

		for i := range 4 {
			require.Equal(t, http.StatusCreated, e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":"p-%d"}`, aid, i)).Status)
		}
		var seen []string
		cursor := ""
		for range 10 {
			page := e.get("/v1/verifications?limit=2&cursor="+cursor, e.keyA).json(t)
			for _, it := range page["items"].([]any) {
				seen = append(seen, it.(map[string]any)["reference"].(string))
			}
			if page["next_cursor"] == nil {
				break
			}
			cursor = page["next_cursor"].(string)
		}
		require.Equal(t, []string{"p-3", "p-2", "p-1", "p-0", "order-1"}, seen)
		onlySubmitted := e.get("/v1/verifications?state=submitted", e.keyA).json(t)["items"].([]any)
		require.Len(t, onlySubmitted, 1)

		requireAuditIntact(t, e)
	})
}

func (e *env) merchantOf(key string) string {
	p, err := e.app.Merchants.Authenticate(context.Background(), key)
	require.NoError(e.t, err)
	return p.MerchantID
}

func requireAuditIntact(t *testing.T, e *env) {
	t.Helper()
	for _, key := range []string{e.keyA, e.keyB} {
		mid := e.merchantOf(key)
		v := audit.NewVerifier(mid)
		require.NoError(t, e.app.Store.AuditEntries(context.Background(), mid, v.Next))
		require.Positive(t, v.Count)
	}
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		aid := e.createApplicant(e.keyA, annaBody)
		img := testJPEG(t, 640, 400)
		r := e.upload(aid, e.keyA, [2]any{"kind", "id_front"}, [2]any{"file", img})
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		golden(t, "document_created", bytes.ReplaceAll(r.Body, []byte(r.json(t)["sha256"].(string)), []byte("<sha256>")))
		require.EqualValues(t, len(img), r.json(t)["size"])

		pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		tests := []struct {
			name   string
			fields [][2]any
			status int
			field  string
		}{
			{"report pdf", [][2]any{{"kind", "aml_report"}, {"file", pdf}}, 201, ""},
			{"pdf as selfie", [][2]any{{"kind", "selfie"}, {"file", pdf}}, 422, "file"},
			{"executable", [][2]any{{"kind", "id_front"}, {"file", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 5000)...)}}, 422, "file"},
			{"jpeg with zip", [][2]any{{"kind", "id_back"}, {"file", append(append([]byte{}, img...), []byte("PK\x03\x04....")...)}}, 422, "file"},
			{"unknown kind", [][2]any{{"kind", "passport"}, {"file", img}}, 422, "kind"},
			{"file before kind", [][2]any{{"file", img}, {"kind", "id_front"}}, 422, "kind"},
			{"no file", [][2]any{{"kind", "id_front"}}, 422, "file"},
			{"no kind", [][2]any{}, 422, "kind"},
			{"extra field", [][2]any{{"kind", "id_front"}, {"note", "x"}}, 422, "note"},
			{"too many pixels", [][2]any{{"kind", "selfie"}, {"file", testJPEG(t, 2100, 2000)}}, 413, "file"},
			{"too large", [][2]any{{"kind", "selfie"}, {"file", noiseJPEG(t, 1800, 1600)}}, 413, "file"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.upload(aid, e.keyA, tc.fields...)
				require.Equal(t, tc.status, r.Status, "%s", r.Body)
				if tc.field != "" {
					_, field := r.errField(t)
					require.Equal(t, tc.field, field)
				}
			})
		}
		r = e.do(http.MethodPost, "/v1/applicants/"+aid+"/documents", e.keyA, bytes.NewReader(img), map[string]string{"Content-Type": "image/jpeg"})
		require.Equal(t, http.StatusUnsupportedMediaType, r.Status)
		require.Equal(t, http.StatusNotFound, e.upload(aid, e.keyB, [2]any{"kind", "id_front"}, [2]any{"file", img}).Status, "another merchant's applicant")

		// Only the two accepted uploads left rows and blobs behind.
		docs, err := e.app.Store.DocumentsByApplicant(context.Background(), e.merchantOf(e.keyA), aid)
		require.NoError(t, err)
		require.Len(t, docs, 2)
		require.Equal(t, 2, countFiles(t, filepath.Join(e.dataDir, "blobs")))
	})
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	}))
	return n
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		h := map[string]string{"Idempotency-Key": "create-anna-1"}
		first := e.postJSON("/v1/applicants", e.keyA, annaBody, h)
		require.Equal(t, http.StatusCreated, first.Status)
		replay := e.postJSON("/v1/applicants", e.keyA, annaBody, h)
		require.Equal(t, http.StatusCreated, replay.Status, "the stored response is replayed, status included")
		require.Equal(t, "true", replay.Header.Get("Idempotent-Replayed"))
		require.Equal(t, first.Body, replay.Body)

		other := e.postJSON("/v1/applicants", e.keyA, strings.Replace(annaBody, "user-1", "user-2", 1), h)
		require.Equal(t, http.StatusConflict, other.Status)
		code, field := other.errField(t)
		require.Equal(t, "idempotency_key_reused", code)
		require.Equal(t, "Idempotency-Key", field)

		// Keys are per merchant.
		require.Equal(t, http.StatusCreated, e.postJSON("/v1/applicants", e.keyB, annaBody, h).Status)
		bad := e.postJSON("/v1/applicants", e.keyA, annaBody, map[string]string{"Idempotency-Key": strings.Repeat("k", 300)})
		require.Equal(t, http.StatusBadRequest, bad.Status)

		// A request still running holds its key; one abandoned by a dead process frees it.
		ctx := context.Background()
		ok, err := e.app.Store.ReserveIdempotencyKey(ctx, e.merchantOf(e.keyA), "running", "POST /v1/applicants", time.Now())
		require.NoError(t, err)
		require.True(t, ok)
		busy := e.postJSON("/v1/applicants", e.keyA, annaBody, map[string]string{"Idempotency-Key": "running"})
		require.Equal(t, http.StatusConflict, busy.Status)
		code, _ = busy.errField(t)
		require.Equal(t, "idempotency_key_in_progress", code)
		ok, err = e.app.Store.ReserveIdempotencyKey(ctx, e.merchantOf(e.keyA), "abandoned", "POST /v1/applicants", time.Now().Add(-time.Hour))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, http.StatusOK, e.postJSON("/v1/applicants", e.keyA, annaBody, map[string]string{"Idempotency-Key": "abandoned"}).Status)

		// Multipart retries with a new boundary are the same request.
		aid := first.json(t)["id"].(string)
		img := testJPEG(t, 100, 80)
		up := func(kind string) resp {
			body, ct := multipartBody(t, [2]any{"kind", kind}, [2]any{"file", img})
			return e.do(http.MethodPost, "/v1/applicants/"+aid+"/documents", e.keyA, body, map[string]string{"Content-Type": ct, "Idempotency-Key": "doc-1"})
		}
		u1, u2 := up("id_front"), up("id_front")
		require.Equal(t, http.StatusCreated, u1.Status, "%s", u1.Body)
		require.Equal(t, u1.Body, u2.Body)
		require.Equal(t, "true", u2.Header.Get("Idempotent-Replayed"))
		require.Equal(t, http.StatusConflict, up("id_back").Status)
		docs, err := e.app.Store.DocumentsByApplicant(context.Background(), e.merchantOf(e.keyA), aid)
		require.NoError(t, err)
		require.Len(t, docs, 1, "the replay stored nothing")
	})
}

// TestPIIEncryptedAtRest greps the database files and blobs for the test
// applicant's personal data and document bytes.
func TestPIIEncryptedAtRest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"}) // the database inside the data directory
	aid := e.createApplicant(e.keyA, annaBody)
	img := testJPEG(t, 300, 200)
	require.Equal(t, http.StatusCreated, e.upload(aid, e.keyA, [2]any{"kind", "id_front"}, [2]any{"file", img}).Status)
	r := e.postJSON("/v1/verifications", e.keyA, fmt.Sprintf(`{"applicant_id":%q,"reference":"order-1"}`, aid))
	require.Equal(t, http.StatusCreated, r.Status)
	bad := e.postJSON("/v1/applicants", e.keyA, `{"external_user_id":"u9","first_name":"Eriksson","email":"anna.eriksson@bad"}`)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
	dialectPII := e.throughDialects(t)
	logs := e.logs.String()
	require.Contains(t, logs, `"msg":"http request"`)
	for _, secret := range append([]string{"Eriksson", "anna.eriksson", "XK4471902", e.keyA}, dialectPII...) {
		require.NotContains(t, logs, secret, "logs hold no PII or secrets")
	}
	require.NoError(t, e.app.Close()) // flush the WAL into the database file
	var files int
	require.NoError(t, filepath.WalkDir(e.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var found []string
		for _, secret := range append([]string{"Eriksson", "Anna", "XK4471902", "anna.eriksson", "Storgatan", "1990-04-12", "46701234567"}, dialectPII...) {
			if bytes.Contains(b, []byte(secret)) {
				found = append(found, secret)
			}
		}
		require.Empty(t, found, "%s holds personal data in clear", path)
		require.False(t, bytes.Contains(b, img[200:400]), "%s contains document bytes", path)
		return nil
	}))
	require.GreaterOrEqual(t, files, 3)
}

// TestMountRefusesMissingServices: wiring without a service fails at
// start, not with a nil dereference on the first request that needs it.
func TestMountRefusesMissingServices(t *testing.T) {
	t.Parallel()
	require.PanicsWithValue(t, "api.Mount: a service of Deps is nil (only Screening may be)", func() { api.Mount(http.NewServeMux(), api.Deps{}) })
}
