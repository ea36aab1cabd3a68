#!/usr/bin/python3
# tcp_clients.py: many clients of the finder's TCP line protocol at once.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Opens N connections to 127.0.0.1:PORT (all of them before any query),
# then each sends Q queries one after the other, reading every answer up to
# the next prompt and comparing it byte for byte with the expected answer
# (`fetchboard-cli find` output, LF -> CRLF, then the prompt). Prints one
# JSON line: connected, refused, queries, wrong, seconds. Bounded by
# --max-seconds. Exit status 1 when anything was refused or wrong.
#
#   tcp_clients.py --port 2323 --clients 1000 --queries 10 --cli build/src/cli/fetchboard-cli

import argparse
import asyncio
import json
import subprocess
import sys
import time

PROMPT = b'?> '
QUERIES = ['cat face', 'capital a', 'dollar', 'brillig', 'small letter x',
           'chess', 'arrow double', 'smiling', 'latin capital letter z', 'sign']


def expected_answers(cli):
    answers = {}
    for query in QUERIES:
        out = subprocess.run([cli, 'find', *query.split()], check=True,
                             capture_output=True).stdout
        answers[query] = out.replace(b'\n', b'\r\n') + PROMPT
    return answers


async def client(port, queries, answers, ready, start, stats):
    try:
        reader, writer = await asyncio.open_connection('127.0.0.1', port, limit=1 << 22)
    except OSError:
        stats['refused'] += 1
        ready.release()
        return
    stats['connected'] += 1
    ready.release()
    try:
        if await reader.readexactly(len(PROMPT)) != PROMPT:
            stats['wrong'] += 1
            return
        await start.wait()
        for i in range(queries):
            query = QUERIES[i % len(QUERIES)]
            writer.write(query.encode() + b'\r\n')
            expected = answers[query]
            got = await reader.readexactly(len(expected))
            stats['queries'] += 1
            if got != expected:
                stats['wrong'] += 1
        writer.write(b'\x03\r\n')
        await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        stats['broken'] += 1
    finally:
        writer.close()


async def main_async(args, answers):
    stats = {'connected': 0, 'refused': 0, 'queries': 0, 'wrong': 0, 'broken': 0}
    ready = asyncio.Semaphore(0)
    start = asyncio.Event()
    tasks = [asyncio.create_task(client(args.port, args.queries, answers, ready, start, stats))
             for _ in range(args.clients)]
    for _ in range(args.clients):
        await ready.acquire()
    t0 = time.monotonic()
    start.set()
    await asyncio.gather(*tasks)
    stats['seconds'] = round(time.monotonic() - t0, 3)
    stats['clients_at_once'] = stats['connected']
    return stats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--clients', type=int, default=1000)
    parser.add_argument('--queries', type=int, default=10)
    parser.add_argument('--cli', required=True)
    parser.add_argument('--max-seconds', type=float, default=120)
    args = parser.parse_args()
    answers = expected_answers(args.cli)
    stats = asyncio.run(asyncio.wait_for(main_async(args, answers), args.max_seconds))
    print(json.dumps(stats))
    ok = (stats['refused'] == 0 and stats['wrong'] == 0 and stats['broken'] == 0
          and stats['queries'] == args.clients * args.queries)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
