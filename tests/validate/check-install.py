#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install` into a temporary DESTDIR puts every file where a desktop finds it.

1. `meson install --destdir TMP` (meson rebuilds first if anything is out of date).
2. Every file `meson introspect --installed` promises exists under TMP, and the
   desktop-integration files are among them: both programs (executable), the desktop
   file, the metainfo, the schema, both icons, the zh_CN catalogue.
3. The installed files validate (desktop-file-validate, appstreamcli --no-net, the
   icons parse as SVG) and agree with each other: Exec names an installed program with
   %U, Icon names an installed icon, the metainfo's id, launchable and binaries match.
4. The post-install steps of gnome.post_install() succeed on TMP. Meson skips them
   when DESTDIR is set (they would touch the real system), so they run here with the
   same tools: glib-compile-schemas --strict, gtk4-update-icon-cache,
   update-desktop-database. The compiled schema is then read back with gsettings:
   exactly the keys the app uses, with their defaults.

usage: check-install.py MESON BUILD_ROOT
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SCHEMA_ID = 'io.github.fetchboard.Fetchboard'
PROGRAMS = ('fetchboard', 'fetchboard-cli')
MIME_TYPES = ('text/plain', 'text/uri-list', 'text/csv')
# key: default as `gsettings get` prints it
SCHEMA_DEFAULTS = {
    'concurrent-jobs': 'uint32 5',
    'timeout': '3.1000000000000001',
    'dns-timeout': '5.0',
    'destination': "''",
    'base-url': "''",
    'start-after-drop': 'false',
    'overwrite': 'false',
    'metadata-names': 'true',
    'window-width': '1100',
    'window-height': '720',
    'window-maximized': 'false',
    'connect-timeout': '10.0',
    'max-time': '0.0',
    'speed-limit': 'uint64 0',
    'speed-time': '30.0',
    'retries': 'uint32 3',
    'per-host': 'uint32 0',
}
SCHEMA_RANGES = {
    'concurrent-jobs': "range u 1 1000",
    'timeout': "range d 0.10000000000000001 600.0",
    'dns-timeout': "range d 0.10000000000000001 600.0",
    'connect-timeout': "range d 0.10000000000000001 600.0",
    'max-time': "range d 0.0 86400.0",
    'speed-limit': "range t 0 1000000000",
    'speed-time': "range d 1.0 3600.0",
    'retries': "range u 0 100",
    'per-host': "range u 0 1000",
}

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def run(argv, **kwargs):
    """Run a command, record a problem when it fails, return its stdout."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kwargs)
    if proc.returncode != 0:
        problems.append(f'{" ".join(argv)} exited with {proc.returncode}:\n{proc.stdout}')
    return proc.stdout


def app_id_of(build_root):
    with open(os.path.join(build_root, 'config.h'), encoding='utf-8') as f:
        match = re.search(r'#define APP_ID "([^"]+)"', f.read())
    if not match:
        sys.exit('config.h has no APP_ID')
    return match.group(1)


def build_options(meson, build_root):
    out = subprocess.run([meson, 'introspect', '--buildoptions', build_root],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return {o['name']: o['value'] for o in json.loads(out)}


def under(destdir, path):
    return os.path.join(destdir, path.lstrip('/'))


def desktop_entry(path):
    entry = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if '=' in line and not line.startswith('#'):
                key, value = line.split('=', 1)
                entry[key] = value
    return entry


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    meson, build_root = sys.argv[1], os.path.abspath(sys.argv[2])
    app_id = app_id_of(build_root)
    opts = build_options(meson, build_root)
    prefix = opts['prefix']
    bindir = os.path.join(prefix, opts['bindir'])
    datadir = os.path.join(prefix, opts['datadir'])
    localedir = os.path.join(prefix, opts['localedir'])

    destdir = tempfile.mkdtemp(prefix='fetchboard-install-')
    try:
        env = dict(os.environ)
        env.pop('DESTDIR', None)
        proc = subprocess.run([meson, 'install', '-C', build_root, '--destdir', destdir],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        if proc.returncode != 0:
            print(proc.stdout)
            print(f'meson install failed with {proc.returncode}')
            return 1
        check_tree(meson, build_root, destdir, app_id, bindir, datadir, localedir)
    finally:
        shutil.rmtree(destdir, ignore_errors=True)

    for problem in problems:
        print(problem)
    print(f'{len(problems)} problems')
    return 1 if problems else 0


def check_tree(meson, build_root, destdir, app_id, bindir, datadir, localedir):
    installed = json.loads(subprocess.run([meson, 'introspect', '--installed', build_root],
                                          check=True, stdout=subprocess.PIPE, text=True).stdout)
    for path in installed.values():
        check(os.path.exists(under(destdir, path)), f'meson promised {path}, not installed')

    apps = os.path.join(datadir, 'applications')
    desktop = os.path.join(apps, app_id + '.desktop')
    metainfo = os.path.join(datadir, 'metainfo', app_id + '.metainfo.xml')
    schemas = os.path.join(datadir, 'glib-2.0', 'schemas')
    hicolor = os.path.join(datadir, 'icons', 'hicolor')
    icon = os.path.join(hicolor, 'scalable', 'apps', app_id + '.svg')
    symbolic = os.path.join(hicolor, 'symbolic', 'apps', app_id + '-symbolic.svg')
    expected = [os.path.join(bindir, p) for p in PROGRAMS] + [
        desktop, metainfo, os.path.join(schemas, SCHEMA_ID + '.gschema.xml'), icon, symbolic,
        os.path.join(localedir, 'zh_CN', 'LC_MESSAGES', 'fetchboard.mo'),
    ]
    for path in expected:
        if check(os.path.isfile(under(destdir, path)), f'{path} is not installed'):
            check(os.path.getsize(under(destdir, path)) > 0, f'{path} is empty')
    for program in PROGRAMS:
        path = under(destdir, os.path.join(bindir, program))
        if os.path.isfile(path):
            check(os.access(path, os.X_OK), f'{path} is not executable')
    if problems:
        return

    # The installed files validate.
    run(['desktop-file-validate', under(destdir, desktop)])
    run(['appstreamcli', 'validate', '--no-net', '--explain', under(destdir, metainfo)])
    for path in (icon, symbolic):
        root = ET.parse(under(destdir, path)).getroot()
        check(root.tag == '{http://www.w3.org/2000/svg}svg', f'{path} is not an SVG document')

    # They agree with each other.
    entry = desktop_entry(under(destdir, desktop))
    exec_line = entry.get('Exec', '').split()
    check(exec_line[:1] == ['fetchboard'], f'Exec= does not start fetchboard: {entry.get("Exec")}')
    check('%U' in exec_line, 'Exec= lacks %U, so dropped or opened lists would be lost')
    check(entry.get('Icon') == app_id, f'Icon={entry.get("Icon")} is not {app_id}')
    mimes = entry.get('MimeType', '').split(';')
    for mime in MIME_TYPES:
        check(mime in mimes, f'MimeType= lacks {mime}')

    component = ET.parse(under(destdir, metainfo)).getroot()
    check(component.findtext('id') == app_id, f'metainfo id is not {app_id}')
    check(component.findtext('launchable') == app_id + '.desktop',
          'metainfo launchable does not name the desktop file')
    binaries = [b.text for b in component.iter('binary')]
    check(sorted(binaries) == sorted(PROGRAMS), f'metainfo provides {binaries}')
    check(component.find('description/p[@{http://www.w3.org/XML/1998/namespace}lang="zh_CN"]')
          is not None, 'metainfo carries no zh_CN translation')

    # gnome.post_install(), as meson would run it without DESTDIR.
    schemas_dest = under(destdir, schemas)
    run(['glib-compile-schemas', '--strict', schemas_dest])
    check(os.path.isfile(os.path.join(schemas_dest, 'gschemas.compiled')),
          'glib-compile-schemas wrote no gschemas.compiled')
    icon_cache = shutil.which('gtk4-update-icon-cache') or shutil.which('gtk-update-icon-cache')
    if check(icon_cache is not None, 'no gtk4-update-icon-cache or gtk-update-icon-cache'):
        run([icon_cache, '--quiet', '--ignore-theme-index', '--force', under(destdir, hicolor)])
        check(os.path.isfile(os.path.join(under(destdir, hicolor), 'icon-theme.cache')),
              'the icon cache was not written')
    run(['update-desktop-database', '--quiet', under(destdir, apps)])
    cache = os.path.join(under(destdir, apps), 'mimeinfo.cache')
    if check(os.path.isfile(cache), 'update-desktop-database wrote no mimeinfo.cache'):
        with open(cache, encoding='utf-8') as f:
            text = f.read()
        for mime in MIME_TYPES:
            check(re.search(rf'^{re.escape(mime)}=.*\b{re.escape(app_id)}\.desktop;', text, re.M),
                  f'mimeinfo.cache does not offer {app_id} for {mime}')

    # The compiled schema holds exactly the keys the app uses, with their defaults.
    env = dict(os.environ, GSETTINGS_BACKEND='memory', GSETTINGS_SCHEMA_DIR=schemas_dest)
    keys = run(['gsettings', 'list-keys', SCHEMA_ID], env=env).split()
    check(sorted(keys) == sorted(SCHEMA_DEFAULTS), f'schema keys are {sorted(keys)}')
    for key, default in SCHEMA_DEFAULTS.items():
        value = run(['gsettings', 'get', SCHEMA_ID, key], env=env).strip()
        check(value == default, f'{key} defaults to {value}, expected {default}')
    for key, expected_range in SCHEMA_RANGES.items():
        value = ' '.join(run(['gsettings', 'range', SCHEMA_ID, key], env=env).split())
        check(value == expected_range, f'{key} has range {value}, expected {expected_range}')


if __name__ == '__main__':
    sys.exit(main())
