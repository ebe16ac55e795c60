package verification

import (
	"context"
	"encoding/binary"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Gallery timings: new embeddings are read from the store with this
// overlap (a transaction that began earlier may commit later, on any
// replica), and a merchant's gallery is reloaded in full this often, so
// rows deleted by another replica leave the search.
const (
	galleryOverlap = 2 * time.Minute
	galleryReload  = 10 * time.Minute
)

// faceGallery keeps each merchant's selfie embeddings decrypted in memory
// (2 KiB per face) for the duplicate search: brute-force cosine over a flat
// array, split across the cores. The store is the truth; the gallery
// catches up with it before every search.
type faceGallery struct {
	mu sync.Mutex
	m  map[string]*merchantFaces
}

type merchantFaces struct {
	load sync.Mutex   // one refresh at a time
	mu   sync.RWMutex // guards the data below
	seen map[string]bool
	apps []string  // applicant of each embedding
	vecs []float32 // embeddings, dim each, end to end
	dim  int
	// newest is the latest created_at read; full when the last full load ran.
	newest, full time.Time
}

func (g *faceGallery) merchant(id string) *merchantFaces {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*merchantFaces{}
	}
	mf := g.m[id]
	if mf == nil {
		mf = &merchantFaces{}
		g.m[id] = mf
	}
	return mf
}

// forget drops a merchant's gallery (after a deletion); the next search
// reloads it.
func (g *faceGallery) forget(merchantID string) {
	g.mu.Lock()
	delete(g.m, merchantID)
	g.mu.Unlock()
}

func faceAAD(documentID string) []byte { return []byte("face:" + documentID) }

func (s *Service) openFace(fe store.FaceEmbedding) ([]float32, error) {
	b, err := s.keys.Open(fe.Sealed, faceAAD(fe.DocumentID))
	if err != nil {
		return nil, err
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// refresh brings the merchant's gallery up to date with the store.
func (s *Service) refreshFaces(ctx context.Context, merchantID string, mf *merchantFaces) error {
	mf.load.Lock()
	defer mf.load.Unlock()
	now := s.clock()
	if mf.full.IsZero() || now.Sub(mf.full) > galleryReload {
		fresh := &merchantFaces{seen: map[string]bool{}}
		err := s.store.FaceEmbeddings(ctx, merchantID, time.Time{}, func(fe store.FaceEmbedding) error {
			return s.addFace(fresh, fe)
		})
		if err != nil {
			return err
		}
		mf.mu.Lock()
		mf.seen, mf.apps, mf.vecs, mf.dim, mf.newest, mf.full = fresh.seen, fresh.apps, fresh.vecs, fresh.dim, fresh.newest, now
		mf.mu.Unlock()
		return nil
	}
	var added []store.FaceEmbedding
	err := s.store.FaceEmbeddings(ctx, merchantID, mf.newest.Add(-galleryOverlap), func(fe store.FaceEmbedding) error {
		if !mf.seen[fe.DocumentID] { // read without mf.mu: only refresh writes seen, under load
			added = append(added, fe)
		}
		return nil
	})
	if err != nil || len(added) == 0 {
		return err
	}
	mf.mu.Lock()
	defer mf.mu.Unlock()
	for _, fe := range added {
		if err := s.addFace(mf, fe); err != nil {
			return err
		}
	}
	return nil
}

// addFace decrypts and appends one embedding (the caller holds the locks).
func (s *Service) addFace(mf *merchantFaces, fe store.FaceEmbedding) error {
	if mf.seen[fe.DocumentID] {
		return nil
	}
	v, err := s.openFace(fe)
	if err != nil {
		return err
	}
	if mf.dim == 0 {
		mf.dim = len(v)
	}
	if len(v) != mf.dim { // a model of another size: not comparable
		return nil
	}
	mf.seen[fe.DocumentID] = true
	mf.apps = append(mf.apps, fe.ApplicantID)
	mf.vecs = append(mf.vecs, v...)
	if fe.CreatedAt.After(mf.newest) {
		mf.newest = fe.CreatedAt
	}
	return nil
}

// nearest is the brute-force search: the best cosine of v against every
// embedding of an applicant other than exclude, split across the cores.
func (mf *merchantFaces) nearest(v []float32, exclude string) check.FaceHit {
	mf.mu.RLock()
	defer mf.mu.RUnlock()
	hit := check.FaceHit{Score: -1}
	if mf.dim != len(v) || len(mf.apps) == 0 {
		return hit
	}
	n := len(mf.apps)
	parts := min(runtime.GOMAXPROCS(0), max(1, n/4096))
	type best struct {
		i     int
		score float64
		count int
	}
	res := make([]best, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() {
			b := best{i: -1, score: -2}
			for i := lo; i < hi; i++ {
				if mf.apps[i] == exclude {
					continue
				}
				b.count++
				if d := dot(v, mf.vecs[i*mf.dim:(i+1)*mf.dim]); d > b.score {
					b.i, b.score = i, d
				}
			}
			res[p] = b
		})
	}
	wg.Wait()
	for _, b := range res {
		hit.Compared += b.count
		if b.i >= 0 && b.score > hit.Score {
			hit.Score, hit.ApplicantID = b.score, mf.apps[b.i]
		}
	}
	return hit
}

// dot is the inner product, eight lanes at a time.
func dot(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		x, y := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		s4 += x[4] * y[4]
		s5 += x[5] * y[5]
		s6 += x[6] * y[6]
		s7 += x[7] * y[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return float64((s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7))
}

// NearestFace finds the stored selfie of another applicant of the merchant
// closest to v.
func (e checkEnv) NearestFace(ctx context.Context, merchantID, excludeApplicantID string, v []float32) (check.FaceHit, error) {
	for attempt := 0; ; attempt++ {
		mf := e.s.faces.merchant(merchantID)
		if err := e.s.refreshFaces(ctx, merchantID, mf); err != nil {
			return check.FaceHit{}, err
		}
		hit := mf.nearest(v, excludeApplicantID)
		if hit.ApplicantID == "" || attempt > 0 {
			return hit, nil
		}
		// The gallery drops deletions made on other replicas only at its
		// next full reload: confirm the hit is still stored.
		ok, err := e.s.store.HasFaceEmbedding(ctx, merchantID, hit.ApplicantID)
		if err != nil || ok {
			return hit, err
		}
		e.s.faces.forget(merchantID)
	}
}

// PutFaceEmbedding seals a selfie's embedding (float32, little endian),
// bound to its document, and stores it; the gallery picks it up on its
// next refresh.
func (e checkEnv) PutFaceEmbedding(ctx context.Context, d kyc.Document, v []float32) error {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	sealed, err := e.s.keys.Seal(b, faceAAD(d.ID))
	if err != nil {
		return err
	}
	return e.s.store.PutFaceEmbedding(ctx, store.FaceEmbedding{DocumentID: d.ID, MerchantID: d.MerchantID, ApplicantID: d.ApplicantID,
		Sealed: sealed, CreatedAt: e.s.clock()})
}
