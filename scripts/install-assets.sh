#!/usr/bin/env bash
# Installs what the verification engines need and that is not Go code:
#   - Debian tesseract-ocr (+ tesseract-ocr-eng): the OCR program the MRZ reader runs;
#   - ocrb_int.traineddata (OCR-B, Apache-2.0), taken from the npm package
#     @idpass/smartscanner-capacitor@0.7.7 with `npm pack` (no install scripts
#     run), sha256-checked, into $OPENKYC_ASSETS_DIR/tessdata (default ./assets).
# Nothing here is committed. It never fails the caller: what it cannot do it
# explains, and the server still starts — the MRZ check then reports not_run
# naming the missing piece.
set -uo pipefail
cd "$(dirname "$0")/.."
assets=${OPENKYC_ASSETS_DIR:-./assets}
tessdata="$assets/tessdata"
ocrb_sha=8c2c04fb6f29daf307f9694eaddbc0fa241b60f14ce03bb4ab8a0cbaf994dabc
pkg_sha=f915d0664cb111efb6d02195655547551f00b245a678ba7b194d3178e92b99a3
aar=package/android/local-maven/org/idpass/smartscanner/smartscannerlib-release/1.0/smartscannerlib-release-1.0.aar
say() { echo "install-assets: $*" >&2; }

root=false
[ "$(id -u)" = 0 ] && root=true

# 1. tesseract
if ! command -v tesseract >/dev/null; then
  if $root && command -v apt-get >/dev/null; then
    say "installing tesseract-ocr from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null 2>&1; } ||
      say "apt-get could not install tesseract-ocr; the MRZ check will report not_run"
  else
    say "tesseract is missing: run 'sudo apt-get install tesseract-ocr tesseract-ocr-eng' (the MRZ check reports not_run until then)"
  fi
fi

# 2. OCR-B traineddata
have_sha() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
if have_sha "$tessdata/ocrb_int.traineddata" "$ocrb_sha"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  say "npm is missing, so ocrb_int.traineddata cannot be fetched: install Node.js/npm and run $0 again (the MRZ check reports not_run until then)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "fetching @idpass/smartscanner-capacitor@0.7.7 (npm pack, no scripts)"
if ! (cd "$tmp" && npm pack --silent --ignore-scripts @idpass/smartscanner-capacitor@0.7.7 >/dev/null 2>&1); then
  say "npm pack failed (no registry access?); the MRZ check reports not_run until this script succeeds"
  exit 0
fi
tgz="$tmp/idpass-smartscanner-capacitor-0.7.7.tgz"
if ! have_sha "$tgz" "$pkg_sha"; then
  say "the npm package's sha256 differs from the pinned one; refusing it"
  exit 0
fi
tar -xzf "$tgz" -C "$tmp" "$aar" || { say "the package lacks the smartscanner aar"; exit 0; }
mkdir -p "$tessdata"
if command -v unzip >/dev/null; then
  unzip -p "$tmp/$aar" assets/tessdata/ocrb_int.traineddata > "$tmp/ocrb_int.traineddata"
elif command -v python3 >/dev/null; then
  python3 -c 'import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("assets/tessdata/ocrb_int.traineddata"))' "$tmp/$aar" > "$tmp/ocrb_int.traineddata"
else
  say "neither unzip nor python3 is available to open the aar: apt-get install unzip"
  exit 0
fi
if ! have_sha "$tmp/ocrb_int.traineddata" "$ocrb_sha"; then
  say "ocrb_int.traineddata has an unexpected sha256; refusing it"
  exit 0
fi
mv "$tmp/ocrb_int.traineddata" "$tessdata/ocrb_int.traineddata"
say "installed $tessdata/ocrb_int.traineddata"
