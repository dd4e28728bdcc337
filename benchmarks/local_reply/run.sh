#!/usr/bin/env bash
# Local-reply benchmark: sluice answering from a chain whose only filter is direct_response,
# beside nginx answering `return 200` with the same body, measured with wrk in the same run.
# Reports req/s, p50 and p99 of each, the req/s ratio sluice/nginx, sluice's idle RSS and its
# start-up time, next to the targets (>= 0.9x nginx, idle RSS < 20 MB, start-up < 100 ms).
#
# Usage: benchmarks/local_reply/run.sh [BUILD_DIR]      (default build/release)
# Environment:
#   DURATION=10s     wrk duration of each measured run
#   CONNECTIONS=64   wrk connections
#   THREADS=2        wrk threads
#   WARMUP=2s        wrk warm-up before each measured run (not reported)
#   ROUNDS=3         measured runs of each server, alternating nginx and sluice; the table shows
#                    the median run of each (a shared machine's noise hits both alike)
#   STARTS=5         sluice launches timed for start-up; the median is reported
#   BUSY_POLL_US=500 also measure, in each round, a second sluice with this busy_poll_us (a row
#                    for information); 0: no second sluice
#   SKIP_SLUICE=1    measure nginx only (checks the machine and this script before sluice exists)
#   STRICT=1         exit 3 when a target is missed
#   VERBOSE=1        also print wrk's own output
# Binds 127.0.0.1 only. Installs nothing. Everything it starts and writes is removed on exit.

set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BUILD=${1:-build/release}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-3}
STARTS=${STARTS:-5}
BUSY_POLL_US=${BUSY_POLL_US:-500}
SKIP_SLUICE=${SKIP_SLUICE:-0}
STRICT=${STRICT:-0}
VERBOSE=${VERBOSE:-0}

# The same ~100-byte JSON body from both servers. No single quote (it sits in single-quoted YAML
# and nginx strings) and no '$' (nginx would read a variable).
BODY='{"id":"bench-local-reply","object":"local_reply","message":"hello from the local reply","ok":true}'

TARGET_RATIO=0.9
TARGET_RSS_MB=20
TARGET_STARTUP_MS=100

die() {
  echo "local_reply: $*" >&2
  exit 1
}

# ---- preflight ---------------------------------------------------------------------------

SLUICE_BIN="$BUILD/bin/sluice"
PLUGIN="$BUILD/bin/libdirect_response.so"
if [[ "$SKIP_SLUICE" != 1 ]]; then
  [[ -x "$SLUICE_BIN" ]] || die "$SLUICE_BIN not found or not executable; build it first (cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build/release) or pass the build folder as \$1"
  [[ -f "$PLUGIN" ]] || die "$PLUGIN not found; the direct_response filter must be built next to sluice"
  SLUICE_BIN=$(cd "$(dirname "$SLUICE_BIN")" && pwd)/sluice
fi

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
NGINX_BIN=$(command -v nginx 2>/dev/null || true)
if [[ -z "$NGINX_BIN" && -x /usr/sbin/nginx ]]; then
  NGINX_BIN=/usr/sbin/nginx  # /usr/sbin is not on every user's PATH
fi
[[ -n "$NGINX_BIN" ]] || missing+=(nginx-light)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]} > 0)); then
  die "missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}"
fi

for value in "$DURATION" "$WARMUP"; do
  [[ "$value" =~ ^[0-9]+[smh]?$ ]] || die "durations look like 10s, 2s or 1m; got '$value'"
done
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ && "$THREADS" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9][0-9]*$ &&
  "$STARTS" =~ ^[1-9][0-9]*$ ]] ||
  die "CONNECTIONS, THREADS, ROUNDS and STARTS must be positive integers"
((THREADS <= CONNECTIONS)) || die "THREADS ($THREADS) must not exceed CONNECTIONS ($CONNECTIONS)"
if [[ ! "$BUSY_POLL_US" =~ ^(0|[1-9][0-9]*)$ ]] || ((BUSY_POLL_US > 10000)); then
  die "BUSY_POLL_US must be 0 (no busy-poll sluice) or 1..10000 (sluice's bound); got '$BUSY_POLL_US'"
