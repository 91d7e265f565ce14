/* sensitivity.h — which random inputs drive a result (docs/language.md, "Sensitivity").
 *
 * The inputs of y are the random nodes in the graph below it (distribution calls, mixtures and
 * their components, inputs behind either branch of an if-expression, per-draw parameters that
 * are themselves random, correlate outputs and other arrays of draws). For each: the Spearman
 * correlation of its draws with y's, and y's mean with that input alone held at its own 5th and
 * 95th percentile and every other input as drawn. Holding one input is a copy of the graph from
 * that input up to y with the input replaced by a constant (the copies keep their streams, so
 * every other input draws exactly as before); the copies' means come from one fused pass. */
#ifndef SQC_SENSITIVITY_H
#define SQC_SENSITIVITY_H

#include <stdbool.h>
#include <stddef.h>

#include "samples.h"

typedef struct SmpInput {
    Samples *node;    /* the input (retained) */
    double rank_corr; /* Spearman correlation with y (0 for an input with one value) */
    double share;     /* rank_corr^2 / the sum of them over all inputs */
    double p5, p95;   /* the input's own percentiles */
    double low, high; /* y's mean with the input held at p5 / p95 */
} SmpInput;

/* The inputs of y, most influential first (largest share; ties in the order met from y down).
 * *count may be 0 (y has no random input). False with ctx's error set on an evaluation error. */
bool smp_sensitivity(SampleCtx *ctx, Samples *y, SmpInput **inputs, size_t *count);
void smp_inputs_free(SmpInput *inputs, size_t count);

#endif
