/* correlate.c — correlate(xs, r): inputs reordered to a rank correlation (docs/language.md,
 * "Correlated inputs").
 *
 * Iman and Conover (1982), "A distribution-free approach to inducing rank correlation among input
 * variables". Every output holds exactly its input's draws; only their order changes, so every
 * marginal is kept to the bit. The order comes from a score matrix R (n x k): each column a
 * permutation of the van der Waerden scores Phi^-1(i / (n + 1)), the permutations drawn from the
 * run's counter-based streams. R's own sample correlation T (= Q Q') is taken out and the target's
 * put in: R* = R (P Q^-1)', whose Pearson correlation is exactly P P'. Output j is input j's sorted
 * draws placed in the rank order of column j of R*.
 *
 * The target is a Spearman correlation; R* is close to multivariate normal, whose Spearman
 * correlation is (6 / pi) asin(rho / 2). So P P' holds 2 sin(pi r / 6), the Pearson correlation of
 * normal scores whose Spearman correlation is r (without it r = 0.6 would come out at 0.58).
 *
 * The linear algebra runs in blocks of rows in a fixed order (GSL's serial BLAS); the shuffles (a
 * stream per column) and the sorts (ranks.h's stable radix sorts: GSL's heapsort is 20x slower at
 * 10M draws) use the threads without depending on them, so the result is the same for any --threads. It needs whole columns:
 * n x k scores and their permutations while it runs, and each output keeps its n draws (an array,
 * like samples_of's data) for as long as it is used. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "numfmt.h"
#include "mem.h"
#include "ranks.h"
#include "registry.h"
#include "rng.h"

#define ROWS 4096 /* rows of R per block of the linear algebra */

/* Reads r: one number for every pair, or a k x k matrix. Checks what docs/language.md promises:
 * each r_ij in (-1, 1), a unit diagonal, symmetry; positive definiteness is checked by the caller. */
static bool target_matrix(Args *a, int k, gsl_matrix *c) {
    const Value *v = a->v[1];
    NumText t1 = {0}, t2 = {0};
    if (v->kind == VAL_NUM) {
        double r = v->as.num;
        if (!(r > -1 && r < 1))
            return arg_error(a, 1, "r must be between -1 and 1 (not including them), got %s", num_text(&t1, r));
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) gsl_matrix_set(c, (size_t)i, (size_t)j, i == j ? 1.0 : r);
        return true;
    }
    if (v->kind != VAL_LIST)
        return arg_type_error(a, 1, "a number in (-1, 1) for every pair, or a k x k list of lists");
    const SqList *rows = v->as.list;
    if (rows->len != k)
        return arg_error(a, 1, "the matrix has %d row%s for %d inputs: it must be %d x %d", rows->len,
                         rows->len == 1 ? "" : "s", k, k, k);
    for (int i = 0; i < k; i++) {
        const Value *row = &rows->items[i];
        if (row->kind != VAL_LIST || row->as.list->len != k)
            return arg_error(a, 1, "row %d of the matrix must be a list of %d numbers", i, k);
        for (int j = 0; j < k; j++) {
            const Value *x = &row->as.list->items[j];
            if (x->kind != VAL_NUM) return arg_error(a, 1, "r[%d][%d] is %s, not a number", i, j, value_kind_name(x));
            gsl_matrix_set(c, (size_t)i, (size_t)j, x->as.num);
        }
    }
    for (int i = 0; i < k; i++) {
        double d = gsl_matrix_get(c, (size_t)i, (size_t)i);
        if (d != 1) return arg_error(a, 1, "r[%d][%d] is %s: the diagonal must be 1", i, i, num_text(&t1, d));
        for (int j = 0; j < k; j++) {
            double x = gsl_matrix_get(c, (size_t)i, (size_t)j), y = gsl_matrix_get(c, (size_t)j, (size_t)i);
            if (i != j && !(x > -1 && x < 1))
                return arg_error(a, 1, "r[%d][%d] is %s: a correlation between two inputs must be between -1 and 1 "
                                       "(not including them)", i, j, num_text(&t1, x));
            if (j > i && x != y)
                return arg_error(a, 1, "r[%d][%d] is %s but r[%d][%d] is %s: the matrix must be symmetric", i, j,
                                 num_text(&t1, x), j, i, num_text(&t2, y));
        }
    }
    return true;
}

/* The lower Cholesky factor of c into l; false if c is not positive definite. */
static bool cholesky(const gsl_matrix *c, gsl_matrix *l) {
    gsl_matrix_memcpy(l, c);
    if (gsl_linalg_cholesky_decomp1(l) != GSL_SUCCESS) return false;
    for (size_t i = 0; i < l->size1; i++)
        for (size_t j = i + 1; j < l->size2; j++) gsl_matrix_set(l, i, j, 0.0);
    return true;
}

