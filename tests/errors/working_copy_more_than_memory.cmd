# A builtin's working copy of the draws is weighed against the memory as the draws are
# (runtime/base/mem.h): mode() sorts a copy, 200 MB at 25M draws. The draws fit in 260 MB, the copy
# does not: an error at mode's place, not a run that silently passes the limit (or, where malloc
# fails, a crash). SQC_MEMORY_LIMIT stands in for the machine's memory.
SQC_MEMORY_LIMIT=260M sqc -e 'x = round(norm(0, 3))
print(mode(x))' --samples 25M
