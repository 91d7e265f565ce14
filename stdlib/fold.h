/* fold.h — a reducer's sum, count or extreme over numbers that may come in pieces: a list's numbers
 * all at once, or the draws where a given= condition holds, chunk by chunk as the engine computes
 * them (given.h; docs/scale.md, "Memory"). Either way the same arithmetic in the same order, so the
 * same bits: sums are numpy's pairwise sum of the whole sequence (SmpSumStream). */
#ifndef SQC_FOLD_H
#define SQC_FOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "samples.h"

typedef enum FoldKind {
    FOLD_SUM,           /* the sum of x */
    FOLD_SUM_SCALED,    /* of x / scale */
    FOLD_SQDEV,         /* of (x - mean)^2 */
    FOLD_SQDEV_SCALED,  /* of ((x - mean) / scale)^2 */
    FOLD_LOG_SUM,       /* of log x */
    FOLD_MAXDEV,        /* the largest |x - mean| (0 for none) */
    FOLD_ALL_FINITE,    /* 1 if every x is finite, else 0 */
    FOLD_FIRST_NONPOS,  /* the first x that is not > 0 (1: none) */
    FOLD_COUNT_LE,      /* how many x <= mean */
    FOLD_MIN, FOLD_MAX  /* the extreme, NaN from a NaN on (as without given=) */
} FoldKind;

typedef struct Fold {
    FoldKind kind;
    double mean, scale;
    SmpSumStream sum;
    double acc;
    bool started;
} Fold;

/* For m numbers in all (the sums need to know how many will come). */
void fold_init(Fold *f, FoldKind kind, size_t m, double mean, double scale);
/* The next len numbers: an SmpTakeFn (f is the Fold). */
void fold_add(void *f, const double *x, size_t len);
double fold_value(const Fold *f);
/* The fold of x[0..n) in one call. */
double fold_array(FoldKind kind, const double *x, size_t n, double mean, double scale);

#endif