static bool not_positive_definite(Args *a, int k) {
    const Value *v = a->v[1];
    if (v->kind == VAL_NUM) {
        NumText t1 = {0}, t2 = {0};
        return arg_error(a, 1, "r = %s for every pair of %d inputs is impossible (the matrix is not positive "
                               "definite): with %d inputs a common r must be above %s",
                         num_text(&t1, v->as.num), k, k, num_text(&t2, -1.0 / (k - 1)));
    }
    return arg_error(a, 1, "the matrix is not positive definite: no %d variables have these correlations together "
                           "(lower the largest ones, or make the signs consistent)", k);
}

/* Fisher-Yates on col[0..n) from the counter-based stream (key, draw i, column j). */
static void shuffle(double *col, size_t n, uint64_t key, uint64_t j) {
    for (size_t i = n - 1; i > 0; i--) {
        size_t p = (size_t)(((unsigned __int128)rng_bits(key, i, j) * (i + 1)) >> 64);
        double t = col[i];
        col[i] = col[p];
        col[p] = t;
    }
}

/* Rows i0 .. i0 + m of the columns into rb (m x k), or back from it. */
static void rows_in(gsl_matrix *rb, double *const *col, int k, size_t i0, size_t m) {
    for (size_t i = 0; i < m; i++)
        for (int j = 0; j < k; j++) rb->data[i * rb->tda + (size_t)j] = col[j][i0 + i];
}

static void rows_out(const gsl_matrix *ob, double *const *col, int k, size_t i0, size_t m) {
    for (size_t i = 0; i < m; i++)
        for (int j = 0; j < k; j++) col[j][i0 + i] = ob->data[i * ob->tda + (size_t)j];
}

