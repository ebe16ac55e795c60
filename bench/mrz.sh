#!/usr/bin/env bash
# MRZ accuracy and speed on generated documents (needs tesseract, the OCR-B
# model from scripts/install-assets.sh and Debian fonts-ocr-b); writes
# bench/results/mrz.md. MRZ_BENCH_DOCS sets the number of documents (200).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(cd internal/check/mrz && go test -run '^$' -bench BenchmarkAccuracy -benchtime 1x -count=1 -timeout 30m)
line=$(echo "$out" | grep '^BenchmarkAccuracy')
metric() { echo "$line" | awk -v m="$1" '{for (i=1;i<NF;i++) if ($(i+1)==m) print $i}'; }
mkdir -p bench/results
{
  echo "# MRZ reading"
  echo
  echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(go version | awk '{print $3}'), $(tesseract --version 2>&1 | head -n1), OCR-B ocrb_int, OMP_THREAD_LIMIT=1."
  echo
  echo "${MRZ_BENCH_DOCS:-200} generated documents (TD3, TD1, TD2 mixed; width 1200 px), each clean and degraded, plus ${MRZ_BENCH_DOCS:-200} with a wrong birth-date check digit."
  echo
  echo "| measure | value | target |"
  echo "|---|---|---|"
  echo "| fully valid (all check digits), clean | $(metric %valid-clean) % | ≥ 99 % |"
  echo "| fully valid, degraded (rotation, keystone, noise, glare, blur, light) | $(metric %valid-degraded) % | ≥ 95 % |"
  echo "| character accuracy (clean and degraded) | $(metric %char-accuracy) % | |"
  echo "| documents with a wrong check digit accepted as valid | $(metric false-accepts) of $(metric wrong-digit-docs) | 0 |"
  echo "| time per document: locate + OCR + parse (all reads) | $(metric s/doc) s | ≤ 0.3 s |"
  echo "| time per document with valid check digits (clean and degraded) | $(metric s/valid-doc) s | |"
} | tee bench/results/mrz.md
