/* eval.c — the tree-walking evaluator: expressions, statements, calls and scopes. */
#include "eval.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "display.h"
#include "frame.h"
#include "mem.h"
#include "ops.h"
#include "registry.h"
#include "numfmt.h"
#include "timings.h"

static EvStatus eval(Interp *I, const Ast *n, Frame *f, Value *out);
static EvStatus eval_node(Interp *I, const Ast *n, Frame *f, Value *out);

/* ---------- functions ---------- */

static Value make_func(Sym name, const AstParam *params, int nparams, const Ast *body, Frame *closure) {
    SqFunc *fn = mem_calloc(1, sizeof *fn);
    fn->refs = 1;
    fn->name = name;
    fn->params = params;
    fn->nparams = nparams;
    fn->body = body;
    fn->closure = frame_retain(closure);
    return (Value){.kind = VAL_FUNC, .as.func = fn};
}

static EvStatus eval_import(Interp *I, const Ast *n, Frame *f);
static void keep_program(Interp *I, Program *p, Source *src);
static EvStatus run_statements(Interp *I, const Ast *root, Frame *f, Value *last);

/* ---------- memory ---------- */

/* Out of memory where the run cannot unwind (inside the samples engine, say): the error at the
 * node being evaluated, then exit status 1 (mem.h). */
static void report_out_of_memory(void *ctx, const char *message) {
    Interp *I = ctx;
    fflush(I->out);
    fflush(stdout);
    if (I->node && I->node->span.src) diag_print(stderr, I->node->span, message);
    else fprintf(stderr, "sqc: error: %s\n", message);
    _exit(1);
}

/* ---------- names ---------- */

/* The source text of span when it is short and on one line, else `dflt`. */
static void span_text(Span span, const char *dflt, char *buf, size_t cap) {
    size_t n = span.end - span.start;
    const char *t = span.src ? span.src->text + span.start : NULL;
    if (!t || n == 0 || n > 40 || memchr(t, '\n', n)) snprintf(buf, cap, "%s", dflt);
    else snprintf(buf, cap, "%.*s", (int)n, t);
}

/* `normal(0, 1)`: the two arguments of the call that follows span, when it is that simple. */
static bool two_args_after(Span span, char *a, char *b, size_t cap) {
    if (!span.src) return false;
    const char *t = span.src->text, *end = t + span.src->len, *p = t + span.end;
    if (p >= end || *p != '(') return false;
    const char *arg[2] = {p + 1, NULL}, *close = NULL;
    int depth = 0, commas = 0;
    for (const char *q = p + 1; q < end && !close; q++) {
        if (*q == '(' || *q == '[' || *q == '{') depth++;
        else if ((*q == ')' || *q == ']' || *q == '}') && depth) depth--;
        else if (*q == ')') close = q;
        else if (*q == ',' && !depth && ++commas == 1) arg[1] = q + 1;
        else if (*q == '\n') return false;
    }
    if (!close || commas != 1) return false;
    const char *e[2] = {arg[1] - 1, close};
    for (int i = 0; i < 2; i++) {
        const char *s = arg[i], *z = e[i];
        while (s < z && *s == ' ') s++;
        while (z > s && z[-1] == ' ') z--;
        if (z == s || z - s > 30 || memchr(s, '=', (size_t)(z - s))) return false;
        snprintf(i ? b : a, cap, "%.*s", (int)(z - s), s);
    }
    return true;
}

/* Names from Python and squigglepy, and what to write instead (docs/language.md, "Coming from
 * Python"). Returns false when there is nothing to say about this one. */
static bool name_hint(Sym name, Span span, char *hint, size_t cap) {
    static const struct { const char *name, *hint; } HINTS[] = {
        {"True", "write true"},
        {"False", "write false"},
        {"None", "write nil"},
        {"elif", "write 'else if'"},
        {"get_percentiles", "write percentiles(x, [5, 50, 95])"},
        {"get_mean_and_ci", "write summary(x) (mean, sd, p5, p50, p95), or mean(x) and percentiles(x, [5, 95])"},
        {"lognormal", "write lognorm(lo, hi) for the 90% interval lo to hi, or lognorm(mu=, sigma=)"},
    };
    for (size_t i = 0; i < sizeof HINTS / sizeof *HINTS; i++)
        if (!strcmp(name, HINTS[i].name)) {
            snprintf(hint, cap, "%s", HINTS[i].hint);
            return true;
        }
    if (!strcmp(name, "sq") && span.src && span.end < span.src->len && span.src->text[span.end] == '.') {
        const char *f = span.src->text + span.end + 1, *e = span.src->text + span.src->len;
        int n = 0;
        while (f + n < e && n < 30 && (isalnum((unsigned char)f[n]) || f[n] == '_')) n++;
        snprintf(hint, cap, "drop 'sq.': the builtins are called by their names, %.*s(...) rather than sq.%.*s(...)",
                 n ? n : 4, n ? f : "norm", n ? n : 4, n ? f : "norm");
        return true;
    }
    if (!strcmp(name, "normal")) {
        char a[32], b[32], text[320];
        if (two_args_after(span, a, b, sizeof a)) {
            snprintf(text, sizeof text,
                     "write norm(mean=%s, sd=%s) (norm(%s, %s) is the normal whose 90%% interval is %s to %s)", a, b, a,
                     b, a, b);
            snprintf(hint, cap, "%s", text);
        } else {
            snprintf(hint, cap, "write norm(mean=m, sd=s) (norm(lo, hi) is the normal whose 90%% interval is lo to hi)");
        }
        return true;
    }
    return false;
}

static EvStatus unknown_name(Interp *I, Frame *f, Sym name, Span span) {
    char hint[400];
    if (name_hint(name, span, hint, sizeof hint)) return rt_error(I, span, "unknown name '%s'; %s", name, hint);
    Suggest s;
    suggest_init(&s, name);
    for (Frame *fr = f; fr; fr = NULL) frame_each(fr, suggest_consider, &s);
    frame_each(I->globals, suggest_consider, &s);
    for (int i = 0; i < registry_count(I); i++) suggest_consider(&s, registry_at(I, i)->name);
    if (s.best) return rt_error(I, span, "unknown name '%s' (did you mean '%s'?)", name, s.best);
    return rt_error(I, span, "unknown name '%s'", name);
}

static EvStatus lookup_name(Interp *I, Frame *f, Sym name, Span span, Value *out) {
    Value *v = frame_lookup(f, name);
    if (v) {
        *out = value_retain(*v);
        return EV_OK;
    }
    const Builtin *b = registry_find(I, name);
    if (b && strcmp(b->family, "constants") == 0) /* pi, e: the name is the number (stdlib/math.c) */
        return builtin_invoke(I, b, &(CallArgs){.span = span}, out) ? EV_OK : EV_ERR;
    if (b) {
        *out = (Value){.kind = VAL_BUILTIN, .as.builtin = b};
        return EV_OK;
    }
    return unknown_name(I, f, name, span);
}

/* ---------- conditions ---------- */

/* The single truth value of a condition for an if-statement, while, and/or. */
static EvStatus truth_of(Interp *I, const Value *v, Span span, const char *what, bool *out) {
    switch (v->kind) {
    case VAL_BOOL: *out = v->as.boolean; return EV_OK;
    case VAL_NUM: *out = v->as.num != 0; return EV_OK;
    case VAL_SAMPLES:
        return rt_error(I, span,
                        "the condition of %s is samples (it differs from draw to draw); use an "
                        "if-expression `if c then a else b` to choose per draw",
                        what);
    default:
        return rt_error(I, span, "the condition of %s must be a bool, got %s", what, value_kind_name(v));
    }
}

