/* sensitivity.c — rank correlations and one-at-a-time swings of y's random inputs (sensitivity.h). */
#include "sensitivity.h"
#include "mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "ranks.h"
#include "samples_internal.h"
#include "timings.h"

/* ---- the graph below y, once: nodes in post-order (operands before the nodes that read them) ---- */

typedef struct Graph {
    Samples **node; /* post-order */
    size_t len, cap;
    Samples **slot; /* open addressing: node pointers */
    size_t *index;  /* slot -> position in node[] */
    size_t slots;
} Graph;

static size_t ptr_hash(const Samples *s, size_t mask) {
    uint64_t x = (uint64_t)(uintptr_t)s;
    x ^= x >> 33, x *= 0xff51afd7ed558ccdu, x ^= x >> 33;
    return (size_t)x & mask;
}

/* Position of s in the post-order, or (size_t)-1. */
static size_t graph_find(const Graph *g, const Samples *s) {
    for (size_t i = ptr_hash(s, g->slots - 1);; i = (i + 1) & (g->slots - 1)) {
        if (!g->slot[i]) return (size_t)-1;
        if (g->slot[i] == s) return g->index[i];
    }
}

static void graph_put(Graph *g, Samples *s, size_t pos) {
    size_t i = ptr_hash(s, g->slots - 1);
    while (g->slot[i]) i = (i + 1) & (g->slots - 1);
    g->slot[i] = s;
    g->index[i] = pos;
}

/* Iterative DFS (a chain of a million nodes is fine): a node is placed once all its operands are. */
static void graph_build(Graph *g, Samples *root) {
    memset(g, 0, sizeof *g);
    g->slots = 1024;
    g->slot = smp_xcalloc(g->slots, sizeof *g->slot);
    g->index = smp_xcalloc(g->slots, sizeof *g->index);
    size_t cap = 64, top = 0;
    struct Frame { Samples *s; int next; } *stack = smp_xmalloc(cap * sizeof *stack);
    /* "seen" nodes get a provisional entry (SIZE_MAX) so they are pushed once */
    graph_put(g, root, (size_t)-2);
    stack[top++] = (struct Frame){root, 0};
    while (top) {
        struct Frame *f = &stack[top - 1];
        if (f->next < f->s->nops) {
            Samples *c = f->s->ops[f->next++].node;
            if (!c || graph_find(g, c) != (size_t)-1) continue;
            if (2 * (g->len + top + 1) > g->slots) { /* grow: rehash every node seen so far */
                Samples **old_slot = g->slot;
                size_t *old_index = g->index, old_slots = g->slots;
                g->slots *= 2;
                g->slot = smp_xcalloc(g->slots, sizeof *g->slot);
                g->index = smp_xcalloc(g->slots, sizeof *g->index);
                for (size_t i = 0; i < old_slots; i++)
                    if (old_slot[i]) graph_put(g, old_slot[i], old_index[i]);
                free(old_slot);
                free(old_index);
            }
            graph_put(g, c, (size_t)-2);
            if (top == cap) stack = mem_realloc(stack, (cap *= 2) * sizeof *stack);
            stack[top++] = (struct Frame){c, 0};
            continue;
        }
        Samples *s = f->s;
        top--;
        if (g->len == g->cap) {
            g->cap = g->cap ? 2 * g->cap : 64;
            g->node = mem_realloc(g->node, g->cap * sizeof *g->node);
        }
        size_t pos = g->len;
        g->node[g->len++] = s;
        for (size_t i = ptr_hash(s, g->slots - 1);; i = (i + 1) & (g->slots - 1))
            if (g->slot[i] == s) {
                g->index[i] = pos;
                break;
            }
    }
    free(stack);
}

static void graph_free(Graph *g) {
    free(g->node);
    free(g->slot);
    free(g->index);
}

/* A random input: what draws on its own (not an operation on other nodes, not a constant). */
static bool is_input(const Samples *s) {
    switch ((NodeKind)s->kind) {
    case NK_UNARY: case NK_BINARY: case NK_SELECT: case NK_CLAMP: return false;
    case NK_TABLE: return s->ntable > 1;
    default: return true;
    }
}

/* y with input g->node[leaf] replaced by the constant v: copies of the nodes on the paths from the
 * input up to y, every other node shared. rep[] is scratch of g->len. Returns a new reference. */
