/* dist_family.c — per-family parameter checks, GSL samplers, GSL CDFs and inverses, exact
 * moments, and the descriptors (kept on each node) that let `truncate` recover a distribution. */
#include "dist_family.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist_common.h"
#include "mem.h"
#include "numfmt.h"

/* Largest Poisson mean and binomial n: GSL's samplers return unsigned int. */
#define COUNT_MAX 1e9

/* The constructors' checks beyond each parameter's rule (defined with family_constructor). */
static bool check_lo_hi(Args *a, DistFamily f, const Operand *p);
static bool check_lo_mode_hi(Args *a, DistFamily f, const Operand *p);

/* One row per family: adding a distribution is its line in SQ_DIST_FAMILIES (dist_family.h), a row
 * here, its cases in the switches below (check, draw, CDF and inverse, moments, pdf) and its
 * builtin row (docs/architecture.md). The rows with defaults {0} are unread there: norm, lognorm,
 * beta and the t families are built by constructors of their own (distributions.c,
 * dist_continuous.c). */
static const FamilyInfo INFO[DF_COUNT] = {
    [DF_NORMAL] = {"norm", 2, {"mean", "sd"}, {"a number", ">= 0"}, {0}, true, .engine_node = smp_normal},
    [DF_LOGNORMAL] = {"lognorm", 2, {"mu", "sigma"}, {"a number", ">= 0"}, {0}, true, .engine_node = smp_lognormal},
    /* the engine's uniform node takes any numbers: only lo <= hi is checked */
    [DF_UNIFORM] = {"uniform", 2, {"lo", "hi"}, {"finite", "finite and >= lo"}, {DF_REQUIRED, DF_REQUIRED}, true,
                    check_lo_hi, smp_uniform},
    [DF_BETA] = {"beta", 2, {"a", "b"}, {"> 0", "> 0"}, {0}, true},
    [DF_GAMMA] = {"gamma", 2, {"shape", "scale"}, {"> 0", "> 0"}, {DF_REQUIRED, 1}, true},
    [DF_EXPONENTIAL] = {"exponential", 1, {"scale"}, {"> 0"}, {DF_REQUIRED}, true},
    [DF_CHISQ] = {"chisquare", 1, {"k"}, {"> 0"}, {DF_REQUIRED}, true},
    [DF_PARETO] = {"pareto", 1, {"a"}, {"> 0"}, {DF_REQUIRED}, true},
    [DF_TRIANGULAR] = {"triangular", 3, {"lo", "mode", "hi"}, {"finite", "between lo and hi", "finite and >= mode"},
                       {DF_REQUIRED, DF_REQUIRED, DF_REQUIRED}, true, check_lo_mode_hi},
    [DF_PERT] = {"pert", 4, {"lo", "mode", "hi", "lam"}, {"finite", "between lo and hi", "finite and >= mode", ">= 0"},
                 {DF_REQUIRED, DF_REQUIRED, DF_REQUIRED, 4}, true, check_lo_mode_hi},
    [DF_T] = {"tdist", 4, {"lo", "hi", "t", "quantile"}, {"finite", "finite and >= lo", "> 0", "finite"}, {0}, true},
    [DF_LOGT] = {"log_tdist", 4, {"lo", "hi", "t", "quantile"}, {"> 0", "finite and >= lo", "> 0", "finite"}, {0},
                 true},
    [DF_CAUCHY] = {"cauchy", 2, {"loc", "scale"}, {"finite", "> 0"}, {0, 1}, true},
    [DF_LOGISTIC] = {"logistic", 2, {"loc", "scale"}, {"finite", "> 0"}, {0, 1}, true},
    [DF_WEIBULL] = {"weibull", 2, {"shape", "scale"}, {"> 0", "> 0"}, {DF_REQUIRED, 1}, true},
    [DF_STUDENT_T] = {"student_t", 3, {"df", "loc", "scale"}, {"> 0", "finite", "> 0"}, {DF_REQUIRED, 0, 1}, true},
    [DF_POISSON] = {"poisson", 1, {"lam"}, {"between 0 and 1e9"}, {DF_REQUIRED}, false},
    [DF_BINOMIAL] = {"binomial", 2, {"n", "p"}, {"a whole number between 0 and 1e9", "between 0 and 1"},
                     {DF_REQUIRED, DF_REQUIRED}, false},
    [DF_BERNOULLI] = {"bernoulli", 1, {"p"}, {"between 0 and 1"}, {DF_REQUIRED}, false},
    [DF_GEOMETRIC] = {"geometric", 1, {"p"}, {"> 0 and <= 1"}, {DF_REQUIRED}, false},
};

const FamilyInfo *family_info(DistFamily f) { return &INFO[f]; }

static bool pos(double x) { return x > 0 && x < INFINITY; }
static bool prob01(double x) { return x >= 0 && x <= 1; }

