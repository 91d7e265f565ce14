/* dist_family.h — the parametric families behind the distribution constructors: one place
 * that knows, per family, how to check parameters, draw (through GSL's samplers), and
 * evaluate the CDF and its inverse (GSL's gsl_cdf_*). The constructors, `truncate` and the
 * statistical tests all go through it, so they cannot disagree about a parameterization.
 *
 * It also remembers what each constructor built ("descriptors", keyed by the Samples node
 * it returned) so that `truncate(d, lo, hi)` can redraw d's family inside [lo, hi]. */
#ifndef SQC_DIST_FAMILY_H
#define SQC_DIST_FAMILY_H

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>

#include "registry.h"

/* Every family, once: the enum below and, in dist_family.c, the per-family draw and inverse-CDF
 * functions and their tables are made from this list (docs/architecture.md, "A distribution"). */
#define SQ_DIST_FAMILIES(X)                                                                                   \
    /* continuous: truncated by the inverse CDF */                                                            \
    X(DF_NORMAL)      /* mean, sd */                                                                          \
    X(DF_LOGNORMAL)   /* mu, sigma (of the log) */                                                            \
    X(DF_UNIFORM)     /* lo, hi */                                                                            \
    X(DF_BETA)        /* a, b */                                                                              \
    X(DF_GAMMA)       /* shape, scale */                                                                      \
    X(DF_EXPONENTIAL) /* scale */                                                                             \
    X(DF_CHISQ)       /* k */                                                                                 \
    X(DF_PARETO)      /* a: squigglepy's pareto (classical, x_m = 1: numpy's pareto + 1; support [1, inf)) */ \
    X(DF_TRIANGULAR)  /* lo, mode, hi */                                                                      \
    X(DF_PERT)        /* lo, mode, hi, lam */                                                                 \
    X(DF_T)           /* lo, hi, t, q: location (lo+hi)/2, scale (hi-lo)/(2q), q = the t quantile */          \
    X(DF_LOGT)        /* lo, hi, t, q: the same on ln lo, ln hi */                                            \
    X(DF_CAUCHY)      /* loc, scale */                                                                        \
    X(DF_LOGISTIC)    /* loc, scale */                                                                        \
    X(DF_WEIBULL)     /* shape, scale (numpy's weibull(a) * scale) */                                         \
    X(DF_STUDENT_T)   /* df, loc, scale: loc + scale * (a standard t with df degrees of freedom) */           \
    /* discrete: truncated by rejection */                                                                    \
    X(DF_POISSON)     /* lam */                                                                               \
    X(DF_BINOMIAL)    /* n, p */                                                                              \
    X(DF_BERNOULLI)   /* p */                                                                                 \
    X(DF_GEOMETRIC)   /* p (support 1, 2, ...) */

#define DF_ENUM_ENTRY(F) F,
typedef enum DistFamily {
    SQ_DIST_FAMILIES(DF_ENUM_ENTRY)
    DF_COUNT
} DistFamily;
#undef DF_ENUM_ENTRY

#define DF_MAX_PARAMS 4

/* A constructor's checks of the numbers among its parameters (some may be samples), reported
 * at their arguments; false after the error. */
typedef bool (*FamilyCheckFn)(Args *a, DistFamily f, const Operand *params);
/* The engine's own node for a two-parameter family (smp_normal, smp_lognormal, smp_uniform). */
typedef Samples *(*FamilyNodeFn)(SampleCtx *ctx, Operand p0, Operand p1, Span origin);

/* One row of the family table (dist_family.c). The plain constructors (family_constructor)
 * read all of it: parameter i is the builtin's argument i, lclip= and rclip= follow. */
typedef struct FamilyInfo {
    const char *name;   /* the constructor's name, as in error messages */
    int nparams;
    const char *param_names[DF_MAX_PARAMS];
    const char *rules[DF_MAX_PARAMS];  /* what parameter i must be: "> 0" in "a must be > 0, got -1" */
    double defaults[DF_MAX_PARAMS];    /* when the argument is absent; DF_REQUIRED (NaN): none */
    bool continuous;
    FamilyCheckFn check;     /* NULL: each parameter's rule (family_check_args) */
    FamilyNodeFn engine_node; /* NULL: smp_custom with the family's draw and inverse CDF */
} FamilyInfo;

#define DF_REQUIRED NAN

const FamilyInfo *family_info(DistFamily f);

/* -1 when p is valid for f, else the index of the first invalid parameter. */
int family_check(DistFamily f, const double *p);
/* Checks the numbers among params (a call's parameters, some may be samples); on a bad one
 * reports "NAME must be RULE, got VALUE" at argument arg_index[i] (or the call when that is
 * -1 or arg_index is NULL) and returns false. Samples parameters are checked per draw. */
