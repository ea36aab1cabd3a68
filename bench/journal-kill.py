#!/usr/bin/python3
# journal-kill.py: SIGKILL fetchboard-cli at random moments of a 10,000-file
# run with --journal, run it again, and check the journal is the truth.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A delay server in this process (asyncio, own thread) answers /f/NNNNN.bin
# after DELAY seconds with a deterministic body and counts requests per path.
# One file in every 1,000 (NNN999) is large, 4-8 MiB with an ETag, sent
# slowly (32 KiB every 20 ms, about 1.6 MB/s) and honouring Range with
# If-Range, so kills land in the middle of its body and a restart continues
# its .part; the server keeps how far each body has been sent.
# Each round starts `fetchboard-cli download --journal J`, kills it with
# SIGKILL after a random 0.5-3 s, then checks, against the journal file:
#   - PRAGMA integrity_check is ok;
#   - every job that had finished before is still finished (same state);
#   - no path that had finished was requested again;
#   - bytes fetched again for an unfinished job are at most 256 KiB: for a
#     large body, what had been sent beyond the offset the next request asks
#     from (all of it when it asks without Range); a small body is whole.
# After the rounds one last run goes to the end: every file is there once
# (no "NAME (1)", no .part), every row is OK with its size, and every large
# file is byte-identical to its body.
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


LIMIT = 256 * 1024
CHUNK = 32 * 1024
CHUNK_WAIT = 0.02
_big_bodies = {}


def is_big(number):
    return number % 1000 == 999


def body_for(number):
    if is_big(number) and number in _big_bodies:
        return _big_bodies[number]
    if is_big(number):
        size = 4 * 1024 * 1024 + (number * 7919) % (4 * 1024 * 1024)
    else:
        size = 2048 + (number * 7919) % 8192
    seed = hashlib.sha256(str(number).encode()).digest()
    body = (seed * (size // len(seed) + 1))[:size]
    if is_big(number):
        _big_bodies[number] = body
    return body


def etag_for(number):
    return '"%s"' % hashlib.sha256(body_for(number)[:4096]).hexdigest()[:16]


class Server:
    def __init__(self, delay):
        self.delay = delay
        self.counts = {}
        self.sent_to = {}     # path -> how far its body has been sent (large bodies)
        self.refetched = []   # (path, bytes sent again) per request that re-asked
        self.ranges = []      # (path, first byte asked) per Range request
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
                headers = {}
                while True:
                    h = await reader.readline()
                    if h in (b'\r\n', b'\n', b''):
                        break
                    name, _, value = h.decode('latin-1').partition(':')
                    headers[name.strip().lower()] = value.strip()
                path = parts[1] if len(parts) > 1 else '/'
                with self.lock:
                    self.counts[path] = self.counts.get(path, 0) + 1
                await asyncio.sleep(self.delay)
                try:
                    number = int(path.rsplit('/', 1)[1].split('.')[0])
                    body = body_for(number)
                except (ValueError, IndexError):
                    number = None
                    body = b''
                if number is None:
                    writer.write(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
                    await writer.drain()
                elif not is_big(number):
                    head = ('HTTP/1.1 200 OK\r\nContent-Length: %d\r\n'
                            'Content-Type: application/octet-stream\r\n\r\n' % len(body))
                    writer.write(head.encode() + body)
                    await writer.drain()
                else:
                    await self.send_big(writer, path, number, body, headers)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def send_big(self, writer, path, number, body, headers):
        etag = etag_for(number)
        first = 0
        rng = headers.get('range', '')
        if (rng.startswith('bytes=') and rng.endswith('-')
                and headers.get('if-range') == etag):
            first = int(rng[len('bytes='):-1])
            if first >= len(body):
                first = 0
        with self.lock:
            if rng:
                self.ranges.append((path, first))
            before = self.sent_to.get(path, 0)
            if before > 0:
                self.refetched.append((path, max(0, before - first)))
            self.sent_to[path] = first
        if first > 0:
            head = ('HTTP/1.1 206 Partial Content\r\nContent-Length: %d\r\n'
                    'Content-Range: bytes %d-%d/%d\r\nETag: %s\r\n\r\n'
                    % (len(body) - first, first, len(body) - 1, len(body), etag))
        else:
            head = ('HTTP/1.1 200 OK\r\nContent-Length: %d\r\nETag: %s\r\n\r\n'
                    % (len(body), etag))
        writer.write(head.encode())
        at = first
        while at < len(body):
            end = min(len(body), at + CHUNK)
            writer.write(body[at:end])
            await writer.drain()
            at = end
            with self.lock:
                self.sent_to[path] = at
            await asyncio.sleep(CHUNK_WAIT)

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

    def resumes(self):
        with self.lock:
            return list(self.refetched), list(self.ranges)


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
        # Bytes fetched again this round for small jobs that had not
        # finished (their whole body); large ones are counted by the server.
        for path, n in counts.items():
            again = n - before.get(path, 0)
            number = int(path.rsplit('/', 1)[1].split('.')[0])
            if before.get(path, 0) > 0 and again > 0 and not is_big(number):
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
        if is_big(i) and os.path.exists(p):
            with open(p, 'rb') as f:
                if f.read() != body_for(i):
                    problems.append('%s differs from its body' % p)
    refetched, ranges = server.resumes()
    big_max = max((n for _, n in refetched), default=0)
    over = [(p, n) for p, n in refetched if n > LIMIT]
    if over:
        problems.append('%d large bodies fetched again beyond 256 KiB (%s)'
                        % (len(over), ', '.join('%s %d' % o for o in over[:3])))
    for path, n in counts_at_finish.items():
        if counts.get(path, 0) != n:
            problems.append('%s requested after it had finished' % path)
            break
    failures += len(problems)
    total_requests = sum(counts.values())
    print('final run: %s; %d requests for %d files (%d again); largest refetch of an '
          'unfinished small job %d bytes; %.1f s in all'
          % ('ok' if not problems else '; '.join(problems), total_requests, args.files,
             total_requests - args.files, refetched_max, time.monotonic() - started))
    print('large bodies: %d files, %d requests asked again, %d of them with Range '
          '(first bytes %s); fetched again per request: largest %d bytes, median %d'
          % (sum(1 for i in range(args.files) if is_big(i)), len(refetched), len(ranges),
             ', '.join(str(n) for _, n in ranges[:6]) + (' ...' if len(ranges) > 6 else ''),
             big_max, sorted(n for _, n in refetched)[len(refetched) // 2] if refetched else 0))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
