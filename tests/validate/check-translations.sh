#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every language in po/LINGUAS must translate every message of the current sources.
#
# A fresh template is extracted with po/update.sh --pot (the same keywords and rules as
# meson's fetchboard-pot target), then for each language:
#   msgfmt -c --statistics   the catalogue compiles, formats match, nothing fuzzy or untranslated
#   msgcmp LANG.po fresh.pot every msgid in the sources has a translated, non-fuzzy entry
# The fix for a failure is `po/update.sh`, then translating what it reports.
#
# usage: check-translations.sh SOURCE_ROOT
set -euo pipefail

root=${1:?usage: $0 SOURCE_ROOT}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root/po/update.sh" --pot "$work/fetchboard.pot"
total=$(msgattrib --no-obsolete "$work/fetchboard.pot" | grep -c '^msgid ' || true)
echo "fresh template: $((total - 1)) messages"

failed=0
languages=0
while IFS= read -r lang || [ -n "$lang" ]; do
  lang=${lang%%#*}
  lang=$(printf '%s' "$lang" | tr -d '[:space:]')
  [ -n "$lang" ] || continue
  languages=$((languages + 1))
  po="$root/po/$lang.po"
  if [ ! -f "$po" ]; then
    echo "po/LINGUAS lists $lang but po/$lang.po does not exist"
    failed=1
    continue
  fi

  if ! stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "po/$lang.po: msgfmt -c failed:"
    echo "$stats"
    failed=1
    continue
  fi
  echo "po/$lang.po: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*)
      echo "po/$lang.po has untranslated or fuzzy messages:"
      msgattrib --only-fuzzy --no-obsolete "$po" | grep -A1 '^msgid ' | head -n 40 || true
      msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | head -n 40 || true
      failed=1
      ;;
  esac

  # msgcmp ignores fuzzy and untranslated entries of $po, so a message counts only
  # when it has a real translation.
  if ! LC_ALL=C msgcmp "$po" "$work/fetchboard.pot" 2>"$work/msgcmp.log"; then
    echo "po/$lang.po lacks translations for messages in the current sources (run po/update.sh):"
    sed -n '1,80p' "$work/msgcmp.log"
    failed=1
  fi
done < "$root/po/LINGUAS"

if [ "$languages" -eq 0 ]; then
  echo "po/LINGUAS lists no language"
  failed=1
fi
exit "$failed"
