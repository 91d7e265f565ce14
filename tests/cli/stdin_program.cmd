printf 'x = 2\nprint(x * 21)\n' | sqc
