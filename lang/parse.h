/* parse.h — the one entry point to the front end; flex and bison stay behind it. */
#ifndef SQC_PARSE_H
#define SQC_PARSE_H

#include <stdbool.h>

#include "ast.h"
#include "source.h"

typedef struct Program Program; /* a parsed source: its AST and the arena it lives in */

typedef struct ParseError {
    char message[512]; /* e.g. "unexpected ')', expecting an expression" */
    Span span;
    bool at_end; /* the error is at end of input: the REPL reads another line */
} ParseError;

/* Parses the whole source. Returns NULL and fills *err on a syntax error.
 * The Program keeps a pointer to src (the caller keeps src alive at least as long). */
Program *parse_program(const Source *src, ParseError *err);
const Ast *program_root(const Program *prog); /* an AST_BLOCK of the top-level statements */
void program_free(Program *prog);

#endif