int family_check(DistFamily f, const double *p) {
    switch (f) {
    case DF_NORMAL:
    case DF_LOGNORMAL:
        if (isnan(p[0])) return 0;
        return p[1] >= 0 && p[1] < INFINITY ? -1 : 1;
    case DF_UNIFORM:
        if (!isfinite(p[0])) return 0;
        return isfinite(p[1]) && p[1] >= p[0] ? -1 : 1;
    case DF_BETA:
    case DF_GAMMA:
        return !pos(p[0]) ? 0 : !pos(p[1]) ? 1 : -1;
    case DF_EXPONENTIAL:
    case DF_CHISQ:
    case DF_PARETO: return pos(p[0]) ? -1 : 0;
    case DF_PERT:
        if (!(p[3] >= 0 && p[3] < INFINITY)) return 3;
        /* fall through */
    case DF_TRIANGULAR:
        if (!isfinite(p[0])) return 0;
        if (!(p[1] >= p[0] && isfinite(p[1]))) return 1;
        return isfinite(p[2]) && p[2] >= p[1] ? -1 : 2;
    case DF_LOGT:
        if (!pos(p[0])) return 0;
        /* fall through */
    case DF_T:
        if (!isfinite(p[0])) return 0;
        if (!(isfinite(p[1]) && p[1] >= p[0])) return 1;
        return pos(p[2]) ? -1 : 2;
    case DF_CAUCHY:
    case DF_LOGISTIC:
        if (!isfinite(p[0])) return 0;
        return pos(p[1]) ? -1 : 1;
    case DF_WEIBULL: return !pos(p[0]) ? 0 : !pos(p[1]) ? 1 : -1;
    case DF_STUDENT_T:
        if (!pos(p[0])) return 0;
        if (!isfinite(p[1])) return 1;
        return pos(p[2]) ? -1 : 2;
    case DF_POISSON: return p[0] >= 0 && p[0] <= COUNT_MAX ? -1 : 0;
    case DF_BINOMIAL:
        if (!(p[0] >= 0 && p[0] <= COUNT_MAX && p[0] == floor(p[0]))) return 0;
        return prob01(p[1]) ? -1 : 1;
    case DF_BERNOULLI: return prob01(p[0]) ? -1 : 0;
    case DF_GEOMETRIC: return p[0] > 0 && p[0] <= 1 ? -1 : 0;
    default: return 0;
    }
}

/* The one-parameter part of family_check: is x acceptable as parameter i on its own? */
static bool param_ok(DistFamily f, int i, double x) {
    switch (f) {
    case DF_NORMAL:
    case DF_LOGNORMAL: return i == 0 ? !isnan(x) : x >= 0 && x < INFINITY;
    case DF_UNIFORM:
    case DF_TRIANGULAR: return isfinite(x);
    case DF_PERT: return i == 3 ? x >= 0 && x < INFINITY : isfinite(x);
    case DF_T: return i == 2 ? pos(x) : isfinite(x);
    case DF_LOGT: return i == 2 ? pos(x) : i == 0 ? pos(x) : isfinite(x);
    case DF_BETA:
    case DF_GAMMA:
    case DF_EXPONENTIAL:
    case DF_CHISQ:
    case DF_PARETO: return pos(x);
    case DF_CAUCHY:
    case DF_LOGISTIC: return i == 0 ? isfinite(x) : pos(x);
    case DF_WEIBULL: return pos(x);
    case DF_STUDENT_T: return i == 1 ? isfinite(x) : pos(x);
    case DF_POISSON: return x >= 0 && x <= COUNT_MAX;
    case DF_BINOMIAL: return i == 0 ? x >= 0 && x <= COUNT_MAX && x == floor(x) : prob01(x);
    case DF_BERNOULLI: return prob01(x);
    case DF_GEOMETRIC: return x > 0 && x <= 1;
    default: return false;
    }
}

bool family_check_args(Args *a, DistFamily f, const Operand *params, const int *arg_index) {
    const FamilyInfo *fi = &INFO[f];
    double v[DF_MAX_PARAMS] = {0};
    bool all_numbers = true;
    int bad = -1;
    for (int i = 0; i < fi->nparams; i++) {
        if (params[i].node) {
            all_numbers = false;
            continue;
        }
        v[i] = params[i].num;
        if (bad < 0 && !param_ok(f, i, v[i])) bad = i;
    }
    if (bad < 0 && all_numbers) bad = family_check(f, v);
    if (bad < 0) return true;
    char num[40];
    int ai = arg_index ? arg_index[bad] : -1;
    if (!fi->rules[bad]) /* every parameter has its rule; never a NULL for %s */
        return call_error(a, "%s is %s, which is invalid", fi->param_names[bad], dist_num(num, sizeof num, v[bad]));
    if (ai >= 0)
        return arg_error(a, ai, "%s must be %s, got %s", fi->param_names[bad], fi->rules[bad],
                         dist_num(num, sizeof num, v[bad]));
    return call_error(a, "%s must be %s, got %s", fi->param_names[bad], fi->rules[bad],
                      dist_num(num, sizeof num, v[bad]));
}

/* ---- shapes derived from the stored parameters ---- */

static void pert_shape(const double *p, double *alpha, double *beta) {
    double w = p[2] - p[0];
    *alpha = 1 + p[3] * (p[1] - p[0]) / w;
    *beta = 1 + p[3] * (p[2] - p[1]) / w;
}

/* Location and scale of the t families (in log space for DF_LOGT). */
static void t_loc_scale(DistFamily f, const double *p, double *loc, double *scale) {
    double lo = f == DF_LOGT ? log(p[0]) : p[0], hi = f == DF_LOGT ? log(p[1]) : p[1];
    *loc = lo + (hi - lo) / 2;
    *scale = (hi - lo) / (2 * p[3]);
}

