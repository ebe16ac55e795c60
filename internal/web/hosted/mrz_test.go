package hosted_test

import (
	"context"
	"fmt"
	"image"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/web/hosted"
)

// ocrAssets is an assets folder holding only the OCR model (the face
// engine stays off). Without tesseract or the model the test is skipped,
// unless OPENKYC_REQUIRE_OCR is set (as .ci/run does).
func ocrAssets(t *testing.T) func(*config.Config) {
	t.Helper()
	dir := os.Getenv("OPENKYC_ASSETS_DIR")
	if dir == "" {
		dir = "../../../assets"
	}
	tess, err := filepath.Abs(filepath.Join(dir, "tessdata"))
	require.NoError(t, err)
	if err := (mrz.Reader{TessdataDir: tess}).Available(); err != nil {
		if os.Getenv("OPENKYC_REQUIRE_OCR") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	only := t.TempDir()
	require.NoError(t, os.Symlink(tess, filepath.Join(only, "tessdata")))
	return func(c *config.Config) {
		c.AssetsDir = only
		// the test's OCR shares the cores with every other test (CI runs
		// packages and browsers at once): neither the page's bound nor the
		// reader's own may cut a read short here
		c.HostedMRZTimeout = 30 * time.Second // the most the config allows
		c.MRZTimeout = 60 * time.Second
	}
}

// chooseDocument posts the document step of a link.
func (e *env) chooseDocument(path, docType, country string) {
	e.t.Helper()
	r, hdr := form(map[string]string{"doc_type": docType, "country": country})
	res, _ := e.page(http.MethodPost, path+"/document", r, hdr)
	require.Equal(e.t, http.StatusSeeOther, res.StatusCode)
}

// mrzProblems are the mrz.* problems of an answer (nil: none).
func mrzProblems(res hosted.UploadResult) []string {
	var out []string
	for _, p := range res.Problems {
		if strings.HasPrefix(p, "mrz.") {
			out = append(out, p)
		}
	}
	return out
}

// passportLines is the MRZ of a generated passport.
func passportLines(t *testing.T) []string {
	lines, err := mrz.Generate(mrz.Fields{Format: mrz.TD3, IssuingState: "SGP", Surname: "TAN", GivenNames: "MEI LING", DocumentNumber: "K1234567A",
		Nationality: "SGP", BirthDate: "910304", Sex: "F", ExpiryDate: "310101"})
	require.NoError(t, err)
	return lines
}

// TestUploadMRZFeedback: over HTTP with the real MRZ reader, a passport
// photo without an MRZ is answered at once with an mrz problem and its
// message (advice: the photo is stored), a readable one without; an ID
// card's front is not read, its back is.
func TestUploadMRZFeedback(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, ocrAssets(t))
	card := kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760))
	passport := kyctest.JPEG(t, kyctest.Degrade(kyctest.SyntheticDocument(t, passportLines(t), 1200), 0.3, 11))

	path := e.link(e.keyA, e.verification(e.keyA, "passport-user"), `{"locale":"en"}`)
	e.chooseDocument(path, "passport", "SG")
	st, res := e.upload(path, "id_front", card)
	require.Equal(t, http.StatusOK, st, "%+v", res)
	require.False(t, res.OK)
	mp := mrzProblems(res)
	require.Len(t, mp, 1, "%+v", res)
	require.Contains(t, []string{"mrz.not_found", "mrz.unreadable"}, mp[0])
	require.Contains(t, res.Messages, hosted.Messages("en")[mp[0]])
	require.Contains(t, hosted.Messages("en")[mp[0]], "<<<")
	require.Empty(t, res.Quality.Problems, "a sharp card: only the MRZ is wrong")
	_, body := e.page(http.MethodGet, path, nil, nil)
	require.Contains(t, body, `data-step="selfie"`, "advice only: the photo counts")

	// A readable MRZ: no mrz problem, and nothing read is in the answer.
	res2, raw := e.uploadRaw(path, "id_front", passport)
	require.Equal(t, http.StatusOK, res2.StatusCode, raw)
	require.NotContains(t, raw, "mrz.", raw)
	for _, pii := range []string{"K1234567A", "TAN", "MEI", "910304", "310101"} {
		require.NotContains(t, raw, pii)
	}

	// An identity card: the front carries no MRZ and is not read; the back is.
	path = e.link(e.keyA, e.verification(e.keyA, "card-user"), `{"locale":"zh-CN"}`)
	e.chooseDocument(path, "id_card", "DE")
	_, res = e.upload(path, "id_front", card)
	require.Empty(t, mrzProblems(res), "%+v", res)
	require.True(t, res.OK)
	_, res = e.upload(path, "id_back", card)
	mp = mrzProblems(res)
	require.Len(t, mp, 1, "%+v", res)
	require.Contains(t, res.Messages, hosted.Messages("zh-CN")[mp[0]])
}

