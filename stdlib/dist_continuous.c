/* dist_continuous.c — the continuous constructors beyond norm/lognorm/uniform (docs/language.md,
 * "Distributions"): beta, gamma, exponential, chisquare, pareto, triangular, pert, tdist,
 * log_tdist. Parameters are numpy's/squigglepy's; each may be samples (drawn per draw, checked per
 * draw by the family's draw function). Sampling and CDFs live in dist_family.c. */
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "dist_common.h"
#include "dist_family.h"
#include "registry.h"

/* Reads parameter i as an operand, or `dflt` when it is absent and dflt is not NaN. */
static bool operand_or(Args *a, int i, double dflt, Operand *out) {
    if (!has_arg(a, i) && !isnan(dflt)) return *out = opnd_num(dflt), true;
    return need_operand(a, i, out);
}

enum { AB_A, AB_B, AB_MEAN, AB_SD, AB_LCLIP, AB_RCLIP };

/* beta(mean=, sd=): the beta with that mean and sd (numbers), by the method of moments:
 * a = mean * nu, b = (1 - mean) * nu, nu = mean (1 - mean) / sd^2 - 1. */
static bool beta_from_moments(Args *a, Operand *p) {
    double m, sd;
    char x[40], y[40];
    if (has_arg(a, AB_A) || has_arg(a, AB_B))
        return call_error(a, "give a and b, or mean= and sd=, not both");
    if (!has_arg(a, AB_MEAN) || !has_arg(a, AB_SD)) return call_error(a, "mean= needs sd= (and sd= needs mean=)");
    if (!need_num(a, AB_MEAN, &m) || !need_num(a, AB_SD, &sd)) return false;
    if (!(m > 0 && m < 1)) return arg_error(a, AB_MEAN, "mean must be between 0 and 1 (exclusive), got %s", dist_num(x, sizeof x, m));
    if (!(sd > 0 && sd * sd < m * (1 - m)))
        return arg_error(a, AB_SD, "sd must be > 0 and below sqrt(mean * (1 - mean)) = %s, got %s",
                         dist_num(x, sizeof x, sqrt(m * (1 - m))), dist_num(y, sizeof y, sd));
    double nu = m * (1 - m) / (sd * sd) - 1;
    p[0] = opnd_num(m * nu);
    p[1] = opnd_num((1 - m) * nu);
    return true;
}

static bool fn_beta(Args *a, Value *out) {
    Operand p[2];
    if (has_arg(a, AB_MEAN) || has_arg(a, AB_SD)) {
        if (!beta_from_moments(a, p)) return false;
        return family_build(a, DF_BETA, p, NULL, AB_LCLIP, AB_RCLIP, out);
    }
    if (!has_arg(a, AB_A) && !has_arg(a, AB_B))
        return call_error(a, "give the shapes a and b (beta(2, 8)), or mean= and sd= (beta(mean=0.2, sd=0.1))");
    if (!need_operand(a, AB_A, &p[0]) || !need_operand(a, AB_B, &p[1])) return false;
    return family_build(a, DF_BETA, p, (int[]){AB_A, AB_B}, AB_LCLIP, AB_RCLIP, out);
}

enum { G_SHAPE, G_SCALE, G_LCLIP, G_RCLIP };

static bool fn_gamma(Args *a, Value *out) {
    Operand p[2];
    if (!need_operand(a, G_SHAPE, &p[0]) || !operand_or(a, G_SCALE, 1, &p[1])) return false;
    return family_build(a, DF_GAMMA, p, (int[]){G_SHAPE, G_SCALE}, G_LCLIP, G_RCLIP, out);
}

/* One-parameter families: exponential(scale), chisquare(k), pareto(a). */
enum { ONE_X, ONE_LCLIP, ONE_RCLIP };

static bool one_param(Args *a, DistFamily f, Value *out) {
    Operand p[1];
    if (!need_operand(a, ONE_X, &p[0])) return false;
    return family_build(a, f, p, (int[]){ONE_X}, ONE_LCLIP, ONE_RCLIP, out);
}

static bool fn_exponential(Args *a, Value *out) { return one_param(a, DF_EXPONENTIAL, out); }
static bool fn_chisquare(Args *a, Value *out) { return one_param(a, DF_CHISQ, out); }
static bool fn_pareto(Args *a, Value *out) { return one_param(a, DF_PARETO, out); }

enum { TR_LO, TR_MODE, TR_HI, TR_LAM, TR_LCLIP, TR_RCLIP };

/* triangular(lo, mode, hi) and pert(lo, mode, hi, lam=4): lo <= mode <= hi. */
static bool three_point(Args *a, DistFamily f, Value *out) {
    Operand p[4];
    int lclip = f == DF_PERT ? TR_LCLIP : TR_LAM, rclip = f == DF_PERT ? TR_RCLIP : TR_LCLIP;
    if (!need_operand(a, TR_LO, &p[0]) || !need_operand(a, TR_MODE, &p[1]) || !need_operand(a, TR_HI, &p[2]))
        return false;
    if (f == DF_PERT && !operand_or(a, TR_LAM, 4, &p[3])) return false;
    if (!dist_check_order(a, TR_LO, TR_HI, p[0], p[2])) return false;
    if (!p[0].node && !p[1].node && !p[2].node && (p[1].num < p[0].num || p[1].num > p[2].num)) {
        char m[40], l[40], h[40];
        return arg_error(a, TR_MODE, "mode %s is outside [lo, hi] = [%s, %s]", dist_num(m, sizeof m, p[1].num),
                         dist_num(l, sizeof l, p[0].num), dist_num(h, sizeof h, p[2].num));
    }
    return family_build(a, f, p, (int[]){TR_LO, TR_MODE, TR_HI, TR_LAM}, lclip, rclip, out);
}

