/* value.h — sq values: a tagged union; strings, lists, records and functions are
 * reference-counted heap objects, samples are reference-counted graph nodes.
 *
 * Ownership rule: a Value held in a variable, list, record or frame owns one reference.
 * Functions borrow the Values passed to them (`const Value *` or by value) and every
 * Value they hand back (return value or out-parameter) is owned by the receiver, who
 * must value_release() it. value_retain() makes an extra owned copy.
 * Lists and records have value semantics: they are shared until written, and
 * list_mut()/record_mut() copy a shared one before a write (copy on write). */
#ifndef SQC_VALUE_H
#define SQC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samples.h"
#include "strbuf.h"
#include "symbol.h"

typedef enum ValueKind {
    VAL_NIL, VAL_NUM, VAL_BOOL, VAL_STR, VAL_SAMPLES, VAL_LIST, VAL_RECORD, VAL_FUNC, VAL_BUILTIN
} ValueKind;

typedef struct SqString { int refs; size_t len; char bytes[]; } SqString;
/* `estimates`: made by summary() or percentiles(); the REPL shows its numbers as the summaries
 * do (3 significant digits, K/M/B). A copy made to change it in place does not keep the mark. */
/* `table`: made by sensitivity(); print shows a list of records so marked as an aligned table. */
typedef struct SqList { int refs; int len, cap; struct Value *items; bool estimates, table; } SqList;
/* A record keeps its keys in insertion order; from RECORD_INDEX_FROM keys on, a hash index
 * beside them (open addressing, positions + 1, 0 = empty) makes lookup and insertion O(1). */
typedef struct SqRecord {
    int refs;
    int len, cap;
    SqString **keys;
    struct Value *vals;
    bool estimates;
    int *index, index_cap; /* NULL until the record has RECORD_INDEX_FROM keys */
} SqRecord;
typedef struct SqFunc SqFunc;         /* defined in frame.h: parameters, body, closure */
typedef struct Builtin Builtin;       /* defined in stdlib/registry.h */

typedef struct Value {
    ValueKind kind;
    union {
        double num;
        bool boolean;
        SqString *str;
        Samples *smp;
        SqList *list;
        SqRecord *rec;
        SqFunc *func;
        const Builtin *builtin;
    } as;
} Value;

static inline Value val_nil(void) { return (Value){.kind = VAL_NIL}; }
static inline Value val_num(double x) { return (Value){.kind = VAL_NUM, .as.num = x}; }
static inline Value val_bool(bool b) { return (Value){.kind = VAL_BOOL, .as.boolean = b}; }
Value val_samples(Samples *s);            /* takes the reference */
Value val_str(const char *s, size_t len); /* copies */
Value val_cstr(const char *s);
Value val_str_take(SqString *s);
Value val_list_new(int cap);              /* empty list */
Value val_record_new(void);

Value value_retain(Value v);
void value_release(Value v);

SqFunc *func_retain(SqFunc *f);  /* (frame.c) */
void func_release(SqFunc *f);

const char *value_kind_name(const Value *v); /* "number", "samples", "list", ... */
bool value_is_numeric(const Value *v);      /* number, bool, or samples */

/* Lists. */
SqList *list_mut(Value *v);                  /* unshares v's list for writing */
void list_push(SqList *l, Value item);       /* takes item */

/* Records: insertion-ordered, keys compared as strings. */
SqRecord *record_mut(Value *v);
int record_find(const SqRecord *r, const char *key, size_t len); /* index or -1 */
void record_set(SqRecord *r, const char *key, size_t len, Value val); /* takes val */

SqString *sqstr_new(const char *s, size_t len);
SqString *sqstr_alloc(size_t len); /* len bytes to fill, and the NUL after them */
void sqstr_release(SqString *s);

/* Structural equality of plain values (numbers, strings, bools, nil, lists, records;
 * functions by identity). Not for samples. */
bool value_equal(const Value *a, const Value *b);

#endif
