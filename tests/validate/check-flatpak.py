#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest agrees with the meson build.

Reads flatpak/io.github.fetchboard.Fetchboard.json and the meson.build files, and checks:
the manifest id is the app id of the top meson.build (without .Devel), `command` is a
program meson installs, the last module is the project (meson buildsystem, built from
the checkout with `..`, tests on), the runtime is GNOME 44 with the agreed finish-args,
and every module fetched from the network is pinned by sha256.

usage: check-flatpak.py SOURCE_ROOT
"""

import json
import os
import re
import sys

FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
    '--filesystem=xdg-download',
}

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def read(root, *parts):
    with open(os.path.join(root, *parts), encoding='utf-8') as f:
        return f.read()


def installed_programs(root):
    """Names of executable() targets with install: true, in every meson.build under src/."""
    names = set()
    for dirpath, _, filenames in os.walk(os.path.join(root, 'src')):
        if 'meson.build' not in filenames:
            continue
        text = read(dirpath, 'meson.build')
        for match in re.finditer(r"executable\(\s*'([^']+)'(.*?)\n\)", text, re.S):
            if re.search(r'install\s*:\s*true', match.group(2)):
                names.add(match.group(1))
    return names


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    top = read(root, 'meson.build')
    project = re.search(r"project\(\s*'([^']+)'", top).group(1)
    app_id = re.search(r"^app_id = '([^']+)'", top, re.M).group(1)
    programs = installed_programs(root)

    path = os.path.join('flatpak', app_id + '.json')
    check(os.path.isfile(os.path.join(root, path)), f'{path} does not exist')
    if problems:
        print('\n'.join(problems))
        return 1
    manifest = json.loads(read(root, path))

    check(manifest.get('id') == app_id, f"id is {manifest.get('id')!r}, meson says {app_id!r}")
    check(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is not org.gnome.Platform')
    check(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is not org.gnome.Sdk')
    check(manifest.get('runtime-version') == '44', 'runtime-version is not "44"')
    command = manifest.get('command')
    check(command == 'fetchboard', f'command is {command!r}, not fetchboard')
    check(command in programs, f'command {command!r} is not a program meson installs {sorted(programs)}')
    args = manifest.get('finish-args', [])
    check(set(args) == FINISH_ARGS and len(args) == len(FINISH_ARGS),
          f'finish-args are {args}, expected {sorted(FINISH_ARGS)}')

    modules = manifest.get('modules', [])
    if check(len(modules) >= 1, 'no modules'):
        app = modules[-1]
        check(app.get('name') == project, f"last module is {app.get('name')!r}, not {project!r}")
        check(app.get('buildsystem') == 'meson', 'the app module is not built with meson')
        check(app.get('run-tests') is True, 'the app module does not run its tests')
        sources = app.get('sources', [])
        check(len(sources) == 1 and sources[0].get('type') == 'dir'
              and os.path.normpath(os.path.join(root, 'flatpak', sources[0].get('path', '')))
              == os.path.normpath(root),
              'the app module is not built from this checkout (type dir, path "..")')
        names = [m.get('name') for m in modules]
        check('cunit' in names[:-1], 'no cunit module before the app (the GNOME Sdk lacks CUnit)')

    for module in modules:
        for source in module.get('sources', []):
            if source.get('type') in ('archive', 'file'):
                check(re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')) is not None,
                      f"{module.get('name')}: {source.get('url')} has no sha256")
                check(source.get('url', '').startswith('https://'),
                      f"{module.get('name')}: {source.get('url')} is not https")

    for problem in problems:
        print(problem)
    print(f'{path}: id {manifest.get("id")}, command {command}, '
          f'{len(modules)} modules, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
