/* dist_combinators.c — distributions built from other values (docs/language.md, "Distributions"):
 * discrete, mixture (alias mx), zero_inflated and truncate.
 *
 * discrete and mixture pick one component per draw (smp_mixture) with normalized weights;
 * a number is a point mass. truncate(d, lo, hi) keeps d's shape inside [lo, hi] with no
 * point mass at the bounds: for a distribution a constructor built (its descriptor is
 * known) it redraws exactly — by the inverse CDF for the continuous families, by
 * rejection for the counting ones, by reweighting for discrete/mixture/const; for any
 * other samples (say `x * 2`) it resamples: a draw outside [lo, hi] is replaced by a
 * randomly chosen draw of x that lies inside. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist_common.h"
#include "dist_family.h"
#include "mem.h"
#include "registry.h"
#include "rng.h"

#define COMPONENTS_MAX 10000 /* mixture: the engine evaluates every component per block (discrete has no cap) */

/* ---- shared: reading weights ---- */

/* Checks k weights: finite, >= 0, sum > 0. `what` names the argument in messages. */
static bool check_weights(Args *a, int arg, const char *what, const double *w, int k) {
    char num[40];
    double sum = 0;
    for (int i = 0; i < k; i++) {
        if (!(w[i] >= 0 && w[i] < INFINITY))
            return arg_error(a, arg, "%s[%d] is %s: a weight must be a finite number >= 0", what, i,
                             dist_num(num, sizeof num, w[i]));
        sum += w[i];
    }
    if (!(sum > 0)) return arg_error(a, arg, "%s sum to 0: at least one must be > 0", what);
    if (!(sum < INFINITY)) return arg_error(a, arg, "%s sum to infinity", what);
    return true;
}

static bool value_number(const Value *v, double *x) {
    if (v->kind == VAL_NUM) return *x = v->as.num, true;
    if (v->kind == VAL_BOOL) return *x = v->as.boolean, true;
    return false;
}

/* True when every item is a two-element list: squigglepy's [[weight, value], ...] form. */
static bool is_pairs(const SqList *l) {
    if (l->len == 0) return false;
    for (int i = 0; i < l->len; i++)
        if (l->items[i].kind != VAL_LIST || l->items[i].as.list->len != 2) return false;
    return true;
}

/* Reads the weights argument (a list of numbers, k long) or equal weights when absent. With
 * `rest_to_last` (mixture, as squigglepy), k - 1 weights give the last component 1 - their sum. */
static bool read_weights(Args *a, int arg, int k, bool rest_to_last, double *w) {
    if (!has_arg(a, arg)) {
        for (int i = 0; i < k; i++) w[i] = 1;
        return true;
    }
    const SqList *wl;
    if (!need_list(a, arg, &wl)) return false;
    bool rest = rest_to_last && k >= 2 && wl->len == k - 1;
    if (wl->len != k && !rest)
        return arg_error(a, arg, "%d weights for %d %s%s", wl->len, k, rest_to_last ? "components" : "values",
                         rest_to_last ? " (give one per component, or one fewer: the last gets 1 - their sum)" : "");
    for (int i = 0; i < wl->len; i++)
        if (!value_number(&wl->items[i], &w[i]))
            return arg_error(a, arg, "weights[%d] must be a number, got %s", i, value_kind_name(&wl->items[i]));
    if (rest) {
        if (!check_weights(a, arg, "weights", w, k - 1)) return false;
        double sum = 0;
        for (int i = 0; i < k - 1; i++) sum += w[i];
        char num[40];
        if (sum > 1 + 1e-9)
            return arg_error(a, arg, "the %d weights sum to %s, more than 1: with one weight fewer than components "
                                     "the last component gets 1 - their sum", k - 1, dist_num(num, sizeof num, sum));
        w[k - 1] = sum < 1 ? 1 - sum : 0; /* sums a rounding above 1 (0.1 + 0.2 + 0.7) leave it 0 */
    }
    return check_weights(a, arg, "weights", w, k);
}

/* The node that picks one of m components per draw: a table lookup when every component is a
 * number (discrete data of any length), else the engine's mixture. Both pick alike. */
static Samples *pick_node(SampleCtx *ctx, int m, const Operand *comps, const double *w, Span span) {
    bool numbers = true;
    for (int i = 0; i < m && numbers; i++) numbers = !comps[i].node;
    if (!numbers) return smp_mixture(ctx, m, comps, w, span);
    double *v = mem_alloc((size_t)m * sizeof *v);
    for (int i = 0; i < m; i++) v[i] = comps[i].num;
    Samples *s = smp_table(ctx, (size_t)m, v, w, span);
    free(v);
    return s;
}

