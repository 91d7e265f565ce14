/* ops.h — operators on values: numbers plainly, samples element-wise (broadcasting
 * numbers), strings and lists by concatenation, comparisons of plain values. */
#ifndef SQC_OPS_H
#define SQC_OPS_H

#include "ast.h"
#include "interp.h"
#include "value.h"

/* a op b for every binary operator except `to`, `and`, `or` (the evaluator handles
 * those). Errors name the operator and the kinds, e.g. "cannot apply '/' to record and number". */
EvStatus op_binary(Interp *I, AstOp op, const Value *a, const Value *b, Span span, Value *out);
EvStatus op_unary(Interp *I, AstOp op, const Value *a, Span span, Value *out);
/* Element-wise and/or when either side is samples. */
EvStatus op_logic_samples(Interp *I, AstOp op, const Value *a, const Value *b, Span span, Value *out);

/* A number, bool or samples as a samples operand (borrowed node). */
bool op_operand(const Value *v, Operand *out);

#endif
