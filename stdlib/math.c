/* math.c — element-wise math: on numbers and per draw on samples by the one arithmetic (arith.h). */
#include <math.h>

#include "dist_common.h"
#include "ops.h"
#include "given.h"
#include "registry.h"
#include "numfmt.h"

/* One-argument element-wise function; numbers outside the domain are an error. */
static bool unary(Args *a, Value *out, SmpUnary op) {
    Operand x;
    if (!need_operand(a, 0, &x)) return false;
    if (x.node) {
        *out = val_samples(smp_unary(op, x.node));
        return true;
    }
    bool is_log = op == SU_LOG || op == SU_LOG10 || op == SU_LOG2;
    if (is_log && !(x.num > 0)) return arg_error(a, 0, "the argument must be > 0, got %s", num_text(&(NumText){0}, x.num));
    if (op == SU_SQRT && x.num < 0) return arg_error(a, 0, "the argument must be >= 0, got %s", num_text(&(NumText){0}, x.num));
    if ((op == SU_ASIN || op == SU_ACOS) && !(x.num >= -1 && x.num <= 1))
        return arg_error(a, 0, "the argument must be between -1 and 1, got %s", num_text(&(NumText){0}, x.num));
    if (op == SU_LOG1P && !(x.num > -1))
        return arg_error(a, 0, "the argument must be > -1, got %s", num_text(&(NumText){0}, x.num));
    *out = val_num(ar_unary(op, x.num));
    return true;
}

#define UNARY_FN(cname, op) \
    static bool cname(Args *a, Value *out) { return unary(a, out, op); }
UNARY_FN(fn_exp, SU_EXP)
UNARY_FN(fn_log10, SU_LOG10)
UNARY_FN(fn_log2, SU_LOG2)
UNARY_FN(fn_sqrt, SU_SQRT)
UNARY_FN(fn_abs, SU_ABS)
UNARY_FN(fn_floor, SU_FLOOR)
UNARY_FN(fn_ceil, SU_CEIL)
UNARY_FN(fn_int, SU_TRUNC)
UNARY_FN(fn_sin, SU_SIN)
UNARY_FN(fn_cos, SU_COS)
UNARY_FN(fn_tan, SU_TAN)
UNARY_FN(fn_asin, SU_ASIN)
UNARY_FN(fn_acos, SU_ACOS)
UNARY_FN(fn_atan, SU_ATAN)
UNARY_FN(fn_sinh, SU_SINH)
UNARY_FN(fn_cosh, SU_COSH)
UNARY_FN(fn_tanh, SU_TANH)
UNARY_FN(fn_expm1, SU_EXPM1)
UNARY_FN(fn_log1p, SU_LOG1P)

static bool binary(Args *a, Value *out, SmpBinary op, int i, int j) {
    Operand x, y;
    if (!need_operand(a, i, &x) || !need_operand(a, j, &y)) return false;
    if (x.node || y.node) {
        *out = val_samples(smp_binary(op, x, y));
        return true;
    }
    if (op == SB_MOD && y.num == 0) return arg_error(a, j, "modulo by zero");
    *out = val_num(ar_binary(op, x.num, y.num));
    return true;
}

static bool fn_pow(Args *a, Value *out) { return binary(a, out, SB_POW, 0, 1); }
static bool fn_atan2(Args *a, Value *out) { return binary(a, out, SB_ATAN2, 0, 1); }

/* log(x) and log(x, base) = log(x) / log(base): both logs and the division by the one arithmetic,
 * so a number and a draw give the same bits. */
static bool fn_log(Args *a, Value *out) {
    if (!has_arg(a, 1)) return unary(a, out, SU_LOG);
    Operand x, b;
    if (!need_operand(a, 0, &x) || !need_operand(a, 1, &b)) return false;
    if (!x.node && !b.node) { /* numbers are checked; draws out of the domain are NaN (as log's) */
        if (!(b.num > 0 && b.num != 1))
            return arg_error(a, 1, "the base must be > 0 and not 1, got %s", num_text(&(NumText){0}, b.num));
        if (!(x.num > 0)) return arg_error(a, 0, "the argument must be > 0, got %s", num_text(&(NumText){0}, x.num));
        *out = val_num(ar_div(ar_log(x.num), ar_log(b.num)));
        return true;
    }
    Operand lx = x.node ? opnd_smp(smp_unary(SU_LOG, x.node)) : opnd_num(ar_log(x.num));
    Operand lb = b.node ? opnd_smp(smp_unary(SU_LOG, b.node)) : opnd_num(ar_log(b.num));
    *out = val_samples(smp_binary(SB_DIV, lx, lb));
    opnd_release(lx);
    opnd_release(lb);
    return true;
}

