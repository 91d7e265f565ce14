/* test_lhs.c — Latin hypercube sampling (docs/language.md, "Sampling: Monte Carlo or Latin
 * hypercube"; runtime/engine/internal/rng_inline.h).
 *
 *   - the keyed permutation is a bijection of [0, n) for many n, and each draw's uniform lies in
 *     its stratum: floor(u * n) is the stratum, for every draw;
 *   - through the engine at N = 1000: every stratum hit exactly once for a uniform, and through
 *     the exact CDF for a normal and a lognormal;
 *   - each draw is a function of its index alone: the same bits for 1 and 3 threads, for one block
 *     evaluated alone, and for a mixture's component drawn only where picked (the lazy path);
 *   - the Kolmogorov-Smirnov statistic against GSL's CDF (written here, not through stdlib) is at
 *     most 1/N for many families (Monte Carlo's is about 0.9/sqrt(N): the same check on MC draws
 *     must fail, so the test keeps its power), and the counting families' frequencies are within
 *     1/N of their probabilities;
 *   - the mean of a normal at N = 1000 over 20 seeds: LHS's RMS error is below 0.005 (it is about
 *     0.0005), Monte Carlo's above 0.015 (about 0.03).
 * Exit status 0 when every check passes. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "eval.h"
#include "rng.h"
#include "samples.h"
#include "samples_internal.h"

static int passed, failed;

static void check(const char *what, bool ok) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s\n", what);
    }
}

static const Span NOSPAN = {0};

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- the permutation ---- */

static void test_permutation(void) {
    static const uint64_t ns[] = {1, 2, 3, 4, 5, 7, 8, 9, 31, 1000, 1023, 1024, 1025, 4097, 100003, 1000000};
    uint64_t keys[] = {1, 0xDEADBEEFu, rng_stream_key(42, 7)};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < 3; b++) {
            uint64_t n = ns[a];
            unsigned char *seen = calloc(n, 1);
            bool ok = true;
            for (uint64_t i = 0; i < n && ok; i++) {
                uint64_t k = rng_lhs_stratum_of(keys[b], n, i);
                double u = rng_lhs_uniform(keys[b], n, i);
                ok = k < n && !seen[k] && u > 0 && u < 1 && (uint64_t)floor(u * (double)n) == k;
                if (ok) seen[k] = 1;
            }
            char what[120];
            snprintf(what, sizeof what, "n = %llu, key %zu: a bijection, each uniform in its stratum",
                     (unsigned long long)n, b);
            check(what, ok);
            free(seen);
        }
    /* not the identity, and another key gives another order */
    int same_as_index = 0, same_as_other = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        same_as_index += rng_lhs_stratum_of(keys[0], 1000, i) == i;
        same_as_other += rng_lhs_stratum_of(keys[0], 1000, i) == rng_lhs_stratum_of(keys[1], 1000, i);
    }
    check("the permutation is not the identity", same_as_index < 10);
    check("two keys give two orders", same_as_other < 10);
}

/* ---- strata through the engine ---- */

static bool all_strata(const double *x, size_t n, double (*cdf)(double)) {
    unsigned char *seen = calloc(n, 1);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        double f = cdf(x[i]);
        size_t k = (size_t)floor(f * (double)n);
        ok = f >= 0 && k < n && !seen[k];
        if (ok) seen[k] = 1;
    }
    free(seen);
    return ok;
}

static double id(double x) { return x; }
static double phi(double x) { return gsl_cdf_ugaussian_P(x); }
static double logn01(double x) { return gsl_cdf_lognormal_P(x, 0, 1); }

