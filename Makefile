# The two commands of the README: `make run` and `make test`.
GO ?= go

.PHONY: run test build fuzz bench assets

run: assets ## start the server on the embedded default (SQLite + local files in ./var) with a demo merchant
	$(GO) run ./cmd/openkyc serve --demo

assets: ## tesseract and the OCR-B model for MRZ reading (never fails: explains what is missing)
	@./scripts/install-assets.sh

test: ## vet and run every test with the race detector; PostgreSQL too when OPENKYC_TEST_POSTGRES_URL is set
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

build:
	$(GO) build -o bin/openkyc ./cmd/openkyc

fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	./bench/fuzz.sh $(or $(FUZZTIME),30s)

bench: ## benchmarks and load scripts, see bench/README.md
	./bench/run.sh
