#!/usr/bin/env bash
# Proxy benchmark: sluice with its full chain (log -> route -> translate) in front of fake-llm,
# beside nginx `proxy_pass` (upstream keep-alive) in front of the same fake-llm and beside
# fake-llm on its own, in one run on one machine. Measures
#   1. throughput at CONNECTIONS connections with a ~1 KB chat request: req/s, p50, p99 of each;
#      sluice's CPU time per request and RSS; the req/s ratio sluice/nginx (target >= 1.0x);
#   2. latency at 1 connection: what sluice adds to each request (target p99 < 100 us), measured
#      per request from a loopback packet capture of the runs (tcpdump): for every request, the
#      time from the client's request arriving to sluice's request to fake-llm leaving, plus the
#      time from fake-llm's answer arriving to sluice's answer leaving (added_latency.py, next to
#      this file); p50/p90/p99/max of sluice, the busy-poll sluice (d) and nginx, and of the two
#      halves. Without tcpdump or the right to capture, it says why and the target falls back to
#      the difference of the p50/p99 of the runs through sluice and direct (printed either way,
#      as information: two runs one after the other, on a shared machine mostly noise);
#   3. streams, direct, through nginx (proxy_buffering off) and through sluice:
#      a. probes (the targets): STREAMS background streams of CHUNKS chunks, their requests spread
#         evenly over RAMP_MS; once every one has had its first event (all open and flowing),
#         PROBES streaming requests one at a time, each on a new connection (request sent
#         PROBE_GAP_MS after the connection is made), while the background streams go on
#         streaming. The time to first token (TTFT) of the probes: p50/p99 of each target; the
#         TTFT sluice adds to each probe (target p99 < 200 us), measured per probe from a
#         capture of the run as in part 2 (in = the probe's request arrived .. sluice's request
#         to fake-llm left; out = fake-llm's first data: event arrived .. sluice's first data:
#         event left), else the difference of the probes' p99 through sluice and direct (printed
#         either way: with 200 probes the p99 is the third-largest sample, and on a shared 2-core
#         machine it is set by scheduling delays of a few ms in both rows, so the difference is
#         mostly noise there; README.md, "Reading the numbers"); sluice's RSS while all STREAMS
#         background streams are open and flowing (target < 50 MB); also, for information, the
#         background streams' TTFT during the ramp and sluice's own ttft_ms of the probes;
#      b. burst (information, BURST=1): STREAMS requests sent at once, direct and through
#         sluice, as before: their p99 is the time a server needs to work through a queue of
#         STREAMS requests arriving in the same millisecond, not what a proxy adds to a request,
#         so it is not held to the target.
#      TTFT = from the request's send() to the kernel receive timestamp of the first data: event.
#   With BUSY_POLL_US > 0, a second sluice, (d), the same config plus `busy_poll_us:
#   BUSY_POLL_US`, is measured beside (c) in parts 2 and 3a (its own rows and added lines,
#   information): its workers keep polling for that long after I/O instead of sleeping in
#   epoll_wait, which takes the wake-ups out of the 1-connection latency where waking a thread is
#   slow (virtual machines).
#
# Usage: benchmarks/proxy/run.sh [BUILD_DIR]       (default build/release of this repository)
# Environment:
#   BUILD=DIR           build folder (same as $1)
#   DURATION=10s        wrk duration of each throughput run
#   CONNECTIONS=64      wrk connections of the throughput runs
#   THREADS=2           wrk threads of the throughput runs
#   LAT_DURATION=5s     wrk duration of each 1-connection run
#   WARMUP=2s           unmeasured wrk run before each measured one
#   STREAMS=1000        concurrent (background) streams
#   CHUNKS=50           content chunks per stream (at least 2)
#   CHUNK_DELAY_MS=auto pause between two content chunks of a background stream; auto: long
#                       enough that the background streams outlast the probes (203 ms with the
#                       defaults; the formula is in the preflight below)
#   RAMP_MS=1000        the background streams' requests are spread evenly over this time
#   PROBES=200          probe requests, one at a time
#   PROBE_GAP_MS=10     pause between a probe's connection being made and its request
#   PROBE_CHUNK_DELAY_MS=10  a probe streams 2 content chunks this far apart
#   ROUNDS=0            after part 1's runs, this many more rounds of nginx then sluice (each
#                       a warm-up and DURATION), printed with their ratios and the ratio of the
#                       sums (information: on a shared machine one pair of runs can differ from
#                       the next by more than the gap it measures)
#   BURST=1             also run the burst rounds (information); 0: skip them
#   BURST_CHUNK_DELAY_MS=20  pause between two content chunks in the burst rounds
#   WORKERS=<cores>     worker threads of fake-llm and sluice, worker processes of nginx
#   BODY_BYTES=1024     size of the chat request body
#   BUSY_POLL_US=500    busy_poll_us of the second sluice (d) of parts 2 and 3a; 0: no (d)
#   NGINX_ACCESS_LOG=1  nginx writes an access log to a file, as sluice's log filter does; 0: off
#   NOFILE=8192         open-file limit raised for this script and what it starts
#   STRICT=1            exit 3 when a target is missed
#   CAPTURE=1           capture the 1-connection runs and the probe rounds with tcpdump for the
#                       per-request added latency and TTFT (needs root or CAP_NET_RAW); 0: no
#                       capture, the targets apply to the differences of percentiles
#   VERBOSE=1           also print wrk's own output
# Binds 127.0.0.1 only. Installs nothing. Everything it starts and writes is removed on exit.

set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

BUILD=${1:-${BUILD:-build/release}}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
LAT_DURATION=${LAT_DURATION:-5s}
WARMUP=${WARMUP:-2s}
STREAMS=${STREAMS:-1000}
CHUNKS=${CHUNKS:-50}
CHUNK_DELAY_MS=${CHUNK_DELAY_MS:-auto}
RAMP_MS=${RAMP_MS:-1000}
PROBES=${PROBES:-200}
PROBE_GAP_MS=${PROBE_GAP_MS:-10}
PROBE_CHUNK_DELAY_MS=${PROBE_CHUNK_DELAY_MS:-10}
ROUNDS=${ROUNDS:-0}
BURST=${BURST:-1}
BURST_CHUNK_DELAY_MS=${BURST_CHUNK_DELAY_MS:-20}
WORKERS=${WORKERS:-$(nproc)}
BODY_BYTES=${BODY_BYTES:-1024}
BUSY_POLL_US=${BUSY_POLL_US:-500}
NGINX_ACCESS_LOG=${NGINX_ACCESS_LOG:-1}
NOFILE=${NOFILE:-8192}
STRICT=${STRICT:-0}
CAPTURE=${CAPTURE:-1}
VERBOSE=${VERBOSE:-0}

TARGET_RATIO=1.0            # (c) req/s >= 1.0 x (b) req/s
TARGET_ADDED_P50_US=50      # ../shared DESIGN.md "Performance budgets"
TARGET_ADDED_P99_US=100     # the issue (DESIGN.md's budget is 250 us)
TARGET_ADDED_TTFT_P99_US=200
TARGET_STREAM_RSS_MB=50

die() {
  echo "proxy: $*" >&2
  exit 1
}

# ---- preflight ---------------------------------------------------------------------------