/* Triangular inverse CDF, by hand: GSL has no triangular distribution (closed form). */
static double tri_Pinv(double u, const double *p) {
    double lo = p[0], mode = p[1], hi = p[2], w = hi - lo;
    if (w == 0) return lo;
    double fc = (mode - lo) / w;
    if (u < fc) return lo + sqrt(u * w * (mode - lo));
    return hi - sqrt((1 - u) * w * (hi - mode));
}

static double tri_Qinv(double q, const double *p) {
    double lo = p[0], mode = p[1], hi = p[2], w = hi - lo;
    if (w == 0) return lo;
    double fc = (hi - mode) / w; /* Q at the mode */
    if (q < fc) return hi - sqrt(q * w * (hi - mode));
    return lo + sqrt((1 - q) * w * (mode - lo));
}

static double tri_P(double x, const double *p) {
    double lo = p[0], mode = p[1], hi = p[2], w = hi - lo;
    if (x < lo) return 0;
    if (x >= hi) return 1;
    if (x <= mode) return (x - lo) * (x - lo) / (w * (mode - lo));
    return 1 - (hi - x) * (hi - x) / (w * (hi - mode));
}

static double tri_Q(double x, const double *p) {
    double lo = p[0], mode = p[1], hi = p[2], w = hi - lo;
    if (x < lo) return 1;
    if (x >= hi) return 0;
    if (x > mode) return (hi - x) * (hi - x) / (w * (hi - mode));
    return 1 - (x - lo) * (x - lo) / (w * (mode - lo));
}

/* Trials up to and including the first success, by inversion as GSL's gsl_ran_geometric, but in
 * double: GSL returns an unsigned int, which wraps above 2^32 (geometric(1e-10) had mean 2e9,
 * not 1e10), and its log(1 - p) is 0 for p below 1e-16 (geometric(1e-300) gave 0). */
static double geometric_draw(const gsl_rng *r, double p) {
    double u = gsl_rng_uniform_pos(r);
    if (p == 1) return 1;
    return floor(log(u) / log1p(-p)) + 1;
}

/* P(X <= floor(x)) and P(X > floor(x)) of the geometric, x >= 1: 1 - (1-p)^k without GSL's
 * unsigned k. */
static double geometric_Q(double x, double p) { return p == 1 ? 0 : exp(floor(x) * log1p(-p)); }
static double geometric_P(double x, double p) { return p == 1 ? 1 : -expm1(floor(x) * log1p(-p)); }

double family_draw(DistFamily f, const gsl_rng *r, const double *p) {
    switch (f) {
    case DF_NORMAL: return p[0] + gsl_ran_gaussian_ziggurat(r, p[1]);
    case DF_LOGNORMAL: return gsl_ran_lognormal(r, p[0], p[1]);
    case DF_UNIFORM: return gsl_ran_flat(r, p[0], p[1]);
    case DF_BETA: return gsl_ran_beta(r, p[0], p[1]);
    case DF_GAMMA: return gsl_ran_gamma(r, p[0], p[1]);
    case DF_EXPONENTIAL: return gsl_ran_exponential(r, p[0]);
    case DF_CHISQ: return gsl_ran_chisq(r, p[0]);
    case DF_PARETO: return gsl_ran_pareto(r, p[0], 1.0); /* squigglepy's: classical, minimum 1 */
    case DF_TRIANGULAR: return tri_Pinv(gsl_rng_uniform_pos(r), p);
    case DF_PERT: {
        if (p[2] == p[0]) return p[0];
        double al, be;
        pert_shape(p, &al, &be);
        return p[0] + (p[2] - p[0]) * gsl_ran_beta(r, al, be);
    }
    case DF_T:
    case DF_LOGT: {
        double loc, scale;
        t_loc_scale(f, p, &loc, &scale);
        double x = loc + scale * gsl_ran_tdist(r, p[2]);
        return f == DF_LOGT ? exp(x) : x;
    }
    case DF_CAUCHY: return p[0] + gsl_ran_cauchy(r, p[1]);
    case DF_LOGISTIC: return p[0] + gsl_ran_logistic(r, p[1]);
    case DF_WEIBULL: return gsl_ran_weibull(r, p[1], p[0]);
    case DF_STUDENT_T: return p[1] + p[2] * gsl_ran_tdist(r, p[0]);
    case DF_POISSON: return (double)gsl_ran_poisson(r, p[0]);
    case DF_BINOMIAL: return (double)gsl_ran_binomial(r, p[1], (unsigned)p[0]);
    case DF_BERNOULLI: return (double)gsl_ran_bernoulli(r, p[0]);
    case DF_GEOMETRIC: return geometric_draw(r, p[0]);
    default: return NAN;
    }
}

/* A count's CDF at floor(x), through `cdf(k)` for k in [0, UINT_MAX]. */
static unsigned count_floor(double x) { return x >= 4294967295.0 ? 4294967295u : (unsigned)floor(x); }

