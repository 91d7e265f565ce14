/* chart.c — bins, ticks, labels and text escaping shared by hist, plot and --json. */
#include "chart.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "mem.h"
#include "atomic_file.h"
#include "numfmt.h"
#include "timings.h"

bool chart_draws(Args *a, const Value *v, Span span, bool copy, double **draws, size_t *n, bool *owned) {
    SampleCtx *ctx = &a->I->smp;
    double constant = 0;
    *owned = true;
    switch (v->kind) {
    case VAL_SAMPLES: {
        const double *d = smp_draws(ctx, v->as.smp);
        if (!d) {
            rt_error_from_samples(a->I);
            return false;
        }
        if (!copy) {
            *draws = (double *)d;
            *n = ctx->n;
            *owned = false;
            return true;
        }
        if (!interp_memory_for(a->I, span, ctx->n * sizeof **draws, "a copy of the draws")) return false;
        tm_enter(ctx->timings, TM_CHART);
        *draws = mem_alloc(ctx->n * sizeof **draws);
        memcpy(*draws, d, ctx->n * sizeof **draws);
        tm_leave(ctx->timings);
        *n = ctx->n;
        return true;
    }
    case VAL_NUM: constant = v->as.num; break;
    case VAL_BOOL: constant = v->as.boolean; break;
    default:
        rt_error(a->I, span, "%s: expected samples or a number, got %s", a->fn->name, value_kind_name(v));
        return false;
    }
    /* A number is the same value on every draw. */
    if (!interp_memory_for(a->I, span, ctx->n * sizeof **draws, "the draws of a constant")) return false;
    *draws = mem_alloc(ctx->n * sizeof **draws);
    for (size_t i = 0; i < ctx->n; i++) (*draws)[i] = constant;
    *n = ctx->n;
    return true;
}

bool chart_inline(Interp *I) {
    return I->inline_chart && (I->session == SESSION_TYPED || I->session == SESSION_REPLAY);
}

bool chart_svg_path(Args *a, int i, const SqString **path) {
    if (!has_arg(a, i) && chart_inline(a->I)) {
        *path = NULL;
        return true;
    }
    if (!has_arg(a, i))
        return call_error(a, "missing argument '%s' (a file name ending in .svg; only a notebook cell shows a "
                             "chart without one)", a->fn->params[i]);
    if (!need_str(a, i, path)) return false;
    if (strlen((*path)->bytes) != (*path)->len) return arg_error(a, i, "the path holds a NUL byte");
    if ((*path)->len < 4 || strcasecmp((*path)->bytes + (*path)->len - 4, ".svg"))
        return arg_error(a, i, "the path must end in .svg (%s writes SVG), got '%s'", a->fn->name, (*path)->bytes);
    return true;
}

bool chart_write_svg(Args *a, int i, const SqString *path, const StrBuf *svg) {
    if (path) {
        AtomicFile f;
        char err[600];
        bool ok = afile_open(&f, path->bytes, a->I->files, err, sizeof err);
        if (ok) {
            fwrite(svg->data, 1, svg->len, f.fp);
            tm_enter(a->I->smp.timings, TM_FILES);
            ok = afile_commit(&f, err, sizeof err);
            tm_leave(a->I->smp.timings);
        }
        if (!ok) return arg_error(a, i, "%s", err);
    }
    Interp *I = a->I;
    if (chart_inline(I)) I->inline_chart(I->inline_chart_ctx, NULL, 0, svg->data ? svg->data : "", svg->len);
    return true;
}

/* ---------- bins ---------- */

static bool placeable(double x, bool log) { return isfinite(x) && (!log || x > 0); }

