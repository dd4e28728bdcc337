#!/usr/bin/env bash
# One-core latency: the 1-connection comparison of run.sh part 2 with everything on one CPU.
# wrk, fake-llm (1 worker), nginx (1 worker) and sluice (1 worker, log -> route -> translate) are
# all pinned to CPU $CPU, so a request hands the CPU from process to process instead of waking a
# process on the other CPU: the figures show what each proxy adds when a cross-CPU wake-up (on a
# virtual machine, tens to hundreds of microseconds) is not part of every exchange. Rounds
# alternate direct, nginx, sluice so that a disturbance of the machine falls on all three.
# Information beside run.sh, not its targets: a proxy on a CPU of its own is the usual setup.
#
# Usage: benchmarks/proxy/one_core.sh [BUILD_DIR]   (default build/release)
# Environment: ROUNDS=3, DURATION=4s (each measured run), WARMUP=1s, CPU=0, BODY_BYTES=1024.
# Needs wrk, nginx, taskset, python3; installs nothing. Binds 127.0.0.1 only; everything it
# starts and writes is removed on exit.

set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-${BUILD:-build/release}}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-4s}
WARMUP=${WARMUP:-1s}
CPU=${CPU:-0}
BODY_BYTES=${BODY_BYTES:-1024}

die() {
  echo "one_core: $*" >&2
  exit 1
}

BUILD=$(sluice_build_dir "$REPO" "$BUILD" release) || exit 1
NGINX_BIN=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
for tool in wrk taskset python3 "$NGINX_BIN"; do
  command -v "$tool" >/dev/null 2>&1 || die "missing $tool (sudo apt-get install -y wrk nginx-light)"
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number; got '$ROUNDS'"
[[ "$CPU" =~ ^[0-9]+$ ]] || die "CPU must be a CPU number; got '$CPU'"
taskset -c "$CPU" true 2>/dev/null || die "cannot pin to CPU $CPU"

WORK=$(mktemp -d /tmp/sluice-one-core.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  [[ -f "$WORK/nginx.pid" ]] && stop_pid "$(cat "$WORK/nginx.pid")"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r FAKE_PORT NGINX_PORT SLUICE_PORT ADMIN_PORT < <(free_ports 4)
pin() { taskset -c "$CPU" "$@"; }

# The ~1 KB chat request of run.sh.
build_body "$WORK/chat.json" "$BODY_BYTES" ',"temperature":0' ''
post_json_lua "$WORK/chat.json" >"$WORK/chat.lua"

pin "$BUILD/bin/fake-llm" --host 127.0.0.1 --port "$FAKE_PORT" --workers 1 --no-log \
  </dev/null >"$WORK/fake-llm.log" 2>&1 &
PIDS+=($!)
wait_port "$FAKE_PORT" 10 || die "fake-llm did not start"

cat >"$WORK/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx-access.log;
  server_tokens off;
  keepalive_requests 100000000;
  $(nginx_temp_paths "$NGINX_BIN" "$WORK")
  upstream fake_llm { server 127.0.0.1:$FAKE_PORT; keepalive 8; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://fake_llm; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
pin "$NGINX_BIN" -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" \
  </dev/null >"$WORK/nginx.out" 2>&1 &
PIDS+=($!)
wait_port "$NGINX_PORT" 10 || die "nginx did not start: $(cat "$WORK/nginx-error.log" 2>/dev/null)"

sluice_yaml "$SLUICE_PORT" "$ADMIN_PORT" proxy "$FAKE_PORT" "$WORK/access.log" "workers: 1" \
  >"$WORK/sluice.yaml"
pin "$BUILD/bin/sluice" run -c "$WORK/sluice.yaml" </dev/null >"$WORK/sluice.log" 2>&1 &
PIDS+=($!)
wait_port "$SLUICE_PORT" 10 || die "sluice did not start: $(tail -5 "$WORK/sluice.log")"

# measure NAME PORT: one warm-up and one measured wrk run at 1 connection; appends
# "NAME p50 p90 p99" (microseconds) to $WORK/results.
measure() {
  local url="http://127.0.0.1:$2/v1/chat/completions"
  pin wrk -t1 -c1 -d"$WARMUP" -s "$WORK/chat.lua" "$url" >/dev/null
  pin wrk -t1 -c1 -d"$DURATION" --latency -s "$WORK/chat.lua" "$url" >"$WORK/wrk.out"
  python3 - "$1" "$WORK/wrk.out" >>"$WORK/results" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
scale = {"us": 1, "ms": 1e3, "s": 1e6}
def pct(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, text, re.M)
    if not m:
        sys.exit("no %s%% line in wrk's output" % p)
    return float(m.group(1)) * scale[m.group(2)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors:
    sys.exit("%s: %s answers were not 2xx" % (name, errors.group(1)))
print(name, pct(50), pct(90), pct(99))
PY
}

echo "one_core: everything on CPU $CPU; $ROUNDS rounds of direct, nginx, sluice;" \
  "$DURATION each at 1 connection ..." >&2
for ((round = 1; round <= ROUNDS; round++)); do
  measure direct "$FAKE_PORT"
  measure nginx "$NGINX_PORT"
  measure sluice "$SLUICE_PORT"
done

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "one-core latency: commit $commit, CPU $CPU, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t1 -c1 -d$DURATION --latency, 1 worker each, $ROUNDS alternating rounds; request body $BODY_BYTES bytes"
python3 - "$WORK/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, *values = line.split()
    rows.setdefault(name, []).append([float(v) for v in values])
med = {n: [statistics.median(r[i] for r in rs) for i in range(3)] for n, rs in rows.items()}
print("%-8s %28s   %s" % ("target", "p50 / p90 / p99 (us), median", "each round: p50 / p99"))
for n in ("direct", "nginx", "sluice"):
    print("%-8s %28s   %s" % (n, "%.0f / %.0f / %.0f" % tuple(med[n]),
                             ", ".join("%.0f / %.0f" % (r[0], r[2]) for r in rows[n])))
print("added over direct (difference of the medians; information, not a per-request figure):")
for n in ("nginx", "sluice"):
    print("  %-6s p50 %+.0f us, p90 %+.0f us, p99 %+.0f us" %
          ((n,) + tuple(med[n][i] - med["direct"][i] for i in range(3))))
PY