double family_cdf_P(DistFamily f, double x, const double *p) {
    if (isnan(x)) return NAN;
    if (isinf(x)) return x > 0;
    switch (f) {
    case DF_NORMAL: return p[1] == 0 ? (x >= p[0]) : gsl_cdf_gaussian_P(x - p[0], p[1]);
    case DF_LOGNORMAL: return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, p[0], p[1]);
    case DF_UNIFORM: return x < p[0] ? 0 : x >= p[1] ? 1 : (x - p[0]) / (p[1] - p[0]);
    case DF_BETA: return gsl_cdf_beta_P(x, p[0], p[1]);
    case DF_GAMMA: return gsl_cdf_gamma_P(x, p[0], p[1]);
    case DF_EXPONENTIAL: return gsl_cdf_exponential_P(x, p[0]);
    case DF_CHISQ: return gsl_cdf_chisq_P(x, p[0]);
    case DF_PARETO: return gsl_cdf_pareto_P(x, p[0], 1.0);
    case DF_TRIANGULAR: return tri_P(x, p);
    case DF_PERT: {
        if (p[2] == p[0]) return x >= p[0];
        double al, be;
        pert_shape(p, &al, &be);
        return gsl_cdf_beta_P((x - p[0]) / (p[2] - p[0]), al, be);
    }
    case DF_T:
    case DF_LOGT: {
        double loc, scale;
        t_loc_scale(f, p, &loc, &scale);
        if (f == DF_LOGT) {
            if (x <= 0) return 0;
            x = log(x);
        }
        return scale == 0 ? (x >= loc) : gsl_cdf_tdist_P((x - loc) / scale, p[2]);
    }
    case DF_CAUCHY: return gsl_cdf_cauchy_P(x - p[0], p[1]);
    case DF_LOGISTIC: return gsl_cdf_logistic_P(x - p[0], p[1]);
    case DF_WEIBULL: return x <= 0 ? 0 : gsl_cdf_weibull_P(x, p[1], p[0]);
    case DF_STUDENT_T: return gsl_cdf_tdist_P((x - p[1]) / p[2], p[0]);
    case DF_POISSON: return x < 0 ? 0 : gsl_cdf_poisson_P(count_floor(x), p[0]);
    case DF_BINOMIAL: return x < 0 ? 0 : x >= p[0] ? 1 : gsl_cdf_binomial_P(count_floor(x), p[1], (unsigned)p[0]);
    case DF_BERNOULLI: return x < 0 ? 0 : x < 1 ? 1 - p[0] : 1;
    case DF_GEOMETRIC: return x < 1 ? 0 : geometric_P(x, p[0]);
    default: return NAN;
    }
}

double family_cdf_Q(DistFamily f, double x, const double *p) {
    if (isnan(x)) return NAN;
    if (isinf(x)) return x < 0;
    switch (f) {
    case DF_NORMAL: return p[1] == 0 ? (x < p[0]) : gsl_cdf_gaussian_Q(x - p[0], p[1]);
    case DF_LOGNORMAL: return x <= 0 ? 1 : gsl_cdf_lognormal_Q(x, p[0], p[1]);
    case DF_UNIFORM: return x < p[0] ? 1 : x >= p[1] ? 0 : (p[1] - x) / (p[1] - p[0]);
    case DF_BETA: return gsl_cdf_beta_Q(x, p[0], p[1]);
    case DF_GAMMA: return gsl_cdf_gamma_Q(x, p[0], p[1]);
    case DF_EXPONENTIAL: return gsl_cdf_exponential_Q(x, p[0]);
    case DF_CHISQ: return gsl_cdf_chisq_Q(x, p[0]);
    case DF_PARETO: return gsl_cdf_pareto_Q(x, p[0], 1.0);
    case DF_TRIANGULAR: return tri_Q(x, p);
    case DF_PERT: {
        if (p[2] == p[0]) return x < p[0];
        double al, be;
        pert_shape(p, &al, &be);
        return gsl_cdf_beta_Q((x - p[0]) / (p[2] - p[0]), al, be);
    }
    case DF_T:
    case DF_LOGT: {
        double loc, scale;
        t_loc_scale(f, p, &loc, &scale);
        if (f == DF_LOGT) {
            if (x <= 0) return 1;
            x = log(x);
        }
        return scale == 0 ? (x < loc) : gsl_cdf_tdist_Q((x - loc) / scale, p[2]);
    }
    case DF_CAUCHY: return gsl_cdf_cauchy_Q(x - p[0], p[1]);
    case DF_LOGISTIC: return gsl_cdf_logistic_Q(x - p[0], p[1]);
    case DF_WEIBULL: return x <= 0 ? 1 : gsl_cdf_weibull_Q(x, p[1], p[0]);
    case DF_STUDENT_T: return gsl_cdf_tdist_Q((x - p[1]) / p[2], p[0]);
    case DF_POISSON: return x < 0 ? 1 : gsl_cdf_poisson_Q(count_floor(x), p[0]);
    case DF_BINOMIAL: return x < 0 ? 1 : x >= p[0] ? 0 : gsl_cdf_binomial_Q(count_floor(x), p[1], (unsigned)p[0]);
    case DF_BERNOULLI: return x < 0 ? 1 : x < 1 ? p[0] : 0;
    case DF_GEOMETRIC: return x < 1 ? 1 : geometric_Q(x, p[0]);
    default: return NAN;
    }
}

