package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestPhoneTrailerUpload: a phone's motion photo — the JPEG, an MPF gain
// map and the video appended after it — is accepted through the native
// API; the stored blob is the primary image alone, byte for byte, and the
// document (row, response, audit entry) records what was removed. The same
// photo with a zip archive's end record at the end of its video stays
// refused, and leaves no document.
func TestPhoneTrailerUpload(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		aid := e.createApplicant(e.keyA, annaBody)
		img := testJPEG(t, 640, 400)
		trailer := append(testJPEG(t, 160, 100), kyctest.MotionPhotoVideo(300<<10)...)

		r := e.upload(aid, e.keyA, [2]any{"kind", "id_front"}, [2]any{"file", append(append([]byte{}, img...), trailer...)})
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		body := bytes.ReplaceAll(r.Body, []byte(sha256hex(img)), []byte("<sha256>"))
		golden(t, "document_created_trailer", bytes.ReplaceAll(body, []byte(sha256hex(trailer)), []byte("<trailer sha256>")))
		var got struct {
			ID             string
			Size           int64
			SHA256         string
			RemovedTrailer *kyc.RemovedTrailer `json:"removed_trailer"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &got))
		want := &kyc.RemovedTrailer{Kinds: []string{"jpeg", "mp4"}, Size: int64(len(trailer)), SHA256: sha256hex(trailer)}
		require.Equal(t, int64(len(img)), got.Size)
		require.Equal(t, sha256hex(img), got.SHA256)
		require.Equal(t, want, got.RemovedTrailer)

		mid := e.merchantOf(e.keyA)
		d, err := e.app.Store.DocumentByID(ctx, mid, got.ID)
		require.NoError(t, err)
		require.Equal(t, want, d.Trailer)
		require.Equal(t, [2]int{640, 400}, [2]int{d.Width, d.Height})
		rc, err := e.app.Blobs.Open(ctx, d.BlobKey)
		require.NoError(t, err)
		stored, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		require.Equal(t, img, stored, "the stored blob is the image without its trailer")

		var audited bool
		require.NoError(t, e.app.Store.AuditEntries(context.WithoutCancel(ctx), mid, func(a kyc.AuditEntry) error {
			if a.Action == "document.upload" && a.SubjectID == got.ID {
				var data struct {
					RemovedTrailer *kyc.RemovedTrailer `json:"removed_trailer"`
				}
				require.NoError(t, json.Unmarshal(a.Data, &data))
				require.Equal(t, want, data.RemovedTrailer)
				audited = true
			}
			return nil
		}))
		require.True(t, audited)

		zipEnd := append([]byte("PK\x05\x06"), make([]byte, 18)...)
		poly := append(append([]byte{}, img...), kyctest.MotionPhotoVideo(10<<10)...)
		poly = append(poly, kyctest.MP4Box("free", zipEnd)...)
		r = e.upload(aid, e.keyA, [2]any{"kind", "id_back"}, [2]any{"file", poly})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
		_, field := r.errField(t)
		require.Equal(t, "file", field)
		require.Contains(t, string(r.Body), "zip archive")
		docs, err := e.app.Store.DocumentsByApplicant(ctx, mid, aid)
		require.NoError(t, err)
		require.Len(t, docs, 1, "only the motion photo")
	})
}
