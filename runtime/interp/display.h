/* display.h — values as text, the way print shows them (docs/language.md, "Output"). */
#ifndef SQC_DISPLAY_H
#define SQC_DISPLAY_H

#include <stdbool.h>

#include "interp.h"
#include "strbuf.h"
#include "value.h"

/* Appends v's text. `top` is true for a print argument: a string then shows as its
 * text, otherwise quoted. Samples show as a one-line summary (this evaluates them,
 * so it can fail with I's error set). */
bool display_value(Interp *I, const Value *v, StrBuf *out, bool top);

/* Whether text built so far is within the string limit (I->max_string, 100M bytes); when not, an
 * error at the node being evaluated. display_value checks it after each element of a list or
 * record, so no text overshoots the limit by more than one element's. */
bool display_text_fits(Interp *I, const StrBuf *out);

/* "mean 1.40M, 90% CI 1.26M to 1.54M" (plus a count of NaN/infinite draws, if any). */
bool display_samples_summary(Interp *I, Samples *s, StrBuf *out);

/* A string literal with quotes and escapes, as inside a printed list. */
void display_quoted(StrBuf *out, const char *s, size_t len);

#endif
