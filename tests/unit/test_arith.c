/* test_arith.c — one arithmetic: every operator and element-wise function gives the same bits on
 * a number as on a draw (docs/language.md, "Arithmetic").
 *
 * Each operation is written once as an sq lambda and called through the interpreter, the same
 * lambda on numbers and on samples whose draws hold the same values, so both paths are the real
 * ones: ops.c and the math builtins on numbers, the vector kernels on samples. Operands are a grid
 * of awkward values (signed zeros, subnormals, 0.1-style fractions, halves, negatives, huge, inf,
 * NaN) plus random values for the powers. Every pair is checked in each form: samples op samples,
 * samples op number, number op samples. Results must be the same bits, except that any NaN equals
 * any NaN (payloads are not compared; NaN-ness is). Pairs where the number path reports an error
 * (division by zero, log of a negative number) have no number to compare and are counted apart.
 * Exit status 0 when every check passes, 1 otherwise. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "eval.h"
#include "samples.h"
#include "samples_internal.h" /* smp_cpu_features_off: both forms of x^3 and x^4 */

static int passed, failed;
static Interp I;
static const Span NOSPAN = {0};

static void check(const char *what, int ok) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s\n", what);
    }
}

/* Same bits, but every NaN is the same NaN. */
static int same(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

static Value run(const char *code) {
    Source *src = source_from_string("<test>", code, strlen(code));
    ParseError perr;
    Value last;
    if (interp_run(&I, src, &perr, &last) != EV_OK) {
        printf("FAIL cannot run `%s`\n", code);
        exit(1);
    }
    return last;
}

static double *values_copy(const double *v, size_t n) {
    double *d = malloc(n * sizeof *d);
    memcpy(d, v, n * sizeof *d);
    return d;
}

static Value samples_of_values(const double *v) { return val_samples(smp_from_array(values_copy(v, I.smp.n))); }

static Value samples_const(double c) {
    double *d = malloc(I.smp.n * sizeof *d);
    for (size_t i = 0; i < I.smp.n; i++) d[i] = c;
    return val_samples(smp_from_array(d));
}

/* Calls fn; false (and the error cleared) when the call reports an error. */
static bool call(const Value *fn, int nargs, const Value *args, Value *out) {
    if (interp_call(&I, fn, nargs, args, NOSPAN, out) == EV_OK) return true;
    I.err.set = false;
    return false;
}

static double as_number(const Value *v) {
    if (v->kind == VAL_BOOL) return v->as.boolean ? 1.0 : 0.0;
    if (v->kind != VAL_NUM) {
        printf("FAIL a number path gave %s\n", value_kind_name(v));
        exit(1);
    }
    return v->as.num;
}

/* The draws of a call on samples (copied), or NULL after reporting the failure. */
static double *draws_of(const char *what, const Value *fn, int nargs, const Value *args) {
    Value r;
    if (interp_call(&I, fn, nargs, args, NOSPAN, &r) != EV_OK) {
        printf("FAIL %s: the samples call failed: %s\n", what, I.err.message);
        I.err.set = false;
        failed++;
        return NULL;
    }
    if (r.kind != VAL_SAMPLES) { /* `0 and Y` is false whatever Y is: the same value for every draw */
        double v = as_number(&r), *c = malloc(I.smp.n * sizeof *c);
        for (size_t i = 0; i < I.smp.n; i++) c[i] = v;
        value_release(r);
        return c;
    }
    const double *d = smp_draws(&I.smp, r.as.smp);
    double *c = d ? values_copy(d, I.smp.n) : NULL;
    value_release(r);
    return c;
}

static double GRID[] = {
    0.0, -0.0, 0x1p-1074, -0x1p-1074, 0x1p-1030, -0x1.8p-1060, DBL_MIN, -DBL_MIN,
    0.1, -0.1, 0.2, 0.3, 0.1 * 3, 1.0 / 3, 0.7, 1e-5, -0.5, 0.5, 1.5, -2.5, 2.5,
    1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 4.0, 7.0, -7.0, 10.0, 123.456, -1234.5678,
    4503599627370497.0, 1e16, 1e22, 1e300, -1e300, DBL_MAX, -DBL_MAX, INFINITY, -INFINITY, NAN,
};
#define G (sizeof GRID / sizeof GRID[0])

/* Per operation: mismatches (printed up to a few) and pairs the number path refused. */
typedef struct Tally {
    const char *name;
    int bad, refused, shown;
} Tally;

static void mismatch(Tally *t, const char *form, double a, double b, double num, double draw) {
    t->bad++;
    if (t->shown++ < 4)
        printf("  %s, %s: a = %a, b = %a: number %a (%.17g), draw %a (%.17g)\n", t->name, form, a, b, num, num,
               draw, draw);
}

/* Checks a two-operand lambda on every pair (A[i], B[i]), i < N: xs and ys are the operands' draws. */
static void check_binary(const char *name, const char *code, const double *xs, const double *ys,
                         const double *bvals, size_t nb) {
    size_t n = I.smp.n;
    Value fn = run(code);
    Tally t = {name, 0, 0, 0};
    double *num = malloc(n * sizeof *num);
    bool *ok = malloc(n * sizeof *ok);
    for (size_t i = 0; i < n; i++) {
        Value args[2] = {val_num(xs[i]), val_num(ys[i])}, r;
        ok[i] = call(&fn, 2, args, &r);
        if (ok[i]) num[i] = as_number(&r), value_release(r);
        else t.refused++;
    }
    Value X = samples_of_values(xs), Y = samples_of_values(ys);
    Value both[2] = {X, Y};
    double *d = draws_of(name, &fn, 2, both);
    for (size_t i = 0; d && i < n; i++)
        if (ok[i] && !same(num[i], d[i])) mismatch(&t, "samples op samples", xs[i], ys[i], num[i], d[i]);
    free(d);
    /* samples op number: each b of the grid against every draw of X where Y holds b */
    for (size_t j = 0; j < nb; j++) {
        Value args[2] = {X, val_num(bvals[j])};
        d = draws_of(name, &fn, 2, args);
        for (size_t i = 0; d && i < n; i++)
            if (ok[i] && same(ys[i], bvals[j]) && !same(num[i], d[i]))
                mismatch(&t, "samples op number", xs[i], ys[i], num[i], d[i]);
        free(d);
        /* number op samples: the same b on the left, against every draw of X's values on the right */
        args[0] = val_num(bvals[j]), args[1] = Y;
        d = draws_of(name, &fn, 2, args);
        for (size_t i = 0; d && i < n; i++) {
            if (!same(xs[i], bvals[j])) continue;
            if (ok[i] && !same(num[i], d[i])) mismatch(&t, "number op samples", xs[i], ys[i], num[i], d[i]);
        }
        free(d);
    }
    value_release(X), value_release(Y), value_release(fn);
    free(num), free(ok);
    char what[200];
    snprintf(what, sizeof what, "%s: the same bits on numbers and draws (%zu pairs, %d refused on numbers, %d differ)",
             name, n, t.refused, t.bad);
    check(what, t.bad == 0);
}

static void check_unary(const char *name, const char *code, const double *xs) {
    size_t n = I.smp.n;
    Value fn = run(code), X = samples_of_values(xs);
    Tally t = {name, 0, 0, 0};
    double *d = draws_of(name, &fn, 1, &X);
    for (size_t i = 0; d && i < n; i++) {
        Value a = val_num(xs[i]), r;
        if (!call(&fn, 1, &a, &r)) {
            t.refused++;
            continue;
        }
        double num = as_number(&r);
        value_release(r);
        if (!same(num, d[i])) mismatch(&t, "samples", xs[i], 0, num, d[i]);
    }
    free(d);
    value_release(X), value_release(fn);
    char what[200];
    snprintf(what, sizeof what, "%s: the same bits on numbers and draws (%d refused on numbers, %d differ)", name,
             t.refused, t.bad);
    check(what, t.bad == 0);
}

/* clip(x, lo, hi) with any of its operands samples: x over the grid, (lo, hi) over a few pairs. */
static void check_clip(const double *xs) {
    static const double bounds[][2] = {{0, 1}, {-0.0, 0.0}, {0.0, -0.0}, {-1, -1}, {-INFINITY, INFINITY},
                                       {0.1, 0.3}, {NAN, 1}, {0, NAN}, {-DBL_MAX, 0x1p-1074}};
    size_t n = I.smp.n;
    Value fn = run("{|x, lo, hi| clip(x, lo, hi)}");
    Tally t = {"clip", 0, 0, 0};
    for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++) {
        double lo = bounds[k][0], hi = bounds[k][1];
        double *num = malloc(n * sizeof *num);
        bool *ok = malloc(n * sizeof *ok);
        for (size_t i = 0; i < n; i++) {
            Value args[3] = {val_num(xs[i]), val_num(lo), val_num(hi)}, r;
            ok[i] = call(&fn, 3, args, &r);
            if (ok[i]) num[i] = as_number(&r), value_release(r);
            else t.refused++;
        }
        Value X = samples_of_values(xs), LO = samples_const(lo), HI = samples_const(hi);
        Value forms[][3] = {{X, val_num(lo), val_num(hi)}, {X, LO, HI}, {X, LO, val_num(hi)}, {X, val_num(lo), HI}};
        for (size_t f = 0; f < 4; f++) {
            double *d = draws_of("clip", &fn, 3, forms[f]);
            for (size_t i = 0; d && i < n; i++)
                if (ok[i] && !same(num[i], d[i])) mismatch(&t, "samples x", xs[i], lo, num[i], d[i]);
            free(d);
        }
        /* a number x, samples bounds */
        for (size_t j = 0; j < G; j++) {
            Value nforms[][3] = {{val_num(GRID[j]), LO, HI}, {val_num(GRID[j]), LO, val_num(hi)},
                                 {val_num(GRID[j]), val_num(lo), HI}};
            size_t i = j * G; /* a draw where xs holds GRID[j] */
            if (!ok[i]) continue;
            for (size_t f = 0; f < 3; f++) {
                double *d = draws_of("clip", &fn, 3, nforms[f]);
                for (size_t q = 0; d && q < n; q++)
                    if (!same(num[i], d[q])) {
                        mismatch(&t, "number x, samples bounds", GRID[j], lo, num[i], d[q]);
                        break;
                    }
                free(d);
            }
        }
        value_release(X), value_release(LO), value_release(HI);
        free(num), free(ok);
    }
    value_release(fn);
    char what[200];
    snprintf(what, sizeof what, "clip: the same bits on numbers and draws (%d refused on numbers, %d differ)",
             t.refused, t.bad);
    check(what, t.bad == 0);
}

