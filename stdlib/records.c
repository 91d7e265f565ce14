/* records.c — records as values (docs/language.md, "Lists and records"): has, merge, remove,
 * items. Each returns a new record or list and leaves its arguments unchanged. */
#include "registry.h"

static Value pair(Value x, Value y) {
    Value p = val_list_new(2);
    list_push(p.as.list, x);
    list_push(p.as.list, y);
    return p;
}

static bool fn_has(Args *a, Value *out) {
    const SqRecord *r = NULL;
    const SqString *k;
    if (!need_record(a, 0, &r) || !need_str(a, 1, &k)) return false;
    *out = val_bool(record_find(r, k->bytes, k->len) >= 0);
    return true;
}

static bool fn_merge(Args *a, Value *out) {
    const SqRecord *x = NULL, *y = NULL;
    if (!need_record(a, 0, &x) || !need_record(a, 1, &y)) return false;
    Value m = value_retain(*a->v[0]);
    SqRecord *r = record_mut(&m);
    for (int i = 0; i < y->len; i++) record_set(r, y->keys[i]->bytes, y->keys[i]->len, value_retain(y->vals[i]));
    *out = m;
    return true;
}

static bool fn_remove(Args *a, Value *out) {
    const SqRecord *r = NULL;
    const SqString *k;
    if (!need_record(a, 0, &r) || !need_str(a, 1, &k)) return false;
    int at = record_find(r, k->bytes, k->len);
    if (at < 0) return arg_error(a, 1, "the record has no key \"%s\" (test with has(r, k) first)", k->bytes);
    Value copy = val_record_new();
    for (int i = 0; i < r->len; i++)
        if (i != at) record_set(copy.as.rec, r->keys[i]->bytes, r->keys[i]->len, value_retain(r->vals[i]));
    *out = copy;
    return true;
}

static bool fn_items(Args *a, Value *out) {
    const SqRecord *r = NULL;
    if (!need_record(a, 0, &r)) return false;
    *out = val_list_new(r->len);
    for (int i = 0; i < r->len; i++)
        list_push(out->as.list, pair(val_str(r->keys[i]->bytes, r->keys[i]->len), value_retain(r->vals[i])));
    return true;
}

const BuiltinDef builtins_records[] = {
    BUILTIN("has", "r, k", "records", "whether record r has the key k", fn_has),
    BUILTIN("merge", "a, b", "records", "record a with b's fields added (b's value wins for a key in both)", fn_merge),
    BUILTIN("remove", "r, k", "records", "record r without the key k (an error when r lacks it)", fn_remove),
    BUILTIN("items", "r", "records", "a record's [key, value] pairs, in order", fn_items),
    {.name = NULL},
};
