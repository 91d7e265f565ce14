/* dist.c — every MPI call of sqc (dist.h); built only with -DSQC_MPI=ON. */
#include "dist.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samples_internal.h"

static bool started;
static int my_rank, nranks = 1;
static MPI_Comm end_comm; /* a communicator of its own for smp_dist_finish: never mixed up with a pass's */
static double t_start, t_waited; /* for SQC_MPI_TIMES (docs/scale.md) */

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* An exchange, timed: the time a process spends in them is mostly waiting for the others. */
#define TIMED(call) \
    do { \
        double t0_ = seconds(); \
        call; \
        t_waited += seconds() - t0_; \
    } while (0)

int smp_dist_launch_rank(void) {
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return atoi(v);
    }
    return -1;
}

int smp_dist_start(int *size) {
    if (!started) {
        int provided;
        MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &nranks);
        MPI_Comm_dup(MPI_COMM_WORLD, &end_comm);
        started = true;
        t_start = seconds();
    }
    if (size) *size = nranks;
    return my_rank;
}

bool smp_dist_started(void) { return started; }

bool smp_dist_finish(int *status, bool *alone) {
    *alone = false;
    if (!started) return true;
    int mine[2] = {*status, -*status}, all[2] = {0, 0}, done = 0;
    MPI_Request req;
    MPI_Iallreduce(mine, all, 2, MPI_INT, MPI_MAX, end_comm, &req);
    /* Rank 0 waits a little: if the others do not come, its failure was its own (they wait for it in
     * a pass), and its exit ends the job. The others wait longer, so that rank 0's exit, which has
     * printed the message, is what ends them. */
    struct timespec nap = {0, 1000000};
    double limit = my_rank == 0 ? 2.0 : 20.0, t0 = seconds();
    while (MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done && seconds() - t0 < limit)
        nanosleep(&nap, NULL);
    if (!done) return false;
    const char *times = getenv("SQC_MPI_TIMES"); /* a file: one line per process, appended */
    FILE *tf = times && *times ? fopen(times, "a") : NULL;
    if (tf) {
        fprintf(tf, "process %d of %d: %.3f s from the start of MPI to the end, %.3f s of it in exchanges\n",
                my_rank, nranks, seconds() - t_start, t_waited);
        fclose(tf);
    }
    *alone = *status != 0 && all[0] != -all[1]; /* the processes ended differently */
    *status = all[0];
    MPI_Comm_free(&end_comm);
    MPI_Finalize();
    started = false;
    return true;
}

bool smp_dist_agree(bool ok, char *err, size_t len) {
    if (!started || nranks < 2) return ok;
    int v = ok;
    TIMED(MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD));
    if (!v && len) {
        if (len > INT_MAX) len = INT_MAX;
        TIMED(MPI_Bcast(err, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD));
        err[len - 1] = 0;
    }
    return v != 0;
}

void smp_dist_bcast(void *buf, size_t len) {
    if (!started || nranks < 2) return;
    for (size_t off = 0; off < len;) { /* counts are ints */
        size_t part = len - off < (size_t)INT_MAX ? len - off : (size_t)INT_MAX;
        TIMED(MPI_Bcast((char *)buf + off, (int)part, MPI_BYTE, 0, MPI_COMM_WORLD));
        off += part;
    }
}

uint64_t smp_dist_min(uint64_t v) {
    if (!started || nranks < 2) return v;
    uint64_t out;
    TIMED(MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD));
    return out;
}

bool smp_dist_same(uint64_t v) {
    if (!started || nranks < 2) return true;
    uint64_t both[2] = {v, ~v}, out[2];
    TIMED(MPI_Allreduce(both, out, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD));
    return out[0] == v && out[1] == ~v; /* the largest and the least are v */
}

void smp_dist_and(bool *flags, size_t n) {
    if (!started || nranks < 2 || n == 0) return;
    int *v = smp_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = flags[i];
    TIMED(MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_INT, MPI_LAND, MPI_COMM_WORLD));
    for (size_t i = 0; i < n; i++) flags[i] = v[i] != 0;
    free(v);
}

/* ---- block passes ---- */

