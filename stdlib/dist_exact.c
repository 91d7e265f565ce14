/* dist_exact.c — pdf(d, x), cdf(d, x), inv(d, p) and mode(d) (docs/language.md, "Exact
 * distributions"). A value built directly by a constructor of a named family with number
 * parameters (no clip), a const, or a discrete/mixture/zero_inflated of such values is known
 * exactly (its descriptor, dist_family.h): these use GSL's densities, CDFs and inverses. Any other
 * samples (x * 2, a clipped value, parameters that are samples) are estimated from the draws,
 * as the docs say. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist_family.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"

#define EXACT_DEPTH 8 /* mixtures of mixtures, at most this deep */

static bool value_number(const Value *v, double *x) {
    if (v->kind == VAL_NUM) return *x = v->as.num, true;
    if (v->kind == VAL_BOOL) return *x = v->as.boolean, true;
    return false;
}

/* Whether operand x is known exactly (a number is a point mass). */
static bool exact_operand(Operand x, int depth);

static bool exact_desc(const DistDesc *d, int depth) {
    if (!d || depth > EXACT_DEPTH) return false;
    switch (d->kind) {
    case DESC_CONST: return true;
    case DESC_FAMILY:
        for (int i = 0; i < family_info(d->family)->nparams; i++)
            if (d->params[i].node) return false; /* parameters drawn per draw: another distribution */
        return true;
    case DESC_MIXTURE:
        for (int i = 0; i < d->k; i++)
            if (!exact_operand(d->comps[i], depth + 1)) return false;
        return d->k > 0;
    }
    return false;
}

static bool exact_operand(Operand x, int depth) { return !x.node || exact_desc(desc_find(x.node), depth); }

static void family_params(const DistDesc *d, double *p) {
    for (int i = 0; i < DF_MAX_PARAMS; i++) p[i] = i < family_info(d->family)->nparams ? d->params[i].num : 0;
}

static double weight_sum(const DistDesc *d) {
    double s = 0;
    for (int i = 0; i < d->k; i++) s += d->weights[i];
    return s;
}

/* P(X <= v) of an exact operand. */
static double exact_cdf(Operand x, double v) {
    if (!x.node) return x.num <= v;
    const DistDesc *d = desc_find(x.node);
    if (d->kind == DESC_CONST) return d->params[0].num <= v;
    if (d->kind == DESC_FAMILY) {
        double p[DF_MAX_PARAMS];
        family_params(d, p);
        return family_cdf_P(d->family, v, p);
    }
    double s = 0, total = weight_sum(d);
    for (int i = 0; i < d->k; i++) s += d->weights[i] / total * exact_cdf(d->comps[i], v);
    return s > 1 ? 1 : s;
}

/* Whether an exact operand is continuous (has a density) or discrete (point masses): mixed
 * parts (a point mass mixed with a continuous family) are neither. */
typedef enum Kind { K_CONTINUOUS, K_DISCRETE, K_MIXED } Kind;

static Kind exact_kind(Operand x) {
    if (!x.node) return K_DISCRETE;
    const DistDesc *d = desc_find(x.node);
    if (d->kind == DESC_CONST) return K_DISCRETE;
    if (d->kind == DESC_FAMILY) return family_info(d->family)->continuous ? K_CONTINUOUS : K_DISCRETE;
    Kind k = exact_kind(d->comps[0]);
    for (int i = 1; i < d->k && k != K_MIXED; i++)
        if (exact_kind(d->comps[i]) != k) k = K_MIXED;
    return k;
}

/* The density (continuous) or P(X = v) (discrete) of an exact operand; NaN: none. */
static double exact_pdf(Operand x, double v) {
    if (!x.node) return x.num == v;
    const DistDesc *d = desc_find(x.node);
    if (d->kind == DESC_CONST) return d->params[0].num == v;
    if (d->kind == DESC_FAMILY) {
        double p[DF_MAX_PARAMS];
        family_params(d, p);
        return family_pdf(d->family, v, p);
    }
    double s = 0, total = weight_sum(d);
    for (int i = 0; i < d->k; i++) s += d->weights[i] / total * exact_pdf(d->comps[i], v);
    return s;
}