static Samples *substitute(const Graph *g, size_t leaf, double v, Samples **rep) {
    Operand ops[64];
    memset(rep, 0, g->len * sizeof *rep);
    rep[leaf] = smp_constant(v);
    for (size_t i = leaf + 1; i < g->len; i++) {
        Samples *s = g->node[i];
        bool touched = false;
        for (int k = 0; k < s->nops && !touched; k++)
            touched = s->ops[k].node && rep[graph_find(g, s->ops[k].node)];
        if (!touched) continue;
        Operand *o = s->nops <= 64 ? ops : smp_xmalloc((size_t)s->nops * sizeof *o);
        for (int k = 0; k < s->nops; k++) {
            o[k] = s->ops[k];
            if (o[k].node) {
                Samples *r = rep[graph_find(g, o[k].node)];
                if (r) o[k].node = r;
            }
        }
        rep[i] = smp_copy_with(s, o);
        if (o != ops) free(o);
    }
    Samples *root = rep[g->len - 1];
    smp_retain(root);
    for (size_t i = leaf; i < g->len; i++) smp_release(rep[i]);
    return root;
}

/* ---- the fused pass: every held copy's mean ---- */

typedef struct MeanArg {
    BlockStats *bs; /* roots x blocks */
    size_t nb;
} MeanArg;

static void mean_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    MeanArg *m = arg;
    smp_block_stats(&m->bs[(size_t)r * m->nb + b], x, len);
}

/* The means of roots[0..nr) into out: one pass over all; if a draw fails there, root by root, and
 * a root whose draws fail gets NaN (its held value made some parameter invalid). */
static void means_of(SampleCtx *ctx, Samples **roots, int nr, double *out) {
    size_t nb = smp_nblocks(ctx->n);
    MeanArg m = {smp_xcalloc((size_t)nr * nb, sizeof(BlockStats)), nb};
    bool ok = smp_eval_roots_spread(ctx, roots, nr, mean_sink, &m, NULL, nb);
    for (int r = 0; r < nr && ok && smp_spread(ctx); r++) smp_dist_gather(ctx, &m.bs[(size_t)r * nb], sizeof *m.bs, NULL, nb);
    Samples *tmp = smp_xcalloc(1, sizeof *tmp);
    for (int r = 0; r < nr; r++) {
        if (ok) {
            smp_stats_finish(tmp, &m.bs[(size_t)r * nb], ctx->n);
            out[r] = tmp->mean;
        } else {
            ctx->err.set = false;
            out[r] = smp_mean(ctx, roots[r], &out[r]) ? out[r] : NAN;
        }
    }
    ctx->err.set = false;
    free(tmp);
    free(m.bs);
}

/* ---- sensitivity ---- */

static int by_share(const void *pa, const void *pb) {
    const SmpInput *a = pa, *b = pb;
    if (a->share != b->share) return a->share < b->share ? 1 : -1;
    return 0;
}

/* A copy of s's n draws, or NULL (ctx's error set: an evaluation error, or a NaN draw). */
static double *draws_copy(SampleCtx *ctx, Samples *s, const char *what) {
    const double *d = smp_draws(ctx, s);
    if (!d) return NULL;
    tm_enter(TM_RANKS);
    size_t n = ctx->n, first_nan = n;
    double *c = smp_xmalloc(n * sizeof *c);
    /* copied and checked a chunk at a time on every thread; the first NaN is the least index */
#pragma omp parallel for schedule(static) num_threads(ctx->threads) reduction(min : first_nan) if (n >= 2 * SMP_BLOCK)
    for (size_t c0 = 0; c0 < n; c0 += SMP_BLOCK) {
        size_t end = n - c0 < SMP_BLOCK ? n : c0 + SMP_BLOCK;
        memcpy(c + c0, d + c0, (end - c0) * sizeof *c);
        bool any = false;
        for (size_t i = c0; i < end; i++) any |= c[i] != c[i];
        for (size_t i = c0; any && i < end; i++)
            if (isnan(c[i])) {
                first_nan = i < first_nan ? i : first_nan;
                break;
            }
    }
    if (first_nan < n) {
        smp_set_error(ctx, s->origin, "sensitivity: %s has a NaN draw (draw %zu): NaN has no rank", what, first_nan);
        free(c);
        tm_leave();
        return NULL;
    }
    tm_leave();
    return c;
}

