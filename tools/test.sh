#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a passed test suite: installs what is missing,
# builds, and runs every test; then runs the HTTP-facing tests again under ASan + UBSan.
# Every server a test needs is started by the tests themselves, on 127.0.0.1, on free ports,
# with data in temporary folders.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
tools/install-deps.sh

tools/build.sh release
ctest --test-dir build/release --output-on-failure -j "$(nproc)" -LE integration
ctest --test-dir build/release --output-on-failure -L integration
# The proxy benchmark's verdicts on added latency come from its capture reader: checked here on
# captures with known times (the benchmark itself is run by hand).
python3 benchmarks/proxy/added_latency_test.py
(cd test/e2e && npm ci --no-audit --no-fund)
SLUICE_BUILD=build/release node --test test/e2e/

tools/build.sh asan sluice fake-llm http_tests runtime_tests upstream_tests filter_tests \
  integration_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build/asan --output-on-failure -j "$(nproc)" -L http
ctest --test-dir build/asan --output-on-failure -L integration

echo "test.sh: everything passed in $(( $(date +%s) - started )) s"
