#!/usr/bin/env bash
# Review console: page latency on a seeded server (bench/cmd/consolebench) on
# SQLite and, when OPENKYC_BENCH_POSTGRES_URL is set, PostgreSQL; the queue's
# database reads (BenchmarkQueue) and the sign-in's password check
# (BenchmarkVerify). Writes bench/results/console.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${CONSOLE_BENCH_DURATION:-10s}
out=bench/results/console.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/consolebench" ./bench/cmd/consolebench

echo "== pages, SQLite" >&2
sqlite=$("$work/consolebench" -duration "$dur")
pg="(OPENKYC_BENCH_POSTGRES_URL not set)"
if [ -n "${OPENKYC_BENCH_POSTGRES_URL:-}" ]; then
  echo "== pages, PostgreSQL" >&2
  pg=$("$work/consolebench" -duration "$dur" -database-url "$OPENKYC_BENCH_POSTGRES_URL")
fi
echo "== queue reads" >&2
queue=$(OPENKYC_TEST_POSTGRES_URL=${OPENKYC_BENCH_POSTGRES_URL:-} go test ./internal/store -run '^$' -bench BenchmarkQueue -benchtime 2s -count=1 | grep '^Benchmark')
echo "== password check" >&2
verify=$(go test ./internal/staff -run '^$' -bench BenchmarkVerify -benchmem -count=1 | grep '^Benchmark')

{
  echo "# Review console"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores by \`bench/console.sh\`."
  echo
  echo "## Pages through HTTP on loopback (SQLite)"
  echo
  echo '```'
  echo "$sqlite"
  echo '```'
  echo
  echo "## Pages through HTTP on loopback (PostgreSQL)"
  echo
  echo '```'
  echo "$pg"
  echo '```'
  echo
  echo "## Queue database reads: 20,000 verifications of 10 merchants, 6,000 in review"
  echo
  echo '```'
  echo "$queue"
  echo '```'
  echo
  echo "## Sign-in password check (argon2id, 19 MiB, t=2)"
  echo
  echo '```'
  echo "$verify"
  echo '```'
} > "$out"
cat "$out"
