/* builtins.c — the standard library's family tables, opened into the registry (as Lua's linit.c). */
#include "builtins.h"

static const BuiltinDef *const families[] = {builtins_distributions, builtins_dist_continuous, builtins_dist_discrete,
                                    builtins_dist_combinators, builtins_math, builtins_reducers,
                                    builtins_lists,         builtins_strings, builtins_io,
                                    builtins_hist,          builtins_plot,    builtins_export,
                                    builtins_read_csv,
                                    /* issue 19 */
                                    builtins_list_search, builtins_records, builtins_squiggle_utils,
                                    builtins_dist_more, builtins_dist_exact,
                                    /* issue 18 */
                                    builtins_correlate, builtins_sensitivity};

void stdlib_open(Interp *I) { registry_open(I, families, sizeof families / sizeof *families); }
