/* ast.c — the node arena, the constructors the parser calls, operator names, and the test dump. */
#include "ast.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast_build.h"
#include "mem.h"

/* ---- arena ---- */

#define ARENA_CHUNK (64 * 1024)

struct ArenaChunk {
    ArenaChunk *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
};

void *arena_alloc(Arena *arena, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    ArenaChunk *ch = arena->head;
    if (!ch || ch->cap - ch->used < size) {
        size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
        ArenaChunk *nc = mem_alloc(sizeof *nc + cap);
        nc->used = 0;
        nc->cap = cap;
        if (ch && cap != ARENA_CHUNK) {
            /* a big one-off block: keep filling the current chunk afterwards */
            nc->next = ch->next;
            ch->next = nc;
            memset(nc->data, 0, size);
            nc->used = size;
            return nc->data;
        }
        nc->next = ch;
        arena->head = ch = nc;
    }
    void *p = ch->data + ch->used;
    ch->used += size;
    memset(p, 0, size);
    return p;
}

void arena_free(Arena *arena)
{
    ArenaChunk *ch = arena->head;
    while (ch) {
        ArenaChunk *next = ch->next;
        free(ch);
        ch = next;
    }
    arena->head = NULL;
}

/* ---- errors ---- */

void ast_error(AstCtx *c, SqLoc loc, bool at_end, const char *fmt, ...)
{
    if (c->failed)
        return; /* keep the first error */
    c->failed = true;
    va_list ap;
    va_start(ap, fmt);
    sq_error_vset(c->err, (Span){c->src, loc.start, loc.end}, fmt, ap);
    va_end(ap);
    c->err->at_end = at_end;
}

void *ast_alloc(AstCtx *c, size_t size, SqLoc loc)
{
    char why[160];
    if (!mem_fits(size, why, sizeof why)) { /* a big list's items, say: an error at its place */
        ast_error(c, loc, false, "out of memory: %s", why);
        return NULL;
    }
    return arena_alloc(c->arena, size);
}

/* ---- nodes: each node sits behind a hidden header holding its subtree depth ---- */

typedef struct AstBox {
    int depth;
    bool paren; /* written in parentheses */
    Ast node;
} AstBox;

static AstBox *box_of(const Ast *n)
{
    return (AstBox *)(void *)((char *)(uintptr_t)n - offsetof(AstBox, node));
}

static int depth_of(const Ast *n)
{
    return n ? box_of(n)->depth : 0;
}

static Ast *node_new(AstCtx *c, AstKind kind, SqLoc loc)
{
    AstBox *box = ast_alloc(c, sizeof *box, loc);
    if (!box)
        return NULL;
    box->depth = 1;
    box->node.kind = kind;
    box->node.span = (Span){c->src, loc.start, loc.end};
    return &box->node;
}

/* Stamps n one deeper than its deepest child; NULL (with an error) when that is too deep. */
static Ast *set_depth(AstCtx *c, Ast *n, int deepest_child, SqLoc loc)
{
    if (deepest_child + 1 > SQ_MAX_NESTING) {
        ast_error(c, loc, false, "expression nested too deeply");
        return NULL;
    }
    box_of(n)->depth = deepest_child + 1;
    return n;
}

static Ast *finish(AstCtx *c, Ast *n, const Ast *const *kids, int nkids, SqLoc loc)
{
    int d = 0;
    for (int i = 0; i < nkids; i++) {
        int kd = depth_of(kids[i]);
        if (kd > d)
            d = kd;
    }
    return set_depth(c, n, d, loc);
}

static int vec_grow(AstCtx *c, void ***items, int *cap, int count, SqLoc loc)
{
    if (count < *cap)
        return 1;
    if (*cap > INT32_MAX / 4) {
        ast_error(c, loc, false, "too many items");
        return 0;
    }
    int ncap = *cap ? *cap * 2 : 4;
    void **n = ast_alloc(c, (size_t)ncap * sizeof *n, loc);
    if (!n)
        return 0;
    if (count)
        memcpy(n, *items, (size_t)count * sizeof *n);
    *items = n;
    *cap = ncap;
    return 1;
}

/* A set of names (interned, so compared as pointers) for the "given twice" checks: O(1) a name,
 * so a call or definition with 200K parameters is checked in linear time, not quadratic (#15).
 * It lives in the program's arena. */
