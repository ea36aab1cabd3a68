#!/bin/bash
# bench/https.sh: https (and, beside it, plain http) against curl and wget2.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   bench/https.sh [RUNS]        (default 5 timed runs per tool and case, after a warm-up)
#
# nginx on 127.0.0.1 with a certificate from a CA this script makes (every
# client is told to trust that CA alone: --cacert, --ca-certificate; the
# system's store is not touched), on three ports: TLS with HTTP/2 offered by
# ALPN, TLS with HTTP/1.1 only, and plain http. Files and downloads live on
# tmpfs (/dev/shm): this machine's disk is slow and noisy and would hide the
# clients' differences. Tools take turns; every saved file is compared with
# the served one. Prints a Markdown table: median wall time, median CPU time
# (user + system), median peak RSS, and the ratio to the faster peer.
#
# Environment: FETCHBOARD_CLI (default build/src/cli/fetchboard-cli, rebuilt
# first), BENCH_TOOLS (default "fetchboard-cli curl wget2"; add
# "fetchboard-base" with FETCHBOARD_BASE_CLI=PATH to time another build, say
# main's, in the same turns), BENCH_CASES (a subset of: big-h2 big-h1
# big-http eight-h2 small5-h2 small100-h2 small100-tls13 small5-http
# small100-http queue100k-h2; the last, 100,000 small files at -m 100, is
# the memory figure: its peak RSS is what counts).
#
# nginx 1.22 speaks TLS 1.2 unless told otherwise (1.23.4 and most servers
# today offer TLS 1.3): the *-tls13 case has a port of its own that offers
# TLS 1.3 (and HTTP/2), the other https cases keep TLS 1.2 so that their
# figures compare with earlier runs.

set -u -o pipefail
export LC_ALL=C.UTF-8

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$BENCH_DIR")
RUNS=${1:-5}
TOOLS=(${BENCH_TOOLS:-fetchboard-cli curl wget2})
CASES=(${BENCH_CASES:-big-h2 big-h1 big-http eight-h2 small5-h2 small100-h2 small100-tls13 small5-http small100-http})
SERVER_LIMIT=1800   # nginx stops by itself after this many seconds

