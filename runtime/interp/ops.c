/* ops.c — arithmetic, comparison and concatenation on values. */
#include "ops.h"

#include <math.h>
#include <string.h>

#include "arith.h"
#include "display.h"
#include "numfmt.h"

bool op_operand(const Value *v, Operand *out) {
    switch (v->kind) {
    case VAL_NUM: *out = opnd_num(v->as.num); return true;
    case VAL_BOOL: *out = opnd_num(v->as.boolean ? 1.0 : 0.0); return true;
    case VAL_SAMPLES: *out = opnd_smp(v->as.smp); return true;
    default: return false;
    }
}

static EvStatus kinds_error(Interp *I, AstOp op, const Value *a, const Value *b, Span span) {
    return rt_error(I, span, "cannot apply '%s' to %s and %s", ast_op_text(op), value_kind_name(a),
                    value_kind_name(b));
}

static SmpBinary smp_op_of(AstOp op) {
    switch (op) {
    case OP_ADD: return SB_ADD;
    case OP_SUB: return SB_SUB;
    case OP_MUL: return SB_MUL;
    case OP_DIV: return SB_DIV;
    case OP_IDIV: return SB_IDIV;
    case OP_POW: return SB_POW;
    case OP_EQ: return SB_EQ;
    case OP_NE: return SB_NE;
    case OP_LT: return SB_LT;
    case OP_LE: return SB_LE;
    case OP_GT: return SB_GT;
    case OP_GE: return SB_GE;
    case OP_AND: return SB_AND;
    default: return SB_OR;
    }
}