/* The smallest v with P(X <= v) >= u. */
static double exact_inv(Operand x, double u) {
    if (!x.node) return x.num;
    const DistDesc *d = desc_find(x.node);
    if (d->kind == DESC_CONST) return d->params[0].num;
    if (d->kind == DESC_FAMILY) {
        double p[DF_MAX_PARAMS];
        family_params(d, p);
        return family_quantile(d->family, u, p);
    }
    /* a mixture's quantile lies between its components' quantiles: bisect the mixture's CDF there
     * down to neighbouring doubles (or a point mass's value, which is its own quantile) */
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < d->k; i++) {
        double q = exact_inv(d->comps[i], u);
        lo = fmin(lo, q), hi = fmax(hi, q);
    }
    if (exact_cdf(x, lo) >= u) return lo;
    if (!isfinite(lo) || !isfinite(hi)) return u <= 0 ? lo : hi;
    for (int it = 0; it < 2200 && nextafter(lo, INFINITY) < hi; it++) { /* P(lo) < u <= P(hi) */
        double mid = lo / 2 + hi / 2;
        if (!(mid > lo && mid < hi)) mid = nextafter(lo, INFINITY);
        if (exact_cdf(x, mid) >= u) hi = mid;
        else lo = mid;
    }
    return hi;
}

/* The exact operand behind argument i, or false when it is estimated from its draws. */
static bool exact_arg(Args *a, int i, Operand *x) {
    const Value *v = a->v[i];
    if (v->kind == VAL_NUM) return *x = opnd_num(v->as.num), true;
    if (v->kind != VAL_SAMPLES) return false;
    *x = opnd_smp(v->as.smp);
    return exact_operand(*x, 0);
}

/* The numbers to evaluate at: parameter i is a number (one result) or a list of numbers. */
static bool points_of(Args *a, int i, double **pts, int *n, bool *is_list) {
    const Value *v = a->v[i];
    double x;
    *is_list = v->kind == VAL_LIST;
    if (!*is_list) {
        if (v->kind == VAL_SAMPLES)
            return arg_error(a, i, "%s must be a number or a list of numbers, not samples (evaluate at numbers: "
                                   "%s(d, 3), %s(d, [1, 2, 3]))", a->fn->params[i], a->fn->name, a->fn->name);
        if (!need_num(a, i, &x)) return false;
        *pts = mem_alloc(sizeof **pts);
        (*pts)[0] = x, *n = 1;
        return true;
    }
    const SqList *l = v->as.list;
    *pts = mem_alloc((size_t)(l->len ? l->len : 1) * sizeof **pts);
    for (int k = 0; k < l->len; k++) {
        if (!value_number(&l->items[k], &(*pts)[k])) {
            free(*pts);
            return arg_error(a, i, "item %d of %s must be a number, got %s", k, a->fn->params[i], value_kind_name(&l->items[k]));
        }
    }
    *n = l->len;
    return true;
}

static Value results(const double *r, int n, bool is_list) {
    if (!is_list) return val_num(r[0]);
    Value out = val_list_new(n);
    for (int k = 0; k < n; k++) list_push(out.as.list, val_num(r[k]));
    return out;
}

/* The data behind an estimate: samples' draws (borrowed) or a list's numbers (owned). */
typedef struct Data {
    const double *x;
    double *owned;
    size_t n;
} Data;

static bool data_of(Args *a, int i, Data *dt) {
    const Value *v = a->v[i];
    *dt = (Data){0};
    if (v->kind == VAL_SAMPLES) {
        dt->x = smp_draws(&a->I->smp, v->as.smp);
        if (!dt->x) return rt_error_from_samples(a->I), false;
        dt->n = a->I->smp.n;
        return true;
    }
    if (v->kind != VAL_LIST) return arg_type_error(a, i, "samples, a number or a list of numbers");
    const SqList *l = v->as.list;
    if (l->len == 0) return arg_error(a, i, "the list is empty");
    dt->owned = mem_alloc((size_t)l->len * sizeof *dt->owned);
    for (int k = 0; k < l->len; k++)
        if (!value_number(&l->items[k], &dt->owned[k])) {
            free(dt->owned);
            return arg_error(a, i, "item %d of the list is %s: a list is data, so it must hold numbers", k,
                             value_kind_name(&l->items[k]));
        }
    dt->x = dt->owned, dt->n = (size_t)l->len;
    return true;
}

static bool whole_numbers(const Data *dt) {
    for (size_t i = 0; i < dt->n; i++)
        if (dt->x[i] != floor(dt->x[i]) || !isfinite(dt->x[i])) return false;
    return true;
}

/* ---- pdf ---- */

