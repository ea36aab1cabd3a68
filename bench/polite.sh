#!/usr/bin/env bash
# The "polite and persistent" figures (issue #14), loopback only:
#
#   bench/polite.sh queue [RUNS]   flags -a -m 100 against a ThreadingHTTPServer with a
#                                  listen queue of 5 and one of 1024, 0.5 s per answer,
#                                  RUNS (default 10) runs each, taking turns; every flag
#                                  saved and byte-identical, 0 errors, exit 0.
#   bench/polite.sh retry [RUNS]   1,000 files from a server (queue of 5, 0.05 s per answer) that answers the first request
#                                  for 30 % of them 503, --retries 5 -m 100; every file
#                                  byte-identical, and the server's peak of requests in
#                                  flight at most 100.
#   bench/polite.sh dns [RUNS]     probe -m 100 of 10,000 names (half of them exist) against
#                                  dnsmasq in a private network namespace, RUNS (default 30)
#                                  runs; 0 errors, every answer right. Needs root. In turns
#                                  with it: raw getaddrinfo from 100 threads (bench-getaddrinfo,
#                                  the floor), the same keeping each thread's socket to the
#                                  name server (-s, RES_STAYOPEN, as the prober's threads do:
#                                  "raw-keep"), and PEER_CLI (another build) when set; each
#                                  run's CPU time and voluntary context switches too; then
#                                  the sockets the prober's threads hold once idle
#                                  (bench-prober-idle: 0 after a second).
#
# FETCHBOARD_CLI overrides the program (default build/src/cli/fetchboard-cli); scratch
# files go to one mktemp -d under /dev/shm, removed at exit with the servers this script
# started (by PID).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${FETCHBOARD_CLI:-$top/build/src/cli/fetchboard-cli}
py=/usr/bin/python3
helper=$top/bench/helpers/polite_server.py
fbbench=$top/bench/helpers/fbbench.py
work=$(mktemp -d /dev/shm/fb-polite.XXXXXX)
pids=()
netns_made=0

