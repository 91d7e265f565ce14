/* list_search.c — searching and reshaping lists (docs/language.md, "Lists and records"):
 * find, any, all, flatten, unique, sort_by, slice, index_of. Every function returns a new value
 * and leaves its argument unchanged. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"

#define MAX_LIST_LEN 10000000 /* as lists.c */

static bool call1(Args *a, int fi, const Value *x, Value *out) {
    return interp_call(a->I, a->v[fi], 1, x, a->call->span, out) == EV_OK;
}

/* A plain truth value: a bool, or a number (non-zero is true); samples differ per draw. */
static bool truth(Args *a, const Value *v, const char *what, bool *yes) {
    if (v->kind == VAL_BOOL || v->kind == VAL_NUM) {
        *yes = v->kind == VAL_BOOL ? v->as.boolean : v->as.num != 0;
        return true;
    }
    return call_error(a, "%s must be a bool, got %s%s", what, value_kind_name(v),
                      v->kind == VAL_SAMPLES ? " (a samples condition differs from draw to draw: use prob(...) for its chance)" : "");
}

/* Whether xs[i] passes f (parameter fi), or, with no f, whether xs[i] is itself true. */
static bool test_item(Args *a, int fi, const SqList *l, int i, bool *yes) {
    if (!has_arg(a, fi)) {
        char what[64];
        snprintf(what, sizeof what, "element %d", i);
        return truth(a, &l->items[i], what, yes);
    }
    Value keep;
    if (!call1(a, fi, &l->items[i], &keep)) return false;
    bool ok = truth(a, &keep, "the function's result", yes);
    value_release(keep);
    return ok;
}

static bool fn_find(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l) || !need_func(a, 1)) return false;
    for (int i = 0; i < l->len; i++) {
        bool yes;
        if (!test_item(a, 1, l, i, &yes)) return false;
        if (yes) {
            *out = value_retain(l->items[i]);
            return true;
        }
    }
    *out = val_nil();
    return true;
}

/* any(xs), all(xs): of bools; any(xs, f), all(xs, f): of f(x). */
static bool any_all(Args *a, bool want, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    if (has_arg(a, 1) && !need_func(a, 1)) return false;
    for (int i = 0; i < l->len; i++) {
        bool yes;
        if (!test_item(a, 1, l, i, &yes)) return false;
        if (yes == want) {
            *out = val_bool(want);
            return true;
        }
    }
    *out = val_bool(!want);
    return true;
}

static bool fn_any(Args *a, Value *out) { return any_all(a, true, out); }
static bool fn_all(Args *a, Value *out) { return any_all(a, false, out); }

static bool fn_flatten(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    long n = 0;
    for (int i = 0; i < l->len; i++) n += l->items[i].kind == VAL_LIST ? l->items[i].as.list->len : 1;
    if (n > MAX_LIST_LEN) return call_error(a, "the flat list would have %ld elements, more than 10M", n);
    *out = val_list_new((int)n);
    for (int i = 0; i < l->len; i++) {
        const Value *x = &l->items[i];
        if (x->kind != VAL_LIST) list_push(out->as.list, value_retain(*x));
        else
            for (int j = 0; j < x->as.list->len; j++) list_push(out->as.list, value_retain(x->as.list->items[j]));
    }
    return true;
}

/* A hash agreeing with value_equal: equal values hash alike (lists and records by length). */
static uint64_t value_hash(const Value *v) {
    uint64_t h = 1469598103934665603ull;
    switch (v->kind) {
    case VAL_NUM:
    case VAL_BOOL: {
        double x = v->kind == VAL_NUM ? v->as.num : v->as.boolean;
        if (x == 0) x = 0; /* -0 equals 0 */
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        return (bits ^ (bits >> 31)) * 0x9E3779B97F4A7C15ull;
    }
    case VAL_STR:
        for (size_t i = 0; i < v->as.str->len; i++) h = (h ^ (unsigned char)v->as.str->bytes[i]) * 1099511628211ull;
        return h;
    case VAL_LIST: return h ^ (uint64_t)v->as.list->len * 31;
    case VAL_RECORD: return h ^ (uint64_t)v->as.rec->len * 37;
    default: return h ^ (uint64_t)v->kind;
    }
}

static bool fn_unique(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    for (int i = 0; i < l->len; i++)
        if (l->items[i].kind == VAL_SAMPLES)
            return arg_error(a, 0, "element %d is samples, which differ draw by draw: unique compares plain values", i);
    size_t cap = 16;
    while (cap < (size_t)l->len * 2) cap *= 2;
    int *slot = mem_alloc(cap * sizeof *slot); /* index into the result, or -1 */
    for (size_t k = 0; k < cap; k++) slot[k] = -1;
    Value result = val_list_new(0);
    for (int i = 0; i < l->len; i++) {
        const Value *x = &l->items[i];
        size_t k = (size_t)value_hash(x) & (cap - 1);
        bool seen = false;
        for (; slot[k] >= 0; k = (k + 1) & (cap - 1))
            if (value_equal(&result.as.list->items[slot[k]], x)) {
                seen = true;
                break;
            }
        if (seen) continue;
        slot[k] = result.as.list->len;
        list_push(result.as.list, value_retain(*x));
    }
    free(slot);
    *out = result;
    return true;
}

typedef struct Keyed {
    Value key;
    int index;
} Keyed;

