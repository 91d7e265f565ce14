/* reducers.c — one samples value to a number (docs/language.md, "Reducers"). A number passed
 * to a reducer is a constant: mean(3) is 3, sd(3) is 0, percentile(3, 5) is 3. A list of numbers
 * is data, reduced as numpy reduces an array: mean([1, 2, 6]) is 3. */
#include <math.h>
#include <stdlib.h>

#include "dist_family.h"
#include "mem.h"
#include "given.h"
#include "numfmt.h"
#include "ranks.h"
#include "registry.h"

/* What a reducer reduces: samples, a number (a constant), or a list of numbers taken as data,
 * as numpy reduces an array (mean([1, 2, 6]) is 3). */
typedef struct Input {
    Samples *s;    /* samples (borrowed), or NULL */
    double num;    /* a number, when s and xs are NULL */
    double *xs;    /* a list's numbers (owned; sorted once a quantile needed it) */
    size_t n;
    bool sorted;
    bool draws; /* xs are draws (given=): sorted by the engine's radix sort, as many as N */
    Samples *sel; /* or (given= beyond the store budget) the n draws of sel where `given` holds (borrowed) */
    Given given;
} Input;

/* given=c (parameter gi, given.h): samples become the data of their draws where c holds; a number
 * stays itself (on every draw); a list is data already, which a condition on draws cannot select. */
static bool input_given(Args *a, int i, int gi, Input *in) {
    const Value *v = a->v[i];
    if (v->kind == VAL_LIST)
        return arg_error(a, gi, "given= selects draws of samples, and %s is a list (data): select its items with "
                                "filter(xs, f)", a->fn->params[i]);
    Given g;
    if (!given_read(a, gi, &g)) return false;
    if (g.kind == GIVEN_STREAM && in->s) { /* selected pass by pass, never held (given.h) */
        in->sel = in->s;
        in->given = g;
        in->n = g.m;
        in->s = NULL;
        return true;
    }
    if (g.kind == GIVEN_MASK && in->s) {
        in->xs = given_draws(a, in->s, &g);
        in->n = g.m;
        in->s = NULL;
        in->draws = true;
    }
    bool ok = g.kind == GIVEN_NONE || in->xs || v->kind != VAL_SAMPLES;
    given_free(&g);
    return ok;
}

static bool input_of(Args *a, int i, int gi, Input *in) {
    const Value *v = a->v[i];
    *in = (Input){0};
    if (gi >= 0 && has_arg(a, gi)) {
        if (v->kind == VAL_SAMPLES) in->s = v->as.smp;
        else if (v->kind == VAL_NUM) in->num = v->as.num;
        else if (v->kind == VAL_BOOL) in->num = v->as.boolean;
        else if (v->kind != VAL_LIST) return arg_type_error(a, i, "a number or samples");
        return input_given(a, i, gi, in);
    }
    if (v->kind == VAL_SAMPLES) return in->s = v->as.smp, true;
    if (v->kind == VAL_NUM) return in->num = v->as.num, true;
    if (v->kind == VAL_BOOL) return in->num = v->as.boolean, true;
    if (v->kind != VAL_LIST) return arg_type_error(a, i, "a number, samples or a list of numbers");
    const SqList *l = v->as.list;
    if (l->len == 0) return arg_error(a, i, "the list is empty");
    for (int k = 0; k < l->len; k++) {
        const Value *x = &l->items[k];
        if (x->kind == VAL_NUM || x->kind == VAL_BOOL) continue;
        if (x->kind == VAL_SAMPLES)
            return arg_error(a, i, "item %d of the list is samples: a list is reduced as data, so it must hold numbers "
                                   "(reduce each item with map(xs, %s), or combine them per draw first)",
                             k, a->fn->name);
        return arg_error(a, i, "item %d of the list is %s: a list is reduced as data, so it must hold numbers", k,
                         value_kind_name(x));
    }
    in->n = (size_t)l->len;
    in->xs = mem_alloc(in->n * sizeof *in->xs);
    for (size_t k = 0; k < in->n; k++) {
        const Value *x = &l->items[k];
        in->xs[k] = x->kind == VAL_NUM ? x->as.num : x->as.boolean;
    }
    return true;
}

/* A fold (fold.h) of the data: a list's numbers or given= draws in xs, or the draws of sel where a
 * condition holds, in a pass. */
static bool data_fold(Args *a, const Input *in, FoldKind kind, double mean, double scale, double *out) {
    if (in->sel) return given_fold(a, in->sel, &in->given, kind, mean, scale, out);
    *out = fold_array(kind, in->xs, in->n, mean, scale);
    return true;
}

static bool samples_failed(Args *a) {
    rt_error_from_samples(a->I);
    return false;
}

