/* distributions.c — distribution constructors (docs/language.md, "Distributions"). Each call takes
 * a fresh random stream, so two calls give independent samples. norm and lognorm (an interval, or
 * either of two parameter pairs), `to` (which picks one of them) and const (a number, not a
 * family) have their own bodies; uniform is a plain one (family_constructor, dist_family.c). */
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "dist_common.h"
#include "dist_family.h"
#include "registry.h"
#include "numfmt.h"

/* The normal's (mean, sd) from lo/hi (a credible interval) or mean=/sd=. */
static bool normal_params(Args *a, int lo_i, int hi_i, int mean_i, int sd_i, int cred_i, const char *mean_name,
                          const char *sd_name, bool log_space, Operand *mean, Operand *sd) {
    bool ci = has_arg(a, lo_i) || has_arg(a, hi_i);
    bool direct = has_arg(a, mean_i) || has_arg(a, sd_i);
    if (ci && direct)
        return call_error(a, "give either lo and hi (a credible interval) or %s= and %s=, not both", mean_name, sd_name);
    if (!ci && !direct) return call_error(a, "missing arguments: give lo and hi, or %s= and %s=", mean_name, sd_name);
    if (direct) {
        /* as squigglepy: norm(sd=s) has mean 0, lognorm(sigma=s) has mu 0 */
        if (!has_arg(a, sd_i)) return call_error(a, "missing argument '%s'", sd_name);
        *mean = opnd_num(0);
        if (has_arg(a, mean_i) && !need_operand(a, mean_i, mean)) return false;
        if (!need_operand(a, sd_i, sd)) return false;
        if (!sd->node && !(sd->num >= 0)) return arg_error(a, sd_i, "%s must be >= 0, got %s", sd_name, num_text(&(NumText){0}, sd->num));
        if (mean->node) smp_retain(mean->node);
        if (sd->node) smp_retain(sd->node);
        return true;
    }
    if (!has_arg(a, hi_i)) return call_error(a, "missing argument 'hi' (the upper bound)");
    if (!has_arg(a, lo_i)) return call_error(a, "missing argument 'lo' (the lower bound)");
    Operand lo, hi;
    double z;
    if (!need_operand(a, lo_i, &lo) || !need_operand(a, hi_i, &hi) || !dist_credibility_z(a, cred_i, &z)) return false;
    if (!dist_check_order(a, lo_i, hi_i, lo, hi)) return false;
    if (log_space) {
        if (!lo.node && !(lo.num > 0)) return arg_error(a, lo_i, "lower bound must be > 0, got %s", num_text(&(NumText){0}, lo.num));
        lo = opnd_unary(SU_LOG, lo);
        hi = opnd_unary(SU_LOG, hi);
    } else {
        if (lo.node) smp_retain(lo.node);
        if (hi.node) smp_retain(hi.node);
    }
    Operand sum = opnd_arith(SB_ADD, lo, hi), width = opnd_arith(SB_SUB, hi, lo);
    *mean = opnd_arith(SB_MUL, sum, opnd_num(0.5));
    *sd = opnd_arith(SB_DIV, width, opnd_num(2 * z));
    opnd_release(sum);
    opnd_release(width);
    opnd_release(lo);
    opnd_release(hi);
    return true;
}

enum { N_LO, N_HI, N_MEAN, N_SD, N_CRED, N_LCLIP, N_RCLIP };
enum { L_LO, L_HI, L_MU, L_SIGMA, L_MEAN, L_SD, L_CRED, L_LCLIP, L_RCLIP };

/* lognorm(mean=m, sd=s), squigglepy's: the lognormal whose own mean and sd are m and s, so
 * sigma^2 = ln(1 + (s/m)^2) and mu = ln m - sigma^2 / 2. Numbers only: a per-draw m or s would
 * make a NaN mu on a draw where m <= 0 (give mu= and sigma= for per-draw parameters). */
static bool lognorm_from_moments(Args *a, Operand *mu, Operand *sigma) {
    static const int others[] = {L_LO, L_HI, L_MU, L_SIGMA};
    for (int k = 0; k < 4; k++)
        if (has_arg(a, others[k]))
            return arg_error(a, others[k], "give mean= and sd= (of the values), mu= and sigma= (of their log), or "
                                           "lo and hi: one pair, not two");
    if (!has_arg(a, L_MEAN) || !has_arg(a, L_SD))
        return call_error(a, "missing argument '%s' (lognorm(mean=, sd=))", has_arg(a, L_MEAN) ? "sd" : "mean");
    double m, s;
    for (int k = L_MEAN; k <= L_SD; k++)
        if (a->v[k]->kind == VAL_SAMPLES)
            return arg_error(a, k, "mean= and sd= must be numbers (for parameters that vary per draw, give mu= and "
                                   "sigma= of the log)");
    if (!need_num(a, L_MEAN, &m) || !need_num(a, L_SD, &s)) return false;
    char num[40];
    if (!(m > 0 && m < INFINITY)) return arg_error(a, L_MEAN, "mean must be > 0, got %s", dist_num(num, sizeof num, m));
    if (!(s >= 0 && s < INFINITY)) return arg_error(a, L_SD, "sd must be >= 0, got %s", dist_num(num, sizeof num, s));
    double r = s / m, v = log1p(r * r);
    *mu = opnd_num(log(m) - v / 2);
    *sigma = opnd_num(sqrt(v));
    return true;
}

/* s was built from the interval lo_i, hi_i (when both are given): it keeps them for the message
 * of a draw where they are the wrong way round (samples.h, smp_set_interval). */
