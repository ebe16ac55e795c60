#!/usr/bin/env bash
# Runs every fuzz target for the given time each (default 30s).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-30s}
for target in \
  "./internal/docfile FuzzValidator" \
  "./internal/docfile FuzzCheckPDF" \
  "./internal/docfile FuzzInspect" \
  "./internal/pii FuzzNormalize" \
  "./internal/check/face FuzzFlushDenormals" \
  "./internal/api FuzzApplicantJSON" \
  "./internal/api FuzzVerificationJSON" \
  "./internal/api FuzzUploadMultipart" \
  "./internal/dialect/vexora FuzzRequests" \
  "./internal/dialect/vexora FuzzCanonical" \
  "./internal/dialect FuzzCanonicalJSON" \
  "./internal/dialect/cardbinding FuzzStringToSign" \
  "./internal/dialect/cardbinding FuzzParseBind" \
  "./internal/dialect/cardbinding FuzzSpoolBody" \
  "./internal/dialect/paycools FuzzInitParam" \
  "./internal/check/mrz FuzzParse" \
  "./internal/screening FuzzParsers" \
  "./internal/screening FuzzSearch" \
  "./internal/screening FuzzTokenize" \
  "./internal/review FuzzDecisionInput" \
  "./internal/web/console FuzzSafeNext" \
  "./internal/crypto FuzzParseMasterKeys" \
  "./internal/review FuzzQueueCursor" \
  "./internal/webhook FuzzValidateURL" \
  "./internal/docfile FuzzTrailer" \
  "./internal/check/barcode FuzzParseAAMVA" \
  "./internal/check/barcode FuzzParseOutput" \
  "./internal/check/barcode FuzzParseNational" \
  "./internal/check/viz FuzzExtract" \
  "./internal/check/viz FuzzParseTSV" \
  "./internal/check/viz FuzzParseDate" \
  "./internal/check/viz FuzzFitNumber" \
  "./internal/hostedlink FuzzNormalizeOrigin"; do
  set -- $target
  echo "== $2 ($1, $t)"
  go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$t"
done
