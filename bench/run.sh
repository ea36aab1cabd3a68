#!/bin/bash
# bench/run.sh: Fetchboard's benchmark suite (see bench/README.md).
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   bench/run.sh [all|nginx|latency|dns|memory|parser] [--quick]
#
# Environment:
#   FETCHBOARD_CLI        the binary (default: $BENCH_BUILD_DIR/src/cli/fetchboard-cli)
#   BENCH_BUILD_DIR       meson build dir for the bench programs (default: build/)
#   BENCH_RUNS            timed runs per tool and scenario (default 5; --quick 3)
#   BENCH_MEM_RUNS        timed runs for the 100,000-job memory figure (default 5; --quick 1)
#   BENCH_NGINX_WORKERS   nginx worker_processes (default 1, see README)
#   BENCH_DELAY_SERVER    auto (default) | fetchboard | python
#   BENCH_TOOLS           space-separated subset of: fetchboard-cli curl wget2 aria2c

set -u -o pipefail
export LC_ALL=C.UTF-8

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$BENCH_DIR")
PY=/usr/bin/python3
FBB=("$PY" "$BENCH_DIR/helpers/fbbench.py")

usage () {
  echo "usage: $0 [all|nginx|latency|dns|memory|parser] [--quick]" >&2
  exit 2
}

SECTION=all
QUICK=0
for arg in "$@"; do
  case "$arg" in
    all|nginx|latency|dns|memory|parser) SECTION=$arg ;;
    --quick) QUICK=1 ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument “$arg”" >&2; usage ;;
  esac
done

if [ "$QUICK" = 1 ]; then
  MODE=quick
  RUNS=${BENCH_RUNS:-3}
  MEM_RUNS=${BENCH_MEM_RUNS:-1}
  RESULTS=$BENCH_DIR/out/RESULTS-quick.md
else
  MODE=full
  RUNS=${BENCH_RUNS:-5}
  MEM_RUNS=${BENCH_MEM_RUNS:-5}
  RESULTS=$BENCH_DIR/RESULTS.md
fi
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1}
BUILD_DIR=${BENCH_BUILD_DIR:-$SRC_DIR/build}
FB_CLI=${FETCHBOARD_CLI:-$BUILD_DIR/src/cli/fetchboard-cli}
ALL_TOOLS=${BENCH_TOOLS:-fetchboard-cli curl wget2 aria2c}
# Longest any server may live (they stop by themselves after this).
SERVER_LIMIT=3600

OUT=$BENCH_DIR/out/$MODE
WORK=$BENCH_DIR/work
mkdir -p "$OUT" "$WORK"
SHM=$(mktemp -d /dev/shm/fbbench.XXXXXX) || exit 1

log () { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
FAILED=0

# ------------------------------------------------------------ cleanup
# Only the PIDs started here are stopped; the namespace and its resolv.conf
# only when this run made them.
STARTED_PIDS=()
NETNS_MADE=0
NETNS_ETC_MADE=0

stop_pid () {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

cleanup () {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    stop_pid "$pid"
  done
  STARTED_PIDS=()
  dns_teardown
  rm -rf "$SHM" "$WORK/dl-disk"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

forget_pid () {
  local keep=() p
  for p in "${STARTED_PIDS[@]}"; do
    [ "$p" = "$1" ] || keep+=("$p")
  done
  STARTED_PIDS=("${keep[@]}")
}

# ------------------------------------------------------------ environment
machine_facts () {
  local cpu mem os
  cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  os=$(. /etc/os-release && echo "$PRETTY_NAME")
  "${FBB[@]}" env "$OUT" --mode "$MODE" ${1:+--section "$1"} \
    --machine "cpu=$cpu" --machine "nproc=$(nproc)" --machine "mem=$mem" \
    --machine "kernel=$(uname -sr)" --machine "os=$os" \
    --version "fetchboard-cli=$(fb_version)" \
    --version "curl=$(curl --version | head -1)" \
    --version "wget2=$(wget2 --version 2>&1 | head -1)" \
    --version "aria2c=$(aria2c --version | head -1)" \
    --version "nginx=$(nginx -v 2>&1 | head -1)" \
    --version "dnsmasq=$(dnsmasq --version | head -1)" \
    --version "python3=$("$PY" --version 2>&1)"
}

fb_version () {
  local rev
  rev=$(git -C "$SRC_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -x "$FB_CLI" ]; then
    echo "$(timeout 10 "$FB_CLI" --version 2>/dev/null | head -1) (git $rev + working tree, $FB_CLI)"
  else
    echo "not built (git $rev)"
  fi
}

# ------------------------------------------------------------ programs
# Builds a bench program with meson when the build dir exists, else with cc.
bench_program () {
  local name=$1 bin
  if [ -f "$BUILD_DIR/build.ninja" ]; then
    if timeout 300 ninja -C "$BUILD_DIR" "bench/$name" >"$OUT/build-$name.log" 2>&1; then
      echo "$BUILD_DIR/bench/$name"
      return 0
    fi
    log "ninja could not build bench/$name (see $OUT/build-$name.log)"
  fi
  bin=$OUT/bin/$name
  mkdir -p "$OUT/bin"
  case "$name" in
    bench-getaddrinfo|bench-rusage)
      timeout 120 cc -O2 -Wall -Wextra -pthread -o "$bin" "$BENCH_DIR/$name.c" || return 1 ;;
    bench-rcvbuf-preload.so)
      timeout 120 cc -O2 -Wall -Wextra -shared -fPIC -o "$bin" \
        "$BENCH_DIR/${name%.so}.c" -ldl || return 1 ;;
    *) return 1 ;;
  esac
  echo "$bin"
}

# ------------------------------------------------------------ catalog
CATALOG=$WORK/catalog
ensure_catalog () {
  timeout 900 "${FBB[@]}" gen-catalog "$CATALOG" "$1" || { log "catalog generation failed"; exit 1; }
}

# ------------------------------------------------------------ nginx
NGINX_PORT=
NGINX_PID=
start_nginx () {
  local prefix=$SHM/nginx user_line= nofile
  mkdir -p "$prefix/logs" "$prefix/tmp"
  NGINX_PORT=$("${FBB[@]}" free-port)
  # No open_file_cache: it keeps a descriptor per file, and 100,000 files
  # exhaust the limit (the worker then fails every request).
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
  # nginx only switches user when started as root; keep the current user then.
  if [ "$(id -u)" = 0 ]; then
    user_line="user root root;"
  fi
  cat >"$prefix/nginx.conf" <<EOF
# private config written by bench/run.sh
$user_line
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile $nofile;
daemon off;
master_process on;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events {
  worker_connections 8192;
  use epoll;
}
http {
  access_log off;
  log_not_found off;
  server_tokens off;
  sendfile on;
  tcp_nopush off;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 1000000;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  types {
    image/gif gif;
    application/json json;
  }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    server_name localhost;
    root $CATALOG;
  }
}
EOF
  timeout --kill-after=5 "$SERVER_LIMIT" nginx -p "$prefix" -c "$prefix/nginx.conf" \
    -e "$prefix/logs/error.log" >"$prefix/logs/stdout.log" 2>&1 &
  NGINX_PID=$!
  STARTED_PIDS+=("$NGINX_PID")
  if ! "${FBB[@]}" wait-http "http://127.0.0.1:$NGINX_PORT/flags/aa/aa.gif" 10; then
    log "nginx did not start:"; cat "$prefix/logs/error.log" >&2
    exit 1
  fi
  log "nginx $NGINX_WORKERS worker(s) on 127.0.0.1:$NGINX_PORT (pid $NGINX_PID)"
}

stop_nginx () {
  local errors
  [ -n "$NGINX_PID" ] || return 0
  stop_pid "$NGINX_PID"
  forget_pid "$NGINX_PID"
  NGINX_PID=
  # a server-side failure would make every client look bad: say so loudly
  errors=$(grep -c -E '\[(crit|alert|emerg)\]' "$SHM/nginx/logs/error.log")
  if [ "$errors" != 0 ]; then
    log "nginx logged $errors serious error(s); the figures of this section are not valid:"
    grep -m 3 -E '\[(crit|alert|emerg)\]' "$SHM/nginx/logs/error.log" >&2
    FAILED=1
  fi
  rm -f "$SHM/nginx/logs/error.log"
}

# ------------------------------------------------------------ runners
# tool_cmd TOOL CONCURRENCY URLFILE DEST: sets CMD (an array).
CMD=()
tool_cmd () {
  local tool=$1 c=$2 urls=$3 dest=$4
  case "$tool" in
    fetchboard-cli)
      CMD=("$FB_CLI" download -q -m "$c" -o "$dest" --timeout 30 "@$urls") ;;
    curl)
      # -q: no .curlrc; the URL list as a config file (url = "..."), since
      # 100,000 URLs do not fit on a command line. curl 7.88's --silent does
      # not silence the --parallel progress meter; --no-progress-meter does.
      CMD=(curl -q --parallel --parallel-max "$c" --parallel-immediate
           --remote-name-all --output-dir "$dest" --no-progress-meter --fail
           --max-time 30 --config "$urls.curl") ;;
    wget2)
      CMD=(wget2 --no-config --max-threads="$c" --input-file="$urls"
           --directory-prefix="$dest" --no-directories --no-host-directories
           --quiet --progress=none --no-xattr --no-hsts --no-hpkp --no-robots
           --no-netrc --no-cookies --tries=1 --timeout=30) ;;
    aria2c)
      CMD=(aria2c --no-conf -j "$c" --input-file="$urls" --dir="$dest"
           --file-allocation=none --max-connection-per-server=1 --split=1
           --console-log-level=error --summary-interval=0 --download-result=hide
           --show-console-readout=false --enable-color=false
           --auto-save-interval=0 --allow-overwrite=true --auto-file-renaming=false
           --remote-time=false --deferred-input=true --max-tries=1 --timeout=30) ;;
    *) log "unknown tool $tool"; exit 1 ;;
  esac
}

