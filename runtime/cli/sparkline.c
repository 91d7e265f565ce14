/* sparkline.c — a samples value's distribution as one line of block characters. */
#include "sparkline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define SPARK_MAX_WIDTH 200

void sparkline_render(const size_t *counts, int width, bool ascii, StrBuf *out) {
    static const char *const blocks[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char ramp[8] = {'.', ':', '-', '=', '+', '*', '#', '@'};
    size_t max = 0;
    for (int i = 0; i < width; i++)
        if (counts[i] > max) max = counts[i];
    for (int i = 0; i < width; i++) {
        if (!counts[i] || !max) {
            sb_putc(out, ' ');
            continue;
        }
        int level = (int)ceil((double)counts[i] * 8.0 / (double)max); /* 1..8 */
        if (level < 1) level = 1;
        if (level > 8) level = 8;
        if (ascii) sb_putc(out, ramp[level - 1]);
        else sb_puts(out, blocks[level - 1]);
    }
}

typedef struct Binning {
    double lo, hi;
    int width;
    size_t *counts; /* nblocks x width: each block counts into its own row */
} Binning;

static void bin_block(void *arg, size_t b, const double *x, size_t len) {
    Binning *bn = arg;
    size_t *row = bn->counts + b * (size_t)bn->width;
    double scale = bn->width / (bn->hi - bn->lo);
    for (size_t i = 0; i < len; i++) {
        double v = x[i];
        if (!(v >= bn->lo && v <= bn->hi)) continue; /* the tails beyond p1/p99, and NaN */
        int k = (int)((v - bn->lo) * scale);
        if (k >= bn->width) k = bn->width - 1;
        if (k < 0) k = 0;
        row[k]++;
    }
}

bool sparkline_samples(SampleCtx *ctx, Samples *s, int width, bool ascii, StrBuf *out) {
    if (width < 1) return true;
    if (width > SPARK_MAX_WIDTH) width = SPARK_MAX_WIDTH;
    static const double q[2] = {0.01, 0.99};
    double ends[2];
    if (!smp_quantiles(ctx, s, q, 2, ends)) return false;
    if (!isfinite(ends[0]) || !isfinite(ends[1]) || !(ends[1] > ends[0])) return true;
    size_t nblocks = smp_nblocks(ctx->n);
    Binning bn = {ends[0], ends[1], width, mem_calloc(nblocks * (size_t)width, sizeof(size_t))};
    if (!smp_eval_blocks(ctx, s, NULL, bin_block, &bn)) {
        free(bn.counts);
        return false;
    }
    size_t total[SPARK_MAX_WIDTH];
    memset(total, 0, sizeof total);
    for (size_t b = 0; b < nblocks; b++)
        for (int k = 0; k < width; k++) total[k] += bn.counts[b * (size_t)width + k];
    free(bn.counts);
    sparkline_render(total, width, ascii, out);
    return true;
}
