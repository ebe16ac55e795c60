// Package kyctest holds test helpers shared by openkyc's packages: databases on
// every engine, seeded merchants and fixture files.
package kyctest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/openkyc/openkyc/internal/kyc"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests. When
// set, every store-backed suite runs on PostgreSQL too.
const PostgresEnv = "OPENKYC_TEST_POSTGRES_URL"

// DB is one database a suite runs against.
type DB struct {
	Name string // "sqlite" or "postgres"
	URL  string
}

// DBs returns a fresh SQLite database and, when OPENKYC_TEST_POSTGRES_URL is
// set, a fresh PostgreSQL schema; both are removed when the test ends.
func DBs(t testing.TB) []DB {
	t.Helper()
	dbs := []DB{{Name: "sqlite", URL: "sqlite:" + filepath.Join(t.TempDir(), "openkyc.db")}}
	if base := os.Getenv(PostgresEnv); base != "" {
		dbs = append(dbs, DB{Name: "postgres", URL: PostgresSchema(t, base)})
	}
	return dbs
}

// PostgresSchema creates a schema of its own for the test in the database at
// base and returns a URL whose search_path points at it.
func PostgresSchema(t testing.TB, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	schema := "t_" + kyc.NewID("")
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema (is PostgreSQL running at %s?): %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// ForEachDB runs fn as a parallel subtest on every engine.
func ForEachDB(t *testing.T, fn func(t *testing.T, db DB)) {
	t.Helper()
	for _, db := range DBs(t) {
		t.Run(db.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, db)
		})
	}
}
