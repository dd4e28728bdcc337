#!/usr/bin/env bash
# Instruction-count benchmark: instructions per request (callgrind's Ir) of sluice's measured
# paths, beside nginx doing the same work, each served by one worker to one connection:
#   local reply   sluice: a chain whose only filter is direct_response; nginx: `return 200`
#   proxy         sluice: log -> route -> translate in front of fake-llm, a ~1 KB chat request;
#                 nginx: proxy_pass (upstream keep-alive) in front of the same fake-llm
#   stream        the same, with a streamed chat request: fake-llm answers with STREAM_CHUNKS
#                 content chunks (54 events with the default 50), sent without pause; nginx
#                 with proxy_buffering off
# Unlike req/s on a shared machine, these counts repeat from run to run (within about 1 %), so
# they show what a change to the request path costs. They are not time: a cache miss or a system
# call counts as what it executes in user space only. Under callgrind everything runs ~50x slower.
#
# Usage: benchmarks/instructions/run.sh [BUILD_DIR]   (default build/profile: optimised, with
#                                                        symbols for callgrind_annotate)
# Environment:
#   DURATION=5s        measured wrk run of each target (after a 2 s unmeasured warm-up)
#   NGINX=1            also measure nginx (0: sluice only)
#   STREAM=1           also measure the stream target (0: without)
#   STREAM_CHUNKS=50   content chunks of the streamed answer
#   KEEP=DIR           keep the callgrind files in DIR (callgrind_annotate them for the profile)
# Binds 127.0.0.1 only. Installs nothing. Everything it starts and writes is removed on exit.

set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${BUILD:-build/profile}}
DURATION=${DURATION:-5s}
NGINX=${NGINX:-1}
STREAM=${STREAM:-1}
STREAM_CHUNKS=${STREAM_CHUNKS:-50}
KEEP=${KEEP:-}

die() {
  echo "instructions: $*" >&2
  exit 1
}

# ---- preflight ---------------------------------------------------------------------------

if [[ "$BUILD" != /* && ! -d "$BUILD" ]]; then
  BUILD="$REPO/$BUILD"
fi
[[ -d "$BUILD" ]] || die "build folder $BUILD not found; build it first (tools/build.sh profile) or pass it as \$1"
BUILD=$(cd "$BUILD" && pwd)
for f in sluice fake-llm libdirect_response.so libroute.so libtranslate.so liblog.so; do
  [[ -e "$BUILD/bin/$f" ]] || die "$BUILD/bin/$f not found; build first: tools/build.sh profile"
done
[[ "$DURATION" =~ ^[0-9]+[smh]?$ ]] || die "DURATION looks like 5s or 1m; got '$DURATION'"
[[ "$STREAM_CHUNKS" =~ ^[1-9][0-9]{0,3}$ ]] || die "STREAM_CHUNKS is 1 to 9999; got '$STREAM_CHUNKS'"
missing=()
for tool in valgrind callgrind_control callgrind_annotate wrk python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
NGINX_BIN=$(command -v nginx 2>/dev/null || true)
[[ -z "$NGINX_BIN" && -x /usr/sbin/nginx ]] && NGINX_BIN=/usr/sbin/nginx
[[ "$NGINX" == 0 || -n "$NGINX_BIN" ]] || missing+=(nginx)
if ((${#missing[@]} > 0)); then
  die "missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]/callgrind_*/valgrind}"
fi

WORK=$(mktemp -d /tmp/sluice-instructions.XXXXXX)
FAKE_PID="" TARGET_PID="" WRK_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid "$WRK_PID"
  stop_pid "$TARGET_PID"
  stop_pid "$FAKE_PID"
  if [[ -n "$KEEP" ]]; then
    mkdir -p "$KEEP"
    cp "$WORK"/callgrind.* "$KEEP"/ 2>/dev/null || true
  fi
  rm -rf -- "$WORK"
  exit "$status"
}
trap cleanup EXIT INT TERM

read -r FAKE_PORT PORT ADMIN_PORT <<<"$(free_ports 3)"

# The benchmark's request bodies: the proxy benchmark's ~1 KB chat request, a streamed chat
# request whose answer fake-llm sends as STREAM_CHUNKS content chunks without pause, and a GET.
python3 - "$WORK/chat.lua" "$WORK/stream.lua" "$STREAM_CHUNKS" <<'PY'
import json, sys
def write(path, body):
    with open(path, "w") as out:
        out.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
        out.write("wrk.body = [==[%s]==]\n" % json.dumps(body, separators=(",", ":")))
text = "The quick brown fox jumps over the lazy dog while the gateway forwards every byte. " * 11
write(sys.argv[1], {"model": "demo", "messages": [
    {"role": "system", "content": "You are a helpful assistant. Answer briefly and precisely."},
    {"role": "user", "content": text}], "temperature": 0})
write(sys.argv[2], {"model": "demo", "stream": True, "stream_options": {"include_usage": True},
    "messages": [{"role": "user", "content":
        "[[fake chunks=%s chunk_delay_ms=0]] Tell me a story about a fox." % sys.argv[3]}]})
PY
echo 'wrk.method = "GET"' >"$WORK/get.lua"

"$BUILD/bin/fake-llm" --port "$FAKE_PORT" --workers 1 --no-log </dev/null >"$WORK/fake.log" 2>&1 &
FAKE_PID=$!
wait_port "$FAKE_PORT" 10 || die "fake-llm did not start listening on 127.0.0.1:$FAKE_PORT"

