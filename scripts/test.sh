#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests start themselves
# (Debian's Chromium + ChromeDriver), then builds and runs every test with the Maven wrapper.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
./mvnw -B -ntp verify "$@"
