#!/usr/bin/env bash
# Builds the openkyc binary as the container image does (the Dockerfile runs
# this script, and .ci/run runs it too, so the image's build steps are
# exercised without Docker).
#   scripts/build.sh OUT static   CGO_ENABLED=0: one static binary; the face
#                                 engine reports not_run (it needs cgo)
#   scripts/build.sh OUT cgo      with cgo, for the face engine (ONNX Runtime
#                                 is loaded at run time from the assets)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/build.sh OUT static|cgo}
kind=${2:-static}
case "$kind" in
  static) cgo=0 ;;
  cgo) cgo=1 ;;
  *) echo "build.sh: kind must be static or cgo" >&2; exit 2 ;;
esac
CGO_ENABLED=$cgo go build -trimpath -ldflags "-s -w" -o "$out" ./cmd/openkyc
echo "build.sh: built $out ($kind)" >&2
