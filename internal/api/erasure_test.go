package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/verification"
)

const erasureBody = `{"external_user_id":"erase-me-7c1d","first_name":"Quentinella","last_name":"Zwarthoofd","date_of_birth":"1985-02-03",
 "email":"quentinella.zwarthoofd@example.org","phone":"+31 6 12345678","document_number":"NQ7719043"}`

// secrets gathers what the store and the blob store hold of one applicant:
// ciphertexts and other bytes that must all be gone after the purge.
type secrets struct {
	bytes   map[string][]byte // name -> bytes to look for
	strings map[string]string
}

func (s secrets) add(name string, b []byte) {
	if len(b) >= 16 {
		s.bytes[name] = b
	}
}

func collectSecrets(t *testing.T, e *env, p kyc.Principal, aid string) secrets {
	t.Helper()
	ctx := context.Background()
	sec := secrets{bytes: map[string][]byte{}, strings: map[string]string{}}
	a, sealed, err := e.app.Store.ApplicantByID(ctx, p.MerchantID, aid)
	require.NoError(t, err)
	sec.add("sealed pii", sealed)
	for k, v := range map[string]string{"external id": "erase-me-7c1d", "external id hash": a.ExternalIDHash, "email hash": a.EmailHash, "document number hash": a.DocNumberHash, "phone hash": a.PhoneHash} {
		require.NotEmpty(t, v, k)
		sec.strings[k] = v
	}
	docs, err := e.app.Store.DocumentsByApplicant(ctx, p.MerchantID, aid)
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	for _, d := range docs {
		r, err := e.app.Blobs.Open(ctx, d.BlobKey)
		require.NoError(t, err)
		plain, err := io.ReadAll(r)
		r.Close()
		require.NoError(t, err)
		sec.add("document "+string(d.Kind)+" plaintext", plain[len(plain)/2:len(plain)/2+64])
		raw, err := os.ReadFile(filepath.Join(e.dataDir, "blobs", filepath.FromSlash(d.BlobKey)))
		require.NoError(t, err, "the blob of %s is a file under the data directory", d.ID)
		sec.add("document "+string(d.Kind)+" ciphertext", raw[len(raw)/2:len(raw)/2+64])
	}
	var faces int
	require.NoError(t, e.app.Store.FaceEmbeddings(ctx, p.MerchantID, time.Time{}, func(fe store.FaceEmbedding) error {
		if fe.ApplicantID == aid {
			sec.add("face embedding "+fe.DocumentID, fe.Sealed)
			faces++
		}
		return nil
	}))
	require.Positive(t, faces)
	vs, err := e.app.Store.VerificationsOfApplicant(ctx, p.MerchantID, aid, 10)
	require.NoError(t, err)
	for _, v := range vs {
		_, checks, err := e.app.Store.VerificationWithChecks(ctx, p.MerchantID, v.ID)
		require.NoError(t, err)
		for _, c := range checks {
			if len(c.Evidence) > 40 {
				sec.strings["evidence of "+string(c.Kind)] = string(c.Evidence)
			}
		}
		decs, err := e.app.Store.Decisions(ctx, p.MerchantID, v.ID)
		require.NoError(t, err)
		for _, d := range decs {
			sec.add("decision note "+d.ID, d.SealedNote)
		}
	}
	return sec
}

