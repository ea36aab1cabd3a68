#!/usr/bin/env bash
# Regenerate the translation template from po/POTFILES.in and merge it into every
# language listed in po/LINGUAS.
#
#   po/update.sh             refresh po/POTFILES.in, write po/fetchboard.pot, msgmerge each
#                            po/LANG.po, print statistics
#   po/update.sh --pot FILE  only write the template to FILE (used by the tests)
#
# Keywords match meson's i18n 'glib' preset (po/meson.build), so this template and the
# one `meson compile fetchboard-pot` writes hold the same messages.
set -euo pipefail

podir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$podir")
domain=fetchboard

pot_only=""
case "${1:-}" in
  "") ;;
  --pot)
    [ $# -eq 2 ] || { echo "usage: $0 [--pot FILE]" >&2; exit 2; }
    pot_only=$2
    ;;
  *) echo "usage: $0 [--pot FILE]" >&2; exit 2 ;;
esac

if [ -z "$pot_only" ]; then
  # List every file under src/, ui/ and data/ that has translatable strings.
  /usr/bin/python3 "$top/tests/validate/check-potfiles.py" --write "$top"
fi

version=$(sed -n "s/^ *version: '\([^']*\)',.*/\1/p" "$top/meson.build" | head -n 1)

c_files=()
other_files=()
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%%#*}
  line=$(printf '%s' "$line" | tr -d '[:space:]')
  [ -n "$line" ] || continue
  [ -f "$top/$line" ] || { echo "po/POTFILES.in names a missing file: $line" >&2; exit 1; }
  case "$line" in
    *.c|*.h) c_files+=("$line") ;;
    *) other_files+=("$line") ;;
  esac
done < "$podir/POTFILES.in"

common=(
  --directory="$top"
  --from-code=UTF-8
  --add-comments=Translators
  --package-name="$domain"
  --package-version="$version"
  --msgid-bugs-address=https://github.com/fetchboard/fetchboard/issues
  --force-po
)
c_keywords=(
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3
  --keyword=ngettext:1,2
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format
  --flag=g_dngettext:2:pass-c-format
  --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format
  --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format
  --flag=g_set_error:4:c-format --flag=g_markup_printf_escaped:1:c-format
  --flag=g_log:3:c-format --flag=g_print:1:c-format --flag=g_printerr:1:c-format
  --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format
  --flag=g_snprintf:3:c-format
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pot="$work/$domain.pot"

# First call creates the template, later ones join it (-j).
join=()
if [ ${#c_files[@]} -gt 0 ]; then
  xgettext "${common[@]}" --language=C "${c_keywords[@]}" -o "$pot" "${c_files[@]}"
  join=(--join-existing)
fi
if [ ${#other_files[@]} -gt 0 ]; then
  # .ui (Glade/GtkBuilder), .desktop, metainfo and gschema files: xgettext picks the ITS
  # rules by file name and root element, as meson's fetchboard-pot target does. For .ui
  # files that is GTK 4's gtk4builder.its when libgtk-4-dev is installed (it also accepts
  # translatable="true"), else gettext's own Glade rules; forcing --language=Glade
  # would always take gettext's older copy and warn about it.
  xgettext "${common[@]}" "${join[@]}" -o "$pot" "${other_files[@]}"
fi
[ -f "$pot" ] || { echo "po/POTFILES.in lists no files" >&2; exit 1; }

if [ -n "$pot_only" ]; then
  cp "$pot" "$pot_only"
  exit 0
fi

cp "$pot" "$podir/$domain.pot"
echo "wrote po/$domain.pot ($(grep -c '^msgid ' "$pot") entries including the header)"
while IFS= read -r lang || [ -n "$lang" ]; do
  lang=${lang%%#*}
  lang=$(printf '%s' "$lang" | tr -d '[:space:]')
  [ -n "$lang" ] || continue
  if [ -f "$podir/$lang.po" ]; then
    msgmerge --quiet --update --backup=none --previous "$podir/$lang.po" "$podir/$domain.pot"
  else
    msginit --no-translator --locale="$lang.UTF-8" -i "$podir/$domain.pot" -o "$podir/$lang.po"
  fi
  printf 'po/%s.po: ' "$lang"
  msgfmt --check --statistics -o /dev/null "$podir/$lang.po"
done < "$podir/LINGUAS"