typedef struct NameSet {
    Sym *slots;
    size_t mask;
} NameSet;

static bool nameset_init(AstCtx *c, NameSet *set, int count, SqLoc loc)
{
    size_t cap = 16;
    while (cap < (size_t)count * 2)
        cap *= 2;
    set->slots = ast_alloc(c, cap * sizeof *set->slots, loc);
    set->mask = cap - 1;
    if (set->slots)
        memset(set->slots, 0, cap * sizeof *set->slots);
    return set->slots != NULL;
}

/* Adds name; false when it is there already. */
static bool nameset_add(NameSet *set, Sym name)
{
    size_t i = (size_t)(((uintptr_t)name >> 3) * 0x9E3779B97F4A7C15ull) & set->mask;
    for (; set->slots[i]; i = (i + 1) & set->mask)
        if (set->slots[i] == name)
            return false;
    set->slots[i] = name;
    return true;
}

AstVec *astvec_new(AstCtx *c, Ast *first, SqLoc loc)
{
    AstVec *v = ast_alloc(c, sizeof *v, loc);
    if (!v || !first)
        return v;
    return astvec_push(c, v, first, loc);
}

AstVec *astvec_push(AstCtx *c, AstVec *v, Ast *node, SqLoc loc)
{
    if (!node)
        return v;
    void **items = (void **)v->items;
    if (!vec_grow(c, &items, &v->cap, v->count, loc))
        return NULL;
    v->items = (Ast **)items;
    v->items[v->count++] = node;
    return v;
}

AstItem *ast_item(AstCtx *c, Sym kw, Ast *value, SqLoc loc)
{
    AstItem *it = ast_alloc(c, sizeof *it, loc);
    if (!it)
        return NULL;
    it->kw = kw;
    it->value = value;
    it->loc = loc;
    return it;
}

AstItem *ast_key_item(AstCtx *c, const char *key, size_t len, Ast *value, SqLoc loc)
{
    return ast_item(c, sym_intern(c->syms, key, len), value, loc);
}

ItemVec *itemvec_new(AstCtx *c, AstItem *first, SqLoc loc)
{
    ItemVec *v = ast_alloc(c, sizeof *v, loc);
    if (!v)
        return NULL;
    return itemvec_push(c, v, first, loc);
}

ItemVec *itemvec_push(AstCtx *c, ItemVec *v, AstItem *item, SqLoc loc)
{
    void **items = (void **)v->items;
    if (!vec_grow(c, &items, &v->cap, v->count, loc))
        return NULL;
    v->items = (AstItem **)items;
    v->items[v->count++] = item;
    return v;
}

Ast *ast_num(AstCtx *c, double value, SqLoc loc)
{
    Ast *n = node_new(c, AST_NUM, loc);
    if (n) {
        n->as.num = value;
        n->percent = loc.end > loc.start && c->src->text[loc.end - 1] == '%';
    }
    return n;
}

Ast *ast_str(AstCtx *c, char *bytes, size_t len, SqLoc loc)
{
    Ast *n = node_new(c, AST_STR, loc);
    if (n) {
        n->as.str.bytes = bytes;
        n->as.str.len = len;
    }
    return n;
}

Ast *ast_bool(AstCtx *c, bool value, SqLoc loc)
{
    Ast *n = node_new(c, AST_BOOL, loc);
    if (n)
        n->as.boolean = value;
    return n;
}

Ast *ast_leaf(AstCtx *c, AstKind kind, SqLoc loc)
{
    return node_new(c, kind, loc);
}

Ast *ast_name(AstCtx *c, Sym name, SqLoc loc)
{
    Ast *n = node_new(c, AST_NAME, loc);
    if (n)
        n->as.name = name;
    return n;
}

Ast *ast_list(AstCtx *c, AstVec *items, SqLoc loc)
{
    Ast *n = node_new(c, AST_LIST, loc);
    if (!n)
        return NULL;
    if (items) {
        n->as.list.items = items->items;
        n->as.list.count = items->count;
    }
    return finish(c, n, (const Ast *const *)n->as.list.items, n->as.list.count, loc);
}

