#!/usr/bin/env bash
# Image decode memory under attack: a real `openkyc serve` on the embedded
# default takes 20 concurrent uploads of a pixel bomb (322 KB PNG, 317 MB
# decoded) and then 20 of a large legitimate image (128 MB decoded), half
# through the hosted page and half through the API, while /healthz is
# probed. Prints the answers and the server's peak RSS (VmHWM) of each
# phase (a fresh server each), against the idle server's. With BASELINE_REF=<git ref> the same
# attack runs first against that version (built from a temporary worktree),
# for a before/after in one run. Writes bench/results/decode.md.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  [ -d "$work/base" ] && git worktree remove --force "$work/base" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/decodebench" ./bench/cmd/decodebench

serve() { # $1: binary, $2: data dir; sets key, port, pid
  key=$("$1" merchant create --data-dir "$2" --name decode --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
  port=$((20000 + RANDOM % 20000))
  "$1" serve --data-dir "$2" --addr "127.0.0.1:$port" --log-level error --rate-limit-merchant 0 --rate-limit-address 0 2>/dev/null &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
}

attack() { # $1: binary, $2: label. A fresh server per phase: each VmHWM is that phase's peak.
  echo "## $2"
  echo
  local header=true
  for ph in bomb phone large; do
    serve "$1" "$work/data-$RANDOM"
    "$work/decodebench" -url "http://127.0.0.1:$port" -key "$key" -pid "$pid" -phase "$ph" -header=$header
    header=false
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  echo
}

{
  echo "# Image decode memory ($(date -u +%Y-%m-%d), $(nproc) cores; defaults: --decode-memory-bytes 512 MiB, --max-image-bytes 192 MiB)"
  echo
  if [ -n "${BASELINE_REF:-}" ]; then
    git worktree add -q --detach "$work/base" "$BASELINE_REF"
    (cd "$work/base" && go build -o "$work/openkyc-base" ./cmd/openkyc)
    attack "$work/openkyc-base" "baseline $(git rev-parse --short "$BASELINE_REF")"
  fi
  go build -o "$work/openkyc" ./cmd/openkyc
  attack "$work/openkyc" "this version $(git rev-parse --short HEAD)"
} | tee bench/results/decode.md
