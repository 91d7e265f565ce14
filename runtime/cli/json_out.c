/* json_out.c — `sqc --json`: the run's top-level bindings as one JSON document. */
#include "json_out.h"
#include "mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "display.h"
#include "numfmt.h"
#include "text_escape.h"

/* ---------- the order of the keys ---------- */

typedef struct Names {
    Sym *v;
    int n, cap;
} Names;

static bool names_has(const Names *ns, Sym s) {
    for (int i = 0; i < ns->n; i++)
        if (ns->v[i] == s) return true;
    return false;
}

static void names_add(Names *ns, Sym s) {
    if (!s || names_has(ns, s)) return;
    MEM_GROW_FROM(ns->v, ns->cap, (size_t)ns->n + 1, 32);
    ns->v[ns->n++] = s;
}

static void collect(void *ctx, Sym name) { names_add(ctx, name); }

static int by_name(const void *a, const void *b) { return strcmp(*(const Sym *)a, *(const Sym *)b); }

/* ---------- values ---------- */

static void indent_to(StrBuf *out, int level) {
    for (int i = 0; i < level; i++) sb_puts(out, "  ");
}

static void number(StrBuf *out, double x) {
    if (isfinite(x)) num_shortest(out, x);
    else sb_puts(out, "null");
}

static bool is_scalar(const Value *v) { return v->kind != VAL_LIST && v->kind != VAL_RECORD && v->kind != VAL_SAMPLES; }

static bool samples_summary(Interp *I, Samples *s, StrBuf *out) {
    static const double QS[7] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
    static const char *const QN[7] = {"p1", "p5", "p25", "p50", "p75", "p95", "p99"};
    double mean, var, q[7], lo, hi;
    SampleCtx *ctx = &I->smp;
    if (!smp_mean(ctx, s, &mean) || !smp_var(ctx, s, &var) || !smp_quantiles(ctx, s, QS, 7, q) ||
        !smp_min(ctx, s, &lo) || !smp_max(ctx, s, &hi)) {
        rt_error_from_samples(I);
        return false;
    }
    sb_puts(out, "{\"mean\": ");
    number(out, mean);
    sb_puts(out, ", \"sd\": ");
    number(out, sqrt(var));
    for (int i = 0; i < 7; i++) {
        sb_printf(out, ", \"%s\": ", QN[i]);
        number(out, q[i]);
    }
    sb_puts(out, ", \"min\": ");
    number(out, lo);
    sb_puts(out, ", \"max\": ");
    number(out, hi);
    sb_putc(out, '}');
    return true;
}

bool json_value(Interp *I, const Value *v, StrBuf *out, int indent) {
    switch (v->kind) {
    case VAL_NIL: sb_puts(out, "null"); return true;
    case VAL_NUM: number(out, v->as.num); return true;
    case VAL_BOOL: sb_puts(out, v->as.boolean ? "true" : "false"); return true;
    case VAL_STR: json_escape(out, v->as.str->bytes, v->as.str->len); return true;
    case VAL_SAMPLES: return samples_summary(I, v->as.smp, out);
    case VAL_FUNC:
    case VAL_BUILTIN: {
        StrBuf text;
        sb_init(&text);
        display_value(I, v, &text, true);
        json_escape(out, text.data ? text.data : "", text.len);
        sb_free(&text);
        return true;
    }
    case VAL_LIST:
    case VAL_RECORD: {
        bool rec = v->kind == VAL_RECORD;
        int len = rec ? v->as.rec->len : v->as.list->len;
        const Value *items = rec ? v->as.rec->vals : v->as.list->items;
        if (len == 0) {
            sb_puts(out, rec ? "{}" : "[]");
            return true;
        }
        /* flat ones on one line, nested ones one item a line */
        bool flat = true;
        for (int i = 0; i < len && flat; i++) flat = is_scalar(&items[i]);
        sb_putc(out, rec ? '{' : '[');
        for (int i = 0; i < len; i++) {
            if (i) sb_putc(out, ',');
            if (flat) {
                if (i) sb_putc(out, ' ');
            } else {
                sb_putc(out, '\n');
                indent_to(out, indent + 1);
            }
            if (rec) {
                json_escape(out, v->as.rec->keys[i]->bytes, v->as.rec->keys[i]->len);
                sb_puts(out, ": ");
            }
            if (!json_value(I, &items[i], out, indent + 1)) return false;
        }
        if (!flat) {
            sb_putc(out, '\n');
            indent_to(out, indent);
        }
        sb_putc(out, rec ? '}' : ']');
        return true;
    }
    }
    return true;
}

bool json_globals(Interp *I, StrBuf *out) {
    Names order = {0}, globals = {0};
    for (int i = 0; i < I->nprograms; i++)
        if (I->programs[i]) interp_top_names(program_root(I->programs[i]), collect, &order);
    interp_each_global(I, collect, &globals);
    if (globals.n > 1) qsort(globals.v, (size_t)globals.n, sizeof *globals.v, by_name);
    Names keys = {0};
    for (int i = 0; i < order.n; i++)
        if (names_has(&globals, order.v[i])) names_add(&keys, order.v[i]);
    for (int i = 0; i < globals.n; i++) names_add(&keys, globals.v[i]);

    bool ok = true;
    sb_putc(out, '{');
    for (int i = 0; i < keys.n && ok; i++) {
        Value v;
        if (!interp_get_global(I, keys.v[i], &v)) continue;
        sb_puts(out, i ? ",\n  " : "\n  ");
        json_escape(out, keys.v[i], strlen(keys.v[i]));
        sb_puts(out, ": ");
        ok = json_value(I, &v, out, 1);
    }
    sb_puts(out, keys.n ? "\n}\n" : "}\n");
    free(order.v);
    free(globals.v);
    free(keys.v);
    return ok;
}
