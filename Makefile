# Thin targets; CI (.ci/run) runs exactly `make test`.
GO ?= go

## run: serve the shipped scripts/ on :8080
run: node_modules
	$(GO) run ./cmd/eventhost

## test: install the npm packages, Chromium (.ci/chromium.sh) and a throw-away PostgreSQL (.ci/postgres.sh), type-check the scripts, check formatting and vet, run every test with -race, one package at a time
test: node_modules typecheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@chromium=$$(.ci/chromium.sh) || { echo "Chromium could not be installed: the browser test skips (and fails when CI=true)"; chromium=; }; \
	pg=$$(.ci/postgres.sh) || { echo "PostgreSQL could not be started: the db tests skip (and fail when CI=true)"; pg=; }; \
	trap '.ci/postgres.sh stop >/dev/null 2>&1 || true' EXIT; \
	env $$pg $$chromium $(GO) test -race -count=1 -p 1 -timeout 14m ./...

## typecheck: type-check scripts/ against the API's declarations in types/ (tsc, nothing emitted)
typecheck: node_modules
	npx --no-install tsc --noEmit -p .

## build: a static binary at ./bin/eventhost
build:
	CGO_ENABLED=0 $(GO) build -o bin/eventhost ./cmd/eventhost

## fuzz: run the frame decoder's fuzz target for a minute
fuzz:
	$(GO) test -run XXX -fuzz FuzzDecode -fuzztime 60s ./host/protocol

## bench: the in-process benchmarks
bench: node_modules
	$(GO) test -run XXX -bench . -benchmem ./...

# npm ci installs exactly what package-lock.json lists (the packages that
# scripts import, the fixtures' npm imports, and socket.io and
# socket.io-client for the Socket.IO tests).
node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

## help: list the targets
help:
	@grep -E '^## ' Makefile | sed 's/^## //'

.PHONY: run test typecheck build fuzz bench help
