#!/usr/bin/python3
# fbbench.py: the Python side of Fetchboard's benchmark suite (bench/run.sh).
#
# Copyright 2026 The Fetchboard developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Standard library only (json, statistics, ...). Subcommands:
#   gen-catalog ROOT N [--seed S]      flag layout: ROOT/flags/{cc}/{cc}.gif + metadata.json
#   url-list ROOT BASE N OUT [--codes iso|catalog]
#                                      N URLs (one a line) + OUT.tsv (file name, size)
#   gen-names DIR N [--seed S]         names.txt, hosts, expected.tsv for the DNS figure
#   free-port                          prints a free TCP port on 127.0.0.1
#   wait-http URL SECONDS              waits until URL answers 200
#   record FILE JSON key=value...      appends JSON + tags to FILE (JSON lines)
#   check-dir DIR EXPECTED.tsv         every file present with the right size, nothing else
#   manifest-from-dir DIR OUT.tsv      writes (name, size) of a reference download
#   check-probe OUTPUT EXPECTED.tsv    checks fetchboard-cli probe --json output
#   check-gai OUTPUT EXPECTED.tsv      checks bench-getaddrinfo output
#   env OUTDIR [--mode M] [--section S] [--machine k=v]... [--version tool=text]...
#                                      merges machine facts and versions into OUTDIR/env.json
#   report OUTDIR RESULTS.md           writes the results file from OUTDIR/*.jsonl

import argparse
import json
import math
import os
import random
import socket
import statistics
import sys
import time
import urllib.request

CATALOG_VERSION = 1
MIN_SIZE = 1024
MAX_SIZE = 20 * 1024
MEDIAN_SIZE = 5 * 1024
SIGMA = 0.6
ISO_JSON = '/usr/share/iso-codes/json/iso_3166-1.json'


# ---------------------------------------------------------------- catalog

def code_for_index(i):
    """aa..zz (676), then aaa..zzz (17,576), then aaaa..; lower case."""
    length = 2
    span = 26 ** length
    while i >= span:
        i -= span
        length += 1
        span = 26 ** length
    letters = []
    for _ in range(length):
        i, r = divmod(i, 26)
        letters.append(chr(ord('a') + r))
    return ''.join(reversed(letters))


def catalog_sizes(n, seed):
    """Prefix-stable: the first k sizes do not depend on n."""
    rng = random.Random(seed)
    mu = math.log(MEDIAN_SIZE)
    sizes = []
    for _ in range(n):
        size = int(round(rng.lognormvariate(mu, SIGMA)))
        sizes.append(min(MAX_SIZE, max(MIN_SIZE, size)))
    return sizes


def gif_bytes(size, filler):
    """A valid 1x1 GIF89a of exactly `size` bytes, padded with a comment
    extension (21 FE, sub-blocks of 1..255 data bytes, 00)."""
    head = (b'GIF89a' + (1).to_bytes(2, 'little') + (1).to_bytes(2, 'little')
            + bytes([0x80, 0, 0])            # global colour table, 2 colours
            + bytes([0xC8, 0x10, 0x2E, 0xFF, 0xFF, 0xFF]))
    image = (bytes([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0])
             + bytes([0x02, 0x02, 0x44, 0x01, 0x00]))
    tail = b'\x3B'
    room = size - len(head) - len(image) - len(tail) - 3
    assert room >= 2
    blocks = []
    pos = 0
    while room > 0:
        take = min(255, room - 1)
        if room - (take + 1) == 1:
            take -= 1
        blocks.append(bytes([take]) + filler[pos:pos + take])
        pos += take
        room -= take + 1
    data = head + b'\x21\xFE' + b''.join(blocks) + b'\x00' + image + tail
    assert len(data) == size, (len(data), size)
    return data


def metadata_bytes(code):
    upper = code.upper()
    doc = {'tld_cc': '.' + code, 'iso_cc': upper,
           'country': 'Bench land ' + upper, 'gec_cc': upper}
    return json.dumps(doc).encode('ascii')


