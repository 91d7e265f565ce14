/* frame.h — scopes: a hash map from interned names to values, with a parent link.
 * Frames are reference-counted (closures keep their defining frame alive). Because a
 * frame can hold a function that holds the frame, every frame is also on its interpreter's
 * list (Interp.frames) so frame_release_all() can break such cycles when it shuts down. */
#ifndef SQC_FRAME_H
#define SQC_FRAME_H

#include "ast.h"
#include "symbol.h"
#include "value.h"

/* A scope: the top level or one function call. Blocks and loops share their frame
 * (as in Python): a name assigned in a loop body is visible after the loop. */
typedef struct Frame Frame;

/* A user function or lambda: its parameters and body point into a program the interpreter keeps
 * (Interp.programs); it keeps its defining frame alive. func_retain/func_release: value.h. */
struct SqFunc {
    int refs;
    Sym name;            /* NULL for a lambda */
    const AstParam *params;
    int nparams;
    const Ast *body;
    Frame *closure;      /* where the function was defined */
};

/* Every live frame of one interpreter. */
typedef struct FrameList {
    Frame *head;
} FrameList;

Frame *frame_new(FrameList *live, Frame *parent); /* on live; retains parent */
Frame *frame_retain(Frame *f);
void frame_release(Frame *f);
void frame_release_all(FrameList *live); /* at shutdown: clears every frame's bindings */

Value *frame_lookup(Frame *f, Sym name);    /* walks parents; NULL if unbound */
Value *frame_lookup_local(Frame *f, Sym name);
void frame_set(Frame *f, Sym name, Value v); /* takes v; binds in f itself */
void frame_each(Frame *f, void (*fn)(void *ctx, Sym name), void *ctx);

/* A frame's own bindings as they are now (the values retained), so that they can be put back:
 * the REPL takes one before each entry and restores it when the entry is interrupted. Values
 * are copy-on-write (value.h), so a binding changed in place afterwards does not change the
 * snapshot's. frame_restore makes f's bindings the snapshot's and frees it. */
typedef struct FrameSnapshot FrameSnapshot;
FrameSnapshot *frame_snapshot(const Frame *f);
void frame_restore(Frame *f, FrameSnapshot *snap);
void frame_snapshot_free(FrameSnapshot *snap);

#endif
