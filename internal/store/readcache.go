package store

import (
	"context"
	"database/sql"
	"slices"
	"sync"

	"github.com/openkyc/openkyc/internal/kyc"
)

// readCache serves repeated status reads of a verification from memory on
// SQLite, and stays exact: every entry is tagged with SQLite's data_version,
// read from one dedicated connection that never writes, so a commit by any
// connection or any process invalidates every entry before it can be served.
// (PostgreSQL has no such cheap global change counter; it reads through.)
//
// Reading data_version costs a round through database/sql and SQLite's
// locking, so concurrent readers share reads: a reader joins the next read
// that has not started yet, which therefore still sees every commit made
// before the reader arrived (group commit, applied to a read).
type readCache struct {
	mu      sync.Mutex // guards conn and stmt
	conn    *sql.Conn
	stmt    *sql.Stmt
	entries sync.Map // cacheKey -> cacheEntry, all of version ver
	size    int      // approximate bytes held
	ver     int64    // the data_version of every entry
	sizeMu  sync.Mutex

	vmu     sync.Mutex
	running bool          // a data_version read is in flight
	next    *versionBatch // readers waiting for the read after it
}

// versionBatch is one data_version read shared by the readers that joined
// it before it started.
type versionBatch struct {
	done chan struct{}
	v    int64
	err  error
}

type cacheKey struct{ merchantID, id string }

type cacheEntry struct {
	version int64
	v       kyc.Verification
	checks  []kyc.Check
}

// readCacheMaxBytes bounds the cache's memory (approximately: the entries'
// evidence and a fixed overhead each).
const readCacheMaxBytes = 32 << 20

// entryBytes estimates an entry's memory.
func entryBytes(v kyc.Verification, checks []kyc.Check) int {
	n := 512 + len(v.UserMessage) + len(v.Note)
	for _, c := range checks {
		n += 256 + len(c.Evidence)
	}
	return n
}

func newReadCache(ctx context.Context, db *sql.DB) (*readCache, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	stmt, err := conn.PrepareContext(ctx, `PRAGMA data_version`)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &readCache{conn: conn, stmt: stmt}, nil
}

// version returns a data_version read that started after the call did.
func (c *readCache) version(ctx context.Context) (int64, error) {
	c.vmu.Lock()
	b := c.next
	if b == nil {
		b = &versionBatch{done: make(chan struct{})}
		c.next = b
	}
	lead := !c.running
	if lead {
		c.running, c.next = true, nil
	}
	c.vmu.Unlock()
	if lead {
		c.runBatches(context.WithoutCancel(ctx), b)
	}
	<-b.done
	return b.v, b.err
}

// runBatches reads data_version for b, then hands the next batch, if one
// gathered meanwhile, to a new goroutine so that the leader returns.
func (c *readCache) runBatches(ctx context.Context, b *versionBatch) {
	c.mu.Lock()
	b.err = c.stmt.QueryRowContext(ctx).Scan(&b.v)
	c.mu.Unlock()
	close(b.done)
	c.vmu.Lock()
	next := c.next
	if next == nil {
		c.running = false
	} else {
		c.next = nil
	}
	c.vmu.Unlock()
	if next != nil {
		go c.runBatches(ctx, next)
	}
}

func (c *readCache) get(k cacheKey, version int64) (kyc.Verification, []kyc.Check, bool) {
	e, ok := c.entries.Load(k)
	if !ok {
		return kyc.Verification{}, nil, false
	}
	ce := e.(cacheEntry)
	if ce.version != version {
		return kyc.Verification{}, nil, false
	}
	v := ce.v
	v.Reasons = slices.Clone(ce.v.Reasons)
	return v, slices.Clone(ce.checks), true
}

// put keeps an entry of the current data_version. Any commit changes the
// version and makes every older entry useless, so a newer version clears
// the cache (memory then holds only what was read since the last write), an
// older one is not stored, and a byte budget bounds the rest.
func (c *readCache) put(k cacheKey, version int64, v kyc.Verification, checks []kyc.Check) {
	n := entryBytes(v, checks)
	c.sizeMu.Lock()
	defer c.sizeMu.Unlock()
	switch {
	case version < c.ver:
		return
	case version > c.ver:
		c.entries.Clear()
		c.size, c.ver = 0, version
	}
	if c.size+n > readCacheMaxBytes {
		c.entries.Clear()
		c.size = 0
	}
	c.size += n
	v.Reasons = slices.Clone(v.Reasons)
	c.entries.Store(k, cacheEntry{version: version, v: v, checks: slices.Clone(checks)})
}

func (c *readCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stmt.Close()
	c.conn.Close()
}

// VerificationWithChecks is the cached form of reads.VerificationWithChecks
// for reads outside a transaction.
func (s *Store) VerificationWithChecks(ctx context.Context, merchantID, id string) (kyc.Verification, []kyc.Check, error) {
	if s.rcache == nil {
		return s.reads.VerificationWithChecks(ctx, merchantID, id)
	}
	ver, err := s.rcache.version(ctx)
	if err != nil {
		return s.reads.VerificationWithChecks(ctx, merchantID, id)
	}
	k := cacheKey{merchantID, id}
	if v, checks, ok := s.rcache.get(k, ver); ok {
		return v, checks, nil
	}
	v, checks, err := s.reads.VerificationWithChecks(ctx, merchantID, id)
	if err == nil {
		s.rcache.put(k, ver, v, checks)
	}
	return v, checks, err
}

// LatestVerificationByExternalID returns the newest verification of the
// merchant's applicant whose key on a surface has this keyed hash (cached
// on SQLite like VerificationWithChecks).
func (s *Store) LatestVerificationByExternalID(ctx context.Context, merchantID string, surface kyc.Surface, externalIDHash string) (kyc.Verification, error) {
	load := func() (kyc.Verification, error) {
		return s.reads.latestVerificationByExternalID(ctx, merchantID, surface, externalIDHash)
	}
	return s.cachedVerification(ctx, cacheKey{merchantID, "ext\x00" + string(surface) + "\x00" + externalIDHash}, load)
}

// CachedVerificationByReference is VerificationByReference, cached on SQLite.
func (s *Store) CachedVerificationByReference(ctx context.Context, merchantID string, surface kyc.Surface, reference string) (kyc.Verification, error) {
	load := func() (kyc.Verification, error) {
		return s.reads.VerificationByReference(ctx, merchantID, surface, reference)
	}
	return s.cachedVerification(ctx, cacheKey{merchantID, "ref\x00" + string(surface) + "\x00" + reference}, load)
}

func (s *Store) cachedVerification(ctx context.Context, k cacheKey, load func() (kyc.Verification, error)) (kyc.Verification, error) {
	if s.rcache == nil {
		return load()
	}
	ver, err := s.rcache.version(ctx)
	if err != nil {
		return load()
	}
	if v, _, ok := s.rcache.get(k, ver); ok {
		return v, nil
	}
	v, err := load()
	if err == nil {
		s.rcache.put(k, ver, v, nil)
	}
	return v, err
}
