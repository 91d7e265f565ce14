/* builtins.h — the standard library: every builtin of sq (docs/language.md, Builtins). */
#ifndef SQC_BUILTINS_H
#define SQC_BUILTINS_H

#include "registry.h"

/* Puts the standard library's builtins in the registry (registry.h); again is harmless. */
void stdlib_open(void);

/* Family registration tables, one per stdlib file. */
extern Builtin builtins_distributions[];
extern Builtin builtins_dist_continuous[];
extern Builtin builtins_dist_discrete[];
extern Builtin builtins_dist_combinators[];
extern Builtin builtins_math[];
extern Builtin builtins_reducers[];
extern Builtin builtins_lists[];
extern Builtin builtins_strings[];
extern Builtin builtins_io[];
extern Builtin builtins_hist[];   /* hist.c */
extern Builtin builtins_plot[];   /* plot.c */
extern Builtin builtins_export[]; /* export.c: write_samples */
extern Builtin builtins_read_csv[]; /* read_csv.c */
/* issue 19's standard library, one file per family */
extern Builtin builtins_list_search[];    /* list_search.c: find, any, all, flatten, unique, sort_by, slice, index_of */
extern Builtin builtins_records[];        /* records.c: has, merge, remove, items */
extern Builtin builtins_squiggle_utils[]; /* squiggle_utils.c */
extern Builtin builtins_dist_more[];      /* dist_more.c: cauchy, logistic, weibull, student_t */
extern Builtin builtins_dist_exact[];     /* dist_exact.c: pdf, inv, mode (cdf is a reducer) */
/* issue 18: analysis */
extern Builtin builtins_correlate[]; /* correlate.c */
extern Builtin builtins_sensitivity[]; /* sensitivity.c: sensitivity, tornado */

#endif