/* Builds the mixture of k components (numbers or samples, borrowed), dropping zero weights;
 * registers its descriptor unless clipped, and finishes (clips). */
static bool finish_mixture(Args *a, int k, Operand *comps, double *w, int lclip_i, int rclip_i, Value *out) {
    int m = 0;
    for (int i = 0; i < k; i++)
        if (w[i] > 0) comps[m] = comps[i], w[m] = w[i], m++;
    Samples *s = pick_node(&a->I->smp, m, comps, w, a->call->span);
    bool clipped = has_arg(a, lclip_i) || has_arg(a, rclip_i);
    if (!clipped) desc_register_mixture(s, m, comps, w);
    return dist_finish(a, s, lclip_i, rclip_i, out);
}

/* ---- discrete ---- */

enum { D_ITEMS, D_WEIGHTS, D_LCLIP, D_RCLIP };

static bool discrete_value(Args *a, const Value *v, int i, double *x) {
    if (value_number(v, x)) return true;
    if (v->kind == VAL_STR)
        return arg_error(a, D_ITEMS, "value %d is the string \"%.40s\": values must be numbers (code categories as 0, 1, ...)",
                         i, v->as.str->bytes);
    if (v->kind == VAL_SAMPLES) return arg_error(a, D_ITEMS, "value %d is samples: values must be numbers (use mixture() to mix distributions)", i);
    return arg_error(a, D_ITEMS, "value %d must be a number, got %s", i, value_kind_name(v));
}

static bool fn_discrete(Args *a, Value *out) {
    const Value *items = a->v[D_ITEMS];
    int k;
    double *vals = NULL, *w = NULL;
    Operand *comps = NULL;
    bool ok = false;
    if (items->kind == VAL_RECORD) {
        const SqRecord *r = items->as.rec;
        if (has_arg(a, D_WEIGHTS)) return arg_error(a, D_WEIGHTS, "give weights either in the record or as a list, not both");
        k = r->len;
        if (k <= 0) return arg_error(a, D_ITEMS, "no values");
        vals = mem_alloc((size_t)k * sizeof *vals), w = mem_alloc((size_t)k * sizeof *w);
        for (int i = 0; i < k; i++) {
            const SqString *key = r->keys[i];
            char *end;
            vals[i] = strtod(key->bytes, &end);
            if (key->len == 0 || end != key->bytes + key->len || isnan(vals[i])) {
                arg_error(a, D_ITEMS, "key \"%.40s\" is not a number: values must be numbers (code categories as 0, 1, ...)",
                          key->bytes);
                goto done;
            }
            if (!value_number(&r->vals[i], &w[i])) {
                arg_error(a, D_ITEMS, "the weight of \"%.40s\" must be a number, got %s", key->bytes,
                          value_kind_name(&r->vals[i]));
                goto done;
            }
        }
        if (!check_weights(a, D_ITEMS, "weights", w, k)) goto done;
    } else if (items->kind == VAL_LIST) {
        const SqList *l = items->as.list;
        k = l->len;
        if (k <= 0) return arg_error(a, D_ITEMS, "no values");
        vals = mem_alloc((size_t)k * sizeof *vals), w = mem_alloc((size_t)k * sizeof *w);
        if (is_pairs(l)) { /* [[weight, value], ...] */
            if (has_arg(a, D_WEIGHTS)) {
                arg_error(a, D_WEIGHTS, "give weights either in [weight, value] pairs or as a list, not both");
                goto done;
            }
            for (int i = 0; i < k; i++) {
                const SqList *pair = l->items[i].as.list;
                if (!value_number(&pair->items[0], &w[i])) {
                    arg_error(a, D_ITEMS, "the weight of pair %d must be a number, got %s", i,
                              value_kind_name(&pair->items[0]));
                    goto done;
                }
                if (!discrete_value(a, &pair->items[1], i, &vals[i])) goto done;
            }
            if (!check_weights(a, D_ITEMS, "weights", w, k)) goto done;
        } else {
            for (int i = 0; i < k; i++)
                if (!discrete_value(a, &l->items[i], i, &vals[i])) goto done;
            if (!read_weights(a, D_WEIGHTS, k, false, w)) goto done;
        }
    } else {
        return arg_type_error(a, D_ITEMS, "a list of values or a record {value: weight}");
    }
    comps = mem_alloc((size_t)k * sizeof *comps);
    for (int i = 0; i < k; i++) comps[i] = opnd_num(vals[i]);
    ok = finish_mixture(a, k, comps, w, D_LCLIP, D_RCLIP, out);
done:
    free(vals);
    free(w);
    free(comps);
    return ok;
}

