package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// TestUploadThroughS3 runs the document upload of the API on an s3:// blob
// URL against an in-process S3 (gofakes3), as a scaled-out deployment would.
// Not parallel: the AWS SDK reads credentials from the environment.
func TestUploadThroughS3(t *testing.T) {
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket("kyc-docs"))
	s3srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer s3srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")

	e := newEnv(t, kyctest.DBs(t)[0], func(c *config.Config) {
		c.BlobURL = "s3://kyc-docs?endpoint=" + s3srv.URL + "&use_path_style=true&region=us-east-1"
	})
	aid := e.createApplicant(e.keyA, annaBody)
	img := testJPEG(t, 400, 300)
	r := e.upload(aid, e.keyA, [2]any{"kind", "selfie"}, [2]any{"file", img})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	require.Equal(t, http.StatusUnprocessableEntity, e.upload(aid, e.keyA, [2]any{"kind", "selfie"}, [2]any{"file", img[:len(img)/2]}).Status)
	require.Equal(t, http.StatusOK, e.get("/readyz", "").Status)

	list, err := backend.ListBucket("kyc-docs", nil, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1, "only the accepted upload is stored")
	obj, err := backend.GetObject("kyc-docs", list.Contents[0].Key, nil)
	require.NoError(t, err)
	stored, err := io.ReadAll(obj.Contents)
	require.NoError(t, err)
	require.False(t, bytes.Contains(stored, img[100:300]), "stored encrypted")

	// The bytes come back intact through the service.
	_, rc, err := e.app.Applicants.OpenDocument(t.Context(), principalOf(t, e, e.keyA), r.json(t)["id"].(string))
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	rc.Close()
	require.Equal(t, img, got)

	// A crash between the bytes and the row leaves an unrecorded object
	// under the applicant (issue: orphans survived erasure).
	orphan := plantOrphan(t, e, aid)
	list, err = backend.ListBucket("kyc-docs", nil, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	require.Len(t, list.Contents, 2)

	// An erasure deletes every object under the applicant, recorded or not.
	res := e.do(http.MethodDelete, "/v1/applicants/"+aid+"?immediate=true", e.keyA, nil, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	list, err = backend.ListBucket("kyc-docs", nil, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	require.Empty(t, list.Contents, "the purge deleted the document and the unrecorded upload %s from S3", orphan)

	// The reaper deletes the unrecorded uploads of a live applicant once
	// they are older than any upload in flight.
	live := e.createApplicant(e.keyA, strings.Replace(annaBody, `"user-1"`, `"user-2"`, 1))
	plantOrphan(t, e, live)
	n, err := e.app.Applicants.ReapUploads(t.Context(), time.Nanosecond)
	require.NoError(t, err)
	require.Equal(t, 2, n, "both orphans were pending (the erased one's row too)")
	list, err = backend.ListBucket("kyc-docs", nil, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	require.Empty(t, list.Contents)
}

// plantOrphan leaves what a crash after the bytes and before the row leaves:
// a pending upload and its encrypted object.
func plantOrphan(t *testing.T, e *env, applicantID string) string {
	t.Helper()
	p := principalOf(t, e, e.keyA)
	key := applicant.BlobPrefix(p.MerchantID, applicantID) + kyc.NewID(kyc.PrefixDocument)
	require.NoError(t, e.app.Store.InsertPendingUpload(t.Context(), store.PendingUpload{BlobKey: key, MerchantID: p.MerchantID,
		ApplicantID: applicantID, CreatedAt: time.Now()}))
	w, err := e.app.Blobs.NewWriter(t.Context(), key)
	require.NoError(t, err)
	_, err = w.Write(testJPEG(t, 64, 64))
	require.NoError(t, err)
	require.NoError(t, w.Commit())
	return key
}