size_t bins_choose(Timings *tm, Bins *b, const double *x, size_t n, int want, bool log) {
    *b = (Bins){.n = 0, .log = log};
    /* count, min and max do not depend on the order of the draws: any split is exact (the count
     * is a sum of ones, exact in a double). Chunks over threads, each chunk a loop that vectorizes. */
    double count = 0, lo = INFINITY, hi = -INFINITY;
    double least = log ? 4.9406564584124654e-324 : -DBL_MAX; /* placeable(): finite, > 0 on a log scale */
    tm_enter(tm, TM_CHART);
#pragma omp parallel for schedule(static) reduction(+ : count) reduction(min : lo) reduction(max : hi) \
    if (n > 65536)
    for (size_t c0 = 0; c0 < n; c0 += 65536) {
        size_t end = n - c0 < 65536 ? n : c0 + 65536;
        double cnt = 0, l = INFINITY, h = -INFINITY;
#pragma omp simd reduction(+ : cnt) reduction(min : l) reduction(max : h)
        for (size_t i = c0; i < end; i++) {
            double v = x[i];
            double t = v <= DBL_MAX ? v : INFINITY, u = v >= least ? v : -INFINITY;
            t = v >= least ? t : INFINITY, u = v <= DBL_MAX ? u : -INFINITY;
            double one = v <= DBL_MAX ? 1.0 : 0.0;
            cnt += v >= least ? one : 0.0;
            l = t < l ? t : l;
            h = u > h ? u : h;
        }
        count += cnt;
        lo = l < lo ? l : lo;
        hi = h > hi ? h : hi;
    }
    size_t placed = bins_choose_known(b, x, n, (size_t)count, lo, hi, want, log);
    tm_leave(tm);
    return placed;
}

bool bins_unit_possible(double lo, double hi, int want, bool log) {
    return !log && fabs(lo) < 1e15 && fabs(hi) < 1e15 && hi - lo + 1 <= want && lo == floor(lo) && hi == floor(hi);
}

size_t bins_choose_known(Bins *b, const double *x, size_t n, size_t m, double lo, double hi, int want, bool log) {
    *b = (Bins){.n = 0, .log = log};
    if (!m) return 0;
    b->lo = lo;
    b->hi = hi;
    /* one bin per whole number only for a narrow range: only then is it worth asking */
    bool unit = bins_unit_possible(lo, hi, want, log);
    if (unit)
        for (size_t i = 0; i < n && unit; i++)
            if (placeable(x[i], log) && x[i] != floor(x[i])) unit = false;
    if (unit) {
        b->unit = true;
        b->n = (int)(hi - lo) + 1;
    } else {
        b->n = lo == hi ? 1 : want;
    }
    return m;
}

double bins_edge(const Bins *b, int i) {
    if (b->unit) return b->lo + i - 0.5;
    if (i <= 0) return b->lo;
    if (i >= b->n) return b->hi;
    if (b->log) {
        double l0 = log10(b->lo), l1 = log10(b->hi);
        return pow(10, l0 + (l1 - l0) * i / b->n);
    }
    return b->lo + (b->hi - b->lo) * i / b->n;
}

int bins_index(const Bins *b, double x) {
    if (!placeable(x, b->log) || x < b->lo || x > b->hi || b->n <= 0) return -1;
    if (b->unit) return (int)(x - b->lo);
    if (b->hi == b->lo) return 0;
    double t = b->log ? (log10(x) - log10(b->lo)) / (log10(b->hi) - log10(b->lo))
                      : (x - b->lo) / (b->hi - b->lo);
    int k = (int)floor(t * b->n);
    if (k >= b->n) k = b->n - 1;
    if (k < 0) k = 0;
    /* t * n can land a hair off an edge; an edge value belongs to the bin it starts. */
    if (k + 1 < b->n && x >= bins_edge(b, k + 1)) k++;
    else if (k > 0 && x < bins_edge(b, k)) k--;
    return k;
}

/* Counting only compares and converts, so wider vectors cannot change a count: build the guessing
 * loop also for AVX2 and AVX-512 machines (gcc picks one at load time). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define BINS_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define BINS_CLONES
#endif

#define BINS_CHUNK 1024 /* draws whose bins are found in one vector loop, then counted */

/* The bin of each draw x[0..len) into k (nb for a draw outside [lo, hi], or NaN): the guess
 * (v - lo) * scale, then one step to a neighbour where the edges say so. Branch-free, so it
 * vectorizes (the edges are gathered; chart.c is built with -fno-trapping-math, without which gcc
 * will not turn the clamps into selects). */
