# A 10 MB line (3.5M list items) with an unknown name at its end: the error points at it and
# shows a window of the line around the caret, not 10 MB of text.
{ printf 'xs = ['; yes '1, ' | head -n 3500000 | tr -d '\n'; printf 'oops]\n'; } > big.sq
sqc big.sq
