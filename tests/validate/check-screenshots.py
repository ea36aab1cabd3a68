#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every screenshot the metainfo and the README show exists in the source tree.

The metainfo points at raw files of the repository
(https://raw.githubusercontent.com/fetchboard/fetchboard/main/PATH); each PATH, and
each image README.md links, must be a PNG in this checkout, with the size the
metainfo declares when it declares one.

usage: check-screenshots.py SOURCE_ROOT
"""

import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

RAW_PREFIX = 'https://raw.githubusercontent.com/fetchboard/fetchboard/main/'
METAINFO = 'data/io.github.fetchboard.Fetchboard.metainfo.xml.in'

problems = []


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def check_image(root, rel, origin, width=None, height=None):
    path = os.path.join(root, rel)
    if not os.path.isfile(path):
        problems.append(f'{origin} shows {rel}, which does not exist')
        return
    size = png_size(path)
    if size is None:
        problems.append(f'{rel} ({origin}) is not a PNG file')
    elif width and height and size != (int(width), int(height)):
        problems.append(f'{rel} is {size[0]}x{size[1]}, {origin} says {width}x{height}')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    images = 0
    for image in ET.parse(os.path.join(root, METAINFO)).getroot().iter('image'):
        url = (image.text or '').strip()
        images += 1
        if not url.startswith(RAW_PREFIX):
            problems.append(f'{METAINFO}: {url} is not a file of the repository ({RAW_PREFIX}…)')
            continue
        check_image(root, url[len(RAW_PREFIX):], METAINFO, image.get('width'), image.get('height'))
    if images == 0:
        problems.append(f'{METAINFO} has no screenshot')

    with open(os.path.join(root, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    for rel in re.findall(r'!\[[^\]]*\]\(([^)\s]+)', readme):
        if '://' not in rel:
            images += 1
            check_image(root, rel, 'README.md')

    for problem in problems:
        print(problem)
    print(f'{images} screenshots, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