fi
[[ "$SKIP_SLUICE" != 1 ]] || BUSY_POLL_US=0

CORES=$(nproc)

# ---- cleanup -----------------------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-local-reply.XXXXXX")
NGINX_PID=""
SLUICE_PID=""
SLUICE_BP_PID=""
WRK_PID=""


cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid "$WRK_PID"
  if [[ -n "$NGINX_PID" ]]; then
    local workers
    workers=$(pgrep -P "$NGINX_PID" 2>/dev/null || true)
    stop_pid "$NGINX_PID"
    for pid in $workers; do stop_pid "$pid"; done
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  stop_pid "$SLUICE_PID"
  stop_pid "$SLUICE_BP_PID"
  rm -rf -- "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ports -------------------------------------------------------------------------------

# Five distinct free loopback ports, held open together while the kernel picks them (the last
# two for the busy-poll sluice when BUSY_POLL_US > 0).
read -r NGINX_PORT SLUICE_PORT ADMIN_PORT SLUICE_BP_PORT ADMIN_BP_PORT < <(free_ports 5)

# ---- helpers in python3 ------------------------------------------------------------------


# fetch PORT: one raw HTTP/1.1 GET /, prints "STATUS RESPONSE_BYTES HEADER_BYTES" and writes the
# body to $WORK/body.PORT.
fetch() {
  python3 - "$1" "$WORK/body.$1" <<'EOF'
import socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: local-reply-check\r\n\r\n")
data = b""
while b"\r\n\r\n" not in data:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
lines = head.decode("latin-1").split("\r\n")
status = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "?"
length = 0
for line in lines[1:]:
    name, _, value = line.partition(":")
    if name.strip().lower() == "content-length":
        length = int(value.strip())
while len(body) < length:
    chunk = s.recv(65536)
    if not chunk:
        break
    body += chunk
s.close()
open(out, "wb").write(body[:length])
print(status, len(head) + 4 + length, len(head) + 4)
EOF
}

# ---- nginx -------------------------------------------------------------------------------

temp_paths=$(nginx_temp_paths "$NGINX_BIN" "$WORK")

cat >"$WORK/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $CORES;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  server_tokens off;
  keepalive_timeout 65s;
  keepalive_requests 100000000;
  $temp_paths

  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    location / {
      default_type application/json;
      return 200 '$BODY';
    }
  }
}
EOF

"$NGINX_BIN" -t -q -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" ||
  die "nginx rejected $WORK/nginx.conf"
"$NGINX_BIN" -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" \
  </dev/null >"$WORK/nginx-stdout.log" 2>&1 &
NGINX_PID=$!
if ! wait_port "$NGINX_PORT" 10; then
  cat "$WORK/nginx-error.log" >&2 2>/dev/null || true
  die "nginx did not start listening on 127.0.0.1:$NGINX_PORT"
fi

# ---- sluice ------------------------------------------------------------------------------

STARTUP_MS=""
IDLE_RSS_KB=""
LISTENING_LINE=""
# sluice_config FILE PORT ADMIN_PORT BUSY_POLL_US
sluice_config() {
  sluice_yaml "$2" "$3" local_reply "$BODY" "busy_poll_us: $4" "drain_timeout_ms: 1000" >"$1"
}

