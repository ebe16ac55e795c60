package security_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestPhoneTrailersAndPolyglots: phones append data after a JPEG's end (a
// motion photo's video, Samsung's trailer); such photos are taken, through
// the API and the hosted page alike, and stored without it. Polyglots that
// dress up as such a trailer — a zip archive's end record at the end of the
// video, a zip, an HTML page or a PDF inside a Samsung block — stay refused
// on both surfaces and leave nothing behind.
func TestPhoneTrailersAndPolyglots(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db, nil)
		mid := merchantOf(t, e)
		photo := kyctest.JPEG(t, kyctest.SyntheticCard(400, 250))
		video := kyctest.MotionPhotoVideo(64 << 10)
		with := func(trailer []byte) []byte { return append(append([]byte{}, photo...), trailer...) }
		zipEnd := append([]byte("PK\x05\x06"), make([]byte, 18)...)
		sefBlock := func(data []byte) []byte {
			return kyctest.SamsungTrailer(kyctest.SEFBlock{Type: 0x0a30, Name: "MotionPhoto_Data", Data: data})
		}

		polyglots := map[string][]byte{
			"zip end record after the video":   with(append(append([]byte{}, video...), kyctest.MP4Box("free", zipEnd)...)),
			"zip archive in a samsung block":   with(sefBlock([]byte("PK\x03\x04\x14\x00\x00\x00\x00\x00payload"))),
			"html page in a samsung block":     with(sefBlock([]byte("<html><script>fetch('/x')</script></html>"))),
			"pdf after the video":              with(append(append([]byte{}, video...), kyctest.MP4Box("free", []byte("%PDF-1.7 1 0 obj"))...)),
			"zip appended after a motion clip": with(append(append([]byte{}, video...), "PK\x03\x04"...)),
		}
		n := 0
		for name, file := range polyglots {
			n++
			aid, link := e.applicant("poly-" + strconv.Itoa(n))
			res, b := e.uploadNative(aid, file)
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s: %s", name, b)
			require.Contains(t, string(b), "data after the end of the image", name)
			res, b = e.uploadHosted(link, file)
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s: %s", name, b)
			require.Contains(t, string(b), "data after the end of the image", name)
			e.nothingStored(mid, aid)
		}

		for i, file := range [][]byte{with(video), with(kyctest.SamsungMotionPhoto(video))} {
			aid, link := e.applicant("motion-" + strconv.Itoa(i))
			res, b := e.uploadNative(aid, file)
			require.Equal(t, http.StatusCreated, res.StatusCode, "%s", b)
			res, b = e.uploadHosted(link, file)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", b)
			docs, err := e.a.Store.DocumentsByApplicant(t.Context(), mid, aid)
			require.NoError(t, err)
			require.Len(t, docs, 2)
			for _, d := range docs {
				require.NotNil(t, d.Trailer)
				require.Equal(t, int64(len(file)-len(photo)), d.Trailer.Size)
				rc, err := e.a.Blobs.Open(t.Context(), d.BlobKey)
				require.NoError(t, err)
				stored, err := io.ReadAll(rc)
				rc.Close()
				require.NoError(t, err)
				require.True(t, bytes.Equal(photo, stored), "the stored blob is the photo alone")
			}
		}
	})
}