def cmd_gen_catalog(args):
    root = args.root
    stamp_path = os.path.join(root, 'catalog.json')
    done = 0
    try:
        with open(stamp_path) as f:
            stamp = json.load(f)
        if stamp.get('version') == CATALOG_VERSION and stamp.get('seed') == args.seed:
            done = stamp.get('n', 0)
    except (OSError, ValueError):
        pass
    if done >= args.n:
        print(f'catalog: {done} flags already in {root}')
        return 0
    sizes = catalog_sizes(args.n, args.seed)
    rng = random.Random(args.seed + 1)
    filler = bytes(rng.randrange(32, 127) for _ in range(MAX_SIZE))
    flags = os.path.join(root, 'flags')
    os.makedirs(flags, exist_ok=True)
    for i in range(done, args.n):
        code = code_for_index(i)
        d = os.path.join(flags, code)
        os.makedirs(d, exist_ok=True)
        # a per-file offset keeps bodies distinct without a per-file RNG
        off = (i * 7919) % 4096
        blob = filler[off:] + filler[:off]
        with open(os.path.join(d, code + '.gif'), 'wb') as f:
            f.write(gif_bytes(sizes[i], blob))
        with open(os.path.join(d, 'metadata.json'), 'wb') as f:
            f.write(metadata_bytes(code))
    with open(os.path.join(root, 'sizes.tsv'), 'w') as f:
        for i, size in enumerate(sizes):
            f.write(f'{code_for_index(i)}\t{size}\n')
    with open(stamp_path, 'w') as f:
        json.dump({'version': CATALOG_VERSION, 'seed': args.seed, 'n': args.n,
                   'median_size': statistics.median(sizes),
                   'min_size': min(sizes), 'max_size': max(sizes),
                   'total_bytes': sum(sizes)}, f)
    print(f'catalog: {args.n} flags in {root} (median {statistics.median(sizes):.0f} B, '
          f'{min(sizes)}..{max(sizes)} B)')
    return 0


def iso_codes():
    with open(ISO_JSON) as f:
        data = json.load(f)
    return sorted(e['alpha_2'].lower() for e in data['3166-1'])


def cmd_url_list(args):
    sizes = {}
    with open(os.path.join(args.root, 'sizes.tsv')) as f:
        for line in f:
            code, size = line.split('\t')
            sizes[code] = int(size)
    if args.codes == 'iso':
        codes = iso_codes()
    else:
        codes = [code_for_index(i) for i in range(len(sizes))]
    if len(codes) < args.n:
        print(f'url-list: only {len(codes)} codes, {args.n} wanted', file=sys.stderr)
        return 1
    codes = codes[:args.n]
    base = args.base.rstrip('/')
    with open(args.out, 'w') as f:
        for code in codes:
            f.write(f'{base}/{code}/{code}.gif\n')
    with open(args.out + '.curl', 'w') as f:
        for code in codes:
            f.write(f'url = "{base}/{code}/{code}.gif"\n')
    with open(args.out + '.tsv', 'w') as f:
        for code in codes:
            if code in sizes:
                f.write(f'{code}.gif\t{sizes[code]}\n')
    return 0


# ---------------------------------------------------------------- DNS