/* The constants pi and e: a name reads the number (eval.c asks math_constant before the builtins). */
static bool fn_pi(Args *a, Value *out) { (void)a; *out = val_num(M_PI); return true; }
static bool fn_e(Args *a, Value *out) { (void)a; *out = val_num(M_E); return true; }
static bool fn_mod(Args *a, Value *out) { return binary(a, out, SB_MOD, 0, 1); }

static bool fn_round(Args *a, Value *out) {
    if (!has_arg(a, 1)) return unary(a, out, SU_ROUND);
    long digits;
    if (!need_int(a, 1, &digits)) return false;
    if (digits < -300 || digits > 300) return arg_error(a, 1, "digits must be between -300 and 300, got %ld", digits);
    return binary(a, out, SB_ROUND_DIGITS, 0, 1);
}

static bool fn_clip(Args *a, Value *out) {
    Operand x, lo, hi;
    if (!need_operand(a, 0, &x) || !need_operand(a, 1, &lo) || !need_operand(a, 2, &hi)) return false;
    if (!lo.node && !hi.node && lo.num > hi.num) return arg_error(a, 1, "lo %s is above hi %s", num_text(&(NumText){0}, lo.num), num_text(&(NumText){0}, hi.num));
    if (x.node || lo.node || hi.node) {
        *out = val_samples(smp_clamp(x, lo, hi));
        return true;
    }
    *out = val_num(ar_clip(x.num, lo.num, hi.num));
    return true;
}

/* The extreme of a list: numbers give a number; any samples element makes it per draw. */
static bool list_extreme(Args *a, const SqList *l, SmpBinary op, Value *out) {
    if (l->len == 0) return arg_error(a, 0, "the list is empty");
    Operand acc;
    if (!op_operand(&l->items[0], &acc)) return arg_error(a, 0, "the list holds %s; min and max need numbers or samples", value_kind_name(&l->items[0]));
    if (acc.node) smp_retain(acc.node);
    for (int i = 1; i < l->len; i++) {
        Operand x;
        if (!op_operand(&l->items[i], &x)) {
            opnd_release(acc);
            return arg_error(a, 0, "the list holds %s; min and max need numbers or samples", value_kind_name(&l->items[i]));
        }
        Operand next = (acc.node || x.node) ? opnd_smp(smp_binary(op, acc, x)) : opnd_num(ar_binary(op, acc.num, x.num));
        opnd_release(acc);
        acc = next;
    }
    *out = acc.node ? val_samples(acc.node) : val_num(acc.num);
    return true;
}

/* min(x, given=c), max(x, given=c): the extreme of x's draws where c holds (given.h). */
static bool extreme_given(Args *a, Value *out, SmpBinary op) {
    const Value *x = a->v[0];
    if (has_arg(a, 1)) return arg_error(a, 2, "given= goes with the one-argument form: %s(x, given=c)", a->fn->name);
    if (x->kind != VAL_SAMPLES && x->kind != VAL_NUM && x->kind != VAL_BOOL)
        return x->kind == VAL_LIST ? arg_error(a, 2, "given= selects draws of samples, and a is a list (data): select "
                                                     "its items with filter(xs, f)")
                                   : arg_type_error(a, 0, "a number or samples");
    Given g;
    if (!given_read(a, 2, &g)) return false;
    double r = x->kind == VAL_NUM ? x->as.num : x->kind == VAL_BOOL ? x->as.boolean : 0;
    if (x->kind == VAL_SAMPLES && g.kind == GIVEN_NONE) {
        bool ok = op == SB_MIN ? smp_min(&a->I->smp, x->as.smp, &r) : smp_max(&a->I->smp, x->as.smp, &r);
        if (!ok) return given_free(&g), rt_error_from_samples(a->I), false;
    } else if (x->kind == VAL_SAMPLES && g.kind == GIVEN_STREAM) { /* selected pass by pass (given.h) */
        if (!given_fold(a, x->as.smp, &g, op == SB_MIN ? FOLD_MIN : FOLD_MAX, 0, 0, &r)) return given_free(&g), false;
    } else if (x->kind == VAL_SAMPLES) {
        double *d = given_draws(a, x->as.smp, &g);
        if (!d) return given_free(&g), false;
        r = d[0];
        for (size_t i = 0; i < g.m && !isnan(r); i++) /* a NaN draw makes it NaN, as without given= */
            r = isnan(d[i]) ? d[i] : op == SB_MIN ? fmin(r, d[i]) : fmax(r, d[i]);
        free(d);
    }
    given_free(&g);
    *out = val_num(r);
    return true;
}

