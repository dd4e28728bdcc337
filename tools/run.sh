#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running gateway: installs what is missing,
# builds the release flavour and serves config/quickstart.yaml (or the file given with -c).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh release
if [ $# -eq 0 ]; then set -- -c config/quickstart.yaml; fi
exec build/release/bin/sluice run "$@"
