/* frame.c — scopes as open-addressing hash maps keyed by interned name pointers. */
#include "frame.h"

#include "mem.h"

#include "check.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Slot {
    Sym name; /* NULL: empty */
    Value value;
} Slot;

struct Frame {
    int refs;
    Frame *parent;
    Slot *slots;
    int cap, used;
    FrameList *live;              /* the interpreter's list, for frame_release_all */
    Frame *prev_live, *next_live;
};

#define xcalloc mem_calloc

Frame *frame_new(FrameList *live, Frame *parent) {
    Frame *f = xcalloc(1, sizeof *f);
    f->refs = 1;
    f->parent = parent ? frame_retain(parent) : NULL;
    f->cap = 8;
    f->slots = xcalloc((size_t)f->cap, sizeof(Slot));
    f->live = live;
    f->next_live = live->head;
    if (live->head) live->head->prev_live = f;
    live->head = f;
    return f;
}

Frame *frame_retain(Frame *f) {
    sq_assert(f->refs > 0); /* (debug builds) a frame used after it was freed */
    f->refs++;
    return f;
}

static void frame_clear(Frame *f) {
    for (int i = 0; i < f->cap; i++) {
        if (!f->slots[i].name) continue;
        Value v = f->slots[i].value;
        f->slots[i].name = NULL;
        f->slots[i].value = val_nil();
        value_release(v);
    }
    f->used = 0;
}

void frame_release(Frame *f) {
    sq_assert(!f || f->refs > 0);
    while (f && --f->refs == 0) {
        Frame *parent = f->parent;
        frame_clear(f);
        free(f->slots);
        if (f->prev_live) f->prev_live->next_live = f->next_live;
        else f->live->head = f->next_live;
        if (f->next_live) f->next_live->prev_live = f->prev_live;
        free(f);
        f = parent;
    }
}

void frame_release_all(FrameList *live) {
    /* Hold every frame, empty them all (which drops the closures that form cycles),
     * then let go: each frame's count falls to what the cycles held, i.e. zero. */
    int n = 0;
    for (Frame *f = live->head; f; f = f->next_live) n++;
    if (!n) return;
    Frame **all = xcalloc((size_t)n, sizeof *all);
    int i = 0;
    for (Frame *f = live->head; f; f = f->next_live) all[i++] = frame_retain(f);
    for (i = 0; i < n; i++) frame_clear(all[i]);
    for (i = 0; i < n; i++) frame_release(all[i]);
    free(all);
}

static size_t hash_sym(Sym s) { return (size_t)(((uintptr_t)s >> 3) * 0x9E3779B97F4A7C15ull); }

static Slot *find_slot(Frame *f, Sym name) {
    size_t mask = (size_t)f->cap - 1;
    for (size_t i = hash_sym(name) & mask;; i = (i + 1) & mask)
        if (f->slots[i].name == name || !f->slots[i].name) return &f->slots[i];
}

Value *frame_lookup_local(Frame *f, Sym name) {
    Slot *s = find_slot(f, name);
    return s->name ? &s->value : NULL;
}

Value *frame_lookup(Frame *f, Sym name) {
    for (; f; f = f->parent) {
        Value *v = frame_lookup_local(f, name);
        if (v) return v;
    }
    return NULL;
}

static void grow(Frame *f) {
    Slot *old = f->slots;
    int oldcap = f->cap;
    f->cap *= 2;
    f->slots = xcalloc((size_t)f->cap, sizeof(Slot));
    for (int i = 0; i < oldcap; i++)
        if (old[i].name) *find_slot(f, old[i].name) = old[i];
    free(old);
}

void frame_set(Frame *f, Sym name, Value v) {
    Slot *s = find_slot(f, name);
    if (s->name) {
        Value old = s->value;
        s->value = v;
        value_release(old);
        return;
    }
    s->name = name;
    s->value = v;
    if (++f->used * 4 > f->cap * 3) grow(f);
}

void frame_each(Frame *f, void (*fn)(void *ctx, Sym name), void *ctx) {
    for (int i = 0; i < f->cap; i++)
        if (f->slots[i].name) fn(ctx, f->slots[i].name);
}

struct FrameSnapshot {
    Slot *slots;
    int cap, used;
};

FrameSnapshot *frame_snapshot(const Frame *f) {
    FrameSnapshot *snap = xcalloc(1, sizeof *snap);
    snap->slots = xcalloc((size_t)f->cap, sizeof(Slot));
    snap->cap = f->cap;
    snap->used = f->used;
    for (int i = 0; i < f->cap; i++)
        if (f->slots[i].name) snap->slots[i] = (Slot){f->slots[i].name, value_retain(f->slots[i].value)};
    return snap;
}

void frame_restore(Frame *f, FrameSnapshot *snap) {
    frame_clear(f);
    free(f->slots);
    f->slots = snap->slots;
    f->cap = snap->cap;
    f->used = snap->used;
    free(snap);
}

void frame_snapshot_free(FrameSnapshot *snap) {
    if (!snap) return;
    for (int i = 0; i < snap->cap; i++)
        if (snap->slots[i].name) value_release(snap->slots[i].value);
    free(snap->slots);
    free(snap);
}

/* ---------- functions ---------- */

SqFunc *func_retain(SqFunc *fn) {
    fn->refs++;
    return fn;
}

void func_release(SqFunc *fn) {
    if (fn && --fn->refs == 0) {
        frame_release(fn->closure);
        free(fn);
    }
}