/* ---------- calls ---------- */

typedef struct CallBuf {
    Value *pos;
    Span *pos_span;
    Sym *kw_names;
    Value *kw;
    Span *kw_span;
    int npos, nkw;
} CallBuf;

static void callbuf_free(CallBuf *cb) {
    for (int i = 0; i < cb->npos; i++) value_release(cb->pos[i]);
    for (int i = 0; i < cb->nkw; i++) value_release(cb->kw[i]);
    free(cb->pos);
    free(cb->pos_span);
    free(cb->kw_names);
    free(cb->kw);
    free(cb->kw_span);
}

/* Where keyword arguments find their parameters: a scan for a few of them, a hash of the
 * parameter names (positions + 1) when many meet many, so no call is quadratic (#15). */
typedef struct ParamIndex { int *slots; size_t mask; } ParamIndex;

static size_t hash_name(Sym s) { return (size_t)(((uintptr_t)s >> 3) * 0x9E3779B97F4A7C15ull); }

static ParamIndex param_index(const SqFunc *fn, int nkw) {
    ParamIndex ix = {NULL, 0};
    if ((long)nkw * fn->nparams <= 256) return ix;
    size_t cap = 16;
    while (cap < (size_t)fn->nparams * 2) cap *= 2;
    ix.slots = mem_calloc(cap, sizeof *ix.slots);
    ix.mask = cap - 1;
    for (int i = 0; i < fn->nparams; i++) {
        size_t h = hash_name(fn->params[i].name) & ix.mask;
        while (ix.slots[h]) h = (h + 1) & ix.mask;
        ix.slots[h] = i + 1;
    }
    return ix;
}

static int param_position(const ParamIndex *ix, const SqFunc *fn, Sym name) {
    if (!ix->slots) {
        for (int i = 0; i < fn->nparams; i++)
            if (fn->params[i].name == name) return i;
        return -1;
    }
    for (size_t h = hash_name(name) & ix->mask; ix->slots[h]; h = (h + 1) & ix->mask)
        if (fn->params[ix->slots[h] - 1].name == name) return ix->slots[h] - 1;
    return -1;
}

static EvStatus call_user(Interp *I, SqFunc *fn, const CallArgs *call, Value *out) {
    const char *fname = fn->name ? fn->name : "lambda";
    if (call->npos > fn->nparams)
        return rt_error(I, call->span, "%s: takes %d argument%s, got %d", fname, fn->nparams,
                        fn->nparams == 1 ? "" : "s", call->npos);
    if (I->depth >= I->max_depth)
        return rt_error(I, call->span, "recursion too deep (more than %d nested calls)", I->max_depth);
    Frame *frame = frame_new(&I->frames, fn->closure);
    for (int i = 0; i < call->npos; i++) frame_set(frame, fn->params[i].name, value_retain(call->pos[i]));
    EvStatus st = EV_OK;
    ParamIndex ix = param_index(fn, call->nkw);
    for (int k = 0; k < call->nkw && st == EV_OK; k++) {
        int p = param_position(&ix, fn, call->kw_names[k]);
        if (p < 0) {
            Suggest s;
            suggest_init(&s, call->kw_names[k]);
            for (int i = 0; i < fn->nparams; i++) suggest_consider(&s, fn->params[i].name);
            if (s.best)
                st = rt_error(I, call->kw_span[k], "%s: no parameter named '%s' (did you mean '%s'?)", fname,
                              call->kw_names[k], s.best);
            else
                st = rt_error(I, call->kw_span[k], "%s: no parameter named '%s'", fname, call->kw_names[k]);
        }
        else if (p < call->npos || frame_lookup_local(frame, call->kw_names[k]))
            st = rt_error(I, call->kw_span[k], "%s: argument '%s' given twice", fname, call->kw_names[k]);
        else frame_set(frame, call->kw_names[k], value_retain(call->kw[k]));
    }
    I->depth++; /* a default value may call the function again: f(x=f()) = 1 */
    for (int i = call->npos; i < fn->nparams && st == EV_OK; i++) {
        if (frame_lookup_local(frame, fn->params[i].name)) continue;
        if (!fn->params[i].default_value) {
            st = rt_error(I, call->span, "%s: missing argument '%s'", fname, fn->params[i].name);
            break;
        }
        Value d;
        st = eval(I, fn->params[i].default_value, frame, &d);
        if (st == EV_OK) frame_set(frame, fn->params[i].name, d);
    }
    if (st == EV_OK) {
        st = eval(I, fn->body, frame, out);
        if (st == EV_RETURN) {
            *out = I->ret_value;
            I->ret_value = val_nil();
            st = EV_OK;
        } else if (st == EV_BREAK || st == EV_CONTINUE) {
            st = rt_error(I, I->err.span, "%s outside a loop (in %s)", st == EV_BREAK ? "break" : "continue", fname);
        }
    }
    I->depth--;
    frame_release(frame);
    free(ix.slots);
    return st;
}

static EvStatus call_value(Interp *I, const Value *fn, const CallArgs *call, Value *out) {
    if (fn->kind == VAL_BUILTIN) return builtin_invoke(I, fn->as.builtin, call, out) ? EV_OK : EV_ERR;
    if (fn->kind == VAL_FUNC) return call_user(I, fn->as.func, call, out);
    return rt_error(I, call->span, "cannot call %s: it is not a function", value_kind_name(fn));
}

EvStatus interp_call(Interp *I, const Value *fn, int nargs, const Value *args, Span span, Value *out) {
    Span *spans = mem_calloc((size_t)(nargs ? nargs : 1), sizeof *spans);
    for (int i = 0; i < nargs; i++) spans[i] = span;
    CallArgs call = {.npos = nargs, .pos = args, .pos_span = spans, .span = span};
    EvStatus st = call_value(I, fn, &call, out);
    free(spans);
    return st;
}

static EvStatus eval_call(Interp *I, const Ast *n, Frame *f, Value *out) {
    Value callee;
    EvStatus st = eval(I, n->as.call.callee, f, &callee);
    if (st != EV_OK) return st;
    if (callee.kind == VAL_NUM && n->as.call.callee->kind == AST_NAME && !frame_lookup(f, n->as.call.callee->as.name)) {
        const Builtin *b = registry_find(I, n->as.call.callee->as.name); /* pi(): a constant, not a function */
        if (b) return rt_error(I, n->span, "%s is a number, not a function: write %s, not %s()", b->name, b->name, b->name);
    }
    CallBuf cb = {0};
    int np = n->as.call.nargs, nk = n->as.call.nkw;
    cb.pos = mem_calloc((size_t)np + 1, sizeof(Value));
    cb.pos_span = mem_calloc((size_t)np + 1, sizeof(Span));
    cb.kw = mem_calloc((size_t)nk + 1, sizeof(Value));
    cb.kw_span = mem_calloc((size_t)nk + 1, sizeof(Span));
    cb.kw_names = mem_calloc((size_t)nk + 1, sizeof(Sym));
    for (int i = 0; i < np && st == EV_OK; i++) {
        st = eval(I, n->as.call.args[i], f, &cb.pos[i]);
        if (st == EV_OK) cb.pos_span[i] = n->as.call.args[i]->span, cb.npos++;
    }
    for (int i = 0; i < nk && st == EV_OK; i++) {
        st = eval(I, n->as.call.kw_values[i], f, &cb.kw[i]);
        if (st == EV_OK) {
            cb.kw_span[i] = n->as.call.kw_values[i]->span;
            cb.kw_names[i] = n->as.call.kw_names[i];
            cb.nkw++;
        }
    }
    if (st == EV_OK) {
        CallArgs call = {cb.npos, cb.pos, cb.pos_span, cb.nkw, cb.kw_names, cb.kw, cb.kw_span, n->span,
                         n->as.call.args, n->as.call.kw_values};
        st = call_value(I, &callee, &call, out);
    }
    callbuf_free(&cb);
    value_release(callee);
    return st;
}

