/* fuzz_seeds.c — writes fuzz seeds generated from the builtin registry, so that the fuzzer
 * starts from a valid call of every builtin, new ones included, with nothing to maintain.
 *
 *   fuzz_seeds DIR            writes DIR/builtin_NAME.sq per builtin and DIR/with_NAME.sq per
 *                             distribution builtin; exits 0 (the build runs it)
 *   fuzz_seeds --strict DIR   the same, but exits 1 naming every builtin with no valid call
 *                             (the test fuzz/seeds_every_builtin)
 *
 * Calls are searched, not written by hand: the arguments are drawn from POOL (numbers, samples,
 * lists, strings, functions, records, a condition), tried in order under the fuzzer's limits
 * (fuzz_limits.h) with files written as a dry run, and a call is kept when its program
 * `print(CALL)` runs without an error. Per builtin the seed holds the first valid call for each
 * count of positional arguments (from the required ones to two more), one with each optional
 * parameter given by name, for builtins whose parameters are all optional one with each pair
 * named (norm(mean=, sd=)), and the first valid call that takes a samples value; a builtin that
 * is an infix operator and cannot be called by name gets `a NAME b`. with_NAME.sq puts a
 * distribution builtin's call in place of that samples value in every builtin's call, and under
 * the operators: mixture([exponential(0.5), 7]) (#15) is one of them. A builtin that none of POOL
 * fits (a new kind of argument) fails --strict: add the kind to POOL. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "eval.h"
#include "fuzz_limits.h"
#include "builtins.h"

/* "$S" stands for a samples value: norm(1, 2) in builtin_NAME.sq, a distribution in with_NAME.sq. */
static const char *const POOL[] = {
    "0.5", "2", "3", "$S", "[1, 2, 3]", "\"a b\"", "{|x| x * 2}", "{|a, b| a + b}", "[$S, 7]",
    "{a: 1, b: 2}", "true", "$S > 1", "[[0.2, 1], [0.8, 5]]", "\"{} and {:.1f}\"", "[0.3, 0.7]",
    "-1", "[\"a\", \"b\"]", "[$S, $S]", "[{a: 1, b: $S}, {a: 2, b: 3}]", "\"a.svg\"",
    "\"a\"", /* a key of {a: 1, b: 2} (remove) */
    "\"/proc/self/comm\"", /* a file that always exists and reads as a one-column CSV (read_csv) */
};
#define NPOOL ((int)(sizeof POOL / sizeof *POOL))
#define SAMPLES_TEXT "norm(1, 2)"
#define MORE_ARGS 2         /* positional arguments tried beyond the required ones */
#define MAX_COMBOS 4000     /* argument lists tried per count */
#define PAIR_VALUES 4       /* POOL[0..3] for the named pairs */
#define MAX_CALLS 64        /* kept per builtin */

static FILE *sink;
static long programs_run;

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    va_end(ap);
    return s;
}

