/* dist_continuous.c — the continuous constructors beyond norm/lognorm/uniform (docs/language.md,
 * "Distributions"): beta, gamma, exponential, chisquare, pareto, triangular, pert, tdist,
 * log_tdist. Parameters are numpy's/squigglepy's; each may be samples (drawn per draw, checked per
 * draw by the family's draw function). Sampling and CDFs live in dist_family.c, and so does the
 * body of the plain ones (family_constructor); beta (two parameterizations) and the t families
 * (a credible interval: their quantile parameter is computed) have their own. */
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "dist_common.h"
#include "dist_family.h"
#include "registry.h"

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
     "gamma with shape > 0 and scale > 0 (default 1); mean shape*scale", family_constructor),
    BUILTIN("exponential", "scale, lclip=, rclip=", "distributions",
     "exponential with mean `scale` (not a rate), as numpy", family_constructor),
    BUILTIN("chisquare", "k, lclip=, rclip=", "distributions", "chi-square with k > 0 degrees of freedom",
     family_constructor),
    BUILTIN("pareto", "a, lclip=, rclip=", "distributions",
     "squigglepy's pareto(a): classical Pareto with minimum 1, P(X > x) = x^-a (numpy's pareto + 1)",
     family_constructor),
    BUILTIN("triangular", "lo, mode, hi, lclip=, rclip=", "distributions",
     "triangular between lo and hi, peaking at mode", family_constructor),
    BUILTIN("pert", "lo, mode, hi, lam=, lclip=, rclip=", "distributions",
     "PERT: lo + (hi-lo)*beta(1+lam*(mode-lo)/(hi-lo), 1+lam*(hi-mode)/(hi-lo)), lam default 4", family_constructor),
    BUILTIN("tdist", "lo=, hi=, t=, credibility=, lclip=, rclip=", "distributions",
     "Student t with t (default 20) degrees of freedom whose central 90% interval is [lo, hi]", fn_tdist),
    BUILTIN("log_tdist", "lo=, hi=, t=, credibility=, lclip=, rclip=", "distributions",
     "exp of a Student t (default t=1) whose central 90% interval is [lo, hi] (lo > 0)", fn_log_tdist),
    {.name = NULL},
};