/* ---------- indexing ---------- */

static EvStatus list_position(Interp *I, const Value *idx, int len, Span span, int *pos) {
    if (idx->kind != VAL_NUM) return rt_error(I, span, "a list index must be a number, got %s", value_kind_name(idx));
    double x = idx->as.num;
    if (x != floor(x)) return rt_error(I, span, "a list index must be a whole number, got %s", num_text(&(NumText){0}, x));
    double p = x < 0 ? x + len : x;
    if (p < 0 || p >= len)
        return rt_error(I, span, "index %.17g is out of range for a list of length %d", x, len);
    *pos = (int)p;
    return EV_OK;
}

static EvStatus record_position(Interp *I, const SqRecord *r, const char *key, size_t len, Span span, int *pos) {
    *pos = record_find(r, key, len);
    if (*pos >= 0) return EV_OK;
    StrBuf sb;
    sb_init(&sb);
    for (int i = 0; i < r->len && i < 8; i++) {
        sb_puts(&sb, i ? ", " : "");
        display_quoted(&sb, r->keys[i]->bytes, r->keys[i]->len);
    }
    if (r->len > 8) sb_puts(&sb, ", ...");
    rt_error(I, span, "the record has no key \"%.*s\"%s%s", (int)(len > 100 ? 100 : len), key,
             r->len ? "; its keys are " : " (it is empty)", sb.data ? sb.data : "");
    sb_free(&sb);
    return EV_ERR;
}

/* Strings index and slice by character (code point), as len counts and Python does; the bytes are UTF-8. */
static int str_chars(const SqString *s) {
    int n = 0;
    for (size_t i = 0; i < s->len; i++) n += ((unsigned char)s->bytes[i] & 0xC0) != 0x80;
    return n;
}

static size_t str_byte_at(const SqString *s, int chars) { /* where character `chars` starts */
    size_t i = 0;
    for (int k = 0; k < chars && i < s->len; k++)
        do i++;
        while (i < s->len && ((unsigned char)s->bytes[i] & 0xC0) == 0x80);
    return i;
}

static EvStatus index_value(Interp *I, const Value *obj, const Value *idx, Span span, Value *out) {
    int pos;
    if (obj->kind == VAL_LIST) {
        if (list_position(I, idx, obj->as.list->len, span, &pos) != EV_OK) return EV_ERR;
        *out = value_retain(obj->as.list->items[pos]);
        return EV_OK;
    }
    if (obj->kind == VAL_RECORD) {
        if (idx->kind != VAL_STR) return rt_error(I, span, "a record key must be a string, got %s", value_kind_name(idx));
        if (record_position(I, obj->as.rec, idx->as.str->bytes, idx->as.str->len, span, &pos) != EV_OK) return EV_ERR;
        *out = value_retain(obj->as.rec->vals[pos]);
        return EV_OK;
    }
    if (obj->kind == VAL_STR) {
        if (list_position(I, idx, str_chars(obj->as.str), span, &pos) != EV_OK) return EV_ERR;
        size_t at = str_byte_at(obj->as.str, pos);
        *out = val_str(obj->as.str->bytes + at, str_byte_at(obj->as.str, pos + 1) - at);
        return EV_OK;
    }
    return rt_error(I, span, "cannot index %s", value_kind_name(obj));
}

/* One bound of a slice as Python reads it: negative counts from the end, then clamped to [0, len]. */
static EvStatus slice_bound(Interp *I, const Ast *e, const Value *v, int len, int *pos) {
    if (v->kind != VAL_NUM) return rt_error(I, e->span, "a slice bound must be a number, got %s", value_kind_name(v));
    double x = v->as.num;
    if (x != floor(x)) return rt_error(I, e->span, "a slice bound must be a whole number, got %s", num_text(&(NumText){0}, x));
    if (x < 0) x += len;
    *pos = x < 0 ? 0 : x > len ? len : (int)x;
    return EV_OK;
}

/* xs[a:b], xs[:b], xs[a:]: a new list (or string) of the items from a up to b, empty when a >= b. */
static EvStatus eval_slice(Interp *I, const Ast *n, Frame *f, Value *out) {
    Value obj, bound[2] = {val_nil(), val_nil()};
    const Ast *ends[2] = {n->as.slice.lo, n->as.slice.hi};
    EvStatus st = eval(I, n->as.slice.object, f, &obj);
    if (st != EV_OK) return st;
    for (int k = 0; k < 2 && st == EV_OK; k++)
        if (ends[k]) st = eval(I, ends[k], f, &bound[k]);
    int len = 0;
    if (st == EV_OK) {
        if (obj.kind == VAL_LIST) len = obj.as.list->len;
        else if (obj.kind == VAL_STR) len = str_chars(obj.as.str);
        else st = rt_error(I, n->as.slice.object->span, "cannot slice %s; slices take a list or a string",
                           value_kind_name(&obj));
    }
    int pos[2] = {0, len};
    for (int k = 0; k < 2 && st == EV_OK; k++)
        if (ends[k]) st = slice_bound(I, ends[k], &bound[k], len, &pos[k]);
    if (st == EV_OK) {
        int lo = pos[0], hi = pos[1] > pos[0] ? pos[1] : pos[0];
        if (obj.kind == VAL_STR) {
            size_t from = str_byte_at(obj.as.str, lo);
            *out = val_str(obj.as.str->bytes + from, str_byte_at(obj.as.str, hi) - from);
        } else {
            *out = val_list_new(hi - lo);
            for (int i = lo; i < hi; i++) list_push(out->as.list, value_retain(obj.as.list->items[i]));
        }
    }
    value_release(bound[0]);
    value_release(bound[1]);
    value_release(obj);
    return st;
}

/* ---------- assignment ---------- */

/* target is NAME, or INDEX/FIELD chained on a NAME: walk down, unsharing containers. */
static EvStatus assign_into(Interp *I, Value *slot, const Ast *const *steps, const Value *keys, int nsteps,
                            Value v) {
    for (int s = 0; s < nsteps; s++) {
        const Ast *step = steps[s];
        const Value *key = &keys[s];
        bool last = s == nsteps - 1;
        int pos;
        if (slot->kind == VAL_LIST && step->kind == AST_INDEX) {
            SqList *l = list_mut(slot);
            if (list_position(I, key, l->len, step->as.index.index->span, &pos) != EV_OK) goto fail;
            slot = &l->items[pos];
        } else if (slot->kind == VAL_RECORD) {
            if (key->kind != VAL_STR) {
                rt_error(I, step->span, "a record key must be a string, got %s", value_kind_name(key));
                goto fail;
            }
            SqRecord *r = record_mut(slot);
            pos = record_find(r, key->as.str->bytes, key->as.str->len);
            if (pos < 0) {
                if (!last) {
                    record_position(I, r, key->as.str->bytes, key->as.str->len, step->span, &pos);
                    goto fail;
                }
                if ((size_t)r->len >= I->max_list) {
                    char lim[24];
                    interp_limit_text(lim, sizeof lim, I->max_list);
                    rt_error(I, step->span, "the record would have more than %s keys", lim);
                    goto fail;
                }
                record_set(r, key->as.str->bytes, key->as.str->len, v);
                return EV_OK;
            }
            slot = &r->vals[pos];
        } else {
            rt_error(I, step->span, "cannot assign into %s", value_kind_name(slot));
            goto fail;
        }
    }
    value_release(*slot);
    *slot = v;
    return EV_OK;
fail:
    value_release(v);
    return EV_ERR;
}

