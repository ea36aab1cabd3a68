#!/usr/bin/env bash
# journal-overhead.sh: what --journal costs on the 10,000-file nginx run.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   bench/journal-overhead.sh [CLI]      (default build/src/cli/fetchboard-cli)
#
# The same binary downloads the same 10,000 files (bench/README.md's catalog,
# about 5 KiB each) from a private nginx on 127.0.0.1 at -m 100, into a fresh
# folder on /dev/shm, without and with --journal (a fresh journal each time,
# also on /dev/shm), taking turns (the order flips each round) after one
# warm-up of each. Every run must exit 0 and leave exactly 10,000 files.
# Prints each wall and CPU (user + system) time and their medians. BENCH_RUNS
# rounds (default 7).
#
# BENCH_THREADS=1: each run is also sampled by `perf record` (1999 Hz, no call
# graphs) and the CPU time of its threads is printed with their medians: the
# main thread (the run's bottleneck), the journal's writer (fb-journal) and
# the saver's pool. Steadier than wall time on a loaded machine; the wall
# times then include perf's own cost, so compare the thread figures.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
bench=$PWD
cli=$(readlink -f "${1:-../build/src/cli/fetchboard-cli}")
runs=${BENCH_RUNS:-7}
scratch=fbjournal-bench
. "$bench/helpers/catalog-nginx.sh"

threads=${BENCH_THREADS:-0}
perf=()
[ "$threads" = 1 ] && perf=(perf record -q -F 1999 -o "$shm/perf.data" --)
: > "$shm/threads"

# one_run MODE: prints "WALL CPU" in seconds (CPU: user + system, all threads)
one_run () {
  local mode=$1 out=$shm/out journal=() count
  rm -rf "$out" "$shm/journal.sqlite"*
  [ "$mode" = journal ] && journal=(--journal "$shm/journal.sqlite")
  /usr/bin/time -o "$shm/time" -f "%e %U %S" \
    timeout 300 "${perf[@]}" "$cli" download -q -m 100 -o "$out" "${journal[@]}" "@$shm/urls"
  count=$(find "$out" -type f | wc -l)
  [ "$count" = "$n" ] || { echo "$mode run left $count files" >&2; exit 1; }
  if [ "$threads" = 1 ]; then
    # Per thread: "MODE COMM MS" (the main thread carries the program's name).
    perf report -i "$shm/perf.data" --sort comm -q -F period,comm 2>/dev/null \
      | awk -v m="$mode" -v p="$(basename "$cli")" 'NF == 2 && $2 != "perf" && $2 != "timeout" {
          c = $2; if (c == substr(p, 1, 15)) c = "main"; printf "%s %s %.1f\n", m, c, $1 / 1e6 }' \
      >> "$shm/threads"
  fi
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$shm/time"
}

one_run plain >/dev/null
one_run journal >/dev/null
: > "$shm/threads"
plain=() journal=()
for ((r = 1; r <= runs; r++)); do
  if ((r % 2)); then order=(plain journal); else order=(journal plain); fi
  for mode in "${order[@]}"; do
    t=$(one_run "$mode")
    if [ "$mode" = plain ]; then plain+=("${t/ /:}"); else journal+=("${t/ /:}"); fi
    echo "round $r $mode: wall ${t% *} s, cpu ${t#* } s"
  done
done
python3 - "${plain[*]}" "${journal[*]}" <<'PY'
import statistics, sys
def parse(arg, i):
    return [float(x.split(':')[i]) for x in arg.split()]
for i, what in ((0, 'wall'), (1, 'cpu')):
    p, j = parse(sys.argv[1], i), parse(sys.argv[2], i)
    mp, mj = statistics.median(p), statistics.median(j)
    print('%s, median of %d: without journal %.3f s, with --journal %.3f s, ratio %.3f (%+.1f %%)'
          % (what, len(p), mp, mj, mj / mp, (mj / mp - 1) * 100))
PY
[ "$threads" = 1 ] && python3 - "$shm/threads" <<'PY'
import collections, statistics, sys
ms = collections.defaultdict(list)
for line in open(sys.argv[1]):
    mode, comm, value = line.split()
    ms[(mode, comm)].append(float(value))
for comm in sorted({c for _, c in ms}, key=lambda c: (c != 'main', c)):
    p, j = ms.get(('plain', comm), []), ms.get(('journal', comm), [])
    if len(p) < 2 and len(j) < 2:
        continue
    mp = statistics.median(p) if p else 0.0
    mj = statistics.median(j) if j else 0.0
    print('thread %-16s CPU, median: without journal %6.1f ms, with --journal %6.1f ms (%+.1f ms)'
          % (comm, mp, mj, mj - mp))
PY
exit 0
