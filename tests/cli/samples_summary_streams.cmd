# A summary of 20M draws streams (a few MB), so it runs within SQC_MEMORY_LIMIT=100M: --samples
# is not refused in advance on 3 x 8 bytes per draw (#15; `--samples 1B` was refused although
# print(norm(1, 2)) needs 44 MB). Whole arrays are checked when they are allocated
# (errors/samples_more_than_memory).
SQC_MEMORY_LIMIT=100M sqc -e 'print(norm(1, 2))
print(percentile(lognorm(1, 10), 50))' --samples 20M