BINS_CLONES static void bins_find(int *restrict k, const double *restrict x, size_t len, double lo, double hi,
                                  double scale, int nb, const double *restrict edge) {
    double top = nb - 1;
#pragma omp simd
    for (size_t i = 0; i < len; i++) {
        double v = x[i];
        double t = (v - lo) * scale;
        t = t > 0 ? t : 0; /* also NaN */
        t = t < top ? t : top;
        int g = (int)t;
        double e0 = edge[g], e1 = edge[g + 1]; /* g + 1 <= nb: the edges are there */
        int up = v >= e1 ? 1 : 0, down = v < e0 ? 1 : 0; /* never both: e0 <= e1 */
        up = g + 1 < nb ? up : 0;
        down = g > 0 ? down : 0;
        int r = g + up - down;
        r = v >= lo ? r : nb; /* outside, or NaN */
        k[i] = v <= hi ? r : nb;
    }
}

/* bins_index for many draws: the edges computed once, and the first guess of a draw's bin made
 * with a multiplication. Any first guess within one bin of the right one ends at the same bin
 * after the edge comparisons, so the counts are bins_index's exactly. */
void bins_count(Timings *tm, const Bins *b, const double *x, size_t n, size_t *counts) {
    memset(counts, 0, (size_t)b->n * sizeof *counts);
    if (b->n <= 0) return;
    tm_enter(tm, TM_CHART);
    if (b->unit || b->log || b->hi == b->lo) {
        for (size_t i = 0; i < n; i++) {
            int k = bins_index(b, x[i]);
            if (k >= 0) counts[k]++;
        }
        tm_leave(tm);
        return;
    }
    int nb = b->n;
    double *edge = mem_alloc(((size_t)nb + 1) * sizeof *edge);
    for (int i = 0; i <= nb; i++) edge[i] = bins_edge(b, i);
    double lo = b->lo, hi = b->hi, scale = nb / (hi - lo);
    size_t stride = (size_t)nb + 1; /* each count array also counts the draws outside, at nb */
#pragma omp parallel if (n > 65536)
    {
        /* four count arrays taken in turn: neighbouring draws in one bin do not wait on each
         * other's increment */
        size_t *mine = mem_calloc(4 * stride, sizeof *mine);
        int *k = mem_alloc(BINS_CHUNK * sizeof *k);
#pragma omp for schedule(dynamic, 16) /* 16K draws a grab: one slow vCPU does not hold the other up */
        for (size_t c0 = 0; c0 < n; c0 += BINS_CHUNK) {
            size_t len = n - c0 < BINS_CHUNK ? n - c0 : BINS_CHUNK;
            bins_find(k, x + c0, len, lo, hi, scale, nb, edge);
            size_t i = 0;
            for (; i + 4 <= len; i += 4) {
                mine[k[i]]++;
                mine[stride + (size_t)k[i + 1]]++;
                mine[2 * stride + (size_t)k[i + 2]]++;
                mine[3 * stride + (size_t)k[i + 3]]++;
            }
            for (; i < len; i++) mine[k[i]]++;
        }
#pragma omp critical
        for (int j = 0; j < nb; j++) counts[j] += mine[j] + mine[stride + j] + mine[2 * stride + j] + mine[3 * stride + j];
        free(k);
        free(mine);
    }
    free(edge);
    tm_leave(tm);
}

/* The bins of x[0..n) added into counts (b->n, and [b->n] for the draws outside), on this
 * thread: bins_count's arithmetic, so the same counts. edge: b's n + 1 edges. */
static void bins_add(const Bins *b, const double *edge, const double *x, size_t n, size_t *counts) {
    if (b->unit || b->log || b->hi == b->lo) {
        for (size_t i = 0; i < n; i++) {
            int k = bins_index(b, x[i]);
            if (k >= 0) counts[k]++;
        }
        return;
    }
    int k[BINS_CHUNK];
    double scale = b->n / (b->hi - b->lo);
    for (size_t c0 = 0; c0 < n; c0 += BINS_CHUNK) {
        size_t len = n - c0 < BINS_CHUNK ? n - c0 : BINS_CHUNK;
        bins_find(k, x + c0, len, b->lo, b->hi, scale, b->n, edge);
        for (size_t i = 0; i < len; i++) counts[k[i]]++;
    }
}

