/* sensitivity.c — sensitivity(y) and tornado(y, path, top=10) (docs/language.md, "Sensitivity"):
 * which random inputs drive y, as records and as an SVG tornado chart (runtime/sensitivity.h does
 * the work). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"
#include "sensitivity.h"
#include "text_escape.h"

/* What an input is called: the variable it was first bound to, else its call's source text. */
static void input_name(const Samples *s, size_t j, StrBuf *out) {
    const char *label = smp_label(s);
    Span o = smp_origin(s);
    if (label) sb_puts(out, label);
    else if (o.src && o.end > o.start) sb_put(out, o.src->text + o.start, o.end - o.start);
    else sb_printf(out, "input %zu", j + 1);
}

/* The inputs of argument 0 (samples); false with the error set. */
static bool inputs_of(Args *a, SmpInput **in, size_t *k) {
    const Value *y = a->v[0];
    if (y->kind != VAL_SAMPLES)
        return arg_type_error(a, 0, "samples (a result that depends on random inputs)");
    if (!smp_sensitivity(&a->I->smp, y->as.smp, in, k)) {
        if (!a->I->smp.err.span.src) a->I->smp.err.span = a->span[0]; /* a NaN draw of y: blame y */
        return rt_error_from_samples(a->I), false;
    }
    if (*k == 0)
        return arg_error(a, 0, "the value depends on no random input (it is the same on every draw)");
    return true;
}

static bool fn_sensitivity(Args *a, Value *out) {
    SmpInput *in;
    size_t k;
    if (!inputs_of(a, &in, &k)) return false;
    *out = val_list_new((int)k);
    for (size_t j = 0; j < k; j++) {
        Value r = val_record_new();
        StrBuf name;
        sb_init(&name);
        input_name(in[j].node, j, &name);
        record_set(r.as.rec, "name", 4, val_str(name.data, name.len));
        sb_free(&name);
        record_set(r.as.rec, "rank_corr", 9, val_num(in[j].rank_corr));
        record_set(r.as.rec, "share", 5, val_num(in[j].share));
        record_set(r.as.rec, "low", 3, val_num(in[j].low));
        record_set(r.as.rec, "high", 4, val_num(in[j].high));
        list_push(out->as.list, r);
    }
    out->as.list->table = true; /* print shows it as an aligned table */
    smp_inputs_free(in, k);
    return true;
}

/* ---- tornado ---- */

enum { T_Y, T_PATH, T_TOP, T_TITLE };

#define T_W 760       /* the figure's width */
#define T_LABEL_W 210 /* room for the names, left of the bars */
#define T_ROW 26      /* per bar */

static void svg_text(StrBuf *o, double x, double y, const char *anchor, const char *extra, const char *s, size_t len) {
    sb_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra ? extra : "");
    xml_escape(o, s, len);
    sb_puts(o, "</text>\n");
}

static int by_swing(const void *pa, const void *pb) {
    const SmpInput *a = pa, *b = pb;
    double sa = fabs(a->high - a->low), sb = fabs(b->high - b->low);
    if (isnan(sa)) sa = -1;
    if (isnan(sb)) sb = -1;
    return (sa < sb) - (sa > sb);
}