// leftovers looks for every secret in the raw files of the data directory
// (SQLite's database and log, the blobs) and, on PostgreSQL, in every row of
// every table.
func leftovers(t *testing.T, e *env, db kyctest.DB, sec secrets) []string {
	t.Helper()
	var found []string
	look := func(where string, hay []byte) {
		for name, b := range sec.bytes {
			if bytes.Contains(hay, b) {
				found = append(found, name+" in "+where)
			}
		}
		for name, s := range sec.strings {
			if bytes.Contains(hay, []byte(s)) {
				found = append(found, name+" in "+where)
			}
		}
	}
	require.NoError(t, filepath.WalkDir(e.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		look(path, b)
		return nil
	}))
	if db.Name == "sqlite" {
		// the test database lives outside the data directory
		path := strings.TrimPrefix(db.URL, "sqlite:")
		for _, f := range []string{path, path + "-wal"} {
			if b, err := os.ReadFile(f); err == nil {
				look(f, b)
			}
		}
		return found
	}
	pg, err := sql.Open("pgx", db.URL)
	require.NoError(t, err)
	defer pg.Close()
	rows, err := pg.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Err())
	require.Contains(t, tables, "applicants")
	hexed := secrets{bytes: map[string][]byte{}, strings: sec.strings}
	for name, b := range sec.bytes {
		hexed.strings[name+" (hex)"] = hex.EncodeToString(b)
	}
	sec = hexed
	for _, table := range tables {
		var dump sql.NullString
		require.NoError(t, pg.QueryRow(`SELECT string_agg(row_to_json(t)::text, E'\n') FROM "`+table+`" t`).Scan(&dump))
		look("table "+table, []byte(dump.String))
	}
	return found
}

