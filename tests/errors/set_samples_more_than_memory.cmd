# the same for `set samples` in a program; a list too large for the memory is a runtime error
printf 'set samples = 20M\nx = norm(1, 2)\nprint(percentile(x, 5))\nhist(x, trim=1)\n' > big.sq
SQC_MEMORY_LIMIT=100M sqc big.sq
SQC_MEMORY_LIMIT=100M sqc -e 'xs = range(10M)'
SQC_MEMORY_LIMIT=100M sqc -e 'x = "ab" * 20M
y = x + x'