/* The first position of sel[0..nsel) holding a block >= b. */
static size_t lower_bound(const size_t *sel, size_t nsel, size_t b) {
    size_t lo = 0, hi = nsel;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sel[mid] < b) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Rank r's positions of a pass. */
static void span_of(const SampleCtx *ctx, int r, const size_t *sel, size_t nsel, size_t *j0, size_t *j1) {
    size_t nb = smp_nblocks(ctx->n), k = (size_t)ctx->ranks;
    size_t lo = nb * (size_t)r / k, hi = nb * (size_t)(r + 1) / k;
    if (!sel) {
        *j0 = lo, *j1 = hi;
        return;
    }
    *j0 = lower_bound(sel, nsel, lo);
    *j1 = lower_bound(sel, nsel, hi);
}

void smp_dist_span(const SampleCtx *ctx, const size_t *sel, size_t nsel, size_t *j0, size_t *j1) {
    span_of(ctx, ctx->rank, sel, nsel, j0, j1);
}

void smp_dist_gather(const SampleCtx *ctx, void *base, size_t size, const size_t *sel, size_t nsel) {
    int k = ctx->ranks;
    int *count = smp_xmalloc(2 * (size_t)k * sizeof *count), *displ = count + k;
    for (int r = 0; r < k; r++) {
        size_t j0, j1;
        span_of(ctx, r, sel, nsel, &j0, &j1);
        count[r] = (int)(j1 - j0), displ[r] = (int)j0;
    }
    MPI_Datatype rec;
    MPI_Type_contiguous((int)size, MPI_BYTE, &rec);
    MPI_Type_commit(&rec);
    TIMED(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, base, count, displ, rec, MPI_COMM_WORLD));
    MPI_Type_free(&rec);
    free(count);
}

void smp_dist_gather_draws(const SampleCtx *ctx, double *base, const size_t *sel, size_t nsel) {
    int k = ctx->ranks;
    size_t n = ctx->n;
    int *count = smp_xmalloc(2 * (size_t)k * sizeof *count), *displ = count + k;
    for (int r = 0; r < k; r++) {
        size_t j0, j1;
        span_of(ctx, r, sel, nsel, &j0, &j1);
        size_t from = j0 * SMP_BLOCK, to = j1 * SMP_BLOCK; /* draws at base + j*SMP_BLOCK */
        if (j1 > j0) { /* the pass's last block may be short */
            size_t last = sel ? sel[j1 - 1] : j1 - 1;
            size_t len = n - last * SMP_BLOCK < SMP_BLOCK ? n - last * SMP_BLOCK : SMP_BLOCK;
            to = (j1 - 1) * SMP_BLOCK + len;
        } else {
            to = from;
        }
        count[r] = (int)(to - from), displ[r] = (int)from; /* n <= 1B draws: within an int */
    }
    TIMED(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, base, count, displ, MPI_DOUBLE, MPI_COMM_WORLD));
    free(count);
}

void smp_dist_max2(int *a, int *b) {
    int v[2] = {*a, *b};
    TIMED(MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD));
    *a = v[0], *b = v[1];
}

void smp_dist_sum(uint64_t *v, size_t n) {
    if (n) TIMED(MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD));
}

void smp_dist_concat(const double *mine, size_t len, double **out, size_t *total, size_t **parts) {
    int k = nranks;
    int *count = smp_xmalloc(2 * (size_t)k * sizeof *count), *displ = count + k;
    int l = (int)len;
    TIMED(MPI_Allgather(&l, 1, MPI_INT, count, 1, MPI_INT, MPI_COMM_WORLD));
    size_t sum = 0;
    *parts = smp_xmalloc((size_t)k * sizeof **parts);
    for (int r = 0; r < k; r++) displ[r] = (int)sum, sum += (size_t)count[r], (*parts)[r] = (size_t)count[r];
    *out = smp_xmalloc((sum ? sum : 1) * sizeof **out);
    *total = sum;
    TIMED(MPI_Allgatherv(mine, l, MPI_DOUBLE, *out, count, displ, MPI_DOUBLE, MPI_COMM_WORLD));
    free(count);
}
