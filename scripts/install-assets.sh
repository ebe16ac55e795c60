#!/usr/bin/env bash
# Installs what the verification engines need and that is not Go code:
#   - Debian tesseract-ocr (+ tesseract-ocr-eng): the OCR program the MRZ reader
#     and the printed-zone reader run; and the language models of the
#     printed zone's label dictionaries (tesseract-ocr-fra, -spa, -deu, -por,
#     -ita, -nld, -fil, -ind, -vie, -chi-sim);
#   - Debian fonts-ocr-b: OCR-B for the MRZ reader's glyph matcher (its second
#     opinion on small text; without it tesseract reads alone);
#   - Debian fonts-droid-fallback: the Chinese characters of the generated
#     Chinese identity cards (tests and bench/viz.sh only);
#   - Debian zxing-cpp-tools: ZXingReader, the barcode reader (PDF417 of
#     driver's licences, QR codes), and ZXingWriter, which its tests use;
#   - ONNX Runtime's libonnxruntime.so.1 (npm onnxruntime-node@1.30.0) and the
#     face models fr_* (npm faceplugin-face-recognition-js@0.0.1), sha256-pinned,
#     into $OPENKYC_ASSETS_DIR/onnxruntime and /models;
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

# 1a. tesseract's models of the languages the printed-zone reader's label
# dictionaries cover (French, Spanish, German, Portuguese, Italian, Dutch,
# Filipino, Indonesian, Vietnamese, Chinese; English comes with 1.)
langs="tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-deu tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-fil tesseract-ocr-ind tesseract-ocr-vie tesseract-ocr-chi-sim"
missing_langs=""
for p in $langs; do dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing_langs="$missing_langs $p"; done
if [ -n "$missing_langs" ]; then
  if $root && command -v apt-get >/dev/null; then
    say "installing tesseract language models from Debian:$missing_langs"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing_langs >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing_langs >/dev/null 2>&1; } ||
      say "apt-get could not install$missing_langs; the printed zone is read with English only (document.viz names the missing models)"
  else
    say "tesseract language models missing:$missing_langs (sudo apt-get install$missing_langs); the printed zone is read with English only until then"
  fi
fi

# apt_pkg PACKAGE WITHOUT: installs a Debian package as root, else says
# what to run; WITHOUT says what does not work until it is there.
apt_pkg() {
  local pkg=$1 without=$2
  if $root && command -v apt-get >/dev/null; then
    say "installing $pkg from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1; } ||
      say "apt-get could not install $pkg; $without"
  else
    say "$pkg is missing: run 'sudo apt-get install $pkg' (until then $without)"
  fi
}

# 1b. OCR-B for the glyph matcher
[ -f /usr/share/fonts/opentype/ocr-b/OCRBS.otf ] || apt_pkg fonts-ocr-b "small MRZ text is read by tesseract alone"

# 1b'. a font with the Han characters the Go font parser reads, for the
# generated Chinese identity cards of the tests and bench/viz.sh (the
# product itself does not need it)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || apt_pkg fonts-droid-fallback "the Chinese generated cards are skipped"

# 1c. zxing-cpp's ZXingReader for barcodes
command -v ZXingReader >/dev/null || apt_pkg zxing-cpp-tools "barcodes are not read"

have_sha() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# npm_file PACKAGE@VERSION TGZ_SHA PATH_IN_TGZ SHA DEST: one file of an npm
# package, fetched with `npm pack` (no scripts run), both sha256-checked.
npm_file() {
  local pkg=$1 tgz_sha=$2 inner=$3 sha=$4 dest=$5
  have_sha "$dest" "$sha" && return 0
  command -v npm >/dev/null || { say "npm is missing, so $(basename "$dest") cannot be fetched: install Node.js/npm and run $0 again"; return 1; }
  local dir="$tmp/${pkg//[@\/]/_}"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    say "fetching $pkg (npm pack, no scripts)"
    (cd "$dir" && npm pack --silent --ignore-scripts "$pkg" >/dev/null 2>&1) || { say "npm pack $pkg failed (no registry access?)"; return 1; }
    have_sha "$(ls "$dir"/*.tgz)" "$tgz_sha" || { say "$pkg: the package's sha256 differs from the pinned one; refusing it"; return 1; }
  fi
  tar -xzf "$dir"/*.tgz -C "$dir" "$inner" || { say "$pkg lacks $inner"; return 1; }
  have_sha "$dir/$inner" "$sha" || { say "$inner: unexpected sha256; refusing it"; return 1; }
  mkdir -p "$(dirname "$dest")"
  mv "$dir/$inner" "$dest"
  say "installed $dest"
}

# 2. Face engine: ONNX Runtime (MIT) and the face models (their licence
# situation is in docs/face.md); never committed.
npm_file onnxruntime-node@1.30.0 6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75 \
  package/bin/napi-v6/linux/x64/libonnxruntime.so.1 ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23 \
  "$assets/onnxruntime/libonnxruntime.so.1" || say "the face checks report not_run until the runtime is installed"
fp=faceplugin-face-recognition-js@0.0.1
fp_sha=7ea06031d9a3f83753254fcff60506a07b81b46fc84d4ee024cd041f260ec1ba
while read -r name sha; do
  npm_file $fp $fp_sha "package/model/$name.onnx" "$sha" "$assets/models/$name.onnx" || break
done <<MODELS
fr_detect 6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854
fr_landmark f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258
fr_feature 87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581
fr_liveness afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d
fr_pose 72d032ec941b7153bf8d3f2c03a4c165453cc7e63d479041ec7c6ef087e5839d
fr_eye 1afcea006abc1ccac3c517022abde0aa092bed74ff3c9fe6878483ef9e6e38de
MODELS

# 3. Face fixtures for the tests: the public-domain "astronaut" photo that
# Debian's python3-skimage ships (apt-get download, not installed).
if [ ! -f "$assets/fixtures/astronaut.png" ] && command -v apt-get >/dev/null; then
  fetch_skimage() { (cd "$tmp" && apt-get download python3-skimage >/dev/null 2>&1); }
  # a fresh machine may have no package lists yet: refresh them (as root) and retry
  fetch_skimage || { $root && apt-get update -qq >/dev/null 2>&1 && fetch_skimage; }
  if ls "$tmp"/python3-skimage_*.deb >/dev/null 2>&1 && dpkg -x "$tmp"/python3-skimage_*.deb "$tmp/skimage" 2>/dev/null; then
    mkdir -p "$assets/fixtures"
    cp "$(find "$tmp/skimage" -name astronaut.png | head -n 1)" "$assets/fixtures/astronaut.png" && say "installed $assets/fixtures/astronaut.png"
  else
    say "could not fetch python3-skimage for the face test fixture; those tests skip"
  fi
fi

# Group photos of other people (impostor pairs), from the npm package
# @vladmandic/face-api@1.7.15 (demo/sample1..6.jpg).
fa=@vladmandic/face-api@1.7.15
fa_sha=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
while read -r name sha; do
  npm_file $fa $fa_sha "package/demo/$name.jpg" "$sha" "$assets/fixtures/$name.jpg" || break
done <<SAMPLES
sample1 8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51
sample2 7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691
sample3 8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936
sample4 729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc
sample5 6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938
sample6 9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87
SAMPLES

# 4. OCR-B traineddata
if have_sha "$tessdata/ocrb_int.traineddata" "$ocrb_sha"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  say "npm is missing, so ocrb_int.traineddata cannot be fetched: install Node.js/npm and run $0 again (the MRZ check reports not_run until then)"
  exit 0
fi
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