BODY='{"id":"bench-local-reply","object":"local_reply","message":"hello from the local reply","ok":true}'
sluice_yaml "$PORT" "$ADMIN_PORT" local_reply "$BODY" "workers: 1" >"$WORK/local.yaml"
sluice_yaml "$PORT" "$ADMIN_PORT" proxy "$FAKE_PORT" "$WORK/access.log" "workers: 1" \
  >"$WORK/proxy.yaml"
nginx_config() {  # nginx_config FILE LOCATION_BODY
  cat >"$1" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  server_tokens off;
  keepalive_requests 100000000;
  $(nginx_temp_paths "$NGINX_BIN" "$WORK")
  upstream fake_llm { server 127.0.0.1:$FAKE_PORT; keepalive 8; }
  server { listen 127.0.0.1:$PORT; location / { $2 } }
}
EOF
}
nginx_config "$WORK/nginx-local.conf" "default_type application/json; return 200 '$BODY';"
nginx_config "$WORK/nginx-proxy.conf" \
  'proxy_pass http://fake_llm; proxy_http_version 1.1; proxy_set_header Connection "";'
# Streams pass through unbuffered, each event as it comes, as sluice passes them.
nginx_config "$WORK/nginx-stream.conf" \
  'proxy_pass http://fake_llm; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off;'

# measure NAME LUA PATH COMMAND...: COMMAND under callgrind, its instructions over a DURATION wrk
# run at one connection (counters zeroed after the warm-up): "NAME REQUESTS IR" added to rows.
measure() {
  local name=$1 lua=$2 path=$3
  shift 3
  valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.$name" "$@" \
    </dev/null >"$WORK/$name.log" 2>&1 &
  TARGET_PID=$!
  if ! wait_port "$PORT" 60; then
    cat "$WORK/$name.log" >&2 || true
    die "$name did not start listening on 127.0.0.1:$PORT under callgrind"
  fi
  local url="http://127.0.0.1:$PORT$path"
  wrk_bg -t1 -c1 -d2s -s "$lua" "$url" >/dev/null
  callgrind_control -z "$TARGET_PID" >/dev/null
  wrk_bg -t1 -c1 -d"$DURATION" -s "$lua" "$url" >"$WORK/wrk.$name"
  callgrind_control -d "$TARGET_PID" >/dev/null
  stop_pid "$TARGET_PID"
  TARGET_PID=""
  local requests errors total
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.$name")
  errors=$(awk '/Non-2xx|Socket errors/ {n++} END {print n+0}' "$WORK/wrk.$name")
  ((errors == 0)) || die "$name: wrk saw errors: $(cat "$WORK/wrk.$name")"
  # The dump after zeroing is the only part file ending in .1 (nginx: the single process).
  total=$(callgrind_annotate "$WORK/callgrind.$name".1 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  [[ -n "$requests" && -n "$total" ]] || die "$name: no request count or no callgrind total"
  echo "$name $requests $total" >>"$WORK/rows"
}

echo "instructions: callgrind, 1 worker, 1 connection, ${DURATION} measured per target ($BUILD)" >&2
measure sluice-local "$WORK/get.lua" / "$BUILD/bin/sluice" run -c "$WORK/local.yaml"
measure sluice-proxy "$WORK/chat.lua" /v1/chat/completions \
  "$BUILD/bin/sluice" run -c "$WORK/proxy.yaml"
if [[ "$STREAM" != 0 ]]; then
  measure sluice-stream "$WORK/stream.lua" /v1/chat/completions \
    "$BUILD/bin/sluice" run -c "$WORK/proxy.yaml"
fi
if [[ "$NGINX" != 0 ]]; then
  nginx_args=(-p "$WORK" -e "$WORK/nginx-error.log" -c)
  measure nginx-local "$WORK/get.lua" / "$NGINX_BIN" "${nginx_args[@]}" "$WORK/nginx-local.conf"
  measure nginx-proxy "$WORK/chat.lua" /v1/chat/completions \
    "$NGINX_BIN" "${nginx_args[@]}" "$WORK/nginx-proxy.conf"
  if [[ "$STREAM" != 0 ]]; then
    measure nginx-stream "$WORK/stream.lua" /v1/chat/completions \
      "$NGINX_BIN" "${nginx_args[@]}" "$WORK/nginx-stream.conf"
  fi
fi

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
built=$(date -u -r "$BUILD/bin/sluice" '+%Y-%m-%d %H:%M:%S UTC')
echo
echo "instructions per request: 1 worker, 1 connection; this checkout at commit $commit;"
echo "sluice binary built $built in $BUILD ($(build_kind "$BUILD"))"
# A streamed answer is STREAM_CHUNKS content chunks plus fake-llm's first (role), finishing and
# usage chunks and [DONE]: its events.
events=$((STREAM_CHUNKS + 4))
printf '%-14s %10s %14s %12s\n' target requests "Ir/request" "Ir/event"
while read -r name requests total; do
  per_event=""
  [[ "$name" == *-stream ]] && per_event=$((total / requests / events))
  printf '%-14s %10s %14s %12s\n' "$name" "$requests" "$((total / requests))" "$per_event"
done <"$WORK/rows"
echo "(Ir: instructions executed in user space by every thread of the server, from the end of"
echo " the warm-up to the end of the run, divided by the requests wrk completed in that time;"
echo " Ir/event: a stream request's, divided by its $events events, the request's own cost included)"