/* The value at the end of a target's chain (for `xs[i] += e`), read without changing anything. */
static EvStatus read_target(Interp *I, Frame *f, const Ast *root, const Ast *const *steps, const Value *keys,
                            int nsteps, Value *out) {
    Value cur;
    if (lookup_name(I, f, root->as.name, root->span, &cur) != EV_OK) return EV_ERR;
    for (int s = 0; s < nsteps; s++) {
        Value next;
        EvStatus st;
        if (steps[s]->kind == AST_FIELD && cur.kind != VAL_RECORD)
            st = rt_error(I, steps[s]->span, "cannot take field '%s' of %s", steps[s]->as.field.name,
                          value_kind_name(&cur));
        else
            st = index_value(I, &cur, &keys[s],
                             steps[s]->kind == AST_INDEX ? steps[s]->as.index.index->span : steps[s]->span, &next);
        value_release(cur);
        if (st != EV_OK) return st;
        cur = next;
    }
    *out = cur;
    return EV_OK;
}

/* `target = value`, and `target op= value`, which is `target = target op value` with the target's
 * keys evaluated once, before the value (as in Python). */
static EvStatus eval_assign(Interp *I, const Ast *n, Frame *f) {
    const Ast *target = n->as.assign.target;
    bool compound = n->as.assign.compound;
    Value v = val_nil();
    EvStatus st = EV_OK;
    if (!compound) {
        st = eval(I, n->as.assign.value, f, &v);
        if (st != EV_OK) return st;
        if (target->kind == AST_NAME) {
            if (v.kind == VAL_SAMPLES) smp_bind_label(v.as.smp, target->as.name); /* sensitivity()'s names */
            frame_set(f, target->as.name, v);
            return EV_OK;
        }
    }
    /* Collect the chain root-first and evaluate its keys left to right. */
    int nsteps = 0;
    for (const Ast *t = target; t->kind != AST_NAME; t = t->kind == AST_INDEX ? t->as.index.object : t->as.field.object)
        nsteps++;
    const Ast **steps = mem_calloc((size_t)nsteps + 1, sizeof *steps);
    Value *keys = mem_calloc((size_t)nsteps + 1, sizeof *keys);
    const Ast *root = target;
    for (int s = nsteps - 1; s >= 0; s--) {
        steps[s] = root;
        root = root->kind == AST_INDEX ? root->as.index.object : root->as.field.object;
    }
    int nkeys = 0;
    for (int s = 0; s < nsteps && st == EV_OK; s++) {
        if (steps[s]->kind == AST_FIELD) keys[s] = val_cstr(steps[s]->as.field.name);
        else st = eval(I, steps[s]->as.index.index, f, &keys[s]);
        if (st == EV_OK) nkeys++;
    }
    if (st == EV_OK && compound) {
        Value cur, rhs;
        st = read_target(I, f, root, steps, keys, nsteps, &cur);
        if (st == EV_OK) {
            st = eval(I, n->as.assign.value, f, &rhs);
            if (st == EV_OK) {
                st = op_binary(I, n->as.assign.op, &cur, &rhs, n->span, &v);
                value_release(rhs);
            }
            value_release(cur);
        }
    }
    if (st == EV_OK) {
        if (nsteps == 0) {
            frame_set(f, root->as.name, v);
            v = val_nil();
        } else {
            Value *slot = frame_lookup(f, root->as.name);
            if (!slot) st = unknown_name(I, f, root->as.name, root->span);
            else {
                st = assign_into(I, slot, steps, keys, nsteps, v);
                v = val_nil();
            }
        }
    }
    value_release(v);
    for (int s = 0; s < nkeys; s++) value_release(keys[s]);
    free(keys);
    free(steps);
    return st;
}

/* `append(xs, v)` as a statement appends to xs in place, as Python's xs.append(v) does;
 * as an expression it returns a new list. */
static bool is_append_statement(const Ast *n, Frame *f) {
    if (n->kind != AST_CALL || n->as.call.callee->kind != AST_NAME) return false;
    if (strcmp(n->as.call.callee->as.name, "append") != 0 || frame_lookup(f, n->as.call.callee->as.name))
        return false;
    return n->as.call.nargs == 2 && n->as.call.nkw == 0 && n->as.call.args[0]->kind == AST_NAME;
}

static bool over_budget(Interp *I, Span span);

/* Runs the statement `append(xs, v)`. When this frame holds the list xs, v is pushed onto it:
 * amortised O(1), since a list held by one name only is written in place (a list shared with
 * another name is copied once, by list_mut). Anything else -- xs not a list, at its length
 * limit, or a name of an enclosing frame (the statement binds a local xs, as an assignment
 * does) -- takes the call's own path, with its errors. */
static EvStatus eval_append_statement(Interp *I, const Ast *s, Frame *f) {
    Sym name = s->as.call.args[0]->as.name;
    Value *slot = frame_lookup_local(f, name);
    Value v;
    EvStatus st;
    if (slot && slot->kind == VAL_LIST && (size_t)slot->as.list->len < I->max_list) {
        if ((I->step_limit || I->time_limit) && over_budget(I, s->span)) return EV_ERR;
        if ((st = eval(I, s->as.call.args[1], f, &v)) != EV_OK) return st;
        slot = frame_lookup_local(f, name); /* (evaluating v cannot rebind xs; look again anyway) */
        if (slot && slot->kind == VAL_LIST && (size_t)slot->as.list->len < I->max_list) {
            list_push(list_mut(slot), v);
            return EV_OK;
        }
        value_release(v);
    }
    if ((st = eval(I, s, f, &v)) == EV_OK) frame_set(f, name, v);
    return st;
}

/* ---------- settings ---------- */

/* `set sampling = "lhs"` (docs/language.md, "Sampling"): true for "lhs", false for "mc"; else an
 * error that says what to write. */
static EvStatus sampling_value(Interp *I, const Ast *n, const Value *v, bool *lhs) {
    if (v->kind == VAL_STR && (!strcmp(v->as.str->bytes, "lhs") || !strcmp(v->as.str->bytes, "mc"))) {
        *lhs = v->as.str->bytes[0] == 'l';
        return EV_OK;
    }
    return rt_error(I, n->as.set.value->span,
                    "set sampling needs \"mc\" (Monte Carlo, the default) or \"lhs\" (Latin hypercube): "
                    "write set sampling = \"lhs\"");
}

