package reliability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// TestKillDuringUploads: eight uploads to one applicant, the server killed
// (SIGKILL) while their bytes stream in. Each upload was recorded as pending
// before its bytes landed, so nothing is lost track of: `openkyc uploads
// reap` removes every unrecorded byte, and an erasure after such a crash
// leaves nothing of the person in the blob store.
func TestKillDuringUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills real processes")
	}
	t.Parallel()
	bin := build(t)
	photo := noiseJPEG(t)
	for _, db := range kyctest.DBs(t) {
		t.Run(db.Name, func(t *testing.T) {
			t.Parallel()
			killDuringUploads(t, bin, db, photo)
		})
	}
}

func killDuringUploads(t *testing.T, bin string, db kyctest.DB, photo []byte) {
	dir := t.TempDir()
	common := []string{"--data-dir", dir, "--database-url", db.URL, "--log-level", "warn"}
	out, err := exec.Command(bin, append([]string{"merchant", "create", "--name", "Uploads", "--json"}, common...)...).Output()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	merchantID := m["id"].(string)
	addr := freeAddr(t)
	serve := func() *proc {
		return start(t, bin, append([]string{"serve", "--addr", addr, "--rate-limit-merchant", "0", "--rate-limit-address", "0"}, common...)...)
	}
	base := "http://" + addr
	c := client{base: base, key: m["api_key"].(string)}
	s, err := store.Open(context.Background(), store.Config{URL: db.URL})
	require.NoError(t, err)
	defer s.Close()
	blobDir := filepath.Join(dir, "blobs", merchantID)

	// crash uploads 8 photos to a new applicant and kills the server while
	// their bytes are streaming in.
	crash := func(user string) string {
		p := serve()
		waitHealthy(t, base)
		st, a, err := c.do(http.MethodPost, "/v1/applicants", `{"external_user_id":"`+user+`","first_name":"Ada","last_name":"Byron"}`)
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, st, "%v", a)
		aid := a["id"].(string)
		for range 8 {
			go slowUpload(base, c.key, aid, photo)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			pending, err := s.PendingUploadsOf(context.Background(), merchantID, aid)
			require.NoError(t, err)
			if len(pending) == 8 && len(files(t, filepath.Join(blobDir, aid))) == 8 {
				break
			}
			require.True(t, time.Now().Before(deadline), "uploads did not start: %d pending; logs:\n%s", len(pending), p.logs)
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // more bytes land
		p.kill()
		docs, err := s.DocumentsByApplicant(context.Background(), merchantID, aid)
		require.NoError(t, err)
		require.Empty(t, docs, "no upload finished")
		require.Len(t, files(t, filepath.Join(blobDir, aid)), 8, "the crash left the partial files")
		return aid
	}

	// 1. The reaper removes what a crash leaves (a running server does so
	// hourly for uploads older than an hour; the command takes any age).
	first := crash("crash-1")
	out, err = exec.Command(bin, append([]string{"uploads", "reap", "--older-than", "1ms"}, common...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "reaped 8 unrecorded uploads")
	require.Empty(t, files(t, filepath.Join(blobDir, first)), "no orphan survives the reaper")
	pending, err := s.PendingUploadsOf(context.Background(), merchantID, first)
	require.NoError(t, err)
	require.Empty(t, pending)

	// 2. An erasure right after such a crash (before any reaping) deletes
	// every byte under the applicant, recorded or not.
	second := crash("crash-2")
	serve()
	waitHealthy(t, base)
	st, body, err := c.do(http.MethodDelete, "/v1/applicants/"+second+"?immediate=true", "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, st, "%v", body)
	require.Equal(t, "erased", body["status"], "%v", body)
	require.Empty(t, files(t, filepath.Join(blobDir, second)), "the erasure left bytes of the person")
}

// slowUpload sends the first megabyte of a photo and then waits for the kill.
func slowUpload(base, key, applicantID string, photo []byte) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("kind", "id_front")
		fw, _ := mw.CreateFormFile("file", "photo.jpg")
		_, _ = fw.Write(photo[:1<<20])
		time.Sleep(time.Minute) // never finishes: the server is killed first
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/applicants/"+applicantID+"/documents", pr)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
}

// files lists the regular files under dir (none when it does not exist).
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if strings.Contains(err.Error(), "no such file") {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, path)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// noiseJPEG is a photo of noise, a few megabytes large.
func noiseJPEG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1400, 1000))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
	}
	img.Set(0, 0, color.RGBA{A: 255})
	b := kyctest.JPEG(t, img)
	require.Greater(t, len(b), 1<<20, fmt.Sprintf("%d bytes", len(b)))
	return b
}