double family_Pinv(DistFamily f, double u, const double *p) {
    switch (f) {
    case DF_NORMAL: return p[0] + gsl_cdf_gaussian_Pinv(u, p[1]);
    case DF_LOGNORMAL: return gsl_cdf_lognormal_Pinv(u, p[0], p[1]);
    case DF_UNIFORM: return p[0] + u * (p[1] - p[0]);
    case DF_BETA: return gsl_cdf_beta_Pinv(u, p[0], p[1]);
    case DF_GAMMA: return gsl_cdf_gamma_Pinv(u, p[0], p[1]);
    case DF_EXPONENTIAL: return gsl_cdf_exponential_Pinv(u, p[0]);
    case DF_CHISQ: return gsl_cdf_chisq_Pinv(u, p[0]);
    case DF_PARETO: return gsl_cdf_pareto_Pinv(u, p[0], 1.0);
    case DF_TRIANGULAR: return tri_Pinv(u, p);
    case DF_PERT: {
        if (p[2] == p[0]) return p[0];
        double al, be;
        pert_shape(p, &al, &be);
        return p[0] + (p[2] - p[0]) * gsl_cdf_beta_Pinv(u, al, be);
    }
    case DF_T:
    case DF_LOGT: {
        double loc, scale;
        t_loc_scale(f, p, &loc, &scale);
        double x = loc + scale * gsl_cdf_tdist_Pinv(u, p[2]);
        return f == DF_LOGT ? exp(x) : x;
    }
    case DF_CAUCHY: return p[0] + gsl_cdf_cauchy_Pinv(u, p[1]);
    case DF_LOGISTIC: return p[0] + gsl_cdf_logistic_Pinv(u, p[1]);
    case DF_WEIBULL: return gsl_cdf_weibull_Pinv(u, p[1], p[0]);
    case DF_STUDENT_T: return p[1] + p[2] * gsl_cdf_tdist_Pinv(u, p[0]);
    default: return NAN;
    }
}

double family_Qinv(DistFamily f, double u, const double *p) {
    switch (f) {
    case DF_NORMAL: return p[0] + gsl_cdf_gaussian_Qinv(u, p[1]);
    case DF_LOGNORMAL: return gsl_cdf_lognormal_Qinv(u, p[0], p[1]);
    case DF_UNIFORM: return p[1] - u * (p[1] - p[0]);
    case DF_BETA: return gsl_cdf_beta_Qinv(u, p[0], p[1]);
    case DF_GAMMA: return gsl_cdf_gamma_Qinv(u, p[0], p[1]);
    case DF_EXPONENTIAL: return gsl_cdf_exponential_Qinv(u, p[0]);
    case DF_CHISQ: return gsl_cdf_chisq_Qinv(u, p[0]);
    case DF_PARETO: return gsl_cdf_pareto_Qinv(u, p[0], 1.0);
    case DF_TRIANGULAR: return tri_Qinv(u, p);
    case DF_PERT: {
        if (p[2] == p[0]) return p[0];
        double al, be;
        pert_shape(p, &al, &be);
        return p[0] + (p[2] - p[0]) * gsl_cdf_beta_Qinv(u, al, be);
    }
    case DF_T:
    case DF_LOGT: {
        double loc, scale;
        t_loc_scale(f, p, &loc, &scale);
        double x = loc + scale * gsl_cdf_tdist_Qinv(u, p[2]);
        return f == DF_LOGT ? exp(x) : x;
    }
    case DF_CAUCHY: return p[0] + gsl_cdf_cauchy_Qinv(u, p[1]);
    case DF_LOGISTIC: return p[0] + gsl_cdf_logistic_Qinv(u, p[1]);
    case DF_WEIBULL: return gsl_cdf_weibull_Qinv(u, p[1], p[0]);
    case DF_STUDENT_T: return p[1] + p[2] * gsl_cdf_tdist_Qinv(u, p[0]);
    default: return NAN;
    }
}