Ast *ast_record(AstCtx *c, ItemVec *entries, SqLoc loc)
{
    Ast *n = node_new(c, AST_RECORD, loc);
    if (!n)
        return NULL;
    int count = entries ? entries->count : 0;
    if (count) {
        n->as.record.keys = ast_alloc(c, (size_t)count * sizeof(Sym), loc);
        n->as.record.values = ast_alloc(c, (size_t)count * sizeof(Ast *), loc);
        if (!n->as.record.keys || !n->as.record.values)
            return NULL;
        for (int i = 0; i < count; i++) {
            n->as.record.keys[i] = entries->items[i]->kw;
            n->as.record.values[i] = entries->items[i]->value;
        }
    }
    n->as.record.count = count;
    return finish(c, n, (const Ast *const *)n->as.record.values, count, loc);
}

Ast *ast_unary(AstCtx *c, AstOp op, Ast *operand, SqLoc loc)
{
    Ast *n = node_new(c, AST_UNARY, loc);
    if (!n)
        return NULL;
    n->as.unary.op = op;
    n->as.unary.operand = operand;
    const Ast *kids[] = {operand};
    return finish(c, n, kids, 1, loc);
}

Ast *ast_binary(AstCtx *c, AstOp op, Ast *left, Ast *right, SqLoc loc)
{
    Ast *n = node_new(c, AST_BINARY, loc);
    if (!n)
        return NULL;
    n->as.binary.op = op;
    n->as.binary.left = left;
    n->as.binary.right = right;
    const Ast *kids[] = {left, right};
    return finish(c, n, kids, 2, loc);
}

Ast *ast_call(AstCtx *c, Ast *callee, ItemVec *args, SqLoc loc)
{
    Ast *n = node_new(c, AST_CALL, loc);
    if (!n)
        return NULL;
    n->as.call.callee = callee;
    int count = args ? args->count : 0, npos = 0, nkw = 0;
    NameSet kws = {NULL, 0};
    for (int i = 0; i < count; i++) {
        AstItem *it = args->items[i];
        if (!it->kw) {
            if (nkw) {
                ast_error(c, it->loc, false, "positional argument after keyword argument");
                return NULL;
            }
            npos++;
            continue;
        }
        if (!kws.slots && !nameset_init(c, &kws, count - i, loc))
            return NULL;
        if (!nameset_add(&kws, it->kw)) {
            ast_error(c, it->loc, false, "keyword argument '%s' is given twice", it->kw);
            return NULL;
        }
        nkw++;
    }
    if (npos) {
        n->as.call.args = ast_alloc(c, (size_t)npos * sizeof(Ast *), loc);
        if (!n->as.call.args)
            return NULL;
    }
    if (nkw) {
        n->as.call.kw_names = ast_alloc(c, (size_t)nkw * sizeof(Sym), loc);
        n->as.call.kw_values = ast_alloc(c, (size_t)nkw * sizeof(Ast *), loc);
        if (!n->as.call.kw_names || !n->as.call.kw_values)
            return NULL;
    }
    int d = depth_of(callee);
    for (int i = 0; i < count; i++) {
        AstItem *it = args->items[i];
        if (depth_of(it->value) > d)
            d = depth_of(it->value);
        if (it->kw) {
            n->as.call.kw_names[n->as.call.nkw] = it->kw;
            n->as.call.kw_values[n->as.call.nkw++] = it->value;
        } else {
            n->as.call.args[n->as.call.nargs++] = it->value;
        }
    }
    return set_depth(c, n, d, loc);
}

Ast *ast_index(AstCtx *c, Ast *object, Ast *index, SqLoc loc)
{
    Ast *n = node_new(c, AST_INDEX, loc);
    if (!n)
        return NULL;
    n->as.index.object = object;
    n->as.index.index = index;
    const Ast *kids[] = {object, index};
    return finish(c, n, kids, 2, loc);
}

Ast *ast_slice(AstCtx *c, Ast *object, Ast *lo, Ast *hi, SqLoc loc)
{
    Ast *n = node_new(c, AST_SLICE, loc);
    if (!n)
        return NULL;
    n->as.slice.object = object;
    n->as.slice.lo = lo;
    n->as.slice.hi = hi;
    const Ast *kids[] = {object, lo, hi};
    return finish(c, n, kids, 3, loc);
}