if [[ "$SKIP_SLUICE" != 1 ]]; then
  sluice_config "$WORK/sluice.yaml" "$SLUICE_PORT" "$ADMIN_PORT" 0

  # The launcher starts sluice (working folder: the temp folder, so nothing lands elsewhere)
  # and polls its port every 1 ms; start-up = from just before exec until the port accepts.
  # STARTS launches, all but the last stopped again; the median is reported (one launch can
  # take several times longer on a shared machine, e.g. with cold page caches).
  STARTUP_ALL=()
  for ((start = 1; start <= STARTS; start++)); do
    launch=$(python3 - "$SLUICE_BIN" "$WORK/sluice.yaml" "$SLUICE_PORT" "$WORK" <<'EOF'
import socket, subprocess, sys, time
binary, config, port, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
log = open(work + "/sluice.log", "wb")
t0 = time.monotonic_ns()
proc = subprocess.Popen([binary, "run", "-c", config], stdin=subprocess.DEVNULL, stdout=log,
                        stderr=subprocess.STDOUT, cwd=work)
deadline = t0 + 10 * 1_000_000_000
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
        print(proc.pid, (time.monotonic_ns() - t0) / 1e6)
        sys.exit(0)
    except OSError:
        pass
    if proc.poll() is not None:
        print(proc.pid, "exited")
        sys.exit(1)
    if time.monotonic_ns() > deadline:
        print(proc.pid, "timeout")
        sys.exit(1)
    time.sleep(0.001)
EOF
    ) || true
    read -r SLUICE_PID STARTUP_MS <<<"$launch"
    if [[ -z "$STARTUP_MS" || ! "$STARTUP_MS" =~ ^[0-9.]+$ ]]; then
      echo "--- sluice output:" >&2
      cat "$WORK/sluice.log" >&2 || true
      die "sluice did not start listening on 127.0.0.1:$SLUICE_PORT (${STARTUP_MS:-no result})"
    fi
    STARTUP_ALL+=("$STARTUP_MS")
    if ((start < STARTS)); then
      stop_pid "$SLUICE_PID" # waits until it has exited, so the next launch binds alone
      SLUICE_PID=""
    fi
  done
  STARTUP_MS=$(printf '%s\n' "${STARTUP_ALL[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  sleep 1  # let start-up work settle before reading the idle footprint
  IDLE_RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$SLUICE_PID/status")
  LISTENING_LINE=$(grep -m1 -E '"msg": ?"listening"' "$WORK/sluice.log" || true)
fi
if ((BUSY_POLL_US > 0)); then
  # Started after the idle RSS and start-up readings; idle until its turn in each round.
  sluice_config "$WORK/sluice-bp.yaml" "$SLUICE_BP_PORT" "$ADMIN_BP_PORT" "$BUSY_POLL_US"
  start_sluice SLUICE_BP_PID "$SLUICE_BIN" "$WORK/sluice-bp.yaml" "$WORK/sluice-bp.log" \
    "$SLUICE_BP_PORT" "sluice (busy_poll_us $BUSY_POLL_US)"
fi

# ---- both answer the same ----------------------------------------------------------------

read -r nginx_status nginx_bytes nginx_head < <(fetch "$NGINX_PORT") || true
[[ "$nginx_status" == 200 ]] || die "nginx answered $nginx_status, expected 200"
cmp -s "$WORK/body.$NGINX_PORT" <(printf '%s' "$BODY") || die "nginx answered another body"
if [[ "$SKIP_SLUICE" != 1 ]]; then
  read -r sluice_status sluice_bytes sluice_head < <(fetch "$SLUICE_PORT") || true
  if [[ "$sluice_status" != 200 ]] || ! cmp -s "$WORK/body.$SLUICE_PORT" <(printf '%s' "$BODY"); then
    echo "--- sluice output:" >&2
    cat "$WORK/sluice.log" >&2 || true
    die "sluice answered $sluice_status with body '$(cat "$WORK/body.$SLUICE_PORT")', expected 200 and the nginx body"
  fi
fi
if ((BUSY_POLL_US > 0)); then
  read -r bp_status _ _ < <(fetch "$SLUICE_BP_PORT") || true
  if [[ "$bp_status" != 200 ]] || ! cmp -s "$WORK/body.$SLUICE_BP_PORT" <(printf '%s' "$BODY"); then
    cat "$WORK/sluice-bp.log" >&2 || true
    die "sluice (busy_poll_us $BUSY_POLL_US) answered $bp_status, expected 200 and the nginx body"
  fi
fi

# ---- load --------------------------------------------------------------------------------


# Latency as wrk prints it ("812.00us", "1.20ms", "1.02s", "2.00m") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    else if (u != "ms") { print "?"; exit }
    printf "%.3f", n
  }'
}

