printf 'x = (1 +\n' | sqc
