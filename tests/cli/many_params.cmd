# 200K parameters and arguments: the "named twice" checks and keyword matching are linear (#15)
params=$(seq -f 'p%g' 0 199999 | paste -sd, -)
printf 'f(%s) = p0 + p199999\nprint(f(%s))\nprint(f(1, %s))\n' "$params" "$(seq 0 199999 | paste -sd, -)" \
  "$(seq -f 'p%g=2' 199999 -1 1 | paste -sd, -)" > many.sq
sqc --check many.sq && echo parses
sqc many.sq
printf 'g(%s, p7) = 1\n' "$params" > twice.sq
sqc --check twice.sq
printf 'h(%s, p7=1) = 1\n' "$params" > twice_kw.sq
sqc --check twice_kw.sq
printf 'print(f(%s, p5=1, p5=2))\n' "$(seq -f 'p%g=2' 199999 -1 6 | paste -sd, -)" > twice_arg.sq
sqc --check twice_arg.sq
