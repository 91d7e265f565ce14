/* parse.c — the front end's one entry point: runs the lexer and parser over a Source. */
#include "parse.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ast_build.h"
#include "mem.h"
#include "parser.h"

#define IDIV_COMMENT "use '#' for a comment after code (a '//' comment must start its line)"

struct Program {
    Arena arena;
    const Source *src;
    Ast *root;
};

/* A syntax error after a `//` that is floor division, on its line, most likely comes from a
 * `//` comment after code (`x = 5 // in dollars`): say so, at the `//`. An error at the end of the
 * input is left alone, for the REPL reads on after `x = 7 //`, and so is a stray closing bracket. */
static void blame_idiv(const ParseState *ps, ParseError *err)
{
    SqLoc d = ps->last_idiv;
    const Source *src = ps->ctx.src;
    if (d.end == 0 || err->span.start < d.start || err->span.start >= src->len ||
        strncmp(err->message, "unmatched", 9) == 0)
        return;
    if (memchr(src->text + d.start, '\n', err->span.start - d.start))
        return;
    snprintf(err->message, sizeof err->message, "'//' here is floor division, not a comment; " IDIV_COMMENT);
    err->span = (Span){src, d.start, d.end};
    err->at_end = false;
}

Program *parse_program(const Source *src, SymTab *syms, ParseError *err)
{
    memset(err, 0, sizeof *err);
    err->span.src = src;
    Program *prog = mem_calloc(1, sizeof *prog);
    prog->src = src;
    ParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.ctx.arena = &prog->arena;
    ps.ctx.src = src;
    ps.ctx.syms = syms;
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
        blame_idiv(&ps, err);
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

/* ---- `a // name` where name is bound nowhere: a `//` comment after code ---- */

typedef struct NameScan {
    Sym *bound;
    int nbound, capbound;
    const Ast **idivs; /* `//` nodes whose right operand starts with a name on the same line */
    int nidivs, capidivs;
} NameScan;

static void bind(NameScan *ns, Sym name)
{
    if (!name)
        return;
    MEM_GROW(ns->bound, ns->capbound, (size_t)ns->nbound + 1);
    ns->bound[ns->nbound++] = name;
}

/* The name an expression starts with (`note` in `note`, `note(1)`, `note.k + 1`), or NULL. */
static const Ast *leading_name(const Ast *n)
{
    for (;;) {
        switch (n->kind) {
        case AST_NAME: return n;
        case AST_BINARY: n = n->as.binary.left; break;
        case AST_COMPARE: n = n->as.compare.operands[0]; break;
        case AST_CALL: n = n->as.call.callee; break;
        case AST_INDEX: n = n->as.index.object; break;
        case AST_SLICE: n = n->as.slice.object; break;
        case AST_FIELD: n = n->as.field.object; break;
        default: return NULL;
        }
    }
}

static void scan_params(NameScan *ns, const Ast *n)
{
    for (int i = 0; i < n->as.func.nparams; i++)
        bind(ns, n->as.func.params[i].name);
}

static void scan(void *ctx, const Ast *n)
{
    NameScan *ns = ctx;
    switch (n->kind) {
    case AST_ASSIGN: {
        const Ast *t = leading_name(n->as.assign.target);
        if (t)
            bind(ns, t->as.name);
        break;
    }
    case AST_FUNDEF: bind(ns, n->as.func.name); scan_params(ns, n); break;
    case AST_LAMBDA: scan_params(ns, n); break;
    case AST_FOR: bind(ns, n->as.loop.var); break;
    case AST_IMPORT: bind(ns, n->as.import.name); break;
    case AST_BINARY:
        if (n->as.binary.op == OP_IDIV) {
            const Ast *name = leading_name(n->as.binary.right);
            const char *text = n->span.src->text;
            uint32_t from = n->as.binary.left->span.end;
            if (name && name->span.start >= from && !memchr(text + from, '\n', name->span.start - from)) {
                MEM_GROW(ns->idivs, ns->capidivs, (size_t)ns->nidivs + 1);
                ns->idivs[ns->nidivs++] = n;
            }
        }
        break;
    default: break;
    }
    ast_each_child(n, scan, ns);
}

bool program_check_idiv_names(const Program *prog, bool (*is_known)(void *ctx, Sym name), void *ctx,
                              ParseError *err)
{
    NameScan ns = {0};
    scan(&ns, prog->root);
    bool ok = true;
    for (int i = 0; i < ns.nidivs && ok; i++) {
        const Ast *d = ns.idivs[i], *name = leading_name(d->as.binary.right);
        bool bound = is_known && is_known(ctx, name->as.name);
        for (int k = 0; k < ns.nbound && !bound; k++)
            bound = ns.bound[k] == name->as.name;
        if (bound)
            continue;
        /* the `//` itself: the first one between the operands */
        const char *text = prog->src->text;
        uint32_t at = d->as.binary.left->span.end;
        while (at + 1 < name->span.start && !(text[at] == '/' && text[at + 1] == '/'))
            at++;
        memset(err, 0, sizeof *err);
        sq_error_set(err, (Span){prog->src, at, at + 2},
                     "'//' here is floor division, and '%s' is not defined; " IDIV_COMMENT, name->as.name);
        ok = false;
    }
    free(ns.bound);
    free(ns.idivs);
    return ok;
}
