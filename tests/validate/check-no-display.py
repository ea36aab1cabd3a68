#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Started with no display, the window says so and exits 1: no GTK critical,
no crash (GTK 4.8 crashed here once its display check had been spent).

    check-no-display.py FETCHBOARD
"""
import os
import subprocess
import sys
import tempfile

app = sys.argv[1]
with tempfile.TemporaryDirectory() as home:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_RUNTIME_DIR=home, HOME=home, LANGUAGE="C", LC_ALL="C.UTF-8",
               GDK_BACKEND="x11,wayland")
    checks = []
    for args in ([], ["--demo"]):
        r = subprocess.run([app] + args, env=env, capture_output=True, text=True, timeout=60)
        checks.append((args, r))

failed = False
for args, r in checks:
    ok = (r.returncode == 1 and "cannot open a display" in r.stderr
          and "CRITICAL" not in r.stderr and "fetchboard-cli" in r.stderr)
    print(f"fetchboard {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[:300]}")
    failed |= not ok
# Without a display, --version still answers.
r = subprocess.run([app, "--version"], env=env, capture_output=True, text=True, timeout=60)
print(f"fetchboard --version: exit {r.returncode}: {r.stdout.strip()}")
failed |= r.returncode != 0 or not r.stdout.startswith("fetchboard ")
sys.exit(1 if failed else 0)
