# shellcheck shell=bash
# Shell helpers shared by the load benchmarks (sourced, not run). Everything binds 127.0.0.1.

# free_ports N: prints N distinct free loopback ports, held open together while the kernel picks.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()
PY
}

# wait_port PORT TIMEOUT_S: returns 0 once 127.0.0.1:PORT accepts a TCP connection.
wait_port() {
  python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.001)
sys.exit(1)
PY
}

# sluice_yaml PORT ADMIN_PORT CHAIN [LINE...]: prints a sluice config listening on 127.0.0.1:PORT
# (admin on ADMIN_PORT) with the benchmarks' chain CHAIN, and each further LINE (a bootstrap
# field such as "workers: 1") as it is. CHAIN is one of
#   local_reply BODY              direct_response answering 200 with BODY (JSON, no single quote)
#   proxy FAKE_PORT ACCESS_LOG    log -> route -> translate in front of fake-llm on FAKE_PORT
sluice_yaml() {
  local port=$1 admin=$2 chain=$3
  shift 3
  local body="" fake_port="" access_log=""
  case "$chain" in
    local_reply) body=$1; shift ;;
    proxy) fake_port=$1 access_log=$2; shift 2 ;;
    *) echo "sluice_yaml: unknown chain '$chain'" >&2; return 2 ;;
  esac
  printf 'listeners: [{address: 127.0.0.1, port: %s}]\nadmin: {address: 127.0.0.1, port: %s}\n' \
    "$port" "$admin"
  local line
  for line in "$@"; do printf '%s\n' "$line"; done
  if [[ "$chain" == proxy ]]; then
    cat <<EOF
providers:
  - {name: fake, type: openai_compatible, api_base: "http://127.0.0.1:$fake_port/v1"}
models:
  - name: demo
    deployments:
      - {provider: fake, model: fake-model}
chains:
  - name: bench
    match: {path_prefix: /}
    filters:
      - type: log
        config: {path: $access_log}
      - type: route
      - type: translate
EOF
  else
    cat <<EOF
chains:
  - name: bench
    match: {path_prefix: /}
    filters:
      - type: direct_response
        config: {status: 200, body: '$body', headers: {content-type: application/json}}
EOF
  fi
}

# start_sluice PID_VAR BIN CONFIG LOG PORT WHAT: starts `BIN run -c CONFIG` in the background in
# $WORK, its output to LOG, its pid in the variable PID_VAR at once (so the caller's cleanup stops
# it whatever happens next); dies (the caller's die) with the log when it does not listen on
# 127.0.0.1:PORT within 10 s.
start_sluice() {
  local pid_var=$1 bin=$2 config=$3 log=$4 port=$5 what=$6
  (cd "$WORK" && exec "$bin" run -c "$config") </dev/null >"$log" 2>&1 &
  printf -v "$pid_var" '%s' "$!"
  if ! wait_port "$port" 10; then
    cat "$log" >&2 || true
    die "$what did not start listening on 127.0.0.1:$port"
  fi
}

# stop_pid PID: SIGTERM, up to 3 s for it to exit, then SIGKILL; reaps it when it is our child.
stop_pid() {
  local pid=$1 i
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wrk in the background and `wait` for it, so a signal interrupts at once and cleanup stops it.
wrk_bg() {
  wrk "$@" &
  WRK_PID=$!
  wait "$WRK_PID"
  WRK_PID=""
}

# nginx_temp_paths NGINX_BIN DIR: the nginx.conf directives that keep every nginx temp folder in
# DIR (only modules compiled in accept their temp path directive).
nginx_temp_paths() {
  local version module paths
  version=$("$1" -V 2>&1)
  paths="client_body_temp_path $2/nginx-client_body;"
  for module in proxy fastcgi uwsgi scgi; do
    if [[ "$version" != *"--without-http_${module}_module"* ]]; then
      paths+=$'\n'"  ${module}_temp_path $2/nginx-$module;"
    fi
  done
  printf '%s' "$paths"
}

# sluice_build_dir REPO BUILD FLAVOUR: prints BUILD as an absolute path (a relative one is taken
# from here, else from REPO) when it holds bin/sluice and bin/fake-llm; otherwise says so on
# stderr, naming `tools/build.sh FLAVOUR`, and fails. Call as BUILD=$(...) || exit 1.
sluice_build_dir() {
  local build=$2
  [[ "$build" == /* || -d "$build" ]] || build="$1/$build"
  if [[ ! -x "$build/bin/sluice" || ! -x "$build/bin/fake-llm" ]]; then
    echo "$(basename "$0" .sh): $build/bin/sluice or fake-llm not found;" \
      "build first: tools/build.sh $3" >&2
    return 1
  fi
  (cd "$build" && pwd)
}

# build_kind BUILD_DIR: "profile-guided" when the build folder was configured with a profile
# (tools/pgo/README.md), else "no profile".
build_kind() {
  if grep -qx 'SLUICE_PGO:STRING=use' "$1/CMakeCache.txt" 2>/dev/null; then
    echo "profile-guided"
  else
    echo "no profile"
  fi
}

# build_body FILE SIZE EXTRA_FIELDS DIRECTIVE: the proxy benchmarks' chat request of exactly SIZE
# bytes: a system and a user message whose text is filler (no quote, backslash or "]]") cut to
# make up the size, then DIRECTIVE (a fake-llm instruction), then EXTRA_FIELDS (such as
# ,"temperature":0). Uses the caller's die.
build_body() {
  local file=$1 size=$2 extra=$3 directive=$4 prefix suffix filler=""
  prefix='{"model":"demo","messages":[{"role":"system","content":"You are a helpful assistant. Answer briefly and precisely."},{"role":"user","content":"'
  suffix="${directive}\"}]${extra}}"
  local want=$((size - ${#prefix} - ${#suffix}))
  ((want > 0)) || die "BODY_BYTES=$size is too small"
  while ((${#filler} < want)); do
    filler+="The quick brown fox jumps over the lazy dog while the gateway forwards every byte. "
  done
  filler=${filler:0:want}
  printf '%s%s%s' "$prefix" "$filler" "$suffix" >"$file"
}

# post_json_lua FILE: prints a wrk script that POSTs FILE's JSON (a body from build_body: no "]]")
# as application/json.
post_json_lua() {
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  printf 'wrk.body = [==[%s]==]\n' "$(<"$1")"
}
