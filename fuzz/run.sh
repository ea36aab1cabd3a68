#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined) in
# build-fuzz/ and runs each for SECONDS, starting from fuzz/corpus/TARGET. Any crash,
# sanitizer report, GLib critical or broken invariant fails the script; the input that
# did it is kept under build-fuzz/fuzz-work/artifacts/ (rerun: build-fuzz/fuzz/TARGET FILE).
#
#   fuzz/run.sh [SECONDS] [TARGET…]     default: 30 seconds, every target
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
top=$PWD
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-http-parser fuzz-list-parser fuzz-filename fuzz-catalog fuzz-index-query fuzz-lean-request)
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET…]" >&2; exit 2 ;;
esac

build=${FUZZ_BUILD:-build-fuzz}
# FUZZ_BUILD may be absolute (a build on /dev/shm) or relative to the checkout.
case $build in
  /*) work=$build/fuzz-work ;;
  *) work=$top/$build/fuzz-work ;;
esac
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || { echo "fuzz/run.sh: $cc not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

if [ ! -f "$build/build.ninja" ]; then
  rm -rf "$build"
  CC=$cc meson setup "$build" -Dfuzz=true -Dgui_tests=false \
    -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized >/dev/null
fi
meson compile -C "$build" "${targets[@]}" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export G_SLICE=always-malloc
export G_DEBUG=fatal-criticals
export LC_ALL=C.UTF-8

mkdir -p "$work/artifacts"
# The targets run side by side, one per core (FUZZ_JOBS to change it): 5 × 30 s take
# 90 s on two cores instead of 150 s, and each still gets a core of its own.
jobs=${FUZZ_JOBS:-$(nproc)}
run_target () {
  local t=$1
  mkdir -p "$work/corpus/$t"
  "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
    "$work/corpus/$t" "fuzz/corpus/$t" >"$work/$t.log" 2>&1
}
declare -A pid_of=()
failed=()
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  echo "=== $t: ${seconds} s"
  run_target "$t" &
  pid_of[$t]=$!
done
for t in "${targets[@]}"; do
  if ! wait "${pid_of[$t]}"; then
    failed+=("$t")
    echo "--- $t failed:"
    tail -n 60 "$work/$t.log"
  fi
  echo "--- $t:"
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|cov: .*ft:' "$work/$t.log" \
    | tail -n 3 || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz/run.sh: FAILED: ${failed[*]} (inputs in $work/artifacts/)"
  exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} targets, ${seconds} s each, no crash"
