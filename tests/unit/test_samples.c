/* test_samples.c — unit tests for the samples engine (runtime/engine/: samples*.c, quantile.c, rng.c).
 *
 * Fixed seeds throughout; statistical checks use 5 standard errors and the 0.001 critical value
 * of the Kolmogorov-Smirnov statistic. Built by the test suite (build/tests/test_samples); run
 *   build/tests/test_samples            (or with --small under valgrind)
 * Exit status 0 when every check passes, 1 otherwise. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefetch.h"
#include "rng.h"
#include "samples.h"
#include "samples_internal.h" /* white-box: the node struct, smp_cpu_features_off */

static int passed, failed;
static int small; /* --small: fewer draws and a shorter chain, for valgrind */

static void check(const char *what, int ok) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s\n", what);
    }
}

static const Span NOSPAN = {0};

/* Same bits, so NaN == NaN and -0 != +0. */
static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static double *copy_draws(SampleCtx *ctx, Samples *s) {
    const double *d = smp_draws(ctx, s);
    if (!d) return NULL;
    double *c = malloc(ctx->n * sizeof *c);
    memcpy(c, d, ctx->n * sizeof *c);
    return c;
}

static Samples *from_values(size_t n, const double *v) {
    double *d = malloc(n * sizeof *d);
    memcpy(d, v, n * sizeof *d);
    return smp_from_array(d);
}

static Samples *norm01(SampleCtx *ctx) { return smp_normal(ctx, opnd_num(0), opnd_num(1), NOSPAN); }

/* ---- identity and broadcasting ---- */

static void test_identity(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 10000, 1, 2);
    Samples *x = smp_lognormal(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
    Samples *d = smp_binary(SB_SUB, opnd_smp(x), opnd_smp(x));
    Samples *r = smp_binary(SB_DIV, opnd_smp(x), opnd_smp(x));
    const double *dd = smp_draws(&ctx, d);
    int all0 = 1;
    for (size_t i = 0; i < ctx.n; i++) all0 &= dd[i] == 0;
    check("identity: x - x is 0 on every draw", all0);
    const double *rd = smp_draws(&ctx, r);
    int all1 = 1;
    for (size_t i = 0; i < ctx.n; i++) all1 &= rd[i] == 1;
    check("identity: x / x is 1 on every draw", all1);
    /* two calls of a constructor are independent vectors */
    Samples *y = smp_lognormal(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
    Samples *e = smp_binary(SB_SUB, opnd_smp(x), opnd_smp(y));
    double v;
    check("independence: var(x - y) > 0", smp_var(&ctx, e, &v) && v > 1);
    smp_release(d);
    smp_release(r);
    smp_release(e);
    smp_release(y);
    smp_release(x);
    smp_ctx_free(&ctx);
}

static void test_broadcast(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 5000, 2, 1);
    Samples *x = norm01(&ctx);
    double *xd = copy_draws(&ctx, x);
    Samples *a = smp_binary(SB_ADD, opnd_smp(x), opnd_num(3));
    Samples *b = smp_binary(SB_SUB, opnd_num(3), opnd_smp(x));
    Samples *c = smp_binary(SB_MUL, opnd_num(2), opnd_smp(x));
    const double *ad = smp_draws(&ctx, a), *bd = smp_draws(&ctx, b), *cd = smp_draws(&ctx, c);
    int ok = 1;
    for (size_t i = 0; i < ctx.n; i++) ok &= ad[i] == xd[i] + 3 && bd[i] == 3 - xd[i] && cd[i] == 2 * xd[i];
    check("broadcast: x + 3, 3 - x, 2 * x per draw", ok);
    smp_release(a);
    smp_release(b);
    smp_release(c);
    smp_release(x);
    free(xd);
    smp_ctx_free(&ctx);
}

/* ---- every operation against a scalar reference ---- */

static const double VA[] = {0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 3.7, -3.7, 1e300, -7, 7, 1, 5.5,
                            INFINITY, -INFINITY, NAN, 2, 0.1, 123.456};
static const double VB[] = {1.0, 2.0, -1.5, 0.0, 3.0, -2.0, 0.0, 2.0, 2.0, 10.0, 3, -3, 0.1, 2,
                            1.0, 2.0, 1.0, NAN, -0.25, 2};
#define NV (sizeof VA / sizeof VA[0])

static double ref_unary(SmpUnary op, double a) {
    switch (op) {
    case SU_NEG: return -a;
    case SU_NOT: return a == 0 ? 1 : 0;
    case SU_EXP: return exp(a);
    case SU_LOG: return log(a);
    case SU_LOG10: return log10(a);
    case SU_LOG2: return log2(a);
    case SU_SQRT: return sqrt(a);
    case SU_ABS: return fabs(a);
    case SU_FLOOR: return floor(a);
    case SU_CEIL: return ceil(a);
    case SU_ROUND: return rint(a);
    case SU_TRUNC: return trunc(a);
    case SU_SIN: return sin(a);
    case SU_COS: return cos(a);
    case SU_TAN: return tan(a);
    case SU_ASIN: return asin(a);
    case SU_ACOS: return acos(a);
    case SU_ATAN: return atan(a);
    case SU_SINH: return sinh(a);
    case SU_COSH: return cosh(a);
    case SU_TANH: return tanh(a);
    case SU_EXPM1: return expm1(a);
    case SU_LOG1P: return log1p(a);
    }
    return NAN;
}

/* Python's float // and % (CPython's float_divmod), written independently of the runtime. */
static void py_divmod(double a, double b, double *q, double *r) {
    if (b == 0) {
        *q = a / b;
        *r = NAN;
        return;
    }
    double mod = fmod(a, b), div = (a - mod) / b;
    if (mod) {
        if ((b < 0) != (mod < 0)) {
            mod += b;
            div -= 1.0;
        }
    } else {
        mod = copysign(0.0, b);
    }
    double fl;
    if (div) {
        fl = floor(div);
        if (div - fl > 0.5) fl += 1.0;
    } else {
        fl = copysign(0.0, a / b);
    }
    *q = fl;
    *r = mod;
}

static double ref_binary(SmpBinary op, double a, double b) {
    double q, r;
    switch (op) {
    case SB_ADD: return a + b;
    case SB_SUB: return a - b;
    case SB_MUL: return a * b;
    case SB_DIV: return a / b;
    case SB_IDIV: py_divmod(a, b, &q, &r); return q;
    case SB_MOD: py_divmod(a, b, &q, &r); return b == 0 ? fmod(a, b) : r;
    case SB_POW: return pow(a, b);
    case SB_MIN: return isnan(a) || isnan(b) ? NAN : fmin(a, b);
    case SB_MAX: return isnan(a) || isnan(b) ? NAN : fmax(a, b);
    case SB_EQ: return a == b;
    case SB_NE: return a != b;
    case SB_LT: return a < b;
    case SB_LE: return a <= b;
    case SB_GT: return a > b;
    case SB_GE: return a >= b;
    case SB_AND: return a != 0 && b != 0;
    case SB_OR: return a != 0 || b != 0;
    case SB_ROUND_DIGITS: {
        double f = pow(10, fabs(b));
        return b >= 0 ? rint(a * f) / f : rint(a / f) * f;
    }
    case SB_ATAN2: return atan2(a, b);
    }
    return NAN;
}

/* min/max may differ from fmin/fmax only in the sign of a zero; compare numerically there. */
static int op_equal(SmpBinary op, double want, double got) {
    if ((op == SB_MIN || op == SB_MAX) && want == 0 && got == 0) return 1;
    return same(want, got) || (isnan(want) && isnan(got));
}

