#!/usr/bin/env bash
# Recapture hints (document.recapture) on the public specimen set
# (../shared/data/mrz-real: photos and scans of real documents made by
# others) as published and degraded as phones do — the genuine captures —
# and on the same images shown on a simulated screen and photographed, or
# printed as a grey photocopy and photographed (kyctest.ScreenPhoto,
# kyctest.Photocopy: simulations, as no public set of real screen photos of
# documents is at hand). Dev and hold-out halves by a hash of the file
# name. Writes bench/results/recapture.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
(cd internal/check/document && RECAPTURE_REPORT="$tmp" go test -run '^$' -bench BenchmarkRecapture -benchtime 1x -count=1 -timeout 30m >/dev/null)
{
  echo "# Recapture hints"
  echo
  echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(go version | awk '{print $3}'). \`./bench/recapture.sh\`."
  echo
  echo "Genuine: every image of \`../shared/data/mrz-real/images\` (real specimen documents photographed or scanned by others; some are grey scans and scans of print-outs) as published and degraded; recaptured: the same images through \`kyctest.ScreenPhoto\` (an LCD with RGB stripes photographed at 1.6–3.4 camera pixels per screen pixel, turned up to 3°, lens blur, noise, JPEG 80–90) and \`kyctest.Photocopy\` (grey, copier contrast, paper grain, warm or cold light). On genuine rows the flagged share is the false alarm rate (FAR); on recaptured rows it is the detection rate (1 − FRR). Thresholds: screen > $(grep -o 'ScreenThreshold = [0-9.]*' internal/check/document/recapture.go | awk '{print $3}'), colour < $(grep -o 'GreyThreshold   = [0-9.]*' internal/check/document/recapture.go | awk '{print $3}')."
  echo
  cat "$tmp"
} | tee bench/results/recapture.md
