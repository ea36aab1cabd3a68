#!/usr/bin/env bash
# journal-ab.sh: what --journal costs each thread, two builds in turns.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   bench/journal-ab.sh BASE_CLI NEW_CLI
#
# The 10,000-file nginx run of bench/journal-overhead.sh (same catalog, -m 100,
# fresh folder and journal on /dev/shm), four ways: each build without and
# with --journal, in an order that rotates every round, each run sampled by
# `perf record` at 999 Hz. Prints the median CPU time of each build's main
# thread, journal writer (fb-journal) and saver pool without and with the
# journal: on a loaded machine these are steadier than wall time. BENCH_RUNS
# rounds (default 5).
set -euo pipefail

[ $# = 2 ] || { echo "usage: $0 BASE_CLI NEW_CLI" >&2; exit 2; }
base=$(readlink -f "$1")
new=$(readlink -f "$2")
runs=${BENCH_RUNS:-5}
cd "$(dirname "$(readlink -f "$0")")"
bench=$PWD
scratch=fbjournal-ab
. "$bench/helpers/catalog-nginx.sh"

# one_run LABEL CLI MODE: appends "LABEL-MODE COMM MS" per thread to $shm/threads
one_run () {
  local label=$1 cli=$2 mode=$3 out=$shm/out journal=() count
  rm -rf "$out" "$shm/journal.sqlite"*
  [ "$mode" = journal ] && journal=(--journal "$shm/journal.sqlite")
  timeout 300 perf record -q -F 999 -o "$shm/perf.data" -- \
    "$cli" download -q -m 100 -o "$out" "${journal[@]}" "@$shm/urls"
  count=$(find "$out" -type f | wc -l)
  [ "$count" = "$n" ] || { echo "$label $mode run left $count files" >&2; exit 1; }
  perf report -i "$shm/perf.data" --sort comm -q -F period,comm 2>/dev/null \
    | awk -v m="$label-$mode" -v p="$(basename "$cli")" 'NF == 2 && $2 != "perf" {
        c = $2; if (c == substr(p, 1, 15)) c = "main"; printf "%s %s %.1f\n", m, c, $1 / 1e6 }' \
    >> "$shm/threads"
}

one_run base "$base" journal
one_run new "$new" journal
: > "$shm/threads"
ways=("base $base plain" "base $base journal" "new $new plain" "new $new journal")
for ((r = 1; r <= runs; r++)); do
  for ((k = 0; k < 4; k++)); do
    read -r label cli mode <<< "${ways[(k + r) % 4]}"
    one_run "$label" "$cli" "$mode"
  done
  echo "round $r of $runs done (load $(cut -d' ' -f1-3 /proc/loadavg))"
done
python3 - "$shm/threads" <<'PY'
import collections, statistics, sys
ms = collections.defaultdict(list)
for line in open(sys.argv[1]):
    way, comm, value = line.split()
    ms[(way, comm)].append(float(value))
for label in ('base', 'new'):
    for comm in ('main', 'fb-journal', 'pool-fetchboard'):
        p = ms.get((label + '-plain', comm), [])
        j = ms.get((label + '-journal', comm), [])
        mp = statistics.median(p) if p else 0.0
        mj = statistics.median(j) if j else 0.0
        print('%-4s thread %-16s CPU, median of %d: without journal %6.1f ms, with --journal %6.1f ms (%+.1f ms)'
              % (label, comm, max(len(p), len(j)), mp, mj, mj - mp))
PY
