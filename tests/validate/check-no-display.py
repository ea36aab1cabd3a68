#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Started with no display, the window says so and exits 1: no GTK critical,
no crash (GTK 4.8 crashed here once its display check had been spent). With
a display (under xvfb-run) and GSK_RENDERER set, it starts.

    check-no-display.py FETCHBOARD
"""
import os
import subprocess
import sys
import tempfile

app = sys.argv[1]
failed = False


def run(args, env, timeout=60):
    return subprocess.run([app] + args, env=env, capture_output=True, text=True, timeout=timeout)


with tempfile.TemporaryDirectory() as home:
    base = dict(os.environ, XDG_RUNTIME_DIR=home, HOME=home, XDG_STATE_HOME=home,
                XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, LANGUAGE="C", LC_ALL="C.UTF-8")
    # The process ends at once, before anything it made could be freed.
    base["ASAN_OPTIONS"] = base.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    none = {k: v for k, v in base.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    for args, env in (([], none), (["--demo"], none), ([], dict(none, GSK_RENDERER="cairo"))):
        r = run(args, env)
        ok = (r.returncode == 1 and "cannot open a display" in r.stderr
              and "CRITICAL" not in r.stderr and "fetchboard-cli" in r.stderr)
        print(f"no display, fetchboard {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[:300]}")
        failed |= not ok

    # Without a display, --version still answers.
    r = run(["--version"], none)
    print(f"no display, fetchboard --version: exit {r.returncode}: {r.stdout.strip()}")
    failed |= r.returncode != 0 or not r.stdout.startswith("fetchboard ")

    # With one, GSK_RENDERER set (the renderer check then opens no display
    # of its own): the window starts and stays up until stopped.
    if base.get("DISPLAY"):
        # Any value takes the same path (fb_renderer_avoid_software_gl () returns
        # at once); cairo starts fastest under Xvfb.
        for renderer in ("cairo",):
            p = subprocess.Popen([app], env=dict(base, GSK_RENDERER=renderer),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.terminate()
            out, err = p.communicate(timeout=30)
            started = p.returncode != 1 and "cannot open a display" not in err
            print(f"DISPLAY={base['DISPLAY']} GSK_RENDERER={renderer}: "
                  f"{'started' if started else 'exit ' + str(p.returncode)}: {err.strip()[:300]}")
            failed |= not started
    else:
        print("no DISPLAY: the case with a display is left to the run under xvfb-run")
sys.exit(1 if failed else 0)