static bool is_comparison(AstOp op)
{
    return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

Ast *ast_paren(Ast *inner)
{
    box_of(inner)->paren = true;
    return inner;
}

/* Python's chains: `a < b <= c` is one node whose middle operands are evaluated once. */
Ast *ast_compare(AstCtx *c, AstOp op, Ast *left, Ast *right, SqLoc loc)
{
    bool chain = !box_of(left)->paren && (left->kind == AST_COMPARE ||
                                          (left->kind == AST_BINARY && is_comparison(left->as.binary.op)));
    if (!chain)
        return ast_binary(c, op, left, right, loc);
    int k = left->kind == AST_COMPARE ? left->as.compare.count : 2;
    Ast *n = node_new(c, AST_COMPARE, loc);
    if (!n)
        return NULL;
    Ast **operands = ast_alloc(c, (size_t)(k + 1) * sizeof *operands, loc);
    AstOp *ops = ast_alloc(c, (size_t)k * sizeof *ops, loc);
    if (!operands || !ops)
        return NULL;
    if (left->kind == AST_COMPARE) {
        memcpy(operands, left->as.compare.operands, (size_t)k * sizeof *operands);
        memcpy(ops, left->as.compare.ops, (size_t)(k - 1) * sizeof *ops);
    } else {
        operands[0] = left->as.binary.left;
        operands[1] = left->as.binary.right;
        ops[0] = left->as.binary.op;
    }
    operands[k] = right;
    ops[k - 1] = op;
    n->as.compare.operands = operands;
    n->as.compare.ops = ops;
    n->as.compare.count = k + 1;
    return finish(c, n, (const Ast *const *)operands, k + 1, loc);
}

Ast *ast_field(AstCtx *c, Ast *object, Sym name, SqLoc loc)
{
    Ast *n = node_new(c, AST_FIELD, loc);
    if (!n)
        return NULL;
    n->as.field.object = object;
    n->as.field.name = name;
    const Ast *kids[] = {object};
    return finish(c, n, kids, 1, loc);
}

/* Fills func.params from items: names with optional defaults; required ones first. */
static bool set_params(AstCtx *c, Ast *n, ItemVec *items, SqLoc loc)
{
    int count = items ? items->count : 0;
    if (!count)
        return true;
    AstParam *ps = ast_alloc(c, (size_t)count * sizeof *ps, loc);
    if (!ps)
        return false;
    bool seen_default = false;
    NameSet names;
    if (!nameset_init(c, &names, count, loc))
        return false;
    for (int i = 0; i < count; i++) {
        AstItem *it = items->items[i];
        if (!nameset_add(&names, it->kw)) {
            ast_error(c, it->loc, false, "parameter '%s' is named twice", it->kw);
            return false;
        }
        if (it->value)
            seen_default = true;
        else if (seen_default) {
            ast_error(c, it->loc, false, "parameter '%s' without a default follows one with a default",
                      it->kw);
            return false;
        }
        ps[i].name = it->kw;
        ps[i].default_value = it->value;
    }
    n->as.func.params = ps;
    n->as.func.nparams = count;
    return true;
}

static int max_default_depth(const Ast *n)
{
    int d = 0;
    for (int i = 0; i < n->as.func.nparams; i++) {
        int pd = depth_of(n->as.func.params[i].default_value);
        if (pd > d)
            d = pd;
    }
    return d;
}

static Ast *finish_func(AstCtx *c, Ast *n, SqLoc loc)
{
    int d = depth_of(n->as.func.body), pd = max_default_depth(n);
    return set_depth(c, n, pd > d ? pd : d, loc);
}

Ast *ast_lambda(AstCtx *c, ItemVec *params, AstVec *stmts, SqLoc body_loc, SqLoc loc)
{
    Ast *body = ast_block(c, stmts, body_loc);
    if (!body)
        return NULL;
    Ast *n = node_new(c, AST_LAMBDA, loc);
    if (!n || !set_params(c, n, params, loc))
        return NULL;
    n->as.func.body = body;
    return finish_func(c, n, loc);
}

Ast *ast_if(AstCtx *c, Ast *cond, Ast *then_branch, Ast *else_branch, bool is_expr, SqLoc loc)
{
    Ast *n = node_new(c, AST_IF, loc);
    if (!n)
        return NULL;
    n->as.cond.cond = cond;
    n->as.cond.then_branch = then_branch;
    n->as.cond.else_branch = else_branch;
    n->as.cond.is_expr = is_expr;
    const Ast *kids[] = {cond, then_branch, else_branch};
    return finish(c, n, kids, 3, loc);
}

Ast *ast_block(AstCtx *c, AstVec *stmts, SqLoc loc)
{
    Ast *n = node_new(c, AST_BLOCK, loc);
    if (!n)
        return NULL;
    if (stmts) {
        n->as.block.stmts = stmts->items;
        n->as.block.count = stmts->count;
    }
    return finish(c, n, (const Ast *const *)n->as.block.stmts, n->as.block.count, loc);
}

static bool assignable(const Ast *t)
{
    for (;;) {
        if (t->kind == AST_NAME)
            return true;
        if (t->kind == AST_INDEX)
            t = t->as.index.object;
        else if (t->kind == AST_FIELD)
            t = t->as.field.object;
        else
            return false;
    }
}

static SqLoc loc_of(const Ast *n)
{
    return (SqLoc){n->span.start, n->span.end};
}

static Ast *assign_node(AstCtx *c, Ast *target, Ast *value, SqLoc loc)
{
    Ast *n = node_new(c, AST_ASSIGN, loc);
    if (!n)
        return NULL;
    n->as.assign.target = target;
    n->as.assign.value = value;
    const Ast *kids[] = {target, value};
    return finish(c, n, kids, 2, loc);
}

Ast *ast_assign_or_def(AstCtx *c, Ast *target, Ast *value, SqLoc loc)
{
    if (target->kind == AST_CALL && target->as.call.callee->kind == AST_NAME) {
        Ast *n = node_new(c, AST_FUNDEF, loc);
        if (!n)
            return NULL;
        int np = target->as.call.nargs, nk = target->as.call.nkw;
        if (np + nk) {
            AstParam *ps = ast_alloc(c, (size_t)(np + nk) * sizeof *ps, loc);
            NameSet names;
            if (!ps || !nameset_init(c, &names, np + nk, loc))
                return NULL;
            for (int i = 0; i < np; i++) {
                const Ast *a = target->as.call.args[i];
                if (a->kind != AST_NAME) {
                    ast_error(c, loc_of(a), false,
                              "cannot assign to a call; a function definition takes parameter names");
                    return NULL;
                }
                if (!nameset_add(&names, a->as.name)) {
                    ast_error(c, loc_of(a), false, "parameter '%s' is named twice", a->as.name);
                    return NULL;
                }
                ps[i].name = a->as.name;
            }
            for (int i = 0; i < nk; i++) {
                Sym k = target->as.call.kw_names[i];
                if (!nameset_add(&names, k)) { /* (the call already refused two equal keywords) */
                    ast_error(c, loc_of(target->as.call.kw_values[i]), false,
                              "parameter '%s' is named twice", k);
                    return NULL;
                }
                ps[np + i].name = k;
                ps[np + i].default_value = target->as.call.kw_values[i];
            }
            n->as.func.params = ps;
            n->as.func.nparams = np + nk;
        }
        if (strcmp(target->as.call.callee->as.name, "to") == 0) {
            ast_error(c, loc_of(target->as.call.callee), false,
                      "'to' is a keyword (a to b, to(lo, hi)); it cannot be redefined");
            return NULL;
        }
        n->as.func.name = target->as.call.callee->as.name;
        n->as.func.body = value;
        return finish_func(c, n, loc);
    }
    if (target->kind == AST_SLICE) {
        ast_error(c, loc_of(target), false, "cannot assign to a slice (a slice is a new list)");
        return NULL;
    }
    if (!assignable(target)) {
        ast_error(c, loc_of(target), false, "cannot assign to this expression");
        return NULL;
    }
    return assign_node(c, target, value, loc);
}

Ast *ast_compound(AstCtx *c, AstOp op, Ast *target, Ast *value, SqLoc loc)
{
    if (!assignable(target)) {
        ast_error(c, loc_of(target), false, "'%s=' needs a name, an item xs[i] or a field r.k on its left",
                  ast_op_text(op));
        return NULL;
    }
    Ast *n = assign_node(c, target, value, loc);
    if (n) {
        n->as.assign.op = op;
        n->as.assign.compound = true;
    }
    return n;
}

Ast *ast_for(AstCtx *c, Sym var, Ast *iter, Ast *body, SqLoc loc)
{
    Ast *n = node_new(c, AST_FOR, loc);
    if (!n)
        return NULL;
    n->as.loop.var = var;
    n->as.loop.iter = iter;
    n->as.loop.body = body;
    const Ast *kids[] = {iter, body};
    return finish(c, n, kids, 2, loc);
}

Ast *ast_while(AstCtx *c, Ast *cond, Ast *body, SqLoc loc)
{
    Ast *n = node_new(c, AST_WHILE, loc);
    if (!n)
        return NULL;
    n->as.loop.iter = cond;
    n->as.loop.body = body;
    const Ast *kids[] = {cond, body};
    return finish(c, n, kids, 2, loc);
}

Ast *ast_return(AstCtx *c, Ast *value, SqLoc loc)
{
    Ast *n = node_new(c, AST_RETURN, loc);
    if (!n)
        return NULL;
    n->as.ret.value = value;
    const Ast *kids[] = {value};
    return finish(c, n, kids, 1, loc);
}

Ast *ast_set(AstCtx *c, Sym name, Ast *value, SqLoc loc)
{
    Ast *n = node_new(c, AST_SET, loc);
    if (!n)
        return NULL;
    n->as.set.name = name;
    n->as.set.value = value;
    const Ast *kids[] = {value};
    return finish(c, n, kids, 1, loc);
}

Ast *ast_import(AstCtx *c, Ast *path, Sym name, SqLoc loc)
{
    if (!path)
        return NULL;
    Ast *n = node_new(c, AST_IMPORT, loc);
    if (!n)
        return NULL;
    n->as.import.path = path;
    n->as.import.name = name;
    const Ast *kids[] = {path};
    return finish(c, n, kids, 1, loc);
}

/* ---- walking ---- */

void ast_each_child(const Ast *n, void (*fn)(void *ctx, const Ast *child), void *ctx)
{
#define KID(x) do { if (x) fn(ctx, (x)); } while (0)
    switch (n->kind) {
    case AST_NUM: case AST_STR: case AST_BOOL: case AST_NIL: case AST_NAME:
    case AST_BREAK: case AST_CONTINUE:
        break;
    case AST_LIST:
        for (int i = 0; i < n->as.list.count; i++) KID(n->as.list.items[i]);
        break;
    case AST_RECORD:
        for (int i = 0; i < n->as.record.count; i++) KID(n->as.record.values[i]);
        break;
    case AST_UNARY: KID(n->as.unary.operand); break;
    case AST_BINARY: KID(n->as.binary.left); KID(n->as.binary.right); break;
    case AST_COMPARE:
        for (int i = 0; i < n->as.compare.count; i++) KID(n->as.compare.operands[i]);
        break;
    case AST_CALL:
        KID(n->as.call.callee);
        for (int i = 0; i < n->as.call.nargs; i++) KID(n->as.call.args[i]);
        for (int i = 0; i < n->as.call.nkw; i++) KID(n->as.call.kw_values[i]);
        break;
    case AST_INDEX: KID(n->as.index.object); KID(n->as.index.index); break;
    case AST_SLICE: KID(n->as.slice.object); KID(n->as.slice.lo); KID(n->as.slice.hi); break;
    case AST_FIELD: KID(n->as.field.object); break;
    case AST_LAMBDA: case AST_FUNDEF:
        for (int i = 0; i < n->as.func.nparams; i++) KID(n->as.func.params[i].default_value);
        KID(n->as.func.body);
        break;
    case AST_IF: KID(n->as.cond.cond); KID(n->as.cond.then_branch); KID(n->as.cond.else_branch); break;
    case AST_BLOCK:
        for (int i = 0; i < n->as.block.count; i++) KID(n->as.block.stmts[i]);
        break;
    case AST_ASSIGN: KID(n->as.assign.target); KID(n->as.assign.value); break;
    case AST_FOR: KID(n->as.loop.iter); KID(n->as.loop.body); break;
    case AST_WHILE: KID(n->as.loop.iter); KID(n->as.loop.body); break;
    case AST_RETURN: KID(n->as.ret.value); break;
    case AST_SET: KID(n->as.set.value); break;
    case AST_IMPORT: KID(n->as.import.path); break;
    }
#undef KID
}

/* ---- names ---- */

const char *ast_op_text(AstOp op)
{
    switch (op) {
    case OP_NEG: return "-";
    case OP_NOT: return "not";
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_IDIV: return "//";
    case OP_POW: return "^";
    case OP_EQ: return "==";
    case OP_NE: return "!=";
    case OP_LT: return "<";
    case OP_LE: return "<=";
    case OP_GT: return ">";
    case OP_GE: return ">=";
    case OP_AND: return "and";
    case OP_OR: return "or";
    case OP_TO: return "to";
    }
    return "?";
}

const char *ast_kind_name(AstKind kind)
{
    switch (kind) {
    case AST_NUM: return "num";
    case AST_STR: return "str";
    case AST_BOOL: return "bool";
    case AST_NIL: return "nil";
    case AST_NAME: return "name";
    case AST_LIST: return "list";
    case AST_RECORD: return "record";
    case AST_UNARY: return "unary";
    case AST_BINARY: return "binary";
    case AST_CALL: return "call";
    case AST_INDEX: return "index";
    case AST_SLICE: return "slice";
    case AST_COMPARE: return "compare";
    case AST_FIELD: return "field";
    case AST_LAMBDA: return "lambda";
    case AST_IF: return "if";
    case AST_BLOCK: return "block";
    case AST_ASSIGN: return "assign";
    case AST_FUNDEF: return "fundef";
    case AST_FOR: return "for";
    case AST_WHILE: return "while";
    case AST_BREAK: return "break";
    case AST_CONTINUE: return "continue";
    case AST_RETURN: return "return";
    case AST_SET: return "set";
    case AST_IMPORT: return "import";
    }
    return "?";
}

/* ---- dump ---- */

static void dump_bytes(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (ch < 0x20 || ch == 0x7F)
                fprintf(out, "\\x%02X", ch);
            else
                fputc(ch, out);
        }
    }
    fputc('"', out);
}