func TestErasure(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, withWorkers)
		ctx := context.Background()
		p := principalOf(t, e, e.keyA)
		rcv := newReceiver(t)
		e.registerWebhook(rcv)

		// An applicant created with an Idempotency-Key (its reply is stored),
		// documents, a verification through the pipeline, a reviewer's
		// decision with a note, and a face embedding.
		r := e.postJSON("/v1/applicants", e.keyA, erasureBody, map[string]string{"Idempotency-Key": "erase-create-1"})
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		aid := r.json(t)["id"].(string)
		for _, k := range []string{"id_front", "selfie"} {
			up := e.upload(aid, e.keyA, [2]any{"kind", k}, [2]any{"file", testJPEG(t, 320, 200)})
			require.Equal(t, http.StatusCreated, up.Status, "%s", up.Body)
		}
		vid := e.submitNew(aid, "erase-ref-1")
		if e.settle(vid)["state"] == "review" {
			_, err := e.app.Verifications.Apply(ctx, p, vid, verification.Event{Action: verification.ActDecide, Decision: kyc.DecisionApproved,
				Reasons: []string{}, Note: "reviewer note about Quentinella", DecidedBy: "reviewer:test"})
			require.NoError(t, err)
		}
		docs, err := e.app.Store.DocumentsByApplicant(ctx, p.MerchantID, aid)
		require.NoError(t, err)
		var selfie kyc.Document
		for _, d := range docs {
			if d.Kind == kyc.DocSelfie {
				selfie = d
			}
		}
		emb := make([]byte, 512)
		for i := range emb {
			emb[i] = byte(i * 7)
		}
		sealedEmb, err := e.app.Keys.Seal(emb, []byte("face:"+selfie.ID))
		require.NoError(t, err)
		require.NoError(t, e.app.Store.PutFaceEmbedding(ctx, store.FaceEmbedding{DocumentID: selfie.ID, MerchantID: p.MerchantID,
			ApplicantID: aid, Sealed: sealedEmb, CreatedAt: time.Now()}))
		sec := collectSecrets(t, e, p, aid)
		require.Empty(t, leftovers(t, e, db, secrets{bytes: map[string][]byte{}, strings: map[string]string{"probe": "Quentinella"}}),
			"PII is encrypted at rest: the plain name is nowhere")

		// Another merchant can neither delete, restore nor export it.
		for _, c := range []struct{ method, path string }{
			{http.MethodDelete, "/v1/applicants/" + aid}, {http.MethodPost, "/v1/applicants/" + aid + "/restore"},
			{http.MethodGet, "/v1/applicants/" + aid + "/export"}, {http.MethodDelete, "/v1/applicants/" + aid + "/biometrics"},
		} {
			res := e.do(c.method, c.path, e.keyB, nil, nil)
			require.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", c.method, c.path, res.Body)
		}

		// Export: the data, the documents as uploaded, and an audit entry.
		res := e.get("/v1/applicants/"+aid+"/export", e.keyA)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "application/zip", res.Header.Get("Content-Type"))
		zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
		require.NoError(t, err)
		files := map[string][]byte{}
		for _, f := range zr.File {
			rc, err := f.Open()
			require.NoError(t, err)
			files[f.Name], err = io.ReadAll(rc)
			rc.Close()
			require.NoError(t, err)
		}
		var ex applicant.Export
		require.NoError(t, json.Unmarshal(files["export.json"], &ex))
		require.Equal(t, "Quentinella", ex.Applicant.PII.FirstName)
		require.Equal(t, "quentinella.zwarthoofd@example.org", ex.Applicant.PII.Email)
		require.Len(t, ex.Documents, 2)
		require.Len(t, ex.Verifications, 1)
		require.NotEmpty(t, ex.Verifications[0].Checks)
		require.NotEmpty(t, ex.Audit)
		require.NotContains(t, string(files["export.json"]), "reviewer note", "internal notes stay out of the export")
		for _, d := range ex.Documents {
			require.Equal(t, testJPEG(t, 320, 200), files[d.File], d.File)
		}
		require.Len(t, files, 3)

		// Soft deletion: out of the searches, no new data, restorable.
		res = e.do(http.MethodDelete, "/v1/applicants/"+aid, e.keyA, nil, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		body := res.json(t)
		require.Equal(t, "deleted", body["status"])
		purgeAfter, err := time.Parse(time.RFC3339Nano, body["purge_after"].(string))
		require.NoError(t, err)
		require.WithinDuration(t, time.Now().AddDate(0, 0, store.DefaultRestoreDays), purgeAfter, time.Minute)
		require.Equal(t, "Quentinella", body["first_name"], "restorable until the purge")
		require.Equal(t, http.StatusOK, e.do(http.MethodDelete, "/v1/applicants/"+aid, e.keyA, nil, nil).Status, "deleting again is harmless")
		a, _, err := e.app.Store.ApplicantByID(ctx, p.MerchantID, aid)
		require.NoError(t, err)
		require.Empty(t, a.EmailHash+a.DocNumberHash+a.PhoneHash, "out of the duplicate search")
		has, err := e.app.Store.HasFaceEmbedding(ctx, p.MerchantID, aid)
		require.NoError(t, err)
		require.False(t, has, "out of the face search")
		up := e.upload(aid, e.keyA, [2]any{"kind", "id_back"}, [2]any{"file", testJPEG(t, 320, 200)})
		require.Equal(t, http.StatusConflict, up.Status, "%s", up.Body)
		code, _ := up.errField(t)
		require.Equal(t, "applicant_deleted", code)
		res = e.postJSON("/v1/verifications", e.keyA, `{"applicant_id":"`+aid+`","reference":"erase-ref-2"}`)
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		res = e.postJSON("/v1/applicants/"+aid+"/restore", e.keyA, "")
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "active", res.json(t)["status"])
		a, _, err = e.app.Store.ApplicantByID(ctx, p.MerchantID, aid)
		require.NoError(t, err)
		require.Equal(t, sec.strings["email hash"], a.EmailHash, "back in the duplicate search")
		res = e.postJSON("/v1/applicants/"+aid+"/restore", e.keyA, "")
		require.Equal(t, http.StatusConflict, res.Status)
		code, _ = res.errField(t)
		require.Equal(t, "applicant_not_deleted", code)

		// Immediate erasure: a tombstone, and no byte of the person left.
		res = e.do(http.MethodDelete, "/v1/applicants/"+aid+"?immediate=true", e.keyA, nil, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		body = res.json(t)
		require.Equal(t, "erased", body["status"])
		require.Equal(t, "erased:"+aid, body["external_user_id"])
		for _, f := range []string{"first_name", "last_name", "email", "phone", "document_number", "date_of_birth"} {
			require.NotContains(t, body, f)
		}
		require.NotEmpty(t, body["erased_at"])
		require.Equal(t, "erased", e.get("/v1/applicants/"+aid, e.keyA).json(t)["status"])
		v := e.get("/v1/verifications/"+vid, e.keyA).json(t)
		require.Equal(t, "completed", v["state"], "the decision stays in the tombstone")
		require.NotEmpty(t, v["decision"])
		for _, c := range v["checks"].([]any) {
			require.Equal(t, map[string]any{}, c.(map[string]any)["evidence"], "evidence is scrubbed")
		}
		found := leftovers(t, e, db, sec)
		require.Empty(t, found, "purged applicant data still stored")
		res = e.get("/v1/applicants/"+aid+"/export", e.keyA)
		require.Equal(t, http.StatusConflict, res.Status)
		res = e.postJSON("/v1/applicants/"+aid+"/restore", e.keyA, "")
		require.Equal(t, http.StatusConflict, res.Status)
		code, _ = res.errField(t)
		require.Equal(t, "applicant_erased", code)

		// The external id is free again; the old Idempotency-Key reply is gone.
		r = e.postJSON("/v1/applicants", e.keyA, erasureBody)
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		require.NotEqual(t, aid, r.json(t)["id"])

		// Every step is in the audit chain, which still verifies.
		var actions []string
		entries, err := e.app.Store.AuditBySubject(ctx, p.MerchantID, []string{aid}, 100)
		require.NoError(t, err)
		for _, en := range entries {
			actions = append(actions, en.Action)
		}
		require.Equal(t, []string{"applicant.create", "applicant.export", "applicant.delete", "applicant.restore", "applicant.delete", "applicant.erase"}, actions)
		_, err = e.app.Store.VerifyAuditChain(ctx, p.MerchantID)
		require.NoError(t, err)

		// The merchant's webhook heard each step, by applicant id.
		want := []string{"applicant.deleted", "applicant.restored", "applicant.deleted", "applicant.erased"}
		applicantEvents := func() ([]string, []map[string]any) {
			rcv.mu.Lock()
			defer rcv.mu.Unlock()
			var types []string
			var data []map[string]any
			for _, m := range rcv.got {
				if strings.HasPrefix(m.Type, "applicant.") {
					var d map[string]any
					require.NoError(t, json.Unmarshal(m.Data, &d))
					types, data = append(types, m.Type), append(data, d)
				}
			}
			return types, data
		}
		waitUntil(t, "applicant events", func() bool { got, _ := applicantEvents(); return len(got) >= len(want) })
		got, data := applicantEvents()
		require.ElementsMatch(t, want, got, "deliveries may arrive in any order")
		for _, d := range data {
			require.Equal(t, aid, d["applicant_id"])
			require.Equal(t, "merchant", d["by"])
		}
	})
}