/* ---- mixture ---- */

enum { M_DISTS, M_WEIGHTS, M_LCLIP, M_RCLIP };

static bool mixture_component(Args *a, const Value *v, int i, Operand *out) {
    if (v->kind == VAL_SAMPLES) return *out = opnd_smp(v->as.smp), true;
    double x;
    if (value_number(v, &x)) return *out = opnd_num(x), true; /* a point mass */
    return arg_error(a, M_DISTS, "component %d must be a distribution or a number, got %s", i, value_kind_name(v));
}

static bool fn_mixture(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, M_DISTS, &l)) return false;
    int k = l->len;
    if (k <= 0) return arg_error(a, M_DISTS, "no components");
    if (k > COMPONENTS_MAX) return arg_error(a, M_DISTS, "%d components; at most %d", k, COMPONENTS_MAX);
    Operand *comps = mem_alloc((size_t)k * sizeof *comps);
    double *w = mem_alloc((size_t)k * sizeof *w);
    bool ok = false;
    if (is_pairs(l)) { /* [[weight, dist], ...] */
        if (has_arg(a, M_WEIGHTS)) {
            arg_error(a, M_WEIGHTS, "give weights either in [weight, dist] pairs or as a list, not both");
            goto done;
        }
        for (int i = 0; i < k; i++) {
            const SqList *pair = l->items[i].as.list;
            if (!value_number(&pair->items[0], &w[i])) {
                arg_error(a, M_DISTS, "the weight of pair %d must be a number, got %s", i,
                          value_kind_name(&pair->items[0]));
                goto done;
            }
            if (!mixture_component(a, &pair->items[1], i, &comps[i])) goto done;
        }
        if (!check_weights(a, M_DISTS, "weights", w, k)) goto done;
    } else {
        for (int i = 0; i < k; i++)
            if (!mixture_component(a, &l->items[i], i, &comps[i])) goto done;
        if (!read_weights(a, M_WEIGHTS, k, true, w)) goto done;
    }
    ok = finish_mixture(a, k, comps, w, M_LCLIP, M_RCLIP, out);
done:
    free(comps);
    free(w);
    return ok;
}

/* ---- zero_inflated ---- */

enum { Z_P, Z_D, Z_LCLIP, Z_RCLIP };

static bool fn_zero_inflated(Args *a, Value *out) {
    Operand p, d;
    if (!need_operand(a, Z_P, &p) || !need_operand(a, Z_D, &d)) return false;
    if (!p.node) {
        char num[40];
        if (!(p.num >= 0 && p.num <= 1))
            return arg_error(a, Z_P, "p must be between 0 and 1, got %s", dist_num(num, sizeof num, p.num));
        Operand comps[2] = {opnd_num(0), d};
        double w[2] = {p.num, 1 - p.num};
        return finish_mixture(a, 2, comps, w, Z_LCLIP, Z_RCLIP, out);
    }
    /* p per draw: a bernoulli(p) draw picks 0 */
    Samples *zero = family_node(&a->I->smp, DF_BERNOULLI, &p, a->call->span);
    Samples *s = smp_select(zero, opnd_num(0), d);
    smp_release(zero);
    return dist_finish(a, s, Z_LCLIP, Z_RCLIP, out);
}

/* ---- truncate ---- */

enum { TC_D, TC_LO, TC_HI, TC_LCLIP, TC_RCLIP };

/* Rejection gives up on a draw after this many tries (parameters that vary per draw). */
#define REJECT_TRIES 10000
/* Below this share of probability in [lo, hi], rejection is refused up front. */
#define REJECT_MIN_SHARE 0.01

/* A continuous family is redrawn by rejection instead of the inverse CDF when at least this
 * share of it lies inside (known when its parameters are numbers): both are exact, and a few
 * GSL draws cost far less than one beta or gamma CDF inverse. */
#define REJECT_FAST_SHARE 0.25

enum { TRUNC_FAMILY, TRUNC_REJECT, TRUNC_LO, TRUNC_HI, TRUNC_FIXED };

/* One draw of family p[0] truncated to [p[2], p[3]], by rejection when p[1] != 0; the
 * family's parameters follow. */
