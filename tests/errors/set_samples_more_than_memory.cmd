# the same for `set samples` in a program; a list too large for the memory is a runtime error
printf 'set samples = 20M\nx = norm(1, 2)\nprint(percentile(x, 5))\nhist(x, given=x > 0)\n' > big.sq
SQC_MEMORY_LIMIT=100M sqc big.sq
SQC_MEMORY_LIMIT=100M sqc -e 'xs = range(10M)'
# x is 45 MB: it fits under 130 MB, x + x does not. The margin is wide on purpose: the rehearsal
# builds x too, and under AddressSanitizer its freed copy stays resident (the quarantine).
SQC_MEMORY_LIMIT=130M sqc -e 'x = "abc" * 15M
y = x + x'
