/* lists.c — lists and records (docs/language.md, "Lists and records"). Lists are values: every
 * function here returns a new list and leaves its argument unchanged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "eval.h"
#include "ops.h"
#include "registry.h"

/* A list of more than I->max_list elements (10M) is a runaway program (docs/reliability.md); one
 * within the limit must also fit the memory. False with the error set when it does not. */
static bool list_fits(Args *a, size_t len) {
    if (len > a->I->max_list) {
        char lim[24];
        interp_limit_text(lim, sizeof lim, a->I->max_list);
        return call_error(a, "%zu elements are too many for a list (at most %s)", len, lim);
    }
    char what[64];
    snprintf(what, sizeof what, "a list of %zu elements", len);
    return interp_memory_for(a->I, a->call->span, len * sizeof(Value), what);
}

static bool fn_len(Args *a, Value *out) {
    const Value *v = a->v[0];
    switch (v->kind) {
    case VAL_LIST: *out = val_num(v->as.list->len); return true;
    case VAL_RECORD: *out = val_num(v->as.rec->len); return true;
    case VAL_STR: {
        size_t n = 0; /* characters: count the bytes that start a UTF-8 sequence */
        for (size_t i = 0; i < v->as.str->len; i++) n += ((unsigned char)v->as.str->bytes[i] & 0xC0) != 0x80;
        *out = val_num((double)n);
        return true;
    }
    default: return arg_type_error(a, 0, "a list, record or string");
    }
}

static bool call1(Args *a, int fi, const Value *x, Value *out) {
    return interp_call(a->I, a->v[fi], 1, x, a->call->span, out) == EV_OK;
}

/* Folds a list with + or *: numbers stay numbers, samples make it per draw. With f
 * (sum(xs, f)) it folds f(x) for each x. */
static bool fold(Args *a, AstOp op, double start, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    bool with_f = has_arg(a, 1);
    if (with_f && !need_func(a, 1)) return false;
    Value acc = val_num(start);
    for (int i = 0; i < l->len; i++) {
        Value next, fx = val_nil();
        if (with_f && !call1(a, 1, &l->items[i], &fx)) {
            value_release(acc);
            return false;
        }
        EvStatus st = op_binary(a->I, op, &acc, with_f ? &fx : &l->items[i], a->span[0], &next);
        value_release(fx);
        if (st != EV_OK) {
            value_release(acc);
            return false;
        }
        value_release(acc);
        acc = next;
    }
    *out = acc;
    return true;
}

static bool fn_sum(Args *a, Value *out) { return fold(a, OP_ADD, 0, out); }
static bool fn_product(Args *a, Value *out) { return fold(a, OP_MUL, 1, out); }

/* Running sums or products ([a, a+b, a+b+c, ...]) by the operators, so per draw on samples. */
static bool running(Args *a, AstOp op, double start, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    Value acc = val_num(start), result = val_list_new(l->len);
    for (int i = 0; i < l->len; i++) {
        Value next;
        if (op_binary(a->I, op, &acc, &l->items[i], a->span[0], &next) != EV_OK) {
            value_release(acc);
            value_release(result);
            return false;
        }
        value_release(acc);
        acc = next;
        list_push(result.as.list, value_retain(acc));
    }
    value_release(acc);
    *out = result;
    return true;
}

static bool fn_cumsum(Args *a, Value *out) { return running(a, OP_ADD, 0, out); }
static bool fn_cumprod(Args *a, Value *out) { return running(a, OP_MUL, 1, out); }

/* [b - a, c - b, ...]: one element fewer than xs (numpy's diff), per draw on samples. */
static bool fn_diff(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    Value result = val_list_new(l->len > 0 ? l->len - 1 : 0);
    for (int i = 1; i < l->len; i++) {
        Value d;
        if (op_binary(a->I, OP_SUB, &l->items[i], &l->items[i - 1], a->span[0], &d) != EV_OK) {
            value_release(result);
            return false;
        }
        list_push(result.as.list, d);
    }
    *out = result;
    return true;
}

static bool fn_map(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l) || !need_func(a, 1)) return false;
    Value result = val_list_new(l->len);
    for (int i = 0; i < l->len; i++) {
        Value y;
        if (!call1(a, 1, &l->items[i], &y)) {
            value_release(result);
            return false;
        }
        list_push(result.as.list, y);
    }
    *out = result;
    return true;
}

static bool fn_filter(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l) || !need_func(a, 1)) return false;
    Value result = val_list_new(0);
    for (int i = 0; i < l->len; i++) {
        Value keep;
        if (!call1(a, 1, &l->items[i], &keep)) goto fail;
        bool yes = keep.kind == VAL_BOOL ? keep.as.boolean : keep.kind == VAL_NUM ? keep.as.num != 0 : false;
        if (keep.kind != VAL_BOOL && keep.kind != VAL_NUM) {
            call_error(a, "the function must return a bool, got %s%s", value_kind_name(&keep),
                       keep.kind == VAL_SAMPLES ? " (a samples condition differs from draw to draw)" : "");
            value_release(keep);
            goto fail;
        }
        value_release(keep);
        if (yes) list_push(result.as.list, value_retain(l->items[i]));
    }
    *out = result;
    return true;