static double truncated_draw(const gsl_rng *r, const double *p, int *bad) {
    DistFamily f = (DistFamily)p[TRUNC_FAMILY];
    double lo = p[TRUNC_LO], hi = p[TRUNC_HI];
    const double *fp = p + TRUNC_FIXED;
    if (!(lo <= hi)) return *bad = TRUNC_HI, NAN;
    int b = family_check(f, fp);
    if (b >= 0) return *bad = TRUNC_FIXED + b, NAN;
    if (family_info(f)->continuous && p[TRUNC_REJECT] == 0) {
        /* inverse CDF on the side where the CDF keeps its precision (far tails) */
        double u = gsl_rng_uniform_pos(r), x;
        double pl = family_cdf_P(f, lo, fp);
        if (pl > 0.5) {
            double ql = family_cdf_Q(f, lo, fp), qh = family_cdf_Q(f, hi, fp);
            if (!(ql > qh)) return *bad = TRUNC_LO, NAN;
            x = family_Qinv(f, ql - u * (ql - qh), fp);
        } else {
            double ph = family_cdf_P(f, hi, fp);
            if (!(ph > pl)) return *bad = TRUNC_LO, NAN;
            x = family_Pinv(f, pl + u * (ph - pl), fp);
        }
        if (!(x >= lo)) x = lo; /* rounding at the edges (and NaN from a failed inverse) */
        if (x > hi) x = hi;
        return x;
    }
    for (int t = 0; t < REJECT_TRIES; t++) {
        double x = family_draw(f, r, fp);
        if (x >= lo && x <= hi) return x;
    }
    return *bad = TRUNC_LO, NAN;
}

/* The same by the inverse CDF at u, for Latin hypercube sampling (SmpQuantFn): the continuous
 * families as truncated_draw's inverse branch; the counting ones at the share u of the mass on the
 * whole numbers in [lo, hi] (the smallest x with P(X <= x) >= P(X < lo) + u P(lo <= X <= hi)). */
static double truncated_quant(double u, const double *p, int *bad) {
    DistFamily f = (DistFamily)p[TRUNC_FAMILY];
    double lo = p[TRUNC_LO], hi = p[TRUNC_HI];
    const double *fp = p + TRUNC_FIXED;
    if (!(lo <= hi)) return *bad = TRUNC_HI, NAN;
    int b = family_check(f, fp);
    if (b >= 0) return *bad = TRUNC_FIXED + b, NAN;
    double x;
    if (family_info(f)->continuous) {
        double pl = family_cdf_P(f, lo, fp);
        if (pl > 0.5) {
            double ql = family_cdf_Q(f, lo, fp), qh = family_cdf_Q(f, hi, fp);
            if (!(ql > qh)) return *bad = TRUNC_LO, NAN;
            double v = ql - u * (ql - qh);
            x = family_Qinv(f, v, fp);
            if (isnan(x)) x = family_lhs_quantile(f, 1 - v, fp);
        } else {
            double ph = family_cdf_P(f, hi, fp);
            if (!(ph > pl)) return *bad = TRUNC_LO, NAN;
            x = family_lhs_quantile(f, pl + u * (ph - pl), fp);
        }
    } else {
        double first = ceil(lo), last = floor(hi);
        double below = family_cdf_P(f, first - 1, fp), upto = family_cdf_P(f, last, fp);
        if (!(upto > below)) return *bad = TRUNC_LO, NAN;
        x = family_quantile(f, below + u * (upto - below), fp);
        lo = first, hi = last;
    }
    if (!(x >= lo)) x = lo; /* rounding at the edges */
    if (x > hi) x = hi;
    return x;
}

/* Probability that the distribution behind operand c lies in [lo, hi]; false when unknown
 * (no descriptor, or parameters that vary per draw). */
static bool operand_mass(Operand c, double lo, double hi, double *m);

static bool desc_mass(const DistDesc *d, double lo, double hi, double *m) {
    switch (d->kind) {
    case DESC_CONST: *m = d->params[0].num >= lo && d->params[0].num <= hi; return true;
    case DESC_FAMILY: {
        const FamilyInfo *fi = family_info(d->family);
        double p[DF_MAX_PARAMS];
        for (int i = 0; i < fi->nparams; i++) {
            if (d->params[i].node) return false;
            p[i] = d->params[i].num;
        }
        *m = family_mass(d->family, lo, hi, p);
        return true;
    }
    case DESC_MIXTURE: {
        double tot = 0, in = 0;
        for (int i = 0; i < d->k; i++) {
            double mi;
            if (!operand_mass(d->comps[i], lo, hi, &mi)) return false;
            tot += d->weights[i], in += d->weights[i] * mi;
        }
        *m = in / tot;
        return true;
    }
    }
    return false;
}

