package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"
	"gocloud.dev/blob/s3blob"

	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func exercise(t *testing.T, s *blob.Store) {
	ctx := context.Background()
	plain := make([]byte, 3<<20+123)
	_, _ = rand.Read(plain)
	copy(plain, "JANE DOE P<UTOERIKSSON<<ANNA")

	w, err := s.NewWriter(ctx, "m/doc_1")
	require.NoError(t, err)
	_, err = io.Copy(w, bytes.NewReader(plain))
	require.NoError(t, err)
	require.NoError(t, w.Commit())

	r, err := s.Open(ctx, "m/doc_1")
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, plain, got)

	// An aborted upload leaves nothing behind.
	w, err = s.NewWriter(ctx, "m/doc_2")
	require.NoError(t, err)
	_, err = w.Write(plain[:1000])
	require.NoError(t, err)
	w.Abort()
	_, err = s.Open(ctx, "m/doc_2")
	require.ErrorIs(t, err, kyc.ErrNotFound)

	require.NoError(t, s.Delete(ctx, "m/doc_1"))
	require.NoError(t, s.Delete(ctx, "m/doc_1"), "deleting twice is fine")
	_, err = s.Open(ctx, "m/doc_1")
	require.ErrorIs(t, err, kyc.ErrNotFound)
	require.NoError(t, s.Ping(ctx))
}

func TestFileBucketEncryptsAtRest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	u, err := blob.URLForDataDir(dir)
	require.NoError(t, err)
	s, err := blob.Open(context.Background(), u, kyctest.Keyring(t))
	require.NoError(t, err)
	defer s.Close()
	exercise(t, s)

	w, err := s.NewWriter(context.Background(), "x/secret")
	require.NoError(t, err)
	_, _ = w.Write([]byte("PASSPORT NUMBER X1234567 JANE DOE"))
	require.NoError(t, w.Commit())
	raw, err := os.ReadFile(filepath.Join(dir, "blobs", "x", "secret"))
	require.NoError(t, err)
	require.NotContains(t, string(raw), "X1234567")
	require.NotContains(t, string(raw), "JANE")
}

func TestS3BucketThroughGofakes3(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket("kyc-docs"))
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()

	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	b, err := s3blob.OpenBucket(context.Background(), client, "kyc-docs", nil)
	require.NoError(t, err)
	s := blob.NewWithBucket(b, kyctest.Keyring(t))
	defer s.Close()
	exercise(t, s)

	w, err := s.NewWriter(context.Background(), "x/secret")
	require.NoError(t, err)
	_, _ = w.Write([]byte("PASSPORT NUMBER X1234567"))
	require.NoError(t, w.Commit())
	obj, err := backend.GetObject("kyc-docs", "x/secret", nil)
	require.NoError(t, err)
	raw, err := io.ReadAll(obj.Contents)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "X1234567")
}
