/* io.c — print, now and write_csv (docs/language.md, "Output"). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic_file.h"
#include "csv.h"
#include "display.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"

static bool fn_print(Args *a, Value *out) {
    StrBuf line;
    sb_init(&line);
    for (int i = 0; i < a->nrest; i++) {
        if (i) sb_putc(&line, ' ');
        if (!display_value(a->I, &a->rest[i], &line, true)) {
            sb_free(&line);
            return false;
        }
    }
    sb_putc(&line, '\n');
    bool ok = write_output(a, line.data, line.len);
    sb_free(&line);
    *out = val_nil();
    return ok;
}

static bool fn_now(Args *a, Value *out) {
    const char *fmt = "%m-%d-%Y %H:%M";
    const SqString *s = NULL;
    if (has_arg(a, 0)) {
        if (!need_str(a, 0, &s)) return false;
        fmt = s->bytes;
    }
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char buf[512];
    size_t n = strftime(buf, sizeof buf, fmt, &tm);
    if (n == 0 && *fmt) return arg_error(a, 0, "the format gives no text or more than 511 bytes");
    *out = val_str(buf, n);
    return true;
}

static bool csv_value(Args *a, const Value *v, StrBuf *out) {
    if (v->kind == VAL_NIL) return true;
    if (v->kind == VAL_STR) {
        csv_field(out, v->as.str->bytes, v->as.str->len);
        return true;
    }
    StrBuf text;
    sb_init(&text);
    bool ok = display_value(a->I, v, &text, true);
    if (ok) csv_field(out, text.data ? text.data : "", text.len);
    sb_free(&text);
    return ok;
}

/* A column that holds samples in any row is written as its summary, one column each:
 * "x mean", "x sd", "x p5", "x p50", "x p95" (the fields of summary(x)). */
static const char *const CSV_SUMMARY[] = {"mean", "sd", "p5", "p50", "p95"};
#define CSV_NSUMMARY 5

static bool csv_summary_cells(Args *a, int r, const SqString *key, const Value *v, StrBuf *out) {
    double cells[CSV_NSUMMARY];
    if (!v || v->kind == VAL_NIL) {
        for (int j = 1; j < CSV_NSUMMARY; j++) sb_putc(out, ',');
        return true;
    }
    if (v->kind == VAL_SAMPLES) {
        static const double qs[3] = {0.05, 0.5, 0.95};
        SampleCtx *ctx = &a->I->smp;
        double var;
        if (!smp_mean(ctx, v->as.smp, &cells[0]) || !smp_var(ctx, v->as.smp, &var) ||
            !smp_quantiles(ctx, v->as.smp, qs, 3, cells + 2)) {
            rt_error_from_samples(a->I);
            return false;
        }
        cells[1] = sqrt(var);
    } else if (v->kind == VAL_NUM || v->kind == VAL_BOOL) { /* a number is a constant */
        double x = v->kind == VAL_NUM ? v->as.num : v->as.boolean;
        cells[0] = cells[2] = cells[3] = cells[4] = x;
        cells[1] = 0;
    } else {
        return arg_error(a, 1, "row %d: the column \"%s\" holds samples in another row, but %s here", r,
                         key->bytes, value_kind_name(v));
    }
    for (int j = 0; j < CSV_NSUMMARY; j++) {
        if (j) sb_putc(out, ',');
        num_shortest(out, cells[j]);
    }
    return true;
}

static bool csv_build(Args *a, const SqList *rows, StrBuf *out) {
    if (rows->len == 0) return arg_error(a, 1, "there are no rows to write");
    for (int r = 0; r < rows->len; r++)
        if (rows->items[r].kind != VAL_RECORD)
            return arg_error(a, 1, "row %d is %s; each row must be a record", r, value_kind_name(&rows->items[r]));
    const SqRecord *head = rows->items[0].as.rec;
    bool *summarize = mem_calloc((size_t)head->len + 1, sizeof *summarize);
    for (int r = 0; r < rows->len; r++) {
        const SqRecord *row = rows->items[r].as.rec;
        for (int k = 0; k < head->len; k++) {
            int i = record_find(row, head->keys[k]->bytes, head->keys[k]->len);
            if (i >= 0 && row->vals[i].kind == VAL_SAMPLES) summarize[k] = true;
        }
    }
    for (int k = 0; k < head->len; k++) {
        if (k) sb_putc(out, ',');
        if (!summarize[k]) {
            csv_field(out, head->keys[k]->bytes, head->keys[k]->len);
            continue;
        }
        for (int j = 0; j < CSV_NSUMMARY; j++) {
            StrBuf name;
            sb_init(&name);
            sb_printf(&name, "%s %s", head->keys[k]->bytes, CSV_SUMMARY[j]);
            if (j) sb_putc(out, ',');
            csv_field(out, name.data, name.len);
            sb_free(&name);
        }
    }
    sb_putc(out, '\n');
    for (int r = 0; r < rows->len; r++) {
        const SqRecord *row = rows->items[r].as.rec;
        for (int k = 0; k < row->len; k++)
            if (record_find(head, row->keys[k]->bytes, row->keys[k]->len) < 0) {
                free(summarize);
                return arg_error(a, 1, "row %d has the key \"%s\", which the first row (the header) lacks", r,
                                 row->keys[k]->bytes);
            }
        for (int k = 0; k < head->len; k++) {
            if (k) sb_putc(out, ',');
            int i = record_find(row, head->keys[k]->bytes, head->keys[k]->len);
            bool ok = summarize[k] ? csv_summary_cells(a, r, head->keys[k], i >= 0 ? &row->vals[i] : NULL, out)
                                   : i < 0 || csv_value(a, &row->vals[i], out);
            if (!ok) {
                free(summarize);
                return false;
            }
        }
        sb_putc(out, '\n');
    }
    free(summarize);
    return true;
}

static bool fn_write_csv(Args *a, Value *out) {
    const SqString *path;
    const SqList *rows;
    if (!need_str(a, 0, &path) || !need_list(a, 1, &rows)) return false;
    if (strlen(path->bytes) != path->len) return arg_error(a, 0, "the path holds a NUL byte");
    StrBuf text;
    sb_init(&text);
    bool ok = csv_build(a, rows, &text);
    if (ok) {
        AtomicFile f;
        char err[600];
        ok = afile_open(&f, path->bytes, a->I->files, err, sizeof err);
        if (ok) {
            fwrite(text.data, 1, text.len, f.fp);
            tm_enter(a->I->smp.timings, TM_FILES);
            ok = afile_commit(&f, err, sizeof err);
            tm_leave(a->I->smp.timings);
        }
        if (!ok) arg_error(a, 0, "%s", err);
    }
    sb_free(&text);
    *out = val_nil();
    return ok;
}

const BuiltinDef builtins_io[] = {
    BUILTIN("print", "args...", "output", "write the arguments separated by spaces, then a newline", fn_print),
    BUILTIN("now", "fmt=", "output", "the local time as text (strftime format, default \"%m-%d-%Y %H:%M\")", fn_now),
    BUILTIN("write_csv", "path, rows", "output",
     "write a list of records as CSV (header from the first record), atomically", fn_write_csv),
    {.name = NULL},
};