static bool operand_mass(Operand c, double lo, double hi, double *m) {
    if (!c.node) return *m = c.num >= lo && c.num <= hi, true;
    const DistDesc *d = desc_find(c.node);
    return d && desc_mass(d, lo, hi, m);
}

typedef enum { TR_OK, TR_FALLBACK, TR_ERROR } TruncResult;

static TruncResult truncate_desc(Args *a, const DistDesc *d, double lo, double hi, Samples **out);

static TruncResult truncate_operand(Args *a, Operand c, double lo, double hi, Operand *out) {
    if (!c.node) return *out = c, TR_OK; /* a point mass inside [lo, hi] */
    const DistDesc *d = desc_find(c.node);
    if (!d) return TR_FALLBACK;
    Samples *s;
    TruncResult r = truncate_desc(a, d, lo, hi, &s);
    if (r == TR_OK) *out = opnd_smp(s);
    return r;
}

static TruncResult no_mass(Args *a, const char *what, double lo, double hi) {
    char l[40], h[40];
    call_error(a, "%s has no probability in [%s, %s]", what, dist_num(l, sizeof l, lo), dist_num(h, sizeof h, hi));
    return TR_ERROR;
}

static TruncResult truncate_desc(Args *a, const DistDesc *d, double lo, double hi, Samples **out) {
    SampleCtx *ctx = &a->I->smp;
    Span span = a->call->span;
    double m;
    bool known = desc_mass(d, lo, hi, &m);
    switch (d->kind) {
    case DESC_CONST:
        if (!m) return no_mass(a, "the constant", lo, hi);
        *out = smp_table(ctx, 1, &d->params[0].num, NULL, span);
        return TR_OK;
    case DESC_FAMILY: {
        const FamilyInfo *fi = family_info(d->family);
        if (known && !(m > 0)) return no_mass(a, fi->name, lo, hi);
        if (known && !fi->continuous && m < REJECT_MIN_SHARE) {
            char pct[40], l[40], h[40];
            snprintf(pct, sizeof pct, "%.3g", m * 100);
            call_error(a, "only %s%% of %s's probability lies in [%s, %s]: too little to redraw by rejection "
                       "(at least 1%% is needed)", pct, fi->name,
                       dist_num(l, sizeof l, lo), dist_num(h, sizeof h, hi));
            return TR_ERROR;
        }
        bool reject = !fi->continuous || (known && m >= REJECT_FAST_SHARE);
        Operand p[TRUNC_FIXED + DF_MAX_PARAMS] = {opnd_num(d->family), opnd_num(reject), opnd_num(lo), opnd_num(hi)};
        const char *names[TRUNC_FIXED + DF_MAX_PARAMS] = {"family", "method", "lo", "hi"};
        for (int i = 0; i < fi->nparams; i++)
            p[TRUNC_FIXED + i] = d->params[i], names[TRUNC_FIXED + i] = fi->param_names[i];
        *out = smp_custom(ctx, "truncate", truncated_draw, truncated_quant, TRUNC_FIXED + fi->nparams, p, names, span);
        return TR_OK;
    }
    case DESC_MIXTURE: {
        if (!known) return TR_FALLBACK;
        if (!(m > 0)) return no_mass(a, "the mixture", lo, hi);
        Operand *comps = mem_calloc((size_t)d->k, sizeof *comps);
        double *w = mem_alloc((size_t)d->k * sizeof *w);
        int n = 0;
        TruncResult r = TR_OK;
        for (int i = 0; i < d->k && r == TR_OK; i++) {
            double mi;
            operand_mass(d->comps[i], lo, hi, &mi);
            if (!(mi > 0)) continue;
            r = truncate_operand(a, d->comps[i], lo, hi, &comps[n]);
            if (r == TR_OK) w[n++] = d->weights[i] * mi;
        }
        if (r == TR_OK) {
            *out = pick_node(ctx, n, comps, w, span);
            desc_register_mixture(*out, n, comps, w);
        }
        for (int i = 0; i < n; i++) opnd_release(comps[i]);
        free(comps);
        free(w);
        return r;
    }
    }
    return TR_FALLBACK;
}

