# catalog-nginx.sh — sourced by the journal benches: the 10,000-file catalog
# (made once in bench/work/catalog), a private nginx serving it on a free
# 127.0.0.1 port, and its URL list.
#
# Expects: bench (the bench folder) and scratch (a name for the tmpfs
# scratch folder); sets n, catalog, fbb (the fbbench.py command), shm (that
# folder, removed at exit), port and nginx_pid (nginx is stopped at exit),
# and writes $shm/urls.

n=10000
catalog=$bench/work/catalog
fbb=(python3 "$bench/helpers/fbbench.py")
shm=$(mktemp -d "/dev/shm/$scratch.XXXXXX")
nginx_pid=
cleanup () {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$shm"
}
trap cleanup EXIT

timeout 900 "${fbb[@]}" gen-catalog "$catalog" "$n" >/dev/null
port=$("${fbb[@]}" free-port)
mkdir -p "$shm/nginx/logs" "$shm/nginx/tmp"
user_line=
[ "$(id -u)" = 0 ] && user_line="user root root;"
cat >"$shm/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $shm/nginx/nginx.pid;
error_log $shm/nginx/logs/error.log warn;
events { worker_connections 8192; use epoll; }
http {
  access_log off; log_not_found off; sendfile on; tcp_nodelay on;
  keepalive_timeout 120s; keepalive_requests 1000000;
  client_body_temp_path $shm/nginx/tmp/body; proxy_temp_path $shm/nginx/tmp/proxy;
  fastcgi_temp_path $shm/nginx/tmp/fastcgi; uwsgi_temp_path $shm/nginx/tmp/uwsgi;
  scgi_temp_path $shm/nginx/tmp/scgi;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$port backlog=4096; root $catalog; }
}
CONF
timeout --kill-after=5 900 nginx -p "$shm/nginx" -c "$shm/nginx/nginx.conf" \
  -e "$shm/nginx/logs/error.log" >/dev/null 2>&1 &
nginx_pid=$!
"${fbb[@]}" wait-http "http://127.0.0.1:$port/flags/aa/aa.gif" 10
"${fbb[@]}" url-list "$catalog" "http://127.0.0.1:$port/flags" "$n" "$shm/urls"
