/* math.c — element-wise math: on numbers and per draw on samples by the one arithmetic (arith.h). */
#include <math.h>

#include "dist_common.h"
#include "ops.h"
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
    *out = val_num(ar_unary(op, x.num));
    return true;
}

#define UNARY_FN(cname, op) \
    static bool cname(Args *a, Value *out) { return unary(a, out, op); }
UNARY_FN(fn_exp, SU_EXP)
UNARY_FN(fn_log, SU_LOG)
UNARY_FN(fn_log10, SU_LOG10)
UNARY_FN(fn_log2, SU_LOG2)
UNARY_FN(fn_sqrt, SU_SQRT)
UNARY_FN(fn_abs, SU_ABS)
UNARY_FN(fn_floor, SU_FLOOR)
UNARY_FN(fn_ceil, SU_CEIL)
UNARY_FN(fn_int, SU_TRUNC)
UNARY_FN(fn_sin, SU_SIN)
UNARY_FN(fn_cos, SU_COS)

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

static bool extreme(Args *a, Value *out, SmpBinary op) {
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

Builtin builtins_math[] = {
    BUILTIN("exp", "x", "math", "e to the power x", fn_exp),
    BUILTIN("log", "x", "math", "natural logarithm", fn_log),
    BUILTIN("log10", "x", "math", "base-10 logarithm", fn_log10),
    BUILTIN("log2", "x", "math", "base-2 logarithm", fn_log2),
    BUILTIN("sqrt", "x", "math", "square root", fn_sqrt),
    BUILTIN("abs", "x", "math", "absolute value", fn_abs),
    BUILTIN("floor", "x", "math", "largest whole number <= x", fn_floor),
    BUILTIN("ceil", "x", "math", "smallest whole number >= x", fn_ceil),
    BUILTIN("round", "x, digits=", "math", "round to `digits` decimals (default 0), halves to even", fn_round),
    BUILTIN("int", "x", "math", "x without its fraction (toward zero)", fn_int),
    BUILTIN("min", "a, b=", "math", "with two arguments the smaller, per draw; with one the smallest draw or list element", fn_min),
    BUILTIN("max", "a, b=", "math", "with two arguments the larger, per draw; with one the largest draw or list element", fn_max),
    BUILTIN("clip", "x, lo, hi", "math", "x limited to [lo, hi]", fn_clip),
    BUILTIN("pow", "a, b", "math", "a to the power b", fn_pow),
    BUILTIN("mod", "a, b", "math", "remainder of a / b with the sign of b (as Python's %)", fn_mod),
    BUILTIN("sin", "x", "math", "sine (radians)", fn_sin),
    BUILTIN("cos", "x", "math", "cosine (radians)", fn_cos),
    {.name = NULL},
};
