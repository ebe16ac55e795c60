#!/usr/bin/env bash
# Review console: page latency on a seeded server (bench/cmd/consolebench) on
# SQLite and, when OPENKYC_BENCH_POSTGRES_URL is set, PostgreSQL; the
# analytics page on the counters of ANALYTICS_VERIFICATIONS (default
# 1,000,000) simulated verifications over 90 days of 20 merchants, and what
# counting adds to a decision's transaction (BenchmarkAnalyticsAddCounts);
# the queue's database reads (BenchmarkQueue) and the sign-in's password
# check (BenchmarkVerify). Writes bench/results/console.md. The PostgreSQL
# databases must be empty (the runs add to them): OPENKYC_BENCH_POSTGRES_URL
# for the pages, OPENKYC_BENCH_ANALYTICS_POSTGRES_URL (another) for analytics.
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
n=${ANALYTICS_VERIFICATIONS:-1000000}
echo "== analytics, SQLite" >&2
an_sqlite=$("$work/consolebench" -duration "$dur" -merchants 20 -cases 40 -analytics "$n")
an_pg="(OPENKYC_BENCH_ANALYTICS_POSTGRES_URL not set)"
if [ -n "${OPENKYC_BENCH_ANALYTICS_POSTGRES_URL:-}" ]; then
  echo "== analytics, PostgreSQL" >&2
  an_pg=$("$work/consolebench" -duration "$dur" -merchants 20 -cases 40 -analytics "$n" -database-url "$OPENKYC_BENCH_ANALYTICS_POSTGRES_URL")
fi
echo "== counting in a decision's transaction" >&2
counting=$(OPENKYC_TEST_POSTGRES_URL=${OPENKYC_BENCH_POSTGRES_URL:-} go test ./internal/store -run '^$' -bench BenchmarkAnalyticsAddCounts -benchtime 2s -count=1 | grep '^Benchmark')
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
  echo "## Analytics page (SQLite)"
  echo
  echo "Counters of $n simulated verifications spread over the last 90 days of 20 merchants (a few merchants carry most of the volume; two levels; native and one dialect each; fifteen document countries, mostly three per merchant, 5 % declaring none), written through the services' AddCounts, then the housekeeping (blocks and day sums); the page as an admin (every merchant: one audit entry per merchant per view), as an admin for one merchant, and as a reviewer of 3 merchants, by period, level and surface, and document country. Concurrency 4. Target (issue 24): p99 ≤ 300 ms on both engines."
  echo
  echo '```'
  echo "$an_sqlite"
  echo '```'
  echo
  echo "## Analytics page (PostgreSQL)"
  echo
  echo '```'
  echo "$an_pg"
  echo '```'
  echo
  echo "## Counting in a decision's transaction: an outbox event alone, and with the counters of a decision after sixteen checks"
  echo
  echo '```'
  echo "$counting"
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
