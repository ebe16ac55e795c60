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
type readCache struct {
	mu      sync.Mutex // guards conn and stmt
	conn    *sql.Conn
	stmt    *sql.Stmt
	entries sync.Map // cacheKey -> cacheEntry
	size    int
	sizeMu  sync.Mutex
}

type cacheKey struct{ merchantID, id string }

type cacheEntry struct {
	version int64
	v       kyc.Verification
	checks  []kyc.Check
}

const readCacheMax = 50_000

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

func (c *readCache) version(ctx context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var v int64
	err := c.stmt.QueryRowContext(ctx).Scan(&v)
	return v, err
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

func (c *readCache) put(k cacheKey, version int64, v kyc.Verification, checks []kyc.Check) {
	c.sizeMu.Lock()
	if c.size >= readCacheMax {
		c.entries.Clear()
		c.size = 0
	}
	c.size++
	c.sizeMu.Unlock()
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
