# Draws that do not fit in memory end with an error at the place that needs them, not an OOM
# kill: whether they fit is checked when an array of draws is allocated (a summary streams, and so
# do hist and plot of one samples value beyond the budget for stored draws; hist with given=,
# samples_of and the like keep whole arrays). SQC_MEMORY_LIMIT stands in for the machine's memory
# so the figures are the same anywhere.
SQC_MEMORY_LIMIT=100M sqc -e 'print(norm(1, 2))
hist(norm(1, 2), given=norm(1, 2) > 0)' --samples 20M