bool chart_streams(SampleCtx *ctx, Samples *s) { return !smp_store_fits(ctx) && !smp_stored(s); }

typedef struct BinPass {
    const Bins *b;
    const double *edge;
    size_t *counts; /* per thread: b->n + 1 */
} BinPass;

static void bin_block(void *arg, size_t blk, const double *x, size_t len) {
    BinPass *bp = arg;
    (void)blk;
#ifdef _OPENMP
    size_t t = (size_t)omp_get_thread_num();
#else
    size_t t = 0;
#endif
    bins_add(bp->b, bp->edge, x, len, bp->counts + t * ((size_t)bp->b->n + 1));
}

bool bins_count_samples(const Bins *b, SampleCtx *ctx, Samples *s, size_t *counts) {
    memset(counts, 0, (size_t)b->n * sizeof *counts);
    if (b->n <= 0) return true;
    size_t stride = (size_t)b->n + 1, threads = (size_t)(ctx->threads > 0 ? ctx->threads : 1);
    double *edge = mem_alloc(stride * sizeof *edge);
    for (int i = 0; i <= b->n; i++) edge[i] = bins_edge(b, i);
    BinPass bp = {b, edge, mem_calloc(threads * stride, sizeof(size_t))};
    bool ok = smp_eval_blocks(ctx, s, NULL, bin_block, &bp);
    for (size_t t = 0; ok && t < threads; t++) /* whole numbers: any order is exact */
        for (int k = 0; k < b->n; k++) counts[k] += bp.counts[t * stride + (size_t)k];
    free(bp.counts);
    free(edge);
    return ok;
}

/* ---------- the part of the axis shown: range= and trim= ---------- */

bool window_args(Args *a, int range_i, int trim_i, bool log, Window *w) {
    *w = (Window){0};
    bool has_range = has_arg(a, range_i), has_trim = has_arg(a, trim_i);
    if (has_range && has_trim) return arg_error(a, trim_i, "give range= or trim=, not both");
    if (has_range) {
        const Value *v = a->v[range_i];
        if (v->kind != VAL_LIST || v->as.list->len != 2 || v->as.list->items[0].kind != VAL_NUM ||
            v->as.list->items[1].kind != VAL_NUM)
            return arg_error(a, range_i, "range must be a list of two numbers [lo, hi], got %s", value_kind_name(v));
        w->lo = v->as.list->items[0].as.num, w->hi = v->as.list->items[1].as.num;
        if (!isfinite(w->lo) || !isfinite(w->hi) || !(w->lo < w->hi))
            return arg_error(a, range_i, "range must be [lo, hi] with finite lo < hi");
        if (log && w->lo <= 0) return arg_error(a, range_i, "range must be above 0 on a log scale (log=true)");
        w->kind = WINDOW_RANGE;
    } else if (has_trim) {
        if (!need_num(a, trim_i, &w->trim)) return false;
        if (arg_is_percent_literal(a, trim_i)) w->trim *= 100; /* trim=1% is trim=1 */
        if (!(w->trim >= 0 && w->trim < 50))
            return arg_error(a, trim_i, "trim is the percent of draws left out at each end, from 0 to below 50, got %g",
                             w->trim);
        w->kind = w->trim > 0 ? WINDOW_TRIM : WINDOW_ALL;
    }
    return true;
}

bool window_trim_samples(SampleCtx *ctx, Samples *s, Window *w, bool first) {
    double q[2] = {w->trim / 100, 1 - w->trim / 100}, v[2];
    if (!smp_quantiles(ctx, s, q, 2, v)) return false;
    if (first || v[0] < w->lo) w->lo = v[0];
    if (first || v[1] > w->hi) w->hi = v[1];
    return true;
}

void window_count(const Window *w, const double *x, size_t n, bool log, WindowCount *c) {
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!placeable(v, log)) continue;
        if (w->kind != WINDOW_ALL && v < w->lo) c->below++;
        else if (w->kind != WINDOW_ALL && v > w->hi) c->above++;
        else {
            if (!c->inside || v < c->min) c->min = v;
            if (!c->inside || v > c->max) c->max = v;
            c->inside++;
        }
    }
}