static bool is_comparison(AstOp op) {
    return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

static bool compare_result(AstOp op, int c) {
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static EvStatus samples_binary(AstOp op, Operand x, Operand y, Value *out) {
    Samples *s = smp_binary(smp_op_of(op), x, y);
    if (is_comparison(op) || op == OP_AND || op == OP_OR) s = smp_mark_bool(s);
    *out = val_samples(s);
    return EV_OK;
}

/* A string longer than I->max_string (100M bytes) or a list longer than I->max_list (10M) is a
 * runaway program (docs/reliability.md); what fits the limits must also fit the memory. */
static EvStatus too_long(Interp *I, Span span, const char *what, size_t limit, const char *unit) {
    char lim[24];
    interp_limit_text(lim, sizeof lim, limit);
    return rt_error(I, span, "the %s would be longer than %s %s", what, lim, unit);
}

static EvStatus concat_strings(Interp *I, const Value *a, const Value *b, Span span, Value *out) {
    if (a->kind == VAL_STR && b->kind == VAL_STR && a->as.str->len + b->as.str->len > I->max_string)
        return too_long(I, span, "joined string", I->max_string, "bytes");
    if (a->kind == VAL_STR && b->kind == VAL_STR) { /* built in place: no second copy */
        size_t la = a->as.str->len, lb = b->as.str->len;
        if (!interp_memory_for(I, span, la + lb, "the joined string")) return EV_ERR;
        SqString *r = sqstr_alloc(la + lb);
        memcpy(r->bytes, a->as.str->bytes, la);
        memcpy(r->bytes + la, b->as.str->bytes, lb);
        *out = val_str_take(r);
        return EV_OK;
    }
    StrBuf sb;
    sb_init(&sb);
    const Value *parts[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (parts[i]->kind == VAL_STR) sb_put(&sb, parts[i]->as.str->bytes, parts[i]->as.str->len);
        else if (!display_value(I, parts[i], &sb, false)) {
            sb_free(&sb);
            return EV_ERR;
        }
    }
    if (sb.len > I->max_string) {
        sb_free(&sb);
        return too_long(I, span, "joined string", I->max_string, "bytes");
    }
    *out = val_str(sb.data ? sb.data : "", sb.len);
    sb_free(&sb);
    return EV_OK;
}

/* "-" * 50, as in Python. */
static EvStatus repeat_string(Interp *I, const Value *s, const Value *n, Span span, Value *out) {
    double times = n->as.num;
    if (times != floor(times)) return rt_error(I, span, "a string can only be repeated a whole number of times, got %s", num_text(&(NumText){0}, times));
    if (times < 0) times = 0;
    if (times * (double)s->as.str->len > (double)I->max_string)
        return too_long(I, span, "repeated string", I->max_string, "bytes");
    size_t len = s->as.str->len ? (size_t)times * s->as.str->len : 0; /* ("" * inf is "") */
    if (!interp_memory_for(I, span, len, "the repeated string")) return EV_ERR;
    SqString *r = sqstr_alloc(len); /* built in place: no second copy of up to 100M bytes */
    for (size_t at = 0; at < len; at += s->as.str->len) memcpy(r->bytes + at, s->as.str->bytes, s->as.str->len);
    *out = val_str_take(r);
    return EV_OK;
}

static int compare_strings(const SqString *a, const SqString *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->bytes, b->bytes, n);
    if (c) return c;
    return (a->len > b->len) - (a->len < b->len);
}

EvStatus op_binary(Interp *I, AstOp op, const Value *a, const Value *b, Span span, Value *out) {
    Operand x, y;
    bool na = op_operand(a, &x), nb = op_operand(b, &y);
    if (na && nb) {
        if (x.node || y.node) return samples_binary(op, x, y, out);
        /* numbers: the arithmetic the kernels use on draws (arith.h) */
        double r = ar_binary(smp_op_of(op), x.num, y.num);
        if (is_comparison(op)) {
            *out = val_bool(r != 0);
            return EV_OK;
        }
        if ((op == OP_DIV || op == OP_IDIV) && y.num == 0)
            return rt_error(I, span, "division by zero");
        *out = val_num(r);
        return EV_OK;
    }
    if (op == OP_ADD && (a->kind == VAL_STR || b->kind == VAL_STR)) return concat_strings(I, a, b, span, out);
    if (op == OP_MUL && ((a->kind == VAL_STR && b->kind == VAL_NUM) || (a->kind == VAL_NUM && b->kind == VAL_STR)))
        return repeat_string(I, a->kind == VAL_STR ? a : b, a->kind == VAL_NUM ? a : b, span, out);
    if (op == OP_ADD && a->kind == VAL_LIST && b->kind == VAL_LIST) {
        size_t len = (size_t)a->as.list->len + (size_t)b->as.list->len;
        if (len > I->max_list) {
            char lim[24];
            interp_limit_text(lim, sizeof lim, I->max_list);
            return rt_error(I, span, "the joined list would have more than %s elements", lim);
        }
        if (!interp_memory_for(I, span, len * sizeof(Value), "the joined list")) return EV_ERR;
        *out = val_list_new(a->as.list->len + b->as.list->len);
        for (int i = 0; i < a->as.list->len; i++) list_push(out->as.list, value_retain(a->as.list->items[i]));
        for (int i = 0; i < b->as.list->len; i++) list_push(out->as.list, value_retain(b->as.list->items[i]));
        return EV_OK;
    }
    if (a->kind == VAL_STR && b->kind == VAL_STR && is_comparison(op)) {
        *out = val_bool(compare_result(op, compare_strings(a->as.str, b->as.str)));
        return EV_OK;
    }
    if ((op == OP_EQ || op == OP_NE) && a->kind != VAL_SAMPLES && b->kind != VAL_SAMPLES) {
        bool eq = value_equal(a, b);
        *out = val_bool(op == OP_EQ ? eq : !eq);
        return EV_OK;
    }
    return kinds_error(I, op, a, b, span);
}

EvStatus op_logic_samples(Interp *I, AstOp op, const Value *a, const Value *b, Span span, Value *out) {
    Operand x, y;
    if (!op_operand(a, &x) || !op_operand(b, &y)) return kinds_error(I, op, a, b, span);
    return samples_binary(op, x, y, out);
}

EvStatus op_unary(Interp *I, AstOp op, const Value *a, Span span, Value *out) {
    if (op == OP_NOT) {
        switch (a->kind) {
        case VAL_BOOL: *out = val_bool(!a->as.boolean); return EV_OK;
        case VAL_NUM: *out = val_bool(ar_not(a->as.num) != 0); return EV_OK;
        case VAL_SAMPLES: *out = val_samples(smp_mark_bool(smp_unary(SU_NOT, a->as.smp))); return EV_OK;
        default: return rt_error(I, span, "cannot apply 'not' to %s", value_kind_name(a));
        }
    }
    switch (a->kind) {
    case VAL_NUM: *out = val_num(ar_neg(a->as.num)); return EV_OK;
    case VAL_BOOL: *out = val_num(ar_neg(a->as.boolean ? 1.0 : 0.0)); return EV_OK;
    case VAL_SAMPLES: *out = val_samples(smp_unary(SU_NEG, a->as.smp)); return EV_OK;
    default: return rt_error(I, span, "cannot negate %s", value_kind_name(a));
    }
}
