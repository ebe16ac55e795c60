#!/usr/bin/env bash
# Runs the core benchmarks against a real openkyc server on the embedded
# default (SQLite + local files) on loopback, with their baselines measured in
# the same run, and writes bench/results/latest.md.
#   - submit -> completed webhook latency and webhook deliveries per second
#   - 5 MB upload throughput vs raw dd write of the same bytes on the same disk
#   - peak server RSS during 50 concurrent 5 MB uploads
#   - GET /v1/verifications/{id} req/s vs a bare net/http handler (wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/openkyc-bench.XXXXXX")
port=${BENCH_PORT:-18090}
bare_port=$((port + 1))
base="http://127.0.0.1:$port"
cleanup() { kill "${srv:-}" "${bare:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/openkyc" ./cmd/openkyc
go build -o "$work/uploadbench" ./bench/cmd/uploadbench
go build -o "$work/mkfixture" ./bench/cmd/mkfixture
go build -o "$work/barehttp" ./bench/cmd/barehttp
go build -o "$work/pipelinebench" ./bench/cmd/pipelinebench
"$work/mkfixture" -size $((5 << 20)) -jpeg "$work/doc.jpg" -pdf "$work/doc.pdf" 2>/dev/null

data="$work/data"
created=$("$work/openkyc" merchant create --name Bench --json --data-dir "$data")
key=$(echo "$created" | sed 's/.*"api_key":"\(okyc_[^"]*\)".*/\1/')
vx_secret=$(echo "$created" | sed 's/.*"app_secret":"\([^"]*\)".*/\1/')
vx_no=$(echo "$created" | sed 's/.*"merchant_no":"\([0-9]*\)".*/\1/')
"$work/openkyc" serve --data-dir "$data" --addr "127.0.0.1:$port" --log-level error --webhook-allow-private --rate-limit-merchant 0 --rate-limit-address 0 2>"$work/serve.log" &
srv=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
auth=(-H "Authorization: Bearer $key" -H "Content-Type: application/json")
aid=$(curl -sf "${auth[@]}" -d '{"external_user_id":"bench-1","first_name":"Bench","last_name":"User","email":"bench@example.com"}' "$base/v1/applicants" | sed 's/.*"id":"\(apl_[^"]*\)".*/\1/')
vid=$(curl -sf "${auth[@]}" -d "{\"applicant_id\":\"$aid\",\"reference\":\"bench-1\"}" "$base/v1/verifications" | sed 's/.*"id":"\(ver_[^"]*\)".*/\1/')

# Baseline: raw dd write of the same 5 MB, same disk, median of 9.
dd_mbps() {
  for _ in $(seq 9); do
    dd if="$work/doc.pdf" of="$data/dd.out" bs=1M $1 2>&1 | tail -n 1 | awk '{print $(NF-1)" "$NF}'
  done | awk '{v=$1; if ($2=="GB/s") v*=1000; if ($2=="kB/s") v/=1000; print v}' | sort -n | sed -n 5p
}
dd_raw=$(dd_mbps "")
dd_sync=$(dd_mbps "conv=fsync")
rm -f "$data/dd.out"

pdf=$("$work/uploadbench" -url "$base" -key "$key" -applicant "$aid" -file "$work/doc.pdf" -kind aml_report -n 15)
jpg=$("$work/uploadbench" -url "$base" -key "$key" -applicant "$aid" -file "$work/doc.jpg" -kind id_front -n 9)
pdf_mbps=$(echo "$pdf" | awk '/sequential_mb_per_s/ {print $2}')
jpg_mbps=$(echo "$jpg" | awk '/sequential_mb_per_s/ {print $2}')

# Peak RSS: restart the server so the high-water mark covers only this run.
kill "$srv"; wait "$srv" 2>/dev/null || true
"$work/openkyc" serve --data-dir "$data" --addr "127.0.0.1:$port" --log-level error --webhook-allow-private --rate-limit-merchant 0 --rate-limit-address 0 2>>"$work/serve.log" &
srv=$!
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$srv/status")
conc_pdf=$("$work/uploadbench" -url "$base" -key "$key" -applicant "$aid" -file "$work/doc.pdf" -kind aml_report -n 1 -c 50)
hwm_pdf=$(awk '/VmHWM/ {print $2}' "/proc/$srv/status")
conc_jpg=$("$work/uploadbench" -url "$base" -key "$key" -applicant "$aid" -file "$work/doc.jpg" -kind id_front -n 1 -c 50)
hwm_jpg=$(awk '/VmHWM/ {print $2}' "/proc/$srv/status")

# API read vs bare net/http with the same bytes.
curl -sf -H "Authorization: Bearer $key" "$base/v1/verifications/$vid" > "$work/body.json"
"$work/barehttp" -addr "127.0.0.1:$bare_port" -file "$work/body.json" &
bare=$!
sleep 0.3
wrk_rps() { wrk -t2 -c32 -d${WRK_SECONDS:-10}s "$@" | awk '/Requests\/sec/ {print $2}'; }
api_rps=$(wrk_rps -H "Authorization: Bearer $key" "$base/v1/verifications/$vid")
bare_rps=$(wrk_rps "http://127.0.0.1:$bare_port/")

# Pipeline: submit -> completed webhook latency, and deliveries per second.
pipe=$("$work/pipelinebench" -url "$base" -key "$key" -n 200 -burst 300 -endpoints 4)
p50=$(echo "$pipe" | awk '/p50/ {print $2}')
p99=$(echo "$pipe" | awk '/p99/ {print $2}')
dps=$(echo "$pipe" | awk '/deliveries_per_second/ {print $2}')

# Vexora kycStatusQuery with a valid MD5 signature vs a bare handler with the same bytes.
vx_sign() { printf '%s' "$1$vx_secret" | md5sum | cut -d' ' -f1; }
ts=$(($(date +%s%N) / 1000000))
apply="{\"timestamp\":\"$ts\",\"userId\":\"bench-vx\",\"sign\":\"$(vx_sign "timestamp=${ts}userId=bench-vx")\"}"
curl -sf -H "merchantNo: $vx_no" -H 'Content-Type: application/json' -d "$apply" "$base/v1/vexora/kycApplyFor" >/dev/null
qbody="{\"timestamp\":\"$ts\",\"userId\":\"bench-vx\",\"sign\":\"$(vx_sign "timestamp=${ts}userId=bench-vx")\"}"
curl -sf -H "merchantNo: $vx_no" -H 'Content-Type: application/json' -d "$qbody" "$base/v1/vexora/kycStatusQuery" > "$work/vx.json"
grep -q '"code":"0000"' "$work/vx.json" || { echo "vexora query failed: $(cat "$work/vx.json")"; exit 1; }
cat > "$work/vx.lua" <<LUA
wrk.method = "POST"
wrk.body = '$qbody'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["merchantNo"] = "$vx_no"
LUA
kill "$bare"; wait "$bare" 2>/dev/null || true
"$work/barehttp" -addr "127.0.0.1:$bare_port" -file "$work/vx.json" &
bare=$!
sleep 0.3
vx_rps=$(wrk_rps -s "$work/vx.lua" "$base/v1/vexora/kycStatusQuery")
vx_bare_rps=$(wrk_rps -s "$work/vx.lua" "http://127.0.0.1:$bare_port/")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f%%", 100*a/b}'; }
mkdir -p bench/results
{
  echo "# openkyc core benchmarks"
  echo
  echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(go version | awk '{print $3}'), SQLite + local files, loopback."
  echo
  echo "| measure | value | baseline (same run) | ratio | target |"
  echo "|---|---|---|---|---|"
  echo "| 5 MB PDF report upload, encrypted (MB/s, median) | $pdf_mbps | dd write $dd_raw MB/s | $(ratio "$pdf_mbps" "$dd_raw") | ≥ 50% |"
  echo "| 5 MB PDF report upload vs dd conv=fsync | $pdf_mbps | dd+fsync $dd_sync MB/s | $(ratio "$pdf_mbps" "$dd_sync") | |"
  echo "| 5 MB JPEG upload incl. full decode (MB/s, median) | $jpg_mbps | dd write $dd_raw MB/s | $(ratio "$jpg_mbps" "$dd_raw") | |"
  echo "| peak RSS, 50 concurrent 5 MB PDF report uploads | $((hwm_pdf / 1024)) MB | idle $((rss_idle / 1024)) MB | | < 150 MB |"
  echo "| peak RSS, then 50 concurrent 5 MB JPEG uploads | $((hwm_jpg / 1024)) MB | | | < 150 MB |"
  echo "| GET /v1/verifications/{id} (req/s, wrk -t2 -c32) | $api_rps | bare net/http $bare_rps | $(ratio "$api_rps" "$bare_rps") | ≥ 40% |"
  echo "| Vexora kycStatusQuery, valid MD5 signature (req/s, wrk -t2 -c32) | $vx_rps | bare net/http $vx_bare_rps | $(ratio "$vx_rps" "$vx_bare_rps") | ≥ 40% |"
  echo "| submit → verification.completed webhook, p50 / p99 (model-free checks) | $p50 ms / $p99 ms | | | p50 ≤ 200 ms |"
  echo "| webhook deliveries per second to a loopback receiver (SQLite) | $dps | | | ≥ 1,000/s |"
  echo
  echo "Concurrent PDF run: $(echo "$conc_pdf" | tr '\n' ' ')"
  echo
  echo "Concurrent JPEG run: $(echo "$conc_jpg" | tr '\n' ' ')"
} | tee bench/results/latest.md