static void test_ops(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, NV, 3, 1);
    Samples *a = from_values(NV, VA), *b = from_values(NV, VB);
    char what[128];
    for (int op = SU_NEG; op <= SU_LOG1P; op++) {
        Samples *u = smp_unary((SmpUnary)op, a);
        const double *d = smp_draws(&ctx, u);
        int ok = 1;
        for (size_t i = 0; i < NV; i++) ok &= same(d[i], ref_unary((SmpUnary)op, VA[i])) || (isnan(d[i]) && isnan(ref_unary((SmpUnary)op, VA[i])));
        snprintf(what, sizeof what, "unary op %d matches the scalar reference", op);
        check(what, ok);
        check("NOT is marked bool", (op == SU_NOT) == smp_is_bool(u));
        smp_release(u);
    }
    for (int op = SB_ADD; op <= SB_ATAN2; op++) {
        Samples *vv = smp_binary((SmpBinary)op, opnd_smp(a), opnd_smp(b));
        Samples *vn = smp_binary((SmpBinary)op, opnd_smp(a), opnd_num(2));
        Samples *nv = smp_binary((SmpBinary)op, opnd_num(-1.5), opnd_smp(b));
        const double *dvv = smp_draws(&ctx, vv);
        int ok = 1;
        for (size_t i = 0; i < NV; i++) ok &= op_equal((SmpBinary)op, ref_binary((SmpBinary)op, VA[i], VB[i]), dvv[i]);
        const double *dvn = smp_draws(&ctx, vn);
        for (size_t i = 0; i < NV; i++) ok &= op_equal((SmpBinary)op, ref_binary((SmpBinary)op, VA[i], 2), dvn[i]);
        const double *dnv = smp_draws(&ctx, nv);
        for (size_t i = 0; i < NV; i++) ok &= op_equal((SmpBinary)op, ref_binary((SmpBinary)op, -1.5, VB[i]), dnv[i]);
        snprintf(what, sizeof what, "binary op %d matches the scalar reference (vec/vec, vec/num, num/vec)", op);
        check(what, ok);
        smp_release(vv);
        smp_release(vn);
        smp_release(nv);
    }
    /* a few values written out from Python */
    double pyv[][4] = {{7, 3, 2, 1},     {-7, 3, -3, 2},  {7, -3, -3, -2}, {1, 0.1, 9, 0.09999999999999995},
                       {5.5, 2, 2, 1.5}, {-1, INFINITY, -1, INFINITY}};
    int ok = 1;
    for (size_t k = 0; k < sizeof pyv / sizeof pyv[0]; k++) {
        Samples *x = from_values(NV, (double[NV]){pyv[k][0]});
        Samples *q = smp_binary(SB_IDIV, opnd_smp(x), opnd_num(pyv[k][1]));
        Samples *r = smp_binary(SB_MOD, opnd_smp(x), opnd_num(pyv[k][1]));
        ok &= smp_draws(&ctx, q)[0] == pyv[k][2] && smp_draws(&ctx, r)[0] == pyv[k][3];
        smp_release(q);
        smp_release(r);
        smp_release(x);
    }
    check("// and % agree with Python", ok);
    Samples *rd = smp_binary(SB_ROUND_DIGITS, opnd_num(2.675), opnd_smp(b));
    /* numpy scales first: 2.675 * 100 rounds to 267.5, then half to even (Python's round says 2.67) */
    check("round(2.675, 2) == 2.68 as numpy", smp_draws(&ctx, rd)[1] == 2.68);
    smp_release(rd);
    Samples *lt = smp_binary(SB_LT, opnd_smp(a), opnd_smp(b));
    check("comparisons are marked bool", smp_is_bool(lt));
    smp_release(lt);
    smp_release(a);
    smp_release(b);
    smp_ctx_free(&ctx);
}

/* ---- select and clamp ---- */

static void test_select_clamp(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 6, 4, 1);
    Samples *x = from_values(6, (double[]){0, 2, 0, 4, -1, NAN});
    Samples *cond = smp_binary(SB_NE, opnd_smp(x), opnd_num(0));
    Samples *inv = smp_binary(SB_DIV, opnd_num(1), opnd_smp(x));
    Samples *sel = smp_select(cond, opnd_smp(inv), opnd_num(0));
    const double *d = smp_draws(&ctx, sel);
    check("select picks per draw", d[0] == 0 && d[1] == 0.5 && d[2] == 0 && d[3] == 0.25 && d[4] == -1 && isnan(d[5]));
    size_t nn, ni;
    check("select: inf in the unpicked branch does not leak",
          smp_nonfinite(&ctx, sel, &nn, &ni) && nn == 1 && ni == 0);
    Samples *sel2 = smp_select(cond, opnd_num(7), opnd_smp(x));
    d = smp_draws(&ctx, sel2);
    check("select with a number branch", d[0] == 0 && d[1] == 7 && d[2] == 0 && d[3] == 7);

    Samples *y = from_values(6, (double[]){-5, 0.5, 5, NAN, -INFINITY, INFINITY});
    Samples *c1 = smp_clamp(opnd_smp(y), opnd_num(0), opnd_num(1));
    d = smp_draws(&ctx, c1);
    check("clamp to [0, 1], NaN stays NaN", d[0] == 0 && d[1] == 0.5 && d[2] == 1 && isnan(d[3]) && d[4] == 0 && d[5] == 1);
    Samples *c2 = smp_clamp(opnd_smp(y), opnd_num(-INFINITY), opnd_num(2));
    d = smp_draws(&ctx, c2);
    check("clamp with lo = -inf", d[0] == -5 && d[2] == 2 && d[4] == -INFINITY && d[5] == 2);
    Samples *c3 = smp_clamp(opnd_smp(y), opnd_smp(x), opnd_num(INFINITY));
    d = smp_draws(&ctx, c3);
    check("clamp with a samples lo", d[0] == 0 && d[1] == 2 && d[2] == 5 && isnan(d[3]) && d[4] == -1 && d[5] == INFINITY);
    Samples *rels[] = {x, cond, inv, sel, sel2, y, c1, c2, c3};
    for (size_t k = 0; k < sizeof rels / sizeof rels[0]; k++) smp_release(rels[k]);
    smp_ctx_free(&ctx);
}

/* ---- determinism across thread counts ---- */

static double gamma_draw(const gsl_rng *r, const double *p, int *bad) {
    if (!(p[0] > 0)) {
        *bad = 0;
        return NAN;
    }
    if (!(p[1] > 0)) {
        *bad = 1;
        return NAN;
    }
    return gsl_ran_gamma(r, p[0], p[1]);
}
static const char *const GAMMA_PARAMS[] = {"shape", "scale"};

/* A graph that touches every kind of node. */
static Samples *build_model(SampleCtx *ctx) {
    Samples *a = smp_normal(ctx, opnd_num(10), opnd_num(2), NOSPAN);
    Samples *b = smp_lognormal(ctx, opnd_num(0), opnd_num(0.5), NOSPAN);
    Samples *u = smp_uniform(ctx, opnd_num(1), opnd_num(3), NOSPAN);
    Samples *g = smp_custom(ctx, "gamma", gamma_draw, NULL, 2, (Operand[]){opnd_smp(u), opnd_num(2)}, GAMMA_PARAMS, NOSPAN);
    Samples *m = smp_mixture(ctx, 3, (Operand[]){opnd_smp(a), opnd_smp(g), opnd_num(0)}, (double[]){0.5, 0.3, 0.2}, NOSPAN);
    Samples *p = smp_binary(SB_MUL, opnd_smp(m), opnd_smp(b));
    Samples *c = smp_binary(SB_GT, opnd_smp(p), opnd_num(5));
    Samples *s = smp_select(c, opnd_smp(p), opnd_smp(a));
    Samples *l = smp_unary(SU_LOG, s);
    Samples *r = smp_clamp(opnd_smp(l), opnd_num(0), opnd_num(3));
    Samples *all[] = {a, b, u, g, m, p, c, s, l};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) smp_release(all[k]);
    return r;
}

