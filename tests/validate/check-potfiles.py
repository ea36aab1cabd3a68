#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""po/POTFILES.in must list every file with translatable strings.

Fails when a .c, .h or .ui file under src/ or ui/ (or a desktop, metainfo or schema
file under data/) holds translatable strings but is missing from po/POTFILES.in,
when an entry names a file that does not exist, and when the list is not sorted or
has duplicates.

usage: check-potfiles.py [--write] SOURCE_ROOT
  --write  rewrite po/POTFILES.in to list exactly the files that need it (po/update.sh
           does this before it extracts the template)
"""

import os
import re
import sys

# _("…"), N_("…"), C_("ctx", "…"), NC_(…), ngettext (…), g_dngettext (…),
# and GtkBuilder's translatable="yes" (also "true" and "1", as GTK accepts them).
C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_)\s*\(\s*"'
                       r'|(?<![A-Za-z0-9_])(?:g_d?ngettext|ngettext)\s*\(')
UI_MARKERS = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
DATA_SUFFIXES = ('.desktop.in', '.metainfo.xml.in', '.gschema.xml')


def read_potfiles(path):
    entries = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                entries.append(line)
    return entries


def files_with_strings(root):
    found = []
    for top in ('src', 'ui'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if name.endswith(('.c', '.h')):
                    pattern = C_MARKERS
                elif name.endswith('.ui'):
                    pattern = UI_MARKERS
                else:
                    continue
                with open(path, encoding='utf-8', errors='replace') as f:
                    if pattern.search(f.read()):
                        found.append(rel)
    data = os.path.join(root, 'data')
    for name in sorted(os.listdir(data)):
        if name.endswith(DATA_SUFFIXES):
            found.append(os.path.join('data', name))
    return found


def write_potfiles(path, needed):
    with open(path, encoding='utf-8') as f:
        header = [line for line in f if line.startswith('#')]
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(header)
        f.writelines(entry + '\n' for entry in sorted(needed))


def main():
    args = sys.argv[1:]
    write = '--write' in args
    args = [a for a in args if a != '--write']
    if len(args) != 1:
        sys.exit(__doc__)
    root = args[0]
    potfiles = os.path.join(root, 'po', 'POTFILES.in')
    if write:
        write_potfiles(potfiles, files_with_strings(root))
    entries = read_potfiles(potfiles)
    problems = []

    for entry in entries:
        if not os.path.isfile(os.path.join(root, entry)):
            problems.append(f'po/POTFILES.in names a missing file: {entry}')
    duplicates = sorted({e for e in entries if entries.count(e) > 1})
    for entry in duplicates:
        problems.append(f'po/POTFILES.in lists {entry} more than once')
    if entries != sorted(entries):
        problems.append('po/POTFILES.in is not sorted (LC_ALL=C sort)')

    listed = set(entries)
    needed = files_with_strings(root)
    for path in needed:
        if path not in listed:
            problems.append(f'{path} has translatable strings but is missing from po/POTFILES.in')

    for problem in problems:
        print(problem)
    print(f'{len(needed)} files with translatable strings, {len(entries)} entries in po/POTFILES.in')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
