/* count.h — counts as people type them on the command line and in the REPL. */
#ifndef SQC_COUNT_H
#define SQC_COUNT_H

#include <stdbool.h>

/* A whole number >= 0 with optional `_` separators and a K/M/B suffix: "10K", "1M",
 * "100_000", "2.5K". False for anything else (signs, "inf", hex, fractions of one). */
bool count_parse(const char *text, double *out);
/* A number of bytes >= 1 with an optional K, M, G or T suffix (powers of 1000): "2G", "1.5T",
 * "500000000" (SQC_MEMORY_LIMIT). */
bool bytes_parse(const char *text, double *out);

#endif
