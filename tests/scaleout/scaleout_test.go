// Package scaleout proves the scale-out topology with real processes:
// PostgreSQL, two `openkyc serve` replicas without workers and one
// `openkyc worker`, documents on an S3-compatible server on loopback
// (gofakes3; versitygw takes minutes to build here), and a round-robin client.
package scaleout_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/client"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

const cases = 24

// roundRobin sends each request to the next replica.
type roundRobin struct {
	hosts []string
	n     atomic.Uint64
	seen  []atomic.Int64
}

func (rr *roundRobin) RoundTrip(r *http.Request) (*http.Response, error) {
	i := int(rr.n.Add(1) % uint64(len(rr.hosts)))
	rr.seen[i].Add(1)
	out := r.Clone(r.Context())
	out.URL.Host, out.Host = rr.hosts[i], rr.hosts[i]
	return http.DefaultTransport.RoundTrip(out)
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func TestTwoReplicasOneWorkerOnS3(t *testing.T) {
	base := os.Getenv(kyctest.PostgresEnv)
	if base == "" {
		t.Skip("set " + kyctest.PostgresEnv + " (.ci/run does) to run the scale-out proof")
	}
	dbURL := kyctest.PostgresSchema(t, base)

	// S3 on loopback.
	backend := s3mem.New()
	require.NoError(t, backend.CreateBucket("kyc"))
	s3srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(s3srv.Close)

	bin := filepath.Join(t.TempDir(), "openkyc")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/openkyc/openkyc/cmd/openkyc").CombinedOutput()
	require.NoError(t, err, "%s", out)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"OPENKYC_MASTER_KEY="+base64.StdEncoding.EncodeToString(key), "OPENKYC_DATABASE_URL="+dbURL,
		"OPENKYC_BLOB_URL=s3://kyc?endpoint="+s3srv.URL+"&use_path_style=true&region=us-east-1", "OPENKYC_LOG_LEVEL=warn")
	// Each process has a data directory of its own, as on separate machines:
	// nothing is shared but PostgreSQL, the bucket and the master key.
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append(args, "--data-dir", t.TempDir())...)
		cmd.Env = env
		return cmd
	}
	out, err = run("merchant", "create", "--name", "Scale", "--json").Output()
	require.NoError(t, err)
	var m struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	require.NoError(t, json.Unmarshal(out, &m))
	// No OCR assets, face models or lists here: the merchant's level allows
	// those checks to be unavailable, or every verification would wait in
	// review (CHECK_UNAVAILABLE) as the default level wants.
	levelFile := filepath.Join(t.TempDir(), "basic.yaml")
	require.NoError(t, os.WriteFile(levelFile, []byte(enginelessLevel), 0o600))
	out, err = run("level", "set", "--merchant", m.ID, "--file", levelFile).CombinedOutput()
	require.NoError(t, err, "%s", out)

	var logs []*bytes.Buffer
	startProc := func(args ...string) {
		cmd := run(args...)
		buf := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = io.Discard, buf
		require.NoError(t, cmd.Start())
		logs = append(logs, buf)
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	hosts := []string{freeAddr(t), freeAddr(t)}
	for _, h := range hosts {
		startProc("serve", "--addr", h, "--workers=false", "--rate-limit-merchant", "0", "--rate-limit-address", "0")
	}
	startProc("worker", "--worker-concurrency", "8")
	for _, h := range hosts {
		require.Eventually(t, func() bool {
			res, err := http.Get("http://" + h + "/readyz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == http.StatusOK
		}, 30*time.Second, 50*time.Millisecond, "replica %s not ready", h)
	}

	rr := &roundRobin{hosts: hosts, seen: make([]atomic.Int64, len(hosts))}
	c := client.New("http://"+hosts[0], m.APIKey, client.WithHTTPClient(&http.Client{Transport: rr, Timeout: 30 * time.Second}))
	ctx := context.Background()
	var ids []string
	for i := range cases {
		ap, err := c.CreateApplicant(ctx, client.ApplicantInput{ExternalUserID: fmt.Sprint("u", i), FirstName: "Anna", LastName: "Eriksson",
			DateOfBirth: "1990-04-12", Email: fmt.Sprintf("u%d@example.com", i)})
		require.NoError(t, err)
		for kind, img := range map[string][]byte{client.DocIDFront: kyctest.JPEG(t, kyctest.SyntheticCard(800, 500)),
			client.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(640, 480))} {
			_, err := c.UploadDocument(ctx, ap.ID, kind, kind+".jpg", bytes.NewReader(img))
			require.NoError(t, err)
		}
		v, err := c.CreateVerification(ctx, client.VerificationInput{ApplicantID: ap.ID, Reference: fmt.Sprint("r", i)})
		require.NoError(t, err)
		_, err = c.SubmitVerification(ctx, v.ID)
		require.NoError(t, err)
		ids = append(ids, v.ID)
	}

	// The worker decides each one; both replicas see every decision.
	replicas := []*client.Client{client.New("http://"+hosts[0], m.APIKey), client.New("http://"+hosts[1], m.APIKey)}
	deadline := time.Now().Add(90 * time.Second)
	for _, id := range ids {
		for {
			v, err := c.GetVerification(ctx, id)
			require.NoError(t, err)
			if v.State == "completed" {
				break
			}
			require.True(t, time.Now().Before(deadline), "%s stays %s; logs:\n%s\n%s\n%s", id, v.State, logs[0], logs[1], logs[2])
			time.Sleep(50 * time.Millisecond)
		}
		for _, r := range replicas {
			v, err := r.GetVerification(ctx, id)
			require.NoError(t, err)
			require.Equal(t, "completed", v.State)
			require.Equal(t, "approved", *v.Decision, "%v", v.Checks)
		}
	}
	require.Positive(t, rr.seen[0].Load())
	require.Positive(t, rr.seen[1].Load(), "both replicas served")

	// The documents are in the bucket, encrypted.
	list, err := backend.ListBucket("kyc", nil, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(list.Contents), 2*cases)

	// No job ran twice: one decision per verification, each verify job done in one attempt.
	s, err := store.Open(ctx, store.Config{URL: dbURL})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	decided := map[string]int{}
	require.NoError(t, s.AuditEntries(ctx, m.ID, func(e kyc.AuditEntry) error {
		if e.Action == "verification.decide" {
			decided[e.SubjectID]++
		}
		return nil
	}))
	require.Len(t, decided, cases)
	for _, id := range ids {
		require.Equal(t, 1, decided[id], "%s decided %d times", id, decided[id])
		j, err := s.JobByID(ctx, "job_verify_"+id+"_1")
		require.NoError(t, err)
		require.Equal(t, store.JobDone, j.State)
		require.Equal(t, 1, j.Attempts, "job of %s ran %d times", id, j.Attempts)
	}
	u, _ := url.Parse(s3srv.URL)
	t.Logf("%d verifications through 2 replicas (%d and %d requests), decided by 1 worker; %d objects on gofakes3 at %s",
		cases, rr.seen[0].Load(), rr.seen[1].Load(), len(list.Contents), u.Host)
}

// enginelessLevel is the default level of a merchant whose installation has
// no OCR assets, face models or sanctions lists.
const enginelessLevel = `name: basic
required_documents: [id_front, selfie]
min_age: 18
checks:
  documents.required: {enabled: true, required: true}
  document.integrity: {enabled: true, required: true}
  data.age: {enabled: true, required: true}
  data.expiry: {enabled: true, allow_unavailable: true}
  duplicate.identity: {enabled: true, on_fail: review}
  blocklist: {enabled: true, required: true}
  document.mrz: {enabled: true, on_fail: review, allow_unavailable: true}
  data.consistency: {enabled: true, on_fail: review, allow_unavailable: true}
  document.tamper_hints: {enabled: true, on_fail: review}
  face.match: {enabled: true, on_fail: review, allow_unavailable: true}
  face.duplicate: {enabled: true, on_fail: review, allow_unavailable: true}
  face.liveness: {enabled: true, on_fail: review, allow_unavailable: true}
  screening.sanctions: {enabled: true, on_fail: review, allow_unavailable: true}
final_reasons: [BLOCKLISTED, SANCTIONS_HIT, FRAUD_SUSPECTED]
max_attempts: 5
`
