/* fold.c — sums, counts and extremes over numbers that come in pieces (fold.h). */
#include "fold.h"

#include <math.h>

#include "arith.h"

void fold_init(Fold *f, FoldKind kind, size_t m, double mean, double scale) {
    *f = (Fold){kind, mean, scale, .acc = 0, .started = false};
    smp_sumstream_init(&f->sum, m);
    if (kind == FOLD_ALL_FINITE) f->acc = 1;
    if (kind == FOLD_FIRST_NONPOS) f->acc = 1;
}

#define MAP_CHUNK 512 /* mapped numbers handed to the sum at a time */

void fold_add(void *arg, const double *x, size_t len) {
    Fold *f = arg;
    double mean = f->mean, scale = f->scale, t[MAP_CHUNK];
    switch (f->kind) {
    case FOLD_SUM: smp_sumstream_add(&f->sum, x, len); return;
    case FOLD_SUM_SCALED:
    case FOLD_SQDEV:
    case FOLD_SQDEV_SCALED:
    case FOLD_LOG_SUM:
        for (size_t c0 = 0; c0 < len; c0 += MAP_CHUNK) {
            size_t l = len - c0 < MAP_CHUNK ? len - c0 : MAP_CHUNK;
            const double *v = x + c0;
            for (size_t i = 0; i < l; i++) {
                double d = v[i] - mean;
                t[i] = f->kind == FOLD_SUM_SCALED ? v[i] / scale
                       : f->kind == FOLD_SQDEV    ? d * d
                       : f->kind == FOLD_LOG_SUM  ? ar_log(v[i])
                                                  : (d / scale) * (d / scale);
            }
            smp_sumstream_add(&f->sum, t, l);
        }
        return;
    case FOLD_MAXDEV:
        for (size_t i = 0; i < len; i++) f->acc = fmax(f->acc, fabs(x[i] - mean));
        return;
    case FOLD_ALL_FINITE:
        for (size_t i = 0; i < len && f->acc; i++) f->acc = isfinite(x[i]);
        return;
    case FOLD_FIRST_NONPOS:
        for (size_t i = 0; i < len && f->acc > 0; i++) f->acc = x[i];
        return;
    case FOLD_COUNT_LE:
        for (size_t i = 0; i < len; i++) f->acc += x[i] <= mean;
        return;
    case FOLD_MIN:
    case FOLD_MAX:
        if (len && !f->started) f->acc = x[0], f->started = true;
        for (size_t i = 0; i < len && !isnan(f->acc); i++)
            f->acc = isnan(x[i]) ? x[i] : f->kind == FOLD_MIN ? fmin(f->acc, x[i]) : fmax(f->acc, x[i]);
        return;
    }
}

double fold_value(const Fold *f) {
    switch (f->kind) {
    case FOLD_SUM:
    case FOLD_SUM_SCALED:
    case FOLD_SQDEV:
    case FOLD_SQDEV_SCALED:
    case FOLD_LOG_SUM: return smp_sumstream_value(&f->sum);
    default: return f->acc;
    }
}

double fold_array(FoldKind kind, const double *x, size_t n, double mean, double scale) {
    Fold f;
    fold_init(&f, kind, n, mean, scale);
    fold_add(&f, x, n);
    return fold_value(&f);
}
