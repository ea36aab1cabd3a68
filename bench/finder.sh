#!/usr/bin/env bash
# bench/finder.sh: the finder's servers against their peers, in one run.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   bench/finder.sh [ROUNDS]      (default 5; BENCH_DURATION=10 seconds per wrk run;
#                                  BENCH_SECTIONS="http tcp" by default, either alone;
#                                  BENCH_BUSY=N runs N busy loops meanwhile, for a
#                                  figure at load; BASELINE_CLI=PATH, another build's
#                                  fetchboard-cli, takes turns with this one in the TCP rounds
#                                  and in the HTTP rounds; FINDER_CLI=PATH measures a
#                                  copy instead of build/)
#
# HTTP: `wrk -t1 -c100 -d10s` on GET /search?q=cat%20face against
#   - `fetchboard-cli serve` (this build);
#   - nginx (1 worker) serving a static file holding the same bytes;
#   - the book's web_mojifinder on FastAPI + uvicorn (bench/helpers/web_mojifinder.py),
# taking turns, ROUNDS times; prints each run and the medians and ratios.
# TCP: `serve --tcp-port` with FETCHBOARD_STALL_LOG=1, and bench/helpers/tcp_clients.py:
# 1,000 clients connected at once, 10 queries each, every answer compared byte
# for byte; the server's longest main-loop stall as it reports it at exit. ROUNDS times.
# Loopback only; every server runs under `timeout`; output on /dev/shm.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-5}
DURATION=${BENCH_DURATION:-10}
CLI=${FINDER_CLI:-$top/build/src/cli/fetchboard-cli}
PY=/usr/bin/python3
SHM=$(mktemp -d /dev/shm/fb-finder-bench.XXXXXX)
LIMIT=1800
PIDS=()

cleanup () {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$SHM"
}
trap cleanup EXIT

log () { printf '%s\n' "$*" >&2; }

free_port () {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http () {
  for _ in $(seq 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  log "no answer from $1"; exit 1
}

median () { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

if [ -z "${FINDER_CLI:-}" ]; then
  meson compile -C "$top/build" src/cli/fetchboard-cli:executable >/dev/null
fi

# Bounded busy loops (sh, no I/O) for a figure on a loaded machine.
for _ in $(seq "${BENCH_BUSY:-0}"); do
  timeout "$LIMIT" sh -c 'while :; do :; done' &
  PIDS+=($!)
done
BUSY_PIDS=("${PIDS[@]}")
log "load: $(uptime)"
query='/search?q=cat%20face'
SECTIONS=${BENCH_SECTIONS:-http tcp}

if [[ " $SECTIONS " == *" http "* ]]; then

# ---- servers
SERVE_PORT=$(free_port)
timeout "$LIMIT" "$CLI" serve --port "$SERVE_PORT" --backlog 4096 >"$SHM/serve.out" 2>&1 &
PIDS+=($!)
UVICORN_PORT=$(free_port)
(cd "$top/bench/helpers" && exec timeout "$LIMIT" $PY -m uvicorn web_mojifinder:app \
   --host 127.0.0.1 --port "$UVICORN_PORT" --log-level warning --no-access-log) \
  >"$SHM/uvicorn.out" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$SERVE_PORT$query"
wait_http "http://127.0.0.1:$UVICORN_PORT$query"
HTTP_NAMES="serve nginx uvicorn"
if [ -n "${BASELINE_CLI:-}" ]; then
  BASELINE_PORT=$(free_port)
  timeout "$LIMIT" "$BASELINE_CLI" serve --port "$BASELINE_PORT" --backlog 4096 \
    >"$SHM/baseline.out" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$BASELINE_PORT$query"
  HTTP_NAMES="serve baseline nginx uvicorn"
fi

mkdir -p "$SHM/www" "$SHM/nginx/logs" "$SHM/nginx/tmp"
curl -s "http://127.0.0.1:$SERVE_PORT$query" >"$SHM/www/search"
curl -s "http://127.0.0.1:$UVICORN_PORT$query" >"$SHM/uvicorn-answer"
if cmp -s "$SHM/www/search" "$SHM/uvicorn-answer"; then
  log "same answer from serve and uvicorn: $(wc -c <"$SHM/www/search") bytes"
else
  log "serve and uvicorn answer differently (Unicode versions?):"
  log "  serve:   $(head -c 200 "$SHM/www/search")"
  log "  uvicorn: $(head -c 200 "$SHM/uvicorn-answer")"
fi

NGINX_PORT=$(free_port)
user_line=
[ "$(id -u)" = 0 ] && user_line="user root root;"
cat >"$SHM/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $SHM/nginx/nginx.pid;
error_log $SHM/nginx/logs/error.log warn;
events { worker_connections 4096; use epoll; }
http {
  access_log off;
  server_tokens off;
  tcp_nodelay on;
  keepalive_requests 1000000;
  client_body_temp_path $SHM/nginx/tmp/body;
  proxy_temp_path $SHM/nginx/tmp/proxy;
  fastcgi_temp_path $SHM/nginx/tmp/fastcgi;
  uwsgi_temp_path $SHM/nginx/tmp/uwsgi;
  scgi_temp_path $SHM/nginx/tmp/scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    root $SHM/www;
  }
}
CONF
timeout "$LIMIT" nginx -p "$SHM/nginx" -c "$SHM/nginx/nginx.conf" -e "$SHM/nginx/logs/error.log" \
  >"$SHM/nginx/logs/stdout.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$NGINX_PORT$query"
cmp -s <(curl -s "http://127.0.0.1:$NGINX_PORT$query") "$SHM/www/search" \
  || { log "nginx does not serve the same bytes"; exit 1; }

# ---- HTTP rounds, taking turns
run_wrk () {
  local name=$1 port=$2 out
  out=$(wrk -t1 -c100 -d"${DURATION}s" "http://127.0.0.1:$port$query")
  if grep -q -E 'Non-2xx|Socket errors' <<<"$out"; then
    log "$name: $(grep -E 'Non-2xx|Socket errors' <<<"$out")"
  fi
  awk '/^Requests\/sec:/ {print $2}' <<<"$out" | tee -a "$SHM/$name.rps"
}

for round in $(seq "$ROUNDS"); do
  for name in $HTTP_NAMES; do
    case $name in
      serve) port=$SERVE_PORT ;;
      baseline) port=$BASELINE_PORT ;;
      nginx) port=$NGINX_PORT ;;
      uvicorn) port=$UVICORN_PORT ;;
    esac
    rps=$(run_wrk "$name" "$port")
    log "round $round $name: $rps req/s"
  done
