/* dist_discrete.c — the counting constructors (docs/language.md, "Distributions"): poisson,
 * binomial, bernoulli, geometric, on GSL's samplers. Parameters as numpy's; each may be samples
 * (per draw). */
#include "dist_common.h"
#include "dist_family.h"
#include "registry.h"

enum { ONE_X, ONE_LCLIP, ONE_RCLIP };

static bool one_param(Args *a, DistFamily f, Value *out) {
    Operand p[1];
    if (!need_operand(a, ONE_X, &p[0])) return false;
    return family_build(a, f, p, (int[]){ONE_X}, ONE_LCLIP, ONE_RCLIP, out);
}

static bool fn_poisson(Args *a, Value *out) { return one_param(a, DF_POISSON, out); }
static bool fn_bernoulli(Args *a, Value *out) { return one_param(a, DF_BERNOULLI, out); }
static bool fn_geometric(Args *a, Value *out) { return one_param(a, DF_GEOMETRIC, out); }

enum { BI_N, BI_P, BI_LCLIP, BI_RCLIP };

static bool fn_binomial(Args *a, Value *out) {
    Operand p[2];
    if (!need_operand(a, BI_N, &p[0]) || !need_operand(a, BI_P, &p[1])) return false;
    return family_build(a, DF_BINOMIAL, p, (int[]){BI_N, BI_P}, BI_LCLIP, BI_RCLIP, out);
}

const BuiltinDef builtins_dist_discrete[] = {
    BUILTIN("poisson", "lam, lclip=, rclip=", "distributions", "Poisson count with mean lam (0 <= lam <= 1e9)",
     fn_poisson),
    BUILTIN("binomial", "n, p, lclip=, rclip=", "distributions",
     "successes in n trials of probability p (n whole, 0..1e9)", fn_binomial),
    BUILTIN("bernoulli", "p, lclip=, rclip=", "distributions", "1 with probability p, else 0", fn_bernoulli),
    BUILTIN("geometric", "p, lclip=, rclip=", "distributions",
     "trials up to and including the first success (1, 2, ...), as numpy", fn_geometric),
    {.name = NULL},
};
