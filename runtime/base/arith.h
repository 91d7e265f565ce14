/* arith.h — the arithmetic of sq: one function per operator and element-wise function.
 *
 * Every place that computes an operator or an element-wise function on doubles calls these: the
 * operators on numbers (ops.c), the math builtins on numbers (stdlib/math.c), the arithmetic on
 * distribution parameters (stdlib/dist_common.c) and the vector kernels that compute samples draw by
 * draw (samples_eval.c). So a number and a draw holding the same value give the same bits, whichever
 * path computes them (docs/language.md, "Arithmetic"); tests/unit/test_arith.c checks it through the
 * interpreter on a grid of awkward operands.
 *
 * Only plain IEEE operations and libm calls: a kernel loop of these vectorizes (or calls the same
 * libm function per element), and every width gives the same bits as the scalar code. The build
 * keeps the compiler from contracting a*b + c into an FMA anywhere in the library
 * (-ffp-contract=off, CMakeLists.txt): a contraction in one path and not the other would change
 * the last bit. Errors (division by zero on numbers, the log of a negative number) are the
 * callers' business: these functions return IEEE's answer (inf, NaN). */
#ifndef SQC_ARITH_H
#define SQC_ARITH_H

#include <math.h>
#include <stdbool.h>

/* The element-wise operations on samples, and the index of their function below. */
typedef enum SmpUnary {
    SU_NEG, SU_NOT, SU_EXP, SU_LOG, SU_LOG10, SU_LOG2, SU_SQRT, SU_ABS, SU_FLOOR, SU_CEIL,
    SU_ROUND, /* half to even */
    SU_TRUNC, SU_SIN, SU_COS,
    SU_TAN, SU_ASIN, SU_ACOS, SU_ATAN, SU_SINH, SU_COSH, SU_TANH, SU_EXPM1, SU_LOG1P
} SmpUnary;

typedef enum SmpBinary {
    SB_ADD, SB_SUB, SB_MUL, SB_DIV, SB_IDIV /* Python's float // */, SB_POW, SB_MOD /* Python's float % */,
    SB_MIN, SB_MAX, SB_EQ, SB_NE, SB_LT, SB_LE, SB_GT, SB_GE, SB_AND, SB_OR,
    SB_ROUND_DIGITS /* round(a, b digits), half to even */,
    SB_ATAN2 /* atan2(y, x) */
} SmpBinary;

/* ---- + - * / and the comparisons: IEEE; comparisons and logic give 1 or 0 (NaN is true) ---- */

static inline double ar_add(double x, double y) { return x + y; }
static inline double ar_sub(double x, double y) { return x - y; }
static inline double ar_mul(double x, double y) { return x * y; }
static inline double ar_div(double x, double y) { return x / y; }
static inline double ar_eq(double x, double y) { return x == y ? 1.0 : 0.0; }
static inline double ar_ne(double x, double y) { return x != y ? 1.0 : 0.0; }
static inline double ar_lt(double x, double y) { return x < y ? 1.0 : 0.0; }
static inline double ar_le(double x, double y) { return x <= y ? 1.0 : 0.0; }
static inline double ar_gt(double x, double y) { return x > y ? 1.0 : 0.0; }
static inline double ar_ge(double x, double y) { return x >= y ? 1.0 : 0.0; }
static inline double ar_and(double x, double y) { return x != 0 && y != 0 ? 1.0 : 0.0; }
static inline double ar_or(double x, double y) { return x != 0 || y != 0 ? 1.0 : 0.0; }
static inline double ar_neg(double x) { return -x; }
static inline double ar_not(double x) { return x == 0 ? 1.0 : 0.0; }

/* ---- // and mod: CPython's float_floor_div and float_rem (Objects/floatobject.c) ---- */

/* Python's x % y: fmod (exact), moved into y's sign; a zero remainder takes y's sign.
 * mod(1, 0.1) is 0.09999999999999995, mod(-1, 3) is 2. y == 0 gives NaN (numbers: an error). */