shown_cmd () {
  local s
  s=$(printf '%q ' "$@")
  s=${s% }
  s=${s//"$SHM"//dev/shm/fbbench}
  s=${s//"$BENCH_DIR"/bench}
  s=${s//"$SRC_DIR"/.}
  printf '%s' "$s"
}

# fb_works_download: a 3-URL smoke download against nginx.
FB_DOWNLOAD_STATE=
case " $ALL_TOOLS " in
  *" fetchboard-cli "*) ;;
  *) FB_DOWNLOAD_STATE="left out (BENCH_TOOLS)" ;;
esac
fb_download_ok () {
  if [ -n "$FB_DOWNLOAD_STATE" ]; then
    [ "$FB_DOWNLOAD_STATE" = ok ]
    return
  fi
  FB_DOWNLOAD_STATE="not built ($FB_CLI missing)"
  if [ -x "$FB_CLI" ]; then
    local d=$SHM/fb-smoke
    mkdir -p "$d/out"
    head -3 "$SHM/urls-1000" >"$d/urls"
    head -3 "$SHM/urls-1000.tsv" >"$d/expected.tsv"
    if timeout 20 "$FB_CLI" download -q -m 2 -o "$d/out" --timeout 10 "@$d/urls" \
         >"$d/log" 2>&1 && "${FBB[@]}" check-dir "$d/out" "$d/expected.tsv" 2>>"$d/log"; then
      FB_DOWNLOAD_STATE=ok
    else
      FB_DOWNLOAD_STATE="does not download yet: $(tail -c 300 "$d/log" | tr '\n' ' ')"
    fi
    rm -rf "$d"
  fi
  log "fetchboard-cli download: $FB_DOWNLOAD_STATE"
  [ "$FB_DOWNLOAD_STATE" = ok ]
}

# select_download_tools: sets TOOLS (fetchboard-cli only when it downloads).
TOOLS=()
select_download_tools () {
  local t
  TOOLS=()
  for t in $ALL_TOOLS; do
    if [ "$t" = fetchboard-cli ]; then
      fb_download_ok || continue
    fi
    TOOLS+=("$t")
  done
}

# bench_download SCENARIO RECORDFILE ITEMS CONCURRENCY URLFILE EXPECTED DESTROOT TIMEOUT RUNS IDEAL TOOLS...
bench_download () {
  local scenario=$1 rec_file=$2 items=$3 c=$4 urls=$5 expected=$6 destroot=$7 limit=$8
  local runs=$9 ideal=${10}
  shift 10
  local tools=("$@") n=${#tools[@]} rep i tool dest rec ok reason rc timed_out
  local -A dead=()
  log "== $scenario: $items files, concurrency $c, $runs run(s) + warm-up: ${tools[*]}"
  for rep in $(seq 0 "$runs"); do
    for i in $(seq 0 $((n - 1))); do
      tool=${tools[$(( (i + rep) % n ))]}
      [ -z "${dead[$tool]:-}" ] || continue
      dest=$destroot/$tool
      rm -rf "$dest"; mkdir -p "$dest"
      tool_cmd "$tool" "$c" "$urls" "$dest"
      rec=$("$RUSAGE" -t "$limit" -o "$OUT/last-$tool.out" -e "$OUT/last-$tool.err" \
              -- "${CMD[@]}")
      rc=$(sed -n 's/.*"rc": \(-\{0,1\}[0-9]*\).*/\1/p' <<<"$rec")
      timed_out=$(grep -c '"timed_out": true' <<<"$rec")
      ok=true; reason=
      if [ "$timed_out" != 0 ]; then
        ok=false; reason="timed out after ${limit}s"
      elif [ "$rc" != 0 ]; then
        ok=false; reason="exit $rc: $(tail -c 200 "$OUT/last-$tool.err" | tr '\n' ' ')"
      elif ! "${FBB[@]}" check-dir "$dest" "$expected" 2>"$OUT/last-check.err"; then
        ok=false; reason="check: $(head -c 300 "$OUT/last-check.err" | tr '\n' ' ')"
      fi
      "${FBB[@]}" record "$rec_file" "$rec" "scenario=$scenario" "tool=$tool" \
        "rep=$rep" "warmup=$([ "$rep" = 0 ] && echo true || echo false)" "ok=$ok" \
        "items=$items" "concurrency=$c" "ideal=$ideal" \
        "command=$(shown_cmd "${CMD[@]}")" "fail_reason=$reason"
      if [ "$ok" = true ]; then
        log "$scenario rep $rep $tool: $(sed 's/[{}"]//g' <<<"$rec")"
      else
        log "$scenario rep $rep $tool: FAILED: $reason"
        dead[$tool]=1
        FAILED=1
      fi
      rm -rf "$dest"
    done
  done
}

# ------------------------------------------------------------ section: nginx
section_nginx () {
  local n1=1000 n2=10000
  machine_facts nginx
  rm -f "$OUT/nginx.jsonl"
  ensure_catalog "$n2"
  start_nginx
  local base=http://127.0.0.1:$NGINX_PORT/flags
  "${FBB[@]}" url-list "$CATALOG" "$base" "$n1" "$SHM/urls-1000"
  "${FBB[@]}" url-list "$CATALOG" "$base" "$n2" "$SHM/urls-10000"
  select_download_tools
  bench_download nginx-1k-c5 "$OUT/nginx.jsonl" "$n1" 5 "$SHM/urls-1000" \
    "$SHM/urls-1000.tsv" "$SHM/dl" 60 "$RUNS" null "${TOOLS[@]}"
  bench_download nginx-1k-c100 "$OUT/nginx.jsonl" "$n1" 100 "$SHM/urls-1000" \
    "$SHM/urls-1000.tsv" "$SHM/dl" 60 "$RUNS" null "${TOOLS[@]}"
  bench_download nginx-1k-c100-disk "$OUT/nginx.jsonl" "$n1" 100 "$SHM/urls-1000" \
    "$SHM/urls-1000.tsv" "$WORK/dl-disk" 60 "$RUNS" null "${TOOLS[@]}"
  bench_download nginx-10k-c100 "$OUT/nginx.jsonl" "$n2" 100 "$SHM/urls-10000" \
    "$SHM/urls-10000.tsv" "$SHM/dl" 120 "$RUNS" null "${TOOLS[@]}"
  stop_nginx
  write_server_notes
  {
    echo "fetchboard-cli: $FB_DOWNLOAD_STATE."
    echo "Output folders on tmpfs (/dev/shm) except the “disk” scenario ($WORK → ext4 on $(df --output=source "$WORK" | tail -1))."
    echo "Files: the generated catalog (seed 2026, GIF89a, 1–20 KiB, median $(catalog_median) B)."
  } >"$OUT/notes-nginx.md"
}

catalog_median () {
  "$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["median_size"]))' \
    "$CATALOG/catalog.json"
}

write_server_notes () {
  local why
  if [ "$NGINX_WORKERS" = 1 ]; then
    why="One worker: the machine has $(nproc) cores and the client under test needs one; a second
  nginx worker competes with the client for the same cores, and one worker already serves small
  files faster than any client here fetches them (measured: no difference beyond noise between 1
  and auto; see README)."
  else
    why="(BENCH_NGINX_WORKERS=$NGINX_WORKERS; the suite's default is 1, see README.)"
  fi
  cat >"$OUT/notes-servers.md" <<EOF
- nginx ($(nginx -v 2>&1 | sed 's/.*: //')): private prefix, pid and temp dirs under /dev/shm, a free
  high port on 127.0.0.1, run as the current user, \`worker_processes $NGINX_WORKERS\`, keep-alive on
  (\`keepalive_requests 1000000\`, so no client is forced to reconnect), access log off,
  \`sendfile on\`, \`tcp_nodelay on\`, listen backlog 4096, no \`open_file_cache\` (one descriptor per cached
  file: 100,000 files exhaust the limit).
  $why
- Delayed server: $(cat "$OUT/delay-server.txt" 2>/dev/null || echo "not run yet").
- DNS: dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}') in network namespace fbbench on 127.0.0.1:53:
  \`--no-resolv --no-hosts --addn-hosts=FILE --local=/fbbench.test/\` (answers only from the
  generated hosts file; every other name under fbbench.test gets NXDOMAIN at once, nothing is forwarded).
EOF
}

# ------------------------------------------------------------ section: latency
DELAY_PID=
start_delay_server () {
  local port kind=${BENCH_DELAY_SERVER:-auto}
  port=$("${FBB[@]}" free-port)
  DELAY_PORT=$port
  DELAY_KIND=
  if [ "$kind" != python ] && [ -x "$FB_CLI" ]; then
    timeout --kill-after=5 "$SERVER_LIMIT" "$FB_CLI" serve --delay 0.1 --port "$port" \
      >"$SHM/delay-server.log" 2>&1 &
    DELAY_PID=$!
    STARTED_PIDS+=("$DELAY_PID")
    if "${FBB[@]}" wait-http "http://127.0.0.1:$port/flags/ad/ad.gif" 10 2>>"$SHM/delay-server.log"; then
      DELAY_KIND="fetchboard-cli serve --delay 0.1 (libsoup SoupServer)"
    else
      log "fetchboard-cli serve does not work yet: $(tail -c 300 "$SHM/delay-server.log" | tr '\n' ' ')"
      stop_pid "$DELAY_PID"; forget_pid "$DELAY_PID"; DELAY_PID=
      if [ "$kind" = fetchboard ]; then
        log "BENCH_DELAY_SERVER=fetchboard but it does not work"; exit 1
      fi
    fi
  fi
  if [ -z "$DELAY_KIND" ]; then
    port=$("${FBB[@]}" free-port)
    DELAY_PORT=$port
    timeout --kill-after=5 "$SERVER_LIMIT" "$PY" "$BENCH_DIR/helpers/delay_server.py" \
      --root "$CATALOG" --port "$port" --delay 0.1 --max-seconds "$SERVER_LIMIT" \
      >"$SHM/delay-server.log" 2>&1 &
    DELAY_PID=$!
    STARTED_PIDS+=("$DELAY_PID")
    "${FBB[@]}" wait-http "http://127.0.0.1:$port/flags/ad/ad.gif" 10 || exit 1
    DELAY_KIND="bench/helpers/delay_server.py --delay 0.1 (python3 asyncio, TCP_NODELAY; fallback while fetchboard-cli serve does not work)"
  fi
  echo "$DELAY_KIND on 127.0.0.1:$DELAY_PORT" >"$OUT/delay-server.txt"
  log "delayed server: $DELAY_KIND on port $DELAY_PORT (pid $DELAY_PID)"
}

section_latency () {
  local n
  machine_facts latency
  rm -f "$OUT/latency.jsonl"
  ensure_catalog 1000
  # fetchboard-cli's smoke test needs nginx
  start_nginx
  "${FBB[@]}" url-list "$CATALOG" "http://127.0.0.1:$NGINX_PORT/flags" 1000 "$SHM/urls-1000"
  select_download_tools
  stop_nginx
  start_delay_server
  local base=http://127.0.0.1:$DELAY_PORT/flags
  n=200
  "${FBB[@]}" url-list "$CATALOG" "$base" "$n" "$SHM/lat-urls" --codes iso
  # The expected sizes come from a reference download (the demo server makes
  # its own flags); curl checks every body against its Content-Length.
  mkdir -p "$SHM/ref"
  tool_cmd curl 50 "$SHM/lat-urls" "$SHM/ref"
  if ! timeout 60 "${CMD[@]}" || [ "$(ls "$SHM/ref" | wc -l)" != "$n" ]; then
    log "reference download from the delayed server failed"; exit 1
  fi
  "${FBB[@]}" manifest-from-dir "$SHM/ref" "$SHM/lat-urls.tsv"
  rm -rf "$SHM/ref"
  if [ "$QUICK" = 1 ]; then
    head -25 "$SHM/lat-urls" >"$SHM/lat-urls-25"
    head -25 "$SHM/lat-urls.curl" >"$SHM/lat-urls-25.curl"
    head -25 "$SHM/lat-urls.tsv" >"$SHM/lat-urls-25.tsv"
    bench_download latency-25-c5 "$OUT/latency.jsonl" 25 5 "$SHM/lat-urls-25" \
      "$SHM/lat-urls-25.tsv" "$SHM/dl" 60 "$RUNS" 0.5 "${TOOLS[@]}"
  else
    bench_download latency-200-c5 "$OUT/latency.jsonl" "$n" 5 "$SHM/lat-urls" \
      "$SHM/lat-urls.tsv" "$SHM/dl" 60 "$RUNS" 4.0 "${TOOLS[@]}"
  fi
  bench_download latency-200-c50 "$OUT/latency.jsonl" "$n" 50 "$SHM/lat-urls" \
    "$SHM/lat-urls.tsv" "$SHM/dl" 60 "$RUNS" 0.4 "${TOOLS[@]}"
  stop_pid "$DELAY_PID"; forget_pid "$DELAY_PID"; DELAY_PID=
  write_server_notes
  {
    echo "Server: $DELAY_KIND. Every answer waits 0.1 s, so N files at concurrency C need at least N/C × 0.1 s (the ideal)."
    echo "fetchboard-cli: $FB_DOWNLOAD_STATE."
  } >"$OUT/notes-latency.md"
}

# ------------------------------------------------------------ section: dns
NETNS=fbbench
DNS_PID=
dns_setup () {
  local names_dir=$1
  if ip netns list | grep -qw "^$NETNS"; then
    if [ -z "$(ip netns pids "$NETNS" 2>/dev/null)" ]; then
      log "removing a stale, empty network namespace $NETNS"
      ip netns del "$NETNS" || return 1
    else
      log "network namespace $NETNS is in use by other processes; not touching it"
      return 1
    fi
  fi
  if [ ! -d /etc/netns/$NETNS ]; then
    mkdir -p /etc/netns/$NETNS || return 1
    NETNS_ETC_MADE=1
  fi
  printf 'nameserver 127.0.0.1\n' >/etc/netns/$NETNS/resolv.conf
  ip netns add "$NETNS" || return 1
  NETNS_MADE=1
  ip netns exec "$NETNS" ip link set lo up || return 1
  # glibc's AI_ADDRCONFIG (which GLib's resolver passes) ignores 127.0.0.1:
  # with only that address every lookup fails at once without a query. A
  # second loopback address makes the namespace look like a connected machine.
  ip netns exec "$NETNS" ip addr add 127.0.0.2/8 dev lo || return 1
  # LD_PRELOAD: a 4 MiB receive buffer for dnsmasq's UDP socket (see
  # bench-rcvbuf-preload.c); with the default one, bursts of 200 queries
  # lose a few and glibc waits 5 s before asking again.
  # An empty configuration of our own, not /dev/null: on a shared machine /dev/null
  # was once a regular file that other programs' output had filled.
  : >"$SHM/dnsmasq.conf"
  ip netns exec "$NETNS" timeout --kill-after=5 "$SERVER_LIMIT" \
    env LD_PRELOAD="$RCVBUF_SO" dnsmasq --keep-in-foreground --conf-file="$SHM/dnsmasq.conf" \
    --no-resolv --no-hosts --no-poll \
    --addn-hosts="$names_dir/hosts" --local=/fbbench.test/ \
    --listen-address=127.0.0.1 --bind-interfaces --port=53 \
    --user=root --group=root --pid-file="$SHM/dnsmasq.pid" \
    --log-facility="$SHM/dnsmasq.log" --cache-size=10000 \
    >"$SHM/dnsmasq.out" 2>&1 &
  DNS_PID=$!
  STARTED_PIDS+=("$DNS_PID")
  local first_ok first_missing i
  first_ok=$(awk '{print $2; exit}' "$names_dir/hosts")
  first_missing=$(awk -F'\t' '$2 == "-" {print $1; exit}' "$names_dir/expected.tsv")
  for i in $(seq 50); do
    if ip netns exec "$NETNS" timeout 5 getent ahostsv4 "$first_ok" >/dev/null 2>&1; then
      break
    fi
    sleep 0.1
  done
  if ! ip netns exec "$NETNS" timeout 5 getent ahostsv4 "$first_ok" >/dev/null; then
    log "dnsmasq does not answer: $(cat "$SHM/dnsmasq.out" "$SHM/dnsmasq.log" 2>/dev/null | tail -5)"
    return 1
  fi
  local t0 t1
  t0=$(date +%s%N)
  if ip netns exec "$NETNS" timeout 5 getent ahosts "$first_missing" >/dev/null; then
    log "dnsmasq resolves $first_missing, which must not exist"; return 1
  fi
  t1=$(date +%s%N)
  log "dnsmasq ready in netns $NETNS (pid $DNS_PID); NXDOMAIN for $first_missing in $(( (t1 - t0) / 1000000 )) ms"
}

dns_teardown () {
  if [ -n "$DNS_PID" ]; then
    stop_pid "$DNS_PID"; forget_pid "$DNS_PID"; DNS_PID=
  fi
  if [ "$NETNS_MADE" = 1 ]; then
    ip netns del "$NETNS" 2>/dev/null
    NETNS_MADE=0
  fi
  if [ "$NETNS_ETC_MADE" = 1 ]; then
    rm -f /etc/netns/$NETNS/resolv.conf
    rmdir /etc/netns/$NETNS 2>/dev/null
    rmdir /etc/netns 2>/dev/null
    NETNS_ETC_MADE=0
  fi
  return 0
}

# bench_dns SCENARIO ITEMS NAMES_DIR TOOLS...
bench_dns () {
  local scenario=$1 items=$2 dir=$3
  shift 3
  local tools=("$@") n=$# rep i tool rec rc timed_out ok reason checker
  local -A dead=()
  log "== $scenario: $items names, concurrency 100, $RUNS run(s) + warm-up: ${tools[*]}"
  for rep in $(seq 0 "$RUNS"); do
    for i in $(seq 0 $((n - 1))); do
      tool=${tools[$(( (i + rep) % n ))]}
      [ -z "${dead[$tool]:-}" ] || continue
      case "$tool" in
        fetchboard-cli)
          CMD=("$FB_CLI" probe --json -m 100 "@$dir/names.txt"); checker=check-probe ;;
        getaddrinfo-100-threads)
          CMD=("$GAI_BIN" -t 100 "$dir/names.txt"); checker=check-gai ;;
        python3-asyncio-book)
          CMD=("$PY" "$BENCH_DIR/helpers/asyncio_probe.py" -m 100 "$dir/names.txt"); checker=check-gai ;;
      esac
      rec=$("$RUSAGE" -t 120 -o "$SHM/dns-$tool.out" -e "$OUT/last-$tool.err" \
              -- ip netns exec "$NETNS" "${CMD[@]}")
      rc=$(sed -n 's/.*"rc": \(-\{0,1\}[0-9]*\).*/\1/p' <<<"$rec")
      timed_out=$(grep -c '"timed_out": true' <<<"$rec")
      ok=true; reason=
      if [ "$timed_out" != 0 ]; then
        ok=false; reason="timed out after 120s"
      elif [ "$rc" != 0 ]; then
        ok=false; reason="exit $rc: $(tail -c 200 "$OUT/last-$tool.err" | tr '\n' ' ')"
      elif ! "${FBB[@]}" "$checker" "$SHM/dns-$tool.out" "$dir/expected.tsv" \
             2>"$OUT/last-check.err" >/dev/null; then
        ok=false; reason="check: $(head -c 300 "$OUT/last-check.err" | tr '\n' ' ')"
      fi
      "${FBB[@]}" record "$OUT/dns.jsonl" "$rec" "scenario=$scenario" "tool=$tool" \
        "rep=$rep" "warmup=$([ "$rep" = 0 ] && echo true || echo false)" "ok=$ok" \
        "items=$items" "concurrency=100" "exit_code=$rc" \
        "command=$(shown_cmd ip netns exec "$NETNS" "${CMD[@]}")" "fail_reason=$reason"
      if [ "$ok" = true ]; then
        log "$scenario rep $rep $tool: $(sed 's/[{}"]//g' <<<"$rec")"
      else
        log "$scenario rep $rep $tool: FAILED: $reason"
        dead[$tool]=1
        FAILED=1
      fi
      if [ "$ok" = true ]; then
        rm -f "$SHM/dns-$tool.out"
      else
        mv "$SHM/dns-$tool.out" "$OUT/failed-$scenario-$tool.out"
      fi
    done
  done
}

FB_PROBE_STATE=
fb_probe_ok () {
  local dir=$1 d=$SHM/fb-probe-smoke
  FB_PROBE_STATE="not built ($FB_CLI missing)"
  [ -x "$FB_CLI" ] || return 1
  mkdir -p "$d"
  head -6 "$dir/expected.tsv" >"$d/expected.tsv"
  cut -f1 "$d/expected.tsv" >"$d/names.txt"
  if ip netns exec "$NETNS" timeout 20 "$FB_CLI" probe --json -m 4 "@$d/names.txt" \
       >"$d/out" 2>"$d/err" \
     && "${FBB[@]}" check-probe "$d/out" "$d/expected.tsv" >/dev/null 2>>"$d/err"; then
    FB_PROBE_STATE=ok
  else
    FB_PROBE_STATE="does not probe yet: $(tail -c 300 "$d/err" | tr '\n' ' ')"
  fi
  log "fetchboard-cli probe: $FB_PROBE_STATE"
  [ "$FB_PROBE_STATE" = ok ]
}

section_dns () {
  local n=10000 scenario=dns-10k-c100 dir tools=()
  [ "$QUICK" = 1 ] && { n=2000; scenario=dns-2k-c100; }
  machine_facts dns
  rm -f "$OUT/dns.jsonl"
  dir=$WORK/names-$n
  "${FBB[@]}" gen-names "$dir" "$n" >/dev/null
  if [ "$(id -u)" != 0 ]; then
    log "the DNS section needs root (ip netns, /etc/netns); skipped"
    echo "Not run: the DNS section needs root (ip netns add, /etc/netns/$NETNS)." >"$OUT/notes-dns.md"
    return
  fi
  GAI_BIN=$(bench_program bench-getaddrinfo) || { log "cannot build bench-getaddrinfo"; exit 1; }
  RCVBUF_SO=$(bench_program bench-rcvbuf-preload.so) || { log "cannot build bench-rcvbuf-preload.so"; exit 1; }
  if ! dns_setup "$dir"; then
    log "DNS setup failed; skipping the DNS figure"
    FAILED=1
    dns_teardown
    return
  fi
  case " $ALL_TOOLS " in *" fetchboard-cli "*) fb_probe_ok "$dir" && tools+=(fetchboard-cli) ;; esac
  tools+=(getaddrinfo-100-threads python3-asyncio-book)
  bench_dns "$scenario" "$n" "$dir" "${tools[@]}"
  local udp drops
  udp=$(ip netns exec "$NETNS" awk '/^Udp:/ { n++; if (n == 2) print $2, $6 }' /proc/net/snmp)
  drops=${udp#* }
  log "UDP in the namespace: ${udp% *} datagrams received, $drops dropped (receive buffer full)"
  dns_teardown
  write_server_notes
  {
    echo "Names: h000000.fbbench.test … ($n, shuffled; a random half, seed 2026, are in dnsmasq's hosts file as 127.0.0.x, the rest get NXDOMAIN)."
    echo "Resolver: glibc getaddrinfo inside \`ip netns exec $NETNS\` with /etc/netns/$NETNS/resolv.conf = \`nameserver 127.0.0.1\` (glibc defaults otherwise)."
    echo "The namespace's lo also has 127.0.0.2: glibc's AI_ADDRCONFIG (GLib's own GThreadedResolver passes it; Fetchboard's prober does not) ignores 127.0.0.1, so with lo alone such lookups fail at once without asking dnsmasq."
    echo "Peers: bench/bench-getaddrinfo.c (getaddrinfo, AF_UNSPEC, SOCK_STREAM, no flags — the hints Fetchboard's prober passes — from 100 threads) and bench/helpers/asyncio_probe.py (the book's approach: loop.getaddrinfo under an asyncio.Semaphore(100); asyncio's default pool has min(32, nproc+4) threads)."
    echo "dnsmasq's UDP socket has a 4 MiB receive buffer (bench/bench-rcvbuf-preload.c, LD_PRELOAD): with the default 208 KiB, 100 concurrent getaddrinfo calls (an A and an AAAA query each) overflow it, the kernel drops a query or two per run and glibc asks again only after 5 s. This run: ${udp% *} datagrams received by sockets in the namespace, $drops dropped."
    echo "fetchboard-cli probe: $FB_PROBE_STATE."
  } >"$OUT/notes-dns.md"
}

# ------------------------------------------------------------ section: memory
section_memory () {
  local n=100000 scenario=mem-100k-c100
  [ "$QUICK" = 1 ] && { n=10000; scenario=mem-10k-c100; }
  machine_facts memory
  rm -f "$OUT/memory.jsonl"
  ensure_catalog "$n"
  start_nginx
  local base=http://127.0.0.1:$NGINX_PORT/flags
  "${FBB[@]}" url-list "$CATALOG" "$base" 1000 "$SHM/urls-1000"
  "${FBB[@]}" url-list "$CATALOG" "$base" "$n" "$SHM/urls-mem"
  select_download_tools
  bench_download "$scenario" "$OUT/memory.jsonl" "$n" 100 "$SHM/urls-mem" \
    "$SHM/urls-mem.tsv" "$SHM/dl" 600 "$MEM_RUNS" null "${TOOLS[@]}"
  stop_nginx
  {
    echo "Peak RSS (ru_maxrss of the process and its children) while $n URLs are queued at concurrency 100; target for fetchboard-cli: < 100 MiB."
    echo "fetchboard-cli: $FB_DOWNLOAD_STATE."
  } >"$OUT/notes-memory.md"
}

# ------------------------------------------------------------ section: parser
section_parser () {
  local bin lines=1000000 rep rec rc ok reason
  machine_facts parser
  rm -f "$OUT/parser.jsonl"
  [ "$QUICK" = 1 ] && lines=100000
  if ! bin=$(bench_program bench-list-parser); then
    echo "bench-list-parser does not build yet (see bench/out/$MODE/build-bench-list-parser.log)." \
      >"$OUT/notes-parser.md"
    log "parser: bench-list-parser does not build; skipped"
    return
  fi
  # bench-list-parser makes its own mixed lists (10^4 … LINES lines) and
  # prints the best of 3 rounds per size; this section times the whole program.
  log "== parser: bench-list-parser $lines, $RUNS run(s) + warm-up"
  for rep in $(seq 0 "$RUNS"); do
    CMD=("$bin" "$lines")
    rec=$("$RUSAGE" -t 120 -o "$OUT/last-parser.out" -e "$OUT/last-parser.err" \
            -- "${CMD[@]}")
    rc=$(sed -n 's/.*"rc": \(-\{0,1\}[0-9]*\).*/\1/p' <<<"$rec")
    ok=true; reason=
    if [ "$rc" != 0 ]; then
      ok=false; reason="exit $rc: $(tail -c 200 "$OUT/last-parser.err" | tr '\n' ' ')"; FAILED=1
    fi
    "${FBB[@]}" record "$OUT/parser.jsonl" "$rec" scenario=parser tool=bench-list-parser \
      "rep=$rep" "warmup=$([ "$rep" = 0 ] && echo true || echo false)" "ok=$ok" \
      "items=$lines" "command=$(shown_cmd "${CMD[@]}")" "fail_reason=$reason"
    log "parser rep $rep: $(sed 's/[{}"]//g' <<<"$rec")"
    [ "$ok" = true ] || break
  done
  {
    echo "bench/bench-list-parser.c (the list parser's own benchmark) parses generated lists of 10^4 … $lines lines (URLs, domains, IDN, codes, comments, CRLF, duplicates, rejected lines), best of 3 rounds per size. Its output from the last run:"
    echo
    echo '```'
    cat "$OUT/last-parser.out"
    echo '```'
    echo
    echo "The table below times the whole program (list generation and every size × 3 rounds); the parser's own rate is the ns/line above."
  } >"$OUT/notes-parser.md"
}

