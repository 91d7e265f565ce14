/* test_distributions.c — statistical tests of every distribution constructor (SPEC §4).
 *
 * Each distribution is built through the interpreter (the sq expression a user would write)
 * at N = 1M draws with a fixed seed. The expected distribution is written here from the
 * SPEC's/numpy's definition with GSL's CDFs and pdfs directly — not through stdlib's own
 * family code — so a wrong parameterization fails:
 *   continuous: mean and variance within 5 standard errors of the exact values, and the
 *               Kolmogorov-Smirnov statistic below the 0.001 critical value 1.95/sqrt(N);
 *   discrete:   every probability P(X = k) within 5 standard errors, plus mean/variance.
 *
 * Sensitivity: the same draws are also compared against deliberately wrong formulas (a 95%
 * instead of a 90% interval for norm, squigglepy's tdist scale, numpy's Lomax instead of
 * squigglepy's classical pareto, geometric from 0) and those comparisons must FAIL — checked by hand once and kept
 * as assertions ("detects ...") so the tests cannot silently lose their power.
 *
 * Runtime: about 5 s on 2 cores (Release). SQC_TEST_N overrides N (e.g. small N under valgrind;
 * the statistical checks are skipped below 100K draws). */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist_family.h"
#include "eval.h"
#include "builtins.h"

static int passed, failed;
static Interp I;
static size_t N;
static bool stats_on, quiet;

static void check(const char *what, bool ok) {
    if (ok) {
        passed++;
    } else {
        failed++;
        if (!quiet) printf("FAIL %s\n", what);
    }
}

/* Runs sq code and returns its last value's draws (a sorted copy when `sorted`), or NULL. */
static double *draws_of(const char *code, bool sorted);

/* Sorts n doubles (no NaN) by an LSD radix sort on their bits, 16 bits a pass: qsort took a
 * third of this test's time. */
static void sort_doubles(double *x, size_t n) {
    uint64_t *k = malloc(n * sizeof *k), *t = malloc(n * sizeof *t);
    size_t *count = malloc(65536 * sizeof *count);
    for (size_t i = 0; i < n; i++) {
        uint64_t b;
        memcpy(&b, &x[i], sizeof b);
        k[i] = b >> 63 ? ~b : b | 0x8000000000000000u; /* order-preserving map to unsigned */
    }
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++) count[(k[i] >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum, sum += c;
        }
        for (size_t i = 0; i < n; i++) t[count[(k[i] >> shift) & 0xFFFF]++] = k[i];
        uint64_t *swap = k;
        k = t, t = swap;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t b = k[i] >> 63 ? k[i] & 0x7FFFFFFFFFFFFFFFu : ~k[i];
        memcpy(&x[i], &b, sizeof b);
    }
    free(k);
    free(t);
    free(count);
}

static Value run(const char *code) {
    Source *src = source_from_string("<test>", code, strlen(code));
    ParseError perr = {0};
    Value last = val_nil();
    if (interp_run(&I, src, &perr, &last) != EV_OK) {
        printf("error running `%s`: %s\n", code, I.err.set ? I.err.message : "syntax error");
        I.err.set = false;
    }
    return last;
}

static double *draws_of(const char *code, bool sorted) {
    Value v = run(code);
    if (v.kind != VAL_SAMPLES) {
        printf("`%s` did not give samples\n", code);
        value_release(v);
        return NULL;
    }
    const double *d = smp_draws(&I.smp, v.as.smp);
    double *c = d ? malloc(N * sizeof *c) : NULL;
    if (c) memcpy(c, d, N * sizeof *c);
    value_release(v);
    if (c && sorted) sort_doubles(c, N);
    return c;
}

/* ---- statistics ---- */

typedef double (*Cdf)(double x, const double *p);

static double ks_stat(const double *sorted, Cdf cdf, const double *p) {
    double d = 0;
    for (size_t i = 0; i < N; i++) {
        double f = cdf(sorted[i], p);
        double a = f - (double)i / (double)N, b = (double)(i + 1) / (double)N - f;
        if (a > d) d = a;
        if (b > d) d = b;
    }
    return d;
}

static double ks_crit(void) { return 1.95 / sqrt((double)N); }

/* Mean and variance within 5 standard errors (the variance's SE from the sample's 4th moment). */
static void check_moments(const char *name, const double *x, double mean, double var) {
    double m = 0;
    for (size_t i = 0; i < N; i++) m += x[i];
    m /= (double)N;
    double m2 = 0, m4 = 0;
    for (size_t i = 0; i < N; i++) {
        double d = x[i] - m, d2 = d * d;
        m2 += d2, m4 += d2 * d2;
    }
    m2 /= (double)N, m4 /= (double)N;
    char what[200];
    double se_mean = sqrt(var / (double)N), se_var = sqrt((m4 - m2 * m2) / (double)N);
    snprintf(what, sizeof what, "%s: mean %.6g, expected %.6g (5 SE = %.3g)", name, m, mean, 5 * se_mean);
    check(what, fabs(m - mean) <= 5 * se_mean);
    snprintf(what, sizeof what, "%s: variance %.6g, expected %.6g (5 SE = %.3g)", name, m2, var, 5 * se_var);
    check(what, fabs(m2 - var) <= 5 * se_var);
}

static void check_ks(const char *name, const double *sorted, Cdf cdf, const double *p) {
    double d = ks_stat(sorted, cdf, p);
    char what[200];
    snprintf(what, sizeof what, "%s: KS %.5f, critical %.5f", name, d, ks_crit());
    check(what, d < ks_crit());
}

/* The wrong formula must be rejected by the same KS test. */
static void check_detects(const char *name, const double *sorted, Cdf cdf, const double *p) {
    double d = ks_stat(sorted, cdf, p);
    char what[200];
    snprintf(what, sizeof what, "detects %s: KS %.5f should exceed %.5f", name, d, ks_crit());
    check(what, d > ks_crit());
}