size_t window_bins(Bins *b, const Window *w, const WindowCount *c, const double *x, size_t n, int want, bool log) {
    if (w->kind == WINDOW_ALL) return bins_choose_known(b, x, n, c->inside, c->min, c->max, want, log);
    /* trim: the percentiles are the edges (a p5 there is marked); a log axis starts above 0 */
    return bins_choose_known(b, x, n, c->inside, log && w->lo <= 0 ? c->min : w->lo, w->hi, want, log);
}

/* One block's part of window_bins_samples: its window counts, and whether its placeable draws are
 * all whole numbers (what bins_choose_known asks of all the draws). */
typedef struct WindowBlock {
    WindowCount c;
    bool whole;
} WindowBlock;

typedef struct WindowPass {
    const Window *w;
    bool log;
    WindowBlock *blocks;
} WindowPass;

static void window_block(void *arg, size_t blk, const double *x, size_t len) {
    WindowPass *wp = arg;
    WindowBlock *wb = &wp->blocks[blk];
    *wb = (WindowBlock){{0}, true};
    window_count(wp->w, x, len, wp->log, &wb->c);
    for (size_t i = 0; i < len && wb->whole; i++)
        if (placeable(x[i], wp->log) && x[i] != floor(x[i])) wb->whole = false;
}

bool window_bins_samples(Bins *b, const Window *w, WindowCount *c, SampleCtx *ctx, Samples *s, int want, bool log,
                         size_t *placed) {
    WindowPass wp = {w, log, mem_calloc(smp_nblocks(ctx->n) ? smp_nblocks(ctx->n) : 1, sizeof(WindowBlock))};
    if (!smp_eval_blocks(ctx, s, NULL, window_block, &wp)) return free(wp.blocks), false;
    bool whole = true;
    for (size_t k = 0; k < smp_nblocks(ctx->n); k++) { /* in draw order: window_count's ties, the first kept */
        const WindowCount *bc = &wp.blocks[k].c;
        c->below += bc->below, c->above += bc->above;
        if (bc->inside && (!c->inside || bc->min < c->min)) c->min = bc->min;
        if (bc->inside && (!c->inside || bc->max > c->max)) c->max = bc->max;
        c->inside += bc->inside;
        whole &= wp.blocks[k].whole;
    }
    free(wp.blocks);
    /* window_bins looks at the draws only to tell whether all are whole: one number that says */
    static const double WHOLE = 0, NOT_WHOLE = 0.5;
    *placed = window_bins(b, w, c, whole ? &WHOLE : &NOT_WHOLE, 1, want, log);
    return true;
}

void window_note(StrBuf *out, const Window *w, const WindowCount *c) {
    if (w->kind == WINDOW_ALL || (!c->below && !c->above)) return;
    size_t left = c->below + c->above;
    sb_printf(out, "%zu draw%s left out (", left, left == 1 ? "" : "s");
    if (w->kind == WINDOW_RANGE) {
        sb_puts(out, "range=[");
        num_shortest(out, w->lo);
        sb_puts(out, ", ");
        num_shortest(out, w->hi);
        sb_puts(out, "]");
    } else {
        sb_puts(out, "trim=");
        num_shortest(out, w->trim);
    }
    sb_putc(out, ')');
    if (c->below) sb_printf(out, "%s %zu below ", ":", c->below), num_compact(out, w->lo);
    if (c->above) sb_printf(out, "%s %zu above ", c->below ? "," : ":", c->above), num_compact(out, w->hi);
}

/* ---------- labels ---------- */

