/* hist.c — hist(x): a histogram of the draws in the terminal (docs/language.md, "Output: hist,
 * plot, write_samples, --json").
 *
 *   mean 1.40M, 90% CI 1.26M to 1.54M
 *     1.13M │▎                                           3
 *     1.14M │█▏                                         14
 *     ...
 *     1.27M │██████████████████████████▋               312  ← p5
 *     ...
 *     1.66M │
 *
 * One row per bin, labelled with the bin's left edge (K/M/B, as many digits as it takes
 * to tell neighbouring edges apart); the last line is the right end of the range. The
 * bar is in eighths of a cell (U+258F..U+2588), or '#' cells in ASCII mode. The rows
 * that hold p5, p50 and p95 are marked. Integer-valued draws spanning no more values
 * than there are bins get one row per value, labelled with the value. range=[lo, hi] or
 * trim=p show part of the axis (chart.h, Window); a note line counts the draws left out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "display.h"
#include "given.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"

enum { H_X, H_BINS, H_LOG, H_WIDTH, H_TITLE, H_RANGE, H_TRIM, H_GIVEN };

static const char *const EIGHTHS[8] = {"", "\u258F", "\u258E", "\u258D", "\u258C", "\u258B", "\u258A", "\u2589"};
static const char FULL_BLOCK[] = "\u2588";

static void put_bar(StrBuf *out, size_t count, size_t maxc, int width, bool ascii) {
    double share = maxc ? (double)count / (double)maxc : 0;
    int cells;
    if (ascii) {
        cells = (int)lround(share * width);
        if (count && !cells) cells = 1;
        for (int i = 0; i < cells; i++) sb_putc(out, '#');
    } else {
        long eighths = lround(share * width * 8);
        if (count && !eighths) eighths = 1;
        cells = (int)(eighths / 8);
        for (int i = 0; i < cells; i++) sb_puts(out, FULL_BLOCK);
        if (eighths % 8) sb_puts(out, EIGHTHS[eighths % 8]), cells++;
    }
    for (int i = cells; i < width; i++) sb_putc(out, ' ');
}

static void put_padded(StrBuf *out, const char *s, size_t len, size_t width) {
    for (size_t i = len; i < width; i++) sb_putc(out, ' ');
    sb_put(out, s, len);
}

static bool hist(Args *a, Value *out) {
    Interp *I = a->I;
    double bins_d = 40, width_d = 40;
    bool log = false;
    const SqString *title = NULL;
    if (!opt_num(a, H_BINS, 40, &bins_d) || !opt_num(a, H_WIDTH, 40, &width_d)) return false;
    if (bins_d != floor(bins_d) || bins_d < 1 || bins_d > 1000)
        return arg_error(a, H_BINS, "bins must be a whole number from 1 to 1000, got %s", num_text(&(NumText){0}, bins_d));
    if (width_d != floor(width_d) || width_d < 4 || width_d > 500)
        return arg_error(a, H_WIDTH, "width must be a whole number from 4 to 500, got %s", num_text(&(NumText){0}, width_d));
    if (has_arg(a, H_LOG)) {
        if (a->v[H_LOG]->kind != VAL_BOOL) return arg_type_error(a, H_LOG, "true or false");
        log = a->v[H_LOG]->as.boolean;
    }
    if (has_arg(a, H_TITLE) && !need_str(a, H_TITLE, &title)) return false;
    Window win;
    if (!window_args(a, H_RANGE, H_TRIM, log, &win)) return false;
    int want = (int)bins_d, width = (int)width_d;
    bool ascii = I->ascii;

    /* The summary and quantiles first: the draws below are the engine's own array, valid only
     * until the next call into the engine. */
    StrBuf text;
    sb_init(&text);
    bool ok = true, is_samples = a->v[H_X]->kind == VAL_SAMPLES;
    if (title) sb_put(&text, title->bytes, title->len), sb_puts(&text, ": ");
    double q[3];
    static const double QS[3] = {0.05, 0.5, 0.95};
    static const char *const QNAMES[3] = {"p5", "p50", "p95"};
    size_t nan = 0, inf = 0; /* draws left out (cached with the summary's statistics) */
    double lo = 0, hi = 0;   /* and the range */
    Samples *s = is_samples ? a->v[H_X]->as.smp : NULL;
    if (is_samples) {
        ok = display_samples_summary(I, s, &text);
        if (ok && (!smp_quantiles(&I->smp, s, QS, 3, q) || !smp_nonfinite(&I->smp, s, &nan, &inf) ||
                   !smp_min(&I->smp, s, &lo) || !smp_max(&I->smp, s, &hi) ||
                   (win.kind == WINDOW_TRIM && !window_trim_samples(&I->smp, s, &win, true)))) {
            rt_error_from_samples(I);
            ok = false;
        }
    }
    bool known = is_samples && !nan && !inf && (!log || lo > 0); /* every draw placeable */
    /* at large N the draws are counted block by block, not held (docs/scale.md, "Memory") */
    bool stream = ok && known && chart_streams(&I->smp, s);
    double *x = NULL;
    size_t n = stream ? I->smp.n : 0;
    bool owned = false;
    if (!ok || (!stream && !chart_draws(a, a->v[H_X], a->span[H_X], false, &x, &n, &owned))) {
        sb_free(&text);
        return false;
    }
    if (!is_samples) {
        sb_puts(&text, "the constant "), num_shortest(&text, x[0]);
        q[0] = q[1] = q[2] = x[0];
        nan = isnan(x[0]) ? n : 0;
        inf = isinf(x[0]) ? n : 0;
        if (win.kind == WINDOW_TRIM) win.lo = win.hi = x[0]; /* one value: nothing to trim */
    }
    if (log) sb_puts(&text, " (log scale)");
    sb_putc(&text, '\n');

    Bins b;
    WindowCount wc = {0};
    size_t placed;
    if (stream && (win.kind != WINDOW_ALL || bins_unit_possible(lo, hi, want, log))) { /* a pass for what needs the draws */
        if (!window_bins_samples(&b, &win, &wc, &I->smp, s, want, log, &placed)) {
            rt_error_from_samples(I);
            sb_free(&text);
            return false;
        }
    } else if (win.kind != WINDOW_ALL) {
        window_count(&win, x, n, log, &wc);
        placed = window_bins(&b, &win, &wc, x, n, want, log);
    } else {
        placed = known ? bins_choose_known(&b, x, n, n, lo, hi, want, log)
                       : bins_choose(I->smp.timings, &b, x, n, want, log);
    }
    size_t nonpos = n - placed - wc.below - wc.above - nan - inf; /* placed: finite (and > 0 on a log scale) */
    if (placed) {
        size_t *counts = mem_alloc((b.n > 0 ? (size_t)b.n : 1) * sizeof *counts);
        if (!stream) {
            bins_count(I->smp.timings, &b, x, n, counts);
        } else if (!bins_count_samples(&b, &I->smp, s, counts)) {
            rt_error_from_samples(I);
            free(counts);
            sb_free(&text);
            return false;
        }
        size_t maxc = 0;
        for (int k = 0; k < b.n; k++)
            if (counts[k] > maxc) maxc = counts[k];
        bool by_value = b.unit || b.lo == b.hi; /* rows are values, not ranges */
        int nedges = by_value ? b.n : b.n + 1;
        size_t nalloc = nedges > 0 ? (size_t)nedges : 1;
        double *edges = mem_alloc(nalloc * sizeof *edges);
        for (int i = 0; i < nedges; i++) edges[i] = by_value ? b.lo + i : bins_edge(&b, i);
        int sig = by_value ? 0 : chart_label_digits(edges, nedges);
        StrBuf *labels = mem_calloc(nalloc, sizeof *labels);
        size_t lw = 0, cw = 1;
        for (int i = 0; i < nedges; i++) {
            sb_init(&labels[i]);
            if (by_value) num_shortest(&labels[i], edges[i]);
            else chart_label(&labels[i], edges[i], sig, false);
            if (labels[i].len > lw) lw = labels[i].len;
        }
        for (size_t c = maxc; c >= 10; c /= 10) cw++;
        const char *axis = ascii ? "|" : "\u2502";
        for (int k = 0; k < b.n; k++) {
            put_padded(&text, labels[k].data, labels[k].len, lw + 2);
            sb_putc(&text, ' ');
            sb_puts(&text, axis);
            put_bar(&text, counts[k], maxc, width, ascii);
            char num[32];
            int len = snprintf(num, sizeof num, "%zu", counts[k]);
            sb_putc(&text, ' ');
            put_padded(&text, num, (size_t)len, cw);
            int marks = 0;
            for (int j = 0; j < 3; j++) {
                if (bins_index(&b, q[j]) != k) continue;
                sb_puts(&text, marks++ ? ", " : ascii ? "  <- " : "  \u2190 ");
                sb_puts(&text, QNAMES[j]);
            }
            sb_putc(&text, '\n');
        }
        if (!by_value) {
            put_padded(&text, labels[b.n].data, labels[b.n].len, lw + 2);
            sb_putc(&text, ' ');
            sb_puts(&text, axis);
            sb_putc(&text, '\n');
        }
        for (int i = 0; i < nedges; i++) sb_free(&labels[i]);
        free(labels);
        free(edges);
        free(counts);
    } else {
        sb_puts(&text, "  (no draws to show)\n");
    }
    if (nonpos) sb_printf(&text, "  %zu draw%s <= 0 left out (log scale)\n", nonpos, nonpos == 1 ? "" : "s");
    if (nan) sb_printf(&text, "  %zu NaN draw%s left out\n", nan, nan == 1 ? "" : "s");
    if (inf) sb_printf(&text, "  %zu infinite draw%s left out\n", inf, inf == 1 ? "" : "s");
    if (wc.below || wc.above) sb_puts(&text, "  "), window_note(&text, &win, &wc), sb_putc(&text, '\n');
    bool written;
    StrBuf svg;
    sb_init(&svg);
    static const int AS_PLOT[CHART_NARGS] = {H_X, H_TITLE, H_BINS, H_LOG, H_RANGE, H_TRIM};
    if (chart_inline(I) && chart_plot_svg(a, AS_PLOT, &svg) &&
        I->inline_chart(I->inline_chart_ctx, text.data, text.len, svg.data, svg.len)) {
        written = true; /* a notebook shows it (docs/jupyter.md) */
    } else {
        I->err.set = false; /* plot's error (a chart with no draw to place): the text alone */
        written = write_output(a, text.data, text.len);
    }
    sb_free(&svg);
    sb_free(&text);
    if (owned) free(x);
    *out = val_nil();
    return written;
}

/* given=c: the histogram of the draws where c holds (given.h) */
static bool fn_hist(Args *a, Value *out) { return given_call(a, H_X, H_GIVEN, hist, out); }

const BuiltinDef builtins_hist[] = {
    BUILTIN("hist", "x, bins=, log=, width=, title=, range=, trim=, given=", "output",
     "print a histogram of x's draws (bins=40; log=true for log-spaced bins; width=40 cells; "
     "range=[lo, hi] or trim=p to show part of the axis; given=c: only the draws where c holds)", fn_hist),
    {.name = NULL},
};