/* text with every "$S" replaced by with */
static char *subst(const char *text, const char *with) {
    size_t n = strlen(text), w = strlen(with), cap = n + 1;
    for (const char *p = text; (p = strstr(p, "$S")); p += 2) cap += w;
    char *out = malloc(cap), *o = out;
    if (!out) abort();
    for (const char *p = text; *p;) {
        if (p[0] == '$' && p[1] == 'S') {
            memcpy(o, with, w), o += w, p += 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

/* Runs a program under the fuzzer's limits: true when it ends without an error. */
static bool program_ok(const char *text) {
    Source *src = source_from_string("<seed>", text, strlen(text));
    if (!src) return false;
    Interp I;
    interp_init(&I, sink);
    stdlib_open(&I);
    fuzz_limits(&I, NULL);
    I.files.dry = true; /* write_csv, plot, write_samples: checked, written to /dev/null */
    EvStatus st = interp_run(&I, src, NULL, NULL);
    interp_free(&I);
    programs_run++;
    return st == EV_OK;
}

/* Is print(call) valid, with $S as norm(1, 2)? */
static bool call_ok(const char *call) {
    char *c = subst(call, SAMPLES_TEXT), *prog = xasprintf("print(%s)\n", c);
    bool ok = program_ok(prog);
    free(prog);
    free(c);
    return ok;
}

typedef struct Found {
    char *calls[MAX_CALLS]; /* with $S */
    int n;
    char *with_samples; /* the first valid call that takes a samples value, or NULL */
    int first_count;    /* positional arguments of calls[0] */
} Found;

static void keep(Found *f, const char *call) {
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->calls[i], call)) return;
    if (f->n < MAX_CALLS) f->calls[f->n++] = strdup(call);
}

static void note_samples(Found *f, const char *call) {
    if (!f->with_samples && strstr(call, "$S")) f->with_samples = strdup(call);
}

/* NAME(a0, a1, ..., extra) where a_j = POOL[(idx[j] + j) % NPOOL]: rotating by position makes
 * the first list tried 0.5, 2, 3 (distinct, ascending), as most parameters want. */
static char *build_call(const char *name, const int *idx, int count, const char *extra) {
    size_t cap = strlen(name) + 3 + (extra ? strlen(extra) + 2 : 0);
    for (int j = 0; j < count; j++) cap += strlen(POOL[(idx[j] + j) % NPOOL]) + 2;
    char *s = malloc(cap);
    if (!s) abort();
    strcpy(s, name);
    strcat(s, "(");
    for (int j = 0; j < count; j++) {
        if (j) strcat(s, ", ");
        strcat(s, POOL[(idx[j] + j) % NPOOL]);
    }
    if (extra) {
        if (count) strcat(s, ", ");
        strcat(s, extra);
    }
    strcat(s, ")");
    return s;
}

static bool next_combo(int *idx, int count) {
    for (int j = count - 1; j >= 0; j--) {
        if (++idx[j] < NPOOL) return true;
        idx[j] = 0;
    }
    return false;
}

/* Positional calls: for each count, the first valid argument list (and the first valid one
 * with a samples value, until one is found). */
static void search_positional(const Builtin *b, Found *f) {
    if (strcmp(b->family, "constants") == 0) { /* pi, e: a name, not a call */
        if (call_ok(b->name)) keep(f, b->name);
        return;
    }
    int nreq = 0, npos = b->nparams - (b->variadic ? 1 : 0);
    for (int i = 0; i < b->nparams; i++) nreq += b->required[i];
    int maxc = nreq + MORE_ARGS;
    if (!b->variadic && maxc > npos) maxc = npos;
    for (int count = nreq; count <= maxc; count++) {
        int idx[ARGS_MAX + MORE_ARGS] = {0};
        bool found = false;
        for (long tries = 0; tries < MAX_COMBOS; tries++) {
            char *call = build_call(b->name, idx, count, NULL);
            bool want = !found || (!f->with_samples && strstr(call, "$S"));
            if (want && call_ok(call)) {
                if (!f->n) f->first_count = count;
                if (!found) keep(f, call);
                note_samples(f, call);
                found = true;
            }
            free(call);
            if ((found && f->with_samples) || !next_combo(idx, count)) break;
        }
    }
    /* a builtin that is also an infix operator, if it cannot be called by name (`a to b`) */
    for (int x = 0; x < NPOOL && !f->n && nreq == 2; x++)
        for (int y = 0; y < NPOOL && !f->n; y++) {
            char *call = xasprintf("(%s %s %s)", POOL[x], b->name, POOL[(y + 1) % NPOOL]);
            if (call_ok(call)) {
                keep(f, call);
                f->first_count = -1; /* no named parameters after it */
            }
            free(call);
        }
}

/* Keeps base (a call) with `extra` (name=value pairs) added, when valid. */
static bool try_named(Found *f, const char *base, int nbase, const char *extra) {
    char *call = xasprintf("%.*s%s%s)", (int)strlen(base) - 1, base, nbase ? ", " : "", extra);
    bool ok = call_ok(call);
    if (ok) {
        keep(f, call);
        note_samples(f, call);
    }
    free(call);
    return ok;
}

/* Optional parameters by name: each one alone after the shortest valid call; for builtins whose
 * parameters are all optional, each pair alone (norm(mean=0.5, sd=2)). */
static void search_named(const Builtin *b, Found *f) {
    if (!f->n || f->first_count < 0) return;
    const char *base = f->calls[0];
    int nbase = f->first_count;
    int nreq = 0, npos = b->nparams - (b->variadic ? 1 : 0);
    for (int i = 0; i < b->nparams; i++) nreq += b->required[i];
    for (int i = nbase; i < npos; i++)
        for (int v = 0; v < NPOOL; v++) {
            char *extra = xasprintf("%s=%s", b->params[i], POOL[(v + i) % NPOOL]);
            bool ok = try_named(f, base, nbase, extra);
            free(extra);
            if (ok) break;
        }
    if (nreq) return;
    for (int i = 0; i < npos; i++)
        for (int j = i + 1; j < npos; j++) {
            bool ok = false;
            for (int v = 0; v < PAIR_VALUES && !ok; v++)
                for (int w = 0; w < PAIR_VALUES && !ok; w++) {
                    char *extra = xasprintf("%s=%s, %s=%s", b->params[i], POOL[v], b->params[j],
                                            POOL[(w + 1) % PAIR_VALUES]);
                    char *call = xasprintf("%s(%s)", b->name, extra);
                    if ((ok = call_ok(call))) {
                        keep(f, call);
                        note_samples(f, call);
                    }
                    free(call);
                    free(extra);
                }
        }
}

static bool write_file(const char *dir, const char *name, const char *text) {
    char *path = xasprintf("%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    bool ok = fp && fputs(text, fp) >= 0;
    if (fp && fclose(fp) != 0) ok = false;
    if (!ok) fprintf(stderr, "fuzz_seeds: cannot write '%s': %s\n", path, strerror(errno));
    free(path);
    return ok;
}

/* Appends "print(CALL)\n" with $S as s, when that program line is valid alone. */
static void add_line(char **text, size_t *len, const char *call, const char *s) {
    char *c = subst(call, s), *line = xasprintf("print(%s)\n", c);
    if (program_ok(line)) {
        size_t n = strlen(line);
        *text = realloc(*text, *len + n + 1);
        if (!*text) abort();
        memcpy(*text + *len, line, n + 1);
        *len += n;
    }
    free(line);
    free(c);
}

/* Operators applied to a samples value: the evaluator's side of every distribution. */
static const char *const OPERATOR_LINES[] = {
    "$S + 1", "$S * $S", "-$S / 2", "$S ^ 2", "$S > 1", "if $S > 1 then $S else 0", "[$S, 1][0]",
};

int main(int argc, char **argv) {
    bool strict = argc == 3 && !strcmp(argv[1], "--strict");
    if (argc != 2 && !strict) {
        fprintf(stderr, "usage: fuzz_seeds [--strict] DIR\n");
        return 2;
    }
    const char *dir = argv[argc - 1];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz_seeds: cannot make '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    sink = fopen("/dev/null", "w");
    if (!sink) return 1;
    static Interp REG; /* the builtins to generate calls of */
    interp_init(&REG, sink);
    stdlib_open(&REG);
    int nb = registry_count(&REG), missing = 0, files = 0;
    Found *found = calloc((size_t)nb, sizeof *found);
    if (!found) abort();
    bool io_ok = true;
    for (int k = 0; k < nb; k++) {
        const Builtin *b = registry_at(&REG, k);
        Found *f = &found[k];
        search_positional(b, f);
        search_named(b, f);
        if (f->with_samples) keep(f, f->with_samples);
        char *text = xasprintf("# generated by fuzz_seeds from the registry: %s (%s)\n", b->name, b->family);
        size_t len = strlen(text);
        for (int i = 0; i < f->n; i++) add_line(&text, &len, f->calls[i], SAMPLES_TEXT);
        if (!f->n) {
            missing++;
            fprintf(stderr, "fuzz_seeds: no valid call of %s(%s) from POOL%s\n", b->name, b->signature,
                    strict ? "" : " (a seed without one)");
            char *bare = xasprintf("print(%s())\n", b->name);
            text = realloc(text, len + strlen(bare) + 1);
            if (!text) abort();
            strcpy(text + len, bare);
            free(bare);
        }
        char *name = xasprintf("builtin_%s.sq", b->name);
        io_ok &= write_file(dir, name, text);
        files++;
        free(name);
        free(text);
    }
    /* every distribution in place of the samples value of every builtin, and under operators */
    for (int d = 0; d < nb; d++) {
        const Builtin *db = registry_at(&REG, d);
        if (strcmp(db->family, "distributions") || !found[d].n) continue;
        char *dist = subst(found[d].calls[0], SAMPLES_TEXT);
        char *text = xasprintf("# generated by fuzz_seeds: %s as the samples argument of every builtin\n", dist);
        size_t len = strlen(text);
        for (int k = 0; k < nb; k++)
            if (found[k].with_samples) add_line(&text, &len, found[k].with_samples, dist);
        for (size_t o = 0; o < sizeof OPERATOR_LINES / sizeof *OPERATOR_LINES; o++)
            add_line(&text, &len, OPERATOR_LINES[o], dist);
        char *name = xasprintf("with_%s.sq", db->name);
        io_ok &= write_file(dir, name, text);
        files++;
        free(name);
        free(text);
        free(dist);
    }
    for (int k = 0; k < nb; k++) {
        for (int i = 0; i < found[k].n; i++) free(found[k].calls[i]);
        free(found[k].with_samples);
    }
    free(found);
    fclose(sink);
    printf("fuzz_seeds: %d files for %d builtins (%d without a valid call), %ld programs tried\n", files,
           nb, missing, programs_run);
    if (!io_ok) return 1;
    return strict && missing ? 1 : 0;
}
