#!/usr/bin/env bash
# man_page.sh SQC BUILD_DIR MAN_PAGE — the man page installs with `cmake --install`, renders
# without groff warnings (when groff is there), and names every option `sqc --help` lists.
set -u
sqc=$1; build=$2; page=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail=0
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail=1; }
[ -f "$work/prefix/share/man/man1/sqc.1" ] || { echo "cmake --install did not install share/man/man1/sqc.1"; fail=1; }
if command -v groff >/dev/null; then
  groff -man -ww -z "$page" 2>"$work/groff.log"
  [ -s "$work/groff.log" ] && { echo "groff warnings:"; cat "$work/groff.log"; fail=1; }
fi
# options as --help lists them: "  --samples N   ...", "  -e CODE ...", "  --help ..."
for opt in $("$sqc" --help | grep -oE '^  (-[a-z]|--[a-z-]+)'); do
  # in roff a dash is written \- : look for the option with its dashes escaped
  roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
  grep -q -- "$roff" "$page" || { echo "option $opt (in sqc --help) is missing from $page"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok: installed, renders cleanly, documents every option of --help"
exit $fail
