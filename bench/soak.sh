#!/usr/bin/env bash
# Soak: a bounded mixed workload (bench/cmd/soak) against a local
# `openkyc serve` on SQLite, or on PostgreSQL with SOAK_DATABASE_URL, for
# SOAK_DURATION (default 30m). Prints throughput, p50/p99 per operation,
# errors and the server's RSS every minute, then the RSS drift.
#   ./bench/soak.sh                       # SQLite
#   SOAK_DATABASE_URL=postgres://... ./bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${SOAK_DURATION:-30m}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/openkyc" ./cmd/openkyc
go build -o "$work/soak" ./bench/cmd/soak
db=()
[ -n "${SOAK_DATABASE_URL:-}" ] && db=(--database-url "$SOAK_DATABASE_URL")
key=$("$work/openkyc" merchant create --data-dir "$work/data" "${db[@]}" --name soak --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
port=$((20000 + RANDOM % 20000))
"$work/openkyc" serve --data-dir "$work/data" "${db[@]}" --addr "127.0.0.1:$port" --log-level warn --webhook-allow-private \
  --rate-limit-merchant 0 --rate-limit-address 0 &
pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
echo "soak: $dur on ${SOAK_DATABASE_URL:+PostgreSQL}${SOAK_DATABASE_URL:-SQLite}, $(nproc) cores" >&2
"$work/soak" -url "http://127.0.0.1:$port" -key "$key" -duration "$dur" -pid "$pid" -concurrency "${SOAK_CONCURRENCY:-4}"