func (e *env) uploadRaw(path, kind string, data []byte) (*http.Response, string) {
	e.t.Helper()
	b, ct := kyctest.UploadForm(nil, data)
	return e.page(http.MethodPost, path+"/upload?kind="+kind, b, map[string]string{"Content-Type": ct})
}

// fakeMRZ answers Retake as told and counts the calls.
type fakeMRZ struct {
	mu      sync.Mutex
	calls   int
	problem string
	err     error
	block   bool // wait for the context to end
}

func (f *fakeMRZ) Retake(ctx context.Context, img image.Image) (string, error) {
	f.mu.Lock()
	f.calls++
	problem, err, block := f.problem, f.err, f.block
	f.mu.Unlock()
	if img == nil || img.Bounds().Empty() {
		return "", fmt.Errorf("no image")
	}
	if block {
		<-ctx.Done()
		return "", ctx.Err()
	}
	return problem, err
}

func (f *fakeMRZ) set(problem string, err error, block bool) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.calls
	f.problem, f.err, f.block = problem, err, block
	return n
}

// TestUploadMRZFeedbackSilent: with a substituted reader, only the sides
// that carry an MRZ are read; a reader that is not installed, fails or
// outlives the timeout makes the page say nothing of the MRZ, and the
// upload does not wait past the timeout.
func TestUploadMRZFeedbackSilent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"})
	fake := &fakeMRZ{}
	h := hosted.New(e.a.Links, e.a.Verifications, e.a.Applicants, hosted.Config{MRZ: fake, MRZTimeout: 300 * time.Millisecond})
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e2 := *e // the API on e's server, the page on this one
	e2.srv = srv
	card := kyctest.JPEG(t, kyctest.SyntheticCard(1200, 760))
	face := kyctest.JPEG(t, kyctest.SyntheticFace(800, 600))

	path := e.link(e.keyA, e.verification(e.keyA, "silent"), `{}`)
	e2.chooseDocument(path, "passport", "FR")
	for _, tc := range []struct {
		name    string
		kind    string
		problem string
		err     error
		block   bool
		read    bool
		want    []string
	}{
		{"unreadable", "id_front", mrz.RetakeUnreadable, nil, false, true, []string{"mrz.unreadable"}},
		{"not found", "id_front", mrz.RetakeNotFound, nil, false, true, []string{"mrz.not_found"}},
		{"read", "id_front", "", nil, false, true, nil},
		{"unavailable", "id_front", "", fmt.Errorf("%w: tesseract missing", mrz.ErrUnavailable), false, true, nil},
		{"ocr failed", "id_front", "", fmt.Errorf("tesseract: exit status 1"), false, true, nil},
		{"timeout", "id_front", "", nil, true, true, nil},
		{"passport has no back", "id_back", mrz.RetakeUnreadable, nil, false, false, nil},
		{"selfie", "selfie", mrz.RetakeUnreadable, nil, false, false, nil},
		{"liveness frame", "liveness_frame", mrz.RetakeUnreadable, nil, false, false, nil},
	} {
		before := fake.set(tc.problem, tc.err, tc.block)
		img := card
		if tc.kind == "selfie" || tc.kind == "liveness_frame" {
			img = face
		}
		start := time.Now()
		st, res := e2.upload(path, tc.kind, img)
		require.Equal(t, http.StatusOK, st, tc.name)
		require.Less(t, time.Since(start), 5*time.Second, "%s: the upload does not wait for the reader", tc.name)
		require.Equal(t, tc.want, mrzProblems(res), "%s: %+v", tc.name, res)
		require.Equal(t, tc.read, fake.set(tc.problem, tc.err, tc.block) > before, "%s: read", tc.name)
		require.Equal(t, len(tc.want) == 0, res.OK, "%s: %+v", tc.name, res)
		require.Len(t, res.Messages, len(res.Problems), tc.name)
	}

	// The ID card of a country whose cards carry no MRZ is not read.
	path = e.link(e.keyA, e.verification(e.keyA, "cn-card"), `{}`)
	e2.chooseDocument(path, "id_card", "CN")
	before := fake.set(mrz.RetakeUnreadable, nil, false)
	for _, kind := range []string{"id_front", "id_back"} {
		_, res := e2.upload(path, kind, card)
		require.Empty(t, mrzProblems(res), kind)
	}
	require.Equal(t, before, fake.set("", nil, false))
}