int main(void) {
    interp_init(&I, stdout);
    stdlib_open(&I);
    char set[64];
    snprintf(set, sizeof set, "set samples = %zu", G * G);
    value_release(run(set));
    size_t n = G * G;
    double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
    for (size_t i = 0; i < n; i++) xs[i] = GRID[i / G], ys[i] = GRID[i % G];

    static const struct {
        const char *name, *code;
    } binary[] = {
        {"+", "{|a, b| a + b}"},       {"-", "{|a, b| a - b}"},       {"*", "{|a, b| a * b}"},
        {"/", "{|a, b| a / b}"},       {"//", "{|a, b| a // b}"},     {"^", "{|a, b| a ^ b}"},
        {"**", "{|a, b| a ** b}"},     {"pow", "{|a, b| pow(a, b)}"}, {"mod", "{|a, b| mod(a, b)}"},
        {"min", "{|a, b| min(a, b)}"}, {"max", "{|a, b| max(a, b)}"}, {"==", "{|a, b| a == b}"},
        {"!=", "{|a, b| a != b}"},     {"<", "{|a, b| a < b}"},       {"<=", "{|a, b| a <= b}"},
        {">", "{|a, b| a > b}"},       {">=", "{|a, b| a >= b}"},     {"and", "{|a, b| a and b}"},
        {"or", "{|a, b| a or b}"},     {"atan2", "{|a, b| atan2(a, b)}"}, {"log(a, b)", "{|a, b| log(a, b)}"},
    };
    for (size_t k = 0; k < sizeof binary / sizeof binary[0]; k++)
        check_binary(binary[k].name, binary[k].code, xs, ys, GRID, G);

    /* round(x, digits): digits is a whole number, never samples */
    static const double DIGITS[] = {-300, -20, -3, -2, -1, 0, 1, 2, 3, 15, 20, 300};
    size_t nd = sizeof DIGITS / sizeof DIGITS[0];
    double *ds = malloc(n * sizeof *ds);
    for (size_t i = 0; i < n; i++) ds[i] = DIGITS[i % nd];
    {
        Value fn = run("{|a, b| round(a, b)}");
        Tally t = {"round(x, digits)", 0, 0, 0};
        for (size_t j = 0; j < nd; j++) {
            Value X = samples_of_values(xs), args[2] = {X, val_num(DIGITS[j])};
            double *d = draws_of(t.name, &fn, 2, args);
            for (size_t i = 0; d && i < n; i++) {
                Value na[2] = {val_num(xs[i]), val_num(DIGITS[j])}, r;
                if (!call(&fn, 2, na, &r)) {
                    t.refused++;
                    continue;
                }
                double num = as_number(&r);
                value_release(r);
                if (!same(num, d[i])) mismatch(&t, "samples x", xs[i], DIGITS[j], num, d[i]);
            }
            free(d);
            value_release(X);
        }
        value_release(fn);
        char what[200];
        snprintf(what, sizeof what, "round(x, digits): the same bits on numbers and draws (%d differ)", t.bad);
        check(what, t.bad == 0);
    }
    free(ds);

    static const struct {
        const char *name, *code;
    } unary[] = {
        {"unary -", "{|a| -a}"},      {"not", "{|a| not a}"},       {"exp", "{|a| exp(a)}"},
        {"log", "{|a| log(a)}"},      {"log10", "{|a| log10(a)}"},  {"log2", "{|a| log2(a)}"},
        {"sqrt", "{|a| sqrt(a)}"},    {"abs", "{|a| abs(a)}"},      {"floor", "{|a| floor(a)}"},
        {"ceil", "{|a| ceil(a)}"},    {"round", "{|a| round(a)}"},  {"int", "{|a| int(a)}"},
        {"sin", "{|a| sin(a)}"},      {"cos", "{|a| cos(a)}"},      {"tan", "{|a| tan(a)}"},
        {"asin", "{|a| asin(a)}"},    {"acos", "{|a| acos(a)}"},    {"atan", "{|a| atan(a)}"},
        {"sinh", "{|a| sinh(a)}"},    {"cosh", "{|a| cosh(a)}"},    {"tanh", "{|a| tanh(a)}"},
        {"expm1", "{|a| expm1(a)}"},  {"log1p", "{|a| log1p(a)}"},  {"log(a, 3)", "{|a| log(a, 3)}"},
    };
    for (size_t k = 0; k < sizeof unary / sizeof unary[0]; k++) check_unary(unary[k].name, unary[k].code, xs);

    check_clip(xs);

    /* The powers on random values over many binades, with the small whole exponents that have fast
     * forms (x*x, double-double x^3 and x^4, by FMA or by splitting) and some that have not. */
    static const double EXPONENTS[] = {0, 1, 2, 3, 4, 0.5, -1, -2, 1.0 / 3, 5, 2.5};
    size_t ne = sizeof EXPONENTS / sizeof EXPONENTS[0];
    uint64_t st = 12345;
    for (int batch = 0; batch < 40; batch++) { /* libm's pow() misses by an ulp on ~1 value in 1,200 */
        for (size_t i = 0; i < n; i++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            double u = (double)(st >> 11) * 0x1p-53;
            xs[i] = (i % 2 ? -1 : 1) * ldexp(0.5 + u, (int)(st % 241) - 120);
            ys[i] = EXPONENTS[i % ne];
        }
        for (int path = 0; path < 2; path++) {
            smp_cpu_features_off(path == 1 ? SMP_CPU_FMA : 0);
            check_binary(path ? "^ of random values (no FMA)" : "^ of random values", "{|a, b| a ^ b}", xs, ys,
                         EXPONENTS, ne);
        }
    }
    smp_cpu_features_off(0);

    free(xs), free(ys);
    interp_free(&I);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
