/* dist_common.c — credible intervals, bound checks and clipping for the constructors. */
#include "dist_common.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

#include "numfmt.h"

bool dist_credibility(Args *a, int i, double *cred) {
    if (!opt_num(a, i, 90, cred)) return false;
    if (*cred >= 1 && *cred <= 99.99) return true;
    StrBuf got, pct;
    sb_init(&got);
    sb_init(&pct);
    num_shortest(&got, *cred);
    if (*cred * 100 >= 1 && *cred * 100 <= 99.99) { /* 0.8, or 80% (which is 0.8): meant as 80 */
        sb_printf(&pct, "%.12g", *cred * 100); /* 0.07 * 100 is 7.000000000000001 */
        arg_error(a, i, "credibility is a percentage from 1 to 99.99, got %s: write credibility=%s (not %s%% or %s)",
                  got.data, pct.data, pct.data, got.data);
    } else {
        arg_error(a, i, "credibility is a percentage from 1 to 99.99 (credibility=80 for an 80%% interval), got %s",
                  got.data);
    }
    sb_free(&got);
    sb_free(&pct);
    return false;
}

bool dist_credibility_z(Args *a, int i, double *z) {
    double cred;
    if (!dist_credibility(a, i, &cred)) return false;
    *z = gsl_cdf_ugaussian_Pinv(0.5 + cred / 200.0);
    return true;
}

Operand opnd_arith(SmpBinary op, Operand x, Operand y) {
    if (!x.node && !y.node) return opnd_num(ar_binary(op, x.num, y.num));
    return opnd_smp(smp_binary(op, x, y));
}

Operand opnd_unary(SmpUnary op, Operand x) {
    if (x.node) return opnd_smp(smp_unary(op, x.node));
    return opnd_num(ar_unary(op, x.num));
}

void opnd_release(Operand x) {
    if (x.node) smp_release(x.node);
}

bool dist_check_order(Args *a, int lo_i, int hi_i, Operand lo, Operand hi) {
    (void)hi_i;
    if (lo.node || hi.node) return true;
    if (isnan(lo.num) || isnan(hi.num)) return arg_error(a, isnan(lo.num) ? lo_i : hi_i, "bounds must not be NaN");
    if (lo.num > hi.num)
        return arg_error(a, lo_i, "lower bound %s is above upper bound %s", num_text(&(NumText){0}, lo.num),
                         num_text(&(NumText){0}, hi.num));
    return true;
}

bool dist_finish(Args *a, Samples *s, int lclip_i, int rclip_i, Value *out) {
    Operand lo = opnd_num(-INFINITY), hi = opnd_num(INFINITY);
    bool clip = false;
    if (lclip_i >= 0 && has_arg(a, lclip_i)) {
        if (!need_operand(a, lclip_i, &lo)) goto fail;
        clip = true;
    }
    if (rclip_i >= 0 && has_arg(a, rclip_i)) {
        if (!need_operand(a, rclip_i, &hi)) goto fail;
        clip = true;
    }
    if (clip && !lo.node && !hi.node && lo.num > hi.num) {
        arg_error(a, lclip_i, "lclip %s is above rclip %s", num_text(&(NumText){0}, lo.num), num_text(&(NumText){0}, hi.num));
        goto fail;
    }
    if (clip) {
        Samples *c = smp_clamp(opnd_smp(s), lo, hi);
        smp_release(s);
        s = c;
    }
    *out = result_samples(a, s);
    return true;
fail:
    smp_release(s);
    return false;
}
