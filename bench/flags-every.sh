#!/usr/bin/env bash
# The engine issue's second figure: `fetchboard-cli flags -e -m 100 -s URL` against a
# local server holding 194 codes (676 requests, 482 of them answered 404) must end with
# exactly 194 ok and 482 not found, every saved file byte-identical to the server's.
#
#   bench/flags-every.sh [BUILD_DIR]     (default build/)
#
# Loopback only: a private nginx on a free 127.0.0.1 port, stopped by its pid file.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$top/build}
cli=${FETCHBOARD_CLI:-$build/src/cli/fetchboard-cli}
py=/usr/bin/python3
work=$(mktemp -d /dev/shm/fb-flags-every.XXXXXX)
chmod 755 "$work"   # nginx's workers run as nobody
trap 'nginx -p "$work/ngx" -c "$work/ngx/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT

"$py" "$top/bench/helpers/fbbench.py" gen-catalog "$work/www" 194 >/dev/null
port=$("$py" "$top/bench/helpers/fbbench.py" free-port)
mkdir -p "$work/ngx/logs" "$work/ngx/tmp"
cat > "$work/ngx/nginx.conf" <<CONF
worker_processes 1;
pid $work/ngx/nginx.pid;
error_log $work/ngx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nodelay on; keepalive_requests 1000000;
  client_body_temp_path $work/ngx/tmp; proxy_temp_path $work/ngx/tmp;
  fastcgi_temp_path $work/ngx/tmp; uwsgi_temp_path $work/ngx/tmp; scgi_temp_path $work/ngx/tmp;
  server { listen 127.0.0.1:$port backlog=4096; root $work/www; }
}
CONF
nginx -p "$work/ngx" -c "$work/ngx/nginx.conf"
"$py" "$top/bench/helpers/fbbench.py" wait-http "http://127.0.0.1:$port/" >/dev/null 2>&1 || sleep 0.5

set +e
timeout 120 "$cli" flags -e -m 100 -s "http://127.0.0.1:$port/flags" -o "$work/out" \
  > "$work/stdout.txt" 2> "$work/stderr.txt"
status=$?
set -e
cat "$work/stdout.txt"
head -n 5 "$work/stderr.txt"

ok=$(grep -Eo '^ *[0-9]+ flags? downloaded' "$work/stdout.txt" | grep -Eo '[0-9]+')
nf=$(grep -Eo '^ *[0-9]+ not found' "$work/stdout.txt" | grep -Eo '[0-9]+' || echo 0)
saved=$(find "$work/out" -type f | wc -l)
parts=$(find "$work/out" -name '*.part' | wc -l)
mismatch=0
for f in $(find "$work/out" -name '*.gif'); do
  cc=$(basename "$f" .gif | tr 'A-Z' 'a-z')
  cmp -s "$f" "$work/www/flags/$cc/$cc.gif" || { echo "differs: $f"; mismatch=$((mismatch + 1)); }
done
echo "exit $status; ok $ok, not found $nf, files $saved, .part $parts, byte mismatches $mismatch"
[ "$status" -eq 0 ] && [ "$ok" -eq 194 ] && [ "$nf" -eq 482 ] && [ "$saved" -eq 194 ] \
  && [ "$parts" -eq 0 ] && [ "$mismatch" -eq 0 ]
