/* source.h — a program's text, byte spans into it, and caret-style diagnostics. */
#ifndef SQC_SOURCE_H
#define SQC_SOURCE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One loaded program text (a file, `-e` code, stdin, or one REPL entry). */
typedef struct Source {
    char *name;   /* shown in diagnostics: the path, "<command line>", "<stdin>", "<repl>" */
    char *text;   /* NUL-terminated copy; may contain NUL bytes before `len` */
    uint32_t len; /* bytes of text */
} Source;

/* A byte range [start, end) of one source. Every AST node and token carries one. */
typedef struct Span {
    const Source *src;
    uint32_t start, end;
} Span;

/* The largest program text: a file, or standard input, of more is refused (docs/reliability.md). */
#define SOURCE_MAX_BYTES 100000000
#define SOURCE_MAX_TEXT "100 MB (100,000,000 bytes)"

/* Both skip a UTF-8 byte order mark at the start. A file over SOURCE_MAX_BYTES is an error in err;
 * a string of UINT32_MAX bytes or more is NULL. Out of memory ends the run (runtime/base/mem.h). */
Source *source_from_file(const char *path, char *err, size_t errlen);
Source *source_from_string(const char *name, const char *text, size_t len);
void source_free(Source *src);

/* 1-based line and column (column counts bytes) of a byte offset. Computed on demand. */
void source_line_col(const Source *src, uint32_t offset, int *line, int *col);

/* Writes "NAME:LINE:COL: error: MESSAGE\n", the source line, and a caret line
 * ("^" under the first byte, "~" under the rest of the span on that line). */
void diag_print(FILE *out, Span span, const char *message);

/* An error and its place: the one shape of every error sqc reports, the parser's (ParseError),
 * the samples engine's (SampleCtx.err) and the interpreter's (Interp.err). */
typedef struct SqError {
    bool set;
    char message[1024]; /* e.g. "unexpected ')', expecting an expression" */
    Span span;          /* span.src NULL: no place */
    bool at_end;        /* a syntax error at end of input: the REPL reads another line */
} SqError;

/* Sets e to the message at span (whatever it held). */
void sq_error_set(SqError *e, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sq_error_vset(SqError *e, Span span, const char *fmt, va_list ap);
/* Writes e as diag_print does, or "sqc: error: MESSAGE" when it has no place; nothing when unset. */
void sq_error_print(FILE *out, const SqError *e);

/* A span that covers both a and b (same source). */
Span span_join(Span a, Span b);

#endif
