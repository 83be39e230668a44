#!/usr/bin/env bash
# Headless Chromium for the browser test of the page at GET / (host/ui).
#
#   .ci/chromium.sh     install Debian's chromium if it is missing (as root),
#                       then print EVENTHOST_TEST_CHROMIUM=/path/to/chromium
#
# Idempotent; everything but that line goes to stderr. Without root and
# without an installed chromium it fails, and the browser test skips (or
# fails when CI=true).
set -euo pipefail

log() { echo "chromium.sh: $*" >&2; }

find_chromium() {
	local c
	for c in chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			command -v "$c"
			return
		fi
	done
}

if [[ -z $(find_chromium) ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		log "chromium is not installed and installing it needs root"
		exit 1
	fi
	log "installing Debian's chromium"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
fi
bin=$(find_chromium)
if [[ -z $bin ]]; then
	log "chromium installed but not on PATH"
	exit 1
fi
echo "EVENTHOST_TEST_CHROMIUM=$bin"