/* A name as is when it looks like an identifier, else quoted (record keys can be any text). */
static void dump_sym(FILE *out, Sym s)
{
    size_t n = strlen(s);
    bool ident = n > 0 && !(s[0] >= '0' && s[0] <= '9');
    for (size_t i = 0; i < n && ident; i++) {
        char ch = s[i];
        ident = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '_';
    }
    if (ident)
        fputs(s, out);
    else
        dump_bytes(out, s, n);
}

static void dump_num(FILE *out, double v)
{
    char buf[64];
    if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
        fprintf(out, "%lld", (long long)v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

typedef struct Dumper {
    FILE *out;
    bool spans;
} Dumper;

static void dump_node(const Dumper *d, const Ast *n, int indent);

static void newline_indent(const Dumper *d, int indent)
{
    fputc('\n', d->out);
    for (int i = 0; i < indent; i++)
        fputs("  ", d->out);
}

static void child(const Dumper *d, const Ast *n, int indent)
{
    newline_indent(d, indent);
    dump_node(d, n, indent);
}

static void head(const Dumper *d, const Ast *n, const char *name)
{
    fprintf(d->out, "(%s", name);
    if (d->spans)
        fprintf(d->out, " @%u-%u", n->span.start, n->span.end);
}

static void dump_params(const Dumper *d, const Ast *n, int indent)
{
    for (int i = 0; i < n->as.func.nparams; i++) {
        newline_indent(d, indent);
        fputs("(param ", d->out);
        dump_sym(d->out, n->as.func.params[i].name);
        if (n->as.func.params[i].default_value)
            child(d, n->as.func.params[i].default_value, indent + 1);
        fputc(')', d->out);
    }
}

static void dump_node(const Dumper *d, const Ast *n, int indent)
{
    FILE *out = d->out;
    int in = indent + 1;
    if (!n) {
        fputs("(null)", out);
        return;
    }
    switch (n->kind) {
    case AST_NUM:
        head(d, n, "num");
        fputc(' ', out);
        dump_num(out, n->as.num);
        break;
    case AST_STR:
        head(d, n, "str");
        fputc(' ', out);
        dump_bytes(out, n->as.str.bytes, n->as.str.len);
        break;
    case AST_BOOL:
        head(d, n, "bool");
        fputs(n->as.boolean ? " true" : " false", out);
        break;
    case AST_NIL:
    case AST_BREAK:
    case AST_CONTINUE:
        head(d, n, ast_kind_name(n->kind));
        break;
    case AST_NAME:
        head(d, n, "name");
        fputc(' ', out);
        dump_sym(out, n->as.name);
        break;
    case AST_LIST:
        head(d, n, "list");
        for (int i = 0; i < n->as.list.count; i++)
            child(d, n->as.list.items[i], in);
        break;
    case AST_RECORD:
        head(d, n, "record");
        for (int i = 0; i < n->as.record.count; i++) {
            newline_indent(d, in);
            fputs("(entry ", out);
            dump_sym(out, n->as.record.keys[i]);
            child(d, n->as.record.values[i], in + 1);
            fputc(')', out);
        }
        break;
    case AST_UNARY:
        head(d, n, "unary");
        fprintf(out, " %s", ast_op_text(n->as.unary.op));
        child(d, n->as.unary.operand, in);
        break;
    case AST_BINARY:
        head(d, n, "binary");
        fprintf(out, " %s", ast_op_text(n->as.binary.op));
        child(d, n->as.binary.left, in);
        child(d, n->as.binary.right, in);
        break;
    case AST_CALL:
        head(d, n, "call");
        child(d, n->as.call.callee, in);
        for (int i = 0; i < n->as.call.nargs; i++)
            child(d, n->as.call.args[i], in);
        for (int i = 0; i < n->as.call.nkw; i++) {
            newline_indent(d, in);
            fputs("(kw ", out);
            dump_sym(out, n->as.call.kw_names[i]);
            child(d, n->as.call.kw_values[i], in + 1);
            fputc(')', out);
        }
        break;
    case AST_INDEX:
        head(d, n, "index");
        child(d, n->as.index.object, in);
        child(d, n->as.index.index, in);
        break;
    case AST_SLICE:
        head(d, n, "slice");
        child(d, n->as.slice.object, in);
        child(d, n->as.slice.lo, in); /* (null) for an omitted bound */
        child(d, n->as.slice.hi, in);
        break;
    case AST_COMPARE:
        head(d, n, "compare");
        for (int i = 0; i < n->as.compare.count - 1; i++)
            fprintf(out, " %s", ast_op_text(n->as.compare.ops[i]));
        for (int i = 0; i < n->as.compare.count; i++)
            child(d, n->as.compare.operands[i], in);
        break;
    case AST_FIELD:
        head(d, n, "field");
        fputc(' ', out);
        dump_sym(out, n->as.field.name);
        child(d, n->as.field.object, in);
        break;
    case AST_LAMBDA:
    case AST_FUNDEF:
        head(d, n, ast_kind_name(n->kind));
        if (n->as.func.name) {
            fputc(' ', out);
            dump_sym(out, n->as.func.name);
        }
        dump_params(d, n, in);
        child(d, n->as.func.body, in);
        break;
    case AST_IF:
        head(d, n, n->as.cond.is_expr ? "if-expr" : "if");
        child(d, n->as.cond.cond, in);
        child(d, n->as.cond.then_branch, in);
        if (n->as.cond.else_branch)
            child(d, n->as.cond.else_branch, in);
        break;
    case AST_BLOCK:
        head(d, n, "block");
        for (int i = 0; i < n->as.block.count; i++)
            child(d, n->as.block.stmts[i], in);
        break;
    case AST_ASSIGN:
        head(d, n, "assign");
        if (n->as.assign.compound)
            fprintf(out, " %s=", ast_op_text(n->as.assign.op));
        child(d, n->as.assign.target, in);
        child(d, n->as.assign.value, in);
        break;
    case AST_FOR:
        head(d, n, "for");
        fputc(' ', out);
        dump_sym(out, n->as.loop.var);
        child(d, n->as.loop.iter, in);
        child(d, n->as.loop.body, in);
        break;
    case AST_WHILE:
        head(d, n, "while");
        child(d, n->as.loop.iter, in);
        child(d, n->as.loop.body, in);
        break;
    case AST_RETURN:
        head(d, n, "return");
        if (n->as.ret.value)
            child(d, n->as.ret.value, in);
        break;
    case AST_SET:
        head(d, n, "set");
        fputc(' ', out);
        dump_sym(out, n->as.set.name);
        child(d, n->as.set.value, in);
        break;
    case AST_IMPORT:
        head(d, n, "import");
        fputc(' ', out);
        dump_sym(out, n->as.import.name);
        child(d, n->as.import.path, in);
        break;
    }
    fputc(')', out);
}

void ast_dump_ex(FILE *out, const Ast *node, int indent, bool spans)
{
    Dumper d = {out, spans};
    for (int i = 0; i < indent; i++)
        fputs("  ", out);
    dump_node(&d, node, indent);
    fputc('\n', out);
}

void ast_dump(FILE *out, const Ast *node, int indent)
{
    ast_dump_ex(out, node, indent, false);
}