/* A continuous distribution: moments (when mean is finite) and KS. */
static void continuous(const char *code, Cdf cdf, const double *p, double mean, double var) {
    double *x = draws_of(code, true);
    if (!x) {
        check(code, false);
        return;
    }
    if (isfinite(mean) && isfinite(var)) check_moments(code, x, mean, var);
    check_ks(code, x, cdf, p);
    free(x);
}

/* A discrete distribution on the integers lo..hi (pmf(k)); every P(X = k) within 5 SE. */
typedef double (*Pmf)(double k, const double *p);

static void discrete(const char *code, Pmf pmf, const double *p, double lo, double hi, double mean, double var) {
    double *x = draws_of(code, false);
    if (!x) {
        check(code, false);
        return;
    }
    if (isfinite(mean) && isfinite(var)) check_moments(code, x, mean, var);
    int len = (int)(hi - lo) + 1;
    size_t *count = calloc((size_t)len, sizeof *count), outside = 0;
    for (size_t i = 0; i < N; i++) {
        double k = x[i] - lo;
        if (k >= 0 && k < len && k == floor(k)) count[(int)k]++;
        else outside++;
    }
    /* values expected fewer than 20 times are pooled with those outside lo..hi: the normal
     * approximation of a count's spread does not hold for rare values */
    double pin = 0, prare = 0;
    size_t rare = outside;
    char what[200];
    for (int k = 0; k < len; k++) {
        double pk = pmf(lo + k, p), ph = (double)count[k] / (double)N;
        pin += pk;
        if (pk * (double)N < 20) {
            prare += pk, rare += count[k];
            continue;
        }
        double se = sqrt(pk * (1 - pk) / (double)N);
        snprintf(what, sizeof what, "%s: P(X = %g) = %.6f, expected %.6f", code, lo + k, ph, pk);
        check(what, fabs(ph - pk) <= 5 * se);
    }
    double pout = fmax(1 - pin, 0) + prare, hout = (double)rare / (double)N;
    snprintf(what, sizeof what, "%s: P(X rare or outside %g..%g) = %.6f, expected %.6f", code, lo, hi, hout, pout);
    check(what, fabs(hout - pout) <= 5 * sqrt(pout / (double)N) + 1e-9 + (pout * (double)N < 20 ? 20.0 / (double)N : 0));
    free(count);
    free(x);
}

/* ---- expected CDFs, written from the definitions ---- */

static double cdf_normal(double x, const double *p) { return gsl_cdf_gaussian_P(x - p[0], p[1]); }
static double cdf_lognormal(double x, const double *p) { return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, p[0], p[1]); }
static double cdf_uniform(double x, const double *p) { return gsl_cdf_flat_P(x, p[0], p[1]); }
static double cdf_beta(double x, const double *p) { return gsl_cdf_beta_P(x, p[0], p[1]); }
static double cdf_gamma(double x, const double *p) { return gsl_cdf_gamma_P(x, p[0], p[1]); }
static double cdf_exponential(double x, const double *p) { return gsl_cdf_exponential_P(x, p[0]); }
static double cdf_chisq(double x, const double *p) { return gsl_cdf_chisq_P(x, p[0]); }
/* numpy's pareto(a) is Lomax: P(X <= x) = 1 - (1+x)^-a */
static double cdf_lomax(double x, const double *p) { return x <= 0 ? 0 : 1 - pow(1 + x, -p[0]); }
static double cdf_classic_pareto(double x, const double *p) { return gsl_cdf_pareto_P(x, p[0], 1); }
static double cdf_triangular(double x, const double *p) {
    double a = p[0], c = p[1], b = p[2];
    if (x <= a) return 0;
    if (x >= b) return 1;
    return x <= c ? (x - a) * (x - a) / ((b - a) * (c - a)) : 1 - (b - x) * (b - x) / ((b - a) * (b - c));
}
static double cdf_scaled_beta(double x, const double *p) { /* lo, hi, alpha, beta */
    return gsl_cdf_beta_P((x - p[0]) / (p[1] - p[0]), p[2], p[3]);
}
static double cdf_t(double x, const double *p) { return gsl_cdf_tdist_P((x - p[0]) / p[1], p[2]); } /* loc, scale, nu */
static double cdf_logt(double x, const double *p) { return x <= 0 ? 0 : cdf_t(log(x), p); }
/* a normal truncated to [p[2], p[3]] */
static double cdf_trunc_normal(double x, const double *p) {
    if (x <= p[2]) return 0;
    if (x >= p[3]) return 1;
    double a = gsl_cdf_gaussian_P(p[2] - p[0], p[1]), b = gsl_cdf_gaussian_P(p[3] - p[0], p[1]);
    return (gsl_cdf_gaussian_P(x - p[0], p[1]) - a) / (b - a);
}
/* the upper tail of a gamma above p[2] (shape p[0], scale p[1]) */
static double cdf_gamma_tail(double x, const double *p) {
    if (x <= p[2]) return 0;
    return 1 - gsl_cdf_gamma_Q(x, p[0], p[1]) / gsl_cdf_gamma_Q(p[2], p[0], p[1]);
}
static double cdf_trunc_beta(double x, const double *p) { /* a, b, lo, hi */
    if (x <= p[2]) return 0;
    if (x >= p[3]) return 1;
    double lo = gsl_cdf_beta_P(p[2], p[0], p[1]), hi = gsl_cdf_beta_P(p[3], p[0], p[1]);
    return (gsl_cdf_beta_P(x, p[0], p[1]) - lo) / (hi - lo);
}
/* w * N(m1, s1) + (1 - w) * N(m2, s2) */
static double cdf_mix2(double x, const double *p) {
    return p[0] * gsl_cdf_gaussian_P(x - p[1], p[2]) + (1 - p[0]) * gsl_cdf_gaussian_P(x - p[3], p[4]);
}