void family_moments(DistFamily f, const double *p, double *mean, double *var) {
    double m = NAN, v = NAN;
    switch (f) {
    case DF_NORMAL: m = p[0], v = p[1] * p[1]; break;
    case DF_LOGNORMAL: {
        double s2 = p[1] * p[1];
        m = exp(p[0] + s2 / 2), v = expm1(s2) * exp(2 * p[0] + s2);
        break;
    }
    case DF_UNIFORM: m = (p[0] + p[1]) / 2, v = (p[1] - p[0]) * (p[1] - p[0]) / 12; break;
    case DF_BETA: {
        double s = p[0] + p[1];
        m = p[0] / s, v = p[0] * p[1] / (s * s * (s + 1));
        break;
    }
    case DF_GAMMA: m = p[0] * p[1], v = p[0] * p[1] * p[1]; break;
    case DF_EXPONENTIAL: m = p[0], v = p[0] * p[0]; break;
    case DF_CHISQ: m = p[0], v = 2 * p[0]; break;
    case DF_PARETO: {
        double a = p[0];
        m = a > 1 ? a / (a - 1) : INFINITY;
        v = a > 2 ? a / ((a - 1) * (a - 1) * (a - 2)) : INFINITY;
        break;
    }
    case DF_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        m = (a + b + c) / 3, v = (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
        break;
    }
    case DF_PERT: {
        double al, be, w = p[2] - p[0];
        pert_shape(p, &al, &be);
        double s = al + be;
        m = p[0] + w * al / s, v = w * w * al * be / (s * s * (s + 1));
        break;
    }
    case DF_T: {
        double loc, scale;
        t_loc_scale(f, p, &loc, &scale);
        m = p[2] > 1 ? loc : NAN;
        v = p[2] > 2 ? scale * scale * p[2] / (p[2] - 2) : INFINITY;
        break;
    }
    case DF_LOGT: m = INFINITY, v = INFINITY; break;
    case DF_CAUCHY: m = NAN, v = NAN; break; /* neither exists */
    case DF_LOGISTIC: m = p[0], v = p[1] * p[1] * M_PI * M_PI / 3; break;
    case DF_WEIBULL: {
        double g1 = tgamma(1 + 1 / p[0]), g2 = tgamma(1 + 2 / p[0]);
        m = p[1] * g1, v = p[1] * p[1] * (g2 - g1 * g1);
        break;
    }
    case DF_STUDENT_T:
        m = p[0] > 1 ? p[1] : NAN;
        v = p[0] > 2 ? p[2] * p[2] * p[0] / (p[0] - 2) : INFINITY;
        break;
    case DF_POISSON: m = v = p[0]; break;
    case DF_BINOMIAL: m = p[0] * p[1], v = p[0] * p[1] * (1 - p[1]); break;
    case DF_BERNOULLI: m = p[0], v = p[0] * (1 - p[0]); break;
    case DF_GEOMETRIC: m = 1 / p[0], v = (1 - p[0]) / (p[0] * p[0]); break;
    default: break;
    }
    *mean = m;
    *var = v;
}

double family_mass(DistFamily f, double lo, double hi, const double *p) {
    if (!(lo <= hi)) return 0;
    if (!INFO[f].continuous) {
        /* P(X <= floor(hi)) - P(X <= ceil(lo) - 1) */
        double below = ceil(lo) - 1;
        double pl = family_cdf_P(f, below, p);
        if (pl > 0.5) return family_cdf_Q(f, below, p) - family_cdf_Q(f, hi, p);
        return family_cdf_P(f, hi, p) - pl;
    }
    double pl = family_cdf_P(f, lo, p);
    if (pl > 0.5) return family_cdf_Q(f, lo, p) - family_cdf_Q(f, hi, p);
    return family_cdf_P(f, hi, p) - pl;
}

/* ---- densities and quantiles (pdf, inv: docs/language.md, "Exact distributions") ---- */

static bool whole(double x) { return x == floor(x) && isfinite(x); }

double family_pdf(DistFamily f, double x, const double *p) {
    if (isnan(x)) return NAN;
    switch (f) {
    case DF_NORMAL: return p[1] == 0 ? NAN : gsl_ran_gaussian_pdf(x - p[0], p[1]);
    case DF_LOGNORMAL: return p[1] == 0 ? NAN : x <= 0 ? 0 : gsl_ran_lognormal_pdf(x, p[0], p[1]);
    case DF_UNIFORM: return p[1] == p[0] ? NAN : gsl_ran_flat_pdf(x, p[0], p[1]);
    case DF_BETA: return gsl_ran_beta_pdf(x, p[0], p[1]);
    case DF_GAMMA: return gsl_ran_gamma_pdf(x, p[0], p[1]);
    case DF_EXPONENTIAL: return gsl_ran_exponential_pdf(x, p[0]);
    case DF_CHISQ: return gsl_ran_chisq_pdf(x, p[0]);
    case DF_PARETO: return gsl_ran_pareto_pdf(x, p[0], 1.0);
    case DF_TRIANGULAR: {
        double lo = p[0], mode = p[1], hi = p[2], w = hi - lo;
        if (w == 0) return NAN;
        if (x < lo || x > hi) return 0;
        if (x < mode) return 2 * (x - lo) / (w * (mode - lo));
        if (x > mode) return 2 * (hi - x) / (w * (hi - mode));
        return 2 / w;
    }
    case DF_PERT: {
        if (p[2] == p[0]) return NAN;
        double al, be, w = p[2] - p[0];
        pert_shape(p, &al, &be);
        return gsl_ran_beta_pdf((x - p[0]) / w, al, be) / w;
    }
    case DF_T:
    case DF_LOGT: {
        double loc, scale;
        t_loc_scale(f, p, &loc, &scale);
        if (scale == 0) return NAN;
        if (f == DF_T) return gsl_ran_tdist_pdf((x - loc) / scale, p[2]) / scale;
        return x <= 0 ? 0 : gsl_ran_tdist_pdf((log(x) - loc) / scale, p[2]) / (scale * x);
    }
    case DF_CAUCHY: return gsl_ran_cauchy_pdf(x - p[0], p[1]);
    case DF_LOGISTIC: return gsl_ran_logistic_pdf(x - p[0], p[1]);
    case DF_WEIBULL: return x < 0 ? 0 : gsl_ran_weibull_pdf(x, p[1], p[0]);
    case DF_STUDENT_T: return gsl_ran_tdist_pdf((x - p[1]) / p[2], p[0]) / p[2];
    case DF_POISSON: return x < 0 || !whole(x) || x > 4294967295.0 ? 0 : gsl_ran_poisson_pdf((unsigned)x, p[0]);
    case DF_BINOMIAL: return x < 0 || !whole(x) || x > p[0] ? 0 : gsl_ran_binomial_pdf((unsigned)x, p[1], (unsigned)p[0]);
    case DF_BERNOULLI: return x == 0 ? 1 - p[0] : x == 1 ? p[0] : 0;
    case DF_GEOMETRIC: return x < 1 || !whole(x) ? 0 : p[0] == 1 ? (x == 1) : p[0] * exp((x - 1) * log1p(-p[0]));
    default: return NAN;
    }
}