static void test_threads(void) {
    size_t ns[] = {3 * 4096 + 77, 100003};
    for (size_t t = 0; t < 2; t++) {
        SampleCtx c1, c2;
        smp_ctx_init(&c1, ns[t], 99, 1);
        smp_ctx_init(&c2, ns[t], 99, 2);
        Samples *m1 = build_model(&c1), *m2 = build_model(&c2);
        double mean1, mean2, var1, var2, q1[5], q2[5], qs[] = {0.05, 0.5, 0.95, 0.001, 1};
        check("threads: reducers succeed", smp_mean(&c1, m1, &mean1) && smp_mean(&c2, m2, &mean2) &&
                                               smp_var(&c1, m1, &var1) && smp_var(&c2, m2, &var2));
        check("threads: mean and var bit-identical for 1 and 2 threads", same(mean1, mean2) && same(var1, var2));
        check("threads: quantiles bit-identical", smp_quantiles(&c1, m1, qs, 5, q1) && smp_quantiles(&c2, m2, qs, 5, q2) &&
                                                      memcmp(q1, q2, sizeof q1) == 0);
        check("threads: draws bit-identical", memcmp(smp_draws(&c1, m1), smp_draws(&c2, m2), ns[t] * sizeof(double)) == 0);
        check("threads: mean is finite", isfinite(mean1));
        smp_release(m1);
        smp_release(m2);
        smp_ctx_free(&c1);
        smp_ctx_free(&c2);
    }
}

/* ---- a long chain ---- */

static void test_chain(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 100, 5, 2);
    Samples *x = norm01(&ctx);
    double m0;
    smp_mean(&ctx, x, &m0);
    Samples *root = smp_retain(x);
    int len = small ? 100000 : 1000000;
    for (int i = 0; i < len; i++) {
        Samples *y = smp_binary(i % 2 ? SB_ADD : SB_SUB, opnd_smp(root), opnd_num(i % 2 ? 3 : 1));
        smp_release(root);
        root = y;
    }
    double m;
    check("a chain of 10^6 nodes evaluates", smp_mean(&ctx, root, &m) && fabs(m - (m0 + len)) < 1e-6);
    smp_release(root); /* must not recurse */
    smp_release(x);
    check("chain released", 1);
    smp_ctx_free(&ctx);
}

/* ---- materialization and the LRU cache ---- */

static void test_cache(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 20000, 6, 2);
    ctx.cache_budget = 2 * ctx.n * sizeof(double); /* room for two arrays */
    Samples *base = norm01(&ctx);
    Samples *nodes[5];
    double *first[5], qa[5][3], qs[] = {0.1, 0.5, 0.9};
    for (int k = 0; k < 5; k++) {
        nodes[k] = smp_binary(SB_MUL, opnd_smp(base), opnd_num(k + 1));
        first[k] = copy_draws(&ctx, nodes[k]);
        smp_quantiles(&ctx, nodes[k], qs, 3, qa[k]);
    }
    check("cache: usage within budget after evictions", ctx.cache_used <= ctx.cache_budget);
    int same_again = 1;
    for (int k = 0; k < 5; k++) {
        const double *d = smp_draws(&ctx, nodes[k]); /* re-evaluated for the evicted ones */
        same_again &= memcmp(d, first[k], ctx.n * sizeof(double)) == 0;
    }
    check("cache: evicted arrays re-evaluate to the same draws", same_again);
    /* a node that reads a materialized operand gives the same draws as one that recomputes it */
    smp_draws(&ctx, base);
    Samples *over = smp_binary(SB_ADD, opnd_smp(base), opnd_num(1));
    const double *od = smp_draws(&ctx, over);
    const double *bd = smp_draws(&ctx, base);
    int ok = 1;
    for (size_t i = 0; i < ctx.n; i++) ok &= od[i] == bd[i] + 1;
    check("cache: reading a materialized operand", ok);
    size_t used = ctx.cache_used;
    smp_release(over);
    check("cache: a released node leaves the LRU", ctx.cache_used < used);
    /* budget 0 keeps only the array in use */
    ctx.cache_budget = 0;
    double q[3];
    smp_quantiles(&ctx, nodes[0], qs, 3, q);
    smp_draws(&ctx, nodes[1]);
    check("cache: budget 0 keeps one array", ctx.cache_used == ctx.n * sizeof(double));
    for (int k = 0; k < 5; k++) {
        smp_release(nodes[k]);
        free(first[k]);
    }
    smp_release(base);
    check("cache: empty after releasing everything", ctx.cache_used == 0 && !ctx.lru_head && !ctx.lru_tail);
    smp_ctx_free(&ctx);
}

/* ---- shared intermediates: stored during a pass, same draws as recomputing them ---- */

static void sharing_run(int threads, size_t budget, double *out, int *stored) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 5 * 4096 + 13, 21, threads);
    ctx.cache_budget = budget;
    Samples *z = norm01(&ctx);
    Samples *e = smp_unary(SU_EXP, z);
    Samples *sh = smp_binary(SB_MUL, opnd_smp(e), opnd_smp(smp_lognormal(&ctx, opnd_num(0), opnd_num(0.5), NOSPAN)));
    smp_release(sh->ops[1].node); /* sh holds it */
    Samples *a = smp_binary(SB_ADD, opnd_smp(sh), opnd_num(1));
    Samples *b = smp_binary(SB_MUL, opnd_smp(sh), opnd_smp(z));
    double q[3], qs[] = {0.05, 0.5, 0.95};
    smp_mean(&ctx, a, &out[0]);
    *stored = sh->draws != NULL;
    smp_mean(&ctx, b, &out[1]);
    smp_quantiles(&ctx, b, qs, 3, q);
    memcpy(out + 2, q, sizeof q);
    const double *d = smp_draws(&ctx, b);
    double s = 0;
    for (size_t i = 0; i < ctx.n; i++) s += d[i] * (double)(i % 7 + 1);
    out[5] = s;
    smp_release(a);
    smp_release(b);
    smp_release(sh);
    smp_release(e);
    smp_release(z);
    check("sharing: cache empty after releasing everything", ctx.cache_used == 0 && !ctx.lru_head);
    smp_ctx_free(&ctx);
}

static void test_sharing(void) {
    double ref[6], got[6];
    int stored;
    sharing_run(1, 0, ref, &stored);
    check("sharing: budget 0 stores nothing", !stored);
    sharing_run(1, (size_t)64 << 20, got, &stored);
    check("sharing: a costly node read by two consumers is stored during the pass", stored);
    check("sharing: same results as recomputing (1 thread)", memcmp(ref, got, sizeof ref) == 0);
    sharing_run(2, (size_t)64 << 20, got, &stored);
    check("sharing: same results as recomputing (2 threads)", stored && memcmp(ref, got, sizeof ref) == 0);
}

/* ---- a mixture draws a lazy component only where picked, with the same draws ---- */