static void test_engine_strata(void) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, 1000, 99, 2);
    ctx.lhs = true;
    Samples *u = smp_uniform(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
    Samples *z = smp_normal(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
    Samples *l = smp_lognormal(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
    check("uniform(0, 1), N = 1000: every stratum once", all_strata(smp_draws(&ctx, u), 1000, id));
    check("normal(0, 1), N = 1000: Phi(draw) in every stratum once", all_strata(smp_draws(&ctx, z), 1000, phi));
    check("lognormal(0, 1), N = 1000: every stratum once", all_strata(smp_draws(&ctx, l), 1000, logn01));
    smp_release(u), smp_release(z), smp_release(l);
    smp_ctx_free(&ctx);
    /* the same uniform under Monte Carlo misses strata (so the check above has power) */
    smp_ctx_init(&ctx, 1000, 99, 2);
    u = smp_uniform(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
    check("detects Monte Carlo: its uniforms miss strata", !all_strata(smp_draws(&ctx, u), 1000, id));
    smp_release(u);
    smp_ctx_free(&ctx);
}

/* ---- a function of the index alone: threads, blocks, the lazy path ---- */

#define NT (3 * SMP_BLOCK + 123)

/* A graph with every kind of random node under LHS, its draws at `threads`; `inspect`: check its
 * parts draw by draw. */
static double *graph_draws(int threads, bool inspect) {
    SampleCtx ctx;
    smp_ctx_init(&ctx, NT, 5, threads);
    ctx.lhs = true;
    Samples *u = smp_uniform(&ctx, opnd_num(0), opnd_num(1), NOSPAN);
    Samples *z = smp_normal(&ctx, opnd_smp(u), opnd_num(2), NOSPAN);
    Samples *l = smp_lognormal(&ctx, opnd_num(0), opnd_num(0.5), NOSPAN);
    double vals[3] = {1, 2, 3}, w[3] = {0.2, 0.3, 0.5};
    Samples *t = smp_table(&ctx, 3, vals, w, NOSPAN);
    Samples *c = smp_normal(&ctx, opnd_num(10), opnd_num(1), NOSPAN); /* lazy: the mixture's alone */
    Samples *m = smp_mixture(&ctx, 2, (Operand[]){opnd_smp(c), opnd_num(-1)}, (double[]){0.4, 0.6}, NOSPAN);
    Samples *s1 = smp_binary(SB_ADD, opnd_smp(z), opnd_smp(l));
    Samples *s2 = smp_binary(SB_MUL, opnd_smp(t), opnd_smp(m));
    Samples *root = smp_binary(SB_ADD, opnd_smp(s1), opnd_smp(s2));
    double *out = malloc(NT * sizeof *out);
    memcpy(out, smp_draws(&ctx, root), NT * sizeof *out);
    if (inspect) { /* the uniform's draws, each against its per-index formula */
        const double *ud = smp_draws(&ctx, u);
        bool ok = true;
        for (size_t i = 0; i < NT; i++) ok &= ud[i] == rng_lhs_uniform(u->key, NT, i);
        check("uniform draws are rng_lhs_uniform(key, n, i): the index alone decides", ok);
        /* one block evaluated alone: the same draws */
        size_t b = 2;
        double *blk = calloc(NT, sizeof *blk);
        Samples *fresh = smp_binary(SB_ADD, opnd_smp(s1), opnd_smp(s2)); /* not materialized */
        smp_eval_some_blocks(&ctx, fresh, blk, NULL, NULL, &b, 1);
        bool same = true;
        for (size_t i = b * SMP_BLOCK; i < (b + 1) * SMP_BLOCK; i++) same &= blk[i] == out[i];
        check("block 2 evaluated alone gives the same draws", same);
        free(blk);
        smp_release(fresh);
        /* the lazy component: where picked, the mixture holds c's own (dense) draws */
        const double *md = smp_draws(&ctx, m);
        double *mc = malloc(NT * sizeof *mc);
        memcpy(mc, md, NT * sizeof *mc);
        const double *cd = smp_draws(&ctx, c);
        size_t picked = 0;
        bool lazy_same = true;
        for (size_t i = 0; i < NT; i++)
            if (mc[i] != -1) picked++, lazy_same &= mc[i] == cd[i];
        check("a mixture's lazy component: the dense component's draws where picked", lazy_same && picked > 0);
        check("the mixture picks its component on 40% of draws, within 1", fabs((double)picked - 0.4 * NT) <= 1);
        free(mc);
    }
    Samples *nodes[] = {u, z, l, t, c, m, s1, s2, root};
    for (size_t k = 0; k < sizeof nodes / sizeof *nodes; k++) smp_release(nodes[k]);
    smp_ctx_free(&ctx);
    return out;
}

static void test_threads_blocks(void) {
    double *one = graph_draws(1, true);
    double *three = graph_draws(3, false);
    check("the same draws for 1 and 3 threads", memcmp(one, three, NT * sizeof *one) == 0);
    free(one);
    free(three);
}

/* ---- families through the interpreter: KS against GSL's CDF ---- */

static Interp I;
#define NK 1000

static double *draws_of(const char *code) {
    Source *src = source_from_string("<test>", code, strlen(code));
    ParseError perr = {0};
    Value v = val_nil();
    if (interp_run(&I, src, &perr, &v) != EV_OK || v.kind != VAL_SAMPLES) {
        printf("`%s` failed: %s\n", code, I.err.set ? I.err.message : "no samples");
        I.err.set = false;
        value_release(v);
        return NULL;
    }
    const double *d = smp_draws(&I.smp, v.as.smp);
    double *c = d ? malloc(NK * sizeof *c) : NULL;
    if (c) memcpy(c, d, NK * sizeof *c), qsort(c, NK, sizeof *c, cmp_double);
    value_release(v);
    return c;
}

typedef double (*Cdf)(double x, const double *p);
static double c_norm(double x, const double *p) { return gsl_cdf_gaussian_P(x - p[0], p[1]); }
static double c_lognorm(double x, const double *p) { return gsl_cdf_lognormal_P(x, p[0], p[1]); }
static double c_gamma(double x, const double *p) { return gsl_cdf_gamma_P(x, p[0], p[1]); }
static double c_beta(double x, const double *p) { return gsl_cdf_beta_P(x, p[0], p[1]); }
static double c_exp(double x, const double *p) { return gsl_cdf_exponential_P(x, p[0]); }
static double c_unif(double x, const double *p) { return gsl_cdf_flat_P(x, p[0], p[1]); }
static double c_weibull(double x, const double *p) { return gsl_cdf_weibull_P(x, p[1], p[0]); }
static double c_chisq(double x, const double *p) { return gsl_cdf_chisq_P(x, p[0]); }
static double c_logistic(double x, const double *p) { return gsl_cdf_logistic_P(x - p[0], p[1]); }
static double c_tri(double x, const double *p) { /* lo, mode, hi */
    double lo = p[0], c = p[1], hi = p[2];
    if (x <= lo) return 0;
    if (x >= hi) return 1;
    return x <= c ? (x - lo) * (x - lo) / ((hi - lo) * (c - lo)) : 1 - (hi - x) * (hi - x) / ((hi - lo) * (hi - c));
}
static double c_pareto(double x, const double *p) { return x <= 1 ? 0 : 1 - pow(x, -p[0]); } /* minimum 1 */

static double ks_stat(const double *sorted, Cdf cdf, const double *p) {
    double d = 0;
    for (size_t i = 0; i < NK; i++) {
        double f = cdf(sorted[i], p);
        double a = f - (double)i / NK, b = (double)(i + 1) / NK - f;
        if (a > d) d = a;
        if (b > d) d = b;
    }
    return d;
}

static void set_mode(const char *sampling) {
    char setup[160];
    snprintf(setup, sizeof setup, "set samples = %d\nset seed = 20240601\nset sampling = \"%s\"\n", NK, sampling);
    interp_free(&I);
    interp_init(&I, stdout);
    stdlib_open(&I);
    I.smp.threads = 2;
    Source *src = source_from_string("<setup>", setup, strlen(setup));
    ParseError perr = {0};
    if (interp_run(&I, src, &perr, NULL) != EV_OK) printf("setup failed\n");
}

static void test_ks(void) {
    static const struct {
        const char *code;
        Cdf cdf;
        double p[3];
    } cases[] = {
        {"norm(mean=1, sd=2)", c_norm, {1, 2}},
        {"lognorm(mu=0.5, sigma=0.8)", c_lognorm, {0.5, 0.8}},
        {"gamma(2, 3)", c_gamma, {2, 3}},
        {"gamma(0.3, 1)", c_gamma, {0.3, 1}},
        {"beta(2, 5)", c_beta, {2, 5}},
        {"beta(0.5, 0.5)", c_beta, {0.5, 0.5}},
        {"exponential(2)", c_exp, {2}},
        {"uniform(1, 4)", c_unif, {1, 4}},
        {"weibull(1.5, 2)", c_weibull, {1.5, 2}},
        {"chisquare(3)", c_chisq, {3}},
        {"logistic(1, 2)", c_logistic, {1, 2}},
        {"triangular(0, 1, 3)", c_tri, {0, 1, 3}},
        {"pareto(3)", c_pareto, {3}},
    };
    char what[200];
    set_mode("lhs");
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        double *x = draws_of(cases[k].code);
        if (!x) {
            check(cases[k].code, false);
            continue;
        }
        double d = ks_stat(x, cases[k].cdf, cases[k].p);
        snprintf(what, sizeof what, "lhs %s: KS %.6f, at most 1/N = %.6f", cases[k].code, d, 1.0 / NK);
        check(what, d <= 1.0 / NK + 1e-7);
        free(x);
    }
    /* counting families: each value's frequency within 1/N of its probability */
    static const struct {
        const char *code;
        int kind; /* 0 poisson(lam), 1 binomial(n, p), 2 geometric(p) */
        double a, b;
    } counts[] = {{"poisson(3)", 0, 3, 0}, {"binomial(10, 0.3)", 1, 10, 0.3}, {"geometric(0.2)", 2, 0.2, 0}};
    for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
        double *x = draws_of(counts[k].code);
        if (!x) {
            check(counts[k].code, false);
            continue;
        }
        double worst = 0, cum = 0;
        size_t j = 0;
        for (unsigned v = 0; v < 200; v++) { /* the empirical CDF against the exact one, at every value */
            while (j < NK && x[j] <= v) j++;
            cum = counts[k].kind == 0   ? gsl_cdf_poisson_P(v, counts[k].a)
                  : counts[k].kind == 1 ? gsl_cdf_binomial_P(v, counts[k].b, (unsigned)counts[k].a)
                                        : (v < 1 ? 0 : 1 - pow(1 - counts[k].a, v));
            worst = fmax(worst, fabs((double)j / NK - cum));
        }
        snprintf(what, sizeof what, "lhs %s: CDF within 1/N everywhere (worst %.6f)", counts[k].code, worst);
        check(what, worst <= 1.0 / NK + 1e-9);
        free(x);
    }
    /* the same check on Monte Carlo draws fails: it has power */
    set_mode("mc");
    double *x = draws_of("norm(mean=1, sd=2)");
    double d = x ? ks_stat(x, c_norm, (double[]){1, 2}) : 0;
    snprintf(what, sizeof what, "detects Monte Carlo: KS %.5f exceeds 1/N", d);
    check(what, d > 3.0 / NK);
    free(x);
}

/* ---- the gain: the mean of a normal ---- */

static void test_mean_accuracy(void) {
    double se[2] = {0, 0};
    const char *modes[2] = {"lhs", "mc"};
    for (int m = 0; m < 2; m++)
        for (int seed = 1; seed <= 20; seed++) {
            char code[200];
            snprintf(code, sizeof code, "set samples = %d\nset seed = %d\nset sampling = \"%s\"\nmean(norm(mean=0, sd=1))", NK,
                     seed, modes[m]);
            interp_free(&I);
            interp_init(&I, stdout);
            stdlib_open(&I);
            I.smp.threads = 2;
            Source *src = source_from_string("<test>", code, strlen(code));
            ParseError perr = {0};
            Value v = val_nil();
            if (interp_run(&I, src, &perr, &v) != EV_OK || v.kind != VAL_NUM) {
                check("mean ran", false);
                continue;
            }
            se[m] += v.as.num * v.as.num;
        }
    double rms_lhs = sqrt(se[0] / 20), rms_mc = sqrt(se[1] / 20);
    char what[200];
    snprintf(what, sizeof what, "mean of norm(0, 1) at N = 1000 over 20 seeds: LHS RMS error %.5f < 0.005", rms_lhs);
    check(what, rms_lhs < 0.005);
    snprintf(what, sizeof what, "... and Monte Carlo's %.5f > 0.015 (expected 1/sqrt(1000) = 0.0316)", rms_mc);
    check(what, rms_mc > 0.015);
}

int main(void) {
    interp_init(&I, stdout);
    stdlib_open(&I);
    test_permutation();
    test_engine_strata();
    test_threads_blocks();
    test_ks();
    test_mean_accuracy();
    interp_free(&I);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