# ------------------------------------------------------------ main
# The CLI under test is the working tree's: a build dir left from hours ago
# would be timed under today's git revision otherwise. FETCHBOARD_CLI, when
# given, is used as it is.
build_cli () {
  [ -z "${FETCHBOARD_CLI:-}" ] && [ -f "$BUILD_DIR/build.ninja" ] || return 0
  if ! timeout 600 ninja -C "$BUILD_DIR" src/cli/fetchboard-cli >"$OUT/build-cli.log" 2>&1; then
    log "ninja could not build fetchboard-cli (see $OUT/build-cli.log)"
    exit 1
  fi
}

main () {
  build_cli
  RUSAGE=$(bench_program bench-rusage) || { log "cannot build bench-rusage"; exit 1; }
  log "mode $MODE, section $SECTION, $RUNS timed run(s) after a warm-up; fetchboard-cli: $FB_CLI"
  log "scratch folder $SHM (removed at exit)"
  case "$SECTION" in
    all)
      section_nginx
      section_latency
      section_dns
      # --quick: the 10,000-file scenario of the nginx section stands in for
      # the memory figure (same jobs, concurrency 100)
      [ "$QUICK" = 1 ] || section_memory
      section_parser ;;
    nginx) section_nginx ;;
    latency) section_latency ;;
    dns) section_dns ;;
    memory) section_memory ;;
    parser) section_parser ;;
  esac

  "${FBB[@]}" report "$OUT" "$RESULTS"
  if [ "$FAILED" != 0 ]; then
    log "some runs FAILED (see $RESULTS and $OUT/*.jsonl)"
    exit 1
  fi
  log "done: $RESULTS"
}

# One line, read whole before it runs: editing this file during a run is safe.
main; exit $?
