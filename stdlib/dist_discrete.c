/* dist_discrete.c — the counting constructors (docs/language.md, "Distributions"): poisson,
 * binomial, bernoulli, geometric, on GSL's samplers. Parameters as numpy's; each may be samples
 * (per draw). Their rows in the family table (dist_family.c) say the rest. */
#include "dist_family.h"
#include "registry.h"

const BuiltinDef builtins_dist_discrete[] = {
    BUILTIN("poisson", "lam, lclip=, rclip=", "distributions", "Poisson count with mean lam (0 <= lam <= 1e9)",
     family_constructor),
    BUILTIN("binomial", "n, p, lclip=, rclip=", "distributions",
     "successes in n trials of probability p (n whole, 0..1e9)", family_constructor),
    BUILTIN("bernoulli", "p, lclip=, rclip=", "distributions", "1 with probability p, else 0", family_constructor),
    BUILTIN("geometric", "p, lclip=, rclip=", "distributions",
     "trials up to and including the first success (1, 2, ...), as numpy", family_constructor),
    {.name = NULL},
};