static EvStatus eval_set(Interp *I, const Ast *n, Frame *f) {
    Sym name = n->as.set.name;
    bool is_samples = strcmp(name, "samples") == 0, is_seed = strcmp(name, "seed") == 0;
    bool is_sampling = strcmp(name, "sampling") == 0;
    if (is_sampling && n->as.set.value->kind == AST_NAME && !frame_lookup(f, n->as.set.value->as.name))
        /* set sampling = lhs: the word, unquoted */
        return rt_error(I, n->as.set.value->span, "set sampling needs a string: write set sampling = \"%s\"",
                        strcmp(n->as.set.value->as.name, "mc") ? "lhs" : "mc");
    Value v;
    EvStatus st = eval(I, n->as.set.value, f, &v);
    if (st != EV_OK) return st;
    if (!is_samples && !is_seed && !is_sampling) {
        value_release(v);
        return rt_error(I, n->span, "unknown setting '%s'; the settings are samples, seed and sampling", name);
    }
    bool lhs = false;
    if (is_sampling) {
        st = sampling_value(I, n, &v, &lhs);
        value_release(v);
        if (st != EV_OK) return st;
    } else if (v.kind != VAL_NUM || v.as.num != floor(v.as.num) || v.as.num < (is_samples ? 1 : 0) ||
               v.as.num > (is_samples ? 1e9 : 18446744073709549568.0)) {
        value_release(v);
        if (is_samples) return rt_error(I, n->as.set.value->span, "set samples needs a whole number from 1 to 1B");
        return rt_error(I, n->as.set.value->span, "set seed needs a whole number >= 0");
    }
    if (I->session == SESSION_REPLAY) return EV_OK; /* the REPL's setting wins (docs/cli.md) */
    bool typed = I->session == SESSION_TYPED; /* in the REPL, as :samples / :seed (docs/cli.md) */
    bool fixed = is_samples ? I->samples_fixed : is_seed ? I->seed_fixed : I->sampling_fixed;
    if (!typed && fixed) return EV_OK; /* the command line wins */
    size_t *draws = I->rehearsal_n ? &I->rehearsal_n : &I->smp.n; /* a rehearsal keeps its few draws */
    if (is_samples && (size_t)v.as.num == *draws) return EV_OK;
    if (is_seed && (uint64_t)v.as.num == I->smp.seed) return EV_OK;
    if (is_sampling && lhs == I->smp.lhs) return EV_OK;
    if (I->samples_made && !typed)
        return rt_error(I, n->span, "set %s must come before the first distribution", name);
    if (typed || (I->session == SESSION_LOAD && I->samples_before)) { /* the REPL re-runs the session */
        I->set_request.pending = true;
        I->set_request.which = is_samples ? SET_SAMPLES : is_seed ? SET_SEED : SET_SAMPLING;
        I->set_request.value = is_sampling ? lhs : v.as.num;
        return rt_error(I, n->span, "set %s: the session must be re-run", name);
    }
    if (is_samples) *draws = (size_t)v.as.num;
    else if (is_seed) I->smp.seed = (uint64_t)v.as.num;
    else I->smp.lhs = lhs;
    return EV_OK;
}

/* ---------- loops ---------- */

static EvStatus loop_guard(Interp *I, long iterations, Span span) {
    if (iterations > I->loop_limit)
        return rt_error(I, span, "this loop has run %ld times; stopping (is its condition ever false?)",
                        I->loop_limit);
    return EV_OK;
}

static EvStatus eval_for(Interp *I, const Ast *n, Frame *f) {
    Value iter;
    EvStatus st = eval(I, n->as.loop.iter, f, &iter);
    if (st != EV_OK) return st;
    int count;
    if (iter.kind == VAL_LIST) count = iter.as.list->len;
    else if (iter.kind == VAL_RECORD) count = iter.as.rec->len;
    else {
        st = rt_error(I, n->as.loop.iter->span, "for needs a list or a record to iterate over, got %s%s",
                      value_kind_name(&iter), iter.kind == VAL_NUM ? " (use range(n))" : "");
        value_release(iter);
        return st;
    }
    for (int i = 0; i < count; i++) {
        Value item = iter.kind == VAL_LIST ? value_retain(iter.as.list->items[i])
                                           : value_retain(val_str_take(iter.as.rec->keys[i]));
        frame_set(f, n->as.loop.var, item);
        Value ignored;
        st = eval(I, n->as.loop.body, f, &ignored);
        if (st == EV_OK) value_release(ignored);
        if (st == EV_BREAK) {
            st = EV_OK;
            break;
        }
        if (st == EV_CONTINUE) st = EV_OK;
        if (st != EV_OK) break;
    }
    value_release(iter);
    return st;
}

static EvStatus eval_while(Interp *I, const Ast *n, Frame *f) {
    for (long i = 0;; i++) {
        if (loop_guard(I, i, n->span) != EV_OK) return EV_ERR;
        Value c;
        EvStatus st = eval(I, n->as.loop.iter, f, &c);
        if (st != EV_OK) return st;
        bool go;
        st = truth_of(I, &c, n->as.loop.iter->span, "while", &go);
        value_release(c);
        if (st != EV_OK) return st;
        if (!go) return EV_OK;
        Value ignored;
        st = eval(I, n->as.loop.body, f, &ignored);
        if (st == EV_OK) value_release(ignored);
        if (st == EV_BREAK) return EV_OK;
        if (st != EV_OK && st != EV_CONTINUE) return st;
    }
}

/* ---------- if ---------- */

static EvStatus eval_if(Interp *I, const Ast *n, Frame *f, Value *out) {
    Value c;
    EvStatus st = eval(I, n->as.cond.cond, f, &c);
    if (st != EV_OK) return st;
    if (c.kind == VAL_SAMPLES && n->as.cond.is_expr) {
        Value a, b;
        st = eval(I, n->as.cond.then_branch, f, &a);
        if (st == EV_OK) {
            st = eval(I, n->as.cond.else_branch, f, &b);
            if (st == EV_OK) {
                Operand x, y;
                if (!op_operand(&a, &x) || !op_operand(&b, &y)) {
                    const Ast *bad = op_operand(&a, &x) ? n->as.cond.else_branch : n->as.cond.then_branch;
                    st = rt_error(I, bad->span,
                                  "with a samples condition both branches must be numbers or samples, got %s",
                                  value_kind_name(bad == n->as.cond.then_branch ? &a : &b));
                } else {
                    Samples *s = smp_select(c.as.smp, x, y);
                    bool both_bool = (a.kind == VAL_BOOL || (a.kind == VAL_SAMPLES && smp_is_bool(a.as.smp))) &&
                                     (b.kind == VAL_BOOL || (b.kind == VAL_SAMPLES && smp_is_bool(b.as.smp)));
                    *out = val_samples(both_bool ? smp_mark_bool(s) : s);
                }
                value_release(b);
            }
            value_release(a);
        }
        value_release(c);
        return st;
    }
    bool go;
    st = truth_of(I, &c, n->as.cond.cond->span, n->as.cond.is_expr ? "an if-expression" : "an if-statement", &go);
    value_release(c);
    if (st != EV_OK) return st;
    const Ast *branch = go ? n->as.cond.then_branch : n->as.cond.else_branch;
    if (!branch) {
        *out = val_nil();
        return EV_OK;
    }
    return eval(I, branch, f, out);
}

/* ---------- blocks and the dispatcher ---------- */

static EvStatus eval_block(Interp *I, const Ast *n, Frame *f, Value *out) {
    *out = val_nil();
    for (int i = 0; i < n->as.block.count; i++) {
        const Ast *s = n->as.block.stmts[i];
        Value v;
        EvStatus st;
        if (is_append_statement(s, f)) st = eval_append_statement(I, s, f), v = val_nil();
        else st = eval(I, s, f, &v);
        if (st != EV_OK) {
            value_release(*out);
            *out = val_nil();
            return st;
        }
        value_release(*out);
        *out = v;
    }
    return EV_OK;
}