static void test_lazy_mixture(void) {
    size_t ns[] = {6 * 4096 + 13, 4 * 4096, 4096 + 4094};
    for (int t = 0; t < 3; t++)
        for (int kind = 0; kind < 3; kind++) {
            SampleCtx ctx;
            smp_ctx_init(&ctx, ns[t], 77 + (uint64_t)t, t == 1 ? 1 : 2);
            Samples *x = kind == 0   ? smp_normal(&ctx, opnd_num(1), opnd_num(2), NOSPAN)
                         : kind == 1 ? smp_lognormal(&ctx, opnd_num(0.5), opnd_num(0.7), NOSPAN)
                                     : smp_uniform(&ctx, opnd_num(-1), opnd_num(3), NOSPAN);
            Samples *y = smp_lognormal(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
            Operand comps[] = {opnd_num(1e6), opnd_smp(x), opnd_smp(y), opnd_smp(x)};
            double w[] = {0.5, 0.2, 0.2, 0.1};
            Samples *m = smp_mixture(&ctx, 4, comps, w, NOSPAN);
            double *md = copy_draws(&ctx, m); /* x and y are read by m only: drawn where picked */
            const double *xd = smp_draws(&ctx, x);
            int ok = 1;
            size_t picked = 0, ny = 0;
            for (size_t i = 0; i < ctx.n; i++) {
                if (md[i] == 1e6) continue;
                int is_x = same(md[i], xd[i]);
                picked += is_x;
                if (!is_x) ny++;
            }
            const double *yd = smp_draws(&ctx, y);
            for (size_t i = 0; i < ctx.n; i++)
                if (md[i] != 1e6 && !same(md[i], xd[i])) ok &= same(md[i], yd[i]);
            check("lazy mixture: picked draws equal the component's dense draws", ok && picked > ctx.n / 5);
            check("lazy mixture: every component appears", ny > ctx.n / 10);
            free(md);
            smp_release(m);
            smp_release(x);
            smp_release(y);
            smp_ctx_free(&ctx);
        }
}

/* ---- quantiles against a full sort ---- */

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's linear method on a sorted copy, with the runtime's documented inf convention. */
static double ref_quantile(const double *sorted, size_t n, double q) {
    if (isnan(sorted[n - 1])) return NAN;
    double h = (double)(n - 1) * q;
    size_t lo, hi;
    double t;
    if (h >= (double)(n - 1)) {
        lo = hi = n - 1;
        t = 0;
    } else {
        lo = (size_t)floor(h);
        hi = lo + 1;
        t = h - floor(h);
    }
    double a = sorted[lo], b = sorted[hi];
    if (!isfinite(a) || !isfinite(b)) {
        if (a == b || t == 0) return a;
        if (a == -INFINITY && b == INFINITY) return NAN;
        return a == -INFINITY ? a : b;
    }
    double d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

static int cmp_nan_last(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

static double margin_sd = SMP_QUANTILE_MARGIN_SD; /* check_quantiles's brackets */

static void check_quantiles(const char *what, double *v, size_t n) {
    static const double qs[] = {0, 1e-7, 0.001, 0.01, 0.05, 0.1, 0.25, 1.0 / 3, 0.5, 0.6, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999999, 1};
    int k = sizeof qs / sizeof qs[0];
    SampleCtx ctx;
    smp_ctx_init(&ctx, n, 7, 2);
    ctx.quantile_margin_sd = margin_sd;
    Samples *s = from_values(n, v);
    double got[sizeof qs / sizeof qs[0]];
    int ok = smp_quantiles(&ctx, s, qs, k, got);
    qsort(v, n, sizeof *v, cmp_nan_last);
    for (int j = 0; j < k; j++) {
        double want = ref_quantile(v, n, qs[j]);
        if (!(same(want, got[j]) || (isnan(want) && isnan(got[j])))) {
            ok = 0;
            printf("  %s n=%zu q=%.17g: want %.17g got %.17g\n", what, n, qs[j], want, got[j]);
        }
    }
    /* cached answers are the same */
    double again[3];
    ok &= smp_quantiles(&ctx, s, (double[]){0.5, 0.05, 0.95}, 3, again) &&
          (same(again[0], ref_quantile(v, n, 0.5)) || isnan(again[0]));
    char msg[160];
    snprintf(msg, sizeof msg, "quantiles: %s, n=%zu", what, n);
    check(msg, ok);
    smp_release(s);
    smp_ctx_free(&ctx);
}

static void test_quantiles(void) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 8);
    size_t ns[] = {1, 2, 3, 5, 10, 101, 1000, 65535, 65536, 70001, 300000};
    int nn = small ? 9 : (int)(sizeof ns / sizeof ns[0]);
    for (int t = 0; t < nn; t++) {
        size_t n = ns[t];
        double *v = malloc(n * sizeof *v);
        for (size_t i = 0; i < n; i++) v[i] = gsl_ran_gaussian(r, 3);
        check_quantiles("normal", v, n);
        for (size_t i = 0; i < n; i++) v[i] = floor(gsl_ran_exponential(r, 2)); /* many ties */
        check_quantiles("ties", v, n);
        for (size_t i = 0; i < n; i++) v[i] = 4.25;
        check_quantiles("constant", v, n);
        for (size_t i = 0; i < n; i++) v[i] = gsl_rng_uniform(r) < 0.03 ? (i % 2 ? INFINITY : -INFINITY) : gsl_ran_cauchy(r, 1);
        check_quantiles("inf draws", v, n);
        for (size_t i = 0; i < n; i++) v[i] = gsl_ran_gaussian(r, 1);
        v[n / 2] = NAN;
        check_quantiles("a NaN draw", v, n);
        free(v);
    }
    /* two clusters, half the draws each: the median's upper neighbour is the least draw of a
     * higher bucket than its lower one (bracket_select's last pass) */
    for (size_t m2 = 100000; m2 <= 300000; m2 += 200000) {
        double *w = malloc(m2 * sizeof *w);
        for (size_t i = 0; i < m2; i++) w[i] = i % 2 ? -1.5 + 1e-9 * (double)(i % 1000) : 2.0 + 1e-9 * (double)(i % 777);
        check_quantiles("two clusters", w, m2);
        free(w);
    }
    /* periodic data must not fool the subsample */
    size_t n = 32768 * 5;
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = i % 5 == 0 ? 0.0 : 1e9 + (double)((i * 7919) % 1000);
    check_quantiles("periodic", v, n);
    /* brackets too narrow to hold the ranks: the exact fallback */
    margin_sd = 0;
    for (size_t i = 0; i < n; i++) v[i] = gsl_ran_gaussian(r, 1);
    check_quantiles("narrow brackets (fallback path)", v, n);
    margin_sd = SMP_QUANTILE_MARGIN_SD;
    free(v);
    gsl_rng_free(r);
}

/* ---- statistical checks ---- */

/* Kolmogorov-Smirnov statistic of the draws against a CDF. */
static double ks_stat(const double *d, size_t n, double (*cdf)(double, const double *), const double *par) {
    double *c = malloc(n * sizeof *c);
    memcpy(c, d, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_d);
    double D = 0;
    for (size_t i = 0; i < n; i++) {
        double F = cdf(c[i], par);
        double lo = F - (double)i / (double)n, hi = (double)(i + 1) / (double)n - F;
        D = fmax(D, fmax(lo, hi));
    }
    free(c);
    return D;
}

static double cdf_norm(double x, const double *p) { return gsl_cdf_gaussian_P(x - p[0], p[1]); }
static double cdf_lognorm(double x, const double *p) { return gsl_cdf_lognormal_P(x, p[0], p[1]); }
static double cdf_unif(double x, const double *p) { return gsl_cdf_flat_P(x, p[0], p[1]); }
static double cdf_gamma(double x, const double *p) { return gsl_cdf_gamma_P(x, p[0], p[1]); }

/* Mean and variance within 5 standard errors (the variance's SE from the sample's 4th moment),
 * and the KS statistic below its 0.001 critical value. */
static void check_distribution(const char *what, SampleCtx *ctx, Samples *s, double mean, double var,
                               double (*cdf)(double, const double *), const double *par) {
    size_t n = ctx->n;
    double m, v;
    smp_mean(ctx, s, &m);
    smp_var(ctx, s, &v);
    const double *d = smp_draws(ctx, s);
    double m4 = 0;
    for (size_t i = 0; i < n; i++) m4 += pow(d[i] - m, 4);
    m4 /= (double)n;
    double se_mean = sqrt(var / (double)n), se_var = sqrt((m4 - v * v) / (double)n);
    char msg[160];
    snprintf(msg, sizeof msg, "%s: mean %.6g within 5 SE of %.6g", what, m, mean);
    check(msg, fabs(m - mean) < 5 * se_mean);
    snprintf(msg, sizeof msg, "%s: var %.6g within 5 SE of %.6g", what, v, var);
    check(msg, fabs(v - var) < 5 * se_var);
    double D = ks_stat(d, n, cdf, par);
    snprintf(msg, sizeof msg, "%s: KS statistic %.3g below %.3g", what, D, 1.95 / sqrt((double)n));
    check(msg, D < 1.95 / sqrt((double)n));
}

static void test_statistics(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, small ? 20000 : 1000000, 12345, 2);
    Samples *z = smp_normal(&ctx, opnd_num(1.5), opnd_num(2), NOSPAN);
    check_distribution("normal(1.5, 2)", &ctx, z, 1.5, 4, cdf_norm, (double[]){1.5, 2});
    double mu = 0.3, sg = 0.6;
    Samples *ln = smp_lognormal(&ctx, opnd_num(mu), opnd_num(sg), NOSPAN);
    check_distribution("lognormal(0.3, 0.6)", &ctx, ln, exp(mu + sg * sg / 2),
                       (exp(sg * sg) - 1) * exp(2 * mu + sg * sg), cdf_lognorm, (double[]){mu, sg});
    Samples *u = smp_uniform(&ctx, opnd_num(-2), opnd_num(5), NOSPAN);
    check_distribution("uniform(-2, 5)", &ctx, u, 1.5, 49.0 / 12, cdf_unif, (double[]){-2, 5});
    Samples *g = smp_custom(&ctx, "gamma", gamma_draw, NULL, 2, (Operand[]){opnd_num(2.5), opnd_num(1.5)}, GAMMA_PARAMS, NOSPAN);
    check_distribution("gamma(2.5, 1.5) via GSL", &ctx, g, 2.5 * 1.5, 2.5 * 1.5 * 1.5, cdf_gamma, (double[]){2.5, 1.5});
    /* the counter adapter's output range */
    gsl_rng *r = rng_gsl_alloc();
    rng_gsl_at(r, 42, 7);
    unsigned long a = gsl_rng_get(r), b = gsl_rng_get(r);
    rng_gsl_at(r, 42, 7);
    check("gsl adapter: repositioning replays the draw", gsl_rng_get(r) == a && gsl_rng_get(r) == b);
    check("gsl adapter: 32-bit range", gsl_rng_max(r) == 0xFFFFFFFFul && gsl_rng_min(r) == 0 && a <= 0xFFFFFFFFul);
    gsl_rng_free(r);
    /* mixture shares: point masses 0, 1, 2 */
    double w[] = {0.2, 0.5, 0.3};
    Samples *mx = smp_mixture(&ctx, 3, (Operand[]){opnd_num(0), opnd_num(1), opnd_num(2)}, w, NOSPAN);
    const double *d = smp_draws(&ctx, mx);
    size_t cnt[3] = {0, 0, 0};
    for (size_t i = 0; i < ctx.n; i++) cnt[(int)d[i]]++;
    int ok = 1;
    for (int k = 0; k < 3; k++) {
        double share = (double)cnt[k] / (double)ctx.n, se = sqrt(w[k] * (1 - w[k]) / (double)ctx.n);
        ok &= fabs(share - w[k]) < 5 * se;
    }
    check("mixture: component shares within 5 SE of the weights", ok);
    /* many components take the binary-search path: 20 point masses 0..19, weights 1..20 */
    Operand comps[20];
    double w20[20], total = 0;
    for (int k = 0; k < 20; k++) {
        comps[k] = opnd_num(k);
        w20[k] = k + 1;
        total += w20[k];
    }
    Samples *m20 = smp_mixture(&ctx, 20, comps, w20, NOSPAN);
    d = smp_draws(&ctx, m20);
    size_t c20[20] = {0};
    for (size_t i = 0; i < ctx.n; i++) c20[(int)d[i]]++;
    ok = 1;
    for (int k = 0; k < 20; k++) {
        double pk = w20[k] / total, share = (double)c20[k] / (double)ctx.n;
        ok &= fabs(share - pk) < 5 * sqrt(pk * (1 - pk) / (double)ctx.n);
    }
    check("mixture: 20 components, shares within 5 SE", ok);
    smp_release(m20);
    /* mixture of samples: every draw is the picked component's draw */
    Samples *mz = smp_mixture(&ctx, 2, (Operand[]){opnd_smp(z), opnd_num(100)}, (double[]){1, 1}, NOSPAN);
    const double *dz = smp_draws(&ctx, z);
    const double *dm = smp_draws(&ctx, mz);
    ok = 1;
    size_t picked = 0;
    for (size_t i = 0; i < ctx.n; i++) {
        ok &= dm[i] == 100 || dm[i] == dz[i];
        picked += dm[i] == 100;
    }
    check("mixture: draws come from the picked component", ok && picked > 0 && picked < ctx.n);
    double p;
    Samples *big = smp_binary(SB_GT, opnd_smp(z), opnd_num(1.5));
    check("cdf/prob: share of z <= 1.5 near 0.5", smp_cdf(&ctx, z, 1.5, &p) && fabs(p - 0.5) < 5 * 0.5 / 1000);
    Samples *rels[] = {z, ln, u, g, mx, mz, big};
    for (size_t k = 0; k < sizeof rels / sizeof rels[0]; k++) smp_release(rels[k]);
    smp_ctx_free(&ctx);
}