log () { printf '[https %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ -z "${FETCHBOARD_CLI:-}" ]; then
  meson compile -C "$SRC_DIR/build" src/cli/fetchboard-cli:executable >/dev/null || { log "build failed"; exit 1; }
  FB_CLI=$SRC_DIR/build/src/cli/fetchboard-cli
else
  FB_CLI=$FETCHBOARD_CLI
fi
FB_BASE=${FETCHBOARD_BASE_CLI:-}
if [[ " ${TOOLS[*]} " == *" fetchboard-base "* ]] && [ ! -x "$FB_BASE" ]; then
  log "fetchboard-base needs FETCHBOARD_BASE_CLI=PATH"; exit 1
fi
for p in nginx openssl curl wget2 /usr/bin/time; do
  command -v "$p" >/dev/null || { log "missing: $p"; exit 1; }
done

SHM=$(mktemp -d /dev/shm/fbhttps.XXXXXX) || exit 1
NGINX_PID=
cleanup () {
  if [ -n "$NGINX_PID" ]; then
    kill -TERM "$NGINX_PID" 2>/dev/null
    wait "$NGINX_PID" 2>/dev/null
  fi
  rm -rf "$SHM"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- certificates: a CA of this run, and a server certificate for 127.0.0.1
sh "$SRC_DIR/tests/certs/make-certs.sh" "$SHM/certs" || { log "openssl failed"; exit 1; }
CA=$SHM/certs/ca.pem

# ---- files
WWW=$SHM/www
mkdir -p "$WWW/small" "$SHM/out"
log "making files in $WWW"
head -c $((512 * 1024 * 1024)) /dev/urandom >"$WWW/big.bin"
for i in $(seq 1 8); do head -c $((64 * 1024 * 1024)) /dev/urandom >"$WWW/part$i.bin"; done
python3 - "$WWW/small" <<'EOF'
import os, random, sys
random.seed(2026)
for i in range(1000):
    size = random.randint(1024, 20 * 1024)
    with open(os.path.join(sys.argv[1], f'f{i:04d}.gif'), 'wb') as f:
        f.write(random.randbytes(size))
EOF

# ---- nginx
H2=$(free_port); H1=$(free_port); PLAIN=$(free_port); TLS13=$(free_port)
user_line=
[ "$(id -u)" = 0 ] && user_line="user root root;"
mkdir -p "$SHM/nginx/logs" "$SHM/nginx/tmp"
cat >"$SHM/nginx/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
pid $SHM/nginx/nginx.pid;
error_log $SHM/nginx/logs/error.log warn;
events { worker_connections 8192; use epoll; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $SHM/nginx/tmp;
  proxy_temp_path $SHM/nginx/tmp;
  fastcgi_temp_path $SHM/nginx/tmp;
  uwsgi_temp_path $SHM/nginx/tmp;
  scgi_temp_path $SHM/nginx/tmp;
  ssl_certificate $SHM/certs/server.pem;
  ssl_certificate_key $SHM/certs/server-key.pem;
  ssl_session_cache shared:SSL:10m;
  root $WWW;
  # /q/NNNN/NAME: the small file fNNNN.gif under any name (the queue case).
  server { listen 127.0.0.1:$H2 ssl http2 backlog=4096; rewrite ^/q/([0-9]+)/ /small/f\$1.gif break; }
  server { listen 127.0.0.1:$H1 ssl backlog=4096; rewrite ^/q/([0-9]+)/ /small/f\$1.gif break; }
  server { listen 127.0.0.1:$TLS13 ssl http2 backlog=4096; ssl_protocols TLSv1.2 TLSv1.3; }
  server { listen 127.0.0.1:$PLAIN backlog=4096; rewrite ^/q/([0-9]+)/ /small/f\$1.gif break; }
}
EOF
timeout --kill-after=5 "$SERVER_LIMIT" nginx -p "$SHM/nginx" -c "$SHM/nginx/nginx.conf" \
  -e "$SHM/nginx/logs/error.log" &
NGINX_PID=$!
for _ in $(seq 50); do
  curl -sf --cacert "$CA" -o /dev/null "https://127.0.0.1:$H2/small/f0000.gif" && break
  sleep 0.1
done
proto=$(curl -s --cacert "$CA" -o /dev/null -w '%{http_version}' "https://127.0.0.1:$H2/small/f0000.gif")
log "nginx: https+h2 :$H2 (curl negotiates HTTP/$proto), https h1 :$H1, http :$PLAIN"

# ---- URL lists per case
case_urls () {
  local name=$1 base
  case "$name" in
    *-h2) base=https://127.0.0.1:$H2 ;;
    *-h1) base=https://127.0.0.1:$H1 ;;
    *-tls13) base=https://127.0.0.1:$TLS13 ;;
    *-http) base=http://127.0.0.1:$PLAIN ;;
  esac
  case "$name" in
    big-*) echo "$base/big.bin" ;;
    eight-*) for i in $(seq 1 8); do echo "$base/part$i.bin"; done ;;
    small*) for f in "$WWW"/small/*; do echo "$base/small/$(basename "$f")"; done ;;
    queue100k-*) python3 -c 'import sys
for i in range(100000): print(f"{sys.argv[1]}/q/{i % 1000:04d}/n{i:06d}.gif")' "$base" ;;
  esac
}
case_concurrency () {
  case "$1" in
    big-*) echo 1 ;;
    eight-*) echo 8 ;;
    small5-*) echo 5 ;;
    small100-*|queue100k-*) echo 100 ;;
  esac
}

tool_cmd () {
  local tool=$1 c=$2 urls=$3 dest=$4
  case "$tool" in
    fetchboard-cli)
      CMD=("$FB_CLI" download -q -m "$c" -o "$dest" --timeout 30 --cacert "$CA" "@$urls") ;;
    fetchboard-base)
      CMD=("$FB_BASE" download -q -m "$c" -o "$dest" --timeout 30 --cacert "$CA" "@$urls") ;;
    curl)
      sed 's/.*/url = "&"/' "$urls" >"$urls.curl"
      CMD=(curl -q --cacert "$CA" --parallel --parallel-max "$c" --parallel-immediate
           --remote-name-all --output-dir "$dest" --no-progress-meter --fail
           --max-time 60 --config "$urls.curl") ;;
    wget2)
      CMD=(wget2 --no-config --ca-certificate="$CA" --max-threads="$c" --input-file="$urls"
           --directory-prefix="$dest" --no-directories --no-host-directories
           --quiet --progress=none --no-xattr --no-hsts --no-hpkp --no-robots
           --no-netrc --no-cookies --tries=1 --timeout=60) ;;
  esac
}

