#!/usr/bin/env bash
# Installs the Debian 12 packages sluice needs to build, test and benchmark, skipping those already
# present. Safe to run again. Uses sudo when not root.
#
# Usage: tools/install-deps.sh [--bench]
#   --bench   also the load benchmarks' packages (benchmarks/*/run.sh): wrk, nginx-light,
#             tcpdump (benchmarks/proxy's per-request added latency; it captures as root) and
#             linux-perf (benchmarks/proxy/cpu_split.sh)
set -euo pipefail

bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    *) echo "usage: tools/install-deps.sh [--bench]" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libevent-dev node-llhttp rapidjson-dev libyaml-cpp-dev libhiredis-dev libpq-dev libssl-dev
  libcurl4-openssl-dev libfmt-dev libprotobuf-dev protobuf-compiler libsqlite3-dev
  libjemalloc-dev libgtest-dev libgmock-dev libbenchmark-dev
  curl openssl procps
  python3  # the tests of benchmarks/proxy's capture reader (tools/test.sh)
)
# The end-to-end tests run the official SDKs on Node.js (20 or newer; see test/e2e/README.md).
# Debian's own nodejs is installed only when no node is on the PATH.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# The load benchmarks (benchmarks/*/README.md): the load generator, the server they compare
# with, the proxy benchmark's packet capture and its CPU sampling (their helper scripts' Python
# is installed for the tests above).
bench_packages=(wrk nginx-light tcpdump linux-perf)
((bench)) && packages+=("${bench_packages[@]}")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
