/* mem.h — the one check that every allocation that can be large goes through.
 *
 * The memory sqc may use is the least of: SQC_MEMORY_LIMIT, the memory limits of the cgroups
 * that hold the process (v2 memory.max and v1 memory.limit_in_bytes, up the hierarchy: a nested
 * group's parents count), and what the machine had available when sqc started. An allocation
 * of MEM_CHECK_FROM bytes or more fits when the process's resident size plus the allocation
 * stays within it: so a container with a 1 GB limit gets an error with a place, not an OOM kill
 * (docs/reliability.md). Builders that can report a runtime error (lists, strings) ask
 * mem_fits() first; everything else allocates through mem_alloc() and friends, which end the
 * run with "FILE:LINE:COL: error: out of memory ..." (exit status 1) when the memory is not
 * there, through the reporter the interpreter installs. */
#ifndef SQC_MEM_H
#define SQC_MEM_H

#include <stdbool.h>
#include <stddef.h>

#define MEM_CHECK_FROM ((size_t)1 << 20) /* smaller allocations are not weighed against the limit */

/* The limit in bytes (INFINITY when nothing limits) and what sets it, as a phrase:
 * "allowed by SQC_MEMORY_LIMIT", "allowed by the cgroup", "available". Read once: the
 * available memory then, plus what the process held then. */
double mem_limit(const char **source);

/* Whether `bytes` more fit (with what the process holds now). When not, why says so:
 * "1.6 GB more would pass the 1.0 GB allowed by the cgroup". Always true below MEM_CHECK_FROM. */
bool mem_fits(size_t bytes, char *why, size_t whylen);

/* malloc, calloc and realloc that never return NULL: an allocation that does not fit or that
 * fails ends the run through mem_fail(). */
void *mem_alloc(size_t bytes);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t bytes);
char *mem_strdup(const char *s);
/* The one growth idiom: room for at least `need` elements in the array p, whose capacity `cap`
 * (a size_t or an int variable: the macro picks) grows by doubling from `first` elements, or 16
 * for MEM_GROW. An int capacity stops at INT_MAX, a size_t one at the address space; asking for
 * more ends the run through mem_fail(), as running out of memory does (no capacity ever
 * overflows). Each argument is evaluated once; only growing calls out of line. */
#define MEM_GROW(p, cap, need) MEM_GROW_FROM(p, cap, need, 16)
#define MEM_GROW_FROM(p, cap, need, first) \
    _Generic((cap), size_t: mem_reserve, int: mem_reserve_int)((void **)&(p), &(cap), (need), sizeof *(p), (first))

void mem_grow(void **p, size_t *cap, size_t need, size_t size, size_t first);
void mem_grow_int(void **p, int *cap, size_t need, size_t size, size_t first);

static inline void mem_reserve(void **p, size_t *cap, size_t need, size_t size, size_t first) {
    if (need > *cap) mem_grow(p, cap, need, size, first);
}

static inline void mem_reserve_int(void **p, int *cap, size_t need, size_t size, size_t first) {
    if (*cap < 0 || need > (size_t)*cap) mem_grow_int(p, cap, need, size, first);
}

/* Reports "out of memory: WHY" and ends the process with exit status 1 (never returns). */
_Noreturn void mem_fail(const char *why);

/* The interpreter's reporter prints the message at the place being evaluated and flushes the
 * output. It is installed for the calling thread (each interpreter runs on its own); a worker
 * thread of a parallel pass reports through the reporter of the one thread that has one (so
 * at the statement being run, docs/reliability.md), and through none, "sqc: error: ...", when
 * interpreters on several threads have one. The reporter must not return, and must be safe to
 * call from any thread while its own thread waits in a parallel region. */
typedef void (*MemReporter)(void *ctx, const char *message);
void mem_set_reporter(MemReporter fn, void *ctx);
void mem_forget_reporter(void *ctx); /* removes the reporter if it is ctx's (ctx is going away) */

/* The cgroup limit, from a /proc/self/cgroup file and the cgroup file systems under fs_root
 * (normally "/proc/self/cgroup" and "/sys/fs/cgroup"); INFINITY when none. For the unit test. */
double mem_cgroup_limit(const char *proc_cgroup, const char *fs_root);

/* Bytes as people read them: "512 bytes", "1.6 GB" (powers of 1000). */
void mem_human(char *buf, size_t len, double bytes);

#endif
