#!/usr/bin/env bash
# CPU split: where a proxied request's CPU time goes, sluice beside nginx, from samples of the
# whole machine (perf record -a -e cpu-clock: a software clock, so it works on virtual machines
# without hardware counters). run.sh says how much CPU a request costs each proxy; this says in
# what: the kernel, the server's own code, libc, the allocator, the event loop, the vDSO, and the
# functions that cost most. Information for work on the request path, not a target.
#
# In each of ROUNDS rounds, nginx (proxy_pass, upstream keep-alive, access log on) and then sluice
# (log -> route -> translate) serve run.sh's load: wrk at CONNECTIONS connections with the ~1 KB
# chat request, fake-llm behind, WORKERS workers each. SAMPLE seconds into each run's middle, perf
# samples every CPU. A server's figure is the CPU time of its samples (their periods, summed over
# the rounds) divided by the requests wrk counted in those seconds (its rate times SAMPLE, summed):
# microseconds a request.
#
# Usage: benchmarks/proxy/cpu_split.sh [BUILD_DIR]   (default build/profile: symbols and frame
#                                                      pointers; any build gives the split)
# Environment: ROUNDS=2, DURATION=8s (each wrk run; sampling starts 2 s in), SAMPLE=5 (seconds,
# at most DURATION - 3), CONNECTIONS=64, WORKERS=<cores>, FREQ=1999 (samples a second a CPU),
# TOP=15 (functions listed).
# Needs wrk, nginx, perf (Debian: linux-perf) and python3, and the right to sample the whole
# machine (root, or kernel.perf_event_paranoid <= 0). Installs nothing. Binds 127.0.0.1 only;
# everything it starts and writes is removed on exit.

set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-${BUILD:-build/profile}}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-8s}
SAMPLE=${SAMPLE:-5}
CONNECTIONS=${CONNECTIONS:-64}
WORKERS=${WORKERS:-$(nproc)}
FREQ=${FREQ:-1999}
TOP=${TOP:-15}

die() {
  echo "cpu_split: $*" >&2
  exit 1
}

BUILD=$(sluice_build_dir "$REPO" "$BUILD" profile) || exit 1
NGINX_BIN=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
for tool in wrk perf python3 "$NGINX_BIN"; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "missing $tool (sudo apt-get install -y wrk nginx-light linux-perf python3)"
done
for value in ROUNDS SAMPLE CONNECTIONS WORKERS FREQ TOP; do
  [[ "${!value}" =~ ^[1-9][0-9]*$ ]] || die "$value must be a positive number; got '${!value}'"
done
[[ "$DURATION" =~ ^([1-9][0-9]*)s?$ ]] || die "DURATION looks like 8s; got '$DURATION'"
((SAMPLE + 3 <= BASH_REMATCH[1])) || die "SAMPLE ($SAMPLE s) must end 1 s before DURATION does"
perf record -a -e cpu-clock -o /dev/null -- true >/dev/null 2>&1 ||
  die "perf cannot sample the whole machine here (run as root, or lower kernel.perf_event_paranoid)"

