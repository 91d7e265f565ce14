/* given.c — conditioning by rejection: given=c (given.h). Where an array of all N draws fits the
 * budget for stored draws, the condition's and the value's draws are read as whole arrays
 * (smp_draws): the rehearsal records them, so a script's conditions are computed in the shared pass,
 * and an array stays cached for the next summary with the same condition instead of another pass.
 * Beyond it the draws where c holds are selected pass by pass and never held (docs/scale.md,
 * "Memory"), with the same results to the bit. */
#include "given.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

#define GIVEN_FEW 100 /* fewer draws than this: a note says how many */
/* Fewer selected draws than this: quantiles from an array of them (given_draws) */
#define GIVEN_COLLECT 65536

static void count_take(void *arg, const double *x, size_t len) {
    (void)x;
    *(size_t *)arg += len;
}

/* The m draws of condition c that hold: from an array of them where one fits the budget, else
 * counted in a pass (GIVEN_STREAM). */
static bool given_select(Args *a, Samples *c, Given *g) {
    SampleCtx *ctx = &a->I->smp;
    if (!smp_store_fits(ctx)) {
        size_t m = 0;
        if (!smp_eval_selected(ctx, c, c, NULL, 0, count_take, &m)) return rt_error_from_samples(a->I), false;
        *g = (Given){GIVEN_STREAM, NULL, m, c};
        return true;
    }
    const double *d = smp_draws(ctx, c);
    if (!d) return rt_error_from_samples(a->I), false;
    size_t n = ctx->n, m = 0;
    g->mask = mem_alloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) m += g->mask[i] = d[i] != 0;
    g->m = m;
    g->kind = GIVEN_MASK;
    return true;
}

bool given_read(Args *a, int gi, Given *g) {
    *g = (Given){GIVEN_NONE, NULL, 0, NULL};
    if (!has_arg(a, gi)) return true;
    const Value *c = a->v[gi];
    SampleCtx *ctx = &a->I->smp;
    if (c->kind == VAL_BOOL) {
        if (c->as.boolean) return true;
        return arg_error(a, gi, "the condition is false: it holds on no draw, so there is nothing to condition on");
    }
    if (c->kind == VAL_SAMPLES && !smp_is_bool(c->as.smp))
        return arg_error(a, gi, "given= takes a condition such as given=x > 0, got samples of numbers "
                                "(of bernoulli(p) draws write given=b == 1)");
    if (c->kind != VAL_SAMPLES) return arg_type_error(a, gi, "a condition (bool samples, e.g. given=x > 3)");
    if (!given_select(a, c->as.smp, g)) return false;
    size_t n = ctx->n, m = g->m;
    if (m == 0) {
        given_free(g);
        return arg_error(a, gi, "the condition holds on none of the %zu draws, so there is nothing to condition on "
                                "(a rarer event needs more samples, or a wider condition)", n);
    }
    if (m < GIVEN_FEW && !a->I->rehearsal_n) { /* a rehearsal's few draws are not the run's */
        const Span *sp = &a->span[gi];
        int line = 0, col = 0;
        if (sp->src) source_line_col(sp->src, sp->start, &line, &col);
        fflush(a->I->out);
        fprintf(stderr, "%s:%d:%d: note: %s: the condition holds on only %zu of the %zu draws; the result rests on "
                        "those %zu\n", sp->src ? sp->src->name : "sqc", line, col, a->fn->name, m, n, m);
    }
    return true;
}

void given_free(Given *g) {
    free(g->mask);
    *g = (Given){GIVEN_NONE, NULL, 0, NULL};
}

double *given_draws(Args *a, Samples *s, const Given *g) {
    SampleCtx *ctx = &a->I->smp;
    if (g->kind == GIVEN_STREAM) {
        SmpCollect c = {mem_alloc((g->m ? g->m : 1) * sizeof(double)), 0};
        if (!smp_eval_selected(ctx, s, g->c, NULL, 0, smp_take_collect, &c))
            return free(c.x), rt_error_from_samples(a->I), NULL;
        return c.x;
    }
    const double *d = smp_draws(ctx, s);
    if (!d) return rt_error_from_samples(a->I), NULL;
    double *out = mem_alloc(g->m * sizeof *out);
    for (size_t i = 0, j = 0; i < ctx->n; i++)
        if (g->mask[i]) out[j++] = d[i];
    return out;
}

bool given_fold(Args *a, Samples *s, const Given *g, FoldKind kind, double mean, double scale, double *out) {
    Fold f;
    fold_init(&f, kind, g->m, mean, scale);
    if (!smp_eval_selected(&a->I->smp, s, g->c, NULL, 0, fold_add, &f)) return rt_error_from_samples(a->I), false;
    *out = fold_value(&f);
    return true;
}

bool given_quantiles(Args *a, Samples *s, const Given *g, const double *q, int k, double *out, bool *done) {
    *done = false;
    if (g->kind != GIVEN_STREAM || g->m < GIVEN_COLLECT) return true;
    int r = smp_quantiles_selected(&a->I->smp, s, g->c, g->m, q, k, out);
    if (r < 0) return rt_error_from_samples(a->I), false;
    *done = r == 1;
    return true;
}

/* v with its samples replaced by their draws where g holds (a new value). */
static bool conditioned(Args *a, const Value *v, const Given *g, Value *out) {
    if (v->kind == VAL_SAMPLES) {
        double *d = given_draws(a, v->as.smp, g);
        if (!d) return false;
        Samples *s = smp_from_array(d);
        if (smp_is_bool(v->as.smp)) smp_mark_bool(s);
        *out = val_samples(s);
        return true;
    }
    if (v->kind == VAL_LIST) {
        *out = val_list_new(v->as.list->len);
        for (int i = 0; i < v->as.list->len; i++) {
            Value item;
            if (!conditioned(a, &v->as.list->items[i], g, &item)) return value_release(*out), false;
            list_push(out->as.list, item);
        }
        return true;
    }
    if (v->kind == VAL_RECORD) {
        *out = val_record_new();
        const SqRecord *r = v->as.rec;
        for (int i = 0; i < r->len; i++) {
            Value item;
            if (!conditioned(a, &r->vals[i], g, &item)) return value_release(*out), false;
            record_set(out->as.rec, r->keys[i]->bytes, r->keys[i]->len, item);
        }
        return true;
    }
    *out = value_retain(*v);
    return true;
}

bool given_call(Args *a, int xi, int gi, BuiltinFn fn, Value *out) {
    Given g;
    if (!given_read(a, gi, &g)) return false;
    if (g.kind == GIVEN_NONE) return fn(a, out);
    Value x;
    bool ok = conditioned(a, a->v[xi], &g, &x);
    if (ok) {
        SampleCtx *ctx = &a->I->smp;
        const Value *saved_v = a->v[xi];
        size_t saved_n = ctx->n;
        a->v[xi] = &x;
        ctx->n = g.m; /* the conditioned values are all there is until fn returns */
        ok = fn(a, out);
        ctx->n = saved_n;
        a->v[xi] = saved_v;
        value_release(x);
    }
    given_free(&g);
    return ok;
}