static bool fn_triangular(Args *a, Value *out) { return three_point(a, DF_TRIANGULAR, out); }
static bool fn_pert(Args *a, Value *out) { return three_point(a, DF_PERT, out); }

enum { TD_LO, TD_HI, TD_T, TD_CRED, TD_LCLIP, TD_RCLIP };

/* tdist(lo, hi, t) / log_tdist: a location-scale Student t whose central `credibility`
 * interval is exactly [lo, hi] (in log space for log_tdist): location (lo+hi)/2, scale
 * (hi-lo)/2 / q with q the t quantile at 0.5 + credibility/200. Without lo and hi: the
 * standard t (location 0, scale 1), exponentiated for log_tdist. */
static bool t_family(Args *a, DistFamily f, double t_default, Value *out) {
    double t, cred;
    if (!opt_num(a, TD_T, t_default, &t) || !dist_credibility(a, TD_CRED, &cred)) return false;
    char num[40];
    if (!(t > 0 && t < INFINITY)) return arg_error(a, TD_T, "t must be > 0, got %s", dist_num(num, sizeof num, t));
    double q = gsl_cdf_tdist_Pinv(0.5 + cred / 200.0, t);
    if (!isfinite(q)) /* GSL's inverse does not converge for t beyond ~1e15 */
        return arg_error(a, TD_T, "t is %s, too large to compute the t distribution's quantiles; from t = 1e15 "
                         "on it is the normal to 15 digits: write norm(lo, hi)", dist_num(num, sizeof num, t));
    Operand p[4];
    p[2] = opnd_num(t);
    p[3] = opnd_num(q);
    if (!has_arg(a, TD_LO) && !has_arg(a, TD_HI)) {
        p[0] = opnd_num(f == DF_LOGT ? exp(-q) : -q);
        p[1] = opnd_num(f == DF_LOGT ? exp(q) : q);
    } else {
        if (!has_arg(a, TD_HI)) return call_error(a, "missing argument 'hi' (the upper bound)");
        if (!need_operand(a, TD_LO, &p[0]) || !need_operand(a, TD_HI, &p[1])) return false;
        if (!dist_check_order(a, TD_LO, TD_HI, p[0], p[1])) return false;
        if (f == DF_LOGT && !p[0].node && !(p[0].num > 0))
            return arg_error(a, TD_LO, "lower bound must be > 0, got %s", dist_num(num, sizeof num, p[0].num));
    }
    return family_build(a, f, p, (int[]){TD_LO, TD_HI, TD_T, TD_CRED}, TD_LCLIP, TD_RCLIP, out);
}

static bool fn_tdist(Args *a, Value *out) { return t_family(a, DF_T, 20, out); }
static bool fn_log_tdist(Args *a, Value *out) { return t_family(a, DF_LOGT, 1, out); }

const BuiltinDef builtins_dist_continuous[] = {
    BUILTIN("beta", "a=, b=, mean=, sd=, lclip=, rclip=", "distributions",
     "beta with shapes a, b > 0 (values in [0, 1]); beta(mean=, sd=) by the method of moments",
     fn_beta),
    BUILTIN("gamma", "shape, scale=, lclip=, rclip=", "distributions",
     "gamma with shape > 0 and scale > 0 (default 1); mean shape*scale", fn_gamma),
    BUILTIN("exponential", "scale, lclip=, rclip=", "distributions",
     "exponential with mean `scale` (not a rate), as numpy", fn_exponential),
    BUILTIN("chisquare", "k, lclip=, rclip=", "distributions", "chi-square with k > 0 degrees of freedom",
     fn_chisquare),
    BUILTIN("pareto", "a, lclip=, rclip=", "distributions",
     "squigglepy's pareto(a): classical Pareto with minimum 1, P(X > x) = x^-a (numpy's pareto + 1)", fn_pareto),
    BUILTIN("triangular", "lo, mode, hi, lclip=, rclip=", "distributions",
     "triangular between lo and hi, peaking at mode", fn_triangular),
    BUILTIN("pert", "lo, mode, hi, lam=, lclip=, rclip=", "distributions",
     "PERT: lo + (hi-lo)*beta(1+lam*(mode-lo)/(hi-lo), 1+lam*(hi-mode)/(hi-lo)), lam default 4", fn_pert),
    BUILTIN("tdist", "lo=, hi=, t=, credibility=, lclip=, rclip=", "distributions",
     "Student t with t (default 20) degrees of freedom whose central 90% interval is [lo, hi]", fn_tdist),
    BUILTIN("log_tdist", "lo=, hi=, t=, credibility=, lclip=, rclip=", "distributions",
     "exp of a Student t (default t=1) whose central 90% interval is [lo, hi] (lo > 0)", fn_log_tdist),
    {.name = NULL},
};
