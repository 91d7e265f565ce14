/* chart.h — what hist (terminal) and plot (SVG) share: a samples value's draws as a
 * plain array, equal-width bins (linear or logarithmic), nice axis ticks, and compact
 * K/M/B labels with as many digits as it takes to tell neighbours apart. */
#ifndef SQC_CHART_H
#define SQC_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "registry.h"
#include "strbuf.h"

/* Draws of argument value v (samples, a number = one constant draw, or a bool): *n of them.
 * With `copy`, or for a number, a malloc'd array (*owned true: the caller frees it); else, for
 * samples, the engine's own array (*owned false), valid only until the next call into the
 * samples engine: a 10M-draw copy costs more than the binning it is made for. False with the
 * interpreter's error set. */
bool chart_draws(Args *a, const Value *v, Span span, bool copy, double **draws, size_t *n, bool *owned);

/* Equal-width bins over [lo, hi]; with `log`, equal width in log10 (lo > 0). With
 * `unit`, bin k is the single whole number lo + k (integer-valued data). */
typedef struct Bins {
    int n;
    double lo, hi;
    bool log, unit;
} Bins;

/* Picks the range from the draws that can be placed (finite; > 0 for log). `want` is
 * the requested bin count; integer-valued data spanning at most `want` values gets one
 * bin per value. Returns the number of placeable draws (0: nothing to show). The time goes to
 * TM_CHART of tm (timings.h; NULL: none), as bins_count's does. */
size_t bins_choose(Timings *tm, Bins *b, const double *x, size_t n, int want, bool log);
/* The same when the m placeable draws and their range lo..hi are already known (a samples value's
 * cached statistics): the draws are looked at only to tell whether a narrow range is all whole
 * numbers. */
size_t bins_choose_known(Bins *b, const double *x, size_t n, size_t m, double lo, double hi, int want, bool log);
double bins_edge(const Bins *b, int i);      /* i in 0..n: the left edge of bin i (n: the right end) */
int bins_index(const Bins *b, double x);     /* the bin holding x, or -1 */
void bins_count(Timings *tm, const Bins *b, const double *x, size_t n, size_t *counts); /* counts[b->n], zeroed here */
/* Whether bins_choose_known must look at the draws: a narrow range between whole numbers, which
 * gets one bin per value if every draw is a whole number. */
bool bins_unit_possible(double lo, double hi, int want, bool log);
/* Whether a chart of s counts its draws in a pass over its blocks (bins_count_samples) instead of
 * holding them: when an array of them would not fit the budget for stored draws and none is held
 * (docs/scale.md, "Memory"). The counts are the same. */
bool chart_streams(SampleCtx *ctx, Samples *s);
/* bins_count of s's draws, block by block as the engine computes them. False with ctx's error set. */
bool bins_count_samples(const Bins *b, SampleCtx *ctx, Samples *s, size_t *counts);

/* The part of the axis that hist and plot show (docs/language.md, "Output"): every draw that
 * can be placed, the draws inside range=[lo, hi], or (trim=p) those between the p-th and the
 * (100-p)-th percentile. Draws outside are left out and counted, and the chart says so. */
typedef enum WindowKind { WINDOW_ALL, WINDOW_RANGE, WINDOW_TRIM } WindowKind;
typedef struct Window {
    WindowKind kind;
    double lo, hi; /* RANGE: given; TRIM: from the percentiles (window_trim_samples) */
    double trim;   /* percent of the draws at each end */
} Window;
typedef struct WindowCount {
    size_t below, above, inside; /* placeable draws (finite; > 0 on a log scale) */
    double min, max;             /* of those inside */
} WindowCount;

/* Reads the range= and trim= arguments (at most one of them). */
bool window_args(Args *a, int range_i, int trim_i, bool log, Window *w);
/* TRIM: widens lo..hi to s's percentiles (`first`: sets them). False with ctx's error set. */
bool window_trim_samples(SampleCtx *ctx, Samples *s, Window *w, bool first);
/* Adds x's draws to c (zero it first). */
void window_count(const Window *w, const double *x, size_t n, bool log, WindowCount *c);
/* Bins over the window: range= exactly, else the draws inside it. Returns c->inside. */
size_t window_bins(Bins *b, const Window *w, const WindowCount *c, const double *x, size_t n, int want, bool log);
/* window_count and window_bins of s's draws in one pass over its blocks, for a chart that streams
 * (chart_streams): the same counts and bins, without the draws held. *placed: window_bins's.
 * False with ctx's error set. */
bool window_bins_samples(Bins *b, const Window *w, WindowCount *c, SampleCtx *ctx, Samples *s, int want, bool log,
                         size_t *placed);
/* "500 draws left out (trim=2.5): 250 below 1.20M, 250 above 3.40M"; nothing when none was. */
void window_note(StrBuf *out, const Window *w, const WindowCount *c);

/* x with `sig` significant digits and a K/M/B/T suffix ("1.26M", "1.265M"); `trim`
 * drops trailing zeros after the point ("1.2M" rather than "1.20M"). */
void chart_label(StrBuf *out, double x, int sig, bool trim);
/* The fewest significant digits (3 to 9) at which the sorted values xs[0..n) all get
 * different labels. */
int chart_label_digits(const double *xs, int n);

/* Round-number ticks inside [lo, hi] (about `target` of them) into ticks[], at most max;
 * returns the count. With `log`, powers of ten (and 2 and 5 times them when the range
 * is short). */
int chart_ticks(double lo, double hi, int target, bool log, double *ticks, int max);

/* plot's and tornado's output: parameter i must be a path ending in .svg (false with the error
 * set otherwise), or be left out in a notebook cell (*path NULL); chart_write_svg writes svg
 * there atomically (runtime/base/atomic_file.h), the error at parameter i if it cannot, and
 * shows it in the cell (chart_inline). */
bool chart_svg_path(Args *a, int i, const SqString **path);
bool chart_write_svg(Args *a, int i, const SqString *path, const StrBuf *svg);

/* Whether charts also show inline: a notebook's cell runs (docs/jupyter.md; Interp.inline_chart),
 * or the session re-runs them. A :load-ed file's charts go to the terminal and to files. */
bool chart_inline(Interp *I);

/* plot's SVG for the arguments of another builtin: idx[k] is the parameter of `from` that plays
 * plot's x, title, bins, log, range and trim (-1: none). Errors as plot would report them. */
enum { CHART_NARGS = 6 };
bool chart_plot_svg(Args *from, const int idx[CHART_NARGS], StrBuf *svg);

#endif