static bool extreme(Args *a, Value *out, SmpBinary op) {
    if (has_arg(a, 2)) return extreme_given(a, out, op);
    if (has_arg(a, 1)) return binary(a, out, op, 0, 1);
    const Value *x = a->v[0];
    if (x->kind == VAL_LIST) return list_extreme(a, x->as.list, op, out);
    if (x->kind == VAL_SAMPLES) {
        double r;
        bool ok = op == SB_MIN ? smp_min(&a->I->smp, x->as.smp, &r) : smp_max(&a->I->smp, x->as.smp, &r);
        if (!ok) return rt_error_from_samples(a->I), false;
        *out = val_num(r);
        return true;
    }
    if (x->kind != VAL_NUM && x->kind != VAL_BOOL) return arg_type_error(a, 0, "a number, samples or a list");
    *out = val_num(x->kind == VAL_NUM ? x->as.num : x->as.boolean);
    return true;
}

static bool fn_min(Args *a, Value *out) { return extreme(a, out, SB_MIN); }
static bool fn_max(Args *a, Value *out) { return extreme(a, out, SB_MAX); }

const BuiltinDef builtins_math[] = {
    BUILTIN("exp", "x", "math", "e to the power x", fn_exp),
    BUILTIN("log", "x, base=", "math", "natural logarithm; log(x, base) is log(x) / log(base)", fn_log),
    BUILTIN("log10", "x", "math", "base-10 logarithm", fn_log10),
    BUILTIN("log2", "x", "math", "base-2 logarithm", fn_log2),
    BUILTIN("sqrt", "x", "math", "square root", fn_sqrt),
    BUILTIN("abs", "x", "math", "absolute value", fn_abs),
    BUILTIN("floor", "x", "math", "largest whole number <= x", fn_floor),
    BUILTIN("ceil", "x", "math", "smallest whole number >= x", fn_ceil),
    BUILTIN("round", "x, digits=", "math", "round to `digits` decimals (default 0), halves to even", fn_round),
    BUILTIN("int", "x", "math", "x without its fraction (toward zero)", fn_int),
    BUILTIN("min", "a, b=, given=", "math", "with two arguments the smaller, per draw; with one the smallest draw or list element", fn_min),
    BUILTIN("max", "a, b=, given=", "math", "with two arguments the larger, per draw; with one the largest draw or list element", fn_max),
    BUILTIN("clip", "x, lo, hi", "math", "x limited to [lo, hi]", fn_clip),
    BUILTIN("pow", "a, b", "math", "a to the power b", fn_pow),
    BUILTIN("mod", "a, b", "math", "remainder of a / b with the sign of b (as Python's %)", fn_mod),
    BUILTIN("sin", "x", "math", "sine (radians)", fn_sin),
    BUILTIN("cos", "x", "math", "cosine (radians)", fn_cos),
    /* issue 19 */
    BUILTIN("tan", "x", "math", "tangent (radians)", fn_tan),
    BUILTIN("asin", "x", "math", "arcsine, in radians; x in [-1, 1]", fn_asin),
    BUILTIN("acos", "x", "math", "arccosine, in radians; x in [-1, 1]", fn_acos),
    BUILTIN("atan", "x", "math", "arctangent, in radians", fn_atan),
    BUILTIN("atan2", "y, x", "math", "the angle of the point (x, y), in radians (-pi..pi)", fn_atan2),
    BUILTIN("sinh", "x", "math", "hyperbolic sine", fn_sinh),
    BUILTIN("cosh", "x", "math", "hyperbolic cosine", fn_cosh),
    BUILTIN("tanh", "x", "math", "hyperbolic tangent", fn_tanh),
    BUILTIN("expm1", "x", "math", "exp(x) - 1, exact for small x", fn_expm1),
    BUILTIN("log1p", "x", "math", "log(1 + x), exact for small x; x > -1", fn_log1p),
    BUILTIN("pi", "", "constants", "the number pi, 3.141592653589793 (write pi, not pi())", fn_pi),
    BUILTIN("e", "", "constants", "the number e, 2.718281828459045 (write e, not e())", fn_e),
    {.name = NULL},
};