static EvStatus eval_list(Interp *I, const Ast *n, Frame *f, Value *out) {
    Value list = val_list_new(n->as.list.count);
    for (int i = 0; i < n->as.list.count; i++) {
        Value item;
        EvStatus st = eval(I, n->as.list.items[i], f, &item);
        if (st != EV_OK) {
            value_release(list);
            return st;
        }
        list_push(list.as.list, item);
    }
    *out = list;
    return EV_OK;
}

static EvStatus eval_record(Interp *I, const Ast *n, Frame *f, Value *out) {
    Value rec = val_record_new();
    for (int i = 0; i < n->as.record.count; i++) {
        Value item;
        EvStatus st = eval(I, n->as.record.values[i], f, &item);
        if (st != EV_OK) {
            value_release(rec);
            return st;
        }
        record_set(rec.as.rec, n->as.record.keys[i], strlen(n->as.record.keys[i]), item);
    }
    *out = rec;
    return EV_OK;
}

static EvStatus eval_logic(Interp *I, const Ast *n, Frame *f, Value *out) {
    AstOp op = n->as.binary.op;
    Value a;
    EvStatus st = eval(I, n->as.binary.left, f, &a);
    if (st != EV_OK) return st;
    if (a.kind != VAL_SAMPLES) {
        bool ta;
        st = truth_of(I, &a, n->as.binary.left->span, op == OP_AND ? "'and'" : "'or'", &ta);
        value_release(a);
        if (st != EV_OK) return st;
        if (op == OP_AND ? !ta : ta) {
            *out = val_bool(ta);
            return EV_OK;
        }
        a = val_bool(ta);
    }
    Value b;
    st = eval(I, n->as.binary.right, f, &b);
    if (st == EV_OK) {
        if (a.kind == VAL_SAMPLES || b.kind == VAL_SAMPLES) {
            st = op_logic_samples(I, op, &a, &b, n->span, out);
        } else {
            bool tb;
            st = truth_of(I, &b, n->as.binary.right->span, op == OP_AND ? "'and'" : "'or'", &tb);
            if (st == EV_OK) *out = val_bool(tb);
        }
        value_release(b);
    }
    value_release(a);
    return st;
}

/* `a < b <= c` is `a < b and b <= c` with b evaluated once: the `and` of eval_logic, link by link
 * (a link that is false as one value ends the chain; once a link is samples, the rest combine per draw). */
static EvStatus eval_compare(Interp *I, const Ast *n, Frame *f, Value *out) {
    const Ast *const *operand = (const Ast *const *)n->as.compare.operands;
    Value left, acc = val_bool(true);
    EvStatus st = eval(I, operand[0], f, &left);
    if (st != EV_OK) return st;
    for (int i = 1; i < n->as.compare.count && st == EV_OK; i++) {
        Value right, link;
        if ((st = eval(I, operand[i], f, &right)) != EV_OK) break;
        Span span = {n->span.src, operand[i - 1]->span.start, operand[i]->span.end};
        st = op_binary(I, n->as.compare.ops[i - 1], &left, &right, span, &link);
        value_release(left);
        left = right;
        if (st != EV_OK) break;
        if (acc.kind == VAL_SAMPLES) {
            Value both;
            st = op_logic_samples(I, OP_AND, &acc, &link, n->span, &both);
            value_release(acc);
            acc = st == EV_OK ? both : val_nil();
        } else if (link.kind == VAL_SAMPLES) {
            acc = link; /* true and s is s */
            link = val_nil();
        } else {
            bool t;
            st = truth_of(I, &link, span, "'and'", &t);
            acc = val_bool(t);
        }
        value_release(link);
        if (st == EV_OK && acc.kind == VAL_BOOL && !acc.as.boolean) break;
    }
    value_release(left);
    if (st != EV_OK) {
        value_release(acc);
        return st;
    }
    *out = acc;
    return EV_OK;
}

static EvStatus eval_binary(Interp *I, const Ast *n, Frame *f, Value *out) {
    AstOp op = n->as.binary.op;
    if (op == OP_AND || op == OP_OR) return eval_logic(I, n, f, out);
    Value ab[2];
    EvStatus st = eval(I, n->as.binary.left, f, &ab[0]);
    if (st != EV_OK) return st;
    st = eval(I, n->as.binary.right, f, &ab[1]);
    if (st != EV_OK) {
        value_release(ab[0]);
        return st;
    }
    if (op == OP_TO) {
        Value to = {.kind = VAL_BUILTIN, .as.builtin = registry_find(I, sym_intern_cstr(&I->syms, "to"))};
        Span spans[2] = {n->as.binary.left->span, n->as.binary.right->span};
        CallArgs call = {.npos = 2, .pos = ab, .pos_span = spans, .span = n->span};
        st = call_value(I, &to, &call, out);
    } else {
        st = op_binary(I, op, &ab[0], &ab[1], n->span, out);
    }
    value_release(ab[0]);
    value_release(ab[1]);
    return st;
}

static EvStatus time_over(Interp *I, Span span) {
    if (I->time_limit_flag)
        return rt_error(I, span, "stopped after %g seconds, the limit set by %s; raise it, or look for a loop "
                        "or recursion that runs away", I->time_limit, I->time_limit_flag);
    return rt_error(I, span, "the program ran longer than its budget of %g seconds", I->time_limit);
}

/* The step and time budgets: --max-steps / --max-time, or an embedder's (the fuzzer, the
 * rehearsal); off by default. They bound what the loop and recursion limits do not: nested
 * loops and branching recursion. Time is read every 1024 steps. */
static bool over_budget(Interp *I, Span span) {
    ++I->steps;
    if (I->step_limit && I->steps > I->step_limit) {
        if (I->step_limit_flag)
            rt_error(I, span, "stopped after %lu evaluation steps, the limit set by %s; raise it, or look "
                     "for a loop or recursion that runs away", I->step_limit, I->step_limit_flag);
        else
            rt_error(I, span, "the program ran longer than its budget of %lu steps", I->step_limit);
        return true;
    }
    if (I->time_limit && (I->steps & 1023) == 0 && smp_monotonic_seconds() - I->started > I->time_limit) {
        time_over(I, span);
        return true;
    }
    return false;
}

/* eval_node with the node noted as the place being evaluated (for out-of-memory reports). */
static EvStatus eval(Interp *I, const Ast *n, Frame *f, Value *out) {
    const Ast *up = I->node;
    I->node = n;
    EvStatus st = eval_node(I, n, f, out);
    I->node = up;
    return st;
}

