package verification_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/verification"
)

// unit returns a random unit vector of n dimensions.
func unit(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	var s float64
	for i := range v {
		v[i] = float32(r.NormFloat64())
		s += float64(v[i]) * float64(v[i])
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(s))
	}
	return v
}

func selfie(merchantID, applicantID string, n int) kyc.Document {
	return kyc.Document{ID: fmt.Sprintf("doc_%s_%d", applicantID, n), MerchantID: merchantID, ApplicantID: applicantID, Kind: kyc.DocSelfie}
}

// TestFaceGallery: embeddings stored through one service (replica) are
// found by another on the same database; the applicant's own faces, other
// merchants' faces and embeddings of another size are never compared.
func TestFaceGallery(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		svcs, _, ps := newReplicas(t, db, 2, verification.Config{})
		a, b, p, m2 := svcs[0], svcs[1], ps[0], ps[1]
		r := rand.New(rand.NewPCG(1, 2))
		ea, eb := a.CheckEnv(), b.CheckEnv()

		hit, err := eb.NearestFace(ctx, p.MerchantID, "apl_new", unit(r, 512))
		require.NoError(t, err)
		require.Zero(t, hit.Compared, "empty gallery")

		faces := map[string][]float32{}
		for i := range 50 {
			app := fmt.Sprintf("apl_%02d", i)
			faces[app] = unit(r, 512)
			require.NoError(t, ea.PutFaceEmbedding(ctx, selfie(p.MerchantID, app, 1), faces[app]))
		}
		// another merchant's copy of apl_07's face is never compared
		require.NoError(t, ea.PutFaceEmbedding(ctx, selfie(m2.MerchantID, "apl_x", 1), faces["apl_07"]))

		probe := append([]float32(nil), faces["apl_07"]...)
		probe[0] += 0.05 // the same face, slightly different
		hit, err = eb.NearestFace(ctx, p.MerchantID, "apl_new", probe)
		require.NoError(t, err)
		require.Equal(t, "apl_07", hit.ApplicantID)
		require.Greater(t, hit.Score, 0.99)
		require.Equal(t, 50, hit.Compared)

		hit, err = eb.NearestFace(ctx, p.MerchantID, "apl_07", probe)
		require.NoError(t, err)
		require.NotEqual(t, "apl_07", hit.ApplicantID, "the applicant's own faces are excluded")
		require.Less(t, hit.Score, 0.3)
		require.Equal(t, 49, hit.Compared)

		// b catches up with a face stored after its first load
		late := unit(r, 512)
		require.NoError(t, ea.PutFaceEmbedding(ctx, selfie(p.MerchantID, "apl_late", 1), late))
		hit, err = eb.NearestFace(ctx, p.MerchantID, "apl_new", late)
		require.NoError(t, err)
		require.Equal(t, "apl_late", hit.ApplicantID)
		require.Equal(t, 51, hit.Compared)

		// an embedding of another model size is ignored, not compared
		require.NoError(t, ea.PutFaceEmbedding(ctx, selfie(p.MerchantID, "apl_small", 1), unit(r, 128)))
		b.ForgetFaces(p.MerchantID)
		hit, err = eb.NearestFace(ctx, p.MerchantID, "apl_new", late)
		require.NoError(t, err)
		require.Equal(t, 51, hit.Compared)

		hit, err = eb.NearestFace(ctx, m2.MerchantID, "apl_new", probe)
		require.NoError(t, err)
		require.Equal(t, "apl_x", hit.ApplicantID)
		require.Equal(t, 1, hit.Compared)
	})
}

// BenchmarkFaceSearch100k measures the duplicate-face search over 100,000
// embeddings of one merchant stored over the past 30 days (SQLite): the
// first search loads and decrypts the gallery; later ones read what is new
// and search it.
func BenchmarkFaceSearch100k(b *testing.B) {
	const n = 100_000
	start := time.Now().Add(-30 * 24 * time.Hour)
	var seeded atomic.Int64 // faces stored so far; then real time
	clock := func() time.Time {
		if i := seeded.Load(); i < n {
			return start.Add(time.Duration(i) * 30 * 24 * time.Hour / n)
		}
		return time.Now()
	}
	svcs, _, ps := newReplicas(b, kyctest.DBs(b)[0], 1, verification.Config{Now: clock})
	env, p := svcs[0].CheckEnv(), ps[0]
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	for i := range n {
		require.NoError(b, env.PutFaceEmbedding(ctx, selfie(p.MerchantID, fmt.Sprintf("apl_%06d", i), 1), unit(r, 512)))
		seeded.Add(1)
	}
	t0 := time.Now()
	hit, err := env.NearestFace(ctx, p.MerchantID, "apl_new", unit(r, 512))
	require.NoError(b, err)
	require.Equal(b, n, hit.Compared)
	cold := time.Since(t0)
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		q := unit(r, 512)
		t := time.Now()
		if _, err := env.NearestFace(ctx, p.MerchantID, "apl_new", q); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(cold.Milliseconds()), "ms-cold-load")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}

// TestFaceGalleryHonoursDeletion: a deletion on one replica takes the
// applicant's faces out of another replica's loaded gallery at once.
func TestFaceGalleryHonoursDeletion(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		svcs, _, ps := newReplicas(t, db, 2, verification.Config{})
		a, b, p := svcs[0], svcs[1], ps[0]
		r := rand.New(rand.NewPCG(3, 4))
		var ids []string
		faces := map[string][]float32{}
		for i := range 3 {
			ap, _, err := a.Applicants().Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: fmt.Sprintf("face-del-%d", i),
				PII: kyc.PII{FirstName: "Anna"}})
			require.NoError(t, err)
			ids = append(ids, ap.ID)
			faces[ap.ID] = unit(r, 512)
			require.NoError(t, a.CheckEnv().PutFaceEmbedding(ctx, selfie(p.MerchantID, ap.ID, 1), faces[ap.ID]))
		}
		hit, err := b.CheckEnv().NearestFace(ctx, p.MerchantID, "apl_probe", faces[ids[1]])
		require.NoError(t, err)
		require.Equal(t, ids[1], hit.ApplicantID, "b's gallery is loaded")

		_, err = verification.NewErasure(a).DeleteApplicant(ctx, p, ids[1], false)
		require.NoError(t, err)
		hit, err = b.CheckEnv().NearestFace(ctx, p.MerchantID, "apl_probe", faces[ids[1]])
		require.NoError(t, err)
		require.NotEqual(t, ids[1], hit.ApplicantID, "the deleted applicant's face is out of b's search")
		require.Equal(t, 2, hit.Compared)
	})
}
