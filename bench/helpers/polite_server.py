#!/usr/bin/python3
# polite_server.py: a small, slow or flaky server, as real ones are, for the
# retry and listen-queue figures (bench/polite.sh).
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Like the book's slow_server.py it is Python's ThreadingHTTPServer: a thread
# per connection, HTTP/1.0 (one request per connection), and a listen queue of
# --backlog connections (request_queue_size; 5 is Python's default). Every
# body is made from its path, so `check` can tell a byte-identical file from a
# spliced or short one without a copy of the data.
#
#   polite_server.py serve --port P [--backlog 5] [--delay 0.5] [--fail-rate 0.3]
#                          [--retry-after N] [--stats FILE] [--max-seconds 900]
#   polite_server.py urls BASE N          a list of N file URLs under BASE
#   polite_server.py check DIR            every file in DIR is what the server sent
#
# --fail-rate P: the first request for a share P of the paths (chosen by a hash
# of the path) is answered 503, with Retry-After: N when --retry-after is given;
# the next request for it gets the file. Loopback only.

import argparse
import hashlib
import http.server
import json
import os
import signal
import sys
import threading
import time


def body_for(name):
    """The bytes served for a file name (its last path component)."""
    seed = hashlib.sha256(name.lower().encode('utf-8')).digest()
    size = 1000 + int.from_bytes(seed[:2], 'big') % 8000
    out = bytearray()
    block = seed
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def fails_first(path, rate):
    h = int.from_bytes(hashlib.sha256(b'fail:' + path.encode('utf-8')).digest()[:4], 'big')
    return h < rate * 2 ** 32


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.requests = 0
        self.failed = 0
        self.seen = set()

    def enter(self):
        with self.lock:
            self.in_flight += 1
            self.requests += 1
            self.peak = max(self.peak, self.in_flight)

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def first_time(self, path):
        with self.lock:
            if path in self.seen:
                return False
            self.seen.add(path)
            return True

    def as_dict(self):
        with self.lock:
            return {'requests': self.requests, 'peak_in_flight': self.peak,
                    'answered_503': self.failed}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        server = self.server
        server.stats.enter()
        try:
            if server.delay > 0:
                time.sleep(server.delay)
            path = self.path.split('?', 1)[0]
            name = path.rstrip('/').rsplit('/', 1)[-1]
            if not name:
                self.send_error(404)
                return
            if (server.fail_rate > 0 and fails_first(path, server.fail_rate)
                    and server.stats.first_time(path)):
                with server.stats.lock:
                    server.stats.failed += 1
                self.send_response(503)
                if server.retry_after is not None:
                    self.send_header('Retry-After', str(server.retry_after))
                self.send_header('Content-Length', '0')
                self.end_headers()
                return
            if name == 'metadata.json':
                code = path.rstrip('/').rsplit('/', 2)[-2]
                body = json.dumps({'country': 'Country ' + code.upper()}).encode('utf-8')
            else:
                body = body_for(name)
            self.send_response(200)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            server.stats.leave()


def cmd_serve(args):
    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = args.backlog
        daemon_threads = True

        def handle_error(self, request, client_address):
            # A client that gave up on an answer is not news.
            pass

    server = Server(('127.0.0.1', args.port), Handler)
    server.stats = Stats()
    server.delay = args.delay
    server.fail_rate = args.fail_rate
    server.retry_after = args.retry_after

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Timer(args.max_seconds, stop).start()
    print(f'listening on 127.0.0.1:{server.server_address[1]}', flush=True)
    server.serve_forever(poll_interval=0.05)
    if args.stats:
        with open(args.stats, 'w') as f:
            json.dump(server.stats.as_dict(), f)
    os._exit(0)


def cmd_urls(args):
    for i in range(args.n):
        print(f'{args.base.rstrip("/")}/{i:05d}.bin')
    return 0


def cmd_check(args):
    bad = 0
    n = 0
    for dirpath, _, files in os.walk(args.dir):
        for name in files:
            n += 1
            if name.endswith('.part'):
                print(f'left behind: {name}', file=sys.stderr)
                bad += 1
                continue
            with open(os.path.join(dirpath, name), 'rb') as f:
                data = f.read()
            if data != body_for(name):
                print(f'differs: {name} ({len(data)} bytes)', file=sys.stderr)
                bad += 1
    print(f'{n} files, {bad} bad')
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('serve')
    s.add_argument('--port', type=int, default=0)
    s.add_argument('--backlog', type=int, default=5)
    s.add_argument('--delay', type=float, default=0.0)
    s.add_argument('--fail-rate', type=float, default=0.0)
    s.add_argument('--retry-after', type=int)
    s.add_argument('--stats')
    s.add_argument('--max-seconds', type=float, default=900)
    s = sub.add_parser('urls')
    s.add_argument('base')
    s.add_argument('n', type=int)
    s = sub.add_parser('check')
    s.add_argument('dir')
    args = p.parse_args()
    return {'serve': cmd_serve, 'urls': cmd_urls, 'check': cmd_check}[args.cmd](args) or 0


if __name__ == '__main__':
    sys.exit(main())