void chart_label(StrBuf *out, double x, int sig, bool trim) {
    if (isnan(x)) {
        sb_puts(out, "nan");
        return;
    }
    if (isinf(x)) {
        sb_puts(out, x < 0 ? "-inf" : "inf");
        return;
    }
    if (x == 0) {
        sb_putc(out, '0');
        return;
    }
    if (sig < 1) sig = 1;
    if (sig > 17) sig = 17;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", sig - 1, fabs(x));
    char digits[24];
    int nd = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    int exp = atoi(p + 1);
    StrBuf num;
    sb_init(&num);
    char suffix = 0;
    if (exp < -3 || exp >= 15) {
        sb_putc(&num, digits[0]);
        if (nd > 1) sb_putc(&num, '.'), sb_put(&num, digits + 1, (size_t)nd - 1);
    } else {
        int e = exp;
        if (exp >= 3) {
            int group = exp / 3;
            suffix = "KMBT"[group - 1];
            e = exp - 3 * group;
        }
        if (e < 0) {
            sb_puts(&num, "0.");
            for (int i = 0; i < -e - 1; i++) sb_putc(&num, '0');
            sb_put(&num, digits, (size_t)nd);
        } else if (e + 1 >= nd) {
            sb_put(&num, digits, (size_t)nd);
            for (int i = nd; i < e + 1; i++) sb_putc(&num, '0');
        } else {
            sb_put(&num, digits, (size_t)e + 1);
            sb_putc(&num, '.');
            sb_put(&num, digits + e + 1, (size_t)(nd - e - 1));
        }
    }
    if (trim && memchr(num.data, '.', num.len)) {
        while (num.len && num.data[num.len - 1] == '0') num.len--;
        if (num.len && num.data[num.len - 1] == '.') num.len--;
        num.data[num.len] = '\0';
    }
    if (x < 0) sb_putc(out, '-');
    sb_put(out, num.data, num.len);
    sb_free(&num);
    if (exp < -3 || exp >= 15) sb_printf(out, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    else if (suffix) sb_putc(out, suffix);
}

int chart_label_digits(const double *xs, int n) {
    for (int sig = 3; sig < 9; sig++) {
        bool distinct = true;
        StrBuf prev, cur;
        sb_init(&prev);
        sb_init(&cur);
        for (int i = 0; i < n && distinct; i++) {
            sb_clear(&cur);
            chart_label(&cur, xs[i], sig, false);
            if (i && prev.len == cur.len && memcmp(prev.data, cur.data, cur.len) == 0) distinct = false;
            StrBuf t = prev;
            prev = cur;
            cur = t;
        }
        sb_free(&prev);
        sb_free(&cur);
        if (distinct) return sig;
    }
    return 9;
}

/* ---------- ticks ---------- */

static int linear_ticks(double lo, double hi, int target, double *ticks, int max) {
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi)) {
        if (max > 0 && isfinite(lo)) ticks[0] = lo;
        return max > 0 && isfinite(lo) ? 1 : 0;
    }
    double raw = (hi - lo) / (target > 1 ? target : 1);
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag;
    double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    double first = ceil(lo / step - 1e-9);
    int n = 0;
    for (int i = 0; n < max; i++) {
        double t = (first + i) * step;
        if (t > hi + step * 1e-9) break;
        if (fabs(t) < step * 1e-9) t = 0;
        ticks[n++] = t;
    }
    return n;
}

int chart_ticks(double lo, double hi, int target, bool log, double *ticks, int max) {
    if (!log || !(lo > 0) || !(hi > lo)) return linear_ticks(lo, hi, target, ticks, max);
    double d0 = floor(log10(lo)), d1 = ceil(log10(hi));
    double decades = log10(hi) - log10(lo);
    static const double mult_fine[] = {1, 2, 5};
    int nmult = decades <= 2.5 ? 3 : 1;
    /* every decade up to ten of them, then every 2nd, 3rd, ... (aligned so that 1 is one) */
    int every = (int)ceil((d1 - d0) / (target > 10 ? target : 10));
    if (every < 1) every = 1;
    int n = 0;
    for (double d = d0; d <= d1 && n < max; d += 1) {
        if (nmult == 1 && fmod(fabs(d), every) != 0) continue;
        for (int m = 0; m < nmult && n < max; m++) {
            double t = mult_fine[m] * pow(10, d);
            if (t >= lo * (1 - 1e-12) && t <= hi * (1 + 1e-12)) ticks[n++] = t;
        }
    }
    if (n < 2) return linear_ticks(lo, hi, target, ticks, max);
    return n;
}