if [[ "$BUILD" != /* && ! -d "$BUILD" ]]; then
  BUILD="$REPO/$BUILD"  # relative to the repository when not relative to here
fi
[[ -d "$BUILD" ]] || die "build folder $BUILD not found; build it first (tools/build.sh release) or pass it as \$1"
BUILD=$(cd "$BUILD" && pwd)
for f in sluice fake-llm; do
  [[ -x "$BUILD/bin/$f" ]] || die "$BUILD/bin/$f not found or not executable; build first: tools/build.sh release"
done
for f in libroute.so libtranslate.so liblog.so; do
  [[ -f "$BUILD/bin/$f" ]] || die "$BUILD/bin/$f not found; the route, translate and log filters must be built next to sluice"
done
SLUICE_BIN="$BUILD/bin/sluice"
FAKE_BIN="$BUILD/bin/fake-llm"

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
[[ -f "$HERE/streams.py" ]] || die "$HERE/streams.py (the streaming client) is missing"
[[ -f "$HERE/added_latency.py" ]] || die "$HERE/added_latency.py (the capture's reader) is missing"

for value in "$DURATION" "$LAT_DURATION" "$WARMUP"; do
  [[ "$value" =~ ^[0-9]+[smh]?$ ]] || die "durations look like 10s, 10, 2s or 1m; got '$value'"
done
for name in CONNECTIONS THREADS STREAMS CHUNKS WORKERS BODY_BYTES NOFILE PROBES; do
  [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || die "$name must be a positive integer; got '${!name}'"
done
for name in RAMP_MS PROBE_GAP_MS PROBE_CHUNK_DELAY_MS BURST_CHUNK_DELAY_MS; do
  [[ "${!name}" =~ ^[0-9]+$ ]] || die "$name must be an integer >= 0; got '${!name}'"
done
[[ "$BURST" == 0 || "$BURST" == 1 ]] || die "BURST must be 0 or 1"
if [[ ! "$ROUNDS" =~ ^[0-9]+$ ]] || ((ROUNDS > 50)); then
  die "ROUNDS is a count from 0 to 50; got '$ROUNDS'"
fi
[[ "$CAPTURE" == 0 || "$CAPTURE" == 1 ]] || die "CAPTURE must be 0 or 1"
if [[ ! "$BUSY_POLL_US" =~ ^(0|[1-9][0-9]*)$ ]] || ((BUSY_POLL_US > 10000)); then
  die "BUSY_POLL_US must be 0 (no busy-poll sluice) or 1..10000 (sluice's bound); got '$BUSY_POLL_US'"
fi
((THREADS <= CONNECTIONS)) || die "THREADS ($THREADS) must not exceed CONNECTIONS ($CONNECTIONS)"
((CHUNKS >= 2)) || die "CHUNKS must be at least 2 (the background streams must go on streaming)"
# A probe takes about PROBE_GAP_MS + PROBE_CHUNK_DELAY_MS plus a few ms (connect, TTFT, this
# client's loop: 4 to 14 ms on a busy 2-core machine, 8 in the estimate); the first background
# stream, sent at the start of the ramp, ends (CHUNKS - 1) x CHUNK_DELAY_MS later (its first
# content chunk comes with the head). auto makes that outlast the ramp and 1.5 x the estimated
# probe time, plus 0.5 s.
PROBE_EST_MS=$((PROBE_GAP_MS + PROBE_CHUNK_DELAY_MS + 8))
if [[ "$CHUNK_DELAY_MS" == auto ]]; then
  need_ms=$((RAMP_MS + PROBES * PROBE_EST_MS * 3 / 2 + 500))
  CHUNK_DELAY_MS=$(((need_ms + CHUNKS - 2) / (CHUNKS - 1)))
  CHUNK_DELAY_SOURCE="auto"
else
  [[ "$CHUNK_DELAY_MS" =~ ^[0-9]+$ ]] || die "CHUNK_DELAY_MS must be auto or an integer >= 0"
  CHUNK_DELAY_SOURCE="set"
fi
for name in CHUNK_DELAY_MS PROBE_CHUNK_DELAY_MS BURST_CHUNK_DELAY_MS; do
  ((${!name} <= 600000)) || die "fake-llm allows chunk delays up to 600000 ms; $name is ${!name}"
done
((CHUNKS <= 10000)) || die "fake-llm allows CHUNKS <= 10000"
((BODY_BYTES >= 400)) || die "BODY_BYTES must be at least 400"

# Every stream costs the client one descriptor, sluice two (client side and upstream side) and
# fake-llm one; raise the soft limit for this shell and everything it starts.
need_fds=$((2 * STREAMS + 256))
((NOFILE >= need_fds)) || NOFILE=$need_fds
hard=$(ulimit -Hn)
if [[ "$hard" != unlimited ]] && ((hard < NOFILE)); then
  ((hard >= need_fds)) || die "open-file hard limit $hard is below the $need_fds that $STREAMS streams need"
  NOFILE=$hard
fi
if (($(ulimit -Sn) < NOFILE)); then
  ulimit -Sn "$NOFILE" || die "could not raise the open-file limit to $NOFILE"
fi

# Parts 2 and 3a's per-request measurements: tcpdump on the loopback interface. Without it (not
# installed, no right to capture) the script goes on with the differences of percentiles and says
# why. `tcpdump -d` opens the interface and compiles a filter without capturing: the same checks.
CAPTURE_OK=0
CAPTURE_WHY="CAPTURE=0"
TCPDUMP_BIN=""
if [[ "$CAPTURE" == 1 ]]; then
  TCPDUMP_BIN=$(command -v tcpdump 2>/dev/null || true)
  if [[ -z "$TCPDUMP_BIN" && -x /usr/sbin/tcpdump ]]; then
    TCPDUMP_BIN=/usr/sbin/tcpdump  # /usr/sbin is not on every user's PATH
  fi
  if [[ -z "$TCPDUMP_BIN" ]]; then
    CAPTURE_WHY="tcpdump is not installed (sudo apt-get install -y tcpdump)"
  elif ! probe_err=$("$TCPDUMP_BIN" -i lo -d 'tcp port 1' 2>&1 >/dev/null); then
    CAPTURE_WHY="tcpdump cannot capture on lo: $(head -n 1 <<<"$probe_err" | sed 's/^tcpdump: //')"
    CAPTURE_WHY+=" (run as root, or give tcpdump CAP_NET_RAW)"
  else
    CAPTURE_OK=1
    CAPTURE_WHY=""
  fi
  if ((!CAPTURE_OK)); then
    echo "proxy: no per-request added latency: $CAPTURE_WHY; the targets of parts 2 and 3a fall back to the differences of percentiles" >&2
  fi
fi

CORES=$(nproc)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILT=$(date -u -r "$SLUICE_BIN" '+%Y-%m-%d %H:%M:%S UTC')
CLK_TCK=$(getconf CLK_TCK)

# ---- cleanup -----------------------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-proxy.XXXXXX")
FAKE_PID=""
NGINX_PID=""
SLUICE_PID=""
SLUICE_BP_PID=""
WRK_PID=""
CLIENT_PID=""
TCPDUMP_PID=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid "$WRK_PID"
  stop_pid "$CLIENT_PID"
  stop_pid "$TCPDUMP_PID"
  stop_pid "$SLUICE_PID"
  stop_pid "$SLUICE_BP_PID"
  if [[ -n "$NGINX_PID" ]]; then
    local workers pid
    workers=$(pgrep -P "$NGINX_PID" 2>/dev/null || true)
    stop_pid "$NGINX_PID"
    for pid in $workers; do stop_pid "$pid"; done
  fi
  stop_pid "$FAKE_PID"
  rm -rf -- "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ports -------------------------------------------------------------------------------

# Seven distinct free loopback ports, held open together while the kernel picks them. nginx
# listens on two: NGINX_PORT for parts 1 and 2, NGINX_STREAM_PORT (proxy_buffering off) for 3;
# the busy-poll sluice (d) on the last two when BUSY_POLL_US > 0.
read -r FAKE_PORT NGINX_PORT NGINX_STREAM_PORT SLUICE_PORT ADMIN_PORT SLUICE_BP_PORT \
  ADMIN_BP_PORT < <(free_ports 7)

# ---- helpers -----------------------------------------------------------------------------


# check PORT BODY_FILE: one POST /v1/chat/completions; prints the response's bytes and fails
# unless the answer is a 200 chat.completion.
check() {
  python3 - "$1" "$2" <<'EOF'
import socket, sys
port, body = int(sys.argv[1]), open(sys.argv[2], "rb").read()
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
data = b""
while b"\r\n\r\n" not in data:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, rest = data.partition(b"\r\n\r\n")
lines = head.decode("latin-1").split("\r\n")
status = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "?"
length = None
for line in lines[1:]:
    name, _, value = line.partition(":")
    if name.strip().lower() == "content-length":
        length = int(value.strip())
while length is not None and len(rest) < length:
    chunk = s.recv(65536)
    if not chunk:
        break
    rest += chunk
s.close()
print(len(head) + 4 + len(rest))
if status != "200" or b'"object":"chat.completion"' not in rest:
    sys.stderr.write("answer: %r\n" % (head + b"\r\n\r\n" + rest[:500]))
    sys.exit(1)
EOF
}

# CPU ticks of a process (all threads), "user system"; fields after the ")" that ends comm.
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  awk '{ print $12, $13 }' <<<"$stat"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }


# Latency as wrk prints it ("812.00us", "1.20ms", "1.02s", "2.00m") in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "ms") n *= 1000; else if (u == "s") n *= 1000000; else if (u == "m") n *= 60000000
    else if (u != "us") { print "?"; exit }
    printf "%.1f", n
  }'
}

# parse FILE: sets RPS, REQS, P50_US, P99_US, ERRORS (non-2xx + socket errors) from wrk output.
parse() {
  local file=$1 non2xx sock
  RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$file")
  REQS=$(awk '/requests in/ { print $1; exit }' "$file")
  P50_US=$(to_us "$(awk '$1 == "50%" { print $2 }' "$file")")
  P99_US=$(to_us "$(awk '$1 == "99%" { print $2 }' "$file")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$file")
  sock=$(awk '/Socket errors:/ { s = 0; for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i + 0; print s }' "$file")
  ERRORS=$((${non2xx:-0} + ${sock:-0}))
  [[ -n "$RPS" && -n "$REQS" && "$P50_US" != "?" && "$P99_US" != "?" ]] || {
    cat "$file" >&2
    die "could not parse wrk output $file"
  }
}

# run_wrk NAME PORT THREADS CONNECTIONS DURATION [PID...]: warm-up, then the measured run saved
# to $WORK/wrk.NAME; the CPU ticks the PIDs used during the measured run go to $WORK/cpu.NAME
# ("user system"), the wall-clock times (ns since the epoch) just before and after it to
# $WORK/window.NAME.
run_wrk() {
  local name=$1 url="http://127.0.0.1:$2/v1/chat/completions" t=$3 c=$4 d=$5 pid user system
  local user0=0 system0=0 user1=0 system1=0
  shift 5
  echo "  $name: -t$t -c$c, $WARMUP warm-up, $d measured ..." >&2
  wrk_bg -t"$t" -c"$c" -d"$WARMUP" -s "$WORK/chat.lua" "$url" >/dev/null
  sleep 0.1  # sluice's log writer catches up with the warm-up
  log_lines >"$WORK/logline.$name"
  for pid in "$@"; do
    read -r user system < <(cpu_ticks "$pid")
    user0=$((user0 + user)) system0=$((system0 + system))
  done
  local from=${EPOCHREALTIME//[!0-9]/}000
  wrk_bg -t"$t" -c"$c" -d"$d" --latency -s "$WORK/chat.lua" "$url" >"$WORK/wrk.$name"
  local to=${EPOCHREALTIME//[!0-9]/}000
  for pid in "$@"; do
    read -r user system < <(cpu_ticks "$pid")
    user1=$((user1 + user)) system1=$((system1 + system))
  done
  echo "$((user1 - user0)) $((system1 - system0))" >"$WORK/cpu.$name"
  echo "$from $to" >"$WORK/window.$name"
  if [[ "$VERBOSE" == 1 ]]; then
    echo "--- wrk output for $name" >&2
    cat "$WORK/wrk.$name" >&2
  fi
}

# capture_start NAME BYTES PORT...: tcpdump on lo, to $WORK/cap.NAME.pcap: the TCP segments to
# or from the PORTs that carry data or open or close a connection (pure ACKs are left out in the
# kernel), their first BYTES bytes, nanosecond timestamps. Returns once it captures; when it
# cannot, says why and turns the capture off for the rest of the run.
capture_start() {
  local name=$1 bytes=$2 ports="" port filter i why
  shift 2
  ((CAPTURE_OK)) || return 0
  for port in "$@"; do ports+="${ports:+ or }port $port"; done
  filter="tcp and ($ports) and (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0"
  filter+=" or ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) != 0)"
  # -Z: as root, tcpdump would write the file as user tcpdump, which cannot enter $WORK.
  "$TCPDUMP_BIN" -i lo -n -s "$bytes" --time-stamp-precision=nano -B 8192 -Z "$(id -un)" \
    -w "$WORK/cap.$name.pcap" "$filter" </dev/null >/dev/null 2>"$WORK/tcpdump.$name.err" &
  TCPDUMP_PID=$!
  for ((i = 0; i < 100; i++)); do
    grep -q 'listening on' "$WORK/tcpdump.$name.err" 2>/dev/null && return 0
    kill -0 "$TCPDUMP_PID" 2>/dev/null || break
    sleep 0.05
  done
  stop_pid "$TCPDUMP_PID"
  TCPDUMP_PID=""
  CAPTURE_OK=0
  why=$(sed -n '1{s/^tcpdump: //;p}' "$WORK/tcpdump.$name.err" 2>/dev/null || true)
  CAPTURE_WHY="tcpdump did not start capturing for $name: ${why:-it did not say it was listening within 5 s}"
  echo "proxy: $CAPTURE_WHY; the targets measured after it fall back to the differences of percentiles" >&2
}

# capture_stop NAME: stops tcpdump after 1.2 s (it reads the kernel's capture buffer in blocks,
# each handed over when full or 1 s after it was begun: stopped at once, it would lose the last
# one) and keeps the count of packets the kernel dropped in $WORK/dropped.NAME.
capture_stop() {
  local name=$1
  [[ -n "$TCPDUMP_PID" ]] || return 0
  sleep 1.2
  stop_pid "$TCPDUMP_PID"
  TCPDUMP_PID=""
  awk '/packets dropped by kernel/ { print $1 }' "$WORK/tcpdump.$name.err" >"$WORK/dropped.$name"
}

# capture_stats NAME [--ttft] FRONT_PORT [BACK_PORT]: added_latency.py on NAME's capture, the
# exchanges of its measured run (window.NAME); its key=value words go into the associative array
# C_NAME (declared in parts 2 and 3), with `dropped`. Deletes the capture. A capture it cannot
# read turns the per-request measurement off, with the reason.
capture_stats() {
  local name=$1 from to out kv
  shift
  [[ -f "$WORK/cap.$name.pcap" ]] || return 0
  read -r from to <"$WORK/window.$name"
  if out=$(python3 "$HERE/added_latency.py" --kv --from "$from" --to "$to" \
    "$WORK/cap.$name.pcap" "$@" 2>"$WORK/added_latency.$name.err"); then
    out+=" dropped=$(<"$WORK/dropped.$name")"
    declare -n c_into="C_$name"
    # shellcheck disable=SC2034  # `c_into` names C_<name>
    for kv in $out; do c_into[${kv%%=*}]=${kv#*=}; done
    unset -n c_into
  else
    CAPTURE_OK=0
    CAPTURE_WHY="added_latency.py could not read the capture of $name: $(head -n 1 "$WORK/added_latency.$name.err")"
  fi
  rm -f -- "$WORK/cap.$name.pcap"
}

# log_stats FIRST LAST: sluice's access lines FIRST..LAST-1 (0-based) with status 200; prints
# "N TOTAL_P50 TOTAL_P99 UPSTREAM_P50 UPSTREAM_P99 OWN_P50 OWN_P99 TTFT_P50 TTFT_P99" in us from
# latency_ms (request reaching the log filter .. complete), upstream_latency_ms, their difference
# per request (OWN), and ttft_ms (request start .. first body byte sent); "?" when absent.
log_stats() {
  python3 - "$WORK/access.log" "$1" "$2" <<'EOF'
import json, math, sys
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
total, up, own, ttft = [], [], [], []
with open(path) as f:
    for i, line in enumerate(f):
        if first <= i < last:
            e = json.loads(line)
            if e.get("status") != 200 or e.get("latency_ms") is None:
                continue
            total.append(e["latency_ms"] * 1000)
            if e.get("upstream_latency_ms") is not None:
                up.append(e["upstream_latency_ms"] * 1000)
                own.append((e["latency_ms"] - e["upstream_latency_ms"]) * 1000)
            if e.get("ttft_ms") is not None:
                ttft.append(e["ttft_ms"] * 1000)
def pct(a, p):
    a = sorted(a)
    return f"{a[max(1, math.ceil(p / 100 * len(a))) - 1]:.1f}" if a else "?"
print(len(total), *(pct(a, p) for a in (total, up, own, ttft) for p in (50, 99)))
EOF
}
log_lines() { { wc -l <"$WORK/access.log" || echo 0; } 2>/dev/null; }

verdict() {  # verdict AWK_CONDITION
  if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi
}

# ---- request bodies ----------------------------------------------------------------------

build_body "$WORK/chat.json" "$BODY_BYTES" ',"temperature":0' ''
build_body "$WORK/stream.json" "$BODY_BYTES" ',"stream":true,"temperature":0' \
  " [[fake chunks=$CHUNKS chunk_delay_ms=$CHUNK_DELAY_MS]]"
build_body "$WORK/probe.json" "$BODY_BYTES" ',"stream":true,"temperature":0' \
  " [[fake chunks=2 chunk_delay_ms=$PROBE_CHUNK_DELAY_MS]]"
build_body "$WORK/burst.json" "$BODY_BYTES" ',"stream":true,"temperature":0' \
  " [[fake chunks=$CHUNKS chunk_delay_ms=$BURST_CHUNK_DELAY_MS]]"
python3 -c 'import json, sys; [json.load(open(f)) for f in sys.argv[1:]]' \
  "$WORK/chat.json" "$WORK/stream.json" "$WORK/probe.json" "$WORK/burst.json" ||
  die "the generated request bodies are not valid JSON"

post_json_lua "$WORK/chat.json" >"$WORK/chat.lua"

# ---- fake-llm ----------------------------------------------------------------------------

"$FAKE_BIN" --host 127.0.0.1 --port "$FAKE_PORT" --workers "$WORKERS" --no-log \
  </dev/null >"$WORK/fake-llm.out" 2>"$WORK/fake-llm.err" &
FAKE_PID=$!
if ! wait_port "$FAKE_PORT" 10; then
  cat "$WORK/fake-llm.err" >&2 || true
  die "fake-llm did not start listening on 127.0.0.1:$FAKE_PORT"
fi

# ---- nginx -------------------------------------------------------------------------------

temp_paths=$(nginx_temp_paths "$NGINX_BIN" "$WORK")
if [[ "$NGINX_ACCESS_LOG" == 1 ]]; then
  nginx_access="access_log $WORK/nginx-access.log;"
else
  nginx_access="access_log off;"
fi

cat >"$WORK/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $WORKERS;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;

events {
  worker_connections 8192;
}

http {
  $nginx_access
  server_tokens off;
  keepalive_timeout 65s;
  keepalive_requests 100000000;
  $temp_paths

  upstream fake_llm {
    server 127.0.0.1:$FAKE_PORT;
    keepalive 64;
    keepalive_requests 100000000;
  }

  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    location / {
      proxy_pass http://fake_llm;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }

  # Part 3: nginx passes a proxied response on as it arrives only without buffering (with the
  # default proxy_buffering on, server-sent events may wait in its buffers).
  server {
    listen 127.0.0.1:$NGINX_STREAM_PORT reuseport;
    location / {
      proxy_pass http://fake_llm;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF

"$NGINX_BIN" -t -q -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" ||
  die "nginx rejected $WORK/nginx.conf"
"$NGINX_BIN" -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" \
  </dev/null >"$WORK/nginx-stdout.log" 2>&1 &
NGINX_PID=$!
if ! wait_port "$NGINX_PORT" 10 || ! wait_port "$NGINX_STREAM_PORT" 10; then
  cat "$WORK/nginx-error.log" >&2 2>/dev/null || true
  die "nginx did not start listening on 127.0.0.1:$NGINX_PORT"
fi

# ---- sluice ------------------------------------------------------------------------------

# sluice_config FILE PORT ADMIN_PORT ACCESS_LOG BUSY_POLL_US: the full chain, log first (where
# filters/log/README.md places it, so it sees every request).
sluice_config() {  # sluice_config FILE PORT ADMIN_PORT ACCESS_LOG BUSY_POLL_US
  sluice_yaml "$2" "$3" proxy "$FAKE_PORT" "$4" "workers: $WORKERS" "busy_poll_us: $5" \
    "drain_timeout_ms: 1000" "limits: {max_connections_per_worker: 10000}" >"$1"
}

sluice_config "$WORK/sluice.yaml" "$SLUICE_PORT" "$ADMIN_PORT" "$WORK/access.log" 0
start_sluice SLUICE_PID "$SLUICE_BIN" "$WORK/sluice.yaml" "$WORK/sluice.log" "$SLUICE_PORT" sluice
if ((BUSY_POLL_US > 0)); then
  # (d): idle until its turn; a busy-poll worker with no traffic sleeps like any other.
  sluice_config "$WORK/sluice-bp.yaml" "$SLUICE_BP_PORT" "$ADMIN_BP_PORT" \
    "$WORK/access-bp.log" "$BUSY_POLL_US"
  start_sluice SLUICE_BP_PID "$SLUICE_BIN" "$WORK/sluice-bp.yaml" "$WORK/sluice-bp.log" \
    "$SLUICE_BP_PORT" "sluice (busy_poll_us $BUSY_POLL_US)"
fi

# ---- all three answer the chat request ---------------------------------------------------

declare -A RESPONSE_BYTES
RESPONSE_BYTES[direct]=$(check "$FAKE_PORT" "$WORK/chat.json") ||
  die "fake-llm did not answer the chat request with a 200 chat.completion"
RESPONSE_BYTES[nginx]=$(check "$NGINX_PORT" "$WORK/chat.json") || {
  cat "$WORK/nginx-error.log" >&2 || true
  die "nginx did not answer the chat request with a 200 chat.completion"
}
check "$NGINX_STREAM_PORT" "$WORK/chat.json" >/dev/null || {
  cat "$WORK/nginx-error.log" >&2 || true
  die "nginx (streaming server, proxy_buffering off) did not answer the chat request with a 200 chat.completion"
}
RESPONSE_BYTES[sluice]=$(check "$SLUICE_PORT" "$WORK/chat.json") || {
  cat "$WORK/sluice.log" >&2 || true
  die "sluice did not answer the chat request with a 200 chat.completion"
}
if ((BUSY_POLL_US > 0)); then
  check "$SLUICE_BP_PORT" "$WORK/chat.json" >/dev/null || {
    cat "$WORK/sluice-bp.log" >&2 || true
    die "sluice (busy_poll_us $BUSY_POLL_US) did not answer the chat request with a 200 chat.completion"
  }
fi

# ---- 1. throughput -----------------------------------------------------------------------

echo "proxy: commit $COMMIT, $CORES cores, load average $LOAD_START; workers $WORKERS;" \
  "request body $BODY_BYTES bytes" >&2
echo "1. throughput" >&2
run_wrk direct "$FAKE_PORT" "$THREADS" "$CONNECTIONS" "$DURATION"
mapfile -t NGINX_WORKER_PIDS < <(pgrep -P "$NGINX_PID")
run_wrk nginx "$NGINX_PORT" "$THREADS" "$CONNECTIONS" "$DURATION" "$NGINX_PID" "${NGINX_WORKER_PIDS[@]}"
run_wrk sluice "$SLUICE_PORT" "$THREADS" "$CONNECTIONS" "$DURATION" "$SLUICE_PID"
SLUICE_RSS_AFTER_KB=$(rss_kb "$SLUICE_PID")

declare -A T_RPS T_P50 T_P99 T_ERR T_REQS
for name in direct nginx sluice; do
  parse "$WORK/wrk.$name"
  T_RPS[$name]=$RPS T_P50[$name]=$P50_US T_P99[$name]=$P99_US T_ERR[$name]=$ERRORS
  T_REQS[$name]=$REQS
done
# CPU microseconds per request of TICKS ("user system") over REQUESTS: SPLIT 0 prints the sum,
# SPLIT 1 "sum (user U + system S)".
cpu_us() {  # TICKS REQUESTS SPLIT
  awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" -v split_="$3" 'BEGIN {
    split(t, f, " "); k = 1e6 / hz / n
    if (n <= 0) print "?"
    else if (split_) printf "%.1f (user %.1f + system %.1f)", (f[1] + f[2]) * k, f[1] * k, f[2] * k
    else printf "%.1f", (f[1] + f[2]) * k
  }'
}
cpu_per_req_us() {  # NAME
  cpu_us "$(<"$WORK/cpu.$1")" "${T_REQS[$1]}" 0
}
cpu_split_us() {  # NAME
  cpu_us "$(<"$WORK/cpu.$1")" "${T_REQS[$1]}" 1
}
SLUICE_CPU_US=$(cpu_split_us sluice)
NGINX_CPU_US=$(cpu_split_us nginx)

# Alternating rounds (ROUNDS): nginx then sluice, each round's pair as close in time as can be.
ROUND_LINES=()
if ((ROUNDS > 0)); then
  rounds_nginx=0 rounds_sluice=0
  # CPU ticks ("user system") and requests of all rounds, per server.
  rounds_cpu_nginx="0 0" rounds_cpu_sluice="0 0" rounds_reqs_nginx=0 rounds_reqs_sluice=0
  add_ticks() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); print x[1] + y[1], x[2] + y[2] }'; }
  for ((round = 1; round <= ROUNDS; round++)); do
    run_wrk "nginx_r$round" "$NGINX_PORT" "$THREADS" "$CONNECTIONS" "$DURATION" \
      "$NGINX_PID" "${NGINX_WORKER_PIDS[@]}"
    run_wrk "sluice_r$round" "$SLUICE_PORT" "$THREADS" "$CONNECTIONS" "$DURATION" "$SLUICE_PID"
    rounds_cpu_nginx=$(add_ticks "$rounds_cpu_nginx" "$(<"$WORK/cpu.nginx_r$round")")
    rounds_cpu_sluice=$(add_ticks "$rounds_cpu_sluice" "$(<"$WORK/cpu.sluice_r$round")")
    parse "$WORK/wrk.nginx_r$round"
    nginx_rps=$RPS
    rounds_reqs_nginx=$((rounds_reqs_nginx + REQS))
    parse "$WORK/wrk.sluice_r$round"
    rounds_reqs_sluice=$((rounds_reqs_sluice + REQS))
    ROUND_LINES+=("$(awk -v r="$round" -v n="$nginx_rps" -v s="$RPS" \
      'BEGIN { printf "  round %-3d nginx %10.0f   sluice %10.0f   ratio %.3fx", r, n, s, s / n }')")
    rounds_nginx=$(awk -v a="$rounds_nginx" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a + b }')
    rounds_sluice=$(awk -v a="$rounds_sluice" -v b="$RPS" 'BEGIN { printf "%.2f", a + b }')
  done
  ROUNDS_RATIO=$(awk -v s="$rounds_sluice" -v n="$rounds_nginx" 'BEGIN { printf "%.3f", s / n }')
  ROUNDS_CPU_SLUICE=$(cpu_us "$rounds_cpu_sluice" "$rounds_reqs_sluice" 1)
  ROUNDS_CPU_NGINX=$(cpu_us "$rounds_cpu_nginx" "$rounds_reqs_nginx" 1)
fi

# ---- 2. latency at one connection --------------------------------------------------------

# Each run is captured (when CAPTURE_OK) from before its warm-up to after it, the direct one
# too, so that all four bear the capture's cost alike; only the measured run's exchanges count.
echo "2. latency at 1 connection" >&2
LATENCY_TARGETS=(direct1 sluice1 nginx1)
capture_start direct1 128 "$FAKE_PORT"
run_wrk direct1 "$FAKE_PORT" 1 1 "$LAT_DURATION"
capture_stop direct1
capture_start sluice1 128 "$SLUICE_PORT" "$FAKE_PORT"
run_wrk sluice1 "$SLUICE_PORT" 1 1 "$LAT_DURATION" "$SLUICE_PID"
capture_stop sluice1
if ((BUSY_POLL_US > 0)); then
  # Before nginx1: sluice's own log count brackets its run from sluice1's warm-up to nginx1's.
  capture_start sluicebp1 128 "$SLUICE_BP_PORT" "$FAKE_PORT"
  run_wrk sluicebp1 "$SLUICE_BP_PORT" 1 1 "$LAT_DURATION" "$SLUICE_BP_PID"
  capture_stop sluicebp1
  LATENCY_TARGETS+=(sluicebp1)
fi
capture_start nginx1 128 "$NGINX_PORT" "$FAKE_PORT"
run_wrk nginx1 "$NGINX_PORT" 1 1 "$LAT_DURATION"
capture_stop nginx1
for name in "${LATENCY_TARGETS[@]}"; do
  parse "$WORK/wrk.$name"
  T_RPS[$name]=$RPS T_P50[$name]=$P50_US T_P99[$name]=$P99_US T_ERR[$name]=$ERRORS
  T_REQS[$name]=$REQS
done

# shellcheck disable=SC2034  # filled by capture_stats through a name reference
declare -A C_direct1 C_sluice1 C_sluicebp1 C_nginx1
if ((CAPTURE_OK)); then
  echo "  reading the captures ..." >&2
  capture_stats direct1 "$FAKE_PORT"
  capture_stats sluice1 "$SLUICE_PORT" "$FAKE_PORT"
  ((BUSY_POLL_US > 0)) && capture_stats sluicebp1 "$SLUICE_BP_PORT" "$FAKE_PORT"
  capture_stats nginx1 "$NGINX_PORT" "$FAKE_PORT"
fi
# The target uses the capture only when it paired sluice's requests.
if ((CAPTURE_OK)) && [[ "${C_sluice1[requests]:-0}" =~ ^[1-9] ]]; then
  PER_REQUEST=1
else
  PER_REQUEST=0
  if ((CAPTURE_OK)); then
    CAPTURE_WHY="no request through sluice was found in its capture"
  fi
fi
REQUEST_CAPTURE_WHY=$CAPTURE_WHY  # part 3 may change CAPTURE_WHY; part 2's report keeps this

# sluice's measured 1-connection run: from the count after its warm-up to the count after
# nginx1's warm-up (sluice had no traffic in between).
read -r LOG_N LOG_TOTAL50 LOG_TOTAL99 LOG_UP50 LOG_UP99 LOG_OWN50 LOG_OWN99 _ _ < <(
  log_stats "$(<"$WORK/logline.sluice1")" "$(<"$WORK/logline.nginx1")")

# ---- 3. streams --------------------------------------------------------------------------

# stream_log_stats FIRST LAST: sluice's access lines FIRST..LAST-1 (0-based) with status 200 and
# a ttft_ms, split into the short probe streams and the long ones by response_bytes (below or
# above the middle of the smallest and the largest; all long when they differ by less than 2x);
# prints "N_SHORT SHORT_TTFT_P50 SHORT_TTFT_P99 N_LONG LONG_TTFT_P50 LONG_TTFT_P99" in us.
stream_log_stats() {
  python3 - "$WORK/access.log" "$1" "$2" <<'EOF'
import json, math, sys
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = []
with open(path) as f:
    for i, line in enumerate(f):
        if first <= i < last:
            e = json.loads(line)
            if e.get("status") == 200 and e.get("ttft_ms") is not None:
                rows.append((e.get("response_bytes") or 0, e["ttft_ms"] * 1000))
def pct(a, p):
    a = sorted(a)
    return f"{a[max(1, math.ceil(p / 100 * len(a))) - 1]:.1f}" if a else "?"
short, long_ = [], []
if rows:
    lo, hi = min(r[0] for r in rows), max(r[0] for r in rows)
    cut = (lo + hi) / 2 if hi >= 2 * lo else -1
    for size, ttft in rows:
        (short if size < cut else long_).append(ttft)
print(len(short), pct(short, 50), pct(short, 99), len(long_), pct(long_, 50), pct(long_, 99))
EOF
}

# run_client NAME ARGS...: streams.py ARGS, its key=value line to $WORK/streams.NAME, loaded
# into the associative array S_NAME (declared below).
declare -A S_p_direct S_p_nginx S_p_sluice S_p_sluicebp S_b_direct S_b_sluice
run_client() {
  local name=$1 kv
  shift
  python3 "$HERE/streams.py" "$@" >"$WORK/streams.$name" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || die "the streaming client failed ($name)"
  CLIENT_PID=""
  declare -n into="S_$name"
  # shellcheck disable=SC2013,SC2034  # one line of key=value words; `into` names S_<name>
  for kv in $(<"$WORK/streams.$name"); do
    into[${kv%%=*}]=${kv#*=}
  done
  unset -n into
}

# run_probe NAME PORT PIDS [BACK_PORT]: one probe round, captured (when CAPTURE_OK) on PORT and
# BACK_PORT, every target alike; the probe phase's wall-clock times go to $WORK/window.p_NAME.
# PIDS: comma-separated (VmRSS is summed). The capture takes each packet's first 512 bytes, so
# that it holds where an answer's first "data:" begins (after a head of up to ~300 bytes).
run_probe() {
  local name=$1 port=$2 pids=$3 timeout
  timeout=$((30 + (RAMP_MS + (CHUNKS - 1) * CHUNK_DELAY_MS + PROBES * PROBE_EST_MS) * 2 / 1000))
  echo "  $name: $STREAMS background streams over ${RAMP_MS} ms, then $PROBES probes ..." >&2
  capture_start "p_$name" 512 "$port" "${@:4}"
  run_client "p_$name" probe "$port" "$STREAMS" "$WORK/stream.json" "$pids" $((CHUNKS + 3)) \
    "$CHUNK_DELAY_MS" "$timeout" "$RAMP_MS" "$PROBES" "$WORK/probe.json" 5 \
    "$PROBE_CHUNK_DELAY_MS" "$PROBE_GAP_MS"
  capture_stop "p_$name"
  declare -n s="S_p_$name"
  echo "${s[probes_from_ns]} ${s[probes_to_ns]}" >"$WORK/window.p_$name"
  unset -n s
}

# run_burst NAME PORT PIDS
run_burst() {
  local name=$1 port=$2 pids=$3 timeout
  timeout=$((30 + CHUNKS * BURST_CHUNK_DELAY_MS * 3 / 1000))
  echo "  $name: burst of $STREAMS streams sent at once ..." >&2
  run_client "b_$name" burst "$port" "$STREAMS" "$WORK/burst.json" "$pids" $((CHUNKS + 3)) \
    "$BURST_CHUNK_DELAY_MS" "$timeout"
}

echo "3. streams" >&2
NGINX_PIDS=$(IFS=,; echo "$NGINX_PID,${NGINX_WORKER_PIDS[*]}")
WARNS_BEFORE=$(grep -c '"level":"warn"' "$WORK/sluice.log" || true)
run_probe direct "$FAKE_PORT" "$FAKE_PID"
run_probe nginx "$NGINX_STREAM_PORT" "$NGINX_PIDS" "$FAKE_PORT"
STREAM_LOG_FIRST=$(log_lines)
run_probe sluice "$SLUICE_PORT" "$SLUICE_PID" "$FAKE_PORT"
sleep 0.2  # the log writer's last lines
STREAM_LOG_LAST=$(log_lines)
read -r PLOG_N PLOG_TTFT50 PLOG_TTFT99 _ _ _ < <(stream_log_stats "$STREAM_LOG_FIRST" "$STREAM_LOG_LAST")
PROBE_TARGETS=(direct nginx sluice)
if ((BUSY_POLL_US > 0)); then
  run_probe sluicebp "$SLUICE_BP_PORT" "$SLUICE_BP_PID" "$FAKE_PORT"
  PROBE_TARGETS+=(sluicebp)
fi
# shellcheck disable=SC2034  # filled by capture_stats through a name reference
declare -A C_p_direct C_p_nginx C_p_sluice C_p_sluicebp
if ((CAPTURE_OK)); then
  echo "  reading the captures ..." >&2
  capture_stats p_direct --ttft "$FAKE_PORT"
  capture_stats p_nginx --ttft "$NGINX_STREAM_PORT" "$FAKE_PORT"
  capture_stats p_sluice --ttft "$SLUICE_PORT" "$FAKE_PORT"
  ((BUSY_POLL_US > 0)) && capture_stats p_sluicebp --ttft "$SLUICE_BP_PORT" "$FAKE_PORT"
fi
# As in part 2: the target uses the capture only when it paired sluice's probes.
if ((CAPTURE_OK)) && [[ "${C_p_sluice[requests]:-0}" =~ ^[1-9] ]]; then
  PROBE_PER_REQUEST=1
else
  PROBE_PER_REQUEST=0
  if ((CAPTURE_OK)); then
    CAPTURE_WHY="no probe through sluice was found in its capture"
  fi
fi
PROBE_CAPTURE_WHY=$CAPTURE_WHY
if [[ "$BURST" == 1 ]]; then
  run_burst direct "$FAKE_PORT" "$FAKE_PID"
  run_burst sluice "$SLUICE_PORT" "$SLUICE_PID"
  sleep 0.2
  read -r _ _ _ BLOG_N BLOG_TTFT50 BLOG_TTFT99 < <(stream_log_stats "$STREAM_LOG_LAST" "$(log_lines)")
fi
WARNS_AFTER=$(grep -c '"level":"warn"' "$WORK/sluice.log" || true)

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ERRORS_SEEN=0
for name in direct nginx sluice "${LATENCY_TARGETS[@]}"; do
  ((T_ERR[$name] == 0)) || ERRORS_SEEN=1
done
for name in "${PROBE_TARGETS[@]}"; do
  declare -n s="S_p_$name"
  [[ "${s[errors]}" == 0 && "${s[probe_errors]}" == 0 ]] || ERRORS_SEEN=1
  unset -n s
done
BURST_TARGETS=()
[[ "$BURST" == 1 ]] && BURST_TARGETS=(direct sluice)
for name in "${BURST_TARGETS[@]}"; do
  declare -n s="S_b_$name"
  [[ "${s[errors]}" == 0 ]] || ERRORS_SEEN=1
  unset -n s
done

# ---- report ------------------------------------------------------------------------------

ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
mb() { [[ "$1" =~ ^[0-9]+$ ]] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "?"; }
sub_us() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }

ratio=$(awk -v s="${T_RPS[sluice]}" -v n="${T_RPS[nginx]}" 'BEGIN { printf "%.3f", s / n }')
added_p50=$(sub_us "${T_P50[sluice1]}" "${T_P50[direct1]}")
added_p99=$(sub_us "${T_P99[sluice1]}" "${T_P99[direct1]}")
nginx_added_p50=$(sub_us "${T_P50[nginx1]}" "${T_P50[direct1]}")
nginx_added_p99=$(sub_us "${T_P99[nginx1]}" "${T_P99[direct1]}")
added_ttft_p50=$(sub_us "${S_p_sluice[ttft_p50_us]}" "${S_p_direct[ttft_p50_us]}")
added_ttft_p99=$(sub_us "${S_p_sluice[ttft_p99_us]}" "${S_p_direct[ttft_p99_us]}")
nginx_added_ttft_p50=$(sub_us "${S_p_nginx[ttft_p50_us]}" "${S_p_direct[ttft_p50_us]}")
nginx_added_ttft_p99=$(sub_us "${S_p_nginx[ttft_p99_us]}" "${S_p_direct[ttft_p99_us]}")
stream_rss_mb=$(mb "${S_p_sluice[rss_all_open_kb]}")
SLUICE1_CPU_US=$(cpu_per_req_us sluice1)
if ((BUSY_POLL_US > 0)); then
  bp_added_p50=$(sub_us "${T_P50[sluicebp1]}" "${T_P50[direct1]}")
  bp_added_p99=$(sub_us "${T_P99[sluicebp1]}" "${T_P99[direct1]}")
  bp_added_ttft_p50=$(sub_us "${S_p_sluicebp[ttft_p50_us]}" "${S_p_direct[ttft_p50_us]}")
  bp_added_ttft_p99=$(sub_us "${S_p_sluicebp[ttft_p99_us]}" "${S_p_direct[ttft_p99_us]}")
  SLUICEBP1_CPU_US=$(cpu_per_req_us sluicebp1)
fi

v_ratio=$(verdict "$ratio >= $TARGET_RATIO")
# Part 2's targets: the per-request added latency when the capture measured it, else the
# difference of percentiles (printed either way).
v_diff_p50=$(verdict "$added_p50 < $TARGET_ADDED_P50_US")
v_diff_p99=$(verdict "$added_p99 < $TARGET_ADDED_P99_US")
if ((PER_REQUEST)); then
  v_p50=$(verdict "${C_sluice1[added_p50]} < $TARGET_ADDED_P50_US")
  v_p99=$(verdict "${C_sluice1[added_p99]} < $TARGET_ADDED_P99_US")
  v_diff_p50+=" (information)"
  v_diff_p99+=" (information)"
else
  v_p50=$v_diff_p50
  v_p99=$v_diff_p99
fi
v_diff_ttft=$(verdict "$added_ttft_p99 < $TARGET_ADDED_TTFT_P99_US")
if ((PROBE_PER_REQUEST)); then
  v_ttft=$(verdict "${C_p_sluice[added_p99]} < $TARGET_ADDED_TTFT_P99_US")
  v_diff_ttft+=" (information)"
else
  v_ttft=$v_diff_ttft
fi
if [[ "$stream_rss_mb" == "?" ]]; then
  v_rss="MISSED (not measured: the background streams were never all open)"
else
  v_rss=$(verdict "$stream_rss_mb < $TARGET_STREAM_RSS_MB")
fi

row1() { printf '%-24s %12s %10s %10s %8s\n' "$@"; }
row2() { printf '%-22s %-6s %13s %10s %10s %10s %10s\n' "$@"; }
# capture_rows NAME LABEL EXPECTED PART...: C_NAME's rows of a capture table, one per PART
# (added, in, out; own), the first headed by LABEL and "paired/EXPECTED"; "not read" when the
# capture gave nothing.
capture_rows() {
  local name=$1 label=$2 count part
  declare -n c="C_$name"
  if [[ -z "${c[requests]:-}" ]]; then
    row2 "$label" "-" "not read" "" "" "" ""
    unset -n c
    return
  fi
  count="${c[requests]}/$3"
  shift 3
  for part in "$@"; do
    row2 "$label" "$part" "$count" "${c[${part}_p50]}" "${c[${part}_p90]}" "${c[${part}_p99]}" \
      "${c[${part}_max]}"
    label="" count=""
  done
  unset -n c
}
# capture_note NAME LABEL WHAT EXPECTED PERCENT: a note when C_NAME's capture lost anything
# (unpaired exchanges, answers without a first event, retransmitted segments, gaps, packets the
# kernel dropped) or paired fewer than PERCENT % of the EXPECTED exchanges (WHAT names them).
capture_note() {
  local name=$1 label=$2 what=$3 expected=$4 percent=$5 n u nd g r d no_data=""
  declare -n c="C_$name"
  if [[ -n "${c[requests]:-}" ]]; then
    read -r n u nd g r d <<<"${c[requests]} ${c[unpaired]} ${c[no_data]:-0} ${c[gaps]} ${c[retransmitted]} ${c[dropped]:-0}"
    [[ -n "${c[no_data]:-}" ]] && no_data=" $nd without a first data: in the capture,"
    if ((u + nd + g + r + d > 0 || n * 100 < expected * percent)); then
      echo "note ($label): the capture paired ${c[requests]} of $what; ${c[unpaired]} unpaired,$no_data" \
        "${c[skipped]} exchanges not used, ${c[retransmitted]} retransmitted segments, ${c[gaps]}" \
        "gaps, ${c[dropped]:-?} packets dropped by the kernel"
    fi
  fi
  unset -n c
}
echo
echo "sluice proxy benchmark: commit $COMMIT (sluice binary built $BUILT, $BUILD, $(build_kind "$BUILD"))"
echo "$CORES cores, $(uname -r); load average $LOAD_START at start, $LOAD_END at end"
echo "workers $WORKERS (fake-llm, nginx, sluice); sluice chain log -> route -> translate;" \
  "request body $BODY_BYTES bytes; nginx access log $([[ "$NGINX_ACCESS_LOG" == 1 ]] && echo on || echo off)"
if ((BUSY_POLL_US > 0)); then
  echo "(d) = a second sluice, the same config plus busy_poll_us: $BUSY_POLL_US (parts 2 and 3a)"
fi
echo
echo "1. throughput: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency ($WARMUP warm-up each)"
row1 target req/s "p50 (ms)" "p99 (ms)" errors
row1 "(a) fake-llm direct" "${T_RPS[direct]}" "$(ms "${T_P50[direct]}")" "$(ms "${T_P99[direct]}")" "${T_ERR[direct]}"
row1 "(b) nginx proxy_pass" "${T_RPS[nginx]}" "$(ms "${T_P50[nginx]}")" "$(ms "${T_P99[nginx]}")" "${T_ERR[nginx]}"
row1 "(c) sluice" "${T_RPS[sluice]}" "$(ms "${T_P50[sluice]}")" "$(ms "${T_P99[sluice]}")" "${T_ERR[sluice]}"
printf '%-36s %12s   %-12s %s\n' "req/s ratio (c)/(b)" "${ratio}x" ">= ${TARGET_RATIO}x" "$v_ratio"
printf '%-36s %s us   %s\n' "sluice CPU per request" "$SLUICE_CPU_US" "(all threads)"
printf '%-36s %s us   %s\n' "nginx CPU per request" "$NGINX_CPU_US" "(information; master+workers)"
printf '%-36s %12s   %s\n' "response bytes direct/nginx/sluice" \
  "${RESPONSE_BYTES[direct]}/${RESPONSE_BYTES[nginx]}/${RESPONSE_BYTES[sluice]}" "(one answer each, head + body)"
printf '%-36s %12s   %s\n' "sluice RSS after the run" "$(mb "$SLUICE_RSS_AFTER_KB") MB" "(VmRSS)"
if ((ROUNDS > 0)); then
  echo "alternating rounds (information): wrk as above, nginx then sluice in each round"
  printf '%s\n' "${ROUND_LINES[@]}"
  printf '%-36s %12s   %s\n' "req/s ratio of the rounds' sums" "${ROUNDS_RATIO}x" \
    "(information; the verdict above is part 1's single pair of runs)"
  printf '%-36s %s us\n' "sluice CPU per request, rounds" "$ROUNDS_CPU_SLUICE"
  printf '%-36s %s us\n' "nginx CPU per request, rounds" "$ROUNDS_CPU_NGINX"
fi
echo
echo "2. latency at 1 connection: wrk -t1 -c1 -d$LAT_DURATION --latency ($WARMUP warm-up each)"
printf '%-24s %12s %10s %10s %8s\n' target req/s "p50 (us)" "p99 (us)" errors
latency_rows=("direct1:(a) fake-llm direct" "sluice1:(c) sluice")
((BUSY_POLL_US > 0)) && latency_rows+=("sluicebp1:(d) sluice, busy poll")
latency_rows+=("nginx1:(b) nginx proxy_pass")
for pair in "${latency_rows[@]}"; do
  name=${pair%%:*}
  printf '%-24s %12s %10s %10s %8s\n' "${pair#*:}" "${T_RPS[$name]}" "${T_P50[$name]}" \
    "${T_P99[$name]}" "${T_ERR[$name]}"
done
if ((PER_REQUEST)); then
  echo "added per request, from a loopback capture of these runs (tcpdump, ns timestamps; each"
  echo " message at its last byte): in = the client's request arrived .. the proxy's request to"
  echo " fake-llm left; out = fake-llm's answer arrived .. the proxy's answer left; added = in + out"
  row2 target part "requests/wrk" "p50 (us)" "p90 (us)" "p99 (us)" "max (us)"
  request_rows=("sluice1:(c) sluice")
  ((BUSY_POLL_US > 0)) && request_rows+=("sluicebp1:(d) sluice, busy poll")
  request_rows+=("nginx1:(b) nginx proxy_pass" "direct1:(a) fake-llm direct")
  for pair in "${request_rows[@]}"; do
    name=${pair%%:*}
    parts=(added in out)
    [[ "$name" == direct1 ]] && parts=(own)
    capture_rows "$name" "${pair#*:}" "${T_REQS[$name]}" "${parts[@]}"
  done
  echo "(own: fake-llm's request arrived .. its answer left, information; requests/wrk: the requests"
  echo " paired in the capture of the measured run / the requests wrk counted)"
  printf '%-36s %12s   %-12s %s\n' "added by sluice per request, p50" "${C_sluice1[added_p50]} us" \
    "< $TARGET_ADDED_P50_US us" "$v_p50"
  printf '%-36s %12s   %-12s %s\n' "added by sluice per request, p99" "${C_sluice1[added_p99]} us" \
    "< $TARGET_ADDED_P99_US us" "$v_p99"
  for pair in "${request_rows[@]}"; do
    name=${pair%%:*}
    # wrk counts the requests of its whole run; the capture's window may cut one at either end
    capture_note "$name" "${name%1}" "wrk's ${T_REQS[$name]} requests" "${T_REQS[$name]}" 99
  done
  echo "difference of percentiles (through the proxy minus direct; information):"
else
  echo "added per request: not measured: $REQUEST_CAPTURE_WHY"
  echo "(the targets apply to the difference of percentiles: through the proxy minus direct)"
fi
printf '%-36s %12s   %-12s %s\n' "added by sluice, p50" "$added_p50 us" "< $TARGET_ADDED_P50_US us" "$v_diff_p50"
printf '%-36s %12s   %-12s %s\n' "added by sluice, p99" "$added_p99 us" "< $TARGET_ADDED_P99_US us" "$v_diff_p99"
if ((BUSY_POLL_US > 0)); then
  printf '%-36s %12s   %-12s %s\n' "added by (d) busy poll, p50" "$bp_added_p50 us" \
    "< $TARGET_ADDED_P50_US us" "$(verdict "$bp_added_p50 < $TARGET_ADDED_P50_US") (information)"
  printf '%-36s %12s   %-12s %s\n' "added by (d) busy poll, p99" "$bp_added_p99 us" \
    "< $TARGET_ADDED_P99_US us" "$(verdict "$bp_added_p99 < $TARGET_ADDED_P99_US") (information)"
  printf '%-36s %12s   %s\n' "CPU per request (c) / (d)" \
    "$SLUICE1_CPU_US / $SLUICEBP1_CPU_US us" "(user+system, all threads, at 1 connection)"
else
  printf '%-36s %12s   %s\n' "sluice CPU per request" "$SLUICE1_CPU_US us" \
    "(user+system, all threads, at 1 connection)"
fi
echo "sluice's access log of its run ($LOG_N requests), per request, then percentiles:"
printf '  %-34s %12s   %s\n' "total p50 / p99" "$LOG_TOTAL50 / $LOG_TOTAL99 us" \
  "(request reaching the log filter .. complete)"
printf '  %-34s %12s   %s\n' "upstream p50 / p99" "$LOG_UP50 / $LOG_UP99 us" \
  "(the upstream exchange as sluice times it)"
printf '  %-34s %12s   %s\n' "total - upstream p50 / p99" "$LOG_OWN50 / $LOG_OWN99 us" \
  "(information)"
printf '%-36s %12s   %s\n' "added by nginx, p50 / p99" "$nginx_added_p50 / $nginx_added_p99 us" "(information)"
echo "(added = percentile through the proxy minus the same percentile direct: a difference of"
echo " two distributions measured one after the other, not a per-request measurement)"
echo
label_of() {
  case $1 in
    direct) echo "(a) fake-llm direct" ;;
    nginx) echo "(b) nginx, unbuffered" ;;
    sluice) echo "(c) sluice" ;;
    sluicebp) echo "(d) sluice, busy poll" ;;
  esac
}
echo "3. streams: TTFT = send() to the first data: event (${S_p_sluice[ts]} receive timestamps)"
echo "3a. probes: $STREAMS background streams of $CHUNKS chunks ${CHUNK_DELAY_MS} ms apart" \
  "($CHUNK_DELAY_SOURCE), requests spread over $RAMP_MS ms;"
echo "    once all were open and flowing, $PROBES probe streams (2 chunks $PROBE_CHUNK_DELAY_MS ms apart)" \
  "one at a time,"
echo "    each on a new connection, its request sent $PROBE_GAP_MS ms after connecting"
printf '%-22s %13s %13s %11s %11s %11s %10s %10s\n' target "background ok" "probes ok" \
  "TTFT p50" "TTFT p99" "TTFT max" "RSS before" "RSS open"
for name in "${PROBE_TARGETS[@]}"; do
  declare -n s="S_p_$name"
  printf '%-22s %13s %13s %11s %11s %11s %10s %10s\n' "$(label_of "$name")" \
    "${s[ok]}/$STREAMS" "${s[probe_ok]}/${s[probes]}" \
    "${s[ttft_p50_us]} us" "${s[ttft_p99_us]} us" "${s[ttft_max_us]} us" \
    "$(mb "${s[rss_before_kb]}") MB" "$(mb "${s[rss_all_open_kb]}") MB"
  unset -n s
done
echo "(TTFT: of the $PROBES probes; RSS open: highest VmRSS sampled while all $STREAMS background streams"
echo " were open and flowing, probes running; nginx: master and workers summed)"
if ((PROBE_PER_REQUEST)); then
  echo "added TTFT per probe, from a loopback capture of these rounds (each event at the segment"
  echo " that completed its first \"data:\"): in = the probe's request arrived .. the proxy's request"
  echo " to fake-llm left; out = fake-llm's first event arrived .. the proxy's first event left;"
  echo " added = in + out"
  row2 target part "probes" "p50 (us)" "p90 (us)" "p99 (us)" "max (us)"
  probe_rows=("p_sluice:(c) sluice")
  ((BUSY_POLL_US > 0)) && probe_rows+=("p_sluicebp:(d) sluice, busy poll")
  probe_rows+=("p_nginx:(b) nginx, unbuffered" "p_direct:(a) fake-llm direct")
  for pair in "${probe_rows[@]}"; do
    name=${pair%%:*}
    parts=(added in out)
    [[ "$name" == p_direct ]] && parts=(own)
    declare -n s="S_$name"
    capture_rows "$name" "${pair#*:}" "${s[probe_ok]}" "${parts[@]}"
    capture_note "$name" "${name#p_}" "${s[probe_ok]} probes" "${s[probe_ok]}" 100
    unset -n s
  done
  echo "(own: fake-llm's probe request arrived .. its first event left, information; probes: those"
  echo " paired in the capture / those that streamed to their end)"
  printf '%-36s %12s   %-12s %s\n' "added TTFT by sluice per probe, p50" "${C_p_sluice[added_p50]} us" \
    "" "(information)"
  printf '%-36s %12s   %-12s %s\n' "added TTFT by sluice per probe, p99" "${C_p_sluice[added_p99]} us" \
    "< $TARGET_ADDED_TTFT_P99_US us" "$v_ttft"
  echo "difference of percentiles (probes through the proxy minus direct; information):"
else
  echo "added TTFT per probe: not measured: $PROBE_CAPTURE_WHY"
  echo "(the target applies to the difference of percentiles: probes through sluice minus direct)"
fi
printf '%-36s %12s   %s\n' "added TTFT by sluice, p50" "$added_ttft_p50 us" "(information)"
printf '%-36s %12s   %-12s %s\n' "added TTFT by sluice, p99" "$added_ttft_p99 us" "< $TARGET_ADDED_TTFT_P99_US us" "$v_diff_ttft"
if ((BUSY_POLL_US > 0)); then
  printf '%-36s %12s   %s\n' "added TTFT by (d) busy poll, p50/p99" \
    "$bp_added_ttft_p50 / $bp_added_ttft_p99 us" "(information)"
fi
printf '%-36s %12s   %-12s %s\n' "sluice RSS, all $STREAMS streams open" "$stream_rss_mb MB" "< $TARGET_STREAM_RSS_MB MB" "$v_rss"
printf '%-36s %12s   %s\n' "added TTFT by nginx, p50 / p99" "$nginx_added_ttft_p50 / $nginx_added_ttft_p99 us" "(information)"
printf '%-36s %12s   %s\n' "sluice log: probe TTFT p50 / p99" "$PLOG_TTFT50 / $PLOG_TTFT99 us" \
  "(information: $PLOG_N probes; sluice starting the request .. its first body byte)"
printf '%-36s %12s   %s\n' "client-observed probe TTFT p50/p99" \
  "${S_p_direct[user_p50_us]} / ${S_p_nginx[user_p50_us]} / ${S_p_sluice[user_p50_us]}" "(a / b / c p50, us)"
printf '%-36s %12s   %s\n' "" \
  "${S_p_direct[user_p99_us]} / ${S_p_nginx[user_p99_us]} / ${S_p_sluice[user_p99_us]}" "(a / b / c p99, us; information: includes the client's own delay)"
printf '%-36s %12s   %s\n' "background TTFT during the ramp" \
  "${S_p_direct[ramp_p50_us]} / ${S_p_nginx[ramp_p50_us]} / ${S_p_sluice[ramp_p50_us]}" "(a / b / c p50, us)"
printf '%-36s %12s   %s\n' "" \
  "${S_p_direct[ramp_p99_us]} / ${S_p_nginx[ramp_p99_us]} / ${S_p_sluice[ramp_p99_us]}" "(a / b / c p99, us; information)"
printf '%-36s %12s   %s\n' "probe phase took" \
  "${S_p_direct[probes_s]} / ${S_p_nginx[probes_s]} / ${S_p_sluice[probes_s]} s" "(a / b / c)"
printf '%-36s %12s   %s\n' "first background end after it" \
  "${S_p_direct[bg_margin_ms]} / ${S_p_nginx[bg_margin_ms]} / ${S_p_sluice[bg_margin_ms]} ms" \
  "(a / b / c; must be > 0: the background streams outlast the probes)"
for name in "${PROBE_TARGETS[@]}"; do
  declare -n s="S_p_$name"
  if [[ "${s[bg_open_min]}" != "$STREAMS" || "${s[bg_margin_ms]}" == -* || "${s[bg_margin_ms]}" == "?" ]]; then
    echo "note ($name): not every background stream was open for every probe (fewest open at a" \
      "probe's send: ${s[bg_open_min]} of $STREAMS); raise CHUNK_DELAY_MS"
  fi
  if [[ "${s[probe_late]}" != 0 ]]; then
    echo "note ($name): ${s[probe_late]} of ${s[probe_measured]} probes' first reads found the next chunk" \
      "already queued; their TTFT may be up to $PROBE_CHUNK_DELAY_MS ms late"
  fi
  if [[ "${s[late]}" != 0 ]]; then
    echo "note ($name): ${s[late]} of ${s[measured]} background first reads found the next chunk" \
      "already queued; their ramp TTFT may be up to $CHUNK_DELAY_MS ms late"
  fi
  if [[ "${s[ts]}" != kernel ]]; then
    echo "note ($name): no kernel receive timestamps; TTFT is the client-observed time"
  fi
  unset -n s
done

if [[ "$BURST" == 1 ]]; then
  added_burst_p50=$(sub_us "${S_b_sluice[ttft_p50_us]}" "${S_b_direct[ttft_p50_us]}")
  added_burst_p99=$(sub_us "${S_b_sluice[ttft_p99_us]}" "${S_b_direct[ttft_p99_us]}")
  echo
  echo "3b. burst: all requests sent at once (information, not a target): $STREAMS streams of $CHUNKS" \
    "chunks $BURST_CHUNK_DELAY_MS ms apart"
  printf '%-22s %13s %11s %11s %11s %10s %10s %17s\n' target "ok" "TTFT p50" "TTFT p99" \
    "TTFT max" "RSS before" "RSS open" "RSS peak (open)"
  for name in "${BURST_TARGETS[@]}"; do
    declare -n s="S_b_$name"
    printf '%-22s %13s %11s %11s %11s %10s %10s %17s\n' "$(label_of "$name")" "${s[ok]}/$STREAMS" \
      "${s[ttft_p50_us]} us" "${s[ttft_p99_us]} us" "${s[ttft_max_us]} us" \
      "$(mb "${s[rss_before_kb]}") MB" "$(mb "${s[rss_all_open_kb]}") MB" \
      "$(mb "${s[rss_peak_kb]}") MB (${s[open_at_peak]})"
    unset -n s
  done
  echo "(the last requests of the burst wait behind the processing of all before them, direct and"
  echo " through sluice: the p99 is that queue, not what sluice adds to one request; RSS open: highest"
  echo " VmRSS while all were open, none finished; RSS peak: highest over the round, streams then open)"
  printf '%-36s %12s   %s\n' "burst: added TTFT p50 / p99" "$added_burst_p50 / $added_burst_p99 us" "(information)"
  printf '%-36s %12s   %s\n' "burst: sluice log TTFT p50 / p99" "$BLOG_TTFT50 / $BLOG_TTFT99 us" \
    "(information: $BLOG_N streams)"
  printf '%-36s %12s   %s\n' "burst: client-observed TTFT p50/p99" \
    "${S_b_direct[user_p50_us]} / ${S_b_direct[user_p99_us]} us" "(a; information)"
  printf '%-36s %12s   %s\n' "" \
    "${S_b_sluice[user_p50_us]} / ${S_b_sluice[user_p99_us]} us" "(c; information)"
  for name in "${BURST_TARGETS[@]}"; do
    declare -n s="S_b_$name"
    if [[ "${s[late]}" != 0 ]]; then
      echo "note (burst, $name): ${s[late]} of ${s[measured]} first reads found the next chunk already" \
        "queued; their TTFT may be up to $BURST_CHUNK_DELAY_MS ms late"
    fi
    unset -n s
  done
fi
warns=$((WARNS_AFTER - WARNS_BEFORE))
if ((warns > 0)); then
  echo "note: sluice logged $warns warnings during the streams; the first:"
  grep '"level":"warn"' "$WORK/sluice.log" | sed -n "$((WARNS_BEFORE + 1))p"
fi
if ((ERRORS_SEEN)); then
  echo "warning: errors above (wrk non-2xx/socket errors or failed streams); numbers include them" >&2
fi

missed=0
for v in "$v_ratio" "$v_p50" "$v_p99" "$v_ttft" "$v_rss"; do [[ "$v" == met ]] || missed=1; done
if [[ "$STRICT" == 1 && "$missed" == 1 ]]; then
  exit 3
fi