/* Any samples: a draw outside [lo, hi] is replaced by a random draw of x inside it. */
static bool truncate_resample(Args *a, Samples *x, double lo, double hi, Samples **out) {
    SampleCtx *ctx = &a->I->smp;
    const double *d = smp_draws(ctx, x);
    if (!d) return rt_error_from_samples(a->I), false;
    size_t n = ctx->n, acc = 0;
    for (size_t i = 0; i < n; i++) acc += d[i] >= lo && d[i] <= hi;
    if (acc == 0 || (double)acc < REJECT_MIN_SHARE * (double)n) {
        char pct[40], l[40], h[40];
        return call_error(a, "only %s%% of the draws lie in [%s, %s]: too few to keep the shape (at least 1%% is "
                          "needed; truncate a distribution constructor's result to redraw it exactly)",
                          (snprintf(pct, sizeof pct, "%.3g", 100.0 * (double)acc / (double)n), pct), dist_num(l, sizeof l, lo),
                          dist_num(h, sizeof h, hi));
    }
    size_t *inside = mem_alloc(acc * sizeof *inside);
    double *res = mem_alloc(n * sizeof *res);
    for (size_t i = 0, j = 0; i < n; i++)
        if (d[i] >= lo && d[i] <= hi) inside[j++] = i;
    uint64_t key = rng_stream_key(ctx->seed, ctx->next_stream++);
    for (size_t i = 0; i < n; i++) {
        if (d[i] >= lo && d[i] <= hi) {
            res[i] = d[i];
        } else {
            size_t pick = (size_t)(((unsigned __int128)rng_bits(key, i, 0) * acc) >> 64);
            res[i] = d[inside[pick]];
        }
    }
    free(inside);
    *out = smp_from_array(res);
    return true;
}

static bool fn_truncate(Args *a, Value *out) {
    dist_gsl_quiet();
    double lo, hi;
    char l[40], h[40];
    if (!has_arg(a, TC_LO) && !has_arg(a, TC_HI)) return call_error(a, "give lo, hi or both");
    if (!opt_num(a, TC_LO, -INFINITY, &lo) || !opt_num(a, TC_HI, INFINITY, &hi)) return false;
    if (isnan(lo) || isnan(hi)) return arg_error(a, isnan(lo) ? TC_LO : TC_HI, "bounds must not be NaN");
    if (lo > hi)
        return arg_error(a, TC_LO, "lower bound %s is above upper bound %s", dist_num(l, sizeof l, lo),
                         dist_num(h, sizeof h, hi));
    Operand d;
    if (!need_operand(a, TC_D, &d)) return false;
    if (!d.node) {
        if (!(d.num >= lo && d.num <= hi))
        {
            char x[40];
            return arg_error(a, TC_D, "%s is outside [%s, %s]", dist_num(x, sizeof x, d.num),
                             dist_num(l, sizeof l, lo), dist_num(h, sizeof h, hi));
        }
        return dist_finish(a, smp_table(&a->I->smp, 1, &d.num, NULL, a->call->span), TC_LCLIP, TC_RCLIP, out);
    }
    Samples *s = NULL;
    const DistDesc *desc = desc_find(d.node);
    TruncResult r = desc ? truncate_desc(a, desc, lo, hi, &s) : TR_FALLBACK;
    if (r == TR_ERROR) return false;
    if (r == TR_FALLBACK && !truncate_resample(a, d.node, lo, hi, &s)) return false;
    return dist_finish(a, s, TC_LCLIP, TC_RCLIP, out);
}

const BuiltinDef builtins_dist_combinators[] = {
    BUILTIN("discrete", "items, weights=, lclip=, rclip=", "distributions",
     "one of the values per draw: discrete([1, 2], [0.3, 0.7]) or discrete({\"1\": 0.3, \"2\": 0.7})", fn_discrete),
    BUILTIN("mixture", "dists, weights=, lclip=, rclip=", "distributions",
     "per draw, one component picked by weight (normalized); a number is a point mass", fn_mixture),
    BUILTIN("mx", "dists, weights=, lclip=, rclip=", "distributions", "mixture(dists, weights)", fn_mixture),
    BUILTIN("zero_inflated", "p, d, lclip=, rclip=", "distributions", "0 with probability p, else d", fn_zero_inflated),
    BUILTIN("truncate", "d, lo=, hi=, lclip=, rclip=", "distributions",
     "d restricted to [lo, hi], shape kept (redrawn, not clamped: no mass piles up at the bounds)", fn_truncate),
    {.name = NULL},
};