static EvStatus eval_node(Interp *I, const Ast *n, Frame *f, Value *out) {
    EvStatus st;
    Value a, b;
    int stop = smp_stop_requested(&I->smp); /* Ctrl-C in the REPL, a pass past --max-time (samples.h) */
    if (stop == SMP_STOP_TIME && I->time_limit) return time_over(I, n->span);
    if (stop) return rt_error(I, n->span, "%s", smp_stop_text(stop));
    if ((I->step_limit || I->time_limit) && over_budget(I, n->span)) return EV_ERR;
    switch (n->kind) {
    case AST_NUM: *out = val_num(n->as.num); return EV_OK;
    case AST_STR: *out = val_str(n->as.str.bytes, n->as.str.len); return EV_OK;
    case AST_BOOL: *out = val_bool(n->as.boolean); return EV_OK;
    case AST_NIL: *out = val_nil(); return EV_OK;
    case AST_NAME: return lookup_name(I, f, n->as.name, n->span, out);
    case AST_LIST: return eval_list(I, n, f, out);
    case AST_RECORD: return eval_record(I, n, f, out);
    case AST_UNARY:
        if ((st = eval(I, n->as.unary.operand, f, &a)) != EV_OK) return st;
        st = op_unary(I, n->as.unary.op, &a, n->span, out);
        value_release(a);
        return st;
    case AST_BINARY: return eval_binary(I, n, f, out);
    case AST_COMPARE: return eval_compare(I, n, f, out);
    case AST_SLICE: return eval_slice(I, n, f, out);
    case AST_CALL: return eval_call(I, n, f, out);
    case AST_INDEX:
        if ((st = eval(I, n->as.index.object, f, &a)) != EV_OK) return st;
        if ((st = eval(I, n->as.index.index, f, &b)) == EV_OK) {
            st = index_value(I, &a, &b, n->as.index.index->span, out);
            value_release(b);
        }
        value_release(a);
        return st;
    case AST_FIELD:
        if ((st = eval(I, n->as.field.object, f, &a)) != EV_OK) return st;
        if (a.kind != VAL_RECORD && registry_find(I, n->as.field.name)) { /* x.mean(): Python's method call */
            char obj[48];
            span_text(n->as.field.object->span, "x", obj, sizeof obj);
            st = rt_error(I, n->span, "cannot take field '%s' of %s; sq has no methods: write %s(%s)", n->as.field.name,
                          value_kind_name(&a), n->as.field.name, obj);
        } else if (a.kind != VAL_RECORD)
            st = rt_error(I, n->span, "cannot take field '%s' of %s", n->as.field.name, value_kind_name(&a));
        else {
            int pos;
            st = record_position(I, a.as.rec, n->as.field.name, strlen(n->as.field.name), n->span, &pos);
            if (st == EV_OK) *out = value_retain(a.as.rec->vals[pos]);
        }
        value_release(a);
        return st;
    case AST_LAMBDA:
        *out = make_func(NULL, n->as.func.params, n->as.func.nparams, n->as.func.body, f);
        return EV_OK;
    case AST_IF: return eval_if(I, n, f, out);
    case AST_BLOCK: return eval_block(I, n, f, out);
    case AST_ASSIGN: *out = val_nil(); return eval_assign(I, n, f);
    case AST_FUNDEF:
        frame_set(f, n->as.func.name, make_func(n->as.func.name, n->as.func.params, n->as.func.nparams, n->as.func.body, f));
        *out = val_nil();
        return EV_OK;
    case AST_FOR: *out = val_nil(); return eval_for(I, n, f);
    case AST_WHILE: *out = val_nil(); return eval_while(I, n, f);
    case AST_BREAK: I->err.span = n->span; return EV_BREAK;
    case AST_CONTINUE: I->err.span = n->span; return EV_CONTINUE;
    case AST_RETURN:
        if (n->as.ret.value) {
            if ((st = eval(I, n->as.ret.value, f, &a)) != EV_OK) return st;
        } else {
            a = val_nil();
        }
        value_release(I->ret_value);
        I->ret_value = a;
        I->err.span = n->span;
        return EV_RETURN;
    case AST_SET: *out = val_nil(); return eval_set(I, n, f);
    case AST_IMPORT: *out = val_nil(); return eval_import(I, n, f);
    }
    return rt_error(I, n->span, "internal error: unknown syntax node");
}

/* ---------- running a program ---------- */

static void keep_program(Interp *I, Program *p, Source *src) {
    int programs_cap = I->cap_programs; /* programs and sources share one capacity: both grow alike */
    MEM_GROW_FROM(I->programs, programs_cap, (size_t)I->nprograms + 1, 4);
    MEM_GROW_FROM(I->sources, I->cap_programs, (size_t)I->nprograms + 1, 4);
    I->programs[I->nprograms] = p;
    I->sources[I->nprograms] = src;
    I->nprograms++;
}

/* A name a program may use without binding it: a builtin, or a global of an earlier REPL entry. */
bool interp_knows_name(void *interp, Sym name) {
    Interp *I = interp;
    return registry_find(I, name) || frame_lookup_local(I->globals, name);
}

bool interp_knows_builtin(void *interp, Sym name) { return registry_find(interp, name) != NULL; }

static bool is_expression(const Ast *n) {
    switch (n->kind) {
    case AST_ASSIGN: case AST_FUNDEF: case AST_FOR: case AST_WHILE: case AST_BREAK:
    case AST_CONTINUE: case AST_RETURN: case AST_SET: case AST_IMPORT: return false;
    case AST_IF: return n->as.cond.is_expr;
    default: return true;
    }
}

EvStatus interp_run(Interp *I, Source *src, ParseError *perr, Value *last) {
    if (last) *last = val_nil();
    I->err.set = false;
    I->steps = 0;
    if (I->time_limit) {
        I->started = smp_monotonic_seconds();
        I->smp.deadline = I->started + I->time_limit; /* passes over draws stop there too */
        int passed = SMP_STOP_TIME;
        atomic_compare_exchange_strong(&I->smp.stop, &passed, SMP_STOP_NONE); /* an earlier run's */
    }
    mem_set_reporter(report_out_of_memory, I);
    ParseError local;
    tm_enter(I->smp.timings, TM_PARSE);
    Program *prog = parse_program(src, &I->syms, perr ? perr : &local);
    tm_leave(I->smp.timings);
    if (!prog) {
        keep_program(I, NULL, src); /* the error's span points into src */
        return EV_ERR;
    }
    keep_program(I, prog, src);
    tm_enter(I->smp.timings, TM_PARSE);
    bool names_ok = program_check_idiv_names(prog, interp_knows_name, I, perr ? perr : &local);
    tm_leave(I->smp.timings);
    if (!names_ok) return EV_ERR;
    return run_statements(I, program_root(prog), I->globals, last);
}

/* Runs a program's top-level statements in frame f (the globals, or an imported file's). */
static EvStatus run_statements(Interp *I, const Ast *root, Frame *f, Value *last) {
    for (int i = 0; i < root->as.block.count; i++) {
        const Ast *s = root->as.block.stmts[i];
        Value v = val_nil();
        EvStatus st = is_append_statement(s, f) ? eval_append_statement(I, s, f) : eval(I, s, f, &v);
        if (st == EV_BREAK || st == EV_CONTINUE)
            st = rt_error(I, I->err.span, "%s outside a loop", st == EV_BREAK ? "break" : "continue");
        if (st == EV_RETURN) st = rt_error(I, I->err.span, "return outside a function");
        if (st != EV_OK && !I->err.set) { /* never an empty message at 1:1 (see builtin_invoke) */
            if (I->smp.err.set) rt_error_from_samples(I);
            else rt_error(I, s->span, "internal error: this statement failed without saying why (please report this)");
        }
        if (st != EV_OK) {
            if (last) value_release(*last), *last = val_nil();
            return EV_ERR;
        }
        if (last && is_expression(s)) {
            value_release(*last);
            *last = v;
        } else {
            value_release(v);
        }
    }
    return EV_OK;
}

/* ---------- import (docs/language.md, "Modules") ---------- */

/* One imported file: found by its real path, run once per run; `record` is what every
 * `import ... as name` of it binds (the file's top-level bindings, in order). */
typedef struct Module {
    char *real;    /* realpath(): the file's identity */
    char *shown;   /* the path as the first import resolved it, for messages */
    bool loading;  /* running now: importing it again is a cycle */
    Value record;
} Module;

void interp_free_modules(Interp *I) {
    for (int i = 0; i < I->nmodules; i++) {
        free(I->modules[i].real);
        free(I->modules[i].shown);
        value_release(I->modules[i].record);
    }
    free(I->modules);
    I->modules = NULL;
    I->nmodules = I->cap_modules = 0;
}

