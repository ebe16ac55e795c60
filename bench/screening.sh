#!/usr/bin/env bash
# Screening engine: accuracy on the public sets and speed, in process and
# through a real server (2 cores: the machine's). Writes
# bench/results/screening.md. Needs ../shared/data (lists and eval sets).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${OPENKYC_SHARED_DATA:-../shared/data}
dur=${SCREEN_BENCH_DURATION:-10s}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# the corpus of the issue: OFAC 2021 (legacy CSV set) + UN 2026
mkdir -p "$work/lists"
ln -s "$(realpath "$shared/lists/ofac_sdn_2021-07")" "$work/lists/ofac"
ln -s "$(realpath "$shared/lists/un_2026-02")" "$work/lists/un"

echo "== accuracy" >&2
acc=$(cd internal/screening && go test -run '^$' -bench BenchmarkAccuracy -benchtime 1x -count=1 -timeout 20m | grep '^BenchmarkAccuracy')
metric() { echo "$acc" | awk -v m="$1" '{for (i=1;i<NF;i++) if ($(i+1)==m) print $i}'; }

echo "== in process" >&2
go build -o "$work/screenbench" ./bench/cmd/screenbench
inproc=$("$work/screenbench" -lists "$work/lists" -eval "$shared/eval" -duration "$dur" -concurrency 1,8 -rate 2000)

echo "== server" >&2
go build -o "$work/openkyc" ./cmd/openkyc
key=$("$work/openkyc" merchant create --data-dir "$work/data" --name bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
port=$((20000 + RANDOM % 20000))
t0=$(date +%s%N)
"$work/openkyc" serve --data-dir "$work/data" --addr "127.0.0.1:$port" --lists-dir "$work/lists" --log-level warn --rate-limit-merchant 0 --rate-limit-address 0 &
pid=$!
until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.02; done
ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rss_start=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)
http=$("$work/screenbench" -url "http://127.0.0.1:$port" -key "$key" -eval "$shared/eval" -duration "$dur" -concurrency 1,8 -rate 2000 2>"$work/http.err")
rss_end=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)
kill $pid; wait $pid 2>/dev/null || true

line() { echo "$1" | grep "^concurrency $2:"; }
rateline() { echo "$1" | grep "^rate "; }
field() { echo "$1" | sed -E "s/.*, ([0-9.]+) q\/s, p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\\$2/"; }
mkdir -p bench/results
{
  echo "# Screening"
  echo
  echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(go version | awk '{print $3}'). Lists: OFAC SDN 2021-07 (legacy CSV set) + UN consolidated 2026-02-27. Queries: the 100,000 synthetic negatives, the treated UN positives and the US Congress names, interleaved; type person, with birth date, nationality and gender where the sets have them; ${dur} per level. The HTTP load generator (bench/cmd/screenbench, Go net/http client) runs on the same two cores as the server; HTTP errors are 422 answers to the few evaluation rows whose date_of_birth is not a date (the in-process runs skip validation)."
  echo
  echo "## Accuracy (\`go test ./internal/screening -bench BenchmarkAccuracy\`)"
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  echo "| threshold at which ≤ 1% of $(metric negatives) negatives raise any hit | $(metric threshold) | |"
  echo "| UN positives, treated: right entity in the top 10 at that threshold ($(metric positives) mapped) | $(metric recall-treated) | ≥ 0.99 |"
  echo "| UN positives, untreated | $(metric recall-untreated) | |"
  echo "| $(metric cross-script-names) original-script names find their entity (indexed as published) | $(metric cross-script) | |"
  echo "| the same with original-script names removed from the index (transliteration only; Arabic script against Latin-only entries) | $(metric cross-script-strict) | ≥ 0.90 |"
  echo "| one typo (deletion / transposition / substitution, any word of 2+ letters) in every listed person's main name ($(metric typos) queries): right entity in the top 10 | $(metric typo-recall) ($(metric typo-deletion) / $(metric typo-transposition) / $(metric typo-substitution)) | ≥ 0.98 |"
  echo "| UN people found by name and birth date as one hit with their OFAC entry (of $(metric un-people)) | $(metric grouped-un-ofac) | |"
  echo "| 826 labelled pairs, F1 at 0.65 (precision $(metric pair-precision), recall $(metric pair-recall)) | $(metric pair-F1) | ≥ 0.90 (logic-v2: 0.790) |"
  echo
  echo "### Organisations (KYB)"
  echo
  echo "Negatives: $(metric org-negatives) made-up company names (stems from the negative sets' surnames and places, activities, generic words and the legal forms of 40 countries); positives: the $(metric org-positives) listed entities with a Latin-script name, each under six perturbations. Searched with type organization."
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  echo "| threshold at which ≤ 1% of made-up companies raise any hit | $(metric org-threshold) | ≤ 0.65 (the default) |"
  echo "| listed entities in the top 10 at that threshold, all perturbations | $(metric org-recall) | ≥ 0.98 |"
  echo "| as listed / lower case / legal form dropped / legal form respelt / punctuation and & / one typo | $(metric org-recall-0) / $(metric org-recall-1) / $(metric org-recall-2) / $(metric org-recall-3) / $(metric org-recall-4) / $(metric org-recall-5) | |"
  echo
  echo "## Speed"
  echo
  echo "| measure | in process | HTTP (POST /v1/screenings) | target |"
  echo "|---|---|---|---|"
  echo "| queries/s, concurrency 1 | $(field "$(line "$inproc" 1)" 1) | $(field "$(line "$http" 1)" 1) | |"
  echo "| queries/s, concurrency 8 | $(field "$(line "$inproc" 8)" 1) | $(field "$(line "$http" 8)" 1) | ≥ 2,000 |"
  echo "| p50 / p99 latency, concurrency 8, as fast as it goes (ms) | $(field "$(line "$inproc" 8)" 2) / $(field "$(line "$inproc" 8)" 3) | $(field "$(line "$http" 8)" 2) / $(field "$(line "$http" 8)" 3) | p99 ≤ 5 |"
  echo "| p50 / p99 latency at a fixed 2,000 queries/s, 8 workers, from each query's scheduled time (ms) | $(field "$(rateline "$inproc")" 2) / $(field "$(rateline "$inproc")" 3) | $(field "$(rateline "$http")" 2) / $(field "$(rateline "$http")" 3) | |"
  echo "| start to ready with both lists | $(echo "$inproc" | sed -nE 's/ready ([0-9.]+) s.*/\1/p') s (load + index) | ${ready_ms} ms (\`openkyc serve\` exec to /readyz) | ≤ 2 s |"
  echo "| resident memory | $(echo "$inproc" | sed -nE 's/.*rss ([0-9]+) MB$/\1/p') MB after load, $(echo "$inproc" | sed -nE 's/rss after ([0-9]+) MB/\1/p') MB after the runs (with the query sets) | ${rss_start} MB at ready, ${rss_end} MB after the runs | ≤ 200 MB |"
  echo
  echo "Reference, Moov Watchman on this corpus and machine kind: 80–104 queries/s, p99 270–600 ms, 11.3 s to ready, ~160 MB, 0 of 336 cross-script names."
  echo
  echo '```'
  echo "$inproc"
  echo "$http"
  echo '```'
  if [ -s "$work/http.err" ]; then
    echo
    echo "First errors of the HTTP runs:"
    echo
    echo '```'
    head -5 "$work/http.err"
    echo '```'
  fi
} | tee bench/results/screening.md
