/* parse.h — the one entry point to the front end; flex and bison stay behind it. */
#ifndef SQC_PARSE_H
#define SQC_PARSE_H

#include <stdbool.h>

#include "ast.h"
#include "source.h"

typedef struct Program Program; /* a parsed source: its AST and the arena it lives in */

typedef SqError ParseError; /* a syntax error (source.h); at_end: at the end of input */

/* Parses the whole source, interning its names in syms. Returns NULL and fills *err on a syntax
 * error. The Program keeps a pointer to src and to names of syms (the caller keeps both alive at
 * least as long). */
Program *parse_program(const Source *src, SymTab *syms, ParseError *err);
const Ast *program_root(const Program *prog); /* an AST_BLOCK of the top-level statements */

/* The check that a `//` comment written after code is not silently read as floor division
 * (docs/language.md, "Lexical rules"): `x = 5 // note` parses as 5 // note, so a `//` whose right
 * operand starts, on the same line, with a name that nothing in the program binds and is_known
 * does not know (builtins, earlier REPL entries) is reported as a syntax error. Returns false
 * and fills *err then. */
bool program_check_idiv_names(const Program *prog, bool (*is_known)(void *ctx, Sym name), void *ctx,
                              ParseError *err);
void program_free(Program *prog);

/* Keyword i of the language (lexer.l's table), or NULL past the last. */
const char *sq_keyword(int i);

#endif
