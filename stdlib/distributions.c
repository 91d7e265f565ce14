/* distributions.c — distribution constructors (SPEC §4). Each call takes a fresh
 * random stream, so two calls give independent samples. */
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "dist_common.h"
#include "dist_family.h"
#include "registry.h"

/* The normal's (mean, sd) from lo/hi (a credible interval) or mean=/sd=. */
static bool normal_params(Args *a, int lo_i, int hi_i, int mean_i, int sd_i, int cred_i, const char *mean_name,
                          const char *sd_name, bool log_space, Operand *mean, Operand *sd) {
    bool ci = has_arg(a, lo_i) || has_arg(a, hi_i);
    bool direct = has_arg(a, mean_i) || has_arg(a, sd_i);
    if (ci && direct)
        return call_error(a, "give either lo and hi (a credible interval) or %s= and %s=, not both", mean_name, sd_name);
    if (!ci && !direct) return call_error(a, "missing arguments: give lo and hi, or %s= and %s=", mean_name, sd_name);
    if (direct) {
        if (!has_arg(a, mean_i) || !has_arg(a, sd_i))
            return call_error(a, "missing argument '%s'", has_arg(a, mean_i) ? sd_name : mean_name);
        if (!need_operand(a, mean_i, mean) || !need_operand(a, sd_i, sd)) return false;
        if (!sd->node && !(sd->num >= 0)) return arg_error(a, sd_i, "%s must be >= 0, got %g", sd_name, sd->num);
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
        if (!lo.node && !(lo.num > 0)) return arg_error(a, lo_i, "lower bound must be > 0, got %g", lo.num);
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

static bool fn_norm(Args *a, Value *out) {
    Operand mean, sd;
    if (!normal_params(a, N_LO, N_HI, N_MEAN, N_SD, N_CRED, "mean", "sd", false, &mean, &sd)) return false;
    Samples *s = smp_normal(&a->I->smp, mean, sd, a->call->span);
    bool ok = dist_finish_family(a, s, DF_NORMAL, (Operand[]){mean, sd}, N_LCLIP, N_RCLIP, out);
    opnd_release(mean);
    opnd_release(sd);
    return ok;
}

static bool fn_lognorm(Args *a, Value *out) {
    Operand mu, sigma;
    if (!normal_params(a, N_LO, N_HI, N_MEAN, N_SD, N_CRED, "mu", "sigma", true, &mu, &sigma)) return false;
    Samples *s = smp_lognormal(&a->I->smp, mu, sigma, a->call->span);
    bool ok = dist_finish_family(a, s, DF_LOGNORMAL, (Operand[]){mu, sigma}, N_LCLIP, N_RCLIP, out);
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
    Samples *s = log_space ? smp_lognormal(&a->I->smp, mean, sd, a->call->span)
                           : smp_normal(&a->I->smp, mean, sd, a->call->span);
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

enum { U_LO, U_HI, U_LCLIP, U_RCLIP };

static bool fn_uniform(Args *a, Value *out) {
    Operand lo, hi;
    if (!need_operand(a, U_LO, &lo) || !need_operand(a, U_HI, &hi)) return false;
    if (!dist_check_order(a, U_LO, U_HI, lo, hi)) return false;
    return dist_finish_family(a, smp_uniform(&a->I->smp, lo, hi, a->call->span), DF_UNIFORM, (Operand[]){lo, hi},
                              U_LCLIP, U_RCLIP, out);
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

Builtin builtins_distributions[] = {
    BUILTIN("norm", "lo=, hi=, mean=, sd=, credibility=, lclip=, rclip=", "distributions",
     "normal from a 90% interval [lo, hi] (or mean=, sd=)", fn_norm),
    BUILTIN("lognorm", "lo=, hi=, mu=, sigma=, credibility=, lclip=, rclip=", "distributions",
     "lognormal from a 90% interval [lo, hi] with lo > 0 (or mu=, sigma= of its log)", fn_lognorm),
    BUILTIN("to", "lo, hi, credibility=, lclip=, rclip=", "distributions",
     "lognorm(lo, hi) when lo > 0, else norm(lo, hi): a 90% interval unless credibility= (a percentage) "
     "says otherwise; `lo to hi` is the same call, e.g. to(1, 10, credibility=80)", fn_to),
    BUILTIN("uniform", "lo, hi, lclip=, rclip=", "distributions", "uniform between lo and hi", fn_uniform),
    BUILTIN("const", "x, lclip=, rclip=", "distributions", "x on every draw", fn_const),
    {.name = NULL},
};