bool family_check_args(Args *a, DistFamily f, const Operand *params, const int *arg_index);
/* One draw (p must be valid). */
double family_draw(DistFamily f, const gsl_rng *r, const double *p);
/* P(X <= x) and P(X > x); for the discrete families x is rounded down. */
double family_cdf_P(DistFamily f, double x, const double *p);
double family_cdf_Q(DistFamily f, double x, const double *p);
/* Continuous families only: the x with P(X <= x) = u, resp. P(X > x) = u. */
double family_Pinv(DistFamily f, double u, const double *p);
double family_Qinv(DistFamily f, double u, const double *p);
/* Exact mean and variance (inf or NaN where they do not exist). For the tests. */
void family_moments(DistFamily f, const double *p, double *mean, double *var);
/* P(lo <= X <= hi). */
double family_mass(DistFamily f, double lo, double hi, const double *p);
/* The density at x (continuous families) or P(X = x) (the counting ones); NaN where the
 * parameters make a continuous family a point mass (sd 0, lo == hi), which has no density. */
double family_pdf(DistFamily f, double x, const double *p);
/* The smallest x with P(X <= x) >= u (u in [0, 1]), every family: the counting ones by a search
 * over whole numbers with their CDF. */
double family_quantile(DistFamily f, double u, const double *p);

/* family_quantile, with bisection on the CDF where a GSL inverse does not converge: how Latin
 * hypercube sampling draws (u in (0, 1)). */
double family_lhs_quantile(DistFamily f, double u, const double *p);

/* The smp_custom draw function of family f (checks its parameters per draw), and its inverse CDF
 * (the same checks) for Latin hypercube sampling. */
SmpDrawFn family_draw_fn(DistFamily f);
SmpQuantFn family_quant_fn(DistFamily f);

/* A fresh node of family f with the given parameters (borrowed), drawn per draw. */
Samples *family_node(SampleCtx *ctx, DistFamily f, const Operand *params, Span origin);

/* A constructor's body: checks params (borrowed), builds the node, clips, registers. */
bool family_build(Args *a, DistFamily f, const Operand *params, const int *arg_index, int lclip_i, int rclip_i,
                  Value *out);

/* The builtin of every plain constructor (gamma, poisson, uniform, ...): the family whose name
 * is the builtin's, its parameters read from the arguments in the table's order (absent ones
 * take their defaults), checked, built and clipped as family_build. Its builtin row's signature
 * lists those parameters, `=` on the ones with a default, then "lclip=, rclip=". */
bool family_constructor(Args *a, Value *out);

/* ---- descriptors: what a constructor call built ---- */

typedef enum DescKind { DESC_FAMILY, DESC_CONST, DESC_MIXTURE } DescKind;

typedef struct DistDesc {
    Samples *node;   /* the node described (which owns the descriptor: not a reference) */
    DescKind kind;
    DistFamily family;              /* DESC_FAMILY */
    Operand params[DF_MAX_PARAMS];  /* DESC_FAMILY; DESC_CONST: params[0] */
    int k;                          /* DESC_MIXTURE: components and weights */
    Operand *comps;
    double *weights;
    unsigned char *held; /* per param / component: 1 if retained here (not an operand of node) */
} DistDesc;

/* Remembers what node s is, on the node itself (smp_set_ext): the descriptor lives and dies
 * with s and holds no reference to it. params and comps are borrowed; those that are operands
 * of s (always, for the constructors) live as long as s does, any other node is retained. */
void desc_register_family(Samples *s, DistFamily f, const Operand *params);
void desc_register_const(Samples *s, double x);
void desc_register_mixture(Samples *s, int k, const Operand *comps, const double *weights);
const DistDesc *desc_find(const Samples *s);

/* dist_finish (clips) for a family node, registering its descriptor when no clip applies. */
bool dist_finish_family(Args *a, Samples *s, DistFamily f, const Operand *params, int lclip_i, int rclip_i,
                        Value *out);

/* Numbers in messages: shortest text that reads back ("0.1", "5", "1e-09"). */
const char *dist_num(char *buf, size_t len, double x);

/* cdf(d, v) of samples (dist_exact.c): exact for a value known exactly, and per point for a list v;
 * 1 when it answered (out set), 0 on an error,
 * -1 when d is to be counted from its draws. */
int dist_exact_cdf(Args *a, Value *out);

/* Turns GSL's abort-on-error handler off (its CDF inverses report non-convergence so). */
void dist_gsl_quiet(void);

#endif