WORK=$(mktemp -d /tmp/sluice-cpu-split.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r FAKE_PORT NGINX_PORT SLUICE_PORT ADMIN_PORT < <(free_ports 4)

build_body "$WORK/chat.json" 1024 ',"temperature":0' ''
post_json_lua "$WORK/chat.json" >"$WORK/chat.lua"

"$BUILD/bin/fake-llm" --host 127.0.0.1 --port "$FAKE_PORT" --workers "$WORKERS" --no-log \
  </dev/null >"$WORK/fake-llm.log" 2>&1 &
PIDS+=($!)
wait_port "$FAKE_PORT" 10 || die "fake-llm did not start"

cat >"$WORK/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes $WORKERS;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log $WORK/nginx-access.log;
  server_tokens off;
  keepalive_timeout 65s;
  keepalive_requests 100000000;
  $(nginx_temp_paths "$NGINX_BIN" "$WORK")
  upstream fake_llm { server 127.0.0.1:$FAKE_PORT; keepalive 64; keepalive_requests 100000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    location / { proxy_pass http://fake_llm; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
"$NGINX_BIN" -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" \
  </dev/null >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_port "$NGINX_PORT" 10 || die "nginx did not start: $(cat "$WORK/nginx-error.log" 2>/dev/null)"

sluice_yaml "$SLUICE_PORT" "$ADMIN_PORT" proxy "$FAKE_PORT" "$WORK/access.log" \
  "workers: $WORKERS" >"$WORK/sluice.yaml"
"$BUILD/bin/sluice" run -c "$WORK/sluice.yaml" </dev/null >"$WORK/sluice.log" 2>&1 &
SLUICE_PID=$!
PIDS+=("$SLUICE_PID")
wait_port "$SLUICE_PORT" 10 || die "sluice did not start: $(tail -5 "$WORK/sluice.log")"

# measure NAME PORT PIDS: a warm-up, then a wrk run with SAMPLE seconds of samples in its middle;
# appends "NAME REQUESTS" to $WORK/requests and the samples of PIDS to $WORK/samples.NAME.
measure() {
  local name=$1 pids=$3 url="http://127.0.0.1:$2/v1/chat/completions" wrk_pid
  wrk -t2 -c"$CONNECTIONS" -d2s -s "$WORK/chat.lua" "$url" >/dev/null
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/chat.lua" "$url" >"$WORK/wrk.out" &
  wrk_pid=$!
  sleep 2
  perf record -a -e cpu-clock -F "$FREQ" -o "$WORK/perf.data" -- sleep "$SAMPLE" \
    >/dev/null 2>"$WORK/perf.err" || die "perf record failed: $(tail -3 "$WORK/perf.err")"
  wait "$wrk_pid"
  local rate
  rate=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.out")
  [[ -n "$rate" ]] || die "no request rate in wrk's output for $name"
  grep -q "Non-2xx" "$WORK/wrk.out" && die "$name: some answers were not 2xx"
  echo "$name $(python3 -c "print($rate * $SAMPLE)")" >>"$WORK/requests"
  perf script -i "$WORK/perf.data" -F pid,period,ip,sym,dso 2>/dev/null |
    awk -v pids=" $pids " 'index(pids, " " $1 " ") > 0' >>"$WORK/samples.$name"
  rm -f "$WORK/perf.data"
}

echo "cpu_split: $ROUNDS rounds of nginx then sluice; wrk -c$CONNECTIONS $DURATION each," \
  "$SAMPLE s sampled at $FREQ Hz ..." >&2
for ((round = 1; round <= ROUNDS; round++)); do
  nginx_pids="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"
  measure nginx "$NGINX_PORT" "$nginx_pids"
  measure sluice "$SLUICE_PORT" "$SLUICE_PID"
done

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "CPU split: commit $commit ($BUILD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t2 -c$CONNECTIONS, ~1 KB chat request, $WORKERS workers each; $ROUNDS alternating rounds," \
  "$SAMPLE s sampled each"
python3 - "$WORK" "$TOP" "$BUILD" <<'PY'
import collections, os, re, sys
work, top, build = sys.argv[1], int(sys.argv[2]), sys.argv[3]
requests = collections.Counter()
for line in open(os.path.join(work, "requests")):
    name, count = line.split()
    requests[name] += float(count)
# "PID PERIOD IP SYMBOL (DSO)": the symbol may hold spaces; the DSO is the last parenthesis.
sample = re.compile(r"^\s*(\d+)\s+(\d+)\s+[0-9a-f]+\s+(.*?)\s+\(([^()]*)\)\s*$")
def place(dso):
    if dso == "[kernel.kallsyms]":
        return "kernel"
    base = os.path.basename(dso)
    return base if base else dso
split, functions = {}, {}
for name in ("nginx", "sluice"):
    by_place, by_function = collections.Counter(), collections.Counter()
    for line in open(os.path.join(work, "samples." + name)):
        m = sample.match(line)
        if not m:
            continue
        ns = int(m.group(2))
        where = place(m.group(4))
        by_place[where] += ns
        if where != "kernel":
            by_function["%s (%s)" % (m.group(3), where)] += ns
    per = 1000.0 * requests[name]  # ns -> us a request
    split[name] = {k: v / per for k, v in by_place.items()}
    functions[name] = [(k, v / per) for k, v in by_function.most_common(top)]
for name in ("nginx", "sluice"):
    s = split[name]
    total = sum(s.values())
    user = total - s.get("kernel", 0.0)
    print()
    print("%s: %.2f us a request (%.0f requests sampled): kernel %.2f, user %.2f" %
          (name, total, requests[name], s.get("kernel", 0.0), user))
    for where, us in sorted(s.items(), key=lambda kv: -kv[1]):
        if where != "kernel" and us >= 0.005:
            print("  %-34s %6.2f us" % (where, us))
    print("  top functions (user space):")
    for function, us in functions[name]:
        print("    %6.3f us  %s" % (us, function[:110]))
n, s = split["nginx"], split["sluice"]
print()
print("sluice minus nginx, us a request: all %+.2f, kernel %+.2f, user %+.2f" %
      (sum(s.values()) - sum(n.values()), s.get("kernel", 0) - n.get("kernel", 0),
       (sum(s.values()) - s.get("kernel", 0)) - (sum(n.values()) - n.get("kernel", 0))))
PY