cleanup () {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  if [ "$netns_made" = 1 ]; then
    ip netns del fbpolite 2>/dev/null
    rm -f /etc/netns/fbpolite/resolv.conf
    rmdir /etc/netns/fbpolite 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

median () {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# serve NAME ARGS...: starts polite_server.py on a free port, sets $port.
serve () {
  local name=$1
  shift
  port=$("$py" "$fbbench" free-port)
  "$py" "$helper" serve --port "$port" --stats "$work/$name.stats" --max-seconds 1800 "$@" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$!"
  "$py" "$fbbench" wait-http "http://127.0.0.1:$port/" >/dev/null 2>&1 || sleep 0.5
}

# run_flags LABEL URL: one flags -a -m 100 run; prints "LABEL wall saved errors exit check".
run_flags () {
  local label=$1 url=$2 out=$work/out-$1 t0 t1 rc saved errors check
  rm -rf "$out"
  t0=$(date +%s%N)
  timeout 120 "$cli" flags -a -m 100 -s "$url" -o "$out" >"$work/stdout" 2>"$work/stderr"
  rc=$?
  t1=$(date +%s%N)
  saved=$(grep -Eo '^ *[0-9]+ flags? downloaded' "$work/stdout" | grep -Eo '[0-9]+')
  errors=$(grep -Eo '^ *[0-9]+ errors?\.' "$work/stdout" | grep -Eo '[0-9]+')
  check=$("$py" "$helper" check "$out" 2>>"$work/check.err" | awk '{print $3}')
  echo "$label $(( (t1 - t0) / 1000000 )) ${saved:-0} ${errors:-0} $rc ${check:-?}"
}

queue () {
  local runs=${1:-10} i
  serve short --backlog 5 --delay 0.5
  local short_url="http://127.0.0.1:$port/flags"
  serve long --backlog 1024 --delay 0.5
  local long_url="http://127.0.0.1:$port/flags"
  echo "# label wall_ms saved errors exit bad_files"
  for i in $(seq "$runs"); do
    if [ $((i % 2)) = 1 ]; then
      run_flags queue5 "$short_url"; run_flags queue1024 "$long_url"
    else
      run_flags queue1024 "$long_url"; run_flags queue5 "$short_url"
    fi
  done | tee "$work/queue.txt"
  local m5 m1024 good
  m5=$(awk '$1 == "queue5" {print $2}' "$work/queue.txt" | median)
  m1024=$(awk '$1 == "queue1024" {print $2}' "$work/queue.txt" | median)
  # Every flag: as many as the long queue gave (`flags -a` asks for the book's 194
  # codes), and that run must have had them all too.
  local all
  all=$(awk '$1 == "queue1024" && $4 == 0 && $5 == 0 {print $3}' "$work/queue.txt" | sort -g | tail -1)
  good=$(awk -v all="${all:-0}" '$1 == "queue5" && $3 == all && all > 0 && $4 == 0 && $5 == 0 && $6 == 0' "$work/queue.txt" | wc -l)
  echo "queue of 5: $good of $runs runs with every flag (${all:-0}), 0 errors, exit 0, byte-identical;" \
       "median wall ${m5} ms against ${m1024} ms with a queue of 1024" \
       "(ratio $(awk -v a="$m5" -v b="$m1024" 'BEGIN { printf "%.2f", a / b }'))"
}

retry () {
  local runs=${1:-3} i rc t0 t1 check
  for i in $(seq "$runs"); do
    serve flaky --fail-rate 0.3 --delay 0.05
    "$py" "$helper" urls "http://127.0.0.1:$port/f" 1000 >"$work/urls.txt"
    rm -rf "$work/out-retry"
    t0=$(date +%s%N)
    timeout 300 "$cli" download -m 100 --retries 5 -o "$work/out-retry" "@$work/urls.txt" \
      >"$work/stdout" 2>"$work/stderr"
    rc=$?
    t1=$(date +%s%N)
    check=$("$py" "$helper" check "$work/out-retry" 2>>"$work/check.err")
    kill "$flaky_pid"; wait "$flaky_pid" 2>/dev/null
    echo "retry run $i: exit $rc, $(( (t1 - t0) / 1000000 )) ms, $(tail -2 "$work/stdout" | head -1 | xargs)," \
         "check: $check, server: $(cat "$work/flaky.stats")"
  done
}

dns () {
  local runs=${1:-30} i rc t0 t1 rcvbuf=$top/build/bench/bench-rcvbuf-preload.so
  [ "$(id -u)" = 0 ] || { echo "dns: needs root (ip netns)"; return 1; }
  local gai=$top/build/bench/bench-getaddrinfo
  ninja -C "$top/build" bench/bench-rcvbuf-preload.so bench/bench-getaddrinfo \
    bench/bench-prober-idle >/dev/null || return 1
  "$py" "$fbbench" gen-names "$work/names" 10000 >/dev/null
  mkdir -p /etc/netns/fbpolite
  printf 'nameserver 127.0.0.1\n' >/etc/netns/fbpolite/resolv.conf
  ip netns add fbpolite || return 1
  netns_made=1
  ip netns exec fbpolite ip link set lo up
  # glibc's AI_ADDRCONFIG ignores 127.0.0.1 alone (see bench/run.sh).
  ip netns exec fbpolite ip addr add 127.0.0.2/8 dev lo
  # As bench/run.sh: dnsmasq with a 4 MiB receive buffer, answering from a hosts file
  # (and an empty configuration of our own: /dev/null is not always a device).
  : >"$work/dnsmasq.conf"
  ip netns exec fbpolite timeout 1800 env LD_PRELOAD="$rcvbuf" dnsmasq --keep-in-foreground \
    --conf-file="$work/dnsmasq.conf" --no-resolv --no-hosts --no-poll --addn-hosts="$work/names/hosts" \
    --local=/fbbench.test/ --listen-address=127.0.0.1 --bind-interfaces --port=53 \
    --user=root --group=root --pid-file="$work/dnsmasq.pid" --cache-size=10000 \
    >"$work/dnsmasq.out" 2>&1 &
  pids+=($!)
  for i in $(seq 50); do
    ip netns exec fbpolite getent ahostsv4 "$(awk '{print $2; exit}' "$work/names/hosts")" \
      >/dev/null 2>&1 && break
    sleep 0.1
  done
  # PEER_CLI: another build of fetchboard-cli, run in turns with this one.
  local label program
  # One warm-up round (page cache, dnsmasq's cache), not counted.
  for program in "$cli" ${PEER_CLI:+"$PEER_CLI"}; do
    ip netns exec fbpolite timeout 120 "$program" probe --json -m 100 "@$work/names/names.txt" \
      >/dev/null 2>&1
  done
  ip netns exec fbpolite timeout 120 "$gai" -t 100 "$work/names/names.txt" >/dev/null 2>&1
  # CPU time (user + system, all threads) and voluntary context switches of each
  # run, from /usr/bin/time: they hold better than the wall time when other
  # programs load the machine.
  echo "# program run wall_ms names_per_s exit cpu_ms voluntary_switches check"
  for i in $(seq "$runs"); do
    for label in this ${PEER_CLI:+peer} raw raw-keep; do
      program=$cli
      [ "$label" = peer ] && program=$PEER_CLI
      : >"$work/rusage"
      t0=$(date +%s%N)
      if [ "$label" = raw ] || [ "$label" = raw-keep ]; then
        ip netns exec fbpolite timeout 120 /usr/bin/time -o "$work/rusage" -f '%U %S %w' \
          "$gai" $([ "$label" = raw-keep ] && echo -s) -t 100 "$work/names/names.txt" \
          >"$work/probe.json" 2>"$work/probe.err"
      else
        ip netns exec fbpolite timeout 120 /usr/bin/time -o "$work/rusage" -f '%U %S %w' \
          "$program" probe --json -m 100 "@$work/names/names.txt" \
          >"$work/probe.json" 2>"$work/probe.err"
      fi
      rc=$?
      t1=$(date +%s%N)
      if "$py" "$fbbench" "$(case $label in raw*) echo check-gai ;; *) echo check-probe ;; esac)" \
           "$work/probe.json" "$work/names/expected.tsv" \
           >"$work/check.txt" 2>&1; then check=ok; else check="FAILED: $(tail -1 "$work/check.txt")"; fi
      echo "$label $i $(( (t1 - t0) / 1000000 )) $(( 10000 * 1000000000 / (t1 - t0) )) $rc" \
           "$(awk '{printf "%d %d", ($1 + $2) * 1000, $3} END {if (NR == 0) printf "- -"}' "$work/rusage")" "$check"
    done
  done | tee "$work/dns.txt"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  # The prober's threads keep their socket to the name server while busy and
  # close it after a second idle: the last count must be 0.
  echo "dns (prober, idle): $(ip netns exec fbpolite timeout 60 \
    "$top/build/bench/bench-prober-idle" "$work/names/names.txt" 50)"
  for label in this ${PEER_CLI:+peer} raw raw-keep; do
    echo "dns ($label): $(awk -v l="$label" '$1 == l && $8 == "ok" && $5 == 0' "$work/dns.txt" | wc -l) of $runs runs clean;" \
         "median $(awk -v l="$label" '$1 == l {print $4}' "$work/dns.txt" | median) names/s," \
         "slowest run $(awk -v l="$label" '$1 == l {print $4}' "$work/dns.txt" | sort -g | head -1) names/s;" \
         "median CPU $(awk -v l="$label" '$1 == l {print $6}' "$work/dns.txt" | median) ms," \
         "$(awk -v l="$label" '$1 == l {print $7}' "$work/dns.txt" | median) voluntary context switches"
  done
  # Wall time against the raw threads', run by run, then the median of those ratios.
  for label in this ${PEER_CLI:+peer}; do
    for floor in raw raw-keep; do
      echo "dns ($label): median time ratio to $floor getaddrinfo threads, run by run:" \
           "$(awk -v l="$label" -v f="$floor" '$1 == l {t[$2] = $3} $1 == f {r[$2] = $3}
                  END {for (i in t) if (r[i] > 0) print t[i] / r[i]}' "$work/dns.txt" | median)"
    done
  done
}

case "${1:-}" in
  queue) queue "${2:-10}" ;;
  retry) retry "${2:-3}" ;;
  dns) dns "${2:-30}" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