/* geometric on 1, 2, ... from its definition, in double for any p: 1 - (1-p)^floor(x) */
static double cdf_geometric(double x, const double *p) { return x < 1 ? 0 : -expm1(floor(x) * log1p(-p[0])); }
/* what GSL's unsigned geometric drew: the count wrapped modulo 2^32 (p = {p, m}: m terms of the wrap) */
static double cdf_geometric_wrapped(double x, const double *p) {
    if (x < 0) return 0;
    double s = 0, w = 4294967296.0;
    for (int j = 0; j < (int)p[1]; j++) s += cdf_geometric(x + j * w, p) - cdf_geometric(j * w, p);
    return s;
}
/* discrete(range(n)): 0..n-1 equally likely */
static double cdf_range(double x, const double *p) { return x < 0 ? 0 : x >= p[0] - 1 ? 1 : (floor(x) + 1) / p[0]; }
/* discrete(range(n), range(n)): P(c) = c / (n(n-1)/2) */
static double cdf_range_weighted(double x, const double *p) {
    if (x < 0) return 0;
    if (x >= p[0] - 1) return 1;
    double m = floor(x);
    return m * (m + 1) / (p[0] * (p[0] - 1));
}

static double pmf_poisson(double k, const double *p) { return gsl_ran_poisson_pdf((unsigned)k, p[0]); }
static double pmf_binomial(double k, const double *p) { return gsl_ran_binomial_pdf((unsigned)k, p[1], (unsigned)p[0]); }
static double pmf_bernoulli(double k, const double *p) { return k == 1 ? p[0] : 1 - p[0]; }
static double pmf_geometric(double k, const double *p) { return gsl_ran_geometric_pdf((unsigned)k, p[0]); }
static double pmf_negbin(double k, const double *p) { return gsl_ran_negative_binomial_pdf((unsigned)k, p[0], p[1]); }
/* p = {k, v0, w0, v1, w1, ...} with weights summing to 1 */
static double pmf_table(double k, const double *p) {
    double s = 0;
    for (int i = 0; i < (int)p[0]; i++)
        if (p[1 + 2 * i] == k) s += p[2 + 2 * i];
    return s;
}
/* Poisson(lam) conditioned on lo..hi: p = {lam, lo, hi} */
static double pmf_trunc_poisson(double k, const double *p) {
    if (k < p[1] || k > p[2]) return 0;
    double m = gsl_cdf_poisson_P((unsigned)p[2], p[0]) - gsl_cdf_poisson_P((unsigned)p[1] - 1, p[0]);
    return gsl_ran_poisson_pdf((unsigned)k, p[0]) / m;
}

#define Z90 1.6448536269514722 /* Phi^-1(0.95) */
#define Z95 1.959963984540054  /* Phi^-1(0.975): the wrong z */

static void test_normal_family(void) {
    /* norm(1, 5): mean 3, sd 2 / z90 */
    double p[2] = {3, 2 / Z90};
    double *x = draws_of("norm(1, 5)", true);
    if (x) {
        check_moments("norm(1, 5)", x, 3, p[1] * p[1]);
        check_ks("norm(1, 5)", x, cdf_normal, p);
        double wrong[2] = {3, 2 / Z95};
        check_detects("norm with a 95% interval", x, cdf_normal, wrong);
        free(x);
    }
    continuous("norm(mean=-2, sd=0.5)", cdf_normal, (double[]){-2, 0.5}, -2, 0.25);
    continuous("norm(sd=3)", cdf_normal, (double[]){0, 3}, 0, 9); /* squigglepy: mean 0 */
    continuous("lognorm(sigma=0.4)", cdf_lognormal, (double[]){0, 0.4}, exp(0.08), expm1(0.16) * exp(0.16));
    /* lognorm(mean=m, sd=s): the lognormal whose own mean and sd are m and s (squigglepy's) */
    double lm = 10, ls = 3, s2 = log(1 + ls * ls / (lm * lm));
    double mp[2] = {log(lm) - s2 / 2, sqrt(s2)};
    double *y = draws_of("lognorm(mean=10, sd=3)", true);
    if (y) {
        check_moments("lognorm(mean=10, sd=3)", y, lm, ls * ls);
        check_ks("lognorm(mean=10, sd=3)", y, cdf_lognormal, mp);
        check_detects("lognorm(mean=10, sd=3) read as mu=ln 10, sigma=ln 3", y, cdf_lognormal,
                      (double[]){log(10), log(3)});
        check_detects("lognorm(mean=10, sd=3) with mu = ln mean (no -sigma^2/2)", y, cdf_lognormal,
                      (double[]){log(lm), sqrt(s2)});
        free(y);
    } else {
        check("lognorm(mean=10, sd=3) gives samples", false);
    }
    continuous("lognorm(mean=0.02, sd=0.05)", cdf_lognormal,
               (double[]){log(0.02) - log(1 + 6.25) / 2, sqrt(log(1 + 6.25))}, 0.02, 0.0025);
    double z50 = gsl_cdf_ugaussian_Pinv(0.75);
    continuous("norm(0, 1, credibility=50)", cdf_normal, (double[]){0.5, 0.5 / z50}, 0.5, 0.25 / (z50 * z50));
    /* lognorm(1, 10): ln-space mean ln(10)/2, sigma ln(10)/(2 z90) */
    double mu = log(10) / 2, s = log(10) / (2 * Z90);
    double lp[2] = {mu, s};
    continuous("lognorm(1, 10)", cdf_lognormal, lp, exp(mu + s * s / 2), expm1(s * s) * exp(2 * mu + s * s));
    continuous("lognorm(mu=0.5, sigma=0.3)", cdf_lognormal, (double[]){0.5, 0.3}, exp(0.5 + 0.045),
               expm1(0.09) * exp(1 + 0.09));
    continuous("2 to 20", cdf_lognormal, (double[]){(log(2) + log(20)) / 2, (log(20) - log(2)) / (2 * Z90)},
               exp((log(2) + log(20)) / 2 + pow((log(20) - log(2)) / (2 * Z90), 2) / 2),
               expm1(pow((log(20) - log(2)) / (2 * Z90), 2)) *
                   exp(log(2) + log(20) + pow((log(20) - log(2)) / (2 * Z90), 2)));
    continuous("-1 to 3", cdf_normal, (double[]){1, 2 / Z90}, 1, 4 / (Z90 * Z90));
    continuous("uniform(-1, 3)", cdf_uniform, (double[]){-1, 3}, 1, 16.0 / 12);
    /* a parameter that is itself samples: N(N(0,1), 1) is N(0, sqrt 2) */
    continuous("norm(mean=norm(mean=0, sd=1), sd=1)", cdf_normal, (double[]){0, sqrt(2)}, 0, 2);
}