bool smp_sensitivity(SampleCtx *ctx, Samples *y, SmpInput **inputs, size_t *count) {
    size_t n = ctx->n;
    *inputs = NULL;
    *count = 0;
    Graph g;
    graph_build(&g, y);
    size_t k = 0;
    for (size_t i = 0; i < g.len; i++) k += is_input(g.node[i]);
    if (k == 0 || n == 0) {
        graph_free(&g);
        return true;
    }
    SmpInput *in = smp_xcalloc(k, sizeof *in);
    size_t *pos = smp_xmalloc(k * sizeof *pos);
    /* inputs in the order met from y down: post-order reversed */
    for (size_t i = g.len, j = 0; i-- > 0;)
        if (is_input(g.node[i])) pos[j] = i, in[j++].node = smp_retain(g.node[i]);

    bool ok = true;
    double *yd = draws_copy(ctx, y, "the result");
    tm_enter(TM_RANKS);
    double *ry = yd ? ranks_average(yd, n, ctx->threads) : NULL;
    free(yd);
    tm_leave();
    ok = ry != NULL;
    static const double Q[2] = {0.05, 0.95};
    for (size_t j = 0; j < k && ok; j++) {
        double q[2];
        ok = smp_quantiles(ctx, in[j].node, Q, 2, q);
        if (!ok) break;
        in[j].p5 = q[0], in[j].p95 = q[1];
        double *xd = draws_copy(ctx, in[j].node, "an input");
        ok = xd != NULL;
        if (!ok) break;
        tm_enter(TM_RANKS);
        double *rx = ranks_average(xd, n, ctx->threads);
        double r = ranks_corr(rx, ry, n, ctx->threads);
        in[j].rank_corr = isnan(r) ? 0 : r; /* one value on every draw: no rank order to follow */
        free(rx);
        free(xd);
        tm_leave();
    }
    tm_enter(TM_RANKS);
    free(ry);
    tm_leave();
    if (ok) {
        /* every input held at p5 and at p95: 2k copies of y, their means in one pass */
        Samples **roots = smp_xmalloc(2 * k * sizeof *roots), **rep = smp_xmalloc(g.len * sizeof *rep);
        int nr = 0;
        for (size_t j = 0; j < k; j++) {
            roots[nr++] = substitute(&g, pos[j], in[j].p5, rep);
            roots[nr++] = substitute(&g, pos[j], in[j].p95, rep);
        }
        /* the same copy twice (p5 == p95: an input that is mostly one value) is one root */
        double *mean = smp_xmalloc(2 * k * sizeof *mean);
        int *uniq = smp_xmalloc(2 * k * sizeof *uniq), nu = 0;
        Samples **distinct = smp_xmalloc(2 * k * sizeof *distinct);
        for (int r = 0; r < nr; r++) {
            int u = 0;
            while (u < nu && !(distinct[u]->fp[0] == roots[r]->fp[0] && distinct[u]->fp[1] == roots[r]->fp[1] &&
                               !roots[r]->fp_none))
                u++;
            if (u == nu) distinct[nu++] = roots[r];
            uniq[r] = u;
        }
        double *dm = smp_xmalloc((size_t)(nu ? nu : 1) * sizeof *dm);
        means_of(ctx, distinct, nu, dm);
        for (int r = 0; r < nr; r++) mean[r] = dm[uniq[r]];
        double total = 0;
        for (size_t j = 0; j < k; j++) {
            in[j].low = mean[2 * j];
            in[j].high = mean[2 * j + 1];
            total += in[j].rank_corr * in[j].rank_corr;
        }
        for (size_t j = 0; j < k; j++) in[j].share = total > 0 ? in[j].rank_corr * in[j].rank_corr / total : 0;
        for (int r = 0; r < nr; r++) smp_release(roots[r]);
        free(dm), free(distinct), free(uniq), free(mean), free(rep), free(roots);
        /* most influential first; equal shares keep the order met from y (qsort is not stable) */
        SmpInput *sorted = smp_xmalloc(k * sizeof *sorted);
        memcpy(sorted, in, k * sizeof *in);
        for (size_t a = 1; a < k; a++) { /* insertion sort: stable, k is small */
            SmpInput t = sorted[a];
            size_t b = a;
            while (b > 0 && by_share(&sorted[b - 1], &t) > 0) sorted[b] = sorted[b - 1], b--;
            sorted[b] = t;
        }
        free(in);
        in = sorted;
    }
    free(pos);
    graph_free(&g);
    if (!ok) {
        smp_inputs_free(in, k);
        return false;
    }
    *inputs = in;
    *count = k;
    return true;
}

void smp_inputs_free(SmpInput *inputs, size_t count) {
    for (size_t j = 0; j < count; j++) smp_release(inputs[j].node);
    free(inputs);
}