def cmd_gen_names(args):
    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    names = [f'h{i:06d}.fbbench.test' for i in range(args.n)]
    exists = set(rng.sample(range(args.n), args.n // 2))
    order = list(range(args.n))
    rng.shuffle(order)
    with open(os.path.join(args.dir, 'names.txt'), 'w') as f:
        for i in order:
            f.write(names[i] + '\n')
    with open(os.path.join(args.dir, 'hosts'), 'w') as f, \
            open(os.path.join(args.dir, 'expected.tsv'), 'w') as g:
        for i in range(args.n):
            if i in exists:
                addr = f'127.0.0.{1 + i % 254}'
                f.write(f'{addr}\t{names[i]}\n')
                g.write(f'{names[i]}\t{addr}\n')
            else:
                g.write(f'{names[i]}\t-\n')
    print(f'names: {args.n} ({len(exists)} existing) in {args.dir}')
    return 0


def load_expected(path):
    expected = {}
    with open(path) as f:
        for line in f:
            name, addr = line.rstrip('\n').split('\t')
            expected[name] = None if addr == '-' else addr
    return expected


def iter_json_objects(text):
    dec = json.JSONDecoder()
    pos = 0
    n = len(text)
    while pos < n:
        while pos < n and text[pos] in ' \t\r\n':
            pos += 1
        if pos >= n:
            break
        obj, pos = dec.raw_decode(text, pos)
        yield obj


NAME_KEYS = ('name', 'domain', 'host', 'hostname', 'input', 'text', 'target', 'url')
STATE_KEYS = ('state', 'status', 'result', 'outcome')
OK_STATES = {'ok', 'found', 'resolved', 'success'}
MISSING_STATES = {'not-found', 'not_found', 'notfound', 'nxdomain', 'missing', 'not found'}


def _find_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, list):
        for v in obj:
            yield from _find_strings(v)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _find_strings(v)


def cmd_check_probe(args):
    """Reader of fetchboard-cli probe --json (src/cli/fb-cli-format.c: one
    object per job {"input", "kind", "state": ok|not-found|error|cancelled,
    "addresses": [...], ...}, then {"summary": true, "total", "ok",
    "not_found", "error", "cancelled", "rejected", ...}). Tolerant of other
    key names: any object naming an expected name is a job; its state comes
    from state/status/result or a boolean 'found'."""
    expected = load_expected(args.expected)
    with open(args.output, encoding='utf-8', errors='replace') as f:
        text = f.read()
    try:
        objects = list(iter_json_objects(text))
    except ValueError as e:
        print(f'check-probe: {args.output}: not JSON: {e}', file=sys.stderr)
        return 1
    seen = {}
    problems = []
    summaries = []
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        name = None
        for k in NAME_KEYS:
            v = obj.get(k)
            if isinstance(v, str) and v.rstrip('.').lower() in expected:
                name = v.rstrip('.').lower()
                break
        if name is None:
            summaries.append(obj)
            continue
        state = None
        for k in STATE_KEYS:
            v = obj.get(k)
            if isinstance(v, str):
                state = v.lower()
                break
        if state is None and isinstance(obj.get('found'), bool):
            state = 'ok' if obj['found'] else 'not-found'
        if name in seen:
            problems.append(f'{name}: reported twice')
        seen[name] = obj
        want = expected[name]
        if want is not None:
            if state not in OK_STATES:
                problems.append(f'{name}: expected found ({want}), got {state!r}')
            else:
                strings = [s for s in _find_strings(obj) if s.count('.') == 3]
                addrs = [s for s in strings if s.startswith('127.')]
                if addrs and want not in addrs:
                    problems.append(f'{name}: expected {want}, got {addrs}')
        elif state not in MISSING_STATES:
            problems.append(f'{name}: expected not found, got {state!r}')
    missing = [n for n in expected if n not in seen]
    for n in missing[:5]:
        problems.append(f'{n}: no result')
    n_found = sum(1 for v in expected.values() if v is not None)
    for s in summaries:
        # a summary with counters must add up (tolerant about names)
        nums = {k: v for k, v in s.items() if isinstance(v, int) and not isinstance(v, bool)}
        for k in ('ok', 'n_ok', 'found'):
            if k in nums and nums[k] != n_found:
                problems.append(f'summary {k}={nums[k]}, expected {n_found}')
        for k in ('error', 'errors', 'n_error', 'cancelled', 'n_cancelled', 'rejected'):
            if k in nums and nums[k] != 0:
                problems.append(f'summary {k}={nums[k]}, expected 0')
        for k in ('not_found', 'n_not_found'):
            if k in nums and nums[k] != len(expected) - n_found:
                problems.append(f'summary {k}={nums[k]}, expected {len(expected) - n_found}')
        for k in ('total', 'n_total'):
            if k in nums and nums[k] != len(expected):
                problems.append(f'summary {k}={nums[k]}, expected {len(expected)}')
    if problems:
        print(f'check-probe: {len(problems)} problem(s), {len(missing)} without a result; first:',
              file=sys.stderr)
        for p in problems[:10]:
            print('  ' + p, file=sys.stderr)
        return 1
    print(f'check-probe: {len(seen)} answers right ({n_found} found)')
    return 0


def cmd_check_gai(args):
    """bench-getaddrinfo prints '+ NAME ADDR' or '- NAME ERROR' per name."""
    expected = load_expected(args.expected)
    seen = {}
    problems = []
    with open(args.output) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or parts[0] not in '+-':
                continue
            name = parts[1]
            if name not in expected:
                problems.append(f'{name}: unexpected')
                continue
            want = expected[name]
            if parts[0] == '+':
                if want is None:
                    problems.append(f'{name}: expected not found, got {parts[2:]}')
                elif len(parts) < 3 or parts[2] != want:
                    problems.append(f'{name}: expected {want}, got {parts[2:]}')
            elif want is not None:
                problems.append(f'{name}: expected {want}, got {" ".join(parts[2:])}')
            seen[name] = True
    missing = [n for n in expected if n not in seen]
    for n in missing[:5]:
        problems.append(f'{n}: no result')
    if problems:
        print(f'check-gai: {len(problems)} problem(s); first:', file=sys.stderr)
        for p in problems[:10]:
            print('  ' + p, file=sys.stderr)
        return 1
    print(f'check-gai: {len(seen)} answers right')
    return 0


# ---------------------------------------------------------------- running

def cmd_free_port(args):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        print(s.getsockname()[1])
    return 0


def cmd_wait_http(args):
    deadline = time.monotonic() + args.seconds
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(args.url, timeout=2) as r:
                if r.status == 200:
                    r.read()
                    return 0
        except Exception as e:  # noqa: BLE001 - any failure means "not yet"
            last = e
        time.sleep(0.05)
    print(f'wait-http: {args.url} not ready after {args.seconds}s: {last}', file=sys.stderr)
    return 1


def cmd_record(args):
    rec = json.loads(args.json)
    for kv in args.tags:
        k, _, v = kv.partition('=')
        try:
            rec[k] = json.loads(v)
        except ValueError:
            rec[k] = v
    with open(args.file, 'a') as f:
        f.write(json.dumps(rec) + '\n')
    return 0


def cmd_check_dir(args):
    expected = {}
    with open(args.expected) as f:
        for line in f:
            name, size = line.rstrip('\n').split('\t')
            expected[name] = int(size)
    problems = []
    found = {}
    try:
        with os.scandir(args.dir) as it:
            for e in it:
                found[e.name] = e.stat(follow_symlinks=False).st_size if e.is_file() else -1
    except OSError as e:
        print(f'check-dir: {e}', file=sys.stderr)
        return 1
    for name, size in expected.items():
        got = found.get(name)
        if got is None:
            problems.append(f'{name}: missing')
        elif got != size:
            problems.append(f'{name}: {got} bytes, expected {size}')
    extra = sorted(set(found) - set(expected))
    for name in extra[:5]:
        problems.append(f'{name}: unexpected file')
    if problems:
        n_missing = sum(1 for n in expected if n not in found)
        print(f'check-dir: {args.dir}: {len(problems)} problem(s) '
              f'({n_missing} missing, {len(extra)} extra); first:', file=sys.stderr)
        for p in problems[:10]:
            print('  ' + p, file=sys.stderr)
        return 1
    return 0


def cmd_manifest_from_dir(args):
    with open(args.out, 'w') as f:
        with os.scandir(args.dir) as it:
            for e in sorted(it, key=lambda e: e.name):
                f.write(f'{e.name}\t{e.stat().st_size}\n')
    return 0


# ---------------------------------------------------------------- report

def load_records(outdir):
    recs = []
    for name in sorted(os.listdir(outdir)):
        if name.endswith('.jsonl'):
            with open(os.path.join(outdir, name)) as f:
                for line in f:
                    line = line.strip()
                    if line:
                        recs.append(json.loads(line))
    return recs


def fmt_s(x):
    if x is None:
        return '–'
    if x >= 10:
        return f'{x:.1f} s'
    if x >= 1:
        return f'{x:.2f} s'
    return f'{x * 1000:.0f} ms'


def fmt_ratio(x):
    return '–' if x is None else f'{x:.2f}×'


def summarize(recs):
    """(scenario, tool) -> dict of medians over the timed (non-warm-up) runs."""
    groups = {}
    for r in recs:
        groups.setdefault((r['scenario'], r['tool']), []).append(r)
    out = {}
    for key, rs in groups.items():
        timed = [r for r in rs if not r.get('warmup')]
        failed = [r for r in rs if not r.get('ok')]
        s = {'n': len(timed), 'failed': len(failed), 'records': rs,
             'items': rs[0].get('items'), 'concurrency': rs[0].get('concurrency'),
             'command': rs[0].get('command'), 'note': rs[0].get('note'),
             'ideal': rs[0].get('ideal'), 'fail_reason': next(
                 (r.get('fail_reason') for r in failed if r.get('fail_reason')), None)}
        good = [r for r in timed if r.get('ok')]
        if good:
            walls = [r['wall'] for r in good]
            cpus = [r['user'] + r['sys'] for r in good]
            s['wall'] = statistics.median(walls)
            s['wall_min'] = min(walls)
            s['wall_max'] = max(walls)
            s['cpu'] = statistics.median(cpus)
            s['rss'] = max(r['maxrss_kib'] for r in good)
            s['rss_median'] = statistics.median(r['maxrss_kib'] for r in good)
        out[key] = s
    return out


PEERS = ('curl', 'wget2', 'aria2c')


def simple_table(summ, scenario, lines):
    """Runs, wall, CPU and RSS only (for programs that report their own rates)."""
    tools = sorted({t for (sc, t) in summ if sc == scenario})
    if not tools:
        return False
    lines.append('| program | runs | median wall | min–max | CPU user+sys (median) | peak RSS |')
    lines.append('|---|---|---|---|---|---|')
    for t in tools:
        s = summ[(scenario, t)]
        if 'wall' not in s or s['failed']:
            lines.append(f'| {t} | {s["n"]} | FAILED: {s.get("fail_reason") or "failed"} | | | |')
            continue
        lines.append(f'| {t} | {s["n"]} | {fmt_s(s["wall"])} | {fmt_s(s["wall_min"])}–'
                     f'{fmt_s(s["wall_max"])} | {fmt_s(s["cpu"])} | {s["rss"] / 1024:.1f} MiB |')
    return True


def scenario_table(summ, scenario, lines, per_item_unit='file', rate=False):
    tools = sorted({t for (sc, t) in summ if sc == scenario},
                   key=lambda t: (t != 'fetchboard-cli', t))
    if not tools:
        return False
    peers_ok = [summ[(scenario, t)] for t in tools
                if t != 'fetchboard-cli' and 'wall' in summ[(scenario, t)]
                and not summ[(scenario, t)]['failed']]
    fastest = min((p['wall'] for p in peers_ok), default=None)
    hdr = '| tool | runs | median wall | min–max | vs fastest peer | CPU user+sys (median) | CPU per ' \
          + per_item_unit + ' | peak RSS |'
    if rate:
        hdr = hdr + f' {per_item_unit}s/s |'
    lines.append(hdr)
    lines.append('|' + '---|' * (hdr.count('|') - 1))
    for t in tools:
        s = summ[(scenario, t)]
        if 'wall' not in s or s['failed']:
            why = s.get('fail_reason') or 'failed'
            lines.append(f'| {t} | {s["n"]} | FAILED ({s["failed"]} run(s)): {why} |' + ' |' * (
                hdr.count('|') - 4))
            continue
        items = s['items'] or 1
        ratio = s['wall'] / fastest if fastest else None
        row = (f'| {t} | {s["n"]} | {fmt_s(s["wall"])} | {fmt_s(s["wall_min"])}–{fmt_s(s["wall_max"])}'
               f' | {fmt_ratio(ratio)} | {fmt_s(s["cpu"])} | {s["cpu"] / items * 1e6:.0f} µs'
               f' | {s["rss"] / 1024:.1f} MiB |')
        if rate:
            row += f' {items / s["wall"]:,.0f} |'
        lines.append(row)
    return True


SECTIONS = [
    ('nginx', '(1) and (2): small files from nginx', [
        ('nginx-1k-c5', '1,000 files, concurrency 5, tmpfs'),
        ('nginx-1k-c100', '1,000 files, concurrency 100, tmpfs'),
        ('nginx-1k-c100-disk', '1,000 files, concurrency 100, output on disk'),
        ('nginx-10k-c100', '10,000 files, concurrency 100, tmpfs'),
    ]),
    ('latency', '(3) latency-bound: 0.1 s server delay', [
        ('latency-200-c5', '200 files, concurrency 5 (ideal 4.0 s)'),
        ('latency-200-c50', '200 files, concurrency 50 (ideal 0.4 s)'),
        ('latency-25-c5', '25 files, concurrency 5 (quick; ideal 0.5 s)'),
    ]),
    ('dns', '(4) DNS: names against a local dnsmasq in a network namespace', [
        ('dns-10k-c100', '10,000 names (half exist), concurrency 100'),
        ('dns-2k-c100', '2,000 names (half exist), concurrency 100 (quick)'),
    ]),
    ('memory', '(5) memory: 100,000 queued jobs', [
        ('mem-100k-c100', '100,000 URLs from nginx, concurrency 100, tmpfs'),
        ('mem-10k-c100', '10,000 URLs from nginx, concurrency 100 (quick)'),
    ]),
    ('parser', 'list parser', [
        ('parser', 'bench-list-parser'),
    ]),
]


# Figures measured outside this suite (the window's memory by hand, its stall by
# bench/window-stall.sh) are written into RESULTS.md by hand; a new report keeps them.
HAND_ROWS = ('| (5b) ', '| (6) ')


def hand_rows(results):
    try:
        with open(results) as f:
            return {p: l.rstrip('\n') for l in f for p in HAND_ROWS
                    if l.startswith(p) and 'not measured by this suite' not in l}
    except OSError:
        return {}


def headline(summ, lines, kept=None):
    """The figures the issue asks for, one line each."""
    kept = kept or {}
    def get(sc, tool):
        s = summ.get((sc, tool))
        return s if s and 'wall' in s and not s['failed'] else None

    def fastest_peer(sc):
        best = None
        for t in PEERS:
            s = get(sc, t)
            if s and (best is None or s['wall'] < best[1]['wall']):
                best = (t, s)
        return best

    rows = []
    for sc, label in (('nginx-1k-c5', '(1) 1,000 files, c=5'),
                      ('nginx-1k-c100', '(1) 1,000 files, c=100'),
                      ('nginx-1k-c100-disk', '(1) 1,000 files, c=100, disk'),
                      ('nginx-10k-c100', '(2) 10,000 files, c=100')):
        fb = get(sc, 'fetchboard-cli')
        fp = fastest_peer(sc)
        if not fp and not fb:
            continue
        fb_txt = fmt_s(fb['wall']) if fb else _fb_missing(summ, sc)
        peer_txt = f'{fp[0]} {fmt_s(fp[1]["wall"])}' if fp else '–'
        ratio = fmt_ratio(fb['wall'] / fp[1]['wall']) if fb and fp else '–'
        rows.append(f'| {label} | {fb_txt} | {peer_txt} | {ratio} |')
    fb = get('nginx-10k-c100', 'fetchboard-cli')
    cu = get('nginx-10k-c100', 'curl')
    if cu:
        items = cu['items']
        fb_cpu = f'{fb["cpu"] / items * 1e6:.0f} µs/file' if fb else _fb_missing(summ, 'nginx-10k-c100')
        ratio = fmt_ratio(fb['cpu'] / cu['cpu']) if fb else '–'
        rows.append(f'| (2) CPU per file, 10,000 files, c=100 | {fb_cpu} | curl '
                    f'{cu["cpu"] / items * 1e6:.0f} µs/file | {ratio} |')
    for sc, label, ideal in (('latency-200-c5', '(3) 200 files, 0.1 s delay, c=5', 4.0),
                             ('latency-200-c50', '(3) 200 files, 0.1 s delay, c=50', 0.4),
                             ('latency-25-c5', '(3) 25 files, 0.1 s delay, c=5 (quick)', 0.5)):
        fb = get(sc, 'fetchboard-cli')
        fp = fastest_peer(sc)
        if not fp and not fb:
            continue
        fb_txt = (f'{fmt_s(fb["wall"])} ({fb["wall"] / ideal:.2f}× ideal)' if fb
                  else _fb_missing(summ, sc))
        peer_txt = (f'{fp[0]} {fmt_s(fp[1]["wall"])} ({fp[1]["wall"] / ideal:.2f}× ideal)'
                    if fp else '–')
        ratio = fmt_ratio(fb['wall'] / fp[1]['wall']) if fb and fp else '–'
        rows.append(f'| {label}, ideal {fmt_s(ideal)} | {fb_txt} | {peer_txt} | {ratio} |')
    for sc, label in (('dns-10k-c100', '(4) DNS, 10,000 names, c=100'),
                      ('dns-2k-c100', '(4) DNS, 2,000 names, c=100 (quick)')):
        fb = get(sc, 'fetchboard-cli')
        peer = get(sc, 'getaddrinfo-100-threads')
        if not fb and not peer:
            continue
        fb_txt = (f'{fb["items"] / fb["wall"]:,.0f} names/s' if fb else _fb_missing(summ, sc))
        peer_txt = (f'getaddrinfo×100 threads {peer["items"] / peer["wall"]:,.0f} names/s'
                    if peer else '–')
        ratio = fmt_ratio(fb['wall'] / peer['wall']) if fb and peer else '–'
        rows.append(f'| {label} | {fb_txt} | {peer_txt} | {ratio} (time) |')
    mem_rows = [('mem-100k-c100', '(5) peak RSS, 100,000 jobs (target < 100 MiB)'),
                ('mem-10k-c100', '(5) peak RSS, 10,000 jobs (quick)')]
    if not any(k[0].startswith('mem-') for k in summ):
        mem_rows.append(('nginx-10k-c100', '(5) peak RSS, 10,000 jobs (from figure 2; quick)'))
    for sc, label in mem_rows:
        fb = get(sc, 'fetchboard-cli')
        peers = [(t, get(sc, t)) for t in PEERS if get(sc, t)]
        if not fb and not peers:
            continue
        fb_txt = f'{fb["rss"] / 1024:.1f} MiB' if fb else _fb_missing(summ, sc)
        if fb and sc == 'mem-100k-c100':
            fb_txt += ' (meets target)' if fb['rss'] < 100 * 1024 else ' (OVER target)'
        peer_txt = ', '.join(f'{t} {s["rss"] / 1024:.1f} MiB' for t, s in peers) or '–'
        rows.append(f'| {label} | {fb_txt} | {peer_txt} | |')
    if '| (5b) ' in kept:
        rows.append(kept['| (5b) '])
    rows.append(kept.get('| (6) ', '| (6) window stall (longest main-loop stall, GUI helper) | '
                         'not measured by this suite — slot for the GUI figure | | |'))
    lines.append('| figure | fetchboard-cli | best peer | ratio |')
    lines.append('|---|---|---|---|')
    lines.extend(rows)


def _fb_missing(summ, sc):
    s = summ.get((sc, 'fetchboard-cli'))
    if s is None:
        return 'not run'
    return 'FAILED: ' + (s.get('fail_reason') or 'check failed')


def cmd_report(args):
    outdir = args.outdir
    recs = load_records(outdir)
    try:
        with open(os.path.join(outdir, 'env.json')) as f:
            env = json.load(f)
    except (OSError, ValueError):
        env = {}
    notes = {}
    for name in os.listdir(outdir):
        if name.startswith('notes-') and name.endswith('.md'):
            with open(os.path.join(outdir, name)) as f:
                notes[name[6:-3]] = f.read().strip()
    summ = summarize(recs)
    lines = ['# Fetchboard benchmark results', '']
    lines.append('Written by `bench/run.sh` (see `bench/README.md`); raw numbers in '
                 '`bench/out/`. Every figure is the median of the timed runs after one '
                 'warm-up run; tools take turns within each repetition, so they share '
                 'the machine\'s noise. Wall time is the whole process (start, transfer, '
                 'exit); CPU is user+sys of the process and its children (wait4 rusage); '
                 'peak RSS is ru_maxrss. Every run was checked afterwards (every file '
                 'present with the right size, or every DNS answer right); a failed check '
                 'fails the tool for that scenario.')
    lines.append('')
    if env.get('mode') == 'quick':
        lines.append('**Quick mode** (`--quick`): fewer runs and smaller sizes; '
                     'a smoke test, not the figures.')
        lines.append('')
    lines.append('## Machine and tools')
    lines.append('')
    m = env.get('machine', {})
    lines.append(f'- CPU: {m.get("cpu", "?")}, nproc {m.get("nproc", "?")}, '
                 f'memory {m.get("mem", "?")}')
    lines.append(f'- Kernel: {m.get("kernel", "?")}; {m.get("os", "")}')
    for tool, ver in env.get('versions', {}).items():
        lines.append(f'- {tool}: {ver}')
    sections_run = env.get('sections', {})
    if sections_run:
        lines.append('- Sections last run: ' + ', '.join(
            f'{k} {v}' for k, v in sorted(sections_run.items())))
    lines.append('')
    lines.append('## Headline figures')
    lines.append('')
    headline(summ, lines, hand_rows(args.results))
    lines.append('')
    for sec, title, scenarios in SECTIONS:
        block = []
        for sc, label in scenarios:
            sub = []
            rate = sec == 'dns'
            unit = 'name' if sec == 'dns' else 'file'
            if sec == 'parser':
                shown = simple_table(summ, sc, sub)
            else:
                shown = scenario_table(summ, sc, sub, per_item_unit=unit, rate=rate)
            if shown:
                block.append(f'### {label}')
                block.append('')
                block.extend(sub)
                block.append('')
        if not block and sec not in notes:
            continue
        lines.append(f'## {title}')
        lines.append('')
        if sec in notes:
            lines.append(notes[sec])
            lines.append('')
        lines.extend(block)
    cmd_lines = []
    for sec, title, scenarios in SECTIONS:
        for sc, label in scenarios:
            tools = sorted({t for (s2, t) in summ if s2 == sc},
                           key=lambda t: (t != 'fetchboard-cli', t))
            if not tools:
                continue
            cmd_lines.append(f'{label}:')
            cmd_lines.append('')
            for t in tools:
                c = summ[(sc, t)].get('command')
                if c:
                    cmd_lines.append(f'- {t}: `{c}`')
            cmd_lines.append('')
            break  # one scenario per section; the others differ in N, C and folders
    if cmd_lines:
        lines.append('## Exact commands (one scenario per section; the others differ only in N, C and folders)')
        lines.append('')
        lines.extend(cmd_lines)
    if 'servers' in notes:
        lines.append('## Servers')
        lines.append('')
        lines.append(notes['servers'])
        lines.append('')
    with open(args.results, 'w') as f:
        f.write('\n'.join(lines).rstrip() + '\n')
    print(f'report: wrote {args.results}')
    return 0


def cmd_env(args):
    """Merges machine facts, tool versions and the section's date into OUTDIR/env.json."""
    path = os.path.join(args.outdir, 'env.json')
    try:
        with open(path) as f:
            env = json.load(f)
    except (OSError, ValueError):
        env = {}
    env['mode'] = args.mode
    machine = env.setdefault('machine', {})
    for kv in args.machine:
        k, _, v = kv.partition('=')
        machine[k] = v
    versions = env.setdefault('versions', {})
    for kv in args.version:
        k, _, v = kv.partition('=')
        versions[k] = v
    if args.section:
        env.setdefault('sections', {})[args.section] = time.strftime('%Y-%m-%d %H:%M')
    with open(path, 'w') as f:
        json.dump(env, f, indent=1)
    return 0


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(prog='fbbench.py')
    sub = p.add_subparsers(dest='cmd', required=True)

    s = sub.add_parser('gen-catalog')
    s.add_argument('root')
    s.add_argument('n', type=int)
    s.add_argument('--seed', type=int, default=2026)
    s.set_defaults(func=cmd_gen_catalog)

    s = sub.add_parser('url-list')
    s.add_argument('root')
    s.add_argument('base')
    s.add_argument('n', type=int)
    s.add_argument('out')
    s.add_argument('--codes', choices=('catalog', 'iso'), default='catalog')
    s.set_defaults(func=cmd_url_list)

    s = sub.add_parser('gen-names')
    s.add_argument('dir')
    s.add_argument('n', type=int)
    s.add_argument('--seed', type=int, default=2026)
    s.set_defaults(func=cmd_gen_names)

    s = sub.add_parser('free-port')
    s.set_defaults(func=cmd_free_port)

    s = sub.add_parser('wait-http')
    s.add_argument('url')
    s.add_argument('seconds', type=float)
    s.set_defaults(func=cmd_wait_http)

    s = sub.add_parser('record')
    s.add_argument('file')
    s.add_argument('json')
    s.add_argument('tags', nargs='*')
    s.set_defaults(func=cmd_record)

    s = sub.add_parser('check-dir')
    s.add_argument('dir')
    s.add_argument('expected')
    s.set_defaults(func=cmd_check_dir)

    s = sub.add_parser('manifest-from-dir')
    s.add_argument('dir')
    s.add_argument('out')
    s.set_defaults(func=cmd_manifest_from_dir)

    s = sub.add_parser('check-probe')
    s.add_argument('output')
    s.add_argument('expected')
    s.set_defaults(func=cmd_check_probe)

    s = sub.add_parser('check-gai')
    s.add_argument('output')
    s.add_argument('expected')
    s.set_defaults(func=cmd_check_gai)

    s = sub.add_parser('env')
    s.add_argument('outdir')
    s.add_argument('--mode', default='full')
    s.add_argument('--section')
    s.add_argument('--machine', action='append', default=[])
    s.add_argument('--version', action='append', default=[])
    s.set_defaults(func=cmd_env)

    s = sub.add_parser('report')
    s.add_argument('outdir')
    s.add_argument('results')
    s.set_defaults(func=cmd_report)

    args = p.parse_args()
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
