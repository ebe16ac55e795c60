#!/usr/bin/env bash
# Barcode reading on generated licence backs (needs Debian zxing-cpp-tools,
# which scripts/install-assets.sh installs): AAMVA DL/ID records of made-up
# people drawn as PDF417 by ZXingWriter onto a synthetic card, read as
# published and under the MRZ harness's degradations. Generated data: for
# coverage and regression, not a figure on real captures. Writes
# bench/results/barcode.md. BARCODE_BENCH_N sets the number of cards (40).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(cd internal/check/barcode && go test -run '^$' -bench BenchmarkDecodeRate -benchtime 1x -count=1 -timeout 60m)
line=$(echo "$out" | grep '^BenchmarkDecodeRate')
metric() { echo "$line" | awk -v m="$1" '{for (i=1;i<NF;i++) if ($(i+1)==m) print $i}'; }
mkdir -p bench/results
{
  echo "# Barcode reading"
  echo
  echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(go version | awk '{print $3}'), zxing-cpp $(dpkg-query -W -f '${Version}' zxing-cpp-tools 2>/dev/null || echo '?')."
  echo
  echo "${BARCODE_BENCH_N:-40} generated AAMVA version 08 records (made-up people) drawn as PDF417 (1300×420 px) on a 2000×1260 synthetic card; read means the decoded text parses to the same document number, birth date and surname. Generated data, not real captures."
  echo
  echo "| variant | read |"
  echo "|---|---|"
  for v in original rotate_4° keystone_8_% downscale_60_% jpeg_50 noise_σ6 defocus light combined; do
    echo "| ${v//_/ } | $(metric "%$v") % |"
  done
  echo "| all | $(metric %all) % |"
  echo
  echo "Seconds per image (grey PGM piped, ZXingReader run, the four turns when nothing is found level): p50 $(metric s/p50), p95 $(metric s/p95)."
} | tee bench/results/barcode.md
