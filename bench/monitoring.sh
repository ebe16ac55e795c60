#!/usr/bin/env bash
# Continuous screening at scale: seeds MONITOR_N approved applicants
# (default 1,000,000; one in a thousand a UN-listed person) on SQLite and
# on PostgreSQL, loads OFAC 2021 + UN 2026, runs one monitoring pass and
# measures its time, the process's memory and GET /v1/verifications/{id}
# at 200 requests/s before and during the pass. Writes
# bench/results/monitoring.md. Needs ../shared/data and, for PostgreSQL,
# a server at MONITOR_PG (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${MONITOR_N:-1000000}
pg=${MONITOR_PG:-postgres://postgres@127.0.0.1:5432}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() {
  MONITOR_N=$n MONITOR_DATABASE_URL="$1" go test ./bench/internal/monitorbench -run '^$' -bench BenchmarkRescreen -benchtime 1x -timeout 120m \
    | grep '^engine' | tee -a "$out" >&2
}
echo "== sqlite ($n)" >&2
run ""
if psql "$pg/postgres" -tAc 'SELECT 1' >/dev/null 2>&1; then
  psql "$pg/postgres" -qc 'DROP DATABASE IF EXISTS openkyc_monitor' -qc 'CREATE DATABASE openkyc_monitor' >/dev/null
  echo "== postgres ($n)" >&2
  run "$pg/openkyc_monitor?sslmode=disable"
  psql "$pg/postgres" -qc 'DROP DATABASE IF EXISTS openkyc_monitor' >/dev/null
fi
mkdir -p bench/results
{
  echo "# Continuous screening at scale"
  echo
  echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(go version | awk '{print $3}'). \`./bench/monitoring.sh\` (MONITOR_N=$n)."
  echo
  echo "Each engine: $n approved verifications of 20 merchants (applicants from the public negative sets, one in a thousand a UN-listed person, PII sealed as the service seals it), then one monitoring pass (\`RescreenRun\`, progress recorded every 200) against OFAC 2021 + UN 2026, in the process that serves the API. The load: GET /v1/verifications/{id} of one merchant at 200 requests/s over loopback HTTP, 30 s before the pass (baseline; on PostgreSQL after a VACUUM ANALYZE that settles the bulk load, as autovacuum would have over the months a server takes to approve a million) and all through it; latency from each request's scheduled time. Targets (issue 23): the pass done within 15 minutes on 2 cores, the API's p99 at most doubled."
  echo
  echo '```'
  cat "$out"
  echo '```'
} > bench/results/monitoring.md
cat bench/results/monitoring.md