check_dest () {
  local urls=$1 dest=$2 url name
  case "$urls" in
    *queue100k*)
      # Each file is one of the 1,000 small ones: compare a sample, count all.
      [ "$(ls "$dest" | wc -l)" = 100000 ] || { echo "not 100,000 files in $dest"; return 1; }
      for i in 0 1 999 54321 99999; do
        name=$(printf 'n%06d.gif' "$i")
        cmp -s "$WWW/small/$(printf 'f%04d.gif' $((i % 1000)))" "$dest/$name" \
          || { echo "$name differs"; return 1; }
      done
      return 0 ;;
  esac
  while read -r url; do
    name=${url##*/}
    case "$url" in */small/*) src=$WWW/small/$name ;; *) src=$WWW/$name ;; esac
    cmp -s "$src" "$dest/$name" || { echo "$name differs or is missing"; return 1; }
  done <"$urls"
  [ "$(ls "$dest" | wc -l)" = "$(wc -l <"$urls")" ] || { echo "extra files in $dest"; return 1; }
}

median () { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

printf '| case | tool | wall s (median) | CPU s | peak RSS MiB | wall ratio to faster peer |\n'
printf '|---|---|---|---|---|---|\n'
for name in "${CASES[@]}"; do
  urls=$SHM/urls-$name
  case_urls "$name" >"$urls"
  c=$(case_concurrency "$name")
  declare -A walls=() cpus=() rss=() failed=()
  n=${#TOOLS[@]}
  for rep in $(seq 0 "$RUNS"); do
    for i in $(seq 0 $((n - 1))); do
      tool=${TOOLS[$(( (i + rep) % n ))]}
      dest=$SHM/out/$tool
      rm -rf "$dest"; mkdir -p "$dest"
      tool_cmd "$tool" "$c" "$urls" "$dest"
      if ! /usr/bin/time -f '%e %U %S %M' -o "$SHM/time" timeout 120 "${CMD[@]}" \
             >"$SHM/stdout" 2>"$SHM/stderr"; then
        failed[$tool]="exit: $(tail -c 200 "$SHM/stderr" | tr '\n' ' ')"
      elif ! why=$(check_dest "$urls" "$dest"); then
        failed[$tool]=$why
      elif [ "$rep" != 0 ]; then
        read -r e u s m <"$SHM/time"
        walls[$tool]+="$e "
        cpus[$tool]+="$(echo "$u + $s" | bc) "
        rss[$tool]+="$(echo "scale=1; $m / 1024" | bc) "
      fi
      rm -rf "$dest"
    done
  done
  best_peer=
  for tool in "${TOOLS[@]}"; do
    case "$tool" in fetchboard-*) continue ;; esac
    [ -n "${failed[$tool]:-}" ] && continue
    m=$(tr ' ' '\n' <<<"${walls[$tool]}" | grep . | median)
    if [ -z "$best_peer" ] || [ "$(echo "$m < $best_peer" | bc)" = 1 ]; then best_peer=$m; fi
  done
  for tool in "${TOOLS[@]}"; do
    if [ -n "${failed[$tool]:-}" ]; then
      printf '| %s | %s | FAILED: %s | | | |\n' "$name" "$tool" "${failed[$tool]}"
      continue
    fi
    w=$(tr ' ' '\n' <<<"${walls[$tool]}" | grep . | median)
    cp=$(tr ' ' '\n' <<<"${cpus[$tool]}" | grep . | median)
    r=$(tr ' ' '\n' <<<"${rss[$tool]}" | grep . | median)
    ratio=
    [ -n "$best_peer" ] && ratio=$(echo "scale=2; $w / $best_peer" | bc)
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$tool" "$w" "$cp" "$r" "$ratio"
  done
  unset walls cpus rss failed
done
errors=$(grep -c -E '\[(crit|alert|emerg)\]' "$SHM/nginx/logs/error.log" || true)
[ "$errors" = 0 ] || log "nginx logged $errors serious errors: the figures are not valid"