/* ---- per-draw parameter errors ---- */

static void test_errors(void) {
    const char *msgs[2];
    char buf[2][512];
    size_t draw[2];
    for (int t = 0; t < 2; t++) {
        SampleCtx ctx;
        smp_ctx_init(&ctx, 50000, 77, t + 1);
        Samples *sd = smp_normal(&ctx, opnd_num(3), opnd_num(1), NOSPAN);
        const double *sdd = smp_draws(&ctx, sd);
        size_t first = 0;
        while (sdd[first] >= 0) first++;
        draw[t] = first;
        smp_release(NULL); /* allowed: a no-op */
        Samples *x = smp_normal(&ctx, opnd_num(0), opnd_smp(sd), (Span){NULL, 11, 22});
        Samples *y = smp_binary(SB_ADD, opnd_smp(x), opnd_num(1));
        double m;
        check("error: a negative sd draw fails the reducer", !smp_mean(&ctx, y, &m) && ctx.err.set);
        check("error: span is the node's origin", ctx.err.span.start == 11 && ctx.err.span.end == 22);
        snprintf(buf[t], sizeof buf[t], "%s", ctx.err.message);
        msgs[t] = buf[t];
        char want[64];
        snprintf(want, sizeof want, "on draw %zu (must be >= 0)", first);
        check("error: names the lowest failing draw", strstr(ctx.err.message, want) != NULL && strncmp(ctx.err.message, "norm: sd is -", 13) == 0);
        check("error: materialize fails too", smp_draws(&ctx, y) == NULL);
        smp_release(y);
        smp_release(x);
        smp_release(sd);

        ctx.err.set = false;
        Samples *sh = smp_uniform(&ctx, opnd_num(-1), opnd_num(1), NOSPAN);
        Samples *g = smp_custom(&ctx, "gamma", gamma_draw, NULL, 2, (Operand[]){opnd_smp(sh), opnd_num(1)}, GAMMA_PARAMS, NOSPAN);
        check("error: custom sampler's bad parameter", !smp_mean(&ctx, g, &m) && strncmp(ctx.err.message, "gamma: parameter 'shape' is -", 29) == 0);
        smp_release(g);
        smp_release(sh);
        Samples *un = smp_uniform(&ctx, opnd_num(2), opnd_num(1), NOSPAN);
        check("error: uniform with hi < lo", !smp_mean(&ctx, un, &m) && strstr(ctx.err.message, "on draw 0") != NULL);
        smp_release(un);
        smp_ctx_free(&ctx);
    }
    check("error: same message for 1 and 2 threads", strcmp(msgs[0], msgs[1]) == 0 && draw[0] == draw[1]);
}