static bool fn_tornado(Args *a, Value *out) {
    const SqString *path, *title = NULL;
    double top_d = 10;
    if (!chart_svg_path(a, T_PATH, &path)) return false;
    if (!opt_num(a, T_TOP, 10, &top_d)) return false;
    if (top_d != floor(top_d) || top_d < 1 || top_d > 100)
        return arg_error(a, T_TOP, "top must be a whole number from 1 to 100, got %s", num_text(&(NumText){0}, top_d));
    if (has_arg(a, T_TITLE) && !need_str(a, T_TITLE, &title)) return false;
    SmpInput *in;
    size_t k;
    if (!inputs_of(a, &in, &k)) return false;
    double mean;
    if (!smp_mean(&a->I->smp, a->v[T_Y]->as.smp, &mean)) {
        smp_inputs_free(in, k);
        return rt_error_from_samples(a->I), false;
    }
    /* names first (their order is sensitivity's), then the bars by swing, largest on top */
    StrBuf *names = mem_calloc(k, sizeof *names);
    for (size_t j = 0; j < k; j++) {
        sb_init(&names[j]);
        input_name(in[j].node, j, &names[j]);
        in[j].p5 = (double)j; /* p5 is spent: it now carries the name's index through the sort */
    }
    qsort(in, k, sizeof *in, by_swing);
    size_t shown = k < (size_t)top_d ? k : (size_t)top_d;

    /* the axis: every bar's ends and the mean, with a little room */
    double lo = mean, hi = mean;
    for (size_t j = 0; j < shown; j++) {
        if (isfinite(in[j].low)) lo = fmin(lo, in[j].low), hi = fmax(hi, in[j].low);
        if (isfinite(in[j].high)) lo = fmin(lo, in[j].high), hi = fmax(hi, in[j].high);
    }
    if (!(hi > lo)) lo -= fabs(lo) * 0.1 + 1, hi += fabs(hi) * 0.1 + 1;
    double pad = (hi - lo) * 0.08;
    lo -= pad, hi += pad;
    double ticks[16];
    int nt = chart_ticks(lo, hi, 6, false, ticks, 16);
    double px0 = T_LABEL_W, px1 = T_W - 30, py0 = 60, py1 = py0 + T_ROW * (double)shown;
    double H = py1 + 60;
#define XOF(v) (px0 + ((v) - lo) / (hi - lo) * (px1 - px0))

    StrBuf o;
    sb_init(&o);
    sb_printf(&o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
                  "font-family=\"sans-serif\" font-size=\"12\">\n", T_W, H, T_W, H);
    sb_printf(&o, "<rect width=\"%d\" height=\"%.0f\" fill=\"white\"/>\n", T_W, H);
    {
        StrBuf t;
        sb_init(&t);
        if (title) sb_put(&t, title->bytes, title->len);
        else sb_puts(&t, "What drives the result: its mean with one input at its p5 / p95");
        svg_text(&o, T_W / 2.0, 24, "middle", " class=\"title\" font-size=\"15\"", t.data, t.len);
        sb_free(&t);
    }
    int sig = chart_label_digits(ticks, nt);
    for (int i = 0; i < nt; i++) { /* grid and tick labels in plot's number style */
        double x = XOF(ticks[i]);
        StrBuf l;
        sb_init(&l);
        chart_label(&l, ticks[i], sig, true);
        sb_printf(&o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n", x, py0 - 6, x, py1 + 4);
        svg_text(&o, x, py1 + 20, "middle", " class=\"tick\" fill=\"#444444\"", l.data, l.len);
        sb_free(&l);
    }
    for (size_t j = 0; j < shown; j++) {
        double y = py0 + T_ROW * (double)j, bh = T_ROW - 8;
        const StrBuf *nm = &names[(size_t)in[j].p5];
        svg_text(&o, px0 - 10, y + bh / 2 + 4, "end", " class=\"name\"", nm->data, nm->len);
        double ends[2] = {in[j].low, in[j].high};
        const char *colour[2] = {"#d9822b", "#2b6cb0"}; /* held at p5, at p95 */
        for (int e = 0; e < 2; e++) {
            if (!isfinite(ends[e])) continue;
            double x0 = XOF(fmin(ends[e], mean)), x1 = XOF(fmax(ends[e], mean));
            sb_printf(&o, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                      e ? "high" : "low", x0, y, fmax(x1 - x0, 0.5), bh, colour[e]);
            StrBuf l;
            sb_init(&l);
            chart_label(&l, ends[e], 3, false);
            bool left = ends[e] < mean;
            svg_text(&o, left ? x0 - 4 : x1 + 4, y + bh / 2 + 4, left ? "end" : "start", " class=\"value\" font-size=\"11\"",
                     l.data, l.len);
            sb_free(&l);
        }
    }
    { /* the mean, and what the colours mean */
        double x = XOF(mean);
        StrBuf l;
        sb_init(&l);
        sb_puts(&l, "mean ");
        chart_label(&l, mean, 3, false);
        sb_printf(&o, "<line class=\"mean\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222222\"/>\n", x, py0 - 10,
                  x, py1 + 4);
        svg_text(&o, x, py0 - 14, "middle", " class=\"mean-label\"", l.data, l.len);
        sb_free(&l);
        svg_text(&o, px0, H - 14, "start", " class=\"legend\" fill=\"#d9822b\"", "input at its p5", 15);
        svg_text(&o, px0 + 130, H - 14, "start", " class=\"legend\" fill=\"#2b6cb0\"", "input at its p95", 16);
        if (shown < k) {
            StrBuf m;
            sb_init(&m);
            sb_printf(&m, "%zu smaller input%s not shown (top=%zu)", k - shown, k - shown == 1 ? "" : "s", shown);
            svg_text(&o, px1, H - 14, "end", " class=\"note\" fill=\"#555555\"", m.data, m.len);
            sb_free(&m);
        }
    }
    sb_puts(&o, "</svg>\n");
#undef XOF
    for (size_t j = 0; j < k; j++) sb_free(&names[j]);
    free(names);
    smp_inputs_free(in, k);

    bool ok = chart_write_svg(a, T_PATH, path, &o);
    sb_free(&o);
    if (ok) *out = val_nil();
    return ok;
}

const BuiltinDef builtins_sensitivity[] = {
    BUILTIN("sensitivity", "y", "analysis",
            "the random inputs y depends on, most influential first: records {name, rank_corr, share, low, high} "
            "(low/high: y's mean with that input alone at its p5/p95)", fn_sensitivity),
    BUILTIN("tornado", "y, path=, top=, title=", "analysis",
            "write an SVG tornado chart of sensitivity(y)'s low-high swings around mean(y) to a .svg path (in a notebook "
            "also shown in the cell; there the path may be left out), "
            "largest on top (top=10 bars)", fn_tornado),
    {.name = NULL},
};
