#!/usr/bin/env bash
# Figure (6) of the benchmark issue and point 9 of the window issue: the window's
# longest main-loop stall during a 10,000-job run at concurrency 1000 against the
# embedded demo server (`fetchboard --demo`), measured by FETCHBOARD_STALL_LOG=1 from
# the window's first frame to the run's end. Each renderer runs RUNS times under Xvfb
# (1280x800); the runs take turns, and the medians and worst cases are printed.
#
#   bench/window-stall.sh [BUILD_DIR] [RUNS]     (default build/, 5)
#   STALL_RENDERERS="default cairo gl" bench/window-stall.sh
#   STALL_VIEW="sort=state filter=active" bench/window-stall.sh   (a sorted, filtered view;
#                                          also "waterfall", "hosts" (F7), "details")
#   STALL_VIEW="sort=state filter=active switch" bench/window-stall.sh   (…and every 0.7 s
#                                          during the run the filter or the sort switches, one
#                                          at a time; the switches' own times are printed too:
#                                          the main loop's time in the switch, wall and CPU,
#                                          and the wall time until the next frame was drawn)
#   STALL_LOG_MODE=verbose STALL_LOG_COPY=FILE bench/window-stall.sh   (every stall over a
#                                          frame, with its monotonic time, appended to FILE:
#                                          line them up with `perf record -k CLOCK_MONOTONIC`)
#   STALL_LOG_MODE=sizes …                 (the same, and after each frame the outermost
#                                          widgets it gave a new size; costs ~0.5 ms a frame)
#   STALL_HTTPS=1 bench/window-stall.sh   (the same 10,000 URLs over https, from nginx with
#                                          a certificate of a CA made for the run, which the
#                                          window trusts alone through SSL_CERT_FILE)
#   STALL_JOURNAL=both bench/window-stall.sh   (each renderer with the journal on and off,
#                                          in turns; "on", the default, records the run
#                                          as the window always does; "off" gives the
#                                          window a state folder where the journal cannot
#                                          be made, so the run goes unrecorded)
#
# Each line ends with the built-in demo server thread's CPU time over the run
# (fb-demo-server, read from /proc before the window stops; it shares the two
# cores with the window and Xvfb).
#
# Beside each stall (wall time), the busiest gap in CPU time of the main thread: the
# part of a stall that is the window's own work, which other processes on a busy
# machine do not inflate; compare builds by it when the load average is high.
#
# "default" leaves GSK_RENDERER unset: Fetchboard then picks cairo when OpenGL is
# software-rendered (src/gui/fb-renderer.c), as it is under Xvfb. "gl" forces GTK's
# OpenGL renderer (llvmpipe here). Loopback only: the demo server listens on a free
# 127.0.0.1 port; every run is bounded by `timeout`.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$top/build}
runs=${2:-5}
renderers=${STALL_RENDERERS:-default cairo gl}
case ${STALL_JOURNAL:-on} in
  on) journals=on ;;
  off) journals=off ;;
  both) journals="on off" ;;
  *) echo "STALL_JOURNAL is on, off or both" >&2; exit 2 ;;
esac
app=$build/src/gui/fetchboard
py=/usr/bin/python3
work=$(mktemp -d /dev/shm/fb-window-stall.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$app" ] || { echo "no $app: build first (ninja -C $build)" >&2; exit 1; }
port=$("$py" "$top/bench/helpers/fbbench.py" free-port)

# 10,000 URLs: every two-letter code, most not in the catalog (404), so the run shows
# every state; the query makes each URL distinct.
scheme=http
url_port=$port
if [ "${STALL_HTTPS:-0}" = 1 ]; then
  # nginx with TLS serves a small GIF for every two-letter code (all found).
  scheme=https
  url_port=$("$py" "$top/bench/helpers/fbbench.py" free-port)
  sh "$top/tests/certs/make-certs.sh" "$work/certs"
  mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
  "$py" - "$work/www" <<'PY'
import itertools, os, string, sys
for a, b in itertools.product(string.ascii_lowercase, repeat=2):
    os.makedirs(os.path.join(sys.argv[1], "flags", a + b), exist_ok=True)
    with open(os.path.join(sys.argv[1], "flags", a + b, a + b + ".gif"), "wb") as f:
        f.write(b"GIF89a" + os.urandom(2000))
PY
  user_line=
  [ "$(id -u)" = 0 ] && user_line="user root root;"
  cat > "$work/nginx/nginx.conf" <<NGINX
$user_line
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/tmp; proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp; uwsgi_temp_path $work/nginx/tmp; scgi_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$url_port ssl backlog=4096;
    ssl_certificate $work/certs/server.pem;
    ssl_certificate_key $work/certs/server-key.pem;
    ssl_session_cache shared:SSL:10m;
    root $work/www;
  }
}
NGINX
  timeout 3600 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  trap 'kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT
  export SSL_CERT_FILE="$work/certs/ca.pem"
  sleep 1