/* Mean and population variance (ddof 0, numpy's default; two passes, as numpy's var: the mean of
 * the squared deviations), summed by numpy's pairwise summation: mean([0.1, 0.2, 0.3]) is numpy's
 * 0.20000000000000004 to the last bit. */
static bool input_moments(Args *a, const Input *in, double *mean, double *var, double *sd) {
    if (in->s) {
        if (!smp_mean(&a->I->smp, in->s, mean) || (var && !smp_var(&a->I->smp, in->s, var))) return samples_failed(a);
        if (var) *sd = sqrt(*var);
        return true;
    }
    if (!in->xs && !in->sel) {
        *mean = in->num;
        if (var) *var = *sd = 0;
        return true;
    }
    double n = (double)in->n, sum, finite, dev, scaled;
    if (!data_fold(a, in, FOLD_SUM, 0, 0, &sum)) return false;
    *mean = sum / n;
    if (isinf(*mean)) { /* the sum overflowed (numpy says inf): finite data has a finite mean */
        if (!data_fold(a, in, FOLD_ALL_FINITE, 0, 0, &finite)) return false;
        if (finite && !data_fold(a, in, FOLD_SUM_SCALED, 0, n, mean)) return false;
    }
    if (var) {
        if (!data_fold(a, in, FOLD_SQDEV, *mean, 0, &dev)) return false;
        *var = dev / n;
        *sd = sqrt(*var);
        if (isinf(*var) && isfinite(*mean)) { /* squares past 1e308: the sd may still be finite */
            if (!data_fold(a, in, FOLD_MAXDEV, *mean, 0, &dev) || !data_fold(a, in, FOLD_SQDEV_SCALED, *mean, dev, &scaled))
                return false;
            *sd = dev * sqrt(scaled / n);
        }
    }
    return true;
}

