# syntax=docker/dockerfile:1
#
# The eventhost image: the static binary, the shipped scripts/ and the npm
# packages they import, on a small non-root runtime.
#
#   docker build -t eventhost .
#   docker run --rm -p 8080:8080 -v eventhost-data:/data eventhost
#   docker run --rm -p 8080:8080 -v "$PWD/scripts:/app/scripts:ro" eventhost   # your own scripts
#
# Three stages, each doing what the Makefile does on a developer's machine:
#   npm     npm ci (the Makefile's node_modules target), the scripts'
#           type-check (make typecheck), then the dev packages pruned;
#   build   make build: CGO_ENABLED=0 go build -o bin/eventhost ./cmd/eventhost;
#   final   distroless/static (CA certificates for fetch, tzdata, a nonroot
#           user, no shell) with /app/eventhost, /app/scripts, /app/node_modules.
#
# .ci/image-steps.sh runs the same RUN steps on the host (where no base image
# can be pulled) and assembles the same /app tree; docs/operations.md says
# what was and was not run where.
#
# The base images are build arguments so that a mirror or a pinned digest can
# be given without editing this file. GO_IMAGE must carry at least the go
# line of go.mod (else the go command would try to download a toolchain).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG GO_IMAGE=golang:1.26.8-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

# --- npm: the scripts' packages ---------------------------------------------
FROM ${NODE_IMAGE} AS npm
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY types/ types/
COPY scripts/ scripts/
RUN npx --no-install tsc --noEmit -p . && npm prune --omit=dev --no-audit --no-fund

# --- build: the static binary, exactly as make build --------------------------
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build && ./bin/eventhost help >/dev/null
# The data folder, owned by the runtime's nonroot user (65532): the final
# image has no shell to make it, and a named volume mounted at /data starts
# as a copy of it, ownership included.
RUN mkdir -p out/data && chown 65532:65532 out/data

# --- final: the runtime -----------------------------------------------------
FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /src/bin/eventhost /app/eventhost
COPY --from=npm /src/package.json /src/package-lock.json /app/
COPY --from=npm /src/node_modules/ /app/node_modules/
COPY --from=npm /src/scripts/ /app/scripts/
COPY --from=build --chown=65532:65532 /src/out/ /

# Every serve flag is also an EVENTHOST_* variable (README.md, "Running it");
# these are the image's defaults, and -e or a flag after the image name wins.
# -watch=false: the image's scripts do not change under it; mount your own
# and set EVENTHOST_WATCH=true to edit them while it runs.
ENV EVENTHOST_ADDR=:8080 \
    EVENTHOST_SCRIPTS=/app/scripts \
    EVENTHOST_DB=/data/eventhost.db \
    EVENTHOST_WATCH=false \
    EVENTHOST_LOG_FORMAT=json

USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]

# No curl in the image: the binary asks its own /healthz (on the port that
# EVENTHOST_ADDR names) and exits 0 only on 200 with "ok": true. Docker runs
# it; podman only keeps HEALTHCHECK in --format docker images.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/app/eventhost", "healthcheck"]

ENTRYPOINT ["/app/eventhost"]
CMD ["serve"]