/* ---- fingerprints, several roots in one pass, prefetched answers ---- */

static void test_fingerprints(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 1000, 3, 1);
    Samples *x = norm01(&ctx), *y = norm01(&ctx);
    Samples *a = smp_binary(SB_MUL, opnd_smp(x), opnd_num(2));
    Samples *b = smp_binary(SB_MUL, opnd_smp(x), opnd_num(2));
    Samples *c = smp_binary(SB_MUL, opnd_smp(x), opnd_num(3));
    Samples *d = smp_binary(SB_MUL, opnd_smp(y), opnd_num(2));
    Samples *e = smp_binary(SB_ADD, opnd_smp(x), opnd_num(2));
    Samples *f = smp_binary(SB_MUL, opnd_num(2), opnd_smp(x));
    check("fingerprint: the same recipe, the same fingerprint", a->fp[0] == b->fp[0] && a->fp[1] == b->fp[1]);
    check("fingerprint: another number", a->fp[0] != c->fp[0]);
    check("fingerprint: another stream", a->fp[0] != d->fp[0] && x->fp[0] != y->fp[0]);
    check("fingerprint: another operation", a->fp[0] != e->fp[0]);
    check("fingerprint: operands swapped", a->fp[0] != f->fp[0]);
    double v[3] = {1, 2, 3};
    Samples *arr = from_values(3, v);
    Samples *g = smp_binary(SB_ADD, opnd_smp(arr), opnd_smp(x));
    check("fingerprint: none for an array and what reads it", arr->fp_none && g->fp_none && !a->fp_none);
    Samples *all[] = {x, y, a, b, c, d, e, f, arr, g};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) smp_release(all[i]);
    smp_ctx_free(&ctx);
}

typedef struct RootsArg {
    double *out[4];
} RootsArg;

static void roots_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    memcpy(((RootsArg *)arg)->out[r] + b * SMP_BLOCK, x, len * sizeof *x);
}

static void test_eval_roots(void) {
    for (int threads = 1; threads <= 2; threads++) {
        SampleCtx ctx;
        size_t n = 5 * 4096 + 77;
        smp_ctx_init(&ctx, n, 11, threads);
        Samples *x = norm01(&ctx);
        Samples *sq1 = smp_binary(SB_POW, opnd_smp(x), opnd_num(2));
        Samples *sq2 = smp_binary(SB_POW, opnd_smp(x), opnd_num(2)); /* the same recipe: one step */
        Samples *diff = smp_binary(SB_SUB, opnd_smp(sq1), opnd_smp(sq2));
        Samples *mix = smp_mixture(&ctx, 2, (Operand[]){opnd_smp(norm01(&ctx)), opnd_smp(x)}, (double[]){1, 1}, NOSPAN);
        smp_release(mix->ops[0].node); /* the mixture holds it */
        Samples *roots[] = {sq1, diff, mix, x};
        RootsArg ra;
        for (int r = 0; r < 4; r++) ra.out[r] = malloc(n * sizeof(double));
        bool ok = smp_eval_roots(&ctx, roots, 4, roots_sink, &ra, NULL, smp_nblocks(n));
        check("eval_roots: no error", ok);
        bool same_draws = true, zero = true;
        for (int r = 0; r < 4; r++) {
            if (r == 1) continue;
            double *want = copy_draws(&ctx, roots[r]);
            same_draws &= want && memcmp(want, ra.out[r], n * sizeof(double)) == 0;
            free(want);
        }
        for (size_t i = 0; i < n; i++) zero &= ra.out[1][i] == 0;
        check(threads == 1 ? "eval_roots: each root's draws as alone (1 thread)" : "eval_roots: each root's draws as alone (2 threads)", same_draws);
        check("eval_roots: a recipe written twice is one step (x^2 - x^2 == 0)", zero);
        for (int r = 0; r < 4; r++) free(ra.out[r]), smp_release(roots[r]);
        smp_release(sq2);
        smp_ctx_free(&ctx);
    }
}

/* smp_sumstream: numpy's pairwise sum of numbers that come in pieces, the same bits as all at once. */
static void test_sumstream(void) {
    size_t sizes[] = {1, 2, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000, 4097, 100003};
    size_t pieces[] = {1, 3, 8, 129, 5000, 1000000};
    double *x = malloc(100003 * sizeof *x);
    for (size_t i = 0; i < 100003; i++) x[i] = sin((double)i * 0.37) * 1e3 + (double)(i % 7) * 1e-9;
    bool all = true;
    for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++)
        for (size_t b = 0; b < sizeof pieces / sizeof *pieces; b++) {
            SmpSumStream ps;
            smp_sumstream_init(&ps, sizes[a]);
            for (size_t i = 0; i < sizes[a]; i += pieces[b])
                smp_sumstream_add(&ps, x + i, sizes[a] - i < pieces[b] ? sizes[a] - i : pieces[b]);
            all &= same(smp_sumstream_value(&ps), smp_pairwise_sum(x, sizes[a]));
        }
    check("sumstream: the pairwise sum's bits, whatever the pieces", all);
    free(x);
}

