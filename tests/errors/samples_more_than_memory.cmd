# --samples whose arrays would not fit in memory is refused before anything runs (not an OOM
# kill). SQC_MEMORY_LIMIT stands in for the machine's memory so the figures are the same anywhere.
SQC_MEMORY_LIMIT=2G sqc -e 'mean(norm(1, 2))' --samples 1B
