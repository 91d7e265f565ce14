# The parser weighs a large block of the syntax tree against the memory (lang/ast.c, ast_alloc):
# the items of a list of 200,001 numbers need 1 MB, more than the tiny limit allows, and the
# error is at the list, before anything runs.
printf 'y = 1\nx = [%s0]\n' "$(printf '7,%.0s' $(seq 200000))" >big.sq
SQC_MEMORY_LIMIT=1M sqc big.sq
