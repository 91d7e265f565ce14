/* interp.c — the interpreter's state (interp.h): its lifetime, the error it reports, and the
 * helpers every layer above the engine shares. */
#include "interp.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "mem.h"

/* ---------- errors ---------- */

EvStatus rt_error(Interp *I, Span span, const char *fmt, ...) {
    if (I->err.set) return EV_ERR; /* keep the first, innermost error */
    va_list ap;
    va_start(ap, fmt);
    sq_error_vset(&I->err, span, fmt, ap);
    va_end(ap);
    return EV_ERR;
}

EvStatus rt_error_from_samples(Interp *I) {
    SampleCtx *ctx = &I->smp;
    if (!ctx->err.set) return rt_error(I, I->err.span, "samples evaluation failed");
    ctx->err.set = false;
    /* A pass that stopped (interrupt, --max-time) may name a node made by arithmetic, which has
     * no span of its own: the place being evaluated is the one to show then. */
    Span at = ctx->err.span.src || !I->node ? ctx->err.span : I->node->span;
    return rt_error(I, at, "%s", ctx->err.message);
}

void interp_print_error(Interp *I, FILE *out) { sq_error_print(out, &I->err); }

/* ---------- interpreter lifetime ---------- */

void interp_init(Interp *I, FILE *out) {
    memset(I, 0, sizeof *I);
    /* GSL's default error handler aborts the process (some CDF inverses call it on
     * extreme arguments); with it off they return NaN or an error code instead. */
    gsl_set_error_handler_off();
    smp_ctx_init(&I->smp, SQC_DEFAULT_SAMPLES, SQC_DEFAULT_SEED, 1);
    I->globals = frame_new(&I->frames, NULL);
    I->out = out;
    I->ret_value = val_nil();
    I->max_depth = SQC_MAX_CALL_DEPTH;
    I->loop_limit = SQC_MAX_LOOP_ITERATIONS;
    I->max_list = SQC_MAX_LIST_LEN;
    I->max_string = SQC_MAX_STRING_BYTES;
}

void interp_free(Interp *I) {
    mem_forget_reporter(I);
    value_release(I->ret_value);
    frame_release(I->globals);
    frame_release_all(&I->frames);
    smp_ctx_free(&I->smp);
    for (int i = 0; i < I->nprograms; i++) {
        if (I->programs[i]) program_free(I->programs[i]);
        source_free(I->sources[i]);
    }
    free(I->programs);
    free(I->sources);
    interp_free_modules(I);
    free(I->builtins);
    symtab_free(&I->syms); /* last: everything above may hold names */
}

/* ---------- memory ---------- */

bool interp_memory_for(Interp *I, Span span, size_t bytes, const char *what) {
    char why[300];
    if (mem_fits(bytes, why, sizeof why)) return true;
    rt_error(I, span, "out of memory for %s: %s", what, why);
    return false;
}

void interp_limit_text(char *buf, size_t len, size_t limit) {
    if (limit >= 1000000 && limit % 1000000 == 0) snprintf(buf, len, "%zuM", limit / 1000000);
    else if (limit >= 1000 && limit % 1000 == 0) snprintf(buf, len, "%zuK", limit / 1000);
    else snprintf(buf, len, "%zu", limit);
}

void interp_note_samples(Interp *I) {
    /* A rehearsal for a run too small to gain from it: the step budget stops it at the next step. */
    if (I->rehearsal_n && !I->samples_made && I->rehearsal_n < I->rehearsal_min_n) I->step_limit = 1;
    I->samples_made = true;
}

void interp_each_global(Interp *I, void (*fn)(void *ctx, Sym name), void *ctx) {
    frame_each(I->globals, fn, ctx);
}

bool interp_get_global(Interp *I, Sym name, Value *out) {
    Value *v = frame_lookup_local(I->globals, name);
    if (!v) return false;
    *out = *v;
    return true;
}

/* ---------- names ---------- */

/* Edits from a to b, a swap of neighbours counting as one ('nrom' -> 'norm' is 1). */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32) return 99;
    size_t d[33][33];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[la][lb];
}

void suggest_init(Suggest *s, const char *target) {
    /* a name at most a third of whose letters differ: 'revenu' -> 'revenue', but 'x' -> nothing */
    size_t len = strlen(target);
    *s = (Suggest){target, NULL, len / 3 + 1 < 4 ? len / 3 + 1 : 4};
}

void suggest_consider(void *ctx, const char *name) {
    Suggest *s = ctx;
    size_t d = edit_distance(s->target, name);
    if (d < s->dist) s->dist = d, s->best = name;
}
