// Package store is openkyc's persistence: one set of SQL in the portable subset
// that runs unchanged on SQLite (embedded default) and PostgreSQL (scale-out),
// embedded goose migrations per engine, and transactions that carry a state
// change together with its audit entry and outbox event.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Engine names a database engine.
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Config says which database to open.
type Config struct {
	// URL is postgres://... or postgresql://... for PostgreSQL, sqlite:PATH or
	// file:PATH for SQLite; empty means SQLite at DataDir/openkyc.db.
	URL     string
	DataDir string
	// ReadConns caps the SQLite read pool (default 4).
	ReadConns int
}

// Store is the database handle. Reads go to the read pool; every write runs
// inside InTx on the write pool.
type Store struct {
	reads
	engine Engine
	lockID int64 // PostgreSQL advisory lock taken while migrating
	w      *sql.DB
	r      *sql.DB
	goose  *goose.Provider
	cache  *stmtCache // SQLite read pool only
	rcache *readCache // SQLite only

	jobsInserted func()
}

// Open connects to the database. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	engine, dsn, err := parseURL(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{engine: engine}
	switch engine {
	case Postgres:
		s.lockID = migrationLockID(dsn)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.w, s.r = db, db
	case SQLite:
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
		// Create the file private to the service user; SQLite gives the WAL
		// and shared-memory files the same mode.
		if f, err := os.OpenFile(dsn, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
			f.Close()
		}
		pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_pragma=synchronous(NORMAL)"
		// secure_delete overwrites deleted content, so that a purged applicant
		// leaves no bytes in free pages.
		w, err := sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&_pragma=secure_delete(ON)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// SQLite has one writer; one connection avoids SQLITE_BUSY between our own writers.
		w.SetMaxOpenConns(1)
		w.SetConnMaxLifetime(0)
		r, err := sql.Open("sqlite", "file:"+dsn+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		n := cfg.ReadConns
		if n <= 0 {
			n = 4
		}
		r.SetMaxOpenConns(n)
		s.w, s.r = w, r
	}
	if err := s.w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", engine, err)
	}
	if err := s.initGoose(); err != nil {
		s.Close()
		return nil, err
	}
	if engine == SQLite {
		s.cache = newStmtCache(s.r)
		s.reads = reads{q: s.cache}
		if s.rcache, err = newReadCache(ctx, s.r); err != nil {
			s.Close()
			return nil, err
		}
	} else {
		s.reads = reads{q: s.r}
	}
	return s, nil
}

func parseURL(cfg Config) (Engine, string, error) {
	u := cfg.URL
	switch {
	case u == "":
		if cfg.DataDir == "" {
			return "", "", errors.New("database: set a database URL or a data directory")
		}
		return SQLite, filepath.Join(cfg.DataDir, "openkyc.db"), nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if _, err := url.Parse(u); err != nil {
			return "", "", fmt.Errorf("database URL: %w", err)
		}
		return Postgres, u, nil
	case strings.HasPrefix(u, "sqlite://"):
		return SQLite, strings.TrimPrefix(u, "sqlite://"), nil
	case strings.HasPrefix(u, "sqlite:"):
		return SQLite, strings.TrimPrefix(u, "sqlite:"), nil
	case strings.HasPrefix(u, "file:"):
		return SQLite, strings.TrimPrefix(u, "file:"), nil
	}
	return "", "", errors.New("database URL must start with postgres://, postgresql://, sqlite: or file:")
}

// migrationLockID is goose's default advisory lock id, varied by search_path
// so that installations sharing a database in separate schemas do not wait
// for each other's migrations.
func migrationLockID(dsn string) int64 {
	id := lock.DefaultLockID
	if u, err := url.Parse(dsn); err == nil {
		if sp := u.Query().Get("search_path"); sp != "" {
			h := fnv.New64a()
			h.Write([]byte(sp))
			id ^= int64(h.Sum64() >> 1)
		}
	}
	return id
}

func (s *Store) initGoose() error {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.engine))
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
		// Replicas starting together take turns migrating.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(s.lockID), lock.WithLockTimeout(1, 600))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(dialect, s.w, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	s.goose = p
	return nil
}

// Engine reports the database engine.
func (s *Store) Engine() Engine { return s.engine }

// Migrate applies pending migrations and returns how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	res, err := s.goose.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// MigrationsCurrent reports whether every embedded migration is applied.
func (s *Store) MigrationsCurrent(ctx context.Context) (bool, error) {
	pending, err := s.goose.HasPending(ctx)
	return !pending, err
}

// Ping checks that both pools reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	return s.r.PingContext(ctx)
}

// Close closes the pools.
func (s *Store) Close() error {
	if s.rcache != nil {
		s.rcache.close()
	}
	if s.cache != nil {
		s.cache.close()
	}
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Tx is a write transaction: reads see its own writes.
type Tx struct {
	reads
	tx           *sql.Tx
	insertedJobs bool
	engine       Engine
}

// InTx runs fn in a write transaction, committing if it returns nil and
// rolling back otherwise.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &Tx{reads: reads{q: tx}, tx: tx, engine: s.engine}
	if err := fn(t); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if t.insertedJobs && s.jobsInserted != nil {
		s.jobsInserted()
	}
	return nil
}

// OnJobsInserted registers fn to run after each commit that enqueued jobs,
// so in-process workers start at once instead of at their next poll.
func (s *Store) OnJobsInserted(fn func()) { s.jobsInserted = fn }

type querier interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// reads holds the queries that only read; both Store and Tx carry them.
type reads struct{ q querier }

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// exec runs a write and requires that it touched exactly one row.
func exec1(ctx context.Context, q querier, what, query string, args ...any) (bool, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return n == 1, nil
}