static inline double ar_mod(double x, double y) {
    double mod = fmod(x, y);
    if (mod != 0) { /* NaN too, as in CPython's `if (mod)` */
        if ((y < 0) != (mod < 0)) mod += y;
    } else {
        mod = copysign(0.0, y);
    }
    return mod;
}

/* Python's x // y: (x - fmod(x, y)) / y is within rounding of a whole number; one less when the
 * remainder's sign was moved; then snapped to the nearest whole number. 1 // 0.1 is 9 (not
 * floor(1 / 0.1) = 10). A zero quotient has the sign of x / y. y == 0 gives x / y, as numpy
 * (numbers: an error). */
static inline double ar_idiv(double x, double y) {
    if (y == 0) return x / y;
    double mod = fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0) {
        if ((y < 0) != (mod < 0)) div -= 1.0;
    }
    if (div != 0) { /* NaN too */
        double fl = floor(div);
        if (div - fl > 0.5) fl += 1.0;
        return fl;
    }
    return copysign(0.0, x / y);
}

/* ---- ^, ** and pow ---- */

/* Veltkamp/Dekker exact product: a*b == *hi + *lo exactly (|a|, |b| well inside the range). */
static inline void ar_two_prod(double a, double b, double *hi, double *lo) {
#ifdef FP_FAST_FMA /* built with FMA (-march=...): the same exact error term */
    *hi = a * b;
    *lo = fma(a, b, -*hi);
    return;
#endif
    const double split = 134217729.0; /* 2^27 + 1 */
    double p = a * b;
    double ca = split * a, ah = ca - (ca - a), al = a - ah;
    double cb = split * b, bh = cb - (cb - b), bl = b - bh;
    *hi = p;
    *lo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/* Where x^3 and x^4 are computed in double-double: no product overflows or loses bits. */
static inline bool ar_pow34_in_range(double x) {
    double ax = fabs(x);
    return ax > 0x1p-100 && ax < 0x1p100;
}

/* x^k for k = 3 or 4 (x in range) by double-double multiplication: the exact power to ~2^-100
 * relative, rounded once. Pure arithmetic, so a loop of it vectorizes; samples_eval.c has an FMA
 * form of it that gives the same bits (its error terms are the same exact numbers). */
static inline double ar_pow34(double x, int k) {
    double h, l, p, pe;
    ar_two_prod(x, x, &h, &l);
    if (k == 3) {
        ar_two_prod(h, x, &p, &pe);
        return p + (pe + l * x);
    }
    ar_two_prod(h, h, &p, &pe);
    return p + (pe + 2.0 * h * l);
}

/* x ^ y (and ** and pow()). The exponents 0, 1 and 2 have exact forms (1, x, x*x: correctly
 * rounded by IEEE), 3 and 4 the double-double power (correctly rounded but within ~2^-47 ulp of a
 * rounding boundary: every one of 300,000 random values checked against exact rationals); libm's
 * pow() is off by an ulp on about 1 value in 1,200 at these exponents. The kernels have vector
 * loops of these forms for a number exponent, so numbers must take them too. Other exponents,
 * and x^3, x^4 outside the double-double range, are pow(). docs/language.md, "Arithmetic". */
static inline double ar_pow(double x, double y) {
    if (y == 2) return x * x;
    if (y == 0) return 1.0;
    if (y == 1) return x;
    if ((y == 3 || y == 4) && ar_pow34_in_range(x)) return ar_pow34(x, (int)y);
    return pow(x, y);
}

/* ---- min, max, clip, round ---- */

/* NaN if either is NaN (numpy's minimum/maximum); of two equal values (-0 and 0) the first, as
 * Python's min and max. */
static inline double ar_min(double x, double y) { return y < x || y != y ? y : x; }
static inline double ar_max(double x, double y) { return y > x || y != y ? y : x; }

/* x limited to [lo, hi]; a NaN x stays NaN, a NaN bound limits nothing. */
static inline double ar_clip(double x, double lo, double hi) {
    double v = x < lo ? lo : x;
    return v > hi ? hi : v;
}

/* numpy's around(): scale by 10^|d|, round half to even, scale back. */
static inline double ar_round_digits(double x, double d) {
    if (d >= 0) {
        double f = pow(10.0, d);
        return nearbyint(x * f) / f;
    }
    double f = pow(10.0, -d);
    return nearbyint(x / f) * f;
}

/* ---- one-argument functions: libm's (the same functions on both paths) ---- */

static inline double ar_exp(double x) { return exp(x); }
static inline double ar_log(double x) { return log(x); }
static inline double ar_log10(double x) { return log10(x); }
static inline double ar_log2(double x) { return log2(x); }
static inline double ar_sqrt(double x) { return sqrt(x); }
static inline double ar_abs(double x) { return fabs(x); }
static inline double ar_floor(double x) { return floor(x); }
static inline double ar_ceil(double x) { return ceil(x); }
static inline double ar_round(double x) { return nearbyint(x); } /* half to even (default rounding mode) */
static inline double ar_trunc(double x) { return trunc(x); }
static inline double ar_sin(double x) { return sin(x); }
static inline double ar_cos(double x) { return cos(x); }
static inline double ar_tan(double x) { return tan(x); }
static inline double ar_asin(double x) { return asin(x); }
static inline double ar_acos(double x) { return acos(x); }
static inline double ar_atan(double x) { return atan(x); }
static inline double ar_sinh(double x) { return sinh(x); }
static inline double ar_cosh(double x) { return cosh(x); }
static inline double ar_tanh(double x) { return tanh(x); }
static inline double ar_expm1(double x) { return expm1(x); }
static inline double ar_log1p(double x) { return log1p(x); }
static inline double ar_atan2(double y, double x) { return atan2(y, x); }

/* ---- by operation (Lua's luaO_rawarith): for numbers; the kernels call the functions above ---- */

static inline double ar_unary(SmpUnary op, double x) {
    switch (op) {
    case SU_NEG: return ar_neg(x);
    case SU_NOT: return ar_not(x);
    case SU_EXP: return ar_exp(x);
    case SU_LOG: return ar_log(x);
    case SU_LOG10: return ar_log10(x);
    case SU_LOG2: return ar_log2(x);
    case SU_SQRT: return ar_sqrt(x);
    case SU_ABS: return ar_abs(x);
    case SU_FLOOR: return ar_floor(x);
    case SU_CEIL: return ar_ceil(x);
    case SU_ROUND: return ar_round(x);
    case SU_TRUNC: return ar_trunc(x);
    case SU_SIN: return ar_sin(x);
    case SU_COS: return ar_cos(x);
    case SU_TAN: return ar_tan(x);
    case SU_ASIN: return ar_asin(x);
    case SU_ACOS: return ar_acos(x);
    case SU_ATAN: return ar_atan(x);
    case SU_SINH: return ar_sinh(x);
    case SU_COSH: return ar_cosh(x);
    case SU_TANH: return ar_tanh(x);
    case SU_EXPM1: return ar_expm1(x);
    case SU_LOG1P: return ar_log1p(x);
    }
    return NAN;
}

static inline double ar_binary(SmpBinary op, double x, double y) {
    switch (op) {
    case SB_ADD: return ar_add(x, y);
    case SB_SUB: return ar_sub(x, y);
    case SB_MUL: return ar_mul(x, y);
    case SB_DIV: return ar_div(x, y);
    case SB_IDIV: return ar_idiv(x, y);
    case SB_POW: return ar_pow(x, y);
    case SB_MOD: return ar_mod(x, y);
    case SB_MIN: return ar_min(x, y);
    case SB_MAX: return ar_max(x, y);
    case SB_EQ: return ar_eq(x, y);
    case SB_NE: return ar_ne(x, y);
    case SB_LT: return ar_lt(x, y);
    case SB_LE: return ar_le(x, y);
    case SB_GT: return ar_gt(x, y);
    case SB_GE: return ar_ge(x, y);
    case SB_AND: return ar_and(x, y);
    case SB_OR: return ar_or(x, y);
    case SB_ROUND_DIGITS: return ar_round_digits(x, y);
    case SB_ATAN2: return ar_atan2(x, y);
    }
    return NAN;
}

#endif
