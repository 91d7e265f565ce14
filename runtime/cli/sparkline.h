/* sparkline.h — a samples value's distribution as one line of block characters. */
#ifndef SQC_SPARKLINE_H
#define SQC_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "samples.h"
#include "strbuf.h"

#define SPARKLINE_WIDTH 20

/* Appends `width` characters: a histogram of s's draws between its 1st and 99th
 * percentiles, one bar per bin, ▁..█ by count relative to the tallest bin (a space for an
 * empty bin; the ramp ".:-=+*#@" when ascii). Appends nothing when the draws have no spread
 * (p1 == p99) or those percentiles are not finite. Evaluates s in one streaming pass
 * without storing its draws; returns false with ctx's error set if evaluation fails. */
bool sparkline_samples(SampleCtx *ctx, Samples *s, int width, bool ascii, StrBuf *out);

/* The bars alone, from bin counts (exposed for tests). */
void sparkline_render(const size_t *counts, int width, bool ascii, StrBuf *out);

#endif
