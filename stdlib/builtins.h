/* builtins.h — the standard library: every builtin of sq (docs/language.md, Builtins). */
#ifndef SQC_BUILTINS_H
#define SQC_BUILTINS_H

#include "registry.h"

/* Opens the standard library's builtins into I (registry.h): after interp_init, before a run. */
void stdlib_open(Interp *I);

/* Family registration tables, one per stdlib file. */
extern const BuiltinDef builtins_distributions[];
extern const BuiltinDef builtins_dist_continuous[];
extern const BuiltinDef builtins_dist_discrete[];
extern const BuiltinDef builtins_dist_combinators[];
extern const BuiltinDef builtins_math[];
extern const BuiltinDef builtins_reducers[];
extern const BuiltinDef builtins_lists[];
extern const BuiltinDef builtins_strings[];
extern const BuiltinDef builtins_io[];
extern const BuiltinDef builtins_hist[];   /* hist.c */
extern const BuiltinDef builtins_plot[];   /* plot.c */
extern const BuiltinDef builtins_export[]; /* export.c: write_samples */
extern const BuiltinDef builtins_read_csv[]; /* read_csv.c */
/* issue 19's standard library, one file per family */
extern const BuiltinDef builtins_list_search[];    /* list_search.c: find, any, all, flatten, unique, sort_by, slice, index_of */
extern const BuiltinDef builtins_records[];        /* records.c: has, merge, remove, items */
extern const BuiltinDef builtins_squiggle_utils[]; /* squiggle_utils.c */
extern const BuiltinDef builtins_dist_more[];      /* dist_more.c: cauchy, logistic, weibull, student_t */
extern const BuiltinDef builtins_dist_exact[];     /* dist_exact.c: pdf, inv, mode (cdf is a reducer) */
/* issue 18: analysis */
extern const BuiltinDef builtins_correlate[]; /* correlate.c */
extern const BuiltinDef builtins_sensitivity[]; /* sensitivity.c: sensitivity, tornado */

#endif