# parse NAME: sets RPS, P50, P99 (ms), ERRORS (non-2xx + socket errors).
parse() {
  local file="$WORK/wrk.$1" non2xx sock
  RPS=$(awk '/^Requests\/sec:/ {print $2}' "$file")
  P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$file")")
  P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$file")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$file")
  # "Socket errors: connect 0, read 0, write 0, timeout 0"
  sock=$(awk '/Socket errors:/ { s = 0; for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i + 0; print s }' "$file")
  ERRORS=$((${non2xx:-0} + ${sock:-0}))
  [[ -n "$RPS" && "$P50" != "?" && "$P99" != "?" ]] || {
    cat "$file" >&2
    die "could not parse wrk output for $1"
  }
}

# cpu_ticks PID...: user + system clock ticks of these processes so far.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
TICKS_PER_S=$(getconf CLK_TCK)

# measure NAME PORT PID...: one warm-up and one measured run; sets RPS, P50, P99, ERRORS and
# CPU_US (CPU microseconds per request of the given processes during the measured run).
measure() {
  local name=$1 port=$2 before after requests
  shift 2
  echo "  $name: ${WARMUP} warm-up, ${DURATION} measured ..." >&2
  wrk_bg -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$port/" >/dev/null
  before=$(cpu_ticks "$@")
  wrk_bg -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/" \
    >"$WORK/wrk.$name"
  after=$(cpu_ticks "$@")
  if [[ "$VERBOSE" == 1 ]]; then
    echo "--- wrk output for $name" >&2
    cat "$WORK/wrk.$name" >&2
  fi
  parse "$name"
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.$name")
  CPU_US=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_S" -v n="${requests:-0}" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz / n * 1e6; else print "?" }')
}

# median_row FILE: the line of FILE ("rps p50 p99 errors cpu_us" per round) with the median rps.
median_row() {
  sort -g -k1,1 "$1" | awk '{ row[NR] = $0 } END { print row[int((NR + 1) / 2)] }'
}

NGINX_PIDS=("$NGINX_PID")
for pid in $(pgrep -P "$NGINX_PID" 2>/dev/null || true); do NGINX_PIDS+=("$pid"); done

echo "local_reply: $ROUNDS rounds of wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency," \
  "$WARMUP warm-up each, nginx and sluice alternating; $CORES cores; body ${#BODY} bytes" >&2
: >"$WORK/rounds.nginx"
: >"$WORK/rounds.sluice"
: >"$WORK/rounds.sluicebp"
for ((round = 1; round <= ROUNDS; round++)); do
  measure "nginx.$round" "$NGINX_PORT" "${NGINX_PIDS[@]}"
  echo "$RPS $P50 $P99 $ERRORS $CPU_US" >>"$WORK/rounds.nginx"
  if [[ "$SKIP_SLUICE" != 1 ]]; then
    measure "sluice.$round" "$SLUICE_PORT" "$SLUICE_PID"
    echo "$RPS $P50 $P99 $ERRORS $CPU_US" >>"$WORK/rounds.sluice"
  fi
  if ((BUSY_POLL_US > 0)); then
    measure "sluice-bp.$round" "$SLUICE_BP_PORT" "$SLUICE_BP_PID"
    echo "$RPS $P50 $P99 $ERRORS $CPU_US" >>"$WORK/rounds.sluicebp"
  fi
done
read -r NGINX_RPS NGINX_P50 NGINX_P99 NGINX_ERRORS NGINX_CPU_US < <(median_row "$WORK/rounds.nginx")
if [[ "$SKIP_SLUICE" != 1 ]]; then
  read -r SLUICE_RPS SLUICE_P50 SLUICE_P99 SLUICE_ERRORS SLUICE_CPU_US \
    < <(median_row "$WORK/rounds.sluice")
  LOADED_HWM_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$SLUICE_PID/status")
fi

# ---- report ------------------------------------------------------------------------------

verdict() {  # verdict CONDITION_AS_AWK_EXPRESSION
  if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi
}

