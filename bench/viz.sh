#!/usr/bin/env bash
# Printed-zone (VIZ) reading (bench/cmd/vizbench): generated identity
# document fronts without an MRZ in eleven country styles (as rendered and
# under the MRZ harness's capture degradations), and the real specimen
# images of the public MRZ set (VIZ_REAL_DIR), whose transcribed MRZ is the
# truth of the fields the printed zone repeats; dev and hold-out halves as
# the MRZ harness splits them. Needs tesseract and its language models
# (scripts/install-assets.sh). Writes bench/results/viz.md.
#   VIZ_REAL_DIR       the real set (default /work/shared/data/mrz-real)
#   VIZ_N              generated fronts (default 120: ten per style)
#   VIZ_PARALLEL       images read at a time, one OCR thread each (default 2)
#   VIZ_VARIANTS       comma-separated subset of the generated variants (default all)
#   VIZ_REAL_VARIANTS  variants of the real set (default original,combined)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/vizbench" ./bench/cmd/vizbench
args=(-dir "${VIZ_REAL_DIR:-/work/shared/data/mrz-real}" -n "${VIZ_N:-120}" -parallel "${VIZ_PARALLEL:-2}" -out bench/results/viz.md
  -real-variants "${VIZ_REAL_VARIANTS:-original,combined}")
[ -n "${VIZ_VARIANTS:-}" ] && args+=(-variants "$VIZ_VARIANTS")
"$work/vizbench" "${args[@]}"
