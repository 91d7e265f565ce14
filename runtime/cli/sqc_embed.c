/* sqc_embed.c — sqc as a library (sqc_embed.h): an interpreter with the standard library opened
 * into it, its output and errors routed to callbacks. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include "sqc_embed.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "embed_state.h"
#include "display.h"
#include "eval.h"
#include "json_out.h"
#include "mem.h"
#include "parse.h"
#include "strbuf.h"

static ssize_t write_out(void *cookie, const char *buf, size_t len) {
    SqcInterp *S = cookie;
    S->out_fn(S->out_ctx, buf, len);
    return (ssize_t)len;
}

static ssize_t write_err(void *cookie, const char *buf, size_t len) {
    SqcInterp *S = cookie;
    S->err_fn(S->err_ctx, buf, len);
    return (ssize_t)len;
}

/* A stream that hands what is written to fn (fully buffered: flushed at the end of each run). */
static FILE *callback_stream(SqcInterp *S, ssize_t (*write)(void *, const char *, size_t)) {
    FILE *fp = fopencookie(S, "w", (cookie_io_functions_t){.write = write});
    if (!fp) mem_fail("cannot open a stream for the interpreter's output");
    return fp;
}

SqcInterp *sqc_open(const SqcConfig *config) {
    SqcConfig c = config ? *config : (SqcConfig){0};
    SqcInterp *S = mem_calloc(1, sizeof *S);
    S->out_fn = c.out, S->out_ctx = c.out_ctx;
    S->err_fn = c.err, S->err_ctx = c.err_ctx;
    S->own_out = c.out != NULL, S->own_err = c.err != NULL;
    S->out = c.out ? callback_stream(S, write_out) : stdout;
    S->err = c.err ? callback_stream(S, write_err) : stderr;
    Interp *I = &S->I;
    interp_init(I, S->out);
    stdlib_open(I);
    if (c.samples) I->smp.n = c.samples, I->samples_fixed = true;
    if (c.seed_given) I->smp.seed = c.seed, I->seed_fixed = true;
    I->smp.threads = c.threads > 0 ? c.threads : 1;
    I->ascii = c.ascii;
    return S;
}

Interp *sqc_interp(SqcInterp *S) { return &S->I; }

static void keep_error(SqcInterp *S, const SqError *e) { S->error = *e; }

int sqc_run(SqcInterp *S, const char *name, const char *text, size_t len, bool show_last) {
    Interp *I = &S->I;
    S->error.set = false;
    atomic_store(&I->smp.stop, SMP_STOP_NONE); /* a request made between runs stops nothing */
    Source *src = source_from_string(name, text, len);
    ParseError perr;
    Value last;
    EvStatus st = interp_run(I, src, &perr, show_last ? &last : NULL);
    fflush(I->out);
    if (st == EV_OK && show_last) {
        if (last.kind != VAL_NIL) {
            StrBuf sb;
            sb_init(&sb);
            if (display_value(I, &last, &sb, true)) sb_putc(&sb, '\n'), fwrite(sb.data, 1, sb.len, I->out);
            else st = EV_ERR;
            sb_free(&sb);
        }
        value_release(last);
        fflush(I->out);
    }
    atomic_store(&I->smp.stop, SMP_STOP_NONE);
    if (st == EV_OK) return 0;
    keep_error(S, I->err.set ? &I->err : &perr);
    sq_error_print(S->err, &S->error);
    fflush(S->err);
    return 1;
}

const char *sqc_error(SqcInterp *S, int *line, int *col) {
    int l = 0, c = 0;
    if (S->error.set && S->error.span.src) source_line_col(S->error.span.src, S->error.span.start, &l, &c);
    if (line) *line = l;
    if (col) *col = c;
    return S->error.set ? S->error.message : NULL;
}

char *sqc_summary(SqcInterp *S, const char *name, SqcFormat format) {
    Interp *I = &S->I;
    S->error.set = false;
    Value v;
    if (!interp_get_global(I, sym_intern_cstr(&I->syms, name), &v)) {
        sq_error_set(&S->error, (Span){0}, "no global named '%s'", name);
        return NULL;
    }
    StrBuf sb;
    sb_init(&sb);
    I->err.set = false;
    bool ok = format == SQC_JSON ? json_value(I, &v, &sb, 0) : display_value(I, &v, &sb, true);
    if (!ok) {
        if (I->err.set) keep_error(S, &I->err);
        else sq_error_set(&S->error, (Span){0}, "cannot summarize '%s'", name);
        sb_free(&sb);
        return NULL;
    }
    return sb_take(&sb);
}

void sqc_settings(SqcInterp *S, size_t *samples, uint64_t *seed) {
    if (samples) *samples = S->I.smp.n;
    if (seed) *seed = S->I.smp.seed;
}

void sqc_set_errors(SqcInterp *S, SqcWrite err, void *ctx) {
    fflush(S->err);
    if (S->own_err) fclose(S->err);
    S->err_fn = err, S->err_ctx = ctx, S->own_err = err != NULL;
    S->err = err ? callback_stream(S, write_err) : stderr;
}

SqcCompleteness sqc_completeness(SqcInterp *S, const char *text, size_t len) {
    ParseError perr;
    Source *source = source_from_string("<entry>", text, len);
    Program *prog = parse_program(source, &S->I.syms, &perr);
    SqcCompleteness c = prog ? SQC_WHOLE : perr.at_end ? SQC_INCOMPLETE : SQC_INVALID;
    program_free(prog);
    source_free(source);
    return c;
}

void sqc_interrupt(SqcInterp *S) { atomic_store(&S->I.smp.stop, SMP_STOP_INTERRUPT); }

void sqc_close(SqcInterp *S) {
    if (!S) return;
    interp_free(&S->I);
    if (S->own_out) fclose(S->out); /* stdout and stderr are the caller's to flush (sqc reports a
                                     * failed flush of stdout with its errno) */
    if (S->own_err) fclose(S->err);
    free(S);
}
