/* plot.c — plot(x, path): a histogram of the draws as an SVG 1.1 file (docs/language.md, "Output:
 * hist, plot, write_samples, --json").
 *
 * x is one samples value, or a list or record of them drawn over each other on shared
 * bins (translucent bars, one colour each, with a legend; a record's keys name the
 * series). The y axis is the share of draws in each bin, so series compare directly.
 * With one series, dashed lines mark p5, p50 and p95. Elements carry classes (bar,
 * tick-label, legend-label, quantile, title, axis-label) so tests and style sheets can
 * find them. The file is written atomically like every other output file. Draws that are
 * not drawn (NaN, infinite, <= 0 on a log scale, outside range= or trim=) are counted on a
 * note line in the figure itself (class note), as hist counts them on its own lines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "given.h"
#include "numfmt.h"
#include "mem.h"
#include "registry.h"
#include "text_escape.h"

enum { P_X, P_PATH, P_TITLE, P_BINS, P_LOG, P_LABELS, P_XLABEL, P_RANGE, P_TRIM, P_GIVEN };

#define MAX_SERIES 32
#define W 800.0
#define H 450.0

static const char *const PALETTE[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define NPALETTE (sizeof PALETTE / sizeof *PALETTE)

typedef struct Series {
    double *x;
    size_t n;
    bool owned;        /* x is ours to free (else the engine's array: see chart_draws) */
    const char *label; /* borrowed; NULL: none */
    size_t label_len;
    size_t *counts;
} Series;

typedef struct Plot {
    Series s[MAX_SERIES];
    int ns;
    bool legend;
    Bins b;
    double ax0, ax1; /* x axis range (data units) */
    double ytop;     /* y axis top (share of draws) */
    double px0, px1, py0, py1; /* plot area (pixels) */
} Plot;

/* A coordinate in pixels: two decimals at most, no trailing zeros. */
static void coord(StrBuf *out, double v) {
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%.2f", v);
    while (n > 0 && buf[n - 1] == '0') n--;
    if (n > 0 && buf[n - 1] == '.') n--;
    if (n == 2 && buf[0] == '-' && buf[1] == '0') buf[0] = '0', n = 1;
    sb_put(out, buf, (size_t)n);
}

static double map_x(const Plot *p, double v) {
    double t = p->b.log ? (log10(v) - log10(p->ax0)) / (log10(p->ax1) - log10(p->ax0))
                        : (v - p->ax0) / (p->ax1 - p->ax0);
    return p->px0 + t * (p->px1 - p->px0);
}

static double map_y(const Plot *p, double share) { return p->py1 - share / p->ytop * (p->py1 - p->py0); }

static void text_el(StrBuf *o, const char *cls, double x, double y, const char *anchor, const char *extra,
                    const char *s, size_t len) {
    sb_printf(o, "<text class=\"%s\" x=\"", cls);
    coord(o, x);
    sb_puts(o, "\" y=\"");
    coord(o, y);
    sb_printf(o, "\" text-anchor=\"%s\"%s>", anchor, extra ? extra : "");
    xml_escape(o, s, len);
    sb_puts(o, "</text>\n");
}

static void line_el(StrBuf *o, const char *cls, double x1, double y1, double x2, double y2, const char *style) {
    sb_printf(o, "<line class=\"%s\" x1=\"", cls);
    coord(o, x1);
    sb_puts(o, "\" y1=\"");
    coord(o, y1);
    sb_puts(o, "\" x2=\"");
    coord(o, x2);
    sb_puts(o, "\" y2=\"");
    coord(o, y2);
    sb_printf(o, "\" %s/>\n", style);
}

