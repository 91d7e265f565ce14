/* export.c — write_samples(path, xs): the raw draws as CSV, one column per value, one
 * row per draw (draw i of every column belongs to the same simulated world), for people
 * who plot or analyse elsewhere. Numbers are written in the shortest form that reads
 * back to the same double, so a round trip is exact. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "csv.h"
#include "chart.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"

enum { E_PATH, E_XS, E_NAMES };

#define MAX_COLUMNS 1000

static bool fn_write_samples(Args *a, Value *out) {
    const SqString *path;
    const SqList *names = NULL;
    if (!need_str(a, E_PATH, &path)) return false;
    if (strlen(path->bytes) != path->len) return arg_error(a, E_PATH, "the path holds a NUL byte");
    if (has_arg(a, E_NAMES) && !need_list(a, E_NAMES, &names)) return false;
    const Value *xs = a->v[E_XS];
    int k = 1;
    const Value *items = xs;
    if (xs->kind == VAL_LIST) k = xs->as.list->len, items = xs->as.list->items;
    else if (xs->kind == VAL_RECORD) k = xs->as.rec->len, items = xs->as.rec->vals;
    else if (!value_is_numeric(xs)) return arg_type_error(a, E_XS, "samples, or a list or record of samples");
    if (k == 0) return arg_error(a, E_XS, "there are no columns to write (an empty %s)", value_kind_name(xs));
    if (k > MAX_COLUMNS) return arg_error(a, E_XS, "at most %d columns, got %d", MAX_COLUMNS, k);
    if (names && names->len != k) return arg_error(a, E_NAMES, "%d names for %d columns", names->len, k);
    for (int c = 0; c < k; c++) {
        if (!value_is_numeric(&items[c]))
            return arg_error(a, E_XS, "column %d is %s; each column must be samples or a number", c,
                             value_kind_name(&items[c]));
        if (names && names->items[c].kind != VAL_STR)
            return arg_error(a, E_NAMES, "name %d is %s; names must be strings", c, value_kind_name(&names->items[c]));
    }

    StrBuf line;
    sb_init(&line);
    for (int c = 0; c < k; c++) {
        if (c) sb_putc(&line, ',');
        if (names) csv_field(&line, names->items[c].as.str->bytes, names->items[c].as.str->len);
        else if (xs->kind == VAL_RECORD) csv_field(&line, xs->as.rec->keys[c]->bytes, xs->as.rec->keys[c]->len);
        else if (xs->kind == VAL_LIST) sb_printf(&line, "x%d", c + 1);
        else sb_putc(&line, 'x');
    }
    sb_putc(&line, '\n');

    double **cols = mem_calloc(k > 0 ? (size_t)k : 1, sizeof *cols);
    size_t n = 0;
    bool ok = true;
    bool owned;
    for (int c = 0; c < k && ok; c++) ok = chart_draws(a, &items[c], a->span[E_XS], true, &cols[c], &n, &owned);
    if (ok) {
        AtomicFile f;
        char err[600];
        ok = afile_open(&f, path->bytes, a->I->files, err, sizeof err);
        if (ok) {
            fwrite(line.data, 1, line.len, f.fp);
            for (size_t i = 0; i < n; i++) {
                sb_clear(&line);
                for (int c = 0; c < k; c++) {
                    if (c) sb_putc(&line, ',');
                    num_shortest(&line, cols[c][i]);
                }
                sb_putc(&line, '\n');
                fwrite(line.data, 1, line.len, f.fp);
            }
            tm_enter(a->I->smp.timings, TM_FILES);
            ok = afile_commit(&f, err, sizeof err);
            tm_leave(a->I->smp.timings);
        }
        if (!ok) arg_error(a, E_PATH, "%s", err);
    }
    for (int c = 0; c < k; c++) free(cols[c]);
    free(cols);
    sb_free(&line);
    *out = val_nil();
    return ok;
}

const BuiltinDef builtins_export[] = {
    BUILTIN("write_samples", "path, xs, names=", "output",
     "write the raw draws as CSV: one column per samples value (a record's keys name them), one row per draw",
     fn_write_samples),
    {.name = NULL},
};