func TestBiometricErasure(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := principalOf(t, e, e.keyA)
		aid := e.applicantWithDocs(person("bio-1", "bio@example.org"), "id_front", "selfie", "liveness_frame")
		res := e.do(http.MethodDelete, "/v1/applicants/"+aid+"/biometrics", e.keyA, nil, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.EqualValues(t, 2, res.json(t)["documents_deleted"])
		docs, err := e.app.Store.DocumentsByApplicant(ctx, p.MerchantID, aid)
		require.NoError(t, err)
		require.Len(t, docs, 1)
		require.Equal(t, kyc.DocIDFront, docs[0].Kind)
		entries, err := filepath.Glob(filepath.Join(e.dataDir, "blobs", p.MerchantID, aid, "doc_*"))
		require.NoError(t, err)
		require.Len(t, entries, 1, "the selfie and liveness blobs are deleted")
		require.Equal(t, "active", e.get("/v1/applicants/"+aid, e.keyA).json(t)["status"])
		res = e.do(http.MethodDelete, "/v1/applicants/apl_00000000000000000000000000/biometrics", e.keyA, nil, nil)
		require.Equal(t, http.StatusNotFound, res.Status)
	})
}

func TestRetention(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := principalOf(t, e, e.keyA)
		pb := principalOf(t, e, e.keyB)

		require.Equal(t, map[string]any{"documents_days": 0.0, "pii_days": 0.0, "restore_days": 30.0}, e.get("/v1/retention", e.keyA).json(t))
		for body, field := range map[string]string{
			`{"documents_days":10,"pii_days":5,"restore_days":7}`:  "documents_days",
			`{"documents_days":1,"pii_days":3,"restore_days":400}`: "restore_days",
			`{"documents_days":-1,"pii_days":3,"restore_days":7}`:  "documents_days",
		} {
			res := e.do(http.MethodPut, "/v1/retention", e.keyA, strings.NewReader(body), nil)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", body, res.Body)
			_, f := res.errField(t)
			require.Contains(t, f, field, body)
		}
		res := e.do(http.MethodPut, "/v1/retention", e.keyA, strings.NewReader(`{"documents_days":1,"pii_days":3,"restore_days":7}`), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

		decided := func(ext string, merchant kyc.Principal, key string) string {
			body := person(ext, ext+"@example.org")
			aid := e.createApplicant(key, body)
			r := e.upload(aid, key, [2]any{"kind", "id_front"}, [2]any{"file", testJPEG(t, 320, 200)})
			require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
			v, err := e.app.Verifications.Create(ctx, merchant, kyc.SurfaceNative, verification.CreateInput{ApplicantID: aid, Reference: ext})
			require.NoError(t, err)
			for _, ev := range []verification.Event{{Action: verification.ActSubmit}, {Action: verification.ActStart},
				{Action: verification.ActDecide, Decision: kyc.DecisionApproved, Reasons: []string{}, DecidedBy: "reviewer:test"}} {
				_, err = e.app.Verifications.Apply(ctx, merchant, v.ID, ev)
				require.NoError(t, err)
			}
			return aid
		}
		old := decided("ret-old", p, e.keyA)
		other := decided("ret-other", pb, e.keyB) // merchant B keeps everything
		open := e.applicantWithDocs(person("ret-open", "open@example.org"), "id_front")
		_, err := e.app.Verifications.Create(ctx, p, kyc.SurfaceNative, verification.CreateInput{ApplicantID: open, Reference: "ret-open"})
		require.NoError(t, err)
		gone := e.createApplicant(e.keyA, person("ret-deleted", "deleted@example.org"))
		require.Equal(t, http.StatusOK, e.do(http.MethodDelete, "/v1/applicants/"+gone, e.keyA, nil, nil).Status)

		at := func(days int) verification.RetentionReport {
			svc := verification.NewService(e.app.Store, e.app.Keys, e.app.Blobs, verification.Config{
				Now: func() time.Time { return time.Now().AddDate(0, 0, days) }})
			rep, err := verification.NewErasure(svc).RunRetention(ctx, e.app.Log)
			require.NoError(t, err)
			return rep
		}
		status := func(key, aid string) map[string]any { return e.get("/v1/applicants/"+aid, key).json(t) }
		docCount := func(merchant kyc.Principal, aid string) int {
			docs, err := e.app.Store.DocumentsByApplicant(ctx, merchant.MerchantID, aid)
			require.NoError(t, err)
			return len(docs)
		}

		require.Equal(t, verification.RetentionReport{}, at(0), "nothing is due yet")
		require.Equal(t, verification.RetentionReport{DocumentsErased: 1}, at(2))
		require.Zero(t, docCount(p, old))
		require.NotEmpty(t, status(e.keyA, old)["documents_erased_at"])
		require.Equal(t, "Anna", status(e.keyA, old)["first_name"], "PII outlives the documents")
		require.Equal(t, 1, docCount(p, open), "an open verification keeps its applicant")
		require.Equal(t, 1, docCount(pb, other))

		require.Equal(t, verification.RetentionReport{Purged: 1}, at(4))
		require.Equal(t, "erased", status(e.keyA, old)["status"])
		require.Equal(t, "deleted", status(e.keyA, gone)["status"], "within its restore window")
		require.Equal(t, "active", status(e.keyA, open)["status"])
		require.Equal(t, "active", status(e.keyB, other)["status"])

		require.Equal(t, verification.RetentionReport{Purged: 1}, at(31))
		require.Equal(t, "erased", status(e.keyA, gone)["status"])
		require.Equal(t, verification.RetentionReport{}, at(31), "a second run finds nothing")

		entries, err := e.app.Store.AuditBySubject(ctx, p.MerchantID, []string{old}, 100)
		require.NoError(t, err)
		var byRetention []string
		for _, en := range entries {
			if en.Actor == "system:retention" {
				byRetention = append(byRetention, en.Action)
			}
		}
		require.Equal(t, []string{"applicant.documents_expire", "applicant.delete", "applicant.erase"}, byRetention)

		// The merchant's webhooks are told, with "by": "retention".
		evs, err := e.app.Store.EventsBySubject(ctx, p.MerchantID, old)
		require.NoError(t, err)
		var types []string
		for _, ev := range evs {
			types = append(types, ev.Type)
			require.Contains(t, string(ev.Payload), `"by":"retention"`)
		}
		require.Equal(t, []string{"applicant.documents_erased", "applicant.deleted", "applicant.erased"}, types)
	})
}

