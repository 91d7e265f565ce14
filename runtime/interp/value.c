/* value.c — construction, reference counting and equality of sq values. */
#include "value.h"

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* Strings, lists and records can be large: every allocation goes through the memory check. */
#define xmalloc mem_alloc

SqString *sqstr_alloc(size_t len) {
    SqString *str = xmalloc(sizeof *str + len + 1);
    str->refs = 1;
    str->len = len;
    str->bytes[len] = '\0';
    return str;
}

SqString *sqstr_new(const char *s, size_t len) {
    SqString *str = sqstr_alloc(len);
    if (len) memcpy(str->bytes, s, len);
    return str;
}

void sqstr_release(SqString *s) {
    if (s && --s->refs == 0) free(s);
}

Value val_samples(Samples *s) { return (Value){.kind = VAL_SAMPLES, .as.smp = s}; }
Value val_str_take(SqString *s) { return (Value){.kind = VAL_STR, .as.str = s}; }
Value val_str(const char *s, size_t len) { return val_str_take(sqstr_new(s, len)); }
Value val_cstr(const char *s) { return val_str(s, strlen(s)); }

Value val_list_new(int cap) {
    SqList *l = xmalloc(sizeof *l);
    l->refs = 1;
    l->len = 0;
    l->cap = cap > 0 ? cap : 0;
    l->estimates = l->table = false;
    l->items = l->cap ? xmalloc(sizeof(Value) * (size_t)l->cap) : NULL;
    return (Value){.kind = VAL_LIST, .as.list = l};
}

Value val_record_new(void) {
    SqRecord *r = xmalloc(sizeof *r);
    r->refs = 1;
    r->len = r->cap = 0;
    r->keys = NULL;
    r->vals = NULL;
    r->estimates = false;
    r->index = NULL;
    r->index_cap = 0;
    return (Value){.kind = VAL_RECORD, .as.rec = r};
}

Value value_retain(Value v) {
    switch (v.kind) { /* (debug builds) a count at 0 is a value used after it was freed */
    case VAL_STR: sq_assert(v.as.str->refs > 0); v.as.str->refs++; break;
    case VAL_SAMPLES: smp_retain(v.as.smp); break;
    case VAL_LIST: sq_assert(v.as.list->refs > 0); v.as.list->refs++; break;
    case VAL_RECORD: sq_assert(v.as.rec->refs > 0); v.as.rec->refs++; break;
    case VAL_FUNC: func_retain(v.as.func); break;
    default: break;
    }
    return v;
}

static void list_free(SqList *l) {
    for (int i = 0; i < l->len; i++) value_release(l->items[i]);
    free(l->items);
    free(l);
}

static void record_free(SqRecord *r) {
    for (int i = 0; i < r->len; i++) {
        sqstr_release(r->keys[i]);
        value_release(r->vals[i]);
    }
    free(r->keys);
    free(r->vals);
    free(r->index);
    free(r);
}

void value_release(Value v) {
    switch (v.kind) {
    case VAL_STR: sqstr_release(v.as.str); break;
    case VAL_SAMPLES: smp_release(v.as.smp); break;
    case VAL_LIST:
        sq_assert(v.as.list->refs > 0); /* released more often than retained */
        if (--v.as.list->refs == 0) list_free(v.as.list);
        break;
    case VAL_RECORD:
        sq_assert(v.as.rec->refs > 0);
        if (--v.as.rec->refs == 0) record_free(v.as.rec);
        break;
    case VAL_FUNC: func_release(v.as.func); break;
    default: break;
    }
}

const char *value_kind_name(const Value *v) {
    switch (v->kind) {
    case VAL_NIL: return "nil";
    case VAL_NUM: return "number";
    case VAL_BOOL: return "bool";
    case VAL_STR: return "string";
    case VAL_SAMPLES: return smp_is_bool(v->as.smp) ? "bool samples" : "samples";
    case VAL_LIST: return "list";
    case VAL_RECORD: return "record";
    case VAL_FUNC:
    case VAL_BUILTIN: return "function";
    }
    return "value";
}

bool value_is_numeric(const Value *v) {
    return v->kind == VAL_NUM || v->kind == VAL_BOOL || v->kind == VAL_SAMPLES;
}

SqList *list_mut(Value *v) {
    SqList *l = v->as.list;
    if (l->refs == 1) return l;
    Value copy = val_list_new(l->len);
    for (int i = 0; i < l->len; i++) list_push(copy.as.list, value_retain(l->items[i]));
    l->refs--;
    *v = copy;
    return copy.as.list;
}