fi

"$py" - "$scheme" "$url_port" > "$work/urls.txt" <<'PY'
import itertools, string, sys
scheme, port = sys.argv[1], sys.argv[2]
codes = [a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2)]
for i in range(10000):
    cc = codes[i % len(codes)]
    print(f"{scheme}://127.0.0.1:{port}/flags/{cc}/{cc}.gif?n={i}")
PY

mkdir -p "$work/config/glib-2.0/settings"
cat > "$work/config/glib-2.0/settings/keyfile" <<CONF
[io/github/fetchboard/Fetchboard]
concurrent-jobs=uint32 1000
start-after-drop=true
destination='$work/dest'
CONF

run_one () {   # renderer journal -> prints "worst_ms n_over_frame busiest_gap_ms"
  local renderer=$1 journal=$2 line
  rm -rf "$work/dest" && mkdir -p "$work/dest" && : > "$work/log.txt"
  line=$( (
    if [ "$renderer" = default ]; then unset GSK_RENDERER; else export GSK_RENDERER=$renderer; fi
    # The journal too is the run's own (on: the figure includes it). Off: a
    # file stands where its folder would be made, so it cannot open and the
    # window runs unrecorded, as when the disk refuses it.
    rm -rf "$work/state"
    if [ "$journal" = off ]; then mkdir -p "$work/state" && : > "$work/state/fetchboard"; fi
    export FETCHBOARD_BENCH_VIEW="${STALL_VIEW:-}"
    export FETCHBOARD_STALL_LOG=${STALL_LOG_MODE:-1} XDG_CONFIG_HOME="$work/config" GSETTINGS_BACKEND=keyfile \
           GSETTINGS_SCHEMA_DIR="$build/data" XDG_STATE_HOME="$work/state"
    # The window stays open after its run: stop it (by its pid) once the figure
    # is out. Its output comes through a fifo read with shell builtins only: a
    # loop of grep and sleep would start processes on the same two cores every
    # tenth of a second, in the middle of what it measures.
    rm -f "$work/log.fifo" && mkfifo "$work/log.fifo"
    xvfb-run -a -s '-screen 0 1280x800x24' sh -c '
      timeout 60 "$1" --demo --demo-port "$2" "$3" > "$5" 2>&1 & pid=$!
      while IFS= read -r line; do
        printf "%s\n" "$line" >> "$4"
        case $line in *"at run end"*) break ;; esac
      done < "$5"
      # The built-in demo server thread'"'"'s CPU time (user + system) from
      # its start to the run'"'"'s end, read before the window is stopped.
      for app_pid in $(cat /proc/$pid/task/$pid/children 2>/dev/null); do
        for task in /proc/$app_pid/task/*; do
          [ "$(cat $task/comm 2>/dev/null)" = fb-demo-server ] || continue
          read -r stat < $task/stat
          echo "demo server thread CPU: $(echo "${stat##*) }" | awk -v hz="$(getconf CLK_TCK)" \
                 '"'"'{ printf "%d", ($12 + $13) * 1000 / hz }'"'"') ms" >> "$4"
        done
      done
      kill $pid 2>/dev/null; wait $pid 2>/dev/null' \
      sh "$app" "$port" "$work/urls.txt" "$work/log.txt" "$work/log.fifo" || true
    cat "$work/log.txt"
    [ -z "${STALL_LOG_COPY:-}" ] || cat "$work/log.txt" >> "$STALL_LOG_COPY"
    grep 'view switch' "$work/log.txt" >> "$work/$renderer.switch.txt" || true
  ) | grep -E 'longest main-loop stall at run end|demo server thread CPU' | tr '\n' ' ' || true)
  [ -n "$line" ] || { echo "run with $renderer did not finish" >&2; return 1; }
  demo_ms=$(echo "$line" | sed -n -E 's/.*demo server thread CPU: ([0-9]+) ms.*/\1/p')
  # worst stall, stalls over a frame, busiest CPU gap, then (from builds that
  # print it) the main thread's CPU time over the run, in ms
  # and the demo server thread's CPU time (ms; -1 when not found)
  line=$(echo "$line" | sed -E -e 's/demo server thread CPU: [0-9]+ ms//' \
           -e 's/.*stall at run end: ([0-9.]+) ms \(([0-9]+) over[^;]*; busiest gap ([0-9.]+) ms of CPU(; main thread ([0-9.]+) ms)?.*/\1 \2 \3 \5/')
  set -- $line
  echo "$1 $2 $3 ${4:--1} ${demo_ms:--1}"
}

for r in $renderers; do : > "$work/$r.switch.txt"; for j in $journals; do : > "$work/$r-$j.txt"; done; done
for ((i = 0; i < runs; i++)); do
  for r in $renderers; do
    # The order flips each round when both journal settings run.
    order=$journals
    [ $((i % 2)) = 1 ] && [ "$journals" = "on off" ] && order="off on"
    for j in $order; do
      run_one "$r" "$j" >> "$work/$r-$j.txt"
    done
  done
done

echo "window stall, $runs runs per renderer, 10,000 $scheme jobs at concurrency 1000 (ms; runs over one 60 Hz frame)"
for r in $renderers; do for j in $journals; do
  label=$r
  [ "$journals" = on ] || label="$r, journal $j"
  "$py" - "$label" "$work/$r-$j.txt" <<'PY'
import statistics, sys
name, path = sys.argv[1], sys.argv[2]
rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
worst = sorted(r[0] for r in rows)
over = [int(r[1]) for r in rows]
cpu = sorted(r[2] for r in rows)
main = sorted(r[3] for r in rows if len(r) > 3 and r[3] >= 0)
demo = sorted(r[4] for r in rows if len(r) > 4 and r[4] >= 0)
print(f"{name:8} median {statistics.median(worst):6.1f}  min {worst[0]:6.1f}  max {worst[-1]:6.1f}"
      f"  stalls over 16.7 ms per run: median {statistics.median(over):g}  all: {' '.join(f'{w:.1f}' for w in worst)}"
      f"  | busiest gap on the CPU: median {statistics.median(cpu):.1f}  all: {' '.join(f'{c:.1f}' for c in cpu)}"
      + (f"  | main thread CPU over the run: median {statistics.median(main):.0f} ms" if main else "")
      + (f"  | demo server thread CPU: median {statistics.median(demo):.0f} ms  all: {' '.join(f'{d:.0f}' for d in demo)}" if demo else ""))
PY
done; done

# The view switches (STALL_VIEW with "switch"), over all runs of a renderer.
for r in $renderers; do
  [ -s "$work/$r.switch.txt" ] || continue
  "$py" - "$r" "$work/$r.switch.txt" <<'PY'
import re, statistics, sys
name, path = sys.argv[1], sys.argv[2]
calls, cpus, frames, kinds = [], [], [], {}
for line in open(path):
    m = re.search(r'view switch \d+ to (\S+), (\d+) rows: ([0-9.]+) ms in the call \(([0-9.]+) ms of CPU\)', line)
    if m:
        calls.append(float(m.group(3))); cpus.append(float(m.group(4)))
        kinds.setdefault(m.group(1), []).append(float(m.group(4)))
        continue
    m = re.search(r'view switch \d+: ([0-9.]+) ms to the next frame', line)
    if m:
        frames.append(float(m.group(1)))
def line(values):
    values = sorted(values)
    return f"median {statistics.median(values):6.1f}  max {values[-1]:6.1f}" if values else "none"
print(f"{name:8} view switches: {len(calls)}; in the call: {line(calls)}  | its CPU: {line(cpus)}"
      f"  | to the next frame: {line(frames)}")
for kind, values in sorted(kinds.items()):
    print(f"{'':8}   {kind:16} CPU in the call: {line(values)}  ({len(values)} switches)")
PY
done
