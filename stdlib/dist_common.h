/* dist_common.h — what every distribution constructor shares: reading a credible
 * interval, checking bounds, and applying lclip=/rclip=. */
#ifndef SQC_DIST_COMMON_H
#define SQC_DIST_COMMON_H

#include "registry.h"

/* credibility= as parameter i (absent: 90): a percentage from 1 to 99.99, else false with an
 * error that says to write credibility=80 (0.8 and 80% are 0.8: docs/language.md). */
bool dist_credibility(Args *a, int i, double *cred);
/* The z of a central interval holding that credibility (1.6448536… for 90). */
bool dist_credibility_z(Args *a, int i, double *z);

/* Operand arithmetic that stays plain when both sides are numbers. New references. */
Operand opnd_arith(SmpBinary op, Operand x, Operand y);
Operand opnd_unary(SmpUnary op, Operand x);
void opnd_release(Operand x);

/* lo <= hi when both are numbers; the message names the function's bounds. */
bool dist_check_order(Args *a, int lo_i, int hi_i, Operand lo, Operand hi);

/* Wraps s (taken) into the call's result: applies lclip=/rclip= (parameter indices, or
 * -1 when the constructor has none) and marks that samples now exist. */
bool dist_finish(Args *a, Samples *s, int lclip_i, int rclip_i, Value *out);

#endif