static void test_continuous(void) {
    continuous("beta(2, 5)", cdf_beta, (double[]){2, 5}, 2.0 / 7, 10.0 / (49 * 8));
    continuous("beta(a=0.5, b=0.5)", cdf_beta, (double[]){0.5, 0.5}, 0.5, 0.25 / 2);
    continuous("gamma(2.5, 3)", cdf_gamma, (double[]){2.5, 3}, 7.5, 22.5);
    continuous("gamma(0.7)", cdf_gamma, (double[]){0.7, 1}, 0.7, 0.7);
    continuous("exponential(4)", cdf_exponential, (double[]){4}, 4, 16);
    continuous("chisquare(3)", cdf_chisq, (double[]){3}, 3, 6);
    /* squigglepy's pareto(a) is the classical Pareto with minimum 1: mean a/(a-1) */
    double *x = draws_of("pareto(5)", true);
    if (x) {
        check("pareto(5): every draw >= 1", x[0] >= 1);
        check_moments("pareto(5)", x, 5.0 / 4, 5.0 / (16 * 3));
        check_ks("pareto(5)", x, cdf_classic_pareto, (double[]){5});
        check_detects("pareto as numpy's Lomax (x >= 0)", x, cdf_lomax, (double[]){5});
        free(x);
    }
    continuous("pareto(2.5)", cdf_classic_pareto, (double[]){2.5}, 2.5 / 1.5, 2.5 / (1.5 * 1.5 * 0.5));
    continuous("triangular(1, 2, 6)", cdf_triangular, (double[]){1, 2, 6}, 3, (1 + 4 + 36 - 2 - 6 - 12) / 18.0);
    /* pert(0, 2, 10, lam=4): beta(1 + 4*2/10, 1 + 4*8/10) on [0, 10] */
    double al = 1.8, be = 4.2, sab = al + be;
    continuous("pert(0, 2, 10)", cdf_scaled_beta, (double[]){0, 10, al, be}, 10 * al / sab,
               100 * al * be / (sab * sab * (sab + 1)));
    continuous("pert(0, 2, 10, lam=8)", cdf_scaled_beta, (double[]){0, 10, 2.6, 7.4}, 10 * 2.6 / 10,
               100 * 2.6 * 7.4 / (100 * 11));
    /* tdist(1, 10, t=5): location 5.5 (not divided), scale 4.5 / t_5^-1(0.95) */
    double q5 = gsl_cdf_tdist_Pinv(0.95, 5);
    double tp[3] = {5.5, 4.5 / q5, 5};
    x = draws_of("tdist(1, 10, t=5)", true);
    if (x) {
        check_moments("tdist(1, 10, t=5)", x, 5.5, tp[1] * tp[1] * 5 / 3);
        check_ks("tdist(1, 10, t=5)", x, cdf_t, tp);
        check_detects("tdist with squigglepy's scale (hi-lo)/2*0.6/0.9", x, cdf_t, (double[]){5.5, 4.5 * 0.6 / 0.9, 5});
        free(x);
    }
    double q20 = gsl_cdf_tdist_Pinv(0.9, 20);
    continuous("tdist(-2, 2, credibility=80)", cdf_t, (double[]){0, 2 / q20, 20}, 0, pow(2 / q20, 2) * 20 / 18);
    double q1 = gsl_cdf_tdist_Pinv(0.95, 1);
    continuous("log_tdist(1, 100)", cdf_logt, (double[]){log(100) / 2, log(100) / 2 / q1, 1}, INFINITY, INFINITY);
}

/* ---- issue 19: cauchy, logistic, weibull, student_t, beta(mean=, sd=); exact pdf, cdf, inv ---- */

static double cdf_cauchy(double x, const double *p) { return gsl_cdf_cauchy_P(x - p[0], p[1]); }
static double cdf_logistic(double x, const double *p) { return gsl_cdf_logistic_P(x - p[0], p[1]); }
static double cdf_weibull(double x, const double *p) { return x <= 0 ? 0 : gsl_cdf_weibull_P(x, p[1], p[0]); } /* shape, scale */
static double cdf_student(double x, const double *p) { return gsl_cdf_tdist_P((x - p[1]) / p[2], p[0]); } /* df, loc, scale */

static void test_more_families(void) {
    double *x = draws_of("cauchy(1, 2)", true); /* no mean: KS only, and the quartiles are loc -+ scale */
    if (x) {
        check_ks("cauchy(1, 2)", x, cdf_cauchy, (double[]){1, 2});
        check_detects("cauchy with scale 1", x, cdf_cauchy, (double[]){1, 1});
        free(x);
    }
    continuous("cauchy()", cdf_cauchy, (double[]){0, 1}, NAN, NAN);
    continuous("logistic(5, 2)", cdf_logistic, (double[]){5, 2}, 5, 4 * M_PI * M_PI / 3);
    continuous("logistic()", cdf_logistic, (double[]){0, 1}, 0, M_PI * M_PI / 3);
    double g1 = tgamma(1 + 1 / 1.5), g2 = tgamma(1 + 2 / 1.5);
    continuous("weibull(1.5, scale=10)", cdf_weibull, (double[]){1.5, 10}, 10 * g1, 100 * (g2 - g1 * g1));
    x = draws_of("weibull(0.7)", true);
    if (x) {
        g1 = tgamma(1 + 1 / 0.7), g2 = tgamma(1 + 2 / 0.7);
        check_moments("weibull(0.7)", x, g1, g2 - g1 * g1);
        check_ks("weibull(0.7)", x, cdf_weibull, (double[]){0.7, 1});
        check_detects("weibull with shape and scale swapped", x, cdf_weibull, (double[]){1, 0.7});
        free(x);
    }
    continuous("student_t(5)", cdf_student, (double[]){5, 0, 1}, 0, 5.0 / 3);
    continuous("student_t(4, loc=3, scale=2)", cdf_student, (double[]){4, 3, 2}, 3, 4 * 4.0 / 2);
    /* beta(mean=0.3, sd=0.1): nu = 0.21 / 0.01 - 1 = 20, a = 6, b = 14 */
    continuous("beta(mean=0.3, sd=0.1)", cdf_beta, (double[]){6, 14}, 0.3, 0.01);
}

