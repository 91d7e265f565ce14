/* numfmt.h — numbers as text: shortest round-trip form, compact K/M/B form, and
 * Python's format mini-language (used by print, str, format and the summaries). */
#ifndef SQC_NUMFMT_H
#define SQC_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* Shortest text that reads back to the same double: "3", "0.1", "1760000.15",
 * "-2.5", "1e+21", "1e-07", "inf", "-inf", "nan". Fixed notation when the decimal
 * exponent is in [-4, 16), otherwise scientific (as Python's repr, minus the ".0"). */
void num_shortest(StrBuf *out, double x);

/* num_shortest's text in a small buffer, for messages: every digit that tells the value apart
 * ("got 100.0000001", not "got 100"), and "nan", never "-nan". Use it in place:
 * rt_error(..., "got %s", num_text(&(NumText){0}, x)). */
typedef struct NumText {
    char s[32];
} NumText;
const char *num_text(NumText *t, double x);
/* The same text by the earlier, slower method (printf digits, checked with strtod), kept as the
 * reference that tests/unit/test_numfmt.c compares num_shortest with. */
void num_shortest_probed(StrBuf *out, double x);

/* Three significant digits with a K/M/B/T suffix from 1000 up: "1.40M", "12.9K",
 * "189K", "-3.20B", "0.225", "12.0", "0", "1.23e-05" (tiny), "1.00e+18" (beyond T). */
void num_compact(StrBuf *out, double x);

/* Formats x by a Python format spec (the text after ':' in "{:>12,.0f}"): fill, align
 * < > ^ =, sign + - space, '#', '0', width, ',' or '_' grouping, .precision, types
 * d f F e E g G % and none. With no type, an integral x (|x| < 1e16) formats as an
 * integer and any other x as Python formats a float. Returns false with a message in
 * err for a malformed spec or a type that does not fit (e.g. 'd' with 2.5, 's' with a number). */
bool fmt_number(StrBuf *out, const char *spec, size_t speclen, double x, char *err, size_t errlen);

/* Formats a string by a spec: fill, align, width, .precision (truncates), type s or none. */
bool fmt_string(StrBuf *out, const char *spec, size_t speclen, const char *s, size_t len,
                char *err, size_t errlen);

/* Renders argument `index` with the spec (possibly empty) into out; false on error (err filled). */
typedef bool (*FmtArgRenderer)(void *ctx, int index, const char *spec, size_t speclen, StrBuf *out,
                               char *err, size_t errlen);

/* Expands a Python-style template: "{}" (automatic numbering), "{0}" (explicit), "{:spec}",
 * "{1:spec}", "{{" and "}}" for braces. Errors: unmatched brace, mixing automatic and explicit
 * numbering, an index >= nargs ("format: field {2} but only 2 arguments"), and renderer errors. */
bool fmt_template(StrBuf *out, const char *tmpl, size_t len, int nargs, FmtArgRenderer render,
                  void *ctx, char *err, size_t errlen);

#endif
