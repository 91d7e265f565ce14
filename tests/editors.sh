#!/usr/bin/env bash
# editors.sh MODE SRC_DIR [BUILD_DIR] — the editor files of lang/editors/ (docs/editors.md):
#   install   `cmake --install` puts the Vim files under share/vim/vimfiles/ and the TextMate
#             grammar under share/sqc/, unchanged
#   vim       Vim (skipped when absent) detects *.sq and highlights tests/editors/sample.sq as
#             tests/editors/vim.expected says: [COLUMN:GROUP] where the group changes
#   textmate  the grammar tokenizes the same sample as tests/editors/textmate.expected says
#             (tests/editors/tm_tokenize.py, on python3; skipped when absent)
# Run with UPDATE=1 to rewrite an .expected file (then read its diff).
set -u
mode=$1; src=$(cd "$2" && pwd); build=${3:-}
ed="$src/lang/editors"; t="$src/tests/editors"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

check() { # check EXPECTED GOT
  if [ "${UPDATE:-}" = 1 ]; then cp "$2" "$1"; echo "rewrote $1"; return 0; fi
  diff -u "$1" "$2" && echo "ok: $(basename "$1") matches"
}

case $mode in
install)
  cmake --install "$build" --prefix "$work/p" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
  fail=0
  for pair in vim/syntax/sq.vim:share/vim/vimfiles/syntax/sq.vim \
              vim/ftdetect/sq.vim:share/vim/vimfiles/ftdetect/sq.vim \
              sq.tmLanguage.json:share/sqc/sq.tmLanguage.json; do
    from=$ed/${pair%%:*}; to=$work/p/${pair#*:}
    cmp -s "$from" "$to" || { echo "cmake --install did not install $from as ${pair#*:}"; fail=1; }
  done
  [ $fail -eq 0 ] && echo "ok: the Vim files and the grammar install"
  exit $fail ;;
vim)
  command -v vim >/dev/null || { echo "no vim: skipped"; exit 77; }
  cp "$t/sample.sq" "$work/"
  (cd "$work" && HOME="$work" vim -u NONE -i NONE -N -es \
     --cmd "let &rtp = '$ed/vim,' . &rtp" --cmd "let g:probe_out = '$work/got'" \
     --cmd 'filetype on' --cmd 'syntax on' -c 'edit sample.sq' -S "$t/probe.vim" </dev/null)
  [ -f "$work/got" ] || { echo "vim wrote nothing"; exit 1; }
  check "$t/vim.expected" "$work/got" ;;
textmate)
  command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
  python3 "$t/tm_tokenize.py" "$ed/sq.tmLanguage.json" "$t/sample.sq" >"$work/got" || exit 1
  check "$t/textmate.expected" "$work/got" ;;
*) echo "unknown mode $mode"; exit 2 ;;
esac
