/* dist.h — a run spread over the processes of an MPI job (docs/scale.md).
 *
 * Built with -DSQC_MPI=ON, `mpirun -np K sqc FILE` runs the same program in K processes (ranks).
 * Each runs the interpreter in full; what is spread is the work on draws. A block pass of a context
 * marked spread (SampleCtx.ranks > 1) evaluates on each rank only the blocks it owns (rank r: blocks
 * [nb*r/K, nb*(r+1)/K), a contiguous run; a pass over chosen blocks takes the chosen ones in its
 * range), and what those blocks gave is then exchanged so that every rank holds every block's part
 * (smp_dist_gather, smp_dist_gather_draws, and quantile.c's smp_qstream_gather) and combines them in
 * block order exactly as one process does: the same bits, the same control flow on every rank. The
 * pass's errors and stops are made the same on every rank too (samples_eval.c's run_plan).
 *
 * Every MPI call of sqc is in dist.c. Without SQC_MPI this header is all there is: a context is
 * never spread, the functions below are empty inlines, and the compiler drops the branches that
 * call them, so the ordinary build carries no cost.
 */
#ifndef SQC_DIST_H
#define SQC_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samples.h"

#ifdef SQC_MPI

/* ---- the job (runtime/cli/sqc.c) ---- */

/* This process's rank from the launcher's environment (Open MPI, PMIx, MPICH), before MPI starts;
 * -1 when not launched by mpirun. */
int smp_dist_launch_rank(void);
/* Starts MPI (MPI calls come from one thread at a time); returns the rank, *size the number of
 * processes. Started once; later calls only report. */
int smp_dist_start(int *size);
bool smp_dist_started(void);
/* The end of the job: every rank gives its exit status. True when every rank got here (then MPI
 * is finalized, *status is the largest, and *alone says that this rank failed where another did
 * not); false when the others did not come within a while (this rank failed on its own: its
 * output, its memory, its clock), and then this process must end at once with its status, which
 * ends the job (mpirun). */
bool smp_dist_finish(int *status, bool *alone);

/* Rank 0's outcome of something only it does (writing a file): ok and, when not, its message in
 * err[0..len), given to every rank. Returns the agreed ok. */
bool smp_dist_agree(bool ok, char *err, size_t len);
/* Rank 0's bytes to every rank: buf[0..len) (len the same on every rank). */
void smp_dist_bcast(void *buf, size_t len);
/* Whether every rank has the same value. */
bool smp_dist_same(uint64_t v);
/* The least of every rank's value. */
uint64_t smp_dist_min(uint64_t v);
/* The logical AND over every rank of flags[0..n), in place. */
void smp_dist_and(bool *flags, size_t n);

/* ---- block passes (the engine) ---- */

static inline bool smp_spread(const SampleCtx *ctx) { return ctx->ranks > 1; }
/* The positions [*j0, *j1) of a pass over blocks sel[0..nsel) (ascending; all blocks when sel is
 * NULL, nsel their number) that this rank evaluates. */
void smp_dist_span(const SampleCtx *ctx, const size_t *sel, size_t nsel, size_t *j0, size_t *j1);
/* After a spread pass: records base[j] (size bytes each, one per position of the pass) from the
 * rank that computed them to every rank. */
void smp_dist_gather(const SampleCtx *ctx, void *base, size_t size, const size_t *sel, size_t nsel);
/* The same for draws: base + j*SMP_BLOCK holds the draws of block sel[j] (base + b*SMP_BLOCK those
 * of block b without sel; the last block may be short). */
void smp_dist_gather_draws(const SampleCtx *ctx, double *base, const size_t *sel, size_t nsel);
/* The pass's stop reason and whether any block failed, made the largest over the ranks. */
void smp_dist_max2(int *a, int *b);
/* Sums of v[0..n) over the ranks, in place (whole numbers: exact, any order). */
void smp_dist_sum(uint64_t *v, size_t n);
/* Every rank's doubles, concatenated in rank order into *out (malloc'd, *total of them; *parts
 * gets rank r's count at [r], malloc'd). */
void smp_dist_concat(const double *mine, size_t len, double **out, size_t *total, size_t **parts);

#else /* no MPI: nothing is spread; these are never reached */

static inline bool smp_spread(const SampleCtx *ctx) { (void)ctx; return false; }
static inline void smp_dist_span(const SampleCtx *ctx, const size_t *sel, size_t nsel, size_t *j0, size_t *j1) {
    (void)ctx, (void)sel;
    *j0 = 0, *j1 = nsel;
}
static inline void smp_dist_gather(const SampleCtx *ctx, void *base, size_t size, const size_t *sel, size_t nsel) {
    (void)ctx, (void)base, (void)size, (void)sel, (void)nsel;
}
static inline void smp_dist_gather_draws(const SampleCtx *ctx, double *base, const size_t *sel, size_t nsel) {
    (void)ctx, (void)base, (void)sel, (void)nsel;
}
static inline void smp_dist_max2(int *a, int *b) { (void)a, (void)b; }
static inline void smp_dist_sum(uint64_t *v, size_t n) { (void)v, (void)n; }
static inline void smp_dist_and(bool *flags, size_t n) { (void)flags, (void)n; }

#endif
#endif