fail:
    value_release(result);
    return false;
}

static bool fn_reduce(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l) || !need_func(a, 2)) return false;
    Value acc = value_retain(*a->v[1]);
    for (int i = 0; i < l->len; i++) {
        Value args[2] = {acc, l->items[i]}, next;
        if (interp_call(a->I, a->v[2], 2, args, a->call->span, &next) != EV_OK) {
            value_release(acc);
            return false;
        }
        value_release(acc);
        acc = next;
    }
    *out = acc;
    return true;
}

static bool fn_range(Args *a, Value *out) {
    long start = 0, stop, step = 1;
    if (has_arg(a, 1)) {
        if (!need_int(a, 0, &start) || !need_int(a, 1, &stop)) return false;
    } else if (!need_int(a, 0, &stop)) {
        return false;
    }
    if (has_arg(a, 2) && !need_int(a, 2, &step)) return false;
    if (step == 0) return arg_error(a, 2, "step must not be 0");
    double count = ceil((double)(stop - start) / (double)step);
    if (count < 0) count = 0;
    if (count > (double)a->I->max_list) {
        char lim[24];
        interp_limit_text(lim, sizeof lim, a->I->max_list);
        return call_error(a, "%.0f elements is too many for a list (at most %s)", count, lim);
    }
    if (!list_fits(a, (size_t)count)) return false;
    *out = val_list_new((int)count);
    for (long i = 0; i < (long)count; i++) list_push(out->as.list, val_num((double)(start + i * step)));
    return true;
}

static Value copy_list(const SqList *l, int extra) {
    Value result = val_list_new(l->len + extra);
    for (int i = 0; i < l->len; i++) list_push(result.as.list, value_retain(l->items[i]));
    return result;
}

static bool fn_append(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    if ((size_t)l->len >= a->I->max_list) {
        char lim[24];
        interp_limit_text(lim, sizeof lim, a->I->max_list);
        return call_error(a, "the list is at its limit of %s elements", lim);
    }
    if (!list_fits(a, (size_t)l->len + 1)) return false;
    *out = copy_list(l, 1);
    list_push(out->as.list, value_retain(*a->v[1]));
    return true;
}

static bool fn_concat(Args *a, Value *out) {
    if (a->v[0]->kind == VAL_STR && a->v[1]->kind == VAL_STR)
        return op_binary(a->I, OP_ADD, a->v[0], a->v[1], a->call->span, out) == EV_OK;
    const SqList *x, *y;
    if (!need_list(a, 0, &x) || !need_list(a, 1, &y)) return false;
    if ((size_t)x->len + (size_t)y->len > a->I->max_list) {
        char lim[24];
        interp_limit_text(lim, sizeof lim, a->I->max_list);
        return call_error(a, "the joined list would have more than %s elements", lim);
    }
    if (!list_fits(a, (size_t)x->len + (size_t)y->len)) return false;
    *out = copy_list(x, y->len);
    for (int i = 0; i < y->len; i++) list_push(out->as.list, value_retain(y->items[i]));
    return true;
}

static bool fn_keys(Args *a, Value *out) {
    const SqRecord *r = NULL;
    if (!need_record(a, 0, &r)) return false;
    *out = val_list_new(r->len);
    for (int i = 0; i < r->len; i++) list_push(out->as.list, val_str(r->keys[i]->bytes, r->keys[i]->len));
    return true;
}

static bool fn_values(Args *a, Value *out) {
    const SqRecord *r = NULL;
    if (!need_record(a, 0, &r)) return false;
    *out = val_list_new(r->len);
    for (int i = 0; i < r->len; i++) list_push(out->as.list, value_retain(r->vals[i]));
    return true;
}

static Value pair(Value x, Value y) {
    Value p = val_list_new(2);
    list_push(p.as.list, x);
    list_push(p.as.list, y);
    return p;
}

static bool fn_zip(Args *a, Value *out) {
    const SqList *x, *y;
    if (!need_list(a, 0, &x) || !need_list(a, 1, &y)) return false;
    int n = x->len < y->len ? x->len : y->len;
    *out = val_list_new(n);
    for (int i = 0; i < n; i++) list_push(out->as.list, pair(value_retain(x->items[i]), value_retain(y->items[i])));
    return true;
}

static bool fn_enumerate(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    *out = val_list_new(l->len);
    for (int i = 0; i < l->len; i++) list_push(out->as.list, pair(val_num(i), value_retain(l->items[i])));
    return true;
}

static int compare_values(const void *pa, const void *pb) {
    const Value *x = pa, *y = pb;
    if (x->kind == VAL_NUM) return (x->as.num > y->as.num) - (x->as.num < y->as.num);
    size_t n = x->as.str->len < y->as.str->len ? x->as.str->len : y->as.str->len;
    int c = memcmp(x->as.str->bytes, y->as.str->bytes, n);
    return c ? c : (x->as.str->len > y->as.str->len) - (x->as.str->len < y->as.str->len);
}

