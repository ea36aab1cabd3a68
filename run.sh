#!/usr/bin/env bash
# Fetchboard's two entry points, for a fresh Debian 12 machine (as root, or with sudo):
#
#   ./run.sh demo   install what is missing, build in build/, start `fetchboard --demo`
#   ./run.sh test   install what is missing, then run the suite twice: build/ with
#                   -Dwerror=true (all but the window's suites), build-asan/ with
#                   AddressSanitizer + UBSan (all), under xvfb-run, then each libFuzzer
#                   target for 20 s (fuzz/run.sh); exits non-zero on any failure
#
# Packages are installed only when missing (one dpkg-query call), and `apt-get update`
# runs only then, so a machine that has everything starts building at once.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
top=$PWD

# Everything the build, the tests and the demo need. README.md lists the same names.
packages=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libgtk-4-bin libadwaita-1-dev
  libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libcunit1-dev
  gettext iso-codes desktop-file-utils appstream librsvg2-common
  python3 xvfb xauth dbus-daemon imagemagick openssl unicode-data glib-networking
  clang libclang-rt-14-dev
)

usage ()
{
  echo "usage: $0 demo|test" >&2
  exit 2
}

install_missing ()
{
  local missing=() p installed
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    echo "run.sh: not a Debian system; install the packages README.md lists for your distribution"
    return 0
  fi
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)
  for p in "${packages[@]}"; do
    awk -v p="$p" '$1 == p && $2 == "ii" { found = 1 } END { exit !found }' <<<"$installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  echo "run.sh: installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run.sh: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# setup_build DIR [MESON OPTIONS...]: configure DIR, or apply OPTIONS to an existing one.
setup_build ()
{
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    if [ $# -gt 0 ]; then
      meson configure "$dir" "$@" || return 1
    fi
  else
    rm -rf "$dir"
    meson setup "$dir" "$@" || return 1
  fi
  meson compile -C "$dir" || return 1
}

# Environment for running from the build folder: the schema compiled by data/meson.build,
# the icons from the source tree, the catalogue compiled by po/meson.build.
build_env ()
{
  local dir=$1
  export GSETTINGS_SCHEMA_DIR="$top/$dir/data"
  export XDG_DATA_DIRS="$top/data:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
  export FETCHBOARD_LOCALEDIR="$top/$dir/po"
}

run_demo ()
{
  install_missing
  setup_build build
  build_env build
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    cat >&2 <<EOF
run.sh: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open.
The build is ready in build/. On a headless machine, run the demo under a virtual X server:
  xvfb-run -a -s '-screen 0 1280x800x24' ./run.sh demo
or try the engine without a window:
  build/src/cli/fetchboard-cli --help
EOF
    exit 2
  fi
  if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
    exec dbus-run-session -- "$top/build/src/gui/fetchboard" --demo
  fi
  exec "$top/build/src/gui/fetchboard" --demo
}

# count_results DIR: print "passed failed skipped" from DIR's last meson test log.
count_results ()
{
  /usr/bin/python3 - "$1/meson-logs/testlog.json" <<'EOF'
import json, sys
passed = failed = skipped = 0
try:
    lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
except OSError:
    lines = []
for line in lines:
    if not line.strip():
        continue
    result = json.loads(line)['result']
    if result in ('OK', 'EXPECTEDFAIL'):
        passed += 1
    elif result == 'SKIP':
        skipped += 1
    else:
        failed += 1
print(passed, failed, skipped)
EOF
}

total_passed=0
total_failed=0
total_skipped=0
status=0

# test_pass NAME DIR [MESON OPTIONS...]: build DIR and run the whole suite in it.
test_pass ()
{
  local name=$1 dir=$2
  shift 2
  echo "=== $name: $dir ($*)"
  rm -f "$dir/meson-logs/testlog.json"
  if ! setup_build "$dir" "$@"; then
    echo "run.sh: $name: the build failed" >&2
    status=1
    total_failed=$((total_failed + 1))
    return
  fi
  local rc=0
  (
    build_env "$dir"
    xvfb-run -a -s '-screen 0 1280x1024x24' \
      dbus-run-session -- \
      meson test -C "$dir" --print-errorlogs --timeout-multiplier "$TIMEOUT_MULTIPLIER" \
        ${TEST_ARGS:-}
  ) || rc=$?
  local counts
  read -r -a counts <<<"$(count_results "$dir")"
  echo "$name: ${counts[0]} passed, ${counts[1]} failed, ${counts[2]} skipped"
  total_passed=$((total_passed + counts[0]))
  total_failed=$((total_failed + counts[1]))
  total_skipped=$((total_skipped + counts[2]))
  if [ "$rc" -ne 0 ] || [ "${counts[1]}" -ne 0 ] || [ "${counts[0]}" -eq 0 ]; then
    status=1
  fi
}

run_tests ()
{
  install_missing
  local start=$SECONDS

  # Xvfb has no GPU: draw with cairo and keep GDK from opening EGL at all, which is
  # faster than software GL and keeps Mesa's one-time allocations out of LSan's report.
  export GSK_RENDERER=cairo
  export GDK_DEBUG=gl-disable
  export NO_AT_BRIDGE=1

  # The window's suites run once, under the sanitizers below: each must run
  # alone on the X display, and together they were half of this script's time.
  TIMEOUT_MULTIPLIER=1 TEST_ARGS="--no-suite gui" test_pass werror build -Dwerror=true

  # GLib has no frame pointers, so a leak of a GObject shows only g_malloc here. To see
  # the whole stack, rerun one test with the slow unwinder (20x slower, see README.md):
  #   ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 meson test -C build-asan NAME
  export ASAN_OPTIONS=detect_leaks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
  export G_SLICE=always-malloc
  TIMEOUT_MULTIPLIER=3 test_pass sanitizers build-asan \
    -Db_sanitize=address,undefined -Db_lundef=false

  # The libFuzzer targets (fuzz/run.sh): 20 s each, one per core, on their own clang build.
  echo "=== fuzz: fuzz/run.sh ${FUZZ_SECONDS:-20}"
  if (unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; "$top/fuzz/run.sh" "${FUZZ_SECONDS:-20}"); then
    total_passed=$((total_passed + 1))
  else
    echo "run.sh: fuzz: a target crashed or did not build" >&2
    total_failed=$((total_failed + 1))
    status=1
  fi

  echo "run.sh: both runs and the fuzzers took $((SECONDS - start)) s"
  echo "summary: $total_passed passed, $total_failed failed, $total_skipped skipped"
  exit "$status"
}

[ $# -eq 1 ] || usage
case "$1" in
  demo) run_demo ;;
  test) run_tests ;;
  *) usage ;;
esac
