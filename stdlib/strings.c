/* strings.c — str and format (docs/language.md, "Strings"), on Python's format mini-language. */
#include <stdio.h>
#include <string.h>

#include "display.h"
#include "numfmt.h"
#include "registry.h"

static bool fn_str(Args *a, Value *out) {
    StrBuf sb;
    sb_init(&sb);
    if (!display_value(a->I, a->v[0], &sb, true) || !display_text_fits(a->I, &sb)) {
        sb_free(&sb);
        return false;
    }
    *out = val_str(sb.data ? sb.data : "", sb.len);
    sb_free(&sb);
    return true;
}

typedef struct FormatCtx {
    Args *a;
    bool failed_in_samples; /* the error is already in the interpreter */
} FormatCtx;

static bool render_arg(void *vctx, int index, const char *spec, size_t speclen, StrBuf *out, char *err, size_t errlen) {
    FormatCtx *ctx = vctx;
    const Value *v = &ctx->a->rest[index];
    if (v->kind == VAL_NUM) return fmt_number(out, spec, speclen, v->as.num, err, errlen);
    if (v->kind == VAL_BOOL && speclen) return fmt_number(out, spec, speclen, v->as.boolean, err, errlen);
    if (v->kind == VAL_STR) return fmt_string(out, spec, speclen, v->as.str->bytes, v->as.str->len, err, errlen);
    StrBuf text;
    sb_init(&text);
    if (!display_value(ctx->a->I, v, &text, true)) {
        ctx->failed_in_samples = true;
        sb_free(&text);
        snprintf(err, errlen, "format: evaluating an argument failed");
        return false;
    }
    bool ok = fmt_string(out, spec, speclen, text.data ? text.data : "", text.len, err, errlen);
    sb_free(&text);
    char *said = ok ? NULL : strstr(err, ", got a string");
    if (said) { /* the spec does not fit the value's text: say what the value is, and what to write */
        size_t at = (size_t)(said - err);
        if (v->kind == VAL_SAMPLES)
            snprintf(said, errlen - at, ", got samples: format one number of them, as format(\"{:%.*s}\", mean(x))",
                     (int)speclen, spec);
        else
            snprintf(said, errlen - at, ", got %s", value_kind_name(v));
    }
    return ok;
}

/* render_arg, then the string limit: format("{}{}{}", s, s, s) must not build 3 x 100M bytes. */
static bool render_arg_within(void *vctx, int index, const char *spec, size_t speclen, StrBuf *out, char *err,
                              size_t errlen) {
    FormatCtx *ctx = vctx;
    if (!render_arg(vctx, index, spec, speclen, out, err, errlen)) return false;
    if (display_text_fits(ctx->a->I, out)) return true;
    ctx->failed_in_samples = true; /* (the error is in the interpreter already) */
    snprintf(err, errlen, "format: the text is too long");
    return false;
}

static bool fn_format(Args *a, Value *out) {
    const SqString *tmpl;
    if (!need_str(a, 0, &tmpl)) return false;
    FormatCtx ctx = {a, false};
    StrBuf sb;
    sb_init(&sb);
    char err[300];
    if (!fmt_template(&sb, tmpl->bytes, tmpl->len, a->nrest, render_arg_within, &ctx, err, sizeof err)) {
        sb_free(&sb);
        if (ctx.failed_in_samples) return false;
        /* numfmt's messages start with "format: "; the call's prefix says it already */
        const char *msg = strncmp(err, "format: ", 8) == 0 ? err + 8 : err;
        return call_error(a, "%s", msg);
    }
    *out = val_str(sb.data ? sb.data : "", sb.len);
    sb_free(&sb);
    return true;
}

static bool fn_split(Args *a, Value *out) {
    const SqString *s, *sep = NULL;
    if (!need_str(a, 0, &s) || (has_arg(a, 1) && !need_str(a, 1, &sep))) return false;
    const char *sp = sep ? sep->bytes : " ";
    size_t splen = sep ? sep->len : 1;
    if (splen == 0) return arg_error(a, 1, "the separator is empty");
    size_t parts = 1; /* count first: the list must be within the limits before it is built */
    for (size_t i = 0; i + splen <= s->len;) {
        if (memcmp(s->bytes + i, sp, splen) == 0) parts++, i += splen;
        else i++;
    }
    if (parts > a->I->max_list) {
        char lim[24];
        interp_limit_text(lim, sizeof lim, a->I->max_list);
        return call_error(a, "the string has %zu parts: too many for a list (at most %s)", parts, lim);
    }
    char what[64];
    snprintf(what, sizeof what, "a list of %zu strings", parts);
    if (!interp_memory_for(a->I, a->call->span, parts * (sizeof(Value) + sizeof(SqString) + 1) + s->len, what))
        return false;
    *out = val_list_new((int)parts);
    size_t start = 0;
    for (size_t i = 0; i + splen <= s->len;) {
        if (memcmp(s->bytes + i, sp, splen) == 0) {
            list_push(out->as.list, val_str(s->bytes + start, i - start));
            i += splen;
            start = i;
        } else {
            i++;
        }
    }
    list_push(out->as.list, val_str(s->bytes + start, s->len - start));
    return true;
}

static bool fn_join(Args *a, Value *out) {
    const SqList *l;
    const SqString *sep = NULL;
    if (!need_list(a, 0, &l) || (has_arg(a, 1) && !need_str(a, 1, &sep))) return false;
    StrBuf sb;
    sb_init(&sb);
    for (int i = 0; i < l->len; i++) {
        if (i && sep) sb_put(&sb, sep->bytes, sep->len);
        if (!display_value(a->I, &l->items[i], &sb, true) || !display_text_fits(a->I, &sb)) {
            sb_free(&sb);
            return false;
        }
    }
    *out = val_str(sb.data ? sb.data : "", sb.len);
    sb_free(&sb);
    return true;
}

const BuiltinDef builtins_strings[] = {
    BUILTIN("split", "s, sep=", "strings", "the parts of s between separators (default \" \"): split(\"Q1 2024\") is [\"Q1\", \"2024\"]", fn_split),
    BUILTIN("join", "xs, sep=", "strings", "the elements as text, separated by sep (default \"\")", fn_join),
    BUILTIN("str", "x", "strings", "x as text, as print shows it", fn_str),
    BUILTIN("format", "template, args...", "strings",
     "Python-style formatting: format(\"{:<12} {:>12,.0f}\", q, x)", fn_format),
    {.name = NULL},
};