static int cmp_dbl(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* smp_eval_selected hands over exactly the draws where the condition holds, in order, at any thread
 * count; smp_quantiles_selected gives their exact quantiles (or says it missed). */
static void test_selected(void) {
    for (int threads = 1; threads <= 2; threads++) {
        SampleCtx ctx;
        size_t n = small ? 5 * 4096 + 77 : 130 * 4096 + 77; /* from 100 blocks on the pass is staged */
        smp_ctx_init(&ctx, n, 5, threads);
        Samples *x = norm01(&ctx);
        Samples *c = smp_mark_bool(smp_binary(SB_GT, opnd_smp(x), opnd_num(-0.3)));
        double *xd = copy_draws(&ctx, x), *cd = copy_draws(&ctx, c);
        double *want = malloc(n * sizeof *want);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (cd[i] != 0) want[m++] = xd[i];
        SmpCollect t = {malloc(n * sizeof(double)), 0};
        bool ok = smp_eval_selected(&ctx, x, c, NULL, 0, smp_take_collect, &t);
        check("selected: the draws where c holds, in order", ok && t.len == m && memcmp(t.x, want, m * sizeof *want) == 0);
        SmpCollect tc = {malloc(n * sizeof(double)), 0};
        ok = smp_eval_selected(&ctx, c, c, NULL, 0, smp_take_collect, &tc);
        bool ones = ok && tc.len == m;
        for (size_t i = 0; i < tc.len; i++) ones &= tc.x[i] == 1;
        check("selected: x may be the condition itself", ones);
        size_t sel[2] = {1, 4};
        t.len = 0;
        ok = smp_eval_selected(&ctx, x, c, sel, 2, smp_take_collect, &t);
        size_t m2 = 0;
        bool match = ok;
        for (int k = 0; k < 2; k++)
            for (size_t i = sel[k] * 4096; i < (sel[k] + 1) * 4096; i++)
                if (cd[i] != 0) match &= m2 < t.len && same(t.x[m2++], xd[i]);
        check("selected: chosen blocks only", match && m2 == t.len);
        static const double q[] = {0, 0.01, 0.5, 0.95, 1};
        double got[5];
        int r = smp_quantiles_selected(&ctx, x, c, m, q, 5, got);
        qsort(want, m, sizeof *want, cmp_dbl);
        bool exact = r == 1;
        for (int j = 0; j < 5 && exact; j++) exact = same(got[j], smp_quantile_sorted(want, m, q[j]));
        check("selected: exact quantiles of the selected draws", exact);
        ctx.quantile_margin_sd = 0; /* brackets a rank wide: some miss, and it says so */
        double at[] = {0.3, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36, 0.37, 0.38, 0.39, 0.4};
        double g2[11];
        r = smp_quantiles_selected(&ctx, x, c, m, at, 11, g2);
        exact = r == 1;
        for (int j = 0; j < 11 && exact; j++) exact = same(g2[j], smp_quantile_sorted(want, m, at[j]));
        check("selected: a missed bracket is reported, never a wrong quantile", r == 0 || exact);
        free(tc.x), free(t.x), free(want), free(xd), free(cd);
        smp_release(c), smp_release(x);
        smp_ctx_free(&ctx);
    }
}

/* Builds the same little model in any context: the fingerprints match across contexts. */
static void prefetch_model(SampleCtx *ctx, Samples **out) {
    Samples *x = smp_lognormal(ctx, opnd_num(0), opnd_num(0.5), NOSPAN);
    Samples *y = norm01(ctx);
    out[0] = smp_binary(SB_ADD, opnd_smp(x), opnd_smp(y));
    out[1] = smp_binary(SB_MUL, opnd_smp(x), opnd_num(3));
    out[2] = x;
    smp_release(y);
}

/* A rehearsal of prefetch_model: 500 draws, its requests recorded into the returned Prefetch. */
static Prefetch *rehearse_model(SampleCtx *rc, uint64_t seed, Samples **rm) {
    smp_ctx_init(rc, 500, seed, 1);
    Prefetch *pf = pf_new();
    pf_record(rc, pf);
    prefetch_model(rc, rm);
    return pf;
}

static void test_prefetch(void) {
    static const double Q[3] = {0.05, 0.5, 0.95};
    size_t ns[] = {200000, 3000};
    for (int t = 0; t < 2; t++) {
        size_t n = ns[t];
        /* the rehearsal: a few draws, requests recorded */
        SampleCtx rc;
        Samples *rm[3];
        Prefetch *pf = rehearse_model(&rc, 5, rm);
        double tmp[3];
        smp_quantiles(&rc, rm[0], Q, 3, tmp);
        smp_mean(&rc, rm[1], tmp);
        smp_draws(&rc, rm[2]);
        check("prefetch: three nodes recorded", pf_count(pf) == 3);
        for (int i = 0; i < 3; i++) smp_release(rm[i]);
        smp_ctx_free(&rc);

        /* the reference: no prefetch */
        SampleCtx ref;
        smp_ctx_init(&ref, n, 5, 2);
        Samples *fm[3];
        prefetch_model(&ref, fm);
        double want_q[3], want_mean, *want_draws;
        smp_quantiles(&ref, fm[0], Q, 3, want_q);
        smp_mean(&ref, fm[1], &want_mean);
        want_draws = copy_draws(&ref, fm[2]);

        /* the real run: answers come from the fused pass */
        SampleCtx real;
        smp_ctx_init(&real, n, 5, 2);
        pf_serve(&real, pf);
        Samples *sm[3];
        prefetch_model(&real, sm);
        pf_claim(pf, &real, sm[0]);
        pf_claim(pf, &real, sm[1]);
        pf_claim(pf, &real, sm[2]);
        check("prefetch: answers installed before any evaluation", sm[0]->nq == 3 && sm[1]->have_stats && sm[2]->draws);
        double got_q[3], got_mean;
        smp_quantiles(&real, sm[0], Q, 3, got_q);
        smp_mean(&real, sm[1], &got_mean);
        const double *got_draws = smp_draws(&real, sm[2]);
        bool same_q = true;
        for (int j = 0; j < 3; j++) same_q &= same(want_q[j], got_q[j]);
        check(t == 0 ? "prefetch: quantiles as computed alone (streamed)" : "prefetch: quantiles as computed alone (sorted)", same_q);
        check("prefetch: mean as computed alone", same(want_mean, got_mean));
        check("prefetch: draws as computed alone", got_draws && memcmp(want_draws, got_draws, n * sizeof(double)) == 0);
        /* a node the rehearsal never saw is computed as usual */
        Samples *other = smp_binary(SB_SUB, opnd_smp(sm[2]), opnd_num(1));
        Samples *other_ref = smp_binary(SB_SUB, opnd_smp(fm[2]), opnd_num(1));
        double m1, m2;
        check("prefetch: an unseen node is computed as usual",
              smp_mean(&real, other, &m1) && smp_mean(&ref, other_ref, &m2) && same(m1, m2));
        smp_release(other);
        smp_release(other_ref);
        free(want_draws);
        for (int i = 0; i < 3; i++) smp_release(fm[i]), smp_release(sm[i]);
        smp_ctx_free(&ref);
        smp_ctx_free(&real);
        pf_free(pf);
    }
}

/* At 100 blocks and more the shared pass narrows its brackets after a tenth of the blocks
 * (quantile.c, smp_qstream_narrow): the quantiles must still be those computed alone, for
 * continuous draws, draws with many ties, and extreme quantiles, and also when the narrowed
 * brackets miss (a tiny margin: the quantiles are then computed exactly another way). */
static void test_prefetch_narrowed(void) {
    static const double Q[] = {0, 0.001, 0.05, 0.3, 0.5, 0.95, 0.999, 1};
    int k = (int)(sizeof Q / sizeof Q[0]);
    size_t n = 150 * 4096 + 123;
    double margins[] = {SMP_QUANTILE_MARGIN_SD, 0.3};
    for (int mi = 0; mi < 2; mi++) {
        SampleCtx rc;
        Samples *rm[3];
        Prefetch *pf = rehearse_model(&rc, 9, rm);
        Samples *rties = smp_unary(SU_FLOOR, rm[1]);
        double tmp[8];
        smp_quantiles(&rc, rm[0], Q, k, tmp);
        smp_quantiles(&rc, rties, Q, k, tmp);
        smp_draws(&rc, rm[2]);
        smp_release(rties);
        for (int i = 0; i < 3; i++) smp_release(rm[i]);
        smp_ctx_free(&rc);

        SampleCtx ref, real;
        smp_ctx_init(&ref, n, 9, 2);
        smp_ctx_init(&real, n, 9, 2);
        ref.quantile_margin_sd = real.quantile_margin_sd = margins[mi];
        pf_serve(&real, pf);
        Samples *fm[3], *sm[3];
        prefetch_model(&ref, fm);
        prefetch_model(&real, sm);
        Samples *fties = smp_unary(SU_FLOOR, fm[1]), *sties = smp_unary(SU_FLOOR, sm[1]);
        double want[2][8], got[2][8];
        bool ok = smp_quantiles(&ref, fm[0], Q, k, want[0]) && smp_quantiles(&ref, fties, Q, k, want[1]) &&
                  smp_quantiles(&real, sm[0], Q, k, got[0]) && smp_quantiles(&real, sties, Q, k, got[1]);
        for (int j = 0; j < k && ok; j++) ok = same(want[0][j], got[0][j]) && same(want[1][j], got[1][j]);
        check(mi == 0 ? "prefetch, narrowed brackets: quantiles as computed alone"
                      : "prefetch, narrowed brackets that miss: quantiles as computed alone", ok);
        smp_release(fties), smp_release(sties);
        for (int i = 0; i < 3; i++) smp_release(fm[i]), smp_release(sm[i]);
        smp_ctx_free(&ref);
        smp_ctx_free(&real);
        pf_free(pf);
    }
}

/* x^3 and x^4 (double-double products, rounded once): the FMA path and the splitting path give the
 * same bits, both within 1 ulp of pow() (correctly rounded but for the rarest draws), and pow()'s
 * own values outside the double-double range (0, inf, NaN, tiny, huge). */
static void test_small_powers(void) {
    size_t n = 4096 * 3 + 17; /* whole vectors, and a tail */
    double *v = malloc(n * sizeof *v);
    uint64_t st = 12345;
    for (size_t i = 0; i < n; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(st >> 11) * 0x1p-53;
        v[i] = (i % 2 ? -1 : 1) * ldexp(0.5 + u, (int)(i % 61) - 30); /* 2^-31 .. 2^31, both signs */
    }
    double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 0x1p-101, 0x1p100, 1e-300, 1e300, 1.0, -1.0};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) v[i * 97] = special[i];
    SampleCtx ctx;
    smp_ctx_init(&ctx, n, 5, 2);
    Samples *x = from_values(n, v);
    for (int k = 3; k <= 4; k++) {
        double *got[2];
        for (int path = 0; path < 2; path++) {
            smp_cpu_features_off(path == 1 ? SMP_CPU_FMA : 0);
            Samples *p = smp_binary(SB_POW, opnd_smp(x), opnd_num(k));
            got[path] = copy_draws(&ctx, p);
            smp_release(p);
        }
        smp_cpu_features_off(0);
        int same_bits = 1, close = 1;
        for (size_t i = 0; i < n; i++) {
            same_bits &= same(got[0][i], got[1][i]);
            double want = pow(v[i], k), g = got[0][i];
            if (isnan(want) || isinf(want) || want == 0) close &= same(want, g);
            else close &= g == want || g == nextafter(want, INFINITY) || g == nextafter(want, -INFINITY);
        }
        char what[120];
        snprintf(what, sizeof what, "x^%d: the FMA and the splitting products give the same bits", k);
        check(what, same_bits);
        snprintf(what, sizeof what, "x^%d: within 1 ulp of pow(), and pow() itself outside the range", k);
        check(what, close);
        free(got[0]);
        free(got[1]);
    }
    smp_release(x);
    smp_ctx_free(&ctx);
    free(v);
}

