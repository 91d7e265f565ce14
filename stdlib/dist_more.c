/* dist_more.c — more continuous families on GSL's samplers and CDFs (docs/language.md,
 * "Distributions"): cauchy, logistic, weibull, student_t. Parameters as numpy's (loc, scale,
 * shape); each may be samples, drawn and checked per draw. The families live in dist_family.c. */
#include <math.h>

#include "dist_common.h"
#include "dist_family.h"
#include "registry.h"

/* Parameter i as an operand, or dflt when absent. */
static bool operand_or(Args *a, int i, double dflt, Operand *out) {
    if (!has_arg(a, i)) return *out = opnd_num(dflt), true;
    return need_operand(a, i, out);
}

/* cauchy(loc=0, scale=1), logistic(loc=0, scale=1): loc + scale * the standard one. */
enum { LS_LOC, LS_SCALE, LS_LCLIP, LS_RCLIP };

static bool loc_scale(Args *a, DistFamily f, Value *out) {
    Operand p[2];
    if (!operand_or(a, LS_LOC, 0, &p[0]) || !operand_or(a, LS_SCALE, 1, &p[1])) return false;
    return family_build(a, f, p, (int[]){LS_LOC, LS_SCALE}, LS_LCLIP, LS_RCLIP, out);
}

static bool fn_cauchy(Args *a, Value *out) { return loc_scale(a, DF_CAUCHY, out); }
static bool fn_logistic(Args *a, Value *out) { return loc_scale(a, DF_LOGISTIC, out); }

/* weibull(shape, scale=1): numpy's weibull(shape) times scale. */
enum { W_SHAPE, W_SCALE, W_LCLIP, W_RCLIP };

static bool fn_weibull(Args *a, Value *out) {
    Operand p[2];
    if (!need_operand(a, W_SHAPE, &p[0]) || !operand_or(a, W_SCALE, 1, &p[1])) return false;
    return family_build(a, DF_WEIBULL, p, (int[]){W_SHAPE, W_SCALE}, W_LCLIP, W_RCLIP, out);
}

/* student_t(df, loc=0, scale=1): numpy's standard_t(df), moved and scaled (scipy's t). */
enum { ST_DF, ST_LOC, ST_SCALE, ST_LCLIP, ST_RCLIP };

static bool fn_student_t(Args *a, Value *out) {
    Operand p[3];
    if (!need_operand(a, ST_DF, &p[0]) || !operand_or(a, ST_LOC, 0, &p[1]) || !operand_or(a, ST_SCALE, 1, &p[2]))
        return false;
    return family_build(a, DF_STUDENT_T, p, (int[]){ST_DF, ST_LOC, ST_SCALE}, ST_LCLIP, ST_RCLIP, out);
}

const BuiltinDef builtins_dist_more[] = {
    BUILTIN("cauchy", "loc=, scale=, lclip=, rclip=", "distributions",
     "Cauchy centred at loc (default 0) with half-width scale (default 1); no mean", fn_cauchy),
    BUILTIN("logistic", "loc=, scale=, lclip=, rclip=", "distributions",
     "logistic with location loc (default 0) and scale (default 1), as numpy's", fn_logistic),
    BUILTIN("weibull", "shape, scale=, lclip=, rclip=", "distributions",
     "Weibull with shape k > 0 and scale (default 1): numpy's weibull(k) * scale", fn_weibull),
    BUILTIN("student_t", "df, loc=, scale=, lclip=, rclip=", "distributions",
     "Student t with df > 0 degrees of freedom, moved to loc and scaled by scale (scipy's t)", fn_student_t),
    {.name = NULL},
};
