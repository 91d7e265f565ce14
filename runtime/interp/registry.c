/* registry.c — the builtin table, argument binding, and the shared argument checks. */
#include "registry.h"
#include "mem.h"
#include "numfmt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* "lo, hi, credibility=, lclip=" → parameter names, required flags, variadic. */
static void parse_signature(SymTab *syms, Builtin *b) {
    const char *p = b->signature;
    b->nparams = 0;
    while (*p && b->nparams < ARGS_MAX) {
        while (*p == ' ' || *p == ',') p++;
        const char *start = p;
        while (*p && *p != ',' && *p != '=' && *p != '.') p++;
        if (p == start) break;
        int i = b->nparams++;
        b->params[i] = sym_intern(syms, start, (size_t)(p - start));
        b->required[i] = true;
        if (*p == '=') b->required[i] = false;
        if (*p == '.') b->variadic = true, b->required[i] = false;
        while (*p && *p != ',') p++;
    }
}

void registry_open(Interp *I, const BuiltinDef *const *families, size_t nfamilies) {
    size_t n = (size_t)I->nbuiltins;
    for (size_t f = 0; f < nfamilies; f++)
        for (const BuiltinDef *d = families[f]; d->name; d++) n++;
    Builtin *rows = mem_realloc(I->builtins, n * sizeof *rows);
    for (size_t f = 0; f < nfamilies; f++)
        for (const BuiltinDef *d = families[f]; d->name; d++) {
            Builtin *b = &rows[I->nbuiltins++];
            *b = (Builtin){.name = d->name, .signature = d->signature, .family = d->family, .doc = d->doc, .fn = d->fn};
            parse_signature(&I->syms, b);
        }
    I->builtins = rows;
}

const Builtin *registry_find(const Interp *I, Sym name) {
    for (int i = 0; i < I->nbuiltins; i++)
        if (strcmp(I->builtins[i].name, name) == 0) return &I->builtins[i];
    return NULL;
}

int registry_count(const Interp *I) { return I->nbuiltins; }
const Builtin *registry_at(const Interp *I, int i) { return i >= 0 && i < I->nbuiltins ? &I->builtins[i] : NULL; }

/* ---------- errors ---------- */

static bool verror(Args *a, Span span, const char *fmt, va_list ap) {
    char msg[900];
    vsnprintf(msg, sizeof msg, fmt, ap);
    rt_error(a->I, span, "%s: %s", a->fn->name, msg);
    return false;
}

bool arg_error(Args *a, int i, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verror(a, a->v[i] ? a->span[i] : a->call->span, fmt, ap);
    va_end(ap);
    return false;
}

bool call_error(Args *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verror(a, a->call->span, fmt, ap);
    va_end(ap);
    return false;
}

bool write_output(Args *a, const char *text, size_t len) {
    errno = 0;
    if (len) fwrite(text, 1, len, a->I->out);
    if (!ferror(a->I->out)) return true;
    int e = errno;
    return call_error(a, "cannot write the output%s%s", e ? ": " : "", e ? strerror(e) : "");
}

bool arg_type_error(Args *a, int i, const char *expected) {
    return arg_error(a, i, "argument '%s' must be %s, got %s", a->fn->params[i], expected,
                     value_kind_name(a->v[i]));
}

/* ---------- binding ---------- */