/* A number the interpreter computes, against the value GSL gives directly. */
static void check_exact(const char *code, double want, double rel) {
    Value v = run(code);
    double got = v.kind == VAL_NUM ? v.as.num : NAN;
    value_release(v);
    char what[300];
    snprintf(what, sizeof what, "%s = %.17g, GSL %.17g", code, got, want);
    check(what, fabs(got - want) <= rel * fabs(want) || got == want);
}

static void test_exact(void) {
    check_exact("cdf(norm(1, 3), 2.5)", gsl_cdf_gaussian_P(2.5 - 2, 1 / 1.6448536269514722), 1e-15);
    check_exact("cdf(norm(mean=1, sd=2), -3)", gsl_cdf_gaussian_P(-4, 2), 0);
    check_exact("pdf(norm(mean=1, sd=2), 0)", gsl_ran_gaussian_pdf(-1, 2), 0);
    check_exact("inv(norm(mean=1, sd=2), 0.01)", 1 + gsl_cdf_gaussian_Pinv(0.01, 2), 0);
    check_exact("inv(norm(mean=1, sd=2), 0.99)", 1 + gsl_cdf_gaussian_Qinv(0.01, 2), 1e-15);
    check_exact("cdf(lognorm(mu=0.5, sigma=0.8), 2)", gsl_cdf_lognormal_P(2, 0.5, 0.8), 0);
    check_exact("pdf(lognorm(mu=0.5, sigma=0.8), 2)", gsl_ran_lognormal_pdf(2, 0.5, 0.8), 0);
    check_exact("pdf(beta(2, 5), 0.3)", gsl_ran_beta_pdf(0.3, 2, 5), 0);
    check_exact("inv(beta(2, 5), 0.3)", gsl_cdf_beta_Pinv(0.3, 2, 5), 0);
    check_exact("cdf(gamma(2.5, 3), 4)", gsl_cdf_gamma_P(4, 2.5, 3), 0);
    check_exact("pdf(gamma(2.5, 3), 4)", gsl_ran_gamma_pdf(4, 2.5, 3), 0);
    check_exact("cdf(exponential(4), 1)", gsl_cdf_exponential_P(1, 4), 0);
    check_exact("pdf(chisquare(3), 2)", gsl_ran_chisq_pdf(2, 3), 0);
    check_exact("cdf(pareto(3), 2)", gsl_cdf_pareto_P(2, 3, 1), 0);
    check_exact("pdf(triangular(1, 2, 6), 3)", 2 * 3.0 / (5 * 4), 1e-15);
    check_exact("cdf(uniform(2, 6), 3)", 0.25, 0);
    check_exact("pdf(uniform(2, 6), 3)", 0.25, 0);
    check_exact("cdf(cauchy(1, 2), 4)", gsl_cdf_cauchy_P(3, 2), 0);
    check_exact("pdf(cauchy(1, 2), 4)", gsl_ran_cauchy_pdf(3, 2), 0);
    check_exact("inv(cauchy(1, 2), 0.9)", 1 + gsl_cdf_cauchy_Qinv(0.1, 2), 1e-15);
    check_exact("cdf(logistic(5, 2), 6)", gsl_cdf_logistic_P(1, 2), 0);
    check_exact("pdf(logistic(5, 2), 6)", gsl_ran_logistic_pdf(1, 2), 0);
    check_exact("cdf(weibull(1.5, scale=10), 7)", gsl_cdf_weibull_P(7, 10, 1.5), 0);
    check_exact("pdf(weibull(1.5, scale=10), 7)", gsl_ran_weibull_pdf(7, 10, 1.5), 0);
    check_exact("inv(weibull(1.5, scale=10), 0.2)", gsl_cdf_weibull_Pinv(0.2, 10, 1.5), 0);
    check_exact("cdf(student_t(4, loc=3, scale=2), 5)", gsl_cdf_tdist_P(1, 4), 0);
    check_exact("pdf(student_t(4, loc=3, scale=2), 5)", gsl_ran_tdist_pdf(1, 4) / 2, 0);
    check_exact("pdf(poisson(3), 2)", gsl_ran_poisson_pdf(2, 3), 0);
    check_exact("cdf(poisson(3), 2.5)", gsl_cdf_poisson_P(2, 3), 0);
    check_exact("pdf(poisson(3), 2.5)", 0, 0);
    check_exact("pdf(binomial(10, 0.3), 4)", gsl_ran_binomial_pdf(4, 0.3, 10), 0);
    check_exact("pdf(geometric(0.25), 3)", 0.25 * 0.75 * 0.75, 1e-15);
    check_exact("pdf(bernoulli(0.3), 1)", 0.3, 0);
    /* the counting families' inverse: the smallest k with P(X <= k) >= p */
    static const double PS[] = {1e-9, 0.001, 0.1, 0.3, 0.5, 0.77, 0.95, 0.999999};
    for (size_t i = 0; i < sizeof PS / sizeof PS[0]; i++) {
        char code[100];
        unsigned k = 0;
        while (gsl_cdf_poisson_P(k, 7.5) < PS[i]) k++;
        snprintf(code, sizeof code, "inv(poisson(7.5), %.17g)", PS[i]);
        check_exact(code, k, 0);
        k = 0;
        while (gsl_cdf_binomial_P(k, 0.37, 40) < PS[i]) k++;
        snprintf(code, sizeof code, "inv(binomial(40, 0.37), %.17g)", PS[i]);
        check_exact(code, k, 0);
        k = 1;
        while (-expm1(k * log1p(-0.05)) < PS[i]) k++;
        snprintf(code, sizeof code, "inv(geometric(0.05), %.17g)", PS[i]);
        check_exact(code, k, 0);
    }
    /* mixtures: the weighted CDF; inv bisects it back */
    double m = 0.3 * gsl_cdf_gaussian_P(1.5, 1) + 0.7 * gsl_cdf_gaussian_P(1.5 - 4, 2);
    check_exact("cdf(mixture([norm(mean=0, sd=1), norm(mean=4, sd=2)], [0.3, 0.7]), 1.5)", m, 1e-15);
    check_exact("inv(mixture([norm(mean=0, sd=1), norm(mean=4, sd=2)], [0.3, 0.7]), "
                "cdf(mixture([norm(mean=0, sd=1), norm(mean=4, sd=2)], [0.3, 0.7]), 1.5))", 1.5, 1e-14);
    check_exact("cdf(zero_inflated(0.2, exponential(3)), 1)", 0.2 + 0.8 * gsl_cdf_exponential_P(1, 3), 1e-15);
    check_exact("cdf(discrete([1, 2, 5], [0.2, 0.3, 0.5]), 2)", 0.5, 1e-15);
    check_exact("inv(discrete([1, 2, 5], [0.2, 0.3, 0.5]), 0.5)", 2, 0);
    check_exact("inv(discrete([1, 2, 5], [0.2, 0.3, 0.5]), 0.51)", 5, 0);
    check_exact("mode(discrete([1, 2, 5], [0.2, 0.3, 0.5]))", 5, 0);
    check_exact("mode(binomial(10, 0.34))", 3, 0);
    check_exact("mode(poisson(4))", 3, 0);
    /* clipped, or parameters drawn per draw: estimated from the draws, not the family's CDF */
    Value v = run("x = norm(mean=0, sd=1, lclip=0)\ncdf(x, 0)");
    check("cdf of a clipped normal counts its draws (P(X <= 0) is 0.5 there)", v.kind == VAL_NUM && fabs(v.as.num - 0.5) < 0.01);
    value_release(v);
    v = run("y = norm(mean=norm(mean=0, sd=1), sd=1)\ncdf(y, 1.5)");
    check("cdf of a normal with a samples mean is its marginal's, from the draws",
          v.kind == VAL_NUM && fabs(v.as.num - gsl_cdf_gaussian_P(1.5, sqrt(2))) < 0.01);
    value_release(v);
}

