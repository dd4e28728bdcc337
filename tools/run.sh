#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running gateway: installs what is missing,
# builds the release flavour, starts the fake provider (tools/fake-llm) on 127.0.0.1:4010 and
# serves config/quickstart.yaml on 127.0.0.1:4000 in front of it. With arguments, serves those
# instead (e.g. `tools/run.sh -c config/openai.yaml`) and starts no fake provider.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh release
bin=build/release/bin
if [ $# -gt 0 ]; then exec "$bin/sluice" run "$@"; fi

export FAKE_LLM_PORT="${FAKE_LLM_PORT:-4010}"
"$bin/fake-llm" --host 127.0.0.1 --port "$FAKE_LLM_PORT" --no-log >/dev/null &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true' EXIT INT TERM
"$bin/sluice" run -c config/quickstart.yaml