done

serve_m=$(median <"$SHM/serve.rps")
nginx_m=$(median <"$SHM/nginx.rps")
uvicorn_m=$(median <"$SHM/uvicorn.rps")
printf 'HTTP %s, wrk -t1 -c100 -d%ss, medians of %s runs (req/s):\n' "$query" "$DURATION" "$ROUNDS"
printf '  serve   %10.0f  (runs: %s)\n' "$serve_m" "$(paste -sd' ' "$SHM/serve.rps")"
printf '  nginx   %10.0f  (runs: %s)\n' "$nginx_m" "$(paste -sd' ' "$SHM/nginx.rps")"
printf '  uvicorn %10.0f  (runs: %s)\n' "$uvicorn_m" "$(paste -sd' ' "$SHM/uvicorn.rps")"
if [ -s "$SHM/baseline.rps" ]; then
  baseline_m=$(median <"$SHM/baseline.rps")
  printf '  baseline %9.0f  (runs: %s)\n' "$baseline_m" "$(paste -sd' ' "$SHM/baseline.rps")"
  awk -v s="$serve_m" -v b="$baseline_m" 'BEGIN {printf "  serve / baseline = %.2fx\n", s / b}'
fi
awk -v s="$serve_m" -v n="$nginx_m" -v u="$uvicorn_m" \
  'BEGIN {printf "  serve / nginx = %.1f %%, serve / uvicorn = %.1fx\n", 100 * s / n, s / u}'
paste -d' ' "$SHM/serve.rps" "$SHM/nginx.rps" "$SHM/uvicorn.rps" \
  | awk '{printf "  round %d: serve / nginx = %.1f %%, serve / uvicorn = %.1fx\n", NR, 100 * $1 / $2, $1 / $3}'
printf '  load: %s\n' "$(uptime | sed 's/.*load average: //')"

for pid in "${PIDS[@]:${#BUSY_PIDS[@]}}"; do kill "$pid" 2>/dev/null || true; wait "$pid" || true; done
PIDS=("${BUSY_PIDS[@]}")
fi

[[ " $SECTIONS " == *" tcp "* ]] || exit 0

# ---- TCP: 1,000 clients at once
printf 'TCP: 1000 clients connected at once, 10 queries each (load: %s):\n' \
  "$(uptime | sed 's/.*load average: //')"
builds=(this)
[ -n "${BASELINE_CLI:-}" ] && builds=(baseline this)
for round in $(seq "$ROUNDS"); do
  for build in "${builds[@]}"; do
    cli=$CLI
    [ "$build" = baseline ] && cli=$BASELINE_CLI
    tcp_port=$(free_port)
    http_port=$(free_port)
    FETCHBOARD_STALL_LOG=1 timeout "$LIMIT" "$cli" serve --port "$http_port" \
      --tcp-port "$tcp_port" --backlog 4096 >"$SHM/tcp-serve.out" 2>"$SHM/tcp-serve.err" &
    pid=$!
    PIDS=("${BUSY_PIDS[@]}" "$pid")
    wait_http "http://127.0.0.1:$http_port/"
    status=0
    result=$($PY "$top/bench/helpers/tcp_clients.py" --port "$tcp_port" --clients 1000 \
               --queries 10 --cli "$CLI" --max-seconds 120) || status=$?
    kill -INT "$pid"; wait "$pid" || true
    PIDS=("${BUSY_PIDS[@]}")
    stall=$(sed -n 's/^longest main-loop stall: \(.*\) ms$/\1/p' "$SHM/tcp-serve.err")
    busy=$(sed -n 's/^longest main-loop turn on the CPU: \(.*\) ms$/\1/p' "$SHM/tcp-serve.err")
    printf '  round %s %-8s: %s, exit %s, longest main-loop stall %s ms (longest turn on the CPU: %s ms)\n' \
      "$round" "$build" "$result" "$status" "$stall" "${busy:-?}"
    echo "$stall" >>"$SHM/stall-$build"
    if [ -n "$busy" ]; then echo "$busy" >>"$SHM/busy-$build"; fi
  done
done
for build in "${builds[@]}"; do
  printf '  %-8s median longest stall: %s ms' "$build" "$(median <"$SHM/stall-$build")"
  if [ -s "$SHM/busy-$build" ]; then
    printf ' (longest turn on the CPU: %s ms)' "$(median <"$SHM/busy-$build")"
  fi
  printf '\n'
done
printf '  load after: %s\n' "$(uptime | sed 's/.*load average: //')"