void list_push(SqList *l, Value item) {
    MEM_GROW_FROM(l->items, l->cap, (size_t)l->len + 1, 4);
    l->items[l->len++] = item;
}

SqRecord *record_mut(Value *v) {
    SqRecord *r = v->as.rec;
    if (r->refs == 1) return r;
    Value copy = val_record_new();
    for (int i = 0; i < r->len; i++)
        record_set(copy.as.rec, r->keys[i]->bytes, r->keys[i]->len, value_retain(r->vals[i]));
    r->refs--;
    *v = copy;
    return copy.as.rec;
}

/* Below this many keys a linear scan is as fast as hashing. */
#define RECORD_INDEX_FROM 8

static size_t hash_key(const char *key, size_t len) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

static bool key_is(const SqString *k, const char *key, size_t len) {
    return k->len == len && memcmp(k->bytes, key, len) == 0;
}

/* The index slot that holds key, or the empty slot where it would go. */
static int *index_slot(const SqRecord *r, const char *key, size_t len) {
    size_t mask = (size_t)r->index_cap - 1;
    for (size_t i = hash_key(key, len) & mask;; i = (i + 1) & mask) {
        int *slot = &r->index[i];
        if (!*slot || key_is(r->keys[*slot - 1], key, len)) return slot;
    }
}

/* Rebuilds the index with room for twice the keys (kept at most half full). */
static void index_rebuild(SqRecord *r) {
    int cap = 16;
    while (cap < r->len * 4) cap *= 2;
    free(r->index);
    r->index = xmalloc(sizeof(int) * (size_t)cap);
    memset(r->index, 0, sizeof(int) * (size_t)cap);
    r->index_cap = cap;
    for (int i = 0; i < r->len; i++) *index_slot(r, r->keys[i]->bytes, r->keys[i]->len) = i + 1;
}

int record_find(const SqRecord *r, const char *key, size_t len) {
    if (r->index) return *index_slot(r, key, len) - 1;
    for (int i = 0; i < r->len; i++)
        if (key_is(r->keys[i], key, len)) return i;
    return -1;
}

void record_set(SqRecord *r, const char *key, size_t len, Value val) {
    int i = record_find(r, key, len);
    if (i >= 0) {
        value_release(r->vals[i]);
        r->vals[i] = val;
        return;
    }
    int keys_cap = r->cap; /* keys and vals share one capacity: both grow alike */
    MEM_GROW_FROM(r->keys, keys_cap, (size_t)r->len + 1, 4);
    MEM_GROW_FROM(r->vals, r->cap, (size_t)r->len + 1, 4);
    r->keys[r->len] = sqstr_new(key, len);
    r->vals[r->len] = val;
    r->len++;
    if (r->index && r->len * 2 <= r->index_cap) *index_slot(r, key, len) = r->len;
    else if (r->len >= RECORD_INDEX_FROM) index_rebuild(r);
}

bool value_equal(const Value *a, const Value *b) {
    if (a->kind == VAL_BOOL && b->kind == VAL_BOOL) return a->as.boolean == b->as.boolean;
    if ((a->kind == VAL_NUM || a->kind == VAL_BOOL) && (b->kind == VAL_NUM || b->kind == VAL_BOOL)) {
        double x = a->kind == VAL_NUM ? a->as.num : a->as.boolean;
        double y = b->kind == VAL_NUM ? b->as.num : b->as.boolean;
        return x == y;
    }
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case VAL_NIL: return true;
    case VAL_STR:
        return a->as.str->len == b->as.str->len &&
               memcmp(a->as.str->bytes, b->as.str->bytes, a->as.str->len) == 0;
    case VAL_LIST:
        if (a->as.list->len != b->as.list->len) return false;
        for (int i = 0; i < a->as.list->len; i++)
            if (!value_equal(&a->as.list->items[i], &b->as.list->items[i])) return false;
        return true;
    case VAL_RECORD: {
        const SqRecord *x = a->as.rec, *y = b->as.rec;
        if (x->len != y->len) return false;
        for (int i = 0; i < x->len; i++) {
            int j = record_find(y, x->keys[i]->bytes, x->keys[i]->len);
            if (j < 0 || !value_equal(&x->vals[i], &y->vals[j])) return false;
        }
        return true;
    }
    case VAL_FUNC: return a->as.func == b->as.func;
    case VAL_BUILTIN: return a->as.builtin == b->as.builtin;
    case VAL_SAMPLES: return a->as.smp == b->as.smp;
    default: return false;
    }
}
