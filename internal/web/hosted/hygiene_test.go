package hosted_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/web/hosted"
)

// An upload with two file parts is refused (422) and stores nothing; the
// second file used to be ignored.
func TestUploadRefusesTwoFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	vid := e.verification(e.keyA, "twofiles")
	path := e.link(e.keyA, vid, `{}`)
	img := kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760))
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for range 2 {
		fw, err := w.CreateFormFile("file", "photo.jpg")
		require.NoError(t, err)
		_, err = fw.Write(img)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	res, body := e.page(http.MethodPost, path+"/upload?kind=id_front", &b, map[string]string{"Content-Type": w.FormDataContentType()})
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, body)
	var out hosted.UploadResult
	require.NoError(t, json.Unmarshal([]byte(body), &out), body)
	require.Equal(t, "file: send one file per request; this one has more", out.Error)
	st, v := e.api(http.MethodGet, "/v1/verifications/"+vid, e.keyA, "")
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "created", v["state"])
	ctx := context.Background()
	p, err := e.a.Merchants.Authenticate(ctx, e.keyA)
	require.NoError(t, err)
	docs, err := e.a.Applicants.Documents(ctx, p, v["applicant_id"].(string))
	require.NoError(t, err)
	require.Empty(t, docs, "nothing was stored")
	st, _ = e.upload(path, "id_front", img)
	require.Equal(t, http.StatusOK, st, "one file is taken")
}