static bool fn_correlate(Args *a, Value *out) {
    SampleCtx *ctx = &a->I->smp;
    const SqList *xs;
    if (!need_list(a, 0, &xs)) return false;
    int k = xs->len;
    if (k < 2) return arg_error(a, 0, "give a list of at least two samples values to correlate, got %d", k);
    for (int j = 0; j < k; j++) {
        const Value *x = &xs->items[j];
        if (x->kind != VAL_SAMPLES)
            return arg_error(a, 0, "item %d is %s%s: correlate reorders the draws of samples values (a number has "
                                   "nothing to reorder)", j, x->kind == VAL_NIL ? "" : "a ", value_kind_name(x));
    }
    size_t n = ctx->n;
    if (n > UINT32_MAX) return call_error(a, "at most %u draws, got %zu", UINT32_MAX, n);
    gsl_matrix *c = gsl_matrix_alloc((size_t)k, (size_t)k), *p = gsl_matrix_alloc((size_t)k, (size_t)k),
               *t = gsl_matrix_calloc((size_t)k, (size_t)k), *q = gsl_matrix_alloc((size_t)k, (size_t)k);
    if (!c || !p || !t || !q) mem_fail("a correlation matrix could not be allocated"); /* (GSL's handler is off) */
    bool ok = target_matrix(a, k, c);
    if (ok && !cholesky(c, p)) ok = not_positive_definite(a, k);
    if (ok) { /* the normal scores' Pearson correlation that gives Spearman r */
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (i != j) gsl_matrix_set(c, (size_t)i, (size_t)j, 2 * sin(M_PI * gsl_matrix_get(c, (size_t)i, (size_t)j) / 6));
        if (!cholesky(c, p))
            ok = arg_error(a, 1, "the matrix is too close to singular to reach with rank correlations: move the "
                                 "correlations a little away from the edge");
    }
    if (!ok) {
        gsl_matrix_free(c), gsl_matrix_free(p), gsl_matrix_free(t), gsl_matrix_free(q);
        return false;
    }

    /* R: column j the scores in an order of its own (column 0 in order: only the relative order
     * counts), each from its own stream, so the columns can be shuffled in parallel */
    double **col = mem_calloc((size_t)k, sizeof *col);
    for (int j = 0; j < k; j++) {
        col[j] = mem_alloc((n ? n : 1) * sizeof **col);
    }
    for (size_t i = 0; i < n; i++) col[0][i] = gsl_cdf_ugaussian_Pinv((double)(i + 1) / (double)(n + 1));
    uint64_t key = rng_stream_key(ctx->seed, ctx->next_stream++);
#pragma omp parallel for schedule(dynamic) num_threads(ctx->threads)
    for (int j = 1; j < k; j++) {
        memcpy(col[j], col[0], n * sizeof **col);
        if (n) shuffle(col[j], n, key, (uint64_t)j);
    }
    /* T = R'R / n - mean mean', block by block in a fixed order */
    gsl_matrix *rb = gsl_matrix_alloc(ROWS, (size_t)k), *ob = gsl_matrix_alloc(ROWS, (size_t)k);
    if (!rb || !ob) mem_fail("a block of rows could not be allocated");
    double mean = 0;
    for (size_t i = 0; i < n; i++) mean += col[0][i];
    mean /= (double)(n ? n : 1);
    for (size_t i0 = 0; i0 < n; i0 += ROWS) {
        size_t m = n - i0 < ROWS ? n - i0 : ROWS;
        gsl_matrix_view v = gsl_matrix_submatrix(rb, 0, 0, m, (size_t)k);
        rows_in(&v.matrix, col, k, i0, m);
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &v.matrix, &v.matrix, 1.0, t);
    }
    for (int i = 0; i < k; i++) /* to a correlation: every column has the same mean and variance */
        for (int j = 0; j < k; j++) {
            double cov = gsl_matrix_get(t, (size_t)i, (size_t)j) / (double)(n ? n : 1) - mean * mean;
            gsl_matrix_set(t, (size_t)i, (size_t)j, cov);
        }
    double var = gsl_matrix_get(t, 0, 0);
    gsl_matrix_scale(t, 1.0 / var);
    if (!(var > 0) || !cholesky(t, q)) {
        ok = call_error(a, "%zu draws are too few to correlate %d inputs: run with more samples", n, k);
    } else {
        /* S = P Q^-1 (in p), then R* = R S' written over R, block by block */
        gsl_blas_dtrsm(CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, q, p);
        for (size_t i0 = 0; i0 < n; i0 += ROWS) {
            size_t m = n - i0 < ROWS ? n - i0 : ROWS;
            gsl_matrix_view v = gsl_matrix_submatrix(rb, 0, 0, m, (size_t)k), o = gsl_matrix_submatrix(ob, 0, 0, m, (size_t)k);
            rows_in(&v.matrix, col, k, i0, m);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &v.matrix, p, 0.0, &o.matrix);
            rows_out(&o.matrix, col, k, i0, m);
        }
    }
    gsl_matrix_free(rb), gsl_matrix_free(ob);
    double **rstar = col;

    /* output j: input j's sorted draws in the rank order of R*'s column j, written over that column */
    uint32_t *idx = ok ? mem_alloc(n * sizeof *idx) : NULL;
    double *sorted = ok ? mem_alloc(n * sizeof *sorted) : NULL;
    for (int j = 0; j < k && ok; j++) {
        const double *d = smp_draws(ctx, xs->items[j].as.smp);
        if (!d) {
            ok = false;
            rt_error_from_samples(a->I);
            break;
        }
        memcpy(sorted, d, n * sizeof *sorted);
        for (size_t i = 0; i < n && ok; i++)
            if (isnan(sorted[i]))
                ok = arg_error(a, 0, "item %d has a NaN draw (draw %zu): NaN has no rank, so it cannot be correlated", j, i);
        if (!ok) break;
        ranks_sort(sorted, n, ctx->threads);
        ranks_order(rstar[j], n, idx, ctx->threads);
        for (size_t r = 0; r < n; r++) rstar[j][idx[r]] = sorted[r];
    }
    free(idx);
    free(sorted);
    if (ok) {
        *out = val_list_new(k);
        for (int j = 0; j < k; j++) {
            Samples *o = smp_from_array(rstar[j]);
            /* sensitivity()'s name for it until a variable is bound to it: "correlate([a, b], 0.5)[1]" */
            Span sp = a->call->span;
            char label[120];
            if (sp.src && sp.end - sp.start <= 80)
                snprintf(label, sizeof label, "%.*s[%d]", (int)(sp.end - sp.start), sp.src->text + sp.start, j);
            else
                snprintf(label, sizeof label, "correlate output %d", j);
            smp_default_label(o, label);
            list_push(out->as.list, result_samples(a, o));
            rstar[j] = NULL;
        }
    }
    for (int j = 0; j < k; j++) free(rstar[j]);
    free(rstar);
    gsl_matrix_free(c), gsl_matrix_free(p), gsl_matrix_free(t), gsl_matrix_free(q);
    return ok;
}

const BuiltinDef builtins_correlate[] = {
    BUILTIN("correlate", "xs, r", "analysis",
            "xs reordered so that each pair's rank (Spearman) correlation is r (a number, or a k x k matrix); "
            "every output keeps exactly its input's draws (Iman-Conover)", fn_correlate),
    {.name = NULL},
};
