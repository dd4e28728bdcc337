#!/usr/bin/env bash
# Configures and builds one flavour of sluice into build/<flavour>:
#   release  optimised, what `tools/run.sh` serves and benchmarks measure
#   debug    with debug info
#   asan     debug build with AddressSanitizer and UndefinedBehaviorSanitizer
#   profile  optimised with debug info and frame pointers, for `perf record -g` on benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON -DSLUICE_BUILD_BENCHMARKS=OFF) ;;
  profile)
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_BUILD_BENCHMARKS=OFF
      "-DCMAKE_CXX_FLAGS=-fno-omit-frame-pointer" "-DCMAKE_C_FLAGS=-fno-omit-frame-pointer") ;;
  *) echo "usage: tools/build.sh [release|debug|asan|profile]" >&2; exit 2 ;;
esac
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
fi
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" "${launcher[@]}" >/dev/null
shift || true
# Extra arguments are targets (the ASan pass builds only what it runs).
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "build/$flavour" -j "$(nproc)" "${targets[@]}"