static void render(Plot *p, StrBuf *o, const SqString *title, const SqString *xlabel, const double *quantiles,
                   const StrBuf *note) {
    sb_puts(o, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    sb_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%g\" height=\"%g\" "
                 "viewBox=\"0 0 %g %g\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
              W, H, W, H);
    sb_puts(o, "<title>");
    if (title) xml_escape(o, title->bytes, title->len);
    else sb_puts(o, "histogram of the draws");
    sb_puts(o, "</title>\n");
    sb_printf(o, "<rect x=\"0\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"#ffffff\"/>\n", W, H);
    if (title) text_el(o, "title", W / 2, 26, "middle", " font-size=\"16\" font-weight=\"bold\"", title->bytes, title->len);

    /* y grid and tick labels (share of draws, in percent) */
    double ticks[64];
    int nt = chart_ticks(0, p->ytop * 100, 5, false, ticks, 64);
    sb_puts(o, "<g class=\"y-axis\">\n");
    for (int i = 0; i < nt; i++) {
        double y = map_y(p, ticks[i] / 100);
        line_el(o, "grid", p->px0, y, p->px1, y, "stroke=\"#e3e3e3\" stroke-width=\"1\"");
        StrBuf t;
        sb_init(&t);
        chart_label(&t, ticks[i], 3, true);
        sb_putc(&t, '%');
        text_el(o, "tick-label", p->px0 - 8, y + 4, "end", NULL, t.data, t.len);
        sb_free(&t);
    }
    sb_puts(o, "</g>\n");
    StrBuf yl;
    sb_init(&yl);
    sb_printf(&yl, "<text class=\"axis-label\" x=\"0\" y=\"0\" text-anchor=\"middle\" transform=\"translate(18 ");
    coord(&yl, (p->py0 + p->py1) / 2);
    sb_puts(&yl, ") rotate(-90)\">share of draws</text>\n");
    sb_put(o, yl.data, yl.len);
    sb_free(&yl);

    /* bars */
    bool single = p->ns == 1;
    for (int s = 0; s < p->ns; s++) {
        const char *color = PALETTE[s % NPALETTE];
        sb_printf(o, "<g class=\"series\" fill=\"%s\" fill-opacity=\"%s\" stroke=\"%s\" stroke-width=\"%s\">\n", color,
                  single ? "0.9" : "0.45", single ? "#ffffff" : color, single ? "0.6" : "1");
        for (int k = 0; k < p->b.n; k++) {
            double e0 = bins_edge(&p->b, k), e1 = bins_edge(&p->b, k + 1);
            double x0, x1;
            if (e0 == e1) { /* one constant value: a narrow bar at its place */
                double c = map_x(p, e0), half = (p->px1 - p->px0) / 80;
                x0 = c - half, x1 = c + half;
            } else {
                x0 = map_x(p, e0), x1 = map_x(p, e1);
            }
            double share = p->s[s].n ? (double)p->s[s].counts[k] / (double)p->s[s].n : 0;
            double y = map_y(p, share);
            sb_puts(o, "<rect class=\"bar\" x=\"");
            coord(o, x0);
            sb_puts(o, "\" y=\"");
            coord(o, y);
            sb_puts(o, "\" width=\"");
            coord(o, x1 - x0);
            sb_puts(o, "\" height=\"");
            coord(o, p->py1 - y);
            sb_puts(o, "\"/>\n");
        }
        sb_puts(o, "</g>\n");
    }

    /* quantile lines (one series only) */
    if (single && quantiles) {
        static const char *const names[3] = {"p5", "p50", "p95"};
        for (int j = 0; j < 3; j++) {
            double v = quantiles[j];
            if (!isfinite(v) || v < p->ax0 || v > p->ax1 || (p->b.log && v <= 0)) continue;
            double x = map_x(p, v);
            line_el(o, "quantile", x, p->py0, x, p->py1,
                    "stroke=\"#333333\" stroke-width=\"1\" stroke-dasharray=\"4 3\"");
            text_el(o, "quantile-label", x, p->py0 - 4, "middle", " fill=\"#333333\" font-size=\"11\"", names[j],
                    strlen(names[j]));
        }
    }

    /* x axis: ticks at round numbers, labelled K/M/B */
    nt = chart_ticks(p->ax0, p->ax1, 7, p->b.log, ticks, 64);
    sb_puts(o, "<g class=\"x-axis\">\n");
    line_el(o, "axis", p->px0, p->py1, p->px1, p->py1, "stroke=\"#333333\" stroke-width=\"1\"");
    line_el(o, "axis", p->px0, p->py0, p->px0, p->py1, "stroke=\"#333333\" stroke-width=\"1\"");
    for (int i = 0; i < nt; i++) {
        double x = map_x(p, ticks[i]);
        line_el(o, "tick", x, p->py1, x, p->py1 + 5, "stroke=\"#333333\" stroke-width=\"1\"");
        StrBuf t;
        sb_init(&t);
        chart_label(&t, ticks[i], 4, true);
        text_el(o, "tick-label", x, p->py1 + 19, "middle", NULL, t.data, t.len);
        sb_free(&t);
    }
    sb_puts(o, "</g>\n");
    if (xlabel) text_el(o, "axis-label", (p->px0 + p->px1) / 2, H - 14, "middle", NULL, xlabel->bytes, xlabel->len);
    else if (p->b.log) text_el(o, "axis-label", (p->px0 + p->px1) / 2, H - 14, "middle", NULL, "log scale", 9);
    if (note->len) /* what was left out, top left inside the plot area */
        text_el(o, "note", p->px0 + 6, p->py0 + 12, "start", " fill=\"#555555\" font-size=\"11\"", note->data, note->len);

    /* legend, top right inside the plot area */
    if (p->legend) {
        double lx = p->px1 - 170, ly = p->py0 + 8;
        sb_puts(o, "<g class=\"legend\">\n");
        sb_printf(o, "<rect x=\"");
        coord(o, lx - 8);
        sb_puts(o, "\" y=\"");
        coord(o, ly - 4);
        sb_printf(o, "\" width=\"170\" height=\"%d\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n",
                  p->ns * 18 + 6);
        for (int s = 0; s < p->ns; s++) {
            double y = ly + s * 18;
            sb_puts(o, "<rect x=\"");
            coord(o, lx);
            sb_puts(o, "\" y=\"");
            coord(o, y + 1);
            sb_printf(o, "\" width=\"12\" height=\"12\" fill=\"%s\" fill-opacity=\"0.6\" stroke=\"%s\"/>\n",
                      PALETTE[s % NPALETTE], PALETTE[s % NPALETTE]);
            StrBuf name;
            sb_init(&name);
            if (p->s[s].label) {
                /* long names are cut (on a UTF-8 boundary) to fit the box */
                size_t len = p->s[s].label_len;
                if (len > 22) {
                    len = 21;
                    while (len && ((unsigned char)p->s[s].label[len] & 0xC0) == 0x80) len--;
                    sb_put(&name, p->s[s].label, len);
                    sb_puts(&name, "\u2026");
                } else {
                    sb_put(&name, p->s[s].label, len);
                }
            } else {
                sb_printf(&name, "series %d", s + 1);
            }
            text_el(o, "legend-label", lx + 18, y + 11, "start", NULL, name.data, name.len);
            sb_free(&name);
        }
        sb_puts(o, "</g>\n");
    }
    sb_puts(o, "</svg>\n");
}

/* Fills the series from x: one value, a list, or a record (keys name the series). stream: the one
 * series is samples whose draws are counted in a pass, not held (x stays NULL). */
static bool gather(Args *a, Plot *p, bool stream) {
    const Value *x = a->v[P_X];
    const SqList *labels = NULL;
    if (has_arg(a, P_LABELS) && !need_list(a, P_LABELS, &labels)) return false;
    int count = 1;
    const Value *items = x;
    if (x->kind == VAL_LIST) count = x->as.list->len, items = x->as.list->items;
    if (x->kind == VAL_RECORD) count = x->as.rec->len, items = x->as.rec->vals;
    if (count == 0) return arg_error(a, P_X, "there is nothing to plot (an empty %s)", value_kind_name(x));
    if (count > MAX_SERIES) return arg_error(a, P_X, "at most %d series in one plot, got %d", MAX_SERIES, count);
    if (labels && labels->len != count)
        return arg_error(a, P_LABELS, "%d labels for %d series", labels->len, count);
    p->legend = x->kind == VAL_LIST || x->kind == VAL_RECORD || labels;
    for (int i = 0; i < count; i++) {
        Series *s = &p->s[p->ns];
        if (labels) {
            const Value *l = &labels->items[i];
            if (l->kind != VAL_STR) return arg_error(a, P_LABELS, "label %d is %s; labels must be strings", i, value_kind_name(l));
            s->label = l->as.str->bytes, s->label_len = l->as.str->len;
        } else if (x->kind == VAL_RECORD) {
            s->label = x->as.rec->keys[i]->bytes, s->label_len = x->as.rec->keys[i]->len;
        }
        const Value *v = &items[i];
        if (v->kind != VAL_SAMPLES && v->kind != VAL_NUM && v->kind != VAL_BOOL) {
            if (count == 1 && x == items) return arg_type_error(a, P_X, "samples, a number, or a list or record of them");
            return arg_error(a, P_X, "series %d is %s; each series must be samples or a number", i, value_kind_name(v));
        }
        /* one series may borrow the engine's array; several need copies (each could evict another) */
        if (stream) s->x = NULL, s->n = a->I->smp.n, s->owned = false;
        else if (!chart_draws(a, v, a->span[P_X], count > 1, &s->x, &s->n, &s->owned)) return false;
        p->ns++;
    }
    return true;
}

static void plot_free(Plot *p) {
    for (int i = 0; i < p->ns; i++) {
        if (p->s[i].owned) free(p->s[i].x);
        free(p->s[i].counts);
    }
}

/* The SVG of plot's arguments a (its path aside). */
static bool plot_svg(Args *a, StrBuf *svg) {
    const SqString *title = NULL, *xlabel = NULL;
    double bins_d = 40;
    bool log = false;
    if (has_arg(a, P_TITLE) && !need_str(a, P_TITLE, &title)) return false;
    if (has_arg(a, P_XLABEL) && !need_str(a, P_XLABEL, &xlabel)) return false;
    if (!opt_num(a, P_BINS, 40, &bins_d)) return false;
    if (bins_d != floor(bins_d) || bins_d < 1 || bins_d > 1000)
        return arg_error(a, P_BINS, "bins must be a whole number from 1 to 1000, got %s", num_text(&(NumText){0}, bins_d));
    if (has_arg(a, P_LOG)) {
        if (a->v[P_LOG]->kind != VAL_BOOL) return arg_type_error(a, P_LOG, "true or false");
        log = a->v[P_LOG]->as.boolean;
    }
    Window win;
    if (!window_args(a, P_RANGE, P_TRIM, log, &win)) return false;
    /* The series as a list of values (for trim's percentiles, asked before gather() as the
     * quantiles below are). */
    const Value *xv = a->v[P_X];
    int nitems = xv->kind == VAL_LIST ? xv->as.list->len : xv->kind == VAL_RECORD ? xv->as.rec->len : 1;
    const Value *items = xv->kind == VAL_LIST ? xv->as.list->items : xv->kind == VAL_RECORD ? xv->as.rec->vals : xv;
    bool first_window = true;
    for (int i = 0; win.kind == WINDOW_TRIM && i < nitems && i < MAX_SERIES; i++) {
        if (items[i].kind == VAL_SAMPLES) {
            if (!window_trim_samples(&a->I->smp, items[i].as.smp, &win, first_window)) {
                rt_error_from_samples(a->I);
                return false;
            }
            first_window = false;
        }
    }
    /* One series: its p5, p50 and p95 are marked. Asked before gather(), which may borrow the
     * engine's array of its draws. */
    double q[3];
    const double *quantiles = NULL;
    const Value *first = a->v[P_X]->kind == VAL_LIST     ? (a->v[P_X]->as.list->len == 1 ? &a->v[P_X]->as.list->items[0] : NULL)
                         : a->v[P_X]->kind == VAL_RECORD ? (a->v[P_X]->as.rec->len == 1 ? &a->v[P_X]->as.rec->vals[0] : NULL)
                                                         : a->v[P_X];
    size_t nan = 1, inf = 1; /* with a known range (below) no draw is left out: bins from it */
    double lo = 0, hi = 0;
    if (first && first->kind == VAL_SAMPLES) {
        static const double QS[3] = {0.05, 0.5, 0.95};
        SampleCtx *ctx = &a->I->smp;
        Samples *s = first->as.smp;
        if (!smp_quantiles(ctx, s, QS, 3, q) || !smp_nonfinite(ctx, s, &nan, &inf) || !smp_min(ctx, s, &lo) ||
            !smp_max(ctx, s, &hi)) {
            rt_error_from_samples(a->I);
            return false;
        }
        quantiles = q;
    }
    /* one series of samples at large N: its draws are counted block by block, not held
     * (docs/scale.md, "Memory") */
    bool stream = quantiles && nitems == 1 && !nan && !inf && (!log || lo > 0) && chart_streams(&a->I->smp, first->as.smp);
    Plot p;
    memset(&p, 0, sizeof p);
    if (!gather(a, &p, stream)) {
        plot_free(&p);
        return false;
    }

    /* numbers in a trimmed plot: their value is inside the window */
    for (int i = 0; win.kind == WINDOW_TRIM && i < p.ns; i++) {
        const Value *v = &items[i];
        if (v->kind != VAL_NUM && v->kind != VAL_BOOL) continue;
        double c = p.s[i].x[0];
        if (first_window || c < win.lo) win.lo = c;
        if (first_window || c > win.hi) win.hi = c;
        first_window = false;
    }

    /* what is left out: NaN, infinite, <= 0 on a log scale, outside the window */
    size_t left_nan = 0, left_inf = 0, left_nonpos = 0;
    /* One series of samples: the engine has counted them already (a pass over 10M draws here
     * cost 5% of the timeline); only <= 0 on a log scale is left to count, when lo <= 0. */
    bool counted = quantiles && p.ns == 1 && (!log || lo > 0);
    if (counted) left_nan = nan, left_inf = inf;
    for (int i = 0; !counted && i < p.ns; i++)
        for (size_t k = 0; k < p.s[i].n; k++) {
            double v = p.s[i].x[k];
            left_nan += isnan(v);
            left_inf += isinf(v);
            left_nonpos += log && v <= 0;
        }
    WindowCount wc = {0};

    /* shared bins over all series */
    size_t placed;
    if (stream && (win.kind != WINDOW_ALL || bins_unit_possible(lo, hi, (int)bins_d, log))) { /* a pass for what needs the draws */
        if (!window_bins_samples(&p.b, &win, &wc, &a->I->smp, first->as.smp, (int)bins_d, log, &placed)) {
            rt_error_from_samples(a->I);
            plot_free(&p);
            return false;
        }
    } else if (win.kind != WINDOW_ALL) {
        for (int i = 0; i < p.ns; i++) window_count(&win, p.s[i].x, p.s[i].n, log, &wc);
        placed = window_bins(&p.b, &win, &wc, p.s[0].x, p.s[0].n, (int)bins_d, log);
        if (p.b.unit && p.ns > 1) /* the whole-number check looked at the first series only */
            for (int i = 1; i < p.ns && p.b.unit; i++)
                for (size_t k = 0; k < p.s[i].n; k++)
                    if (isfinite(p.s[i].x[k]) && p.s[i].x[k] != floor(p.s[i].x[k])) {
                        p.b.unit = false, p.b.n = (int)bins_d;
                        break;
                    }
    } else if (p.ns == 1 && quantiles && !nan && !inf && (!log || lo > 0)) {
        placed = bins_choose_known(&p.b, p.s[0].x, p.s[0].n, p.s[0].n, lo, hi, (int)bins_d, log);
    } else if (p.ns == 1) {
        placed = bins_choose(a->I->smp.timings, &p.b, p.s[0].x, p.s[0].n, (int)bins_d, log);
    } else {
        size_t total = 0;
        for (int i = 0; i < p.ns; i++) total += p.s[i].n;
        double *all = mem_alloc(total * sizeof *all);
        size_t at = 0;
        for (int i = 0; i < p.ns; i++) memcpy(all + at, p.s[i].x, p.s[i].n * sizeof *all), at += p.s[i].n;
        placed = bins_choose(a->I->smp.timings, &p.b, all, total, (int)bins_d, log);
        free(all);
    }
    if (!placed) {
        plot_free(&p);
        return arg_error(a, P_X, "no draw can be placed on the axis (all are NaN or infinite%s%s)",
                         log ? ", or <= 0 on a log scale" : "", win.kind != WINDOW_ALL ? ", or outside the range" : "");
    }
    double ymax = 0;
    for (int i = 0; i < p.ns; i++) {
        p.s[i].counts = mem_alloc((size_t)p.b.n * sizeof(size_t));
        if (!stream) {
            bins_count(a->I->smp.timings, &p.b, p.s[i].x, p.s[i].n, p.s[i].counts);
        } else if (!bins_count_samples(&p.b, &a->I->smp, first->as.smp, p.s[i].counts)) {
            rt_error_from_samples(a->I);
            plot_free(&p);
            return false;
        }
        for (int k = 0; k < p.b.n; k++) {
            double share = p.s[i].n ? (double)p.s[i].counts[k] / (double)p.s[i].n : 0;
            if (share > ymax) ymax = share;
        }
    }
    p.ax0 = bins_edge(&p.b, 0);
    p.ax1 = bins_edge(&p.b, p.b.n);
    if (p.ax0 == p.ax1) {
        if (log) p.ax0 /= 1.5, p.ax1 *= 1.5;
        else {
            double pad = fabs(p.ax0) * 0.05 > 0.5 ? fabs(p.ax0) * 0.05 : 0.5;
            p.ax0 -= pad, p.ax1 += pad;
        }
    }
    p.ytop = ymax > 0 ? ymax * 1.08 : 1;
    p.px0 = 72, p.px1 = W - 24;
    p.py0 = title ? 56 : 32;
    p.py1 = H - (xlabel || log ? 58 : 40);

    StrBuf note;
    sb_init(&note);
    if (left_nonpos) sb_printf(&note, "%zu draw%s <= 0 left out (log scale)", left_nonpos, left_nonpos == 1 ? "" : "s");
    if (left_nan) sb_printf(&note, "%s%zu NaN draw%s left out", note.len ? "; " : "", left_nan, left_nan == 1 ? "" : "s");
    if (left_inf)
        sb_printf(&note, "%s%zu infinite draw%s left out", note.len ? "; " : "", left_inf, left_inf == 1 ? "" : "s");
    if (wc.below || wc.above) {
        if (note.len) sb_puts(&note, "; ");
        window_note(&note, &win, &wc);
    }
    render(&p, svg, title, xlabel, quantiles, &note);
    sb_free(&note);
    plot_free(&p);
    return true;
}

static bool plot(Args *a, Value *out) {
    const SqString *path;
    if (!chart_svg_path(a, P_PATH, &path)) return false;
    StrBuf svg;
    sb_init(&svg);
    bool ok = plot_svg(a, &svg) && chart_write_svg(a, P_PATH, path, &svg);
    sb_free(&svg);
    if (ok) *out = val_nil();
    return ok;
}

bool chart_plot_svg(Args *from, const int idx[CHART_NARGS], StrBuf *svg) {
    static const int TO[CHART_NARGS] = {P_X, P_TITLE, P_BINS, P_LOG, P_RANGE, P_TRIM};
    Args a = {.I = from->I, .fn = registry_find(from->I, sym_intern_cstr(&from->I->syms, "plot")), .call = from->call};
    for (int k = 0; k < CHART_NARGS; k++) {
        if (idx[k] < 0) continue;
        a.v[TO[k]] = from->v[idx[k]];
        a.span[TO[k]] = from->span[idx[k]];
        a.node[TO[k]] = from->node[idx[k]];
    }
    return plot_svg(&a, svg);
}

/* given=c: the histogram of the draws where c holds (given.h) */
static bool fn_plot(Args *a, Value *out) { return given_call(a, P_X, P_GIVEN, plot, out); }

const BuiltinDef builtins_plot[] = {
    BUILTIN("plot", "x, path=, title=, bins=, log=, labels=, xlabel=, range=, trim=, given=", "output",
     "write an SVG histogram of x (or of a list or record of samples, overlaid with a legend) to a .svg path "
     "(in a notebook also shown in the cell; there the path may be left out); "
     "range=[lo, hi] or trim=p to show part of the axis; given=c: only the draws where c holds", fn_plot),
    {.name = NULL},
};
