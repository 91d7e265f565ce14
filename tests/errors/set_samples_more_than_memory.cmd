# the same for `set samples` in a program
printf 'set samples = 500M\nx = norm(1, 2)\nprint(percentile(x, 5))\n' > big.sq
SQC_MEMORY_LIMIT=2G sqc big.sq
