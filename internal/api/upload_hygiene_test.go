package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// An upload with two file parts is refused and stores nothing; the second
// file used to be ignored.
func TestUploadRefusesTwoFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0])
	apl := e.createApplicant(e.keyA, annaBody)
	img := testJPEG(t, 640, 400)
	r := e.upload(apl, e.keyA, [2]any{"kind", "id_front"}, [2]any{"file", img}, [2]any{"file", img})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
	golden(t, "error_upload_two_files", r.Body)
	r = e.upload(apl, e.keyA, [2]any{"kind", "id_front"}, [2]any{"file", img}, [2]any{"kind", "selfie"})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
	_, field := r.errField(t)
	require.Equal(t, "file", field)
	docs, err := e.app.Applicants.Documents(context.Background(), principalOf(t, e, e.keyA), apl)
	require.NoError(t, err)
	require.Empty(t, docs, "nothing was stored")
	r = e.upload(apl, e.keyA, [2]any{"kind", "id_front"}, [2]any{"file", img})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
}
