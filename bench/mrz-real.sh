#!/usr/bin/env bash
# MRZ reading on real specimen images (the public development set in
# MRZ_REAL_DIR: README.md, truth.json, images/), as published and under
# deterministic capture degradations generated in Go (bench/cmd/mrzreal).
# Reports the dev and hold-out halves separately; writes
# bench/results/mrz-real.md. Needs tesseract and the OCR-B model
# (scripts/install-assets.sh). The images are read in place, never copied.
#   MRZ_REAL_DIR       the set (default /work/shared/data/mrz-real)
#   MRZ_REAL_PARALLEL  images read at a time, one OCR thread each (default 2)
#   MRZ_REAL_VARIANTS  comma-separated subset of variants (default all)
#   MRZ_REAL_JSON      also write every outcome (with the lines read) there
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${MRZ_REAL_DIR:-/work/shared/data/mrz-real}
export OMP_THREAD_LIMIT=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/mrzreal" ./bench/cmd/mrzreal
args=(-dir "$dir" -assets "${OPENKYC_ASSETS_DIR:-assets}" -out bench/results/mrz-real.md -parallel "${MRZ_REAL_PARALLEL:-2}")
[ -n "${MRZ_REAL_VARIANTS:-}" ] && args+=(-variants "$MRZ_REAL_VARIANTS")
[ -n "${MRZ_REAL_JSON:-}" ] && args+=(-json "$MRZ_REAL_JSON")
"$work/mrzreal" "${args[@]}"