static bool fn_sort(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    for (int i = 0; i < l->len; i++) {
        ValueKind k = l->items[i].kind;
        if ((k != VAL_NUM && k != VAL_STR) || k != l->items[0].kind)
            return arg_error(a, 0, "sort needs a list of numbers or a list of strings; element %d is %s", i,
                             value_kind_name(&l->items[i]));
        if (k == VAL_NUM && isnan(l->items[i].as.num)) return arg_error(a, 0, "cannot sort a list holding NaN");
    }
    *out = copy_list(l, 0);
    if (l->len > 1) qsort(out->as.list->items, (size_t)l->len, sizeof(Value), compare_values);
    return true;
}

static bool fn_reverse(Args *a, Value *out) {
    if (a->v[0]->kind == VAL_STR) {
        const SqString *s = a->v[0]->as.str;
        char *r = mem_alloc(s->len + 1);
        for (size_t i = 0; i < s->len; i++) r[i] = s->bytes[s->len - 1 - i];
        *out = val_str(r, s->len);
        free(r);
        return true;
    }
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    *out = val_list_new(l->len);
    for (int i = l->len - 1; i >= 0; i--) list_push(out->as.list, value_retain(l->items[i]));
    return true;
}

static bool fn_sample_count(Args *a, Value *out) {
    /* a rehearsal evaluates few draws but tells the script the count it is rehearsing for */
    *out = val_num((double)(a->I->rehearsal_n ? a->I->rehearsal_n : a->I->smp.n));
    return true;
}

static bool fn_samples_of(Args *a, Value *out) {
    const Value *v = a->v[0];
    if (v->kind != VAL_SAMPLES) return arg_type_error(a, 0, "samples");
    if (a->I->smp.n > a->I->max_list) {
        char lim[24];
        interp_limit_text(lim, sizeof lim, a->I->max_list);
        return call_error(a, "%zu draws are too many for a list (at most %s)", a->I->smp.n, lim);
    }
    if (!list_fits(a, a->I->smp.n)) return false;
    const double *d = smp_draws(&a->I->smp, v->as.smp);
    if (!d) return rt_error_from_samples(a->I), false;
    *out = val_list_new((int)a->I->smp.n);
    for (size_t i = 0; i < a->I->smp.n; i++) list_push(out->as.list, val_num(d[i]));
    return true;
}

const BuiltinDef builtins_lists[] = {
    BUILTIN("len", "x", "lists", "number of elements of a list or record, or characters of a string", fn_len),
    BUILTIN("sum", "xs, f=", "lists", "sum of a list (samples elements add per draw); sum(xs, f) sums f(x)", fn_sum),
    BUILTIN("product", "xs, f=", "lists", "product of a list; product(xs, f) multiplies f(x)", fn_product),
    BUILTIN("cumsum", "xs", "lists", "running sums: [a, a+b, a+b+c, ...]", fn_cumsum),
    BUILTIN("cumprod", "xs", "lists", "running products: [a, a*b, a*b*c, ...]", fn_cumprod),
    BUILTIN("diff", "xs", "lists", "differences of neighbours: [b-a, c-b, ...] (one fewer element)", fn_diff),
    BUILTIN("map", "xs, f", "lists", "[f(x) for each x]", fn_map),
    BUILTIN("filter", "xs, f", "lists", "the elements x where f(x) is true", fn_filter),
    BUILTIN("reduce", "xs, init, f", "lists", "f(...f(f(init, x0), x1)..., xn)", fn_reduce),
    BUILTIN("range", "a, b=, step=", "lists", "range(n) = [0..n-1], range(a, b) = [a..b-1], range(a, b, step)", fn_range),
    BUILTIN("append", "xs, v", "lists", "xs with v added at the end (as a statement, appends to xs in place)", fn_append),
    BUILTIN("concat", "a, b", "lists", "the elements of a, then those of b", fn_concat),
    BUILTIN("keys", "r", "lists", "a record's keys, in order", fn_keys),
    BUILTIN("values", "r", "lists", "a record's values, in order", fn_values),
    BUILTIN("zip", "a, b", "lists", "[[a0, b0], [a1, b1], ...] up to the shorter length", fn_zip),
    BUILTIN("enumerate", "xs", "lists", "[[0, x0], [1, x1], ...]", fn_enumerate),
    BUILTIN("sort", "xs", "lists", "numbers or strings in ascending order", fn_sort),
    BUILTIN("reverse", "xs", "lists", "the elements in reverse order", fn_reverse),
    BUILTIN("sample_count", "", "run", "N, the number of draws per samples value", fn_sample_count),
    BUILTIN("samples_of", "x", "run", "a samples value's draws as a list (for small N)", fn_samples_of),
    {.name = NULL},
};