static Samples *with_interval(Args *a, Samples *s, int lo_i, int hi_i) {
    Operand lo, hi;
    if (has_arg(a, lo_i) && has_arg(a, hi_i) && need_operand(a, lo_i, &lo) && need_operand(a, hi_i, &hi) &&
        (lo.node || hi.node))
        smp_set_interval(s, lo, hi);
    return s;
}

static bool fn_norm(Args *a, Value *out) {
    Operand mean, sd;
    if (!normal_params(a, N_LO, N_HI, N_MEAN, N_SD, N_CRED, "mean", "sd", false, &mean, &sd)) return false;
    Samples *s = with_interval(a, smp_normal(&a->I->smp, mean, sd, a->call->span), N_LO, N_HI);
    bool ok = dist_finish_family(a, s, DF_NORMAL, (Operand[]){mean, sd}, N_LCLIP, N_RCLIP, out);
    opnd_release(mean);
    opnd_release(sd);
    return ok;
}

static bool fn_lognorm(Args *a, Value *out) {
    Operand mu, sigma;
    if (has_arg(a, L_MEAN) || has_arg(a, L_SD) ? !lognorm_from_moments(a, &mu, &sigma)
                                               : !normal_params(a, L_LO, L_HI, L_MU, L_SIGMA, L_CRED, "mu", "sigma",
                                                                true, &mu, &sigma))
        return false;
    Samples *s = with_interval(a, smp_lognormal(&a->I->smp, mu, sigma, a->call->span), L_LO, L_HI);
    bool ok = dist_finish_family(a, s, DF_LOGNORMAL, (Operand[]){mu, sigma}, L_LCLIP, L_RCLIP, out);
    opnd_release(mu);
    opnd_release(sigma);
    return ok;
}

enum { T_LO, T_HI, T_CRED, T_LCLIP, T_RCLIP };

static bool fn_to(Args *a, Value *out) {
    Operand lo, hi;
    double z;
    if (!need_operand(a, T_LO, &lo) || !need_operand(a, T_HI, &hi) || !dist_credibility_z(a, T_CRED, &z)) return false;
    if (lo.node) return arg_error(a, T_LO, "the lower bound must be a number to choose between lognorm and norm; call one of them directly");
    if (!dist_check_order(a, T_LO, T_HI, lo, hi)) return false;
    bool log_space = lo.num > 0;
    if (log_space) {
        lo = opnd_unary(SU_LOG, lo);
        hi = opnd_unary(SU_LOG, hi);
    } else if (hi.node) {
        smp_retain(hi.node);
    }
    Operand sum = opnd_arith(SB_ADD, lo, hi), width = opnd_arith(SB_SUB, hi, lo);
    Operand mean = opnd_arith(SB_MUL, sum, opnd_num(0.5)), sd = opnd_arith(SB_DIV, width, opnd_num(2 * z));
    Samples *s = with_interval(a, log_space ? smp_lognormal(&a->I->smp, mean, sd, a->call->span)
                                            : smp_normal(&a->I->smp, mean, sd, a->call->span), T_LO, T_HI);
    bool ok = dist_finish_family(a, s, log_space ? DF_LOGNORMAL : DF_NORMAL, (Operand[]){mean, sd}, T_LCLIP,
                                 T_RCLIP, out);
    opnd_release(sum);
    opnd_release(width);
    opnd_release(mean);
    opnd_release(sd);
    opnd_release(lo);
    opnd_release(hi);
    return ok;
}

enum { C_X, C_LCLIP, C_RCLIP };

/* x on every draw, infinities included (uniform(x, x) was x + 0 * u: NaN for inf). NaN is an
 * error here, where it is written, not a run of NaN draws (docs/language.md). */
static bool fn_const(Args *a, Value *out) {
    double x;
    if (!need_num(a, C_X, &x)) return false;
    if (isnan(x)) return arg_error(a, C_X, "x is NaN (not a number): a constant must be a number");
    Samples *s = smp_table(&a->I->smp, 1, &x, NULL, a->call->span);
    if (!has_arg(a, C_LCLIP) && !has_arg(a, C_RCLIP)) desc_register_const(s, x);
    return dist_finish(a, s, C_LCLIP, C_RCLIP, out);
}

const BuiltinDef builtins_distributions[] = {
    BUILTIN("norm", "lo=, hi=, mean=, sd=, credibility=, lclip=, rclip=", "distributions",
     "normal from a 90% interval [lo, hi] (or mean=, sd=; mean 0 when only sd= is given)", fn_norm),
    BUILTIN("lognorm", "lo=, hi=, mu=, sigma=, mean=, sd=, credibility=, lclip=, rclip=", "distributions",
     "lognormal from a 90% interval [lo, hi] with lo > 0, or mu=, sigma= of its log (mu 0 when only sigma= is "
     "given), or mean=, sd= of its values", fn_lognorm),
    BUILTIN("to", "lo, hi, credibility=, lclip=, rclip=", "distributions",
     "lognorm(lo, hi) when lo > 0, else norm(lo, hi): a 90% interval unless credibility= (a percentage) "
     "says otherwise; `lo to hi` is the same call, e.g. to(1, 10, credibility=80)", fn_to),
    BUILTIN("uniform", "lo, hi, lclip=, rclip=", "distributions", "uniform between lo and hi",
     family_constructor),
    BUILTIN("const", "x, lclip=, rclip=", "distributions", "x on every draw", fn_const),
    {.name = NULL},
};
