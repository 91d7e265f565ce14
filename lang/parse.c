/* parse.c — the front end's one entry point: runs the lexer and parser over a Source. */
#include "parse.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ast_build.h"
#include "parser.h"

struct Program {
    Arena arena;
    const Source *src;
    Ast *root;
};

Program *parse_program(const Source *src, ParseError *err)
{
    memset(err, 0, sizeof *err);
    err->span.src = src;
    Program *prog = calloc(1, sizeof *prog);
    if (!prog) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    prog->src = src;
    ParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.ctx.arena = &prog->arena;
    ps.ctx.src = src;
    ps.ctx.err = err;
    if (src->len > INT_MAX - 2) {
        ast_error(&ps.ctx, (SqLoc){0, 0}, false, "program text is too large");
        free(prog);
        return NULL;
    }
    yyscan_t scanner;
    if (sq_lex_begin(&ps, &scanner) != 0) {
        ast_error(&ps.ctx, (SqLoc){0, 0}, false, "out of memory");
        free(prog);
        return NULL;
    }
    int rc = sq_yyparse(scanner, &ps);
    sq_lex_end(scanner);
    free(ps.brackets);
    if (rc != 0 || !ps.root) {
        if (!ps.ctx.failed)
            ast_error(&ps.ctx, (SqLoc){src->len, src->len}, rc == 0, "syntax error");
        arena_free(&prog->arena);
        free(prog);
        return NULL;
    }
    prog->root = ps.root;
    return prog;
}

const Ast *program_root(const Program *prog)
{
    return prog->root;
}

void program_free(Program *prog)
{
    if (!prog)
        return;
    arena_free(&prog->arena);
    free(prog);
}
