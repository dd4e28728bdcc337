#!/usr/bin/env bash
# The training run of the profile-guided build (tools/pgo/README.md): the instrumented sluice of
# BUILD_DIR (configured with SLUICE_PGO=generate) serves a fixed mix of requests in front of
# fake-llm, then stops, leaving its execution counts in PROFILE_DIR. The mix is what a gateway
# mostly does (OpenAI chat completions, streamed and not, embeddings), a share of the other client
# APIs and provider adapters, and the common refusals and upstream errors. Every answer's status
# is checked: a run whose requests do not get what they should trains nothing and fails.
#
# Usage: tools/pgo/train.sh BUILD_DIR PROFILE_DIR
# Needs curl. Binds 127.0.0.1 only, on ports the kernel picks; everything it starts and writes
# (but the profile) is removed on exit.
set -euo pipefail

die() {
  echo "pgo/train: $*" >&2
  exit 1
}

[[ $# -eq 2 ]] || die "usage: tools/pgo/train.sh BUILD_DIR PROFILE_DIR"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$(cd "$1" && pwd) || die "no build folder $1"
PROFILE=$2
for bin in sluice fake-llm; do
  [[ -x "$BUILD/bin/$bin" ]] || die "$BUILD/bin/$bin not built"
done
command -v curl >/dev/null || die "curl not found (tools/install-deps.sh installs it)"

WORK=$(mktemp -d)
FAKE_PID=""
SLUICE_PID=""
cleanup() {
  local pid
  for pid in "$SLUICE_PID" "$FAKE_PID"; do
    if [[ -n "$pid" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# stop PID: SIGTERM and up to 10 s to exit; the counts are written as the process exits.
stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 1000; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  wait "$pid" || die "process $pid did not exit cleanly (status $?)"
}

# wait_for PID FILE PATTERN: up to 15 s, while PID runs, for a line matching PATTERN in FILE;
# prints the line.
wait_for() {
  local i line
  for ((i = 0; i < 1500; i++)); do
    line=$(grep -m1 -E "$3" "$2" 2>/dev/null || true)
    if [[ -n "$line" ]]; then
      echo "$line"
      return 0
    fi
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}

# free_port: a loopback TCP port nothing listens on now (/proc/net/tcp lists the listening ones,
# state 0A, with hexadecimal ports).
free_port() {
  local port listening
  listening=$(awk '$4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6)
  while :; do
    port=$((20000 + RANDOM % 40000))
    grep -qix "$(printf '%04X' "$port")" <<<"$listening" || break
  done
  echo "$port"
}

# Fresh counts: the files of an earlier run would be added to.
mkdir -p "$PROFILE"
find "$PROFILE" -name '*.gcda' -delete

"$BUILD/bin/fake-llm" --host 127.0.0.1 --port 0 --workers 2 --no-log \
  --aws-credentials AKIDPGOTRAINING:pgo-training-secret --anthropic-key pgo-anthropic-key \
  --gemini-key pgo-gemini-key >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
line=$(wait_for "$FAKE_PID" "$WORK/fake.out" '^listening ') ||
  die "fake-llm did not start: $(cat "$WORK/fake.err")"
export PGO_FAKE_PORT=${line##*:}
export PGO_ACCESS_LOG="$WORK/access.log"

# A port free a moment ago may be taken by the time sluice binds it: then another one.
for _ in 1 2 3 4 5; do
  export PGO_PORT PGO_ADMIN_PORT
  PGO_PORT=$(free_port)
  PGO_ADMIN_PORT=$(free_port)
  [[ "$PGO_PORT" != "$PGO_ADMIN_PORT" ]] || continue
  (cd "$WORK" && exec "$BUILD/bin/sluice" run -c "$HERE/train.yaml") >"$WORK/sluice.log" 2>&1 &
  SLUICE_PID=$!
  wait_for "$SLUICE_PID" "$WORK/sluice.log" '"msg":"started"' >/dev/null && break
  wait "$SLUICE_PID" 2>/dev/null || true
  SLUICE_PID=""
  grep -q "in use" "$WORK/sluice.log" || break
done
[[ -n "$SLUICE_PID" ]] || die "sluice did not start: $(tail -5 "$WORK/sluice.log")"
BASE="http://127.0.0.1:$PGO_PORT"

# The request bodies. The long chat request is the size of the proxy benchmark's (~1 KB).
filler=""
while ((${#filler} < 760)); do filler+="Summarise the following notes for the weekly report. "; done
cat >"$WORK/chat_long.json" <<EOF
{"model":"demo","messages":[{"role":"system","content":"You are a helpful assistant. Answer briefly."},{"role":"user","content":"${filler:0:760}"}],"temperature":0}
EOF
chat() {  # MODEL [EXTRA_FIELDS [TEXT]]
  printf '{"model":"%s","messages":[{"role":"user","content":"%s"}]%s}' "$1" "${3:-hello there}" "${2:-}"
}
stream=',"stream":true,"stream_options":{"include_usage":true}'
chat demo >"$WORK/chat.json"
chat demo "$stream" >"$WORK/chat_stream.json"
chat demo ',"stream":true' >"$WORK/chat_stream_plain.json"
chat demo ',"max_tokens":16,"tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]' \
  'weather in Paris [[fake fault=tool_call]]' >"$WORK/chat_tool.json"
for model in claude-model bedrock-model gemini-model; do
  chat "$model" >"$WORK/$model.json"
  chat "$model" "$stream" >"$WORK/$model-stream.json"
done
printf '{"model":"demo","prompt":"Say this is a test","max_tokens":8}' >"$WORK/completion.json"
printf '{"model":"demo","input":["the first text","the second text"]}' >"$WORK/embeddings.json"
printf '{"model":"demo","max_tokens":64,"messages":[{"role":"user","content":"hello from anthropic"}]}' \
  >"$WORK/messages.json"
printf '{"model":"demo","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"a stream"}]}' \
  >"$WORK/messages_stream.json"
printf '{"messages":[{"role":"user","content":[{"text":"hello from bedrock"}]}],"inferenceConfig":{"maxTokens":64}}' \
  >"$WORK/converse.json"
chat no-such-model >"$WORK/unknown_model.json"
chat demo ',"api_base":"http://example.invalid"' >"$WORK/api_base.json"
chat demo "" 'throttled [[fake status=429]]' >"$WORK/throttled.json"
chat demo "" 'broken [[fake status=500]]' >"$WORK/broken.json"
printf '{"model":"demo","messages":' >"$WORK/truncated.json"

# COUNT EXPECTED_STATUS METHOD PATH BODY: the mix, about 7,000 requests.
mix=(
  "2400 200 POST /v1/chat/completions chat_long.json"
  "800 200 POST /v1/chat/completions chat.json"
  "200 200 POST /chat/completions chat.json"
  "900 200 POST /v1/chat/completions chat_stream.json"
  "200 200 POST /v1/chat/completions chat_stream_plain.json"
  "100 200 POST /v1/chat/completions chat_tool.json"
  "150 200 POST /v1/completions completion.json"
  "400 200 POST /v1/embeddings embeddings.json"
  "50 200 GET /v1/models -"
  "250 200 POST /v1/messages messages.json"
  "100 200 POST /v1/messages messages_stream.json"
  "150 200 POST /bedrock/model/demo/converse converse.json"
  "150 200 POST /v1/chat/completions claude-model.json"
  "100 200 POST /v1/chat/completions claude-model-stream.json"
  "150 200 POST /v1/chat/completions bedrock-model.json"
  "100 200 POST /v1/chat/completions bedrock-model-stream.json"
  "150 200 POST /v1/chat/completions gemini-model.json"
  "100 200 POST /v1/chat/completions gemini-model-stream.json"
  "50 404 POST /v1/chat/completions unknown_model.json"
  "50 400 POST /v1/chat/completions api_base.json"
  "50 400 POST /v1/chat/completions truncated.json"
  "40 429 POST /v1/chat/completions throttled.json"
  "40 500 POST /v1/chat/completions broken.json"
)

# One curl config, the kinds interleaved (as traffic is, and so that every kind meets warm
# connections and a busy worker alike), each transfer writing "STATUS EXPECTED".
rounds=0
for entry in "${mix[@]}"; do
  read -r count _ <<<"$entry"
  ((count > rounds)) && rounds=$count
done
expected=0
for ((round = 0; round < rounds; round++)); do
  for entry in "${mix[@]}"; do
    read -r count status method path body <<<"$entry"
    # Each kind spread evenly over the rounds.
    ((round * count / rounds != (round + 1) * count / rounds)) || continue
    {
      ((expected == 0)) || printf 'next\n'
      printf 'url = "%s%s"\nrequest = "%s"\noutput = "/dev/null"\n' "$BASE" "$path" "$method"
      printf 'write-out = "%%{http_code} %s %%{errormsg}\\n"\n' "$status"
      if [[ "$body" != - ]]; then
        printf 'header = "content-type: application/json"\ndata-binary = "@%s"\n' "$WORK/$body"
      fi
    } >>"$WORK/requests.curl"
    expected=$((expected + 1))
  done
done

started=$(date +%s%N)
curl --silent --show-error --parallel --parallel-max 16 --max-time 30 --config "$WORK/requests.curl" \
  >"$WORK/statuses" 2>"$WORK/curl.err" || true
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
answered=$(wc -l <"$WORK/statuses")
wrong=$(awk '$1 != $2' "$WORK/statuses" | sort | uniq -c | head -5)
[[ "$answered" -eq "$expected" ]] ||
  die "$answered of $expected requests answered: $(head -3 "$WORK/curl.err")"
[[ -z "$wrong" ]] || die "answers with other statuses than expected (count, got, expected): $wrong; $(sort "$WORK/curl.err" | uniq -c | head -3)"

stop "$SLUICE_PID"
SLUICE_PID=""
stop "$FAKE_PID"
FAKE_PID=""
# The profile is sluice's: fake-llm's own code keeps no counts (the HTTP layer it shares with
# sluice keeps both processes' counts).
find "$PROFILE" -name '*tools#fake-llm#*.gcda' -delete
files=$(find "$PROFILE" -name '*.gcda' | wc -l)
((files > 0)) || die "no profile files in $PROFILE (was $BUILD configured with SLUICE_PGO=generate?)"
echo "pgo/train: $expected requests answered as expected in $elapsed_ms ms; $files profile files in $PROFILE"
