/* check.h — invariant checks for debug builds, as Lua's lua_assert: sq_assert(c) is assert(c)
 * in a Debug build (CMake defines SQC_DEBUG_CHECKS there) and nothing at all otherwise, so a
 * release build is unchanged. The checks: plans (samples_eval.c), the LRU cache of draw arrays
 * (samples.c), reference counts of nodes, values and frames. */
#ifndef SQC_CHECK_H
#define SQC_CHECK_H

#ifdef SQC_DEBUG_CHECKS
#include <assert.h>
#define sq_assert(c) assert(c)
#else
#define sq_assert(c) ((void)0)
#endif

#endif
