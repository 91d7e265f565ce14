#!/usr/bin/env bash
# sync.sh SQC LEXER.L EDITORS_DIR [--write] — keeps the editor files of EDITORS_DIR (the Vim
# syntax file and the TextMate grammar, docs/editors.md) in step with the language:
#   - their builtin lists must be the registry's names (`sqc --list-builtins`, in its order)
#     less the keywords; --write rewrites them (the lines between the Vim file's
#     `" BEGIN builtins` and `" END builtins`, and the grammar's repository.builtins.match);
#   - their keywords must be the lexer's keyword table (lex_word in lang/lexer.l), as a set;
#     a new keyword goes into one of their keyword groups by hand.
# Without --write it only checks, and fails naming each difference (the ctest editors/sync).
set -u
sqc=$1; lexer=$2; dir=$3; write=${4:-}
vim="$dir/vim/syntax/sq.vim"; tm="$dir/sq.tmLanguage.json"
command -v jq >/dev/null || { echo "jq is needed"; exit 1; }
for f in "$vim" "$tm" "$lexer"; do [ -f "$f" ] || { echo "missing: $f"; exit 1; }; done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail=0

# the lexer's keywords: the entries {"word", TOKEN} of the table in lex_word
awk '/keywords\[\] = \{/ {on=1; next} on && /\};/ {exit} on' "$lexer" |
  grep -oE '\{"[A-Za-z_]+", *[A-Z_]+\}' | sed -E 's/^\{"([^"]+)".*/\1/' | sort >"$work/keywords"
[ -s "$work/keywords" ] || { echo "no keyword table found in $lexer"; exit 1; }

"$sqc" --list-builtins >"$work/registry" || { echo "sqc --list-builtins failed"; exit 1; }
[ -s "$work/registry" ] || { echo "sqc --list-builtins printed no names"; exit 1; }
# the builtins to highlight: the registry's, in its order, less the keywords (`to`)
grep -vxF -f "$work/keywords" "$work/registry" >"$work/builtins"

# compare_sets NAME WANT GOT — the words of two files, as sets
compare_sets() {
  sort -u "$2" >"$work/a"; sort -u "$3" >"$work/b"
  local missing extra
  missing=$(comm -23 "$work/a" "$work/b" | tr '\n' ' ')
  extra=$(comm -13 "$work/a" "$work/b" | tr '\n' ' ')
  [ -n "$missing" ] && { echo "$1: missing $missing"; fail=1; }
  [ -n "$extra" ] && { echo "$1: not in the language: $extra"; fail=1; }
  return 0
}

# --- keywords, checked as sets (their grouping is by hand) ---
grep -E '^syn keyword sq(Conditional|Repeat|Statement|Include|OperatorWord|Boolean|Constant) ' "$vim" |
  awk '{for (i = 4; i <= NF; i++) print $i}' >"$work/vim_keywords"
compare_sets "$vim keywords (lexer.l's keyword table)" "$work/keywords" "$work/vim_keywords"
jq -r '.repository.keywords.patterns[].match' "$tm" |
  sed -E 's/^\\b\(\?:(.*)\)\\b$/\1/' | tr '|' '\n' >"$work/tm_keywords"
compare_sets "$tm keywords (lexer.l's keyword table)" "$work/keywords" "$work/tm_keywords"

# --- builtins, generated ---
# Vim: `syn keyword sqBuiltin` lines of at most 100 columns
awk 'BEGIN {line = ""}
     { w = $0
       if (line != "" && length(line) + 1 + length(w) > 100) { print line; line = "" }
       line = (line == "" ? "syn keyword sqBuiltin " w : line " " w) }
     END { if (line != "") print line }' "$work/builtins" >"$work/vim_block"
awk -v block="$work/vim_block" '
  /^" BEGIN builtins$/ { print; while ((getline l < block) > 0) print l; skip = 1; seen++; next }
  /^" END builtins$/ { skip = 0 }
  !skip' "$vim" >"$work/sq.vim"
[ "$(grep -c '^" BEGIN builtins$' "$vim")" = 1 ] && [ "$(grep -c '^" END builtins$' "$vim")" = 1 ] ||
  { echo "$vim: needs one \" BEGIN builtins and one \" END builtins line"; exit 1; }
# TextMate: one alternation, not after a letter, digit, _ or . (r.mean is a record's field)
re="(?<![\\w.])(?:$(paste -sd'|' "$work/builtins"))\\b"
jq --arg m "$re" '.repository.builtins.match = $m' "$tm" >"$work/sq.tmLanguage.json" ||
  { echo "$tm: not valid JSON"; exit 1; }

if [ "$write" = --write ]; then
  cmp -s "$work/sq.vim" "$vim" || { cp "$work/sq.vim" "$vim"; echo "rewrote $vim"; }
  cmp -s "$work/sq.tmLanguage.json" "$tm" || { cp "$work/sq.tmLanguage.json" "$tm"; echo "rewrote $tm"; }
else
  if ! cmp -s "$work/sq.vim" "$vim"; then
    grep '^syn keyword sqBuiltin ' "$vim" | awk '{for (i = 4; i <= NF; i++) print $i}' >"$work/vim_builtins"
    compare_sets "$vim builtins (sqc --list-builtins)" "$work/builtins" "$work/vim_builtins"
    echo "$vim: its builtin lines differ from the generated ones; run: $0 SQC LEXER.L DIR --write"
    fail=1
  fi
  if ! cmp -s "$work/sq.tmLanguage.json" "$tm"; then
    jq -r '.repository.builtins.match' "$tm" | sed -E 's/^\(\?<!\[\\w\.\]\)\(\?:(.*)\)\\b$/\1/' |
      tr '|' '\n' >"$work/tm_builtins"
    compare_sets "$tm builtins (sqc --list-builtins)" "$work/builtins" "$work/tm_builtins"
    echo "$tm: differs from the generated one (builtins, or not in jq's layout); run: $0 SQC LEXER.L DIR --write"
    fail=1
  fi
fi
[ $fail -eq 0 ] && echo "ok: $(wc -l <"$work/keywords") keywords and $(wc -l <"$work/builtins") builtins match lexer.l and the registry"
exit $fail
