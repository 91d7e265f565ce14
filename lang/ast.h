/* ast.h — the syntax tree. Every node carries its source span; all nodes of one
 * parse live in one arena and are freed together with the Program. */
#ifndef SQC_AST_H
#define SQC_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"
#include "symbol.h"

typedef enum AstKind {
    /* expressions */
    AST_NUM,     /* num */
    AST_STR,     /* str.bytes, str.len (escapes already decoded) */
    AST_BOOL,    /* boolean */
    AST_NIL,
    AST_NAME,    /* name */
    AST_LIST,    /* list.items[list.count] */
    AST_RECORD,  /* record.keys[i] (Sym, the key text) and record.values[i] */
    AST_UNARY,   /* unary.op, unary.operand */
    AST_BINARY,  /* binary.op, binary.left, binary.right ("a to b" is OP_TO) */
    AST_CALL,    /* call.callee, call.args[nargs] (positional), call.kw_names/kw_values[nkw] */
    AST_INDEX,   /* index.object, index.index */
    AST_SLICE,   /* slice.object, slice.lo, slice.hi (either may be NULL: xs[:b], xs[a:]) */
    AST_COMPARE, /* compare.operands[count], compare.ops[count - 1]: a chain `a < b <= c` (3+ operands) */
    AST_FIELD,   /* field.object, field.name */
    AST_LAMBDA,  /* func: name NULL, params, body (an AST_BLOCK) */
    AST_IF,      /* cond: cond, then_branch, else_branch (may be NULL), is_expr (then/else form) */
    AST_BLOCK,   /* block.stmts[block.count]; value is the last statement's */
    /* statements */
    AST_ASSIGN,  /* assign.target (AST_NAME, AST_INDEX or AST_FIELD chain on a name), assign.value;
                  * assign.compound: `target op= value` with assign.op (OP_ADD, OP_SUB, OP_MUL, OP_DIV) */
    AST_FUNDEF,  /* func: name, params, body (an expression or an AST_BLOCK) */
    AST_FOR,     /* loop: var, iter, body (AST_BLOCK) */
    AST_WHILE,   /* loop: cond (in iter), body */
    AST_BREAK,
    AST_CONTINUE,
    AST_RETURN,  /* ret.value (may be NULL) */
    AST_SET,     /* set.name (e.g. "samples", "seed"), set.value */
    AST_IMPORT   /* import.path (an AST_STR), import.name: `import "path.sq" as name` */
} AstKind;

typedef enum AstOp {
    OP_NEG, OP_NOT,                                   /* unary */
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_IDIV, OP_POW,  /* arithmetic; ** is OP_POW */
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,         /* comparison */
    OP_AND, OP_OR,                                    /* logic; && and || too */
    OP_TO                                             /* a to b */
} AstOp;

typedef struct Ast Ast;

typedef struct AstParam {
    Sym name;
    Ast *default_value; /* NULL when the parameter is required */
} AstParam;

struct Ast {
    AstKind kind;
    Span span;
    bool percent; /* AST_NUM written with a % suffix: `95%` (0.95) where a percentage is meant is refused */
    union {
        double num;
        bool boolean;
        Sym name;
        struct { char *bytes; size_t len; } str;
        struct { Ast **items; int count; } list;
        struct { Sym *keys; Ast **values; int count; } record;
        struct { AstOp op; Ast *operand; } unary;
        struct { AstOp op; Ast *left, *right; } binary;
        struct { Ast *callee; Ast **args; int nargs; Sym *kw_names; Ast **kw_values; int nkw; } call;
        struct { Ast *object, *index; } index;
        struct { Ast *object, *lo, *hi; } slice;
        struct { AstOp *ops; Ast **operands; int count; } compare;
        struct { Ast *object; Sym name; } field;
        struct { Sym name; AstParam *params; int nparams; Ast *body; } func;
        struct { Ast *cond, *then_branch, *else_branch; bool is_expr; } cond;
        struct { Ast **stmts; int count; } block;
        struct { Ast *target, *value; AstOp op; bool compound; } assign;
        struct { Sym var; Ast *iter; Ast *body; } loop;
        struct { Ast *value; } ret;
        struct { Sym name; Ast *value; } set;
        struct { Ast *path; Sym name; } import;
    } as;
};

/* Calls fn on each child node of n (in source order; absent optional children are skipped). */
void ast_each_child(const Ast *n, void (*fn)(void *ctx, const Ast *child), void *ctx);

const char *ast_op_text(AstOp op); /* "+", "and", "to", ... for messages */
const char *ast_kind_name(AstKind kind);

/* Writes an S-expression-like dump of the tree, one node per line, for tests. */
void ast_dump(FILE *out, const Ast *node, int indent);
/* The same, with spans: each node's head also shows "@START-END" (byte offsets). */
void ast_dump_ex(FILE *out, const Ast *node, int indent, bool spans);

#endif
