#!/usr/bin/python3
# asyncio_probe.py: the book's DNS prober (blogdom/domaincheck) as a DNS peer.
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# loop.getaddrinfo for every name of FILE, at most -m at once (an
# asyncio.Semaphore); asyncio runs getaddrinfo on its default thread pool
# (min(32, nproc + 4) threads). Prints, in completion order,
# "+ NAME ADDRESS" or "- NAME ERROR", the format bench-getaddrinfo uses.
#
#   asyncio_probe.py [-m 100] FILE

import argparse
import asyncio
import socket
import sys


async def probe(loop, sem, name, out):
    async with sem:
        try:
            infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except socket.gaierror as e:
            out.append(f'- {name} {e.strerror}')
            return
    v4 = [i[4][0] for i in infos if i[0] == socket.AF_INET]
    addr = v4[0] if v4 else infos[0][4][0]
    out.append(f'+ {name} {addr}')


async def main_async(names, limit):
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(limit)
    out = []
    await asyncio.gather(*(probe(loop, sem, n, out) for n in names))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument('-m', type=int, default=100)
    p.add_argument('file')
    args = p.parse_args()
    with open(args.file) as f:
        names = [line.strip() for line in f if line.strip() and not line.startswith('#')]
    out = asyncio.run(main_async(names, args.m))
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
