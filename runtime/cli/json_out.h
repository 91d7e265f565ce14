/* json_out.h — `sqc --json`: every top-level binding of a finished run as one JSON object. */
#ifndef SQC_JSON_OUT_H
#define SQC_JSON_OUT_H

#include <stdbool.h>

#include "eval.h"
#include "strbuf.h"

/* Appends the object to out. Keys come in the order the program first binds them (a walk
 * of its top-level statements, loop bodies and if-statements included); any other global
 * follows, sorted by name. Numbers are JSON numbers (NaN and infinities: null), samples
 * are {mean, sd, p1, p5, p25, p50, p75, p95, p99, min, max}, lists are arrays, records
 * objects, nil null, functions strings ("<function f(x)>"). Evaluating samples can fail:
 * then false, with I's error set. */
bool json_globals(Interp *I, StrBuf *out);

/* One value as JSON at nesting level `indent` (two spaces a level). */
bool json_value(Interp *I, const Value *v, StrBuf *out, int indent);

#endif