static bool fn_pdf(Args *a, Value *out) {
    double *pts;
    int n;
    bool is_list;
    if (!points_of(a, 1, &pts, &n, &is_list)) return false;
    double *r = mem_alloc((size_t)(n ? n : 1) * sizeof *r);
    Operand x;
    bool ok = true;
    if (exact_arg(a, 0, &x)) {
        Kind k = exact_kind(x);
        if (k == K_MIXED)
            ok = arg_error(a, 0, "the distribution mixes point masses with a continuous part: it has neither a "
                                 "density nor probabilities of single values (use cdf for P(X <= x))");
        for (int i = 0; ok && i < n; i++) {
            r[i] = exact_pdf(x, pts[i]);
            if (isnan(r[i]) && !isnan(pts[i]))
                ok = arg_error(a, 0, "the distribution is a point mass (a zero width or sd): it has no density");
        }
    } else {
        /* estimated: whole-number draws give the share of draws equal to x (a probability, as for
         * the counting families); others a Gaussian kernel density with Scott's bandwidth, as
         * scipy.stats.gaussian_kde */
        Data dt;
        if ((ok = data_of(a, 0, &dt))) {
            if (whole_numbers(&dt)) {
                for (int i = 0; i < n; i++) {
                    size_t c = 0;
                    for (size_t j = 0; j < dt.n; j++) c += dt.x[j] == pts[i];
                    r[i] = (double)c / (double)dt.n;
                }
            } else {
                double m = smp_pairwise_sum(dt.x, dt.n) / (double)dt.n, ss = 0;
                for (size_t j = 0; j < dt.n; j++) ss += (dt.x[j] - m) * (dt.x[j] - m);
                double sd = dt.n > 1 ? sqrt(ss / (double)(dt.n - 1)) : 0;
                double h = sd * pow((double)dt.n, -0.2);
                if (!(h > 0) || !isfinite(h))
                    ok = arg_error(a, 0, "the draws have no spread (or are not finite): a density cannot be estimated");
                for (int i = 0; ok && i < n; i++) {
                    double s = 0;
                    for (size_t j = 0; j < dt.n; j++) {
                        double z = (pts[i] - dt.x[j]) / h;
                        s += exp(-0.5 * z * z);
                    }
                    r[i] = s / ((double)dt.n * h * sqrt(2 * M_PI));
                }
            }
            free(dt.owned);
        }
    }
    if (ok) *out = results(r, n, is_list);
    free(r), free(pts);
    return ok;
}

/* ---- cdf: the exact path of the reducer cdf(x, v) (reducers.c) ---- */

int dist_exact_cdf(Args *a, Value *out) {
    Operand x;
    /* given= (or anything past d and v) conditions the draws: the reducer counts them */
    for (int i = 2; i < a->fn->nparams; i++)
        if (a->v[i]) return -1;
    if (a->call->nkw || a->v[0]->kind != VAL_SAMPLES) return -1;
    bool exact = exact_arg(a, 0, &x);
    if (!exact && a->v[1]->kind != VAL_LIST) return -1; /* the reducer counts the draws */
    double *pts;
    int n;
    bool is_list, ok = true;
    if (!points_of(a, 1, &pts, &n, &is_list)) return 0;
    double *r = mem_alloc((size_t)(n ? n : 1) * sizeof *r);
    for (int i = 0; ok && i < n; i++) {
        if (exact) r[i] = exact_cdf(x, pts[i]);
        else if (!smp_cdf(&a->I->smp, a->v[0]->as.smp, pts[i], &r[i])) ok = (rt_error_from_samples(a->I), false);
    }
    if (ok) *out = results(r, n, is_list);
    free(r), free(pts);
    return ok ? 1 : 0;
}

/* ---- inv ---- */

