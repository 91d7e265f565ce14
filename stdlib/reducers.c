/* reducers.c — one samples value to a number (SPEC §5). A number passed to a reducer
 * is a constant: mean(3) is 3, sd(3) is 0, percentile(3, 5) is 3. */
#include <math.h>

#include "numfmt.h"
#include "registry.h"

typedef enum Reduce { R_MEAN, R_SD, R_VAR } Reduce;

/* Parameter 0 as samples (*s set) or a number (*s NULL, *num set). */
static bool samples_or_number(Args *a, int i, Samples **s, double *num) {
    const Value *v = a->v[i];
    *s = NULL;
    if (v && v->kind == VAL_SAMPLES) return *s = v->as.smp, true;
    return need_num(a, i, num);
}

static bool samples_failed(Args *a) {
    rt_error_from_samples(a->I);
    return false;
}

static bool moment(Args *a, Value *out, Reduce r) {
    Samples *s;
    double x;
    if (!samples_or_number(a, 0, &s, &x)) return false;
    if (!s) {
        *out = val_num(r == R_MEAN ? x : 0);
        return true;
    }
    bool ok = r == R_MEAN ? smp_mean(&a->I->smp, s, &x) : smp_var(&a->I->smp, s, &x);
    if (!ok) return samples_failed(a);
    *out = val_num(r == R_SD ? sqrt(x) : x);
    return true;
}

static bool fn_mean(Args *a, Value *out) { return moment(a, out, R_MEAN); }
static bool fn_sd(Args *a, Value *out) { return moment(a, out, R_SD); }
static bool fn_var(Args *a, Value *out) { return moment(a, out, R_VAR); }

static bool quantile_of(Args *a, double q, Value *out) {
    Samples *s;
    double x;
    if (!samples_or_number(a, 0, &s, &x)) return false;
    if (s && !smp_quantiles(&a->I->smp, s, &q, 1, &x)) return samples_failed(a);
    *out = val_num(x);
    return true;
}

static bool fn_median(Args *a, Value *out) { return quantile_of(a, 0.5, out); }

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
    if (!(p >= 0 && p <= 100)) return arg_error(a, 1, "the percentile must be between 0 and 100, got %g", p);
    return quantile_of(a, p / 100.0, out);
}

static bool fn_quantile(Args *a, Value *out) {
    double q;
    if (!need_num(a, 1, &q)) return false;
    if (!(q >= 0 && q <= 1)) return arg_error(a, 1, "the quantile must be between 0 and 1, got %g", q);
    return quantile_of(a, q, out);
}

static bool fn_percentiles(Args *a, Value *out) {
    const SqList *ps;
    Samples *s;
    double x;
    if (!samples_or_number(a, 0, &s, &x) || !refuse_percent_literal(a, 1, true) || !need_list(a, 1, &ps)) return false;
    double q[64], r[64];
    if (ps->len > 64) return arg_error(a, 1, "at most 64 percentiles at once, got %d", ps->len);
    for (int i = 0; i < ps->len; i++) {
        const Value *p = &ps->items[i];
        if (p->kind != VAL_NUM || !(p->as.num >= 0 && p->as.num <= 100))
            return arg_error(a, 1, "percentiles must be numbers between 0 and 100");
        q[i] = p->as.num / 100.0;
        r[i] = x;
    }
    if (s && ps->len && !smp_quantiles(&a->I->smp, s, q, ps->len, r)) return samples_failed(a);
    *out = val_list_new(ps->len);
    for (int i = 0; i < ps->len; i++) list_push(out->as.list, val_num(r[i]));
    return true;
}

/* prob(cond) takes a condition: a bool, or samples that a comparison, and/or/not, or an
 * if-expression of two conditions made (their mark: smp_is_bool). Other samples -- say norm(1, 3)
 * or bernoulli(0.3), whose draws are numbers 0 and 1 as in squigglepy -- are an error rather
 * than their mean (docs/language.md, "Reducers"). */
static bool fn_prob(Args *a, Value *out) {
    const Value *v = a->v[0];
    if (v->kind == VAL_BOOL) return *out = val_num(v->as.boolean), true;
    if (v->kind == VAL_SAMPLES && !smp_is_bool(v->as.smp))
        return arg_error(a, 0, "the argument must be a condition such as prob(x > 0), got samples of numbers "
                               "(of bernoulli(p) draws write prob(x == 1); for the average, mean(x))");
    if (v->kind != VAL_SAMPLES)
        return arg_type_error(a, 0, "a condition (a bool or bool samples, e.g. x > 3)");
    double p;
    if (!smp_mean(&a->I->smp, v->as.smp, &p)) return samples_failed(a);
    *out = val_num(p);
    return true;
}

static bool fn_cdf(Args *a, Value *out) {
    Samples *s;
    double x, v;
    if (!samples_or_number(a, 0, &s, &x) || !need_num(a, 1, &v)) return false;
    if (!s) return *out = val_num(x <= v), true;
    if (!smp_cdf(&a->I->smp, s, v, &x)) return samples_failed(a);
    *out = val_num(x);
    return true;
}

static bool fn_summary(Args *a, Value *out) {
    Samples *s;
    double x, mean, var = 0, q[3];
    static const double qs[3] = {0.05, 0.5, 0.95};
    if (!samples_or_number(a, 0, &s, &x)) return false;
    if (s) {
        if (!smp_mean(&a->I->smp, s, &mean) || !smp_var(&a->I->smp, s, &var) || !smp_quantiles(&a->I->smp, s, qs, 3, q))
            return samples_failed(a);
    } else {
        mean = q[0] = q[1] = q[2] = x;
    }
    *out = val_record_new();
    record_set(out->as.rec, "mean", 4, val_num(mean));
    record_set(out->as.rec, "sd", 2, val_num(sqrt(var)));
    record_set(out->as.rec, "p5", 2, val_num(q[0]));
    record_set(out->as.rec, "p50", 3, val_num(q[1]));
    record_set(out->as.rec, "p95", 3, val_num(q[2]));
    return true;
}

Builtin builtins_reducers[] = {
    BUILTIN("mean", "x", "reducers", "average of the draws", fn_mean),
    BUILTIN("sd", "x", "reducers", "standard deviation of the draws (population, as numpy's std)", fn_sd),
    BUILTIN("var", "x", "reducers", "variance of the draws (population, as numpy's var)", fn_var),
    BUILTIN("median", "x", "reducers", "the 50th percentile", fn_median),
    BUILTIN("percentile", "x, p", "reducers", "the p-th percentile (0..100), numpy's linear interpolation", fn_percentile),
    BUILTIN("quantile", "x, q", "reducers", "the q-quantile (0..1)", fn_quantile),
    BUILTIN("percentiles", "x, ps", "reducers", "a list of percentiles, e.g. percentiles(x, [5, 50, 95])", fn_percentiles),
    BUILTIN("prob", "cond", "reducers", "share of draws where a condition (x > 3, a and b, ...) is true", fn_prob),
    BUILTIN("cdf", "x, v", "reducers", "share of draws <= v", fn_cdf),
    BUILTIN("summary", "x", "reducers", "record {mean, sd, p5, p50, p95}", fn_summary),
    {.name = NULL},
};
