#!/usr/bin/python3
# delay_server.py: the suite's fallback latency-bound HTTP server.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Serves files under ROOT on 127.0.0.1:PORT with HTTP/1.1 keep-alive, waiting
# DELAY seconds (asyncio.sleep, so every connection waits in parallel) before
# each answer. TCP_NODELAY on every accepted socket. Used by bench/run.sh only
# while `fetchboard-cli serve --delay` does not work.
#
#   delay_server.py --root DIR --port P --delay 0.1 [--max-seconds 900]

import argparse
import asyncio
import os
import socket
import sys
import urllib.parse

TYPES = {'.gif': 'image/gif', '.json': 'application/json'}


class Server:
    def __init__(self, root, delay):
        self.root = os.path.realpath(root)
        self.delay = delay
        self.cache = {}
        self.requests = 0

    def lookup(self, target):
        path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
        full = os.path.realpath(os.path.join(self.root, path.lstrip('/')))
        if not full.startswith(self.root + os.sep) or not os.path.isfile(full):
            return None
        body = self.cache.get(full)
        if body is None:
            with open(full, 'rb') as f:
                body = f.read()
            self.cache[full] = body
        return body, TYPES.get(os.path.splitext(full)[1], 'application/octet-stream')

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
                keep_alive = len(parts) == 3 and parts[2] == 'HTTP/1.1'
                while True:
                    h = await reader.readline()
                    if h in (b'\r\n', b'\n', b''):
                        break
                    name, _, value = h.decode('latin-1').partition(':')
                    name = name.strip().lower()
                    value = value.strip().lower()
                    if name == 'connection':
                        keep_alive = value != 'close' if parts[-1] == 'HTTP/1.1' \
                            else value == 'keep-alive'
                    elif name == 'content-length' and value not in ('', '0'):
                        await reader.readexactly(int(value))
                self.requests += 1
                await asyncio.sleep(self.delay)
                found = self.lookup(parts[1]) if len(parts) >= 2 else None
                if len(parts) < 2 or parts[0] not in ('GET', 'HEAD'):
                    status, body, ctype = '405 Method Not Allowed', b'', 'text/plain'
                elif found is None:
                    status, body, ctype = '404 Not Found', b'not found\n', 'text/plain'
                else:
                    status, (body, ctype) = '200 OK', found
                head = (f'HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n'
                        f'Content-Length: {len(body)}\r\n'
                        f'Connection: {"keep-alive" if keep_alive else "close"}\r\n\r\n')
                writer.write(head.encode('ascii'))
                if parts[0] != 'HEAD':
                    writer.write(body)
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def main_async(args):
    srv = Server(args.root, args.delay)
    server = await asyncio.start_server(srv.handle, '127.0.0.1', args.port,
                                        backlog=4096, reuse_address=True)
    print(f'delay_server: http://127.0.0.1:{args.port}/ delay {args.delay}s', flush=True)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), args.max_seconds)
        except asyncio.TimeoutError:
            print('delay_server: time limit reached, stopping', file=sys.stderr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--root', required=True)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--delay', type=float, default=0.1)
    p.add_argument('--max-seconds', type=float, default=900,
                   help='stop by itself after this long')
    args = p.parse_args()
    try:
        asyncio.run(main_async(args))
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