double family_quantile(DistFamily f, double u, const double *p) {
    if (isnan(u)) return NAN;
    if (INFO[f].continuous) {
        if (u <= 0) return family_Pinv(f, 0, p);
        if (u >= 1) return family_Pinv(f, 1, p);
        return u > 0.5 ? family_Qinv(f, 1 - u, p) : family_Pinv(f, u, p);
    }
    /* whole numbers from the support's first: grow hi until P(X <= hi) >= u, then bisect */
    double lo = f == DF_GEOMETRIC ? 1 : 0;
    double top = f == DF_BINOMIAL ? p[0] : f == DF_BERNOULLI ? 1 : INFINITY;
    if (u <= 0 || family_cdf_P(f, lo, p) >= u) return lo;
    if (u >= 1) return top;
    double hi = lo + 1;
    while (family_cdf_P(f, hi, p) < u) {
        if (hi >= top) return top;
        lo = hi;
        hi = fmin(hi * 2, top);
        if (hi > 1e18) return INFINITY;
    }
    while (hi - lo > 1) { /* P(lo) < u <= P(hi) */
        double mid = floor(lo + (hi - lo) / 2);
        if (family_cdf_P(f, mid, p) >= u) hi = mid;
        else lo = mid;
    }
    return hi;
}

/* The x with P(X <= x) = u by bisection on the CDF, for a continuous family whose GSL inverse
 * gave up (gsl_cdf_gamma_Pinv and _beta_Pinv return NaN when Newton's method does not converge). */
static double bisect_quantile(DistFamily f, double u, const double *p) {
    double lo = -1, hi = 1;
    for (int i = 0; i < 2100 && family_cdf_P(f, hi, p) < u; i++) lo = hi, hi *= 2;
    for (int i = 0; i < 2100 && family_cdf_P(f, lo, p) >= u; i++) hi = lo, lo = lo > 0 ? 0 : lo * 2;
    for (int i = 0; i < 2200; i++) { /* P(lo) < u <= P(hi) */
        double mid = lo + (hi - lo) / 2;
        if (!(mid > lo && mid < hi)) break;
        if (family_cdf_P(f, mid, p) >= u) hi = mid;
        else lo = mid;
    }
    return hi;
}

double family_lhs_quantile(DistFamily f, double u, const double *p) {
    double x = family_quantile(f, u, p);
    if (isnan(x) && INFO[f].continuous) x = bisect_quantile(f, u, p);
    return x;
}

/* ---- smp_custom draw functions, one per family of SQ_DIST_FAMILIES ---- */

#define FAMILY_DRAW(F)                                                                  \
    static double draw_##F(const gsl_rng *r, const double *p, int *bad) {               \
        int b = family_check(F, p);                                                     \
        if (b >= 0) {                                                                   \
            *bad = b;                                                                   \
            return NAN;                                                                 \
        }                                                                               \
        return family_draw(F, r, p);                                                    \
    }
/* ... and their inverse CDFs, for Latin hypercube sampling (samples.h, SmpQuantFn) */
#define FAMILY_QUANT(F)                                                                 \
    static double quant_##F(double u, const double *p, int *bad) {                      \
        int b = family_check(F, p);                                                     \
        if (b >= 0) {                                                                   \
            *bad = b;                                                                   \
            return NAN;                                                                 \
        }                                                                               \
        return family_lhs_quantile(F, u, p);                                            \
    }
SQ_DIST_FAMILIES(FAMILY_DRAW)
SQ_DIST_FAMILIES(FAMILY_QUANT)

#define QUANT_FN_ROW(F) [F] = quant_##F,
static const SmpQuantFn QUANT_FNS[DF_COUNT] = {SQ_DIST_FAMILIES(QUANT_FN_ROW)};

SmpQuantFn family_quant_fn(DistFamily f) { return QUANT_FNS[f]; }

#define DRAW_FN_ROW(F) [F] = draw_##F,
static const SmpDrawFn DRAW_FNS[DF_COUNT] = {SQ_DIST_FAMILIES(DRAW_FN_ROW)};

SmpDrawFn family_draw_fn(DistFamily f) { return DRAW_FNS[f]; }

Samples *family_node(SampleCtx *ctx, DistFamily f, const Operand *params, Span origin) {
    const FamilyInfo *fi = &INFO[f];
    if (fi->engine_node) return fi->engine_node(ctx, params[0], params[1], origin);
    return smp_custom(ctx, fi->name, DRAW_FNS[f], QUANT_FNS[f], fi->nparams, params, fi->param_names, origin);
}

bool family_build(Args *a, DistFamily f, const Operand *params, const int *arg_index, int lclip_i, int rclip_i,
                  Value *out) {
    if (!family_check_args(a, f, params, arg_index)) return false;
    Samples *s = family_node(&a->I->smp, f, params, a->call->span);
    return dist_finish_family(a, s, f, params, lclip_i, rclip_i, out);
}

