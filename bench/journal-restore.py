#!/usr/bin/python3
# journal-restore.py: time the window coming back with an unfinished run of
# N jobs (half of them saved, with their files, half still to run).
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   journal-restore.py CLI BENCH_RESTORE [--jobs 100000] [--runs 5]
# The journal gets its schema from `CLI history --journal`, then rows from
# here; each run starts BENCH_RESTORE (under the caller's display) with a
# fresh copy of it. Prints each run and the medians.

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cli')
    ap.add_argument('bench')
    ap.add_argument('--jobs', type=int, default=100000)
    ap.add_argument('--runs', type=int, default=5)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='fbrestore.', dir='/dev/shm')
    try:
        out = os.path.join(work, 'out')
        os.makedirs(out)
        master = os.path.join(work, 'master.sqlite')
        subprocess.run([args.cli, 'history', '--journal', master], check=True,
                       stdout=subprocess.DEVNULL)
        now = int(time.time() * 1e6)
        db = sqlite3.connect(master)
        settings = json.dumps({'max-concurrency': 100, 'timeout': 3.1, 'destination': out})
        db.execute('INSERT INTO runs (id, created, ended, kind, destination, settings) '
                   'VALUES (1, ?, 0, ?, ?, ?)', (now - 60000000, 'download', out, settings))
        rows = []
        blob = bytearray()
        for i in range(args.jobs):
            url = 'http://127.0.0.1:9/files/%06d.bin' % i
            # kind (1 = download), source, line, input: NUL-terminated
            blob += b'1\0list.txt\0%d\0%s\0' % (i + 1, url.encode())
            if i % 2 == 0:
                path = os.path.join(out, '%06d.bin' % i)
                with open(path, 'wb') as f:
                    f.write(b'x' * 100)
                rows.append((1, i, 'download', url, 'list.txt', i + 1, 'ok', 200, 100, 100,
                             1, now - 50000000, now - 40000000, 'Saved as %06d.bin' % i, path))
        db.execute('INSERT INTO inputs (run_id, first, count, data) VALUES (1, 0, ?, ?)',
                   (args.jobs, bytes(blob)))
        db.executemany('INSERT INTO jobs (run_id, idx, kind, input, source, source_line, state, '
                       'http_status, bytes_received, bytes_expected, attempts, t_queued, '
                       't_done, message, saved_path) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
                       rows)
        db.commit()
        db.close()

        results = []
        for r in range(args.runs):
            state = os.path.join(work, 'state%d' % r)
            os.makedirs(os.path.join(state, 'fetchboard'))
            shutil.copy(master, os.path.join(state, 'fetchboard', 'journal.sqlite'))
            env = dict(os.environ, XDG_STATE_HOME=state, GSETTINGS_BACKEND='memory')
            p = subprocess.run([args.bench, str(args.jobs)], env=env, capture_output=True,
                               text=True, timeout=120)
            vals = {}
            for line in p.stdout.splitlines():
                key, _, value = line.partition(' ')
                try:
                    vals[key] = float(value.split()[0])
                except (ValueError, IndexError):
                    print(line)
            print('run %d: window %.0f ms, run shown %.0f ms, all restored %.0f ms, '
                  'peak RSS %.0f MiB (exit %d)'
                  % (r + 1, vals.get('window', -1), vals.get('shown', -1),
                     vals.get('restored', -1), vals.get('rss', -1), p.returncode), flush=True)
            if p.returncode != 0:
                print(p.stderr[-500:])
            results.append(vals)
            shutil.rmtree(state)
        print('median of %d: window %.0f ms, run shown %.0f ms, all restored %.0f ms '
              '(%d jobs), peak RSS %.0f MiB'
              % (args.runs, statistics.median(v.get('window', -1) for v in results),
                 statistics.median(v.get('shown', -1) for v in results),
                 statistics.median(v.get('restored', -1) for v in results), args.jobs,
                 statistics.median(v.get('rss', -1) for v in results)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