static void test_discrete(void) {
    discrete("poisson(3.5)", pmf_poisson, (double[]){3.5}, 0, 30, 3.5, 3.5);
    discrete("binomial(20, 0.3)", pmf_binomial, (double[]){20, 0.3}, 0, 20, 6, 4.2);
    discrete("bernoulli(0.3)", pmf_bernoulli, (double[]){0.3}, 0, 1, 0.3, 0.21);
    double *x = draws_of("geometric(0.25)", true);
    if (x) { /* numpy's geometric starts at 1; the failures-before-success convention starts at 0 */
        size_t zeros = 0;
        for (size_t i = 0; i < N && x[i] < 1; i++) zeros++;
        check("geometric(0.25) never draws 0 (support 1, 2, ...)", zeros == 0);
        free(x);
    }
    discrete("geometric(0.25)", pmf_geometric, (double[]){0.25}, 1, 80, 4, 0.75 / 0.0625);
    /* p far below 2^-32: the counts pass 2^32 (GSL's unsigned sampler wrapped them: mean 2e9, not 1e10) */
    x = draws_of("geometric(1e-10)", true);
    if (x) {
        check("geometric(1e-10): every draw >= 1", x[0] >= 1);
        check_moments("geometric(1e-10)", x, 1e10, (1 - 1e-10) / 1e-20);
        check_ks("geometric(1e-10)", x, cdf_geometric, (double[]){1e-10});
        check_detects("geometric(1e-10) wrapped at 2^32", x, cdf_geometric_wrapped, (double[]){1e-10, 40});
        free(x);
    }
    /* p below 1e-16, where log(1 - p) is 0: draws are about 1e300 times an exponential(1) */
    x = draws_of("geometric(1e-300)", true);
    if (x) {
        check("geometric(1e-300): every draw >= 1", x[0] >= 1);
        free(x);
    }
    continuous("geometric(1e-300) / 1e300", cdf_exponential, (double[]){1}, 1, 1);
    /* discrete(data) of any length: a table lookup per draw */
    x = draws_of("discrete(range(1000000))", true);
    if (x) {
        check_moments("discrete(range(1000000))", x, 499999.5, (1e12 - 1) / 12);
        check_ks("discrete(range(1000000))", x, cdf_range, (double[]){1e6});
        check_detects("discrete(range(1000000)) missing its top half", x, cdf_range, (double[]){5e5});
        free(x);
    }
    x = draws_of("discrete(range(20000), range(20000))", true);
    if (x) {
        check_ks("discrete(range(20000), range(20000))", x, cdf_range_weighted, (double[]){20000});
        check_detects("weighted discrete drawn with equal weights", x, cdf_range, (double[]){20000});
        free(x);
    }
    /* Poisson with a gamma mean (shape 2, scale 1.5) is negative binomial with p = 1/(1+1.5), n = 2 */
    discrete("poisson(gamma(2, 1.5))", pmf_negbin, (double[]){0.4, 2}, 0, 120, 3, 3 + 9.0 / 2);
    discrete("discrete([1, 2, 5], [1, 2, 3])", pmf_table, (double[]){3, 1, 1.0 / 6, 2, 2.0 / 6, 5, 3.0 / 6}, 0, 6,
             (1 + 4 + 15) / 6.0, (1 + 8 + 75) / 6.0 - pow(20 / 6.0, 2));
    discrete("discrete({\"0\": 0.2, \"3\": 0.8})", pmf_table, (double[]){2, 0, 0.2, 3, 0.8}, 0, 3, 2.4,
             0.8 * 9 - 2.4 * 2.4);
    discrete("discrete([[1, 4], [3, 7]])", pmf_table, (double[]){2, 4, 0.25, 7, 0.75}, 0, 8, 6.25,
             0.25 * 16 + 0.75 * 49 - 6.25 * 6.25);
    discrete("mixture([1, 2, 2], [0.5, 0.3, 0.2])", pmf_table, (double[]){2, 1, 0.5, 2, 0.5}, 0, 3, 1.5, 0.25);
    discrete("truncate(poisson(4), 2, 6)", pmf_trunc_poisson, (double[]){4, 2, 6}, 0, 8, NAN, NAN);
}

