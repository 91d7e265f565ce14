/* ast_build.h — private to lang/: the node arena, the span-stamping constructors the parser
 * calls, and the growable lists it builds. Every constructor returns NULL after recording a
 * syntax error in ctx (the parser then aborts); everything lives in the arena, so an aborted
 * parse frees all of it at once. */
#ifndef SQC_AST_BUILD_H
#define SQC_AST_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "parse.h"

#define SQ_MAX_NESTING 1000 /* deepest syntax tree (and bracket nesting) accepted */

/* A token's or rule's location: byte offsets [start, end) into the source. */
typedef struct SqLoc {
    uint32_t start, end;
} SqLoc;

typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
    ArenaChunk *head;
} Arena;

void *arena_alloc(Arena *arena, size_t size); /* zeroed, max-aligned; out of memory ends the run (mem.h) */
void arena_free(Arena *arena);

typedef struct AstCtx {
    Arena *arena;
    const Source *src;
    SymTab *syms; /* where names are interned */
    ParseError *err;
    bool failed;
} AstCtx;

/* Records the (first) syntax error. */
void ast_error(AstCtx *c, SqLoc loc, bool at_end, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* arena_alloc, or NULL and an "out of memory: ..." error at loc when size does not fit the memory
 * limit (mem_fits: builders that can report an error ask first, docs/reliability.md) */
void *ast_alloc(AstCtx *c, size_t size, SqLoc loc);

typedef struct AstVec {
    Ast **items;
    int count, cap;
} AstVec;

/* A named-or-not item: a call argument (kw NULL when positional), a parameter (value is its
 * default, or NULL), or a record entry. */
typedef struct AstItem {
    Sym kw;
    Ast *value;
    SqLoc loc;
} AstItem;

typedef struct ItemVec {
    AstItem **items;
    int count, cap;
} ItemVec;

AstVec *astvec_new(AstCtx *c, Ast *first, SqLoc loc); /* first NULL: an empty list */
AstVec *astvec_push(AstCtx *c, AstVec *v, Ast *node, SqLoc loc);
AstItem *ast_item(AstCtx *c, Sym kw, Ast *value, SqLoc loc);
AstItem *ast_key_item(AstCtx *c, const char *key, size_t len, Ast *value, SqLoc loc);
ItemVec *itemvec_new(AstCtx *c, AstItem *first, SqLoc loc);
ItemVec *itemvec_push(AstCtx *c, ItemVec *v, AstItem *item, SqLoc loc);

Ast *ast_num(AstCtx *c, double value, SqLoc loc);
Ast *ast_str(AstCtx *c, char *bytes, size_t len, SqLoc loc); /* bytes: arena-owned */
Ast *ast_bool(AstCtx *c, bool value, SqLoc loc);
Ast *ast_leaf(AstCtx *c, AstKind kind, SqLoc loc); /* nil, break, continue */
Ast *ast_name(AstCtx *c, Sym name, SqLoc loc);
Ast *ast_list(AstCtx *c, AstVec *items, SqLoc loc);       /* items NULL: [] */
Ast *ast_record(AstCtx *c, ItemVec *entries, SqLoc loc);  /* entries NULL: {} */
Ast *ast_unary(AstCtx *c, AstOp op, Ast *operand, SqLoc loc);
Ast *ast_binary(AstCtx *c, AstOp op, Ast *left, Ast *right, SqLoc loc);
Ast *ast_call(AstCtx *c, Ast *callee, ItemVec *args, SqLoc loc); /* args NULL: f() */
Ast *ast_index(AstCtx *c, Ast *object, Ast *index, SqLoc loc);
Ast *ast_slice(AstCtx *c, Ast *object, Ast *lo, Ast *hi, SqLoc loc); /* lo, hi NULL: from the start, to the end */
/* `left op right` for a comparison op: a chain when left is an unparenthesized comparison */
Ast *ast_compare(AstCtx *c, AstOp op, Ast *left, Ast *right, SqLoc loc);
Ast *ast_paren(Ast *inner); /* marks a parenthesized expression: (a < b) < c does not chain */
Ast *ast_field(AstCtx *c, Ast *object, Sym name, SqLoc loc);
/* params NULL: none; the body block is made of stmts (NULL: empty) and spans body_loc */
Ast *ast_lambda(AstCtx *c, ItemVec *params, AstVec *stmts, SqLoc body_loc, SqLoc loc);
Ast *ast_if(AstCtx *c, Ast *cond, Ast *then_branch, Ast *else_branch, bool is_expr, SqLoc loc);
Ast *ast_block(AstCtx *c, AstVec *stmts, SqLoc loc); /* stmts NULL: empty block */
Ast *ast_assign_or_def(AstCtx *c, Ast *target, Ast *value, SqLoc loc); /* ASSIGN or FUNDEF */
Ast *ast_compound(AstCtx *c, AstOp op, Ast *target, Ast *value, SqLoc loc); /* target op= value */
Ast *ast_for(AstCtx *c, Sym var, Ast *iter, Ast *body, SqLoc loc);
Ast *ast_while(AstCtx *c, Ast *cond, Ast *body, SqLoc loc);
Ast *ast_return(AstCtx *c, Ast *value, SqLoc loc);
Ast *ast_set(AstCtx *c, Sym name, Ast *value, SqLoc loc);
Ast *ast_import(AstCtx *c, Ast *path, Sym name, SqLoc loc);

#endif