var (
	actorRE   = regexp.MustCompile(`api_key:key_[0-9a-z]+`)
	docFileRE = regexp.MustCompile(`documents/doc_[0-9a-z]+`)
	erasedRE  = regexp.MustCompile(`erased:apl_[0-9a-z]+`)
)

// TestDataProtectionWire: golden files of the export document, the
// retention settings, a biometric deletion and a tombstone.
func TestDataProtectionWire(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	aid := e.applicantWithDocs(annaBody, "id_front", "selfie")
	res := e.get("/v1/applicants/"+aid+"/export", e.keyA)
	require.Equal(t, http.StatusOK, res.Status)
	zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	require.NoError(t, err)
	require.Equal(t, "export.json", zr.File[0].Name)
	rc, err := zr.File[0].Open()
	require.NoError(t, err)
	doc, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	doc = docFileRE.ReplaceAll(actorRE.ReplaceAll(doc, []byte("api_key:key_<id>")), []byte("documents/doc_<id>"))
	golden(t, "export", doc)

	golden(t, "retention_default", e.get("/v1/retention", e.keyA).Body)
	res = e.do(http.MethodPut, "/v1/retention", e.keyA, strings.NewReader(`{"documents_days":90,"pii_days":1825,"restore_days":14}`), nil)
	require.Equal(t, http.StatusOK, res.Status)
	golden(t, "retention_set", res.Body)
	res = e.do(http.MethodPut, "/v1/retention", e.keyA, strings.NewReader(`{"documents_days":90,"pii_days":30,"restore_days":14}`), nil)
	golden(t, "retention_invalid", res.Body)

	res = e.do(http.MethodDelete, "/v1/applicants/"+aid+"/biometrics", e.keyA, nil, nil)
	golden(t, "biometrics_deleted", res.Body)
	res = e.do(http.MethodDelete, "/v1/applicants/"+aid, e.keyA, nil, nil)
	golden(t, "applicant_deleted", res.Body)
	res = e.do(http.MethodDelete, "/v1/applicants/"+aid+"?immediate=true", e.keyA, nil, nil)
	golden(t, "applicant_erased", erasedRE.ReplaceAll(res.Body, []byte("erased:apl_<id>")))
	res = e.do(http.MethodPost, "/v1/applicants/"+aid+"/restore", e.keyA, nil, nil)
	golden(t, "restore_erased", res.Body)
}