static void test_combinators(void) {
    /* 0.3 N(0, 1) + 0.7 N(10, 2); each draw takes one component's draw */
    double mp[5] = {0.3, 0, 1, 10, 2};
    double mean = 7, var = 0.3 * 1 + 0.7 * 4 + 0.3 * 0.7 * 100;
    continuous("mixture([norm(mean=0, sd=1), norm(mean=10, sd=2)], [3, 7])", cdf_mix2, mp, mean, var);
    continuous("mx([norm(mean=0, sd=1), norm(mean=10, sd=2)], [0.3, 0.7])", cdf_mix2, mp, mean, var);
    /* zero_inflated(0.25, lognorm(mu=1, sigma=0.5)): P(0) = 0.25, the rest lognormal */
    double *x = draws_of("zero_inflated(0.25, lognorm(mu=1, sigma=0.5))", true);
    if (x) {
        size_t zeros = 0;
        while (zeros < N && x[zeros] == 0) zeros++;
        double pz = (double)zeros / (double)N;
        char what[120];
        snprintf(what, sizeof what, "zero_inflated: P(0) = %.5f, expected 0.25", pz);
        check(what, fabs(pz - 0.25) <= 5 * sqrt(0.25 * 0.75 / (double)N));
        size_t n_all = N;
        N -= zeros; /* KS of the nonzero part against the lognormal */
        double d = 0;
        for (size_t i = 0; i < N; i++) {
            double f = cdf_lognormal(x[zeros + i], (double[]){1, 0.5});
            d = fmax(d, fmax(f - (double)i / (double)N, (double)(i + 1) / (double)N - f));
        }
        snprintf(what, sizeof what, "zero_inflated: KS of the rest %.5f", d);
        check(what, d < ks_crit());
        N = n_all;
        free(x);
    }
    /* truncate: inverse CDF, no mass at the bounds, shape kept */
    double tn[4] = {5, 10 / Z90, 0, 1};
    x = draws_of("truncate(norm(-5, 15), 0, 1)", true);
    if (x) {
        check_ks("truncate(norm(-5, 15), 0, 1)", x, cdf_trunc_normal, tn);
        size_t at_bounds = 0;
        for (size_t i = 0; i < N; i++) at_bounds += x[i] == 0 || x[i] == 1;
        check("truncate: no draw exactly at the bounds", at_bounds == 0);
        check("truncate: every draw inside", x[0] >= 0 && x[N - 1] <= 1);
        free(x);
    }
    continuous("truncate(gamma(2, 1), lo=12)", cdf_gamma_tail, (double[]){2, 1, 12}, NAN, NAN); /* far upper tail */
    continuous("truncate(beta(2, 3), 0.1, 0.3)", cdf_trunc_beta, (double[]){2, 3, 0.1, 0.3}, NAN, NAN);
    /* truncating a mixture reweights its components by their mass inside */
    x = draws_of("truncate(mixture([norm(mean=0, sd=1), norm(mean=10, sd=2)], [3, 7]), -1, 1)", true);
    if (x) {
        double w0 = 0.3 * (gsl_cdf_ugaussian_P(1) - gsl_cdf_ugaussian_P(-1));
        double w1 = 0.7 * (gsl_cdf_gaussian_P(-9, 2) - gsl_cdf_gaussian_P(-11, 2));
        double d = 0;
        for (size_t i = 0; i < N; i++) {
            double f = (0.3 * (gsl_cdf_ugaussian_P(x[i]) - gsl_cdf_ugaussian_P(-1)) +
                        0.7 * (gsl_cdf_gaussian_P(x[i] - 10, 2) - gsl_cdf_gaussian_P(-11, 2))) / (w0 + w1);
            d = fmax(d, fmax(f - (double)i / (double)N, (double)(i + 1) / (double)N - f));
        }
        char what[120];
        snprintf(what, sizeof what, "truncate(mixture): KS %.5f", d);
        check(what, d < ks_crit());
        free(x);
    }
}

/* Deterministic properties that need no large N. */
static void test_properties(void) {
    Value v = run("x = norm(0, 1)\nprob(x - x == 0)");
    check("identity: x - x is 0", v.kind == VAL_NUM && v.as.num == 1);
    value_release(v);
    v = run("a = beta(2, 2)\nb = beta(2, 2)\nprob(a == b)");
    check("two calls are independent", v.kind == VAL_NUM && v.as.num < 0.001);
    value_release(v);
    v = run("min(norm(0, 1, lclip=0.2))");
    check("lclip clamps", v.kind == VAL_NUM && v.as.num == 0.2);
    value_release(v);
    v = run("max(gamma(2, rclip=3))");
    check("rclip clamps", v.kind == VAL_NUM && v.as.num == 3);
    value_release(v);
    v = run("mean(const(4))");
    check("const", v.kind == VAL_NUM && v.as.num == 4);
    value_release(v);
}


/* docs/language.md's "### Distributions" lists every distribution builtin, and each row's
 * example (the last `code` of the row) runs and gives samples. */
