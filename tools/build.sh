#!/usr/bin/env bash
# Configures and builds one flavour of sluice into build/<flavour>:
#   release  optimised with a profile (below), what `tools/run.sh` serves, the tests test and
#            the benchmarks measure
#   debug    with debug info
#   asan     debug build with AddressSanitizer and UndefinedBehaviorSanitizer
#   profile  optimised with debug info and frame pointers, for `perf record -g` on benchmarks
# The release flavour is profile-guided (tools/pgo/README.md): an instrumented sluice is built
# into build/pgo-train, serves tools/pgo/train.sh's requests (again whenever it was rebuilt), and
# the counts it leaves in build/pgo-profile guide the optimisation of build/release.
# SLUICE_PGO=0 builds release without a profile.
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
if [[ "$flavour" == release && "${SLUICE_PGO:-1}" != 0 ]]; then
  profile_dir="$PWD/build/pgo-profile"
  cmake -S . -B build/pgo-train -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF \
    -DSLUICE_BUILD_BENCHMARKS=OFF -DSLUICE_PGO=generate "-DSLUICE_PGO_DIR=$profile_dir" \
    "${launcher[@]}" >/dev/null
  # All of the product (no tests): the training runs sluice, its chain's filters and fake-llm,
  # and this build is where the product compiles with every warning as an error from no profile.
  cmake --build build/pgo-train -j "$(nproc)"
  stamp="$profile_dir/trained"
  trained_with=(build/pgo-train/bin/{sluice,fake-llm,liblog.so,libroute.so,libtranslate.so}
    tools/pgo/train.sh tools/pgo/train.yaml)
  for file in "${trained_with[@]}"; do
    if [[ ! -f "$stamp" || "$file" -nt "$stamp" ]]; then
      rm -f "$stamp"
      tools/pgo/train.sh build/pgo-train "$profile_dir"
      touch "$stamp"
      break
    fi
  done
  args+=(-DSLUICE_PGO=use "-DSLUICE_PGO_DIR=$profile_dir")
else
  args+=(-DSLUICE_PGO=)  # a folder configured with a profile before builds without one now
fi
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" "${launcher[@]}" >/dev/null
shift || true
# Extra arguments are targets (the ASan pass builds only what it runs).
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "build/$flavour" -j "$(nproc)" "${targets[@]}"