static int cmp_double(const void *pa, const void *pb) {
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

static bool fn_inv(Args *a, Value *out) {
    double *ps;
    int n;
    bool is_list;
    if (!points_of(a, 1, &ps, &n, &is_list)) return false;
    for (int i = 0; i < n; i++)
        if (!(ps[i] >= 0 && ps[i] <= 1)) {
            NumText t;
            bool percent = ps[i] > 1 && ps[i] <= 100;
            arg_error(a, 1, "p must be a probability between 0 and 1, got %s%s", num_text(&t, ps[i]),
                      percent ? " (for a percentile write inv(d, p / 100) or percentile(d, p))" : "");
            free(ps);
            return false;
        }
    double *r = mem_alloc((size_t)(n ? n : 1) * sizeof *r);
    Operand x;
    bool ok = true;
    if (exact_arg(a, 0, &x)) {
        for (int i = 0; i < n; i++) r[i] = exact_inv(x, ps[i]);
    } else if (a->v[0]->kind == VAL_SAMPLES) { /* estimated: numpy's quantile of the draws */
        if (!smp_quantiles(&a->I->smp, a->v[0]->as.smp, ps, n, r)) ok = (rt_error_from_samples(a->I), false);
    } else {
        Data dt;
        if ((ok = data_of(a, 0, &dt))) {
            qsort(dt.owned, dt.n, sizeof *dt.owned, cmp_double);
            for (int i = 0; i < n; i++) r[i] = smp_quantile_sorted(dt.owned, dt.n, ps[i]);
            free(dt.owned);
        }
    }
    if (ok) *out = results(r, n, is_list);
    free(r), free(ps);
    return ok;
}

/* ---- mode ---- */

/* Whether x is a point mass (a number or a const), and its value. */
static bool point_mass(Operand x, double *v) {
    if (!x.node) return *v = x.num, true;
    const DistDesc *d = desc_find(x.node);
    if (d->kind != DESC_CONST) return false;
    return *v = d->params[0].num, true;
}

/* The most likely value of an exact discrete operand, when it is known exactly: of a counting
 * family its mode (the smaller of two), of a mixture of point masses (discrete) the value of
 * largest total weight (the first of equals, as Python's statistics.mode). 1: found, 0: an error,
 * -1: not known exactly (a mixture with a counting family: counted from the draws). */
static int exact_mode(Args *a, Operand x, double *m) {
    if (point_mass(x, m)) return 1;
    const DistDesc *d = desc_find(x.node);
    if (d->kind == DESC_FAMILY) {
        double p[DF_MAX_PARAMS];
        family_params(d, p);
        switch (d->family) {
        case DF_POISSON: *m = p[0] == floor(p[0]) && p[0] > 0 ? p[0] - 1 : floor(p[0]); return 1;
        case DF_BINOMIAL: {
            double t = (p[0] + 1) * p[1];
            *m = p[1] == 1 ? p[0] : t == floor(t) && t > 0 ? t - 1 : floor(t);
            return 1;
        }
        case DF_BERNOULLI: *m = p[0] > 0.5; return 1;
        case DF_GEOMETRIC: *m = 1; return 1;
        default:
            arg_error(a, 0, "%s is continuous: mode is for discrete values (discrete, poisson, binomial, "
                            "bernoulli, geometric) and draws that repeat", family_info(d->family)->name);
            return 0;
        }
    }
    if (exact_kind(x) != K_DISCRETE) {
        arg_error(a, 0, "the mixture has a continuous part: mode is for discrete values and draws that repeat");
        return 0;
    }
    double best = -1;
    for (int i = 0; i < d->k; i++) {
        double c;
        if (!point_mass(d->comps[i], &c)) return -1;
        double pc = exact_pdf(x, c);
        if (pc > best) best = pc, *m = c;
    }
    return 1;
}

/* Of n sorted values, the count of those equal to v. */
static size_t count_sorted(const double *s, size_t n, double v) {
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first >= v */
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    size_t first = lo;
    hi = n;
    while (lo < hi) { /* first > v */
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] <= v) lo = mid + 1;
        else hi = mid;
    }
    return lo - first;
}

static bool fn_mode(Args *a, Value *out) {
    Operand x;
    double m = NAN;
    if (exact_arg(a, 0, &x)) {
        int r = exact_mode(a, x, &m);
        if (r == 0) return false;
        if (r == 1) {
            *out = val_num(m);
            return true;
        }
    }
    Data dt;
    if (!data_of(a, 0, &dt)) return false;
    /* the most frequent value: of samples the smallest of equals; of a list the first in order */
    double *s = mem_alloc(dt.n * sizeof *s);
    memcpy(s, dt.x, dt.n * sizeof *s);
    qsort(s, dt.n, sizeof *s, cmp_double);
    size_t best = 0;
    for (size_t i = 0, j; i < dt.n; i = j) {
        for (j = i + 1; j < dt.n && s[j] == s[i]; j++) continue;
        if (j - i > best) best = j - i, m = s[i];
    }
    bool ok = true;
    if (best < 2 && dt.n > 1)
        ok = arg_error(a, 0, "no value occurs twice among the %zu %s: a continuous distribution has no mode by "
                             "counting (see where its draws crowd with hist(x))", dt.n, dt.owned ? "items" : "draws");
    else if (dt.owned)
        for (size_t i = 0; i < dt.n; i++)
            if (count_sorted(s, dt.n, dt.x[i]) == best) {
                m = dt.x[i];
                break;
            }
    free(s);
    free(dt.owned);
    if (ok) *out = val_num(m);
    return ok;
}

const BuiltinDef builtins_dist_exact[] = {
    BUILTIN("pdf", "d, x", "reducers",
     "density of d at x (P(d = x) for a discrete d): exact for a constructor's value, else estimated from the draws", fn_pdf),
    BUILTIN("inv", "d, p", "reducers",
     "the p-quantile of d (0 <= p <= 1): exact for a constructor's value, else numpy's quantile of the draws", fn_inv),
    BUILTIN("mode", "d", "reducers",
     "the most likely value of a discrete d (discrete, poisson, ...), or the most frequent draw or list item", fn_mode),
    {.name = NULL},
};