bool builtin_invoke(Interp *I, const Builtin *b, const CallArgs *call, Value *out) {
    Args a = {.I = I, .fn = b, .call = call};
    int fixed = b->variadic ? b->nparams - 1 : b->nparams;
    int npos = call->npos;
    if (npos > fixed && !b->variadic) {
        return call_error(&a, "takes at most %d argument%s (%s), got %d", fixed, fixed == 1 ? "" : "s",
                          b->signature, npos);
    }
    for (int i = 0; i < npos && i < fixed; i++) {
        a.v[i] = &call->pos[i], a.span[i] = call->pos_span[i];
        a.node[i] = call->pos_node ? call->pos_node[i] : NULL;
    }
    if (b->variadic && npos > fixed) {
        a.nrest = npos - fixed;
        a.rest = call->pos + fixed;
        a.rest_span = call->pos_span + fixed;
    }
    for (int k = 0; k < call->nkw; k++) {
        int p = -1;
        for (int i = 0; i < fixed; i++)
            if (b->params[i] == call->kw_names[k]) p = i;
        if (p < 0) {
            Suggest s;
            suggest_init(&s, call->kw_names[k]);
            for (int i = 0; i < fixed; i++) suggest_consider(&s, b->params[i]);
            if (s.best)
                rt_error(I, call->kw_span[k], "%s: no parameter named '%s' (did you mean '%s'?)", b->name,
                         call->kw_names[k], s.best);
            else
                rt_error(I, call->kw_span[k], "%s: no parameter named '%s' (%s(%s))", b->name, call->kw_names[k],
                         b->name, b->signature);
            return false;
        }
        if (a.v[p]) {
            rt_error(I, call->kw_span[k], "%s: argument '%s' given twice", b->name, call->kw_names[k]);
            return false;
        }
        a.v[p] = &call->kw[k];
        a.span[p] = call->kw_span[k];
        a.node[p] = call->kw_node ? call->kw_node[k] : NULL;
    }
    for (int i = 0; i < fixed; i++)
        if (b->required[i] && !a.v[i])
            return call_error(&a, "missing argument '%s' (%s(%s))", b->params[i], b->name, b->signature);
    if (b->fn(&a, out)) return true;
    /* Every failure reaches the user as a message at a place. A builtin that failed inside the
     * samples engine and left the error there hands it on here; one that left none at all is a bug,
     * reported at its call rather than as an empty message at 1:1. */
    if (!I->err.set && I->smp.err.set) rt_error_from_samples(I);
    if (!I->err.set) rt_error(I, call->span, "%s: internal error: it failed without saying why (please report this)", b->name);
    return false;
}

/* ---------- typed access ---------- */

bool has_arg(Args *a, int i) { return a->v[i] != NULL; }

bool arg_is_percent_literal(Args *a, int i) {
    const Ast *n = a->node[i];
    if (n && n->kind == AST_NUM) return n->percent;
    if (n && n->kind == AST_LIST)
        for (int k = 0; k < n->as.list.count; k++)
            if (n->as.list.items[k]->kind == AST_NUM && n->as.list.items[k]->percent) return true;
    return false;
}

bool need_num(Args *a, int i, double *out) {
    const Value *v = a->v[i];
    if (v && v->kind == VAL_NUM) return *out = v->as.num, true;
    if (v && v->kind == VAL_BOOL) return *out = v->as.boolean, true;
    if (!v) return call_error(a, "missing argument '%s'", a->fn->params[i]);
    return arg_type_error(a, i, "a number");
}

bool opt_num(Args *a, int i, double dflt, double *out) {
    if (!a->v[i]) return *out = dflt, true;
    return need_num(a, i, out);
}

bool need_int(Args *a, int i, long *out) {
    double x = 0;
    if (!need_num(a, i, &x)) return false;
    if (x != floor(x) || fabs(x) > 9e15) return arg_error(a, i, "argument '%s' must be a whole number, got %s", a->fn->params[i], num_text(&(NumText){0}, x));
    *out = (long)x;
    return true;
}

bool need_operand(Args *a, int i, Operand *out) {
    const Value *v = a->v[i];
    if (!v) return call_error(a, "missing argument '%s'", a->fn->params[i]);
    switch (v->kind) {
    case VAL_NUM: *out = opnd_num(v->as.num); return true;
    case VAL_BOOL: *out = opnd_num(v->as.boolean); return true;
    case VAL_SAMPLES: *out = opnd_smp(v->as.smp); return true;
    default: return arg_type_error(a, i, "a number or samples");
    }
}

bool need_str(Args *a, int i, const SqString **out) {
    const Value *v = a->v[i];
    if (v && v->kind == VAL_STR) return *out = v->as.str, true;
    if (!v) return call_error(a, "missing argument '%s'", a->fn->params[i]);
    return arg_type_error(a, i, "a string");
}

bool need_list(Args *a, int i, const SqList **out) {
    const Value *v = a->v[i];
    if (v && v->kind == VAL_LIST) return *out = v->as.list, true;
    if (!v) return call_error(a, "missing argument '%s'", a->fn->params[i]);
    return arg_type_error(a, i, "a list");
}

bool need_record(Args *a, int i, const SqRecord **out) {
    const Value *v = a->v[i];
    if (v && v->kind == VAL_RECORD) return *out = v->as.rec, true;
    if (!v) return call_error(a, "missing argument '%s'", a->fn->params[i]);
    return arg_type_error(a, i, "a record");
}

bool need_func(Args *a, int i) {
    const Value *v = a->v[i];
    if (v && (v->kind == VAL_FUNC || v->kind == VAL_BUILTIN)) return true;
    if (!v) return call_error(a, "missing argument '%s'", a->fn->params[i]);
    return arg_type_error(a, i, "a function");
}

Value result_samples(Args *a, Samples *s) {
    interp_note_samples(a->I);
    return val_samples(s);
}