/* ---- the plain constructors, driven by the table ---- */

/* Parameter i is argument i. */
static const int ARG_IS_PARAM[DF_MAX_PARAMS] = {0, 1, 2, 3};

/* uniform: lo <= hi when both are numbers. */
static bool check_lo_hi(Args *a, DistFamily f, const Operand *p) {
    (void)f;
    return dist_check_order(a, 0, 1, p[0], p[1]);
}

/* triangular, pert: lo <= mode <= hi when they are numbers, then each parameter's rule. */
static bool check_lo_mode_hi(Args *a, DistFamily f, const Operand *p) {
    if (!dist_check_order(a, 0, 2, p[0], p[2])) return false;
    if (!p[0].node && !p[1].node && !p[2].node && (p[1].num < p[0].num || p[1].num > p[2].num)) {
        char m[40], l[40], h[40];
        return arg_error(a, 1, "mode %s is outside [lo, hi] = [%s, %s]", dist_num(m, sizeof m, p[1].num),
                         dist_num(l, sizeof l, p[0].num), dist_num(h, sizeof h, p[2].num));
    }
    return family_check_args(a, f, p, ARG_IS_PARAM);
}

bool family_constructor(Args *a, Value *out) {
    int f = 0;
    while (f < DF_COUNT && strcmp(INFO[f].name, a->fn->name) != 0) f++;
    if (f == DF_COUNT) abort(); /* a builtin row names family_constructor for a name the table lacks */
    const FamilyInfo *fi = &INFO[f];
    Operand p[DF_MAX_PARAMS];
    for (int i = 0; i < fi->nparams; i++) {
        if (!has_arg(a, i) && !isnan(fi->defaults[i])) p[i] = opnd_num(fi->defaults[i]);
        else if (!need_operand(a, i, &p[i])) return false;
    }
    if (!(fi->check ? fi->check(a, f, p) : family_check_args(a, f, p, ARG_IS_PARAM))) return false;
    Samples *s = family_node(&a->I->smp, f, p, a->call->span);
    return dist_finish_family(a, s, f, p, fi->nparams, fi->nparams + 1, out);
}

/* ---- descriptors (on the node: smp_set_ext) ---- */

static void desc_free(void *p) {
    DistDesc *d = p;
    int n = d->kind == DESC_MIXTURE ? d->k : DF_MAX_PARAMS;
    for (int i = 0; i < n; i++)
        if (d->held[i]) opnd_release(d->kind == DESC_MIXTURE ? d->comps[i] : d->params[i]);
    free(d->held);
    free(d->comps);
    free(d->weights);
    free(d);
}

static DistDesc *desc_new(Samples *s, DescKind kind, int n) {
    DistDesc *d = mem_calloc(1, sizeof *d);
    d->held = mem_calloc((size_t)(n > 0 ? n : 1), 1);
    d->node = s;
    d->kind = kind;
    return d;
}

/* Keeps operand x in the descriptor of s: borrowed if s reads it, else retained. */
static Operand desc_keep(DistDesc *d, int i, Operand x) {
    if (x.node && !smp_reads(d->node, x.node)) {
        smp_retain(x.node);
        d->held[i] = 1;
    }
    return x;
}

void desc_register_family(Samples *s, DistFamily f, const Operand *params) {
    DistDesc *d = desc_new(s, DESC_FAMILY, DF_MAX_PARAMS);
    d->family = f;
    for (int i = 0; i < INFO[f].nparams; i++) d->params[i] = desc_keep(d, i, params[i]);
    smp_set_ext(s, d, desc_free);
}

void desc_register_const(Samples *s, double x) {
    DistDesc *d = desc_new(s, DESC_CONST, DF_MAX_PARAMS);
    d->params[0] = opnd_num(x);
    smp_set_ext(s, d, desc_free);
}

void desc_register_mixture(Samples *s, int k, const Operand *comps, const double *weights) {
    DistDesc *d = desc_new(s, DESC_MIXTURE, k);
    d->k = k;
    d->comps = mem_alloc((size_t)(k > 0 ? k : 1) * sizeof *d->comps);
    d->weights = mem_alloc((size_t)(k > 0 ? k : 1) * sizeof *d->weights);
    for (int i = 0; i < k; i++) {
        d->comps[i] = desc_keep(d, i, comps[i]);
        d->weights[i] = weights[i];
    }
    smp_set_ext(s, d, desc_free);
}

const DistDesc *desc_find(const Samples *s) { return s ? smp_ext(s) : NULL; }

bool dist_finish_family(Args *a, Samples *s, DistFamily f, const Operand *params, int lclip_i, int rclip_i,
                        Value *out) {
    bool clipped = (lclip_i >= 0 && has_arg(a, lclip_i)) || (rclip_i >= 0 && has_arg(a, rclip_i));
    if (!clipped) desc_register_family(s, f, params);
    return dist_finish(a, s, lclip_i, rclip_i, out);
}

const char *dist_num(char *buf, size_t len, double x) {
    NumText t;
    snprintf(buf, len, "%s", num_text(&t, x));
    return buf;
}

void dist_gsl_quiet(void) { gsl_set_error_handler_off(); /* GSL's own switch: setting it again is harmless */ }