/* A run of elementwise steps is evaluated slice by slice with its slots reused: the draws must be
 * those of the same arithmetic done draw by draw, for blocks of every shape. */
static void test_sliced_chain(void) {
    size_t ns[] = {3 * 4096 + 777, 4096, 100};
    for (int t = 0; t < 3; t++) {
        SampleCtx ctx;
        size_t n = ns[t];
        smp_ctx_init(&ctx, n, 21, 2);
        Samples *x = norm01(&ctx), *y = smp_uniform(&ctx, opnd_num(1), opnd_num(2), NOSPAN);
        Samples *a = smp_binary(SB_MUL, opnd_smp(x), opnd_num(2));
        Samples *b = smp_binary(SB_ADD, opnd_smp(a), opnd_smp(y));
        Samples *c = smp_binary(SB_MUL, opnd_smp(b), opnd_smp(b));
        Samples *d = smp_binary(SB_SUB, opnd_smp(c), opnd_smp(a));
        Samples *e = smp_unary(SU_ABS, d);
        Samples *f = smp_binary(SB_DIV, opnd_smp(e), opnd_smp(y));
        Samples *g = smp_clamp(opnd_smp(f), opnd_num(0.5), opnd_num(40));
        Samples *h = smp_binary(SB_MAX, opnd_smp(g), opnd_smp(b));
        double *xv = copy_draws(&ctx, x), *yv = copy_draws(&ctx, y), *hv = copy_draws(&ctx, h);
        bool same_draws = xv && yv && hv;
        for (size_t i = 0; i < n && same_draws; i++) {
            double av = xv[i] * 2, bv = av + yv[i];
            double fv = fabs(bv * bv - av) / yv[i];
            double gv = fv < 0.5 ? 0.5 : fv > 40 ? 40 : fv;
            double want = gv > bv ? gv : bv;
            same_draws = same(hv[i], want);
        }
        check(t == 0 ? "sliced chain: draws as computed draw by draw (partial last block)"
                     : "sliced chain: draws as computed draw by draw", same_draws);
        free(xv), free(yv), free(hv);
        Samples *all[] = {x, y, a, b, c, d, e, f, g, h};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) smp_release(all[i]);
        smp_ctx_free(&ctx);
    }
}

/* smp_free_draws hands a big array's pages back over the threads before free(): only pages inside
 * the array. glibc maps blocks this big on their own, each just below the one mapped before, so a
 * page too many at either end would zero a neighbour's header (free() then aborts) or its draws. */
static void test_free_draws(void) {
    size_t len = ((size_t)40 << 20) / sizeof(double) + 3; /* not whole pages */
    double *above = smp_xmalloc(len * sizeof *above), *big = smp_xmalloc(len * sizeof *big);
    double *below = smp_xmalloc(len * sizeof *below);
    for (size_t i = 0; i < len; i++) above[i] = below[i] = (double)i + 0.5, big[i] = 1;
    smp_free_draws(big, len, 2);
    bool ok = true;
    for (size_t i = 0; i < len && ok; i++) ok = above[i] == (double)i + 0.5 && below[i] == (double)i + 0.5;
    check("freeing a big draw array over two threads keeps its neighbours", ok);
    smp_free_draws(below, len, 1);
    smp_free_draws(above, len, 2);
}

int main(int argc, char **argv) {
    small = argc > 1 && strcmp(argv[1], "--small") == 0;
    test_identity();
    test_broadcast();
    test_ops();
    test_select_clamp();
    test_threads();
    test_chain();
    test_cache();
    test_sharing();
    test_lazy_mixture();
    test_quantiles();
    smp_cpu_features_off(SMP_CPU_AVX512); /* the same checks through the scan for machines without AVX-512 */
    test_quantiles();
    test_prefetch();
    smp_cpu_features_off(0);
    test_statistics();
    test_errors();
    test_fingerprints();
    test_eval_roots();
    test_sumstream();
    test_selected();
    test_sliced_chain();
    test_small_powers();
    test_prefetch();
    test_prefetch_narrowed();
    test_free_draws();
    printf("samples: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
