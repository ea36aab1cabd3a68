#!/usr/bin/python3
# journal-kill.py: SIGKILL fetchboard-cli at random moments of a 10,000-file
# run with --journal, run it again, and check the journal is the truth.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A delay server in this process (asyncio, own thread) answers /f/NNNNN.bin
# after DELAY seconds with a deterministic body and counts requests per path.
# Each round starts `fetchboard-cli download --journal J`, kills it with
# SIGKILL after a random 0.5-3 s, then checks, against the journal file:
#   - PRAGMA integrity_check is ok;
#   - every job that had finished before is still finished (same state);
#   - no path that had finished was requested again;
#   - bytes fetched again for an unfinished job are at most 256 KiB.
# After the rounds one last run goes to the end: every file is there once
# (no "NAME (1)", no .part), every row is OK with its size.
#
#   journal-kill.py CLI [--files 10000] [--rounds 20] [--delay 0.3] [--max-req 50] [--seed 1]
# Prints one line per round and a summary; exits 1 on any violation.

import argparse
import asyncio
import hashlib
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


def body_for(number):
    size = 2048 + (number * 7919) % 8192
    seed = hashlib.sha256(str(number).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


class Server:
    def __init__(self, delay):
        self.delay = delay
        self.counts = {}
        self.lock = threading.Lock()

    async def handle(self, reader, writer):
        sock = writer.get_extra_info('socket')
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                parts = line.decode('latin-1').split()
                while True:
                    h = await reader.readline()
                    if h in (b'\r\n', b'\n', b''):
                        break
                path = parts[1] if len(parts) > 1 else '/'
                with self.lock:
                    self.counts[path] = self.counts.get(path, 0) + 1
                await asyncio.sleep(self.delay)
                try:
                    number = int(path.rsplit('/', 1)[1].split('.')[0])
                    body = body_for(number)
                    head = ('HTTP/1.1 200 OK\r\nContent-Length: %d\r\n'
                            'Content-Type: application/octet-stream\r\n\r\n' % len(body))
                except (ValueError, IndexError):
                    body = b''
                    head = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'
                writer.write(head.encode() + body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def start(self):
        ready = threading.Event()

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            srv = self.loop.run_until_complete(
                asyncio.start_server(self.handle, '127.0.0.1', 0, backlog=4096))
            self.port = srv.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)

    def snapshot(self):
        with self.lock:
            return dict(self.counts)


def rows(journal):
    if not os.path.exists(journal):
        return 'ok', {}   # killed before the journal was made
    db = sqlite3.connect('file:%s?mode=ro' % journal, uri=True)
    try:
        check = db.execute('PRAGMA integrity_check').fetchone()[0]
        states = dict(db.execute('SELECT input, state FROM jobs WHERE run_id = '
                                 '(SELECT max(id) FROM runs)').fetchall())
    finally:
        db.close()
    return check, states


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cli')
    ap.add_argument('--files', type=int, default=10000)
    ap.add_argument('--rounds', type=int, default=20)
    ap.add_argument('--delay', type=float, default=0.3)
    ap.add_argument('--max-req', type=int, default=50)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    rng = random.Random(args.seed)

    server = Server(args.delay)
    server.start()
    work = tempfile.mkdtemp(prefix='fbjournal.', dir='/dev/shm')
    journal = os.path.join(work, 'journal.sqlite')
    out = os.path.join(work, 'out')
    lst = os.path.join(work, 'list.txt')
    with open(lst, 'w') as f:
        for i in range(args.files):
            f.write('http://127.0.0.1:%d/f/%05d.bin\n' % (server.port, i))
    cmd = [args.cli, 'download', '--journal', journal, '-o', out, '-m', str(args.max_req),
           '-q', '--timeout', '30', '@' + lst]

    failures = 0
    finished = {}          # input -> state, once final
    counts_at_finish = {}  # path -> requests when first seen final
    refetched_max = 0
    started = time.monotonic()
    for r in range(1, args.rounds + 1):
        wait = rng.uniform(0.5, 3.0)
        before = server.snapshot()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            proc.wait(timeout=wait)
            ended = True
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            ended = False
        check, states = rows(journal)
        counts = server.snapshot()
        problems = []
        if check != 'ok':
            problems.append('integrity_check: %s' % check)
        for url, state in finished.items():
            if states.get(url) != state:
                problems.append('%s was %s, now %s' % (url, state, states.get(url)))
        for path, n in counts_at_finish.items():
            if counts.get(path, 0) != n:
                problems.append('%s requested again (%d -> %d)' % (path, n, counts.get(path)))
        for url, state in states.items():
            if state in ('ok', 'not-found') and url not in finished:
                finished[url] = state
                path = '/' + url.split('/', 3)[3]
                counts_at_finish[path] = counts.get(path, 0)
        # Bytes fetched again this round for jobs that had not finished.
        for path, n in counts.items():
            again = n - before.get(path, 0)
            if before.get(path, 0) > 0 and again > 0:
                number = int(path.rsplit('/', 1)[1].split('.')[0])
                refetched_max = max(refetched_max, again * len(body_for(number)))
        failures += len(problems)
        print('round %2d: %s after %.2f s; %5d finished in the journal; %s'
              % (r, 'ended' if ended else 'SIGKILL', wait, len(finished),
                 'ok' if not problems else '; '.join(problems[:3])), flush=True)
        if ended:
            break

    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    check, states = rows(journal)
    counts = server.snapshot()
    names = sorted(os.listdir(out))
    expected = ['%05d.bin' % i for i in range(args.files)]
    problems = []
    if proc.returncode != 0:
        problems.append('last run exited %d: %s' % (proc.returncode, proc.stderr[-300:]))
    if check != 'ok':
        problems.append('integrity_check: %s' % check)
    if names != expected:
        extra = sorted(set(names) - set(expected))[:5]
        problems.append('folder differs: %d names, extra %s' % (len(names), extra))
    bad = [u for u, s in states.items() if s != 'ok']
    if bad or len(states) != args.files:
        problems.append('%d rows not ok of %d' % (len(bad), len(states)))
    for i in range(args.files):
        p = os.path.join(out, '%05d.bin' % i)
        if os.path.exists(p) and os.path.getsize(p) != len(body_for(i)):
            problems.append('%s has the wrong size' % p)
            break
    for path, n in counts_at_finish.items():
        if counts.get(path, 0) != n:
            problems.append('%s requested after it had finished' % path)
            break
    failures += len(problems)
    total_requests = sum(counts.values())
    print('final run: %s; %d requests for %d files (%d again); largest refetch of an '
          'unfinished job %d bytes; %.1f s in all'
          % ('ok' if not problems else '; '.join(problems), total_requests, args.files,
             total_requests - args.files, refetched_max, time.monotonic() - started))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