static void test_docs(void) {
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    if (!slash) { check("docs: the test's own path", false); return; }
    snprintf(slash, sizeof path - (size_t)(slash - path), "/../../docs/language.md");
    FILE *f = fopen(path, "r");
    if (!f) { check("docs/language.md can be read", false); return; }
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    char *sec = strstr(text, "### Distributions\n");
    if (!sec) { check("docs: a ### Distributions section", false); return; }
    char *end = strstr(sec + 4, "\n### ");
    if (end) *end = 0;
    for (int i = 0; i < registry_count(&I); i++) {
        const Builtin *b = registry_at(&I, i);
        if (strcmp(b->family, "distributions") != 0) continue;
        char name[80], what[160];
        snprintf(name, sizeof name, "| `%s(", b->name);
        bool listed = strstr(sec, name) != NULL;
        snprintf(name, sizeof name, "alias `%s`", b->name);
        listed = listed || strstr(sec, name) != NULL;
        snprintf(what, sizeof what, "docs list the distribution builtin %s", b->name);
        check(what, listed);
    }
    int examples = 0;
    for (char *line = strtok(sec, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "| `", 3) != 0) continue;
        char *last = strrchr(line, '|'), *cell = last;
        while (cell > line && *--cell != '|') {}
        char *open = strchr(cell, '`'), *close = open ? strchr(open + 1, '`') : NULL;
        if (!open || !close || close > last) continue;
        char code[200], what[260];
        snprintf(code, sizeof code, "%.*s", (int)(close - open - 1), open + 1);
        Value v = run(code);
        snprintf(what, sizeof what, "docs example `%s` gives samples", code);
        check(what, v.kind == VAL_SAMPLES);
        value_release(v);
        examples++;
    }
    check("docs: at least 20 examples", examples >= 20);
}

/* The plain constructors' builtin rows agree with their family rows (dist_family.c): the
 * family named as the builtin, its parameters in order with `=` on those that have a default,
 * then lclip= and rclip= (what family_constructor reads). */
static void test_family_rows(void) {
    int plain = 0;
    for (int i = 0; i < registry_count(&I); i++) {
        const Builtin *b = registry_at(&I, i);
        if (b->fn != family_constructor) continue;
        plain++;
        int f = 0;
        while (f < DF_COUNT && strcmp(family_info(f)->name, b->name) != 0) f++;
        char what[200], sig[200] = "";
        snprintf(what, sizeof what, "%s: a family row of that name", b->name);
        check(what, f < DF_COUNT);
        if (f == DF_COUNT) continue;
        const FamilyInfo *fi = family_info(f);
        for (int k = 0; k < fi->nparams; k++)
            snprintf(sig + strlen(sig), sizeof sig - strlen(sig), "%s%s, ", fi->param_names[k],
                     isnan(fi->defaults[k]) ? "" : "=");
        snprintf(sig + strlen(sig), sizeof sig - strlen(sig), "lclip=, rclip=");
        snprintf(what, sizeof what, "%s: signature \"%s\" is the family row's \"%s\"", b->name, b->signature, sig);
        check(what, strcmp(b->signature, sig) == 0);
    }
    check("15 plain constructors", plain == 15);
}

/* Every family of SQ_DIST_FAMILIES has a table row, and its smp_custom functions (the tables
 * generated from that list) are its own: each draws and inverts as family f does with the same
 * generator state, and reports NaN parameters as bad. */
static void test_family_tables(void) {
    static const double candidates[][DF_MAX_PARAMS] = {{1, 2, 3, 4}, {3, 0.5, 0, 0}};
    const double all_nan[DF_MAX_PARAMS] = {NAN, NAN, NAN, NAN};
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    for (int f = 0; f < DF_COUNT; f++) {
        const FamilyInfo *fi = family_info(f);
        char what[200];
        snprintf(what, sizeof what, "family %d: a table row with a name and 1 to %d parameters", f, DF_MAX_PARAMS);
        check(what, fi->name && fi->nparams >= 1 && fi->nparams <= DF_MAX_PARAMS);
        SmpDrawFn draw = family_draw_fn(f);
        SmpQuantFn quant = family_quant_fn(f);
        snprintf(what, sizeof what, "%s: a draw and an inverse-CDF function", fi->name ? fi->name : "?");
        check(what, draw && quant);
        if (!fi->name || !draw || !quant) continue;
        const double *p = NULL;
        for (size_t c = 0; c < sizeof candidates / sizeof candidates[0] && !p; c++)
            if (family_check(f, candidates[c]) < 0) p = candidates[c];
        snprintf(what, sizeof what, "%s: valid parameters among the candidates", fi->name);
        check(what, p != NULL);
        if (!p) continue;
        gsl_rng_set(r1, 11), gsl_rng_set(r2, 11);
        bool same = true;
        for (int k = 0; k < 20; k++) {
            int bad = -1;
            double x = draw(r1, p, &bad);
            same = same && bad == -1 && x == family_draw(f, r2, p);
        }
        for (double u = 0.05; u < 1; u += 0.1) {
            int bad = -1;
            double x = quant(u, p, &bad), want = family_lhs_quantile(f, u, p);
            same = same && bad == -1 && (x == want || (isnan(x) && isnan(want)));
        }
        snprintf(what, sizeof what, "%s: its draw and inverse-CDF functions are the family's", fi->name);
        check(what, same);
        int bad_draw = -1, bad_quant = -1;
        double x = draw(r1, all_nan, &bad_draw), y = quant(0.5, all_nan, &bad_quant);
        snprintf(what, sizeof what, "%s: NaN parameters reported as bad", fi->name);
        check(what, isnan(x) && isnan(y) && bad_draw >= 0 && bad_draw == bad_quant);
    }
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}

int main(void) {
    const char *env = getenv("SQC_TEST_N");
    N = env ? (size_t)atol(env) : 1000000;
    stats_on = N >= 100000;
    interp_init(&I, stdout);
    stdlib_open(&I);
    I.smp.threads = 2;
    char setup[100];
    snprintf(setup, sizeof setup, "set samples = %zu\nset seed = 20240601\n", N);
    value_release(run(setup));
    test_properties();
    test_family_rows();
    test_family_tables();
    test_docs();
    test_exact();
    if (stats_on) {
        test_normal_family();
        test_continuous();
        test_discrete();
        test_combinators();
        test_more_families();
    } else { /* small N (valgrind): exercise every path without judging the statistics */
        int before = failed;
        quiet = true;
        test_normal_family();
        test_continuous();
        test_discrete();
        test_combinators();
        test_more_families();
        failed = before;
        quiet = false;
    }
    interp_free(&I);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