static int compare_keyed(const void *pa, const void *pb) {
    const Keyed *x = pa, *y = pb;
    int c;
    if (x->key.kind == VAL_NUM) {
        c = (x->key.as.num > y->key.as.num) - (x->key.as.num < y->key.as.num);
    } else {
        const SqString *s = x->key.as.str, *t = y->key.as.str;
        c = memcmp(s->bytes, t->bytes, s->len < t->len ? s->len : t->len);
        if (!c) c = (s->len > t->len) - (s->len < t->len);
    }
    return c ? c : (x->index > y->index) - (x->index < y->index); /* stable */
}

static bool fn_sort_by(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l) || !need_func(a, 1)) return false;
    Keyed *k = mem_calloc((size_t)l->len + 1, sizeof *k);
    bool ok = true; /* calloc made every key nil, which releases as nothing */
    for (int i = 0; i < l->len && ok; i++) {
        k[i].index = i;
        if (!call1(a, 1, &l->items[i], &k[i].key)) {
            ok = false;
            break;
        }
        ValueKind kind = k[i].key.kind;
        if ((kind != VAL_NUM && kind != VAL_STR) || kind != k[0].key.kind)
            ok = call_error(a, "the keys must be all numbers or all strings; the key of element %d is %s", i,
                            value_kind_name(&k[i].key));
        else if (kind == VAL_NUM && isnan(k[i].key.as.num))
            ok = call_error(a, "the key of element %d is NaN, which has no place in an order", i);
    }
    if (ok) {
        if (l->len > 1) qsort(k, (size_t)l->len, sizeof *k, compare_keyed);
        *out = val_list_new(l->len);
        for (int i = 0; i < l->len; i++) list_push(out->as.list, value_retain(l->items[k[i].index]));
    }
    for (int i = 0; i < l->len; i++) value_release(k[i].key);
    free(k);
    return ok;
}

/* A slice bound as xs[a:b] reads it: negative counts from the end, then clamped to [0, len]. */
static bool slice_bound(Args *a, int i, int len, int *pos) {
    double x;
    if (!need_num(a, i, &x)) return false;
    if (x != floor(x)) return arg_error(a, i, "a slice bound must be a whole number, got %s", num_text(&(NumText){0}, x));
    if (x < 0) x += len;
    *pos = x < 0 ? 0 : x > len ? len : (int)x;
    return true;
}

static size_t char_start(const SqString *s, int chars) { /* byte where character `chars` starts */
    size_t i = 0;
    for (int k = 0; k < chars && i < s->len; k++)
        do i++;
        while (i < s->len && ((unsigned char)s->bytes[i] & 0xC0) == 0x80);
    return i;
}

static bool fn_slice(Args *a, Value *out) {
    const Value *x = a->v[0];
    int len = 0;
    if (x->kind == VAL_LIST) len = x->as.list->len;
    else if (x->kind == VAL_STR)
        for (size_t i = 0; i < x->as.str->len; i++) len += ((unsigned char)x->as.str->bytes[i] & 0xC0) != 0x80;
    else return arg_type_error(a, 0, "a list or a string");
    int lo, hi = len;
    if (!slice_bound(a, 1, len, &lo) || (has_arg(a, 2) && !slice_bound(a, 2, len, &hi))) return false;
    if (hi < lo) hi = lo;
    if (x->kind == VAL_STR) {
        size_t from = char_start(x->as.str, lo);
        *out = val_str(x->as.str->bytes + from, char_start(x->as.str, hi) - from);
        return true;
    }
    *out = val_list_new(hi - lo);
    for (int i = lo; i < hi; i++) list_push(out->as.list, value_retain(x->as.list->items[i]));
    return true;
}

static bool fn_index_of(Args *a, Value *out) {
    const SqList *l;
    if (!need_list(a, 0, &l)) return false;
    if (a->v[1]->kind == VAL_SAMPLES)
        return arg_error(a, 1, "samples differ draw by draw: index_of looks for a plain value");
    for (int i = 0; i < l->len; i++)
        if (l->items[i].kind != VAL_SAMPLES && value_equal(&l->items[i], a->v[1])) {
            *out = val_num(i);
            return true;
        }
    *out = val_nil();
    return true;
}

const BuiltinDef builtins_list_search[] = {
    BUILTIN("find", "xs, f", "lists", "the first x where f(x) is true, or nil", fn_find),
    BUILTIN("any", "xs, f=", "lists", "whether f(x) is true for some x (of bools without f)", fn_any),
    BUILTIN("all", "xs, f=", "lists", "whether f(x) is true for every x (of bools without f)", fn_all),
    BUILTIN("flatten", "xs", "lists", "the elements of the inner lists, one level: [[1, 2], 3] -> [1, 2, 3]", fn_flatten),
    BUILTIN("unique", "xs", "lists", "the elements without repeats, first occurrences in order", fn_unique),
    BUILTIN("sort_by", "xs, f", "lists", "xs ordered by the key f(x) (numbers or strings; ties keep their order)", fn_sort_by),
    BUILTIN("slice", "xs, a, b=", "lists", "xs[a:b]: elements a up to b (negative from the end), of a list or string", fn_slice),
    BUILTIN("index_of", "xs, v", "lists", "the index of the first element equal to v, or nil", fn_index_of),
    {.name = NULL},
};