echo
echo "local_reply benchmark: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency" \
  "($WARMUP warm-up each), median of $ROUNDS alternating rounds, $CORES cores, $(uname -r)"
echo "rounds (req/s): nginx $(awk '{printf "%s ", $1}' "$WORK/rounds.nginx")"
[[ "$SKIP_SLUICE" == 1 ]] || echo "                sluice $(awk '{printf "%s ", $1}' "$WORK/rounds.sluice")"
((BUSY_POLL_US == 0)) || echo "                sluice-bp $(awk '{printf "%s ", $1}' "$WORK/rounds.sluicebp")"
printf '%-9s %12s %10s %10s %8s %12s %16s\n' target req/s "p50 (ms)" "p99 (ms)" errors \
  "CPU us/req" "response bytes"
printf '%-9s %12s %10s %10s %8s %12s %16s\n' nginx "$NGINX_RPS" "$NGINX_P50" "$NGINX_P99" \
  "$NGINX_ERRORS" "$NGINX_CPU_US" "$nginx_bytes ($nginx_head hdr)"
missed=0
if [[ "$SKIP_SLUICE" != 1 ]]; then
  printf '%-9s %12s %10s %10s %8s %12s %16s\n' sluice "$SLUICE_RPS" "$SLUICE_P50" "$SLUICE_P99" \
    "$SLUICE_ERRORS" "$SLUICE_CPU_US" "$sluice_bytes ($sluice_head hdr)"
  if ((BUSY_POLL_US > 0)); then
    read -r BP_RPS BP_P50 BP_P99 BP_ERRORS BP_CPU_US < <(median_row "$WORK/rounds.sluicebp")
    printf '%-9s %12s %10s %10s %8s %12s %16s\n' sluice-bp "$BP_RPS" "$BP_P50" "$BP_P99" \
      "$BP_ERRORS" "$BP_CPU_US" "(information)"
    echo "(sluice-bp: a second sluice, the same config plus busy_poll_us: $BUSY_POLL_US; its median round)"
  fi
  echo
  ratio=$(awk -v s="$SLUICE_RPS" -v n="$NGINX_RPS" 'BEGIN { printf "%.3f", s / n }')
  rss_mb=$(awk -v k="$IDLE_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
  hwm_mb=$(awk -v k="$LOADED_HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
  startup=$(awk -v m="$STARTUP_MS" 'BEGIN { printf "%.1f", m }')
  v_ratio=$(verdict "$ratio >= $TARGET_RATIO")
  v_rss=$(verdict "$rss_mb < $TARGET_RSS_MB")
  v_startup=$(verdict "$startup < $TARGET_STARTUP_MS")
  printf '%-28s %10s   %-14s %s\n' "req/s ratio sluice/nginx" "${ratio}x" \
    ">= ${TARGET_RATIO}x" "$v_ratio"
  printf '%-28s %10s   %-14s %s\n' "sluice idle RSS" "$rss_mb MB" "< $TARGET_RSS_MB MB" "$v_rss"
  printf '%-28s %10s   %-14s %s\n' "sluice start-up (median)" "$startup ms" \
    "< $TARGET_STARTUP_MS ms" "$v_startup"
  echo "  (start-up of each of the $STARTS launches, ms: ${STARTUP_ALL[*]})"
  printf '%-28s %10s   %s\n' "sluice peak RSS (after load)" "$hwm_mb MB" "(information)"
  if [[ -n "$LISTENING_LINE" ]]; then
    echo "sluice logged: $LISTENING_LINE"
  else
    echo "sluice logged no \"listening\" line"
  fi
  for v in "$v_ratio" "$v_rss" "$v_startup"; do [[ "$v" == met ]] || missed=1; done
  if ((SLUICE_ERRORS > 0 || NGINX_ERRORS > 0 || ${BP_ERRORS:-0} > 0)); then
    echo "warning: wrk saw errors or non-2xx responses; the req/s above include them" >&2
  fi
else
  echo "(sluice skipped: SKIP_SLUICE=1)"
fi

if [[ "$STRICT" == 1 && "$missed" == 1 ]]; then
  exit 3
fi
