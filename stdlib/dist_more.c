/* dist_more.c — more continuous families on GSL's samplers and CDFs (docs/language.md,
 * "Distributions"): cauchy, logistic, weibull, student_t. Parameters as numpy's (loc, scale,
 * shape); each may be samples, drawn and checked per draw. Their rows in the family table
 * (dist_family.c) say the rest. */
#include "dist_family.h"
#include "registry.h"

const BuiltinDef builtins_dist_more[] = {
    BUILTIN("cauchy", "loc=, scale=, lclip=, rclip=", "distributions",
     "Cauchy centred at loc (default 0) with half-width scale (default 1); no mean", family_constructor),
    BUILTIN("logistic", "loc=, scale=, lclip=, rclip=", "distributions",
     "logistic with location loc (default 0) and scale (default 1), as numpy's", family_constructor),
    BUILTIN("weibull", "shape, scale=, lclip=, rclip=", "distributions",
     "Weibull with shape k > 0 and scale (default 1): numpy's weibull(k) * scale", family_constructor),
    BUILTIN("student_t", "df, loc=, scale=, lclip=, rclip=", "distributions",
     "Student t with df > 0 degrees of freedom, moved to loc and scaled by scale (scipy's t)", family_constructor),
    {.name = NULL},
};
