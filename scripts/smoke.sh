#!/usr/bin/env bash
# Smoke test of a built binary as the container runs it: serve on a fresh
# data directory, wait for /readyz, read the OpenAPI document and the console's
# sign-in page, stop with SIGTERM. Usage: scripts/smoke.sh BINARY
set -euo pipefail
bin=${1:?usage: scripts/smoke.sh BINARY}
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$bin" serve --data-dir "$work/data" --addr "127.0.0.1:$port" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
# a fresh data directory has no sanctions lists: ready, or degraded saying so
ready=$(curl -fs "http://127.0.0.1:$port/readyz")
echo "$ready" | grep -Eq '"status":"(ready|degraded)"'
echo "$ready" | grep -q '"ready"' || echo "$ready" | grep -q 'no sanctions lists loaded'
curl -fs "http://127.0.0.1:$port/v1/openapi.json" | grep -q '"openapi"'
curl -fs "http://127.0.0.1:$port/console/login" | grep -q 'Sign in'
"$bin" healthcheck --addr "0.0.0.0:$port" | grep -Eq '"(ready|degraded)"'   # the image's HEALTHCHECK
kill -TERM $pid
wait $pid
echo "smoke: $bin serves, is ready and stops cleanly" >&2