/* A list of names without repeats (interp_top_names' callback). */
typedef struct NameList {
    Sym *names;
    int len, cap;
} NameList;

static void name_add(void *ctx, Sym name) {
    NameList *l = ctx;
    for (int i = 0; i < l->len; i++)
        if (l->names[i] == name) return;
    MEM_GROW(l->names, l->cap, (size_t)l->len + 1);
    l->names[l->len++] = name;
}

/* The names a program binds at its top level, in the order it first binds them (a name may come
 * again: callers skip repeats). Function bodies run in frames of their own and are not walked. */
void interp_top_names(const Ast *n, void (*fn)(void *ctx, Sym name), void *ctx) {
    if (!n) return;
    switch (n->kind) {
    case AST_ASSIGN: {
        interp_top_names(n->as.assign.value, fn, ctx); /* a block value binds its names before the target */
        const Ast *t = n->as.assign.target;
        while (t && (t->kind == AST_INDEX || t->kind == AST_FIELD))
            t = t->kind == AST_INDEX ? t->as.index.object : t->as.field.object;
        if (t && t->kind == AST_NAME) fn(ctx, t->as.name);
        break;
    }
    case AST_FUNDEF: fn(ctx, n->as.func.name); break;
    case AST_IMPORT: fn(ctx, n->as.import.name); break;
    case AST_FOR: fn(ctx, n->as.loop.var); interp_top_names(n->as.loop.body, fn, ctx); break;
    case AST_WHILE: interp_top_names(n->as.loop.body, fn, ctx); break;
    case AST_IF:
        interp_top_names(n->as.cond.then_branch, fn, ctx);
        interp_top_names(n->as.cond.else_branch, fn, ctx);
        break;
    case AST_BLOCK:
        for (int i = 0; i < n->as.block.count; i++) interp_top_names(n->as.block.stmts[i], fn, ctx);
        break;
    default: break;
    }
}

/* The first `set` anywhere in a program, or NULL. */
static void find_set(void *ctx, const Ast *n) {
    const Ast **found = ctx;
    if (*found) return;
    if (n->kind == AST_SET) *found = n;
    else ast_each_child(n, find_set, ctx);
}

/* Where `import "path"` written in src looks: beside src's file, or in the current folder for
 * code with no file (-e, standard input, the REPL: names like "<command line>"). */
static char *import_path(const Source *src, const char *path) {
    const char *name = src ? src->name : NULL;
    const char *slash = name && name[0] != '<' ? strrchr(name, '/') : NULL;
    if (path[0] == '/' || !slash) return mem_strdup(path);
    size_t dir = (size_t)(slash - name) + 1;
    char *full = mem_alloc(dir + strlen(path) + 1);
    memcpy(full, name, dir);
    strcpy(full + dir, path);
    return full;
}

/* Loads, checks and runs the file of module m (index mi), then builds its record. */
static EvStatus module_run(Interp *I, int mi, Span at) {
    char why[600];
    Source *src = source_from_file(I->modules[mi].shown, why, sizeof why);
    if (!src) return rt_error(I, at, "cannot import: %s", why);
    ParseError perr = {0};
    tm_enter(I->smp.timings, TM_PARSE);
    Program *prog = parse_program(src, &I->syms, &perr);
    tm_leave(I->smp.timings);
    keep_program(I, prog, src); /* errors and functions point into it for the rest of the run */
    if (!prog || !program_check_idiv_names(prog, interp_knows_builtin, I, &perr))
        return rt_error(I, perr.span, "%s", perr.message);
    const Ast *root = program_root(prog), *set = NULL;
    find_set(&set, root);
    if (set)
        return rt_error(I, set->span, "an imported file may not `set` %s: settings belong to the program that "
                                      "runs (write `set %s = ...` there, or pass --%s)",
                        set->as.set.name, set->as.set.name, set->as.set.name);
    Frame *mf = frame_new(&I->frames, NULL);
    EvStatus st = run_statements(I, root, mf, NULL);
    if (st == EV_OK) {
        NameList names = {0};
        interp_top_names(root, name_add, &names);
        Value rec = val_record_new();
        for (int i = 0; i < names.len; i++) {
            Value *v = frame_lookup_local(mf, names.names[i]);
            if (v) record_set(rec.as.rec, names.names[i], strlen(names.names[i]), value_retain(*v));
        }
        free(names.names);
        I->modules[mi].record = rec;
    }
    frame_release(mf);
    return st;
}

static EvStatus eval_import(Interp *I, const Ast *n, Frame *f) {
    const Ast *p = n->as.import.path;
    if (memchr(p->as.str.bytes, 0, p->as.str.len) || p->as.str.len == 0)
        return rt_error(I, p->span, "the path to import must be a file name such as \"assumptions.sq\"");
    char *shown = import_path(n->span.src, p->as.str.bytes);
    char *real = realpath(shown, NULL);
    if (!real) {
        EvStatus st = rt_error(I, p->span, "cannot import \"%s\": %s (looked for %s)", p->as.str.bytes,
                               strerror(errno), shown);
        free(shown);
        return st;
    }
    /* the program that runs (a file) importing itself, directly or through others */
    const char *main_name = I->nprograms ? I->sources[0]->name : NULL;
    char *main_real = main_name && main_name[0] != '<' ? realpath(main_name, NULL) : NULL;
    bool is_main = main_real && strcmp(main_real, real) == 0;
    free(main_real);
    if (is_main) {
        StrBuf chain;
        sb_init(&chain);
        sb_printf(&chain, "%s imports ", main_name);
        for (int k = 0; k < I->nmodules; k++)
            if (I->modules[k].loading) sb_printf(&chain, "%s imports ", I->modules[k].shown);
        sb_printf(&chain, "%s", main_name);
        char *text = sb_take(&chain);
        EvStatus st = rt_error(I, n->span, "import cycle: %s", text);
        free(text), free(real), free(shown);
        return st;
    }
    int mi = 0;
    while (mi < I->nmodules && strcmp(I->modules[mi].real, real) != 0) mi++;
    if (mi < I->nmodules) {
        free(real);
        free(shown);
        Module *m = &I->modules[mi];
        if (m->loading) { /* the chain: the files being run, from this one to the importer */
            StrBuf chain;
            sb_init(&chain);
            for (int k = mi; k < I->nmodules; k++)
                if (I->modules[k].loading) sb_printf(&chain, "%s imports ", I->modules[k].shown);
            sb_printf(&chain, "%s", m->shown);
            char *text = sb_take(&chain);
            EvStatus st = rt_error(I, n->span, "import cycle: %s", text);
            free(text);
            return st;
        }
        frame_set(f, n->as.import.name, value_retain(m->record));
        return EV_OK;
    }
    MEM_GROW_FROM(I->modules, I->cap_modules, (size_t)I->nmodules + 1, 4);
    I->modules[I->nmodules++] = (Module){real, shown, true, val_nil()};
    EvStatus st = module_run(I, mi, p->span);
    if (st != EV_OK) { /* forget it: a later import (the REPL, after a fix) runs it afresh */
        Module *m = &I->modules[mi];
        free(m->real);
        free(m->shown);
        value_release(m->record);
        memmove(m, m + 1, sizeof *m * (size_t)(I->nmodules - mi - 1));
        I->nmodules--;
        return st;
    }
    I->modules[mi].loading = false;
    frame_set(f, n->as.import.name, value_retain(I->modules[mi].record));
    return EV_OK;
}