static int cmp_double(const void *pa, const void *pb) {
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

/* Quantiles q[0..k) (in [0, 1]) as numpy's default: a NaN in the data makes them all NaN. */
static bool input_quantiles(Args *a, Input *in, const double *q, int k, double *out) {
    if (in->s) return smp_quantiles(&a->I->smp, in->s, q, k, out) ? true : samples_failed(a);
    if (in->sel && !in->xs) {
        bool done;
        if (!given_quantiles(a, in->sel, &in->given, q, k, out, &done)) return false;
        if (done) return true;
        if (!(in->xs = given_draws(a, in->sel, &in->given))) return false; /* selected and sorted */
        in->draws = true;
    }
    if (!in->xs) {
        for (int j = 0; j < k; j++) out[j] = in->num;
        return true;
    }
    if (!in->sorted && in->draws) {
        ranks_sort(in->xs, in->n, a->I->smp.threads); /* the same order as qsort's but for -0 and +0 */
        in->sorted = true;
    } else if (!in->sorted) {
        qsort(in->xs, in->n, sizeof *in->xs, cmp_double);
        in->sorted = true;
    }
    bool nan = false;
    for (size_t i = 0; i < in->n && !nan; i++) nan = isnan(in->xs[i]);
    for (int j = 0; j < k; j++) out[j] = nan ? NAN : smp_quantile_sorted(in->xs, in->n, q[j]);
    return true;
}

typedef enum Reduce { R_MEAN, R_SD, R_VAR } Reduce;

static bool moment(Args *a, Value *out, Reduce r) {
    Input in;
    double mean, var, sd;
    if (!input_of(a, 0, 1, &in)) return false;
    bool ok = input_moments(a, &in, &mean, r == R_MEAN ? NULL : &var, &sd);
    free(in.xs);
    if (ok) *out = val_num(r == R_MEAN ? mean : r == R_SD ? sd : var);
    return ok;
}

static bool fn_mean(Args *a, Value *out) { return moment(a, out, R_MEAN); }
static bool fn_sd(Args *a, Value *out) { return moment(a, out, R_SD); }
static bool fn_var(Args *a, Value *out) { return moment(a, out, R_VAR); }

static bool quantile_of(Args *a, double q, int gi, Value *out) {
    Input in;
    double x;
    if (!input_of(a, 0, gi, &in)) return false;
    bool ok = input_quantiles(a, &in, &q, 1, &x);
    free(in.xs);
    if (ok) *out = val_num(x);
    return ok;
}

static bool fn_median(Args *a, Value *out) { return quantile_of(a, 0.5, 1, out); }

/* A `%` literal where a percentage is meant (docs/language.md, "Reducers"): `percentile(x, 95%)`
 * is p = 0.95, almost surely not what was meant. The message quotes the literal without its `%`. */
static bool refuse_percent_literal(Args *a, int i, bool list) {
    if (!arg_is_percent_literal(a, i)) return true;
    const Ast *n = a->node[i];
    for (int k = 0; n->kind == AST_LIST && k < n->as.list.count; k++)
        if (n->as.list.items[k]->kind == AST_NUM && n->as.list.items[k]->percent) n = n->as.list.items[k];
    const char *text = n->span.src->text + n->span.start;
    int len = (int)(n->span.end - n->span.start) - 1; /* without the % */
    StrBuf q;
    sb_init(&q);
    num_shortest(&q, n->as.num);
    if (list)
        rt_error(a->I, n->span, "%s: percentiles are written from 0 to 100: %.*s%% is %s; write %.*s (as in [5, 50, 95])",
                 a->fn->name, len, text, q.data, len, text);
    else
        rt_error(a->I, n->span, "%s: the percentile is written from 0 to 100: %.*s%% is %s; write %.*s, or quantile(x, %s)",
                 a->fn->name, len, text, q.data, len, text, q.data);
    sb_free(&q);
    return false;
}

static bool fn_percentile(Args *a, Value *out) {
    double p;
    if (!refuse_percent_literal(a, 1, false) || !need_num(a, 1, &p)) return false;
    if (!(p >= 0 && p <= 100)) return arg_error(a, 1, "the percentile must be between 0 and 100, got %s", num_text(&(NumText){0}, p));
    return quantile_of(a, p / 100.0, 2, out);
}

static bool fn_quantile(Args *a, Value *out) {
    double q;
    if (!need_num(a, 1, &q)) return false;
    if (!(q >= 0 && q <= 1)) return arg_error(a, 1, "the quantile must be between 0 and 1, got %s", num_text(&(NumText){0}, q));
    return quantile_of(a, q, 2, out);
}

static bool fn_percentiles(Args *a, Value *out) {
    const SqList *ps;
    Input in;
    if (!refuse_percent_literal(a, 1, true) || !need_list(a, 1, &ps)) return false;
    double q[64], r[64];
    if (ps->len > 64) return arg_error(a, 1, "at most 64 percentiles at once, got %d", ps->len);
    for (int i = 0; i < ps->len; i++) {
        const Value *p = &ps->items[i];
        if (p->kind != VAL_NUM || !(p->as.num >= 0 && p->as.num <= 100))
            return arg_error(a, 1, "percentiles must be numbers between 0 and 100");
        q[i] = p->as.num / 100.0;
    }
    if (!input_of(a, 0, 2, &in)) return false;
    bool ok = !ps->len || input_quantiles(a, &in, q, ps->len, r);
    free(in.xs);
    if (!ok) return false;
    *out = val_list_new(ps->len);
    for (int i = 0; i < ps->len; i++) list_push(out->as.list, val_num(r[i]));
    out->as.list->estimates = true; /* the REPL shows them as the summaries do */
    return true;
}

/* prob(cond) takes a condition: a bool, or samples that a comparison, and/or/not, or an
 * if-expression of two conditions made (their mark: smp_is_bool). Other samples -- say norm(1, 3)
 * or bernoulli(0.3), whose draws are numbers 0 and 1 as in squigglepy -- are an error rather
 * than their mean (docs/language.md, "Reducers"). */
static bool fn_prob(Args *a, Value *out) {
    const Value *v = a->v[0];
    if (v->kind == VAL_BOOL) {
        Given g; /* a constant condition: still the given= must be one that holds somewhere */
        if (!given_read(a, 1, &g)) return false;
        given_free(&g);
        return *out = val_num(v->as.boolean), true;
    }
    if (v->kind == VAL_SAMPLES && !smp_is_bool(v->as.smp))
        return arg_error(a, 0, "the argument must be a condition such as prob(x > 0), got samples of numbers "
                               "(of bernoulli(p) draws write prob(x == 1); for the average, mean(x))");
    if (v->kind != VAL_SAMPLES)
        return arg_type_error(a, 0, "a condition (a bool or bool samples, e.g. x > 3)");
    double p;
    if (has_arg(a, 1)) { /* P(cond | given): the share of the draws where given holds */
        Input in;
        if (!input_of(a, 0, 1, &in)) return false;
        bool ok = input_moments(a, &in, &p, NULL, NULL);
        free(in.xs);
        if (!ok) return false;
    } else if (!smp_mean(&a->I->smp, v->as.smp, &p)) {
        return samples_failed(a);
    }
    *out = val_num(p);
    return true;
}

static bool fn_cdf(Args *a, Value *out) {
    int exact = dist_exact_cdf(a, out); /* a constructor's value: GSL's CDF (dist_exact.c) */
    if (exact >= 0) return exact == 1;
    Input in;
    double v, x;
    if (!need_num(a, 1, &v) || !input_of(a, 0, 2, &in)) return false;
    if (in.s) {
        if (!smp_cdf(&a->I->smp, in.s, v, &x)) return samples_failed(a);
    } else if (in.xs || in.sel) {
        double below;
        bool ok = data_fold(a, &in, FOLD_COUNT_LE, v, 0, &below);
        free(in.xs);
        if (!ok) return false;
        x = below / (double)in.n;
    } else {
        x = in.num <= v;
    }
    *out = val_num(x);
    return true;
}

/* exp(mean(log x)), as squigglepy's geomean (numpy's log, average and exp): every value must be > 0
 * (a zero or negative value has no logarithm; squigglepy's gives 0 or NaN with a warning). */
static bool fn_geomean(Args *a, Value *out) {
    Input in;
    if (!input_of(a, 0, 1, &in)) return false;
    double lo, m;
    if (in.s) {
        if (!smp_min(&a->I->smp, in.s, &lo)) return samples_failed(a);
        if (!(lo > 0)) return arg_error(a, 0, "every draw must be > 0 (a logarithm is taken), the smallest is %s", num_text(&(NumText){0}, lo));
        Samples *l = smp_unary(SU_LOG, in.s);
        bool ok = smp_mean(&a->I->smp, l, &m);
        smp_release(l);
        if (!ok) return samples_failed(a);
    } else if (in.xs || in.sel) {
        double bad = 1; /* the first value that is not > 0 (1: none) */
        size_t at = 0;
        if (in.sel && !data_fold(a, &in, FOLD_FIRST_NONPOS, 0, 0, &bad)) return false;
        for (; in.xs && at < in.n && bad > 0; at++) bad = in.xs[at];
        if (!(bad > 0)) {
            NumText t;
            if (has_arg(a, 1)) /* given=: the draws where the condition holds */
                arg_error(a, 0, "every draw must be > 0 (a logarithm is taken), and one where the condition holds is %s",
                          num_text(&t, bad));
            else
                arg_error(a, 0, "item %zu of the list is %s: every value must be > 0 (a logarithm is taken)", at - 1,
                          num_text(&t, bad));
            free(in.xs);
            return false;
        }
        bool ok = data_fold(a, &in, FOLD_LOG_SUM, 0, 0, &m);
        free(in.xs);
        if (!ok) return false;
        m /= (double)in.n;
    } else {
        if (!(in.num > 0)) return arg_error(a, 0, "the value must be > 0 (a logarithm is taken), got %s", num_text(&(NumText){0}, in.num));
        m = ar_log(in.num);
    }
    *out = val_num(ar_exp(m));
    return true;
}

static bool fn_summary(Args *a, Value *out) {
    Input in;
    double mean, var, sd, q[3];
    static const double qs[3] = {0.05, 0.5, 0.95};
    if (!input_of(a, 0, 1, &in)) return false;
    bool ok = input_moments(a, &in, &mean, &var, &sd) && input_quantiles(a, &in, qs, 3, q);
    free(in.xs);
    if (!ok) return false;
    *out = val_record_new();
    record_set(out->as.rec, "mean", 4, val_num(mean));
    record_set(out->as.rec, "sd", 2, val_num(sd));
    record_set(out->as.rec, "p5", 2, val_num(q[0]));
    record_set(out->as.rec, "p50", 3, val_num(q[1]));
    record_set(out->as.rec, "p95", 3, val_num(q[2]));
    out->as.rec->estimates = true; /* the REPL shows them as the summaries do */
    return true;
}

const BuiltinDef builtins_reducers[] = {
    BUILTIN("mean", "x, given=", "reducers", "average of the draws", fn_mean),
    BUILTIN("sd", "x, given=", "reducers", "standard deviation of the draws (population, as numpy's std)", fn_sd),
    BUILTIN("var", "x, given=", "reducers", "variance of the draws (population, as numpy's var)", fn_var),
    BUILTIN("median", "x, given=", "reducers", "the 50th percentile", fn_median),
    BUILTIN("percentile", "x, p, given=", "reducers", "the p-th percentile (0..100), numpy's linear interpolation", fn_percentile),
    BUILTIN("quantile", "x, q, given=", "reducers", "the q-quantile (0..1)", fn_quantile),
    BUILTIN("percentiles", "x, ps, given=", "reducers", "a list of percentiles, e.g. percentiles(x, [5, 50, 95])", fn_percentiles),
    BUILTIN("prob", "cond, given=", "reducers", "share of draws where a condition (x > 3, a and b, ...) is true; prob(a, given=b) is P(a | b)", fn_prob),
    BUILTIN("cdf", "x, v, given=", "reducers", "P(x <= v): exact for a constructor's value, else the share of draws <= v", fn_cdf),
    BUILTIN("summary", "x, given=", "reducers", "record {mean, sd, p5, p50, p95}", fn_summary),
    BUILTIN("geomean", "x, given=", "reducers", "geometric mean exp(mean(log x)) of draws or a list of numbers > 0", fn_geomean),
    {.name = NULL},
};
