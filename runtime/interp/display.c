/* display.c — print's text for every kind of value. */
#include "display.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"

void display_quoted(StrBuf *out, const char *s, size_t len) {
    sb_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': sb_puts(out, "\\\""); break;
        case '\\': sb_puts(out, "\\\\"); break;
        case '\n': sb_puts(out, "\\n"); break;
        case '\t': sb_puts(out, "\\t"); break;
        case '\r': sb_puts(out, "\\r"); break;
        default:
            if (c < 0x20) sb_printf(out, "\\x%02x", c);
            else sb_putc(out, (char)c);
        }
    }
    sb_putc(out, '"');
}

static bool is_identifier(const char *s, size_t len) {
    if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return false;
    return true;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's default (linear) quantile of sorted finite values */
static double sorted_quantile(const double *x, size_t n, double q) {
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)h;
    if (lo + 1 >= n) return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

/* The summary when some draws are NaN or infinite: mean and 90% CI of the finite draws, and
 * how many draws were left out, rather than a NaN mean and percentiles that NaN poisons. */
static bool summary_of_finite(Interp *I, Samples *s, size_t nans, size_t infs, StrBuf *out) {
    const double *d = smp_draws(&I->smp, s);
    if (!d) return false;
    size_t n = I->smp.n, m = 0;
    double *fin = mem_alloc((n ? n : 1) * sizeof *fin);
    double mean = 0; /* a running mean: a sum of draws near 1e308 would overflow */
    for (size_t i = 0; i < n; i++)
        if (isfinite(d[i])) fin[m++] = d[i], mean += (d[i] - mean) / (double)m;
    if (m) {
        qsort(fin, m, sizeof *fin, compare_doubles);
        sb_puts(out, "mean ");
        num_compact(out, mean);
        sb_puts(out, ", 90% CI ");
        num_compact(out, sorted_quantile(fin, m, 0.05));
        sb_puts(out, " to ");
        num_compact(out, sorted_quantile(fin, m, 0.95));
        sb_puts(out, " of the finite draws (");
    } else {
        sb_puts(out, "no finite draws (");
    }
    if (nans) sb_printf(out, "%zu NaN", nans);
    if (nans && infs) sb_puts(out, " and ");
    if (infs) sb_printf(out, "%zu infinite", infs);
    sb_puts(out, m ? " draws left out)" : " draws)");
    free(fin);
    return true;
}

/* The summary itself; false with the engine's error still in I->smp. */
static bool samples_summary(Interp *I, Samples *s, StrBuf *out) {
    SampleCtx *ctx = &I->smp;
    if (smp_is_bool(s)) {
        double p;
        if (!smp_mean(ctx, s, &p)) return false;
        sb_puts(out, "true on ");
        StrBuf pct;
        sb_init(&pct);
        char err[8];
        fmt_number(&pct, ".1%", 3, p, err, sizeof err);
        sb_put(out, pct.data, pct.len);
        sb_free(&pct);
        sb_puts(out, " of draws");
        return true;
    }
    double mean, q[2];
    static const double ci[2] = {0.05, 0.95};
    size_t nans = 0, infs = 0;
    if (!smp_nonfinite(ctx, s, &nans, &infs)) return false;
    if (nans || infs) return summary_of_finite(I, s, nans, infs, out);
    if (!smp_mean(ctx, s, &mean) || !smp_quantiles(ctx, s, ci, 2, q)) return false;
    sb_puts(out, "mean ");
    num_compact(out, mean);
    sb_puts(out, ", 90% CI ");
    num_compact(out, q[0]);
    sb_puts(out, " to ");
    num_compact(out, q[1]);
    return true;
}

bool display_samples_summary(Interp *I, Samples *s, StrBuf *out) {
    if (samples_summary(I, s, out)) return true;
    /* A draw failed inside the engine (a negative sd on draw 5, say): its message and the span of
     * the call that made the failing node move into I, where every caller reports from. */
    rt_error_from_samples(I);
    return false;
}

bool display_text_fits(Interp *I, const StrBuf *out) {
    if (out->len <= I->max_string) return true;
    char lim[24];
    interp_limit_text(lim, sizeof lim, I->max_string);
    rt_error(I, I->node ? I->node->span : I->err.span, "the text would be longer than %s bytes (the limit of a string)",
             lim);
    return false;
}

/* A list of records with the same keys as an aligned table (SqList.table, made by sensitivity()):
 * a header of the keys, then a row per record; text left-aligned, numbers right-aligned in the
 * summaries' three-digit style. False (nothing written) for any other shape. */
static bool display_table(const SqList *l, StrBuf *out) {
    if (l->len == 0 || l->items[0].kind != VAL_RECORD) return false;
    const SqRecord *head = l->items[0].as.rec;
    int ncol = head->len;
    if (ncol == 0 || ncol > 16) return false;
    for (int i = 0; i < l->len; i++) {
        const Value *row = &l->items[i];
        if (row->kind != VAL_RECORD || row->as.rec->len != ncol) return false;
        for (int c = 0; c < ncol; c++) {
            const Value *x = &row->as.rec->vals[c];
            if (strcmp(row->as.rec->keys[c]->bytes, head->keys[c]->bytes) || (x->kind != VAL_STR && x->kind != VAL_NUM))
                return false;
        }
    }
    StrBuf *cell = mem_calloc((size_t)(l->len + 1) * (size_t)ncol, sizeof *cell);
    size_t width[16] = {0};
    bool right[16] = {0};
    for (int c = 0; c < ncol; c++) {
        sb_init(&cell[c]);
        sb_put(&cell[c], head->keys[c]->bytes, head->keys[c]->len);
        right[c] = head->vals[c].kind == VAL_NUM;
    }
    for (int i = 0; i < l->len; i++)
        for (int c = 0; c < ncol; c++) {
            StrBuf *b = &cell[(size_t)(i + 1) * (size_t)ncol + (size_t)c];
            const Value *x = &l->items[i].as.rec->vals[c];
            sb_init(b);
            if (x->kind == VAL_STR) sb_put(b, x->as.str->bytes, x->as.str->len);
            else num_compact(b, x->as.num);
        }
    for (size_t k = 0; k < (size_t)(l->len + 1) * (size_t)ncol; k++) {
        size_t chars = 0; /* characters, not bytes: a name may hold UTF-8 */
        for (size_t j = 0; j < cell[k].len; j++) chars += ((unsigned char)cell[k].data[j] & 0xC0) != 0x80;
        if (chars > width[k % (size_t)ncol]) width[k % (size_t)ncol] = chars;
    }
    for (int i = 0; i <= l->len; i++) {
        for (int c = 0; c < ncol; c++) {
            StrBuf *b = &cell[(size_t)i * (size_t)ncol + (size_t)c];
            size_t chars = 0;
            for (size_t j = 0; j < b->len; j++) chars += ((unsigned char)b->data[j] & 0xC0) != 0x80;
            if (c) sb_puts(out, "  ");
            if (right[c]) for (size_t p = chars; p < width[c]; p++) sb_putc(out, ' ');
            sb_put(out, b->data, b->len);
            if (!right[c] && c + 1 < ncol) for (size_t p = chars; p < width[c]; p++) sb_putc(out, ' ');
            sb_free(b);
        }
        if (i < l->len) sb_putc(out, '\n');
    }
    free(cell);
    return true;
}

static void display_function(const Value *v, StrBuf *out) {
    if (v->kind == VAL_BUILTIN) {
        sb_printf(out, "<builtin %s>", v->as.builtin->name);
        return;
    }
    const SqFunc *f = v->as.func;
    sb_printf(out, "<function %s(", f->name ? f->name : "");
    for (int i = 0; i < f->nparams; i++) sb_printf(out, "%s%s", i ? ", " : "", f->params[i].name);
    sb_puts(out, ")>");
}

bool display_value(Interp *I, const Value *v, StrBuf *out, bool top) {
    switch (v->kind) {
    case VAL_NIL: sb_puts(out, "nil"); return true;
    case VAL_NUM: num_shortest(out, v->as.num); return true;
    case VAL_BOOL: sb_puts(out, v->as.boolean ? "true" : "false"); return true;
    case VAL_STR:
        if (top) sb_put(out, v->as.str->bytes, v->as.str->len);
        else display_quoted(out, v->as.str->bytes, v->as.str->len);
        return true;
    case VAL_SAMPLES: return display_samples_summary(I, v->as.smp, out);
    case VAL_LIST:
        if (top && v->as.list->table && display_table(v->as.list, out)) return true;
        sb_putc(out, '[');
        for (int i = 0; i < v->as.list->len; i++) {
            if (i) sb_puts(out, ", ");
            if (!display_value(I, &v->as.list->items[i], out, false) || !display_text_fits(I, out)) return false;
        }
        sb_putc(out, ']');
        return true;
    case VAL_RECORD: {
        const SqRecord *r = v->as.rec;
        sb_putc(out, '{');
        for (int i = 0; i < r->len; i++) {
            if (i) sb_puts(out, ", ");
            if (is_identifier(r->keys[i]->bytes, r->keys[i]->len)) sb_put(out, r->keys[i]->bytes, r->keys[i]->len);
            else display_quoted(out, r->keys[i]->bytes, r->keys[i]->len);
            sb_puts(out, ": ");
            if (!display_value(I, &r->vals[i], out, false) || !display_text_fits(I, out)) return false;
        }
        sb_putc(out, '}');
        return true;
    }
    case VAL_FUNC:
    case VAL_BUILTIN: display_function(v, out); return true;
    }
    return true;
}
