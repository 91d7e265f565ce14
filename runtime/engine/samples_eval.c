/* samples_eval.c — block evaluation of samples graphs: plans, kernels, streaming reducers. */
/* The kernels are simple loops over blocks: let gcc -O2 vectorize them where its default
 * ("very cheap") cost model refuses any loop that needs a remainder. Vectorizing does not change a
 * result: no -ffast-math here, so no reassociation, no contraction and no vector libm. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif
#include "samples_internal.h"
#include "mem.h"
#include "timings.h"

#include "check.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_cdf.h>

#include "dist.h"
#include "rng.h"
#include "rng_inline.h"

/* The Box-Muller kernel lives in samples_normal.c so that it can be compiled on its own with
 * -O3 -ffp-contract=off (CMakeLists.txt). Until the build does that and defines SQC_FAST_NORMAL,
 * it is compiled here, with this file's flags (the same draws as long as nothing contracts). */
#ifndef SQC_FAST_NORMAL
#include "samples_normal.c"
#endif

/* ====================================================================================== */
/* Plans                                                                                  */
/* ====================================================================================== */

enum { SLOT_LEAF = -1, SLOT_DST = -2, SLOT_MAT = -3, SLOT_LAZY = -4 };

typedef struct Step {
    Samples *node;
    int slot; /* buffer slot, or SLOT_LEAF (read node->draws), SLOT_DST (write the caller's array)
               * or SLOT_MAT (write mat, the node's future draws) or SLOT_LAZY (not run: a
               * mixture component that the mixture draws only where picked) */
    int arg;  /* offset in Plan.args of this step's nops operand step indexes (-1: a number) */
    int root; /* index of the root this step is in a multi-root plan (its sink gets the block), or -1 */
    double *mat;
} Step;

typedef struct Plan {
    Step *steps; /* topological order: operands before their consumers; the root is last */
    int nsteps;
    int *args;
    int nslots;
    int max_ops;
    bool has_custom;
    int nmat; /* steps with SLOT_MAT */
    bool has_lazy;
    bool multi; /* several roots, each handed to a sink as soon as its step ran (smp_eval_roots) */
    bool branchy; /* a step picks per draw between operands (select, mixture): not every draw of
                   * every step is used */
} Plan;

typedef struct Frame {
    Samples *node;
    int next_op;
} Frame;

/* Marks visited nodes per plan without clearing: a node is in the plan being built iff its
 * plan_mark equals the generation. Nodes pass between contexts (a rehearsal's recipes run in the
 * real run), so a generation must be unique in the process, not only in one context: one atomic
 * counter hands them out (the engine's only shared state besides the CPU-feature cache). */
static _Atomic uint64_t plan_generations;

static uint64_t new_generation(void) { return atomic_fetch_add_explicit(&plan_generations, 1, memory_order_relaxed) + 1; }

bool smp_reaches(Samples *root, const Samples *target) {
    uint64_t gen = new_generation();
    size_t cap = 64, depth = 0;
    Samples **stack = smp_xmalloc(cap * sizeof *stack);
    bool found = false;
    root->plan_mark = gen;
    stack[depth++] = root;
    while (depth && !found) {
        Samples *s = stack[--depth];
        found = s == target;
        for (int k = 0; k < s->nops; k++) {
            Samples *c = s->ops[k].node;
            if (!c || c->plan_mark == gen) continue;
            c->plan_mark = gen;
            MEM_GROW(stack, cap, depth + 1);
            stack[depth++] = c;
        }
    }
    free(stack);
    return found;
}

/* Steps of the plan being ordered, by fingerprint: a node with the fingerprint of a node already
 * in the plan has the same draws (samples_internal.h), so it is computed once (x ^ 2 written
 * twice, a running total that repeats a sum). */
typedef struct FpIndex {
    uint64_t *fp0, *fp1;
    int *step;
    size_t cap, len;
} FpIndex;

static int fpindex_find(const FpIndex *ix, const Samples *s) {
    if (!ix->cap) return -1;
    for (size_t i = s->fp[0] & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        if (ix->step[i] < 0) return -1;
        if (ix->fp0[i] == s->fp[0] && ix->fp1[i] == s->fp[1]) return ix->step[i];
    }
}

static void fpindex_put(FpIndex *ix, uint64_t f0, uint64_t f1, int step) {
    if (2 * (ix->len + 1) > ix->cap) { /* keep it at most half full */
        FpIndex old = *ix;
        ix->cap = old.cap ? 2 * old.cap : 64;
        ix->fp0 = smp_xmalloc(ix->cap * sizeof *ix->fp0);
        ix->fp1 = smp_xmalloc(ix->cap * sizeof *ix->fp1);
        ix->step = smp_xmalloc(ix->cap * sizeof *ix->step);
        for (size_t i = 0; i < ix->cap; i++) ix->step[i] = -1;
        ix->len = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.step[i] >= 0) fpindex_put(ix, old.fp0[i], old.fp1[i], old.step[i]);
        free(old.fp0), free(old.fp1), free(old.step);
    }
    size_t i = f0 & (ix->cap - 1);
    while (ix->step[i] >= 0) i = (i + 1) & (ix->cap - 1);
    ix->fp0[i] = f0, ix->fp1[i] = f1, ix->step[i] = step;
    ix->len++;
}

/* Orders the DAG below the roots (iterative post-order DFS; materialized nodes are leaves): each
 * node once, operands first, and a node with the fingerprint of an earlier step is that step
 * (plan_idx points to it, no step of its own). With one root, the root is the last step. */
static void plan_order(Plan *p, Samples *const *roots, int nroots, bool multi) {
    uint64_t gen = new_generation();
    size_t cap = 64, depth = 0, steps_cap = 64;
    Frame *stack = smp_xmalloc(cap * sizeof *stack);
    FpIndex ix = {0};
    p->steps = smp_xmalloc(steps_cap * sizeof *p->steps);
    p->nsteps = 0;
    for (int r = 0; r < nroots; r++) {
        if (roots[r]->plan_mark == gen) continue; /* below an earlier root: already ordered */
        roots[r]->plan_mark = gen;
        stack[depth++] = (Frame){roots[r], 0};
        while (depth) {
            Frame *f = &stack[depth - 1];
            Samples *s = f->node;
            if (!s->draws && f->next_op < s->nops) {
                Samples *c = s->ops[f->next_op++].node;
                if (c && c->plan_mark != gen) {
                    c->plan_mark = gen;
                    MEM_GROW(stack, cap, depth + 1);
                    stack[depth++] = (Frame){c, 0};
                }
                continue;
            }
            depth--;
            int same = s->fp_none ? -1 : fpindex_find(&ix, s);
            if (same >= 0) {
                s->plan_idx = same;
                continue;
            }
            MEM_GROW(p->steps, steps_cap, (size_t)p->nsteps + 1);
            s->plan_idx = p->nsteps;
            if (!s->fp_none) fpindex_put(&ix, s->fp[0], s->fp[1], p->nsteps);
            p->steps[p->nsteps++] = (Step){s, SLOT_LEAF, 0, -1, NULL};
        }
    }
    free(stack);
    free(ix.fp0), free(ix.fp1), free(ix.step);
    if (multi)
        for (int r = 0; r < nroots; r++) p->steps[roots[r]->plan_idx].root = r;
}

/* Links operands to steps and assigns buffer slots by liveness: a step's slot returns to the
 * free list after its last consumer ran, so a chain needs two slots whatever its length. */
static void plan_slots(Plan *p, bool root_to_dst) {
    int nargs = 0;
    for (int t = 0; t < p->nsteps; t++) {
        Samples *s = p->steps[t].node;
        p->steps[t].arg = nargs;
        if (!s->draws) nargs += s->nops;
        if (s->nops > p->max_ops) p->max_ops = s->nops;
        if (s->kind == NK_CUSTOM && !s->draws) p->has_custom = true;
        if ((s->kind == NK_SELECT || s->kind == NK_MIXTURE) && !s->draws) p->branchy = true;
    }
    p->args = smp_xmalloc((size_t)(nargs ? nargs : 1) * sizeof(int));
    int *last_use = smp_xmalloc((size_t)p->nsteps * sizeof(int));
    for (int t = 0; t < p->nsteps; t++) last_use[t] = t;
    for (int t = 0; t < p->nsteps; t++) {
        Samples *s = p->steps[t].node;
        if (s->draws) continue;
        for (int k = 0; k < s->nops; k++) {
            Samples *c = s->ops[k].node;
            int ci = c ? c->plan_idx : -1;
            p->args[p->steps[t].arg + k] = ci;
            if (ci >= 0) last_use[ci] = t;
        }
    }
    int root = p->nsteps - 1;
    if (!p->multi) last_use[root] = p->nsteps; /* the consumer of the root is the caller */

    int *free_slots = smp_xmalloc((size_t)p->nsteps * sizeof(int));
    int nfree = 0;
    p->nslots = 0;
    for (int t = 0; t < p->nsteps; t++) {
        Step *st = &p->steps[t];
        if (st->node->draws || st->slot == SLOT_LAZY) continue; /* leaf, or not run */
        if (st->slot == SLOT_MAT) {
        } else if (t == root && root_to_dst) st->slot = SLOT_DST;
        else st->slot = nfree ? free_slots[--nfree] : p->nslots++;
        /* Inputs are freed only after the output slot is taken: kernels never run in place. */
        for (int k = 0; k < st->node->nops; k++) {
            int ci = p->args[st->arg + k];
            if (ci < 0 || last_use[ci] != t || p->steps[ci].slot < 0) continue;
            last_use[ci] = -1; /* the same operand twice (x - x) frees once */
            free_slots[nfree++] = p->steps[ci].slot;
        }
        /* a root that nothing else reads: its sink runs right after the step, then the slot is free */
        if (p->multi && st->root >= 0 && last_use[t] == t && st->slot >= 0) free_slots[nfree++] = st->slot;
    }
    free(free_slots);
    free(last_use);
}

/* Rough cost of computing one draw of a node itself, in units of a cheap arithmetic op. */
static double own_cost(const Samples *s) {
    switch ((NodeKind)s->kind) {
    case NK_NORMAL: return 4;
    case NK_LOGNORMAL: return 6;
    case NK_UNIFORM: return 3;
    case NK_CUSTOM: return 12;
    case NK_MIXTURE: return 3;
    case NK_TABLE: return 3;
    case NK_UNARY: return s->op <= SU_NOT || s->op == SU_ABS ? 1 : 3;
    case NK_BINARY: return s->op == SB_POW || s->op == SB_IDIV || s->op == SB_MOD || s->op == SB_ROUND_DIGITS || s->op == SB_ATAN2 ? 3 : 1;
    default: return 1;
    }
}

#define MAT_MIN_COST 4.0 /* a stored array costs about this much to write and read back: a random draw */

typedef struct MatCand {
    double value;
    int step;
} MatCand;

static int cmp_cand(const void *pa, const void *pb) {
    const MatCand *a = pa, *b = pb;
    if (a->value != b->value) return a->value < b->value ? 1 : -1;
    return a->step - b->step; /* deterministic */
}

/* Chooses the steps to store during this pass (see "Sharing intermediates" in
 * samples_internal.h) and allocates their arrays. */
static void plan_choose_mat(Plan *p, SampleCtx *ctx, bool root_to_dst) {
    size_t n = ctx->n, bytes = n * sizeof(double);
    if (n == 0 || ctx->cache_budget < bytes) return;
    double *cost = smp_xmalloc((size_t)p->nsteps * sizeof *cost);
    MatCand *cand = smp_xmalloc((size_t)p->nsteps * sizeof *cand);
    int ncand = 0, root = p->nsteps - 1;
    size_t pinned = 0; /* arrays this plan reads: they cannot make room */
    for (int t = 0; t < p->nsteps; t++) {
        Samples *s = p->steps[t].node;
        if (s->draws) {
            cost[t] = 0.5;
            if (s->in_lru) pinned += s->draws_len * sizeof(double);
            continue;
        }
        double c = own_cost(s);
        for (int k = 0; k < s->nops; k++)
            if (s->ops[k].node) c += cost[s->ops[k].node->plan_idx];
        cost[t] = c < 1e12 ? c : 1e12; /* a DAG counted as a tree: an over-estimate, capped */
        if (s->consumers >= 2 && c >= MAT_MIN_COST && !(t == root && root_to_dst))
            cand[ncand++] = (MatCand){c * (double)s->consumers, t};
    }
    if (ncand) {
        qsort(cand, (size_t)ncand, sizeof *cand, cmp_cand);
        size_t room = ctx->cache_budget > pinned ? ctx->cache_budget - pinned : 0, take = 0;
        uint64_t gen = p->steps[root].node->plan_mark;
        /* an array stored for sharing is evicted only for a more valuable one */
        while ((int)take < ncand && (take + 1) * bytes <= room &&
               smp_lru_make_room(ctx, (take + 1) * bytes, gen, cand[take].value))
            take++;
        for (size_t j = 0; j < take; j++) {
            Step *st = &p->steps[cand[j].step];
            st->slot = SLOT_MAT;
            st->mat = smp_xmalloc(bytes);
            st->node->share_value = cand[j].value;
        }
        p->nmat = (int)take;
    }
    free(cand);
    free(cost);
}

/* A mixture component the mixture can draw only where it is picked: a normal, lognormal or
 * uniform with number parameters (valid ones: errors are reported by the dense kernels), not
 * stored, and read by no other node. The kind is checked before any operand is read: a node has
 * exactly nops operands (one for exponential, poisson, ...; none for an array), and ops[1] of a
 * one-parameter node lies past its allocation (#15). */
static bool lazy_component(const Samples *c) {
    NodeKind kind = (NodeKind)c->kind;
    if (kind != NK_NORMAL && kind != NK_LOGNORMAL && kind != NK_UNIFORM) return false;
    if (c->nops != 2 || c->draws || c->consumers != 1 || c->ops[0].node || c->ops[1].node) return false;
    if (kind == NK_UNIFORM) return c->ops[1].num >= c->ops[0].num;
    return c->ops[1].num >= 0;
}

static void plan_mark_lazy(Plan *p) {
    for (int t = 0; t < p->nsteps; t++) {
        Samples *s = p->steps[t].node;
        if (s->kind != NK_MIXTURE || s->draws) continue;
        for (int k = 0; k < s->nops; k++) {
            Samples *c = s->ops[k].node;
            if (c && lazy_component(c) && p->steps[c->plan_idx].root < 0) { /* a root is asked for whole */
                p->steps[c->plan_idx].slot = SLOT_LAZY;
                p->has_lazy = true;
            }
        }
    }
}

#ifdef SQC_DEBUG_CHECKS
/* A plan's invariants (debug builds): topological order (every operand an earlier step), each
 * node's plan_idx its step or an earlier one of the same draws, the single root last, slots in
 * range. */
static void plan_check(const Plan *p, Samples *const *roots, int nroots) {
    sq_assert(p->nsteps > 0);
    for (int t = 0; t < p->nsteps; t++) {
        const Step *st = &p->steps[t];
        sq_assert(st->node->plan_idx == t);
        sq_assert(st->slot >= SLOT_LAZY && st->slot < p->nslots);
        if (st->node->draws) continue;
        for (int k = 0; k < st->node->nops; k++) {
            int ci = p->args[st->arg + k];
            sq_assert(ci < t);
            sq_assert(ci >= 0 || !st->node->ops[k].node);
        }
    }
    for (int r = 0; r < nroots; r++) sq_assert(roots[r]->plan_idx >= 0 && roots[r]->plan_idx < p->nsteps);
    if (!p->multi) sq_assert(p->steps[p->nsteps - 1].node == roots[0] || roots[0]->plan_idx == p->nsteps - 1);
}
#endif

static void plan_build(Plan *p, Samples *const *roots, int nroots, bool multi, bool root_to_dst,
                       SampleCtx *ctx, bool share) {
    memset(p, 0, sizeof *p);
    p->multi = multi;
    plan_order(p, roots, nroots, multi);
    plan_mark_lazy(p);
    if (share) plan_choose_mat(p, ctx, root_to_dst);
    plan_slots(p, root_to_dst);
#ifdef SQC_DEBUG_CHECKS
    plan_check(p, roots, nroots);
#endif
}

/* After the pass: the stored arrays become their nodes' draws (ok), or are dropped. */
static void plan_finish_mat(Plan *p, SampleCtx *ctx, bool ok, bool spread) {
    if (!p->nmat) return;
    for (int t = 0; t < p->nsteps; t++) {
        Step *st = &p->steps[t];
        if (st->slot != SLOT_MAT) continue;
        if (ok) {
            st->node->draws = st->mat;
            st->node->draws_len = ctx->n;
#ifdef SQC_MPI
            st->node->draws_partial = spread;
#else
            (void)spread;
#endif
            smp_lru_add(ctx, st->node);
        } else {
            free(st->mat);
            st->node->share_value = 0;
        }
        st->mat = NULL;
    }
}

static void plan_free(Plan *p) {
    free(p->steps);
    free(p->args);
}

/* ====================================================================================== */
/* Per-thread work space and per-block error records                                      */
/* ====================================================================================== */

typedef struct Work {
    double *buf;    /* nslots blocks */
    double *bcast;  /* 3 blocks for broadcasting numbers where a kernel wants arrays */
    double *params; /* one draw's parameters for smp_custom */
    gsl_rng *rng;
    double *lazy;   /* LAZY_DOUBLES: scratch of the mixture's sparse component draws */
    int *pick;      /* SMP_BLOCK: the mixture's component per draw */
    /* the careful pass (see "Errors on draws a branch does not take" below); NULL otherwise */
    int64_t *org;         /* nslots blocks: where each draw's error comes from (DRAW_ERR), or -1 */
    int64_t *none;        /* SMP_BLOCK of -1: the origins of an operand that cannot fail */
    int *bad;             /* SMP_BLOCK: NK_CUSTOM's invalid parameter per draw, or -1 */
    double *scratch;      /* SMP_BLOCK */
    struct BlockErr *used; /* the lowest draw of a root that has an error */
    bool branchy;          /* the plan has an if-expression or a mixture (Plan.branchy) */
    size_t n;              /* draws of the run (Latin hypercube strata are 1/n wide) */
} Work;

#define LAZY_DOUBLES (4 * SMP_BLOCK) /* gathered draws; pairs, cosines, sines; picked indexes */

/* The first (lowest-draw) invalid parameter seen in one block. */
typedef struct BlockErr {
    bool set;
    size_t draw;
    int step;
    int param;     /* NK_CUSTOM: the parameter index */
    double v1, v2; /* the offending value(s) */
} BlockErr;

static void block_err(BlockErr *e, size_t draw, int step, int param, double v1, double v2) {
    if (e->set && e->draw <= draw) return;
    *e = (BlockErr){true, draw, step, param, v1, v2};
}

/* A draw's error in the careful pass, as an int64 so that the loops that pass it on vectorize:
 * step << 16 | parameter (as in BlockErr; the values are read again for the message), or -1. */
#define DRAW_ERR(step, param) ((int64_t)(step) << 16 | (int64_t)(param))

/* One operand's block: an array, or (v == NULL) a number. */
typedef struct In {
    const double *v;
    double c;
} In;

static const double *as_vec(In in, double *scratch, size_t len) {
    if (in.v) return in.v;
    for (size_t i = 0; i < len; i++) scratch[i] = in.c;
    return scratch;
}

/* The kernels are also built for AVX2 (gcc picks at load time). Not FMA, not AVX-512's x86-64-v4
 * (which has FMA): gcc would contract m + s*z into fma() and change the draws; with AVX2 alone the
 * wider vectors do the same IEEE operations, and libm calls are the same functions. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define EVAL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define EVAL_CLONES
#endif

/* ====================================================================================== */
/* Kernels: one tight loop per case so that gcc vectorizes them                           */
/* ====================================================================================== */

/* z <- m + s*z for the four array/number combinations. */
EVAL_CLONES static void affine_block(double *restrict z, In m, In s, size_t len, double *scratch) {
    if (!m.v && !s.v) {
        double mc = m.c, sc = s.c;
        for (size_t i = 0; i < len; i++) z[i] = mc + sc * z[i];
        return;
    }
    const double *restrict mv = as_vec(m, scratch, len);
    const double *restrict sv = as_vec(s, scratch + SMP_BLOCK, len);
    for (size_t i = 0; i < len; i++) z[i] = mv[i] + sv[i] * z[i];
}

/* First draw whose scale is not >= 0 (negative or NaN), or len. */
static size_t first_bad_scale(In s, size_t len) {
    if (!s.v) return s.c >= 0 ? len : 0;
    for (size_t i = 0; i < len; i++)
        if (!(s.v[i] >= 0)) return i;
    return len;
}

/* The uniforms behind draws i0 .. i0+len-1 of a random node: its stream's, stratified under Latin
 * hypercube sampling. */
static void stream_uniforms(double *restrict u, const Samples *s, size_t i0, size_t len, const Work *w) {
    if (s->lhs) smp_lhs_uniform_block(u, s->key, w->n, i0, len);
    else smp_uniform_block(u, s->key, i0, len);
}

/* Standard normals by the inverse CDF, for Latin hypercube sampling: GSL's (Wichura's AS 241). */
static void lhs_std_normal_block(double *restrict z, const Samples *s, size_t i0, size_t len, const Work *w) {
    smp_lhs_uniform_block(z, s->key, w->n, i0, len);
    for (size_t i = 0; i < len; i++) z[i] = gsl_cdf_ugaussian_Pinv(z[i]);
}

static void normal_kernel(double *out, Samples *s, const In *in, size_t i0, size_t len, Work *w,
                          BlockErr *err, int step) {
    size_t bad = first_bad_scale(in[1], len);
    if (bad < len) block_err(err, i0 + bad, step, 1, in[1].v ? in[1].v[bad] : in[1].c, 0);
    if (s->lhs) lhs_std_normal_block(out, s, i0, len, w);
    else smp_std_normal_block(out, s->key, i0, len);
    affine_block(out, in[0], in[1], len, w->bcast);
    if (s->kind == NK_LOGNORMAL) smp_exp_block(out, len);
}

static void uniform_kernel(double *restrict out, Samples *s, const In *in, size_t i0, size_t len,
                           Work *w, BlockErr *err, int step) {
    const double *restrict lo = as_vec(in[0], w->bcast, len);
    const double *restrict hi = as_vec(in[1], w->bcast + SMP_BLOCK, len);
    for (size_t i = 0; i < len; i++)
        if (!(hi[i] >= lo[i])) {
            block_err(err, i0 + i, step, 1, hi[i], lo[i]);
            break;
        }
    stream_uniforms(out, s, i0, len, w);
    for (size_t i = 0; i < len; i++) out[i] = lo[i] + (hi[i] - lo[i]) * out[i];
}

static void custom_kernel(double *out, Samples *s, const In *in, size_t i0, size_t len, Work *w,
                          BlockErr *err, int step) {
    LhsPerm perm = {0};
    if (s->lhs) rng_lhs_init(&perm, s->key, w->n);
    for (size_t i = 0; i < len; i++) {
        for (int k = 0; k < s->nops; k++) w->params[k] = in[k].v ? in[k].v[i] : in[k].c;
        int bad = -1;
        if (s->lhs) {
            out[i] = s->quant(rng_lhs_uniform_inline(&perm, i0 + i), w->params, &bad);
        } else {
            rng_gsl_at(w->rng, s->key, i0 + i);
            out[i] = s->draw(w->rng, w->params, &bad);
        }
        if (bad >= s->nops) bad = -1;
        if (w->bad) w->bad[i] = bad;
        if (bad < 0) continue;
        block_err(err, i0 + i, step, bad, w->params[bad], 0);
        if (!w->branchy) { /* every draw is used: the block has failed */
            for (size_t j = i + 1; j < len; j++) out[j] = NAN;
            return;
        }
        /* else later draws go on: an if-expression may use them while it passes this one by */
    }
}

/* Draws of a lazy component c (see lazy_component) at the block's draws idx[0..m) (ascending,
 * relative to i0) into g[0..m): bit-identical to c's dense block kernel, which is not even run. */
static void lazy_draws(double *restrict g, Samples *c, const int *idx, size_t m, size_t i0, Work *w) {
    In cin[2] = {{NULL, c->ops[0].num}, {NULL, c->ops[1].num}};
    double *scratch = w->lazy + SMP_BLOCK;
    if (c->lhs) { /* each draw's stratified uniform, then as the dense kernel */
        LhsPerm perm;
        rng_lhs_init(&perm, c->key, w->n);
        for (size_t q = 0; q < m; q++) g[q] = rng_lhs_uniform_inline(&perm, i0 + (size_t)idx[q]);
        if (c->kind == NK_UNIFORM) {
            double lo = cin[0].c, hi = cin[1].c;
            for (size_t q = 0; q < m; q++) g[q] = lo + (hi - lo) * g[q];
            return;
        }
        for (size_t q = 0; q < m; q++) g[q] = gsl_cdf_ugaussian_Pinv(g[q]);
        affine_block(g, cin[0], cin[1], m, w->bcast);
        if (c->kind == NK_LOGNORMAL) smp_exp_block(g, m);
        return;
    }
    if (c->kind == NK_UNIFORM) {
        double lo = cin[0].c, hi = cin[1].c;
        for (size_t q = 0; q < m; q++) g[q] = lo + (hi - lo) * rng_open01_inline(c->key, i0 + (size_t)idx[q], 0);
        return;
    }
    uint64_t *pairs = (uint64_t *)scratch; /* <= SMP_BLOCK/2 */
    double *zc = scratch + SMP_BLOCK / 2, *zs = scratch + SMP_BLOCK;
    size_t np = 0;
    for (size_t q = 0; q < m; q++) {
        uint64_t pr = (i0 + (size_t)idx[q]) / 2;
        if (np == 0 || pairs[np - 1] != pr) pairs[np++] = pr;
    }
    smp_std_normal_pairs(zc, zs, c->key, pairs, np);
    for (size_t q = 0, j = 0; q < m; q++) {
        uint64_t i = i0 + (size_t)idx[q];
        while (pairs[j] != i / 2) j++;
        g[q] = i & 1 ? zs[j] : zc[j];
    }
    affine_block(g, cin[0], cin[1], m, w->bcast);
    if (c->kind == NK_LOGNORMAL) smp_exp_block(g, m);
}

/* Picks a component per draw; components that are lazy steps (in[c].v NULL for a node operand)
 * are drawn only where picked, the others were computed for the whole block. */
EVAL_CLONES static void mixture_kernel(double *restrict out, Samples *s, const In *in, size_t i0, size_t len,
                                      Work *w) {
    int k = s->nops;
    const double *cumw = s->cumw;
    bool lazy = false;
    for (int c = 0; c < k; c++) lazy |= s->ops[c].node && !in[c].v;
    double *restrict u = out;       /* the uniforms first, then the picked values over them */
    double *restrict pc = w->bcast; /* the component of each draw, as a double: loops vectorize */
    stream_uniforms(u, s, i0, len, w);
    if (k <= 8) {
        /* the first c with u < cumw[c] (the last component at most) is the number of cumw[j],
         * j < k-1, that u has passed, since cumw rises: a count, with no branch to mispredict */
        for (size_t i = 0; i < len; i++) pc[i] = 0;
        for (int j = 0; j < k - 1; j++) {
            double t = cumw[j];
            for (size_t i = 0; i < len; i++) pc[i] += u[i] >= t ? 1.0 : 0.0;
        }
    } else { /* many components (a discrete table): binary search for the first cumw > u */
        for (size_t i = 0; i < len; i++) {
            int c = 0, hi = k - 1;
            while (c < hi) {
                int mid = c + (hi - c) / 2;
                if (u[i] >= cumw[mid]) c = mid + 1;
                else hi = mid;
            }
            pc[i] = c;
        }
    }
    for (int c = 0; c < k; c++) { /* each component's value where it is picked (lazy ones later) */
        double dc = c;
        if (in[c].v) {
            const double *restrict v = in[c].v;
            for (size_t i = 0; i < len; i++) out[i] = pc[i] == dc ? v[i] : out[i];
        } else if (!s->ops[c].node) {
            double v = in[c].c;
            for (size_t i = 0; i < len; i++) out[i] = pc[i] == dc ? v : out[i];
        }
    }
    int *restrict pick = w->pick;
    if (lazy)
        for (size_t i = 0; i < len; i++) pick[i] = (int)pc[i];
    if (!lazy) return;
    int *idx = (int *)(w->lazy + 3 * SMP_BLOCK); /* the picked draws of one component */
    for (int c = 0; c < k; c++) {
        if (!s->ops[c].node || in[c].v) continue;
        bool dup = false; /* mixture([x, x]): both are x's draws, drawn once */
        for (int e = 0; e < c; e++) dup |= s->ops[e].node == s->ops[c].node;
        if (dup) continue;
        size_t m = 0;
        const Samples *node = s->ops[c].node;
        for (size_t i = 0; i < len; i++) {
            idx[m] = (int)i;
            m += s->ops[pick[i]].node == node;
        }
        if (!m) continue;
        double *g = w->lazy;
        lazy_draws(g, s->ops[c].node, idx, m, i0, w);
        for (size_t q = 0; q < m; q++) out[idx[q]] = g[q];
    }
}

/* Per draw the first value c with u < cumw[c] (the last at most), as mixture_kernel picks: the
 * guide table gives a start at or near it, from which a step or two finds it exactly. */
static void table_kernel(double *restrict out, const Samples *s, size_t i0, size_t len, const Work *w) {
    size_t k = s->ntable;
    const double *restrict v = s->table, *restrict cumw = s->cumw;
    if (k == 1) {
        for (size_t i = 0; i < len; i++) out[i] = v[0];
        return;
    }
    stream_uniforms(out, s, i0, len, w);
    for (size_t i = 0; i < len; i++) {
        double u = out[i];
        size_t b = (size_t)(u * (double)k);
        size_t c = (size_t)s->guide[b < k ? b : k - 1];
        while (c > 0 && u < cumw[c - 1]) c--;
        while (c < k - 1 && u >= cumw[c]) c++;
        out[i] = v[c];
    }
}

EVAL_CLONES static void select_kernel(double *restrict out, const In *in, size_t len, Work *w) {
    const double *restrict cond = in[0].v;
    const double *restrict a = as_vec(in[1], w->bcast, len);
    const double *restrict b = as_vec(in[2], w->bcast + SMP_BLOCK, len);
    for (size_t i = 0; i < len; i++) out[i] = cond[i] != 0 ? a[i] : b[i];
}

/* clip(x, lo, hi) per draw (ar_clip). */
EVAL_CLONES static void clamp_kernel(double *restrict out, const In *in, size_t len, Work *w) {
    const double *restrict x = as_vec(in[0], w->bcast, len);
    if (!in[1].v && !in[2].v) {
        double lo = in[1].c, hi = in[2].c;
        for (size_t i = 0; i < len; i++) out[i] = ar_clip(x[i], lo, hi);
        return;
    }
    const double *restrict lo = as_vec(in[1], w->bcast + SMP_BLOCK, len);
    const double *restrict hi = as_vec(in[2], w->bcast + 2 * SMP_BLOCK, len);
    for (size_t i = 0; i < len; i++) out[i] = ar_clip(x[i], lo[i], hi[i]);
}

EVAL_CLONES static void unary_kernel(double *restrict o, SmpUnary op, const double *restrict x, size_t len) {
#define UNARY(EXPR)                                                                                \
    for (size_t i = 0; i < len; i++) {                                                             \
        double a = x[i];                                                                           \
        o[i] = (EXPR);                                                                             \
    }                                                                                              \
    break
    switch (op) {
    case SU_NEG: UNARY(ar_neg(a));
    case SU_NOT: UNARY(ar_not(a));
    case SU_EXP: UNARY(ar_exp(a));
    case SU_LOG: UNARY(ar_log(a));
    case SU_LOG10: UNARY(ar_log10(a));
    case SU_LOG2: UNARY(ar_log2(a));
    case SU_SQRT: UNARY(ar_sqrt(a));
    case SU_ABS: UNARY(ar_abs(a));
    case SU_FLOOR: UNARY(ar_floor(a));
    case SU_CEIL: UNARY(ar_ceil(a));
    case SU_ROUND: UNARY(ar_round(a));
    case SU_TRUNC: UNARY(ar_trunc(a));
    case SU_SIN: UNARY(ar_sin(a));
    case SU_COS: UNARY(ar_cos(a));
    case SU_TAN: UNARY(ar_tan(a));
    case SU_ASIN: UNARY(ar_asin(a));
    case SU_ACOS: UNARY(ar_acos(a));
    case SU_ATAN: UNARY(ar_atan(a));
    case SU_SINH: UNARY(ar_sinh(a));
    case SU_COSH: UNARY(ar_cosh(a));
    case SU_TANH: UNARY(ar_tanh(a));
    case SU_EXPM1: UNARY(ar_expm1(a));
    case SU_LOG1P: UNARY(ar_log1p(a));
    }
#undef UNARY
}

static atomic_int cpu_features = -1; /* racy first set from several threads: each writes the same value */

static int cpu_detect(void) {
    int f = 0;
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
    if (__builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2")) f |= SMP_CPU_FMA;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) f |= SMP_CPU_AVX512;
#endif
    return f;
}

int smp_cpu_features(void) {
    int f = atomic_load_explicit(&cpu_features, memory_order_relaxed);
    if (f < 0) atomic_store_explicit(&cpu_features, f = cpu_detect(), memory_order_relaxed);
    return f;
}

void smp_cpu_features_off(int off) { atomic_store(&cpu_features, cpu_detect() & ~off); }

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#define HAVE_POW_3_4_FMA 1
/* ar_pow34 (arith.h) over a block on machines with FMA: fma(a, b, -a*b) is the same exact error
 * term as ar_two_prod's splitting (both are exact, for the in-range draws this is used on), in two
 * instructions instead of seventeen; the sums are the same operations in the same order, so the
 * bits are ar_pow34's (tests/unit/test_arith.c runs both). */
__attribute__((target("avx2,fma"))) static void pow_3_4_fma(double *restrict o, const double *restrict a,
                                                            size_t len, int k) {
    size_t i = 0;
    __m256d two = _mm256_set1_pd(2.0);
    for (; i + 4 <= len; i += 4) {
        __m256d x = _mm256_loadu_pd(a + i);
        __m256d h = _mm256_mul_pd(x, x), l = _mm256_fmsub_pd(x, x, h);
        __m256d r;
        if (k == 3) {
            __m256d p = _mm256_mul_pd(h, x), pe = _mm256_fmsub_pd(h, x, p);
            r = _mm256_add_pd(p, _mm256_add_pd(pe, _mm256_mul_pd(l, x)));
        } else {
            __m256d p = _mm256_mul_pd(h, h), pe = _mm256_fmsub_pd(h, h, p);
            r = _mm256_add_pd(p, _mm256_add_pd(pe, _mm256_mul_pd(_mm256_mul_pd(two, h), l)));
        }
        _mm256_storeu_pd(o + i, r);
    }
    for (; i < len; i++) o[i] = ar_pow34(a[i], k);
}
#endif

EVAL_CLONES static void binary_kernel(double *restrict o, SmpBinary op, In a, In b, size_t len) {
    if (op == SB_POW && a.v && !b.v && (b.c == 0 || b.c == 1 || b.c == 2 || b.c == 3 || b.c == 4)) {
        /* small whole exponents (x ^ i in a loop): pow() costs ~30 ns a draw. These are ar_pow's
         * own forms for these exponents (arith.h), as loops that vectorize. */
        const double *restrict av = a.v;
        int k = (int)b.c;
        switch (k) {
        case 0: for (size_t i = 0; i < len; i++) o[i] = ar_pow(av[i], 0.0); break; /* folds to 1 */
        case 1: for (size_t i = 0; i < len; i++) o[i] = ar_pow(av[i], 1.0); break; /* x */
        case 2: for (size_t i = 0; i < len; i++) o[i] = ar_pow(av[i], 2.0); break; /* x * x */
        default: /* the double-double power for all (vectorized), then pow() where out of its range */
#ifdef HAVE_POW_3_4_FMA
            if (smp_cpu_features() & SMP_CPU_FMA)
                pow_3_4_fma(o, av, len, k);
            else
#endif
            if (k == 3)
                for (size_t i = 0; i < len; i++) o[i] = ar_pow34(av[i], 3);
            else
                for (size_t i = 0; i < len; i++) o[i] = ar_pow34(av[i], 4);
            double out_of_range = 0; /* counted in a loop that vectorizes: almost always 0 */
#pragma omp simd reduction(+ : out_of_range)
            for (size_t i = 0; i < len; i++) out_of_range += ar_pow34_in_range(av[i]) ? 0.0 : 1.0;
            if (out_of_range)
                for (size_t i = 0; i < len; i++)
                    if (!ar_pow34_in_range(av[i])) o[i] = pow(av[i], k);
            break;
        }
        return;
    }
    const double *restrict av = a.v;
    const double *restrict bv = b.v;
    double ac = a.c, bc = b.c;
#define BINARY(EXPR)                                                                               \
    if (av && bv) {                                                                                \
        for (size_t i = 0; i < len; i++) {                                                         \
            double x = av[i], y = bv[i];                                                           \
            o[i] = (EXPR);                                                                         \
        }                                                                                          \
    } else if (av) {                                                                               \
        double y = bc;                                                                             \
        for (size_t i = 0; i < len; i++) {                                                         \
            double x = av[i];                                                                      \
            o[i] = (EXPR);                                                                         \
        }                                                                                          \
    } else if (bv) {                                                                               \
        double x = ac;                                                                             \
        for (size_t i = 0; i < len; i++) {                                                         \
            double y = bv[i];                                                                      \
            o[i] = (EXPR);                                                                         \
        }                                                                                          \
    } else {                                                                                       \
        double x = ac, y = bc, r = (EXPR);                                                         \
        for (size_t i = 0; i < len; i++) o[i] = r;                                                 \
    }                                                                                              \
    break
    switch (op) {
    case SB_ADD: BINARY(ar_add(x, y));
    case SB_SUB: BINARY(ar_sub(x, y));
    case SB_MUL: BINARY(ar_mul(x, y));
    case SB_DIV: BINARY(ar_div(x, y));
    case SB_IDIV: BINARY(ar_idiv(x, y));
    case SB_POW: BINARY(ar_pow(x, y));
    case SB_MOD: BINARY(ar_mod(x, y));
    case SB_MIN: BINARY(ar_min(x, y));
    case SB_MAX: BINARY(ar_max(x, y));
    case SB_EQ: BINARY(ar_eq(x, y));
    case SB_NE: BINARY(ar_ne(x, y));
    case SB_LT: BINARY(ar_lt(x, y));
    case SB_LE: BINARY(ar_le(x, y));
    case SB_GT: BINARY(ar_gt(x, y));
    case SB_GE: BINARY(ar_ge(x, y));
    case SB_AND: BINARY(ar_and(x, y));
    case SB_OR: BINARY(ar_or(x, y));
    case SB_ROUND_DIGITS: BINARY(ar_round_digits(x, y));
    case SB_ATAN2: BINARY(ar_atan2(x, y));
    }
#undef BINARY
}

/* ====================================================================================== */
/* Evaluating one block                                                                   */
/* ====================================================================================== */

static double *step_out(const Plan *p, const Work *w, int t, size_t i0, double *dst) {
    const Step *st = &p->steps[t];
    if (st->slot == SLOT_LEAF) return st->node->draws + i0;
    if (st->slot == SLOT_DST) return dst + i0;
    if (st->slot == SLOT_MAT) return st->mat + i0;
    if (st->slot == SLOT_LAZY) return NULL;
    return w->buf + (size_t)st->slot * SMP_BLOCK;
}

/* Where a multi-root plan sends each root's block (smp_eval_roots). */
typedef struct RootSink {
    SmpRootSink fn;
    void *arg;
} RootSink;

/* Steps that compute each draw from the same draw of their operands alone (arithmetic, functions,
 * select, clamp): any slice of a block can be computed on its own. */
static bool elementwise(const Step *st) {
    NodeKind k = (NodeKind)st->node->kind;
    return st->slot != SLOT_LEAF && st->slot != SLOT_LAZY &&
           (k == NK_UNARY || k == NK_BINARY || k == NK_SELECT || k == NK_CLAMP);
}

/* ====================================================================================== */
/* Errors on draws a branch does not take                                                 */
/* ====================================================================================== */

/* An if-expression evaluates both branches for every draw and picks one per draw, and a mixture
 * picks one component per draw (docs/language.md, "if-expressions"): an invalid parameter on a
 * draw that the pick passes by is no error. Only an error on a draw that a root uses stops the
 * run, and the lowest such draw is the one reported.
 *
 * The block pass stays as it is (errors recorded per block, no per-draw bookkeeping). When it saw
 * an error in a plan that picks (Plan.branchy), each failing block is evaluated again, carefully:
 * with a plan of its own (no stored arrays, no caller's array) and, beside every step's draws, the
 * origin of each draw's error (DRAW_ERR, in slots parallel to the draw slots, so they live exactly
 * as long). A draw's origin is its own invalid parameter, or else the origin of the operand it
 * reads at that draw: every operand for arithmetic and parameters, but only the condition and the
 * picked branch for a select, only the picked component for a mixture. A root's draws with an
 * origin are the used errors. The careful pass computes the same draws as the block pass. */

static int64_t *step_org(const Plan *p, const Work *w, int t) {
    int slot = p->steps[t].slot;
    return slot >= 0 ? w->org + (size_t)slot * SMP_BLOCK : NULL; /* leaves and lazy steps: no errors */
}

/* The mixture's component per draw, as mixture_kernel picks it (the first c with u < cumw[c]). */
static void mixture_picks(const Samples *s, size_t i0, size_t len, Work *w, int *pick) {
    stream_uniforms(w->scratch, s, i0, len, w);
    for (size_t i = 0; i < len; i++) {
        int c = 0;
        for (int j = 0; j < s->nops - 1; j++) c += w->scratch[i] >= s->cumw[j];
        pick[i] = c;
    }
}

#if defined(__GNUC__)
#define EVAL_COLD __attribute__((noinline)) /* not `cold`: gcc would optimize it for size, unvectorized */
#else
#define EVAL_COLD
#endif

/* After step t ran on the block at i0 (len draws): the origins of its draws' errors. */
EVAL_COLD EVAL_CLONES static void careful_origins(const Plan *p, Work *w, int t, size_t i0, size_t len) {
    const Step *st = &p->steps[t];
    const Samples *s = st->node;
    int64_t *restrict o = step_org(p, w, t);
    if (!o) return;
    const int64_t *oin[p->max_ops > 0 ? p->max_ops : 1];
    In in[p->max_ops > 0 ? p->max_ops : 1];
    for (int k = 0; k < s->nops; k++) {
        int ci = p->args[st->arg + k];
        const int64_t *c = ci >= 0 ? step_org(p, w, ci) : NULL;
        oin[k] = c ? c : w->none;
        in[k] = ci >= 0 ? (In){step_out(p, w, ci, i0, NULL), 0} : (In){NULL, s->ops[k].num};
    }
    if (s->kind == NK_SELECT) { /* the condition's error, else the picked branch's */
        const double *restrict cond = in[0].v ? in[0].v : as_vec(in[0], w->scratch, len);
        const int64_t *restrict oc = oin[0], *restrict oa = oin[1], *restrict ob = oin[2];
        for (size_t i = 0; i < len; i++) o[i] = oc[i] >= 0 ? oc[i] : cond[i] != 0 ? oa[i] : ob[i];
        return;
    }
    if (s->kind == NK_MIXTURE) { /* the picked component's */
        mixture_picks(s, i0, len, w, w->pick);
        const int *restrict pick = w->pick;
        for (size_t i = 0; i < len; i++) o[i] = -1;
        for (int c = 0; c < s->nops; c++) {
            const int64_t *restrict oc = oin[c];
            if (oc != w->none)
                for (size_t i = 0; i < len; i++) o[i] = pick[i] == c ? oc[i] : o[i];
        }
        return;
    }
    /* the step's own invalid parameters, as its kernel checks them */
    int64_t own = DRAW_ERR(t, 1);
    if (s->kind == NK_NORMAL || s->kind == NK_LOGNORMAL) {
        const double *restrict sd = as_vec(in[1], w->scratch, len);
        for (size_t i = 0; i < len; i++) o[i] = sd[i] >= 0 ? -1 : own;
    } else if (s->kind == NK_UNIFORM) {
        const double *restrict lo = as_vec(in[0], w->scratch, len), *restrict hi = as_vec(in[1], w->bcast, len);
        for (size_t i = 0; i < len; i++) o[i] = hi[i] >= lo[i] ? -1 : own;
    } else if (s->kind == NK_CUSTOM) {
        const int *restrict bad = w->bad;
        for (size_t i = 0; i < len; i++) o[i] = bad[i] >= 0 ? DRAW_ERR(t, bad[i]) : -1;
    } else {
        for (size_t i = 0; i < len; i++) o[i] = -1;
    }
    /* an operand's error comes first (the first operand's first): it is why the value is wrong */
    for (int k = s->nops - 1; k >= 0; k--) {
        const int64_t *restrict ok = oin[k];
        if (ok != w->none)
            for (size_t i = 0; i < len; i++) o[i] = ok[i] >= 0 ? ok[i] : o[i];
    }
}

/* After root step t ran on a block: its lowest draw with an error is a used error. */
EVAL_COLD static void careful_root(const Plan *p, Work *w, int t, size_t i0, size_t len) {
    const int64_t *o = step_org(p, w, t);
    if (!o) return;
    for (size_t i = 0; i < len; i++)
        if (o[i] >= 0) {
            block_err(w->used, i0 + i, (int)(o[i] >> 16), (int)(o[i] & 0xffff), NAN, NAN); /* values: careful_pass */
            return;
        }
}

static void run_step(const Plan *p, Work *w, int t, size_t i0, size_t off, size_t len, double *dst, BlockErr *err);

/* Block b of a careful plan (no caller's array, no stored arrays), every step on the whole block:
 * w->used gets the lowest draw of a root whose error is used. */
static void careful_block(const Plan *p, Work *w, size_t b, size_t n) {
    size_t i0 = b * SMP_BLOCK, len = n - i0 < SMP_BLOCK ? n - i0 : SMP_BLOCK;
    BlockErr seen = {0}; /* every error, used or not: the careful pass looks at the origins instead */
    for (int t = 0; t < p->nsteps; t++) {
        const Step *st = &p->steps[t];
        if (st->slot >= 0) {
            run_step(p, w, t, i0, 0, len, NULL, &seen);
            careful_origins(p, w, t, i0, len);
        }
        if (p->multi ? st->root >= 0 : t == p->nsteps - 1) careful_root(p, w, t, i0, len);
    }
}

#define EVAL_SLICE 512 /* draws per slice of a run of elementwise steps: their buffers stay in L1 */

/* Runs step t on draws off .. off+len-1 of the block that starts at draw i0 (random kernels only
 * ever on a whole block: off 0). */
static void run_step(const Plan *p, Work *w, int t, size_t i0, size_t off, size_t len, double *dst, BlockErr *err) {
    const Step *st = &p->steps[t];
    Samples *s = st->node;
    double *out = step_out(p, w, t, i0, dst) + off;
    In in[p->max_ops > 0 ? p->max_ops : 1];
    for (int k = 0; k < s->nops; k++) {
        int ci = p->args[st->arg + k];
        double *v = ci >= 0 ? step_out(p, w, ci, i0, dst) : NULL; /* NULL: a number, or a lazy component */
        in[k] = ci >= 0 ? (In){v ? v + off : NULL, 0} : (In){NULL, s->ops[k].num};
    }
    switch ((NodeKind)s->kind) {
    case NK_ARRAY: break; /* always a leaf */
    case NK_NORMAL:
    case NK_LOGNORMAL: normal_kernel(out, s, in, i0, len, w, err, t); break;
    case NK_UNIFORM: uniform_kernel(out, s, in, i0, len, w, err, t); break;
    case NK_CUSTOM: custom_kernel(out, s, in, i0, len, w, err, t); break;
    case NK_MIXTURE: mixture_kernel(out, s, in, i0, len, w); break;
    case NK_TABLE: table_kernel(out, s, i0, len, w); break;
    case NK_UNARY: unary_kernel(out, (SmpUnary)s->op, in[0].v, len); break;
    case NK_BINARY: binary_kernel(out, (SmpBinary)s->op, in[0], in[1], len); break;
    case NK_SELECT: select_kernel(out, in, len, w); break;
    case NK_CLAMP: clamp_kernel(out, in, len, w); break;
    }
}

/* Runs every step of the plan for block b; returns the (single) root's block. A run of
 * elementwise steps goes slice by slice (all of its steps on one slice, then the next), so that
 * its intermediates stay in L1; every step still sees its operands' draws at the same places,
 * and slots are reused exactly as in step order, one slice at a time. A root ends its run: in a
 * multi-root plan its whole block goes to rs as soon as its step ran, while its slot holds it. */
EVAL_CLONES static const double *eval_block(const Plan *p, Work *w, size_t b, size_t n, double *dst, BlockErr *err,
                                            const RootSink *rs) {
    size_t i0 = b * SMP_BLOCK, len = n - i0 < SMP_BLOCK ? n - i0 : SMP_BLOCK;
    for (int t = 0; t < p->nsteps;) {
        int u = t + 1; /* steps t .. u-1 run together */
        if (elementwise(&p->steps[t])) {
            while (u < p->nsteps && p->steps[u - 1].root < 0 && elementwise(&p->steps[u])) u++;
            for (size_t off = 0; off < len; off += EVAL_SLICE)
                for (int v = t; v < u; v++)
                    run_step(p, w, v, i0, off, len - off < EVAL_SLICE ? len - off : EVAL_SLICE, dst, err);
        } else if (p->steps[t].slot != SLOT_LEAF && p->steps[t].slot != SLOT_LAZY) {
            run_step(p, w, t, i0, 0, len, dst, err);
        }
        const Step *last = &p->steps[u - 1];
        if (rs && last->root >= 0) rs->fn(rs->arg, last->root, b, step_out(p, w, u - 1, i0, dst), len);
        t = u;
    }
    return step_out(p, w, p->nsteps - 1, i0, dst);
}

typedef struct AtArg {
    size_t i;
    double v;
} AtArg;

static void at_sink(void *arg, size_t b, const double *x, size_t len) {
    AtArg *a = arg;
    (void)b;
    if (a->i < len) a->v = x[a->i];
}

/* Draw `draw` of an operand, for a message: one block evaluated (its other draws may fail). */
static double operand_at(SampleCtx *ctx, Operand o, size_t draw) {
    if (!o.node) return o.num;
#ifdef SQC_MPI
    if (smp_spread(ctx)) smp_dist_whole_below(ctx, &o.node, 1);
#endif
    if (o.node->draws) return o.node->draws[draw];
    size_t b = draw / SMP_BLOCK;
    AtArg a = {draw % SMP_BLOCK, NAN};
    if (!smp_eval_some_blocks(ctx, o.node, NULL, at_sink, &a, &b, 1)) ctx->err.set = false;
    return a.v;
}

/* norm(lo, hi) or lognorm(lo, hi) whose sd came out invalid on a draw: the message names the
 * bounds the user wrote, at that draw. */
static void report_interval(SampleCtx *ctx, Samples *s, size_t draw) {
    const char *name = s->kind == NK_LOGNORMAL ? "lognorm" : "norm";
    double lo = operand_at(ctx, s->interval[0], draw), hi = operand_at(ctx, s->interval[1], draw);
    char l[40], h[40];
    smp_fmt_num(l, sizeof l, lo);
    smp_fmt_num(h, sizeof h, hi);
    if (s->kind == NK_LOGNORMAL && !(lo > 0))
        smp_set_error(ctx, s->origin, "%s: lo is %s on draw %zu (must be > 0)", name, l, draw);
    else
        smp_set_error(ctx, s->origin, "%s: hi is %s and lo is %s on draw %zu (must be hi >= lo)", name, h, l, draw);
}

/* Turns the lowest failing draw into the context's error message. */
static void report_error(SampleCtx *ctx, const Plan *p, const BlockErr *e) {
    Samples *s = p->steps[e->step].node;
    char v1[40], v2[40];
    smp_fmt_num(v1, sizeof v1, e->v1);
    smp_fmt_num(v2, sizeof v2, e->v2);
    if (s->has_interval && (s->kind == NK_NORMAL || s->kind == NK_LOGNORMAL)) {
        report_interval(ctx, s, e->draw);
        ctx->error_node = s;
        return;
    }
    ctx->error_node = s;
    switch ((NodeKind)s->kind) {
    case NK_NORMAL:
        smp_set_error(ctx, s->origin, "norm: sd is %s on draw %zu (must be >= 0)", v1, e->draw);
        break;
    case NK_LOGNORMAL:
        smp_set_error(ctx, s->origin, "lognorm: sigma is %s on draw %zu (must be >= 0)", v1, e->draw);
        break;
    case NK_UNIFORM:
        smp_set_error(ctx, s->origin, "uniform: hi is %s and lo is %s on draw %zu (must be hi >= lo)",
                      v1, v2, e->draw);
        break;
    case NK_CUSTOM:
        smp_set_error(ctx, s->origin, "%s: parameter '%s' is %s on draw %zu", s->name,
                      s->param_names[e->param], v1, e->draw);
        break;
    default: smp_set_error(ctx, s->origin, "invalid draw %zu", e->draw); break;
    }
}

static Work *work_new(const Plan *p, int threads, bool careful, size_t n) {
    Work *ws = smp_xcalloc((size_t)threads, sizeof *ws);
    for (int t = 0; t < threads; t++) {
        ws[t].n = n;
        ws[t].buf = smp_xmalloc((size_t)(p->nslots ? p->nslots : 1) * SMP_BLOCK * sizeof(double));
        ws[t].bcast = smp_xmalloc(3 * SMP_BLOCK * sizeof(double));
        ws[t].params = smp_xmalloc((size_t)(p->max_ops ? p->max_ops : 1) * sizeof(double));
        ws[t].rng = p->has_custom ? rng_gsl_alloc() : NULL;
        if (p->has_lazy || careful) {
            ws[t].lazy = smp_xmalloc(LAZY_DOUBLES * sizeof(double));
            ws[t].pick = smp_xmalloc(SMP_BLOCK * sizeof(int));
        }
        ws[t].branchy = p->branchy;
        if (careful) {
            ws[t].org = smp_xmalloc((size_t)(p->nslots ? p->nslots : 1) * SMP_BLOCK * sizeof(int64_t));
            ws[t].none = smp_xmalloc(SMP_BLOCK * sizeof(int64_t));
            for (size_t i = 0; i < SMP_BLOCK; i++) ws[t].none[i] = -1;
            ws[t].bad = smp_xmalloc(SMP_BLOCK * sizeof(int));
            ws[t].scratch = smp_xmalloc(SMP_BLOCK * sizeof(double));
        }
    }
    return ws;
}

static void work_free(Work *ws, int threads) {
    for (int t = 0; t < threads; t++) {
        free(ws[t].buf);
        free(ws[t].bcast);
        free(ws[t].params);
        if (ws[t].rng) gsl_rng_free(ws[t].rng);
        free(ws[t].lazy);
        free(ws[t].pick);
        free(ws[t].org);
        free(ws[t].none);
        free(ws[t].bad);
        free(ws[t].scratch);
    }
    free(ws);
}

/* The careful pass over the blocks whose errs[j] is set (block sel[j], or j): errs[j] becomes the
 * block's lowest used error, if any. Reports the lowest one; false if there is one. */
static bool careful_pass(SampleCtx *ctx, Samples *const *roots, int nroots, bool multi, BlockErr *errs,
                         size_t nb, const size_t *sel, int threads) {
#ifdef SQC_MPI
    if (smp_spread(ctx)) smp_dist_whole_below(ctx, roots, nroots);
#endif
    Plan c;
    plan_build(&c, roots, nroots, multi, false, ctx, false);
    size_t *fail = smp_xmalloc(nb * sizeof *fail), nfail = 0;
    for (size_t j = 0; j < nb; j++)
        if (errs[j].set) fail[nfail++] = j;
    if ((size_t)threads > nfail) threads = (int)nfail;
    Work *ws = work_new(&c, threads, true, ctx->n);

#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (size_t f = 0; f < nfail; f++) {
#ifdef _OPENMP
        Work *w = &ws[omp_get_thread_num()];
#else
        Work *w = &ws[0];
#endif
        if (smp_should_stop(ctx)) continue; /* as in run_plan */
        size_t j = fail[f];
        BlockErr used = {0};
        w->used = &used;
        careful_block(&c, w, sel ? sel[j] : j, ctx->n);
        errs[j] = used;
    }

    bool ok = true;
    int stop = smp_stop_requested(ctx);
    if (stop) {
        smp_set_error(ctx, c.steps[c.nsteps - 1].node->origin, "%s", smp_stop_text(stop));
        ok = false;
    }
    for (size_t f = 0; f < nfail && ok; f++)
        if (errs[fail[f]].set) {
            BlockErr *e = &errs[fail[f]];
            const Samples *s = c.steps[e->step].node; /* the values the kernel checked, again */
            int k2 = s->kind == NK_UNIFORM ? 0 : -1;
            e->v1 = operand_at(ctx, s->ops[e->param], e->draw);
            e->v2 = k2 >= 0 ? operand_at(ctx, s->ops[k2], e->draw) : 0;
            report_error(ctx, &c, e);
            ok = false;
        }
    work_free(ws, threads);
    free(fail);
    plan_free(&c);
    return ok;
}

/* Evaluates blocks sel[0..nsel) (all blocks if sel is NULL) of a plan built for roots, handing
 * each to sink (single root) or rs (multi-root); frees the plan. */
static bool run_plan(SampleCtx *ctx, Plan *pp, Samples *const *roots, int nroots, double *dst, SmpBlockSink sink,
                     void *arg, const RootSink *rs, const size_t *sel, size_t nsel, bool spread) {
    Plan p = *pp;
    size_t n = ctx->n, nb = sel ? nsel : smp_nblocks(n);
    size_t j0 = 0, j1 = nb; /* the positions this process evaluates: all, but in a spread pass (dist.h) */
    if (spread) smp_dist_span(ctx, sel, nb, &j0, &j1);
    tm_enter(ctx->timings, TM_EVAL);
    int threads = ctx->threads < 1 ? 1 : ctx->threads;
    if ((size_t)threads > j1 - j0) threads = (int)(j1 > j0 ? j1 - j0 : 1);

    Work *ws = work_new(&p, threads, false, ctx->n);
    BlockErr *errs = smp_xcalloc(nb ? nb : 1, sizeof *errs);

#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (size_t j = j0; j < j1; j++) {
#ifdef _OPENMP
        Work *w = &ws[omp_get_thread_num()];
#else
        Work *w = &ws[0];
#endif
        if (smp_should_stop(ctx)) continue; /* stop asked for (or the deadline passed): skip the blocks left */
        size_t b = sel ? sel[j] : j;
        const double *x = eval_block(&p, w, b, n, dst, &errs[j], rs);
        if (sink) {
            size_t i0 = b * SMP_BLOCK;
            sink(arg, b, x, n - i0 < SMP_BLOCK ? n - i0 : SMP_BLOCK);
        }
    }
    work_free(ws, threads);

    bool ok = true, seen = false;
    int stop = smp_stop_requested(ctx);
    for (size_t b = j0; b < j1 && !seen; b++) seen = errs[b].set;
    if (spread) { /* every process stops, and fails at the lowest failing draw of all, alike */
        int any = seen;
        smp_dist_max2(&stop, &any);
        seen = any;
        if (stop) atomic_store(&ctx->stop, stop);
        if (seen) smp_dist_gather(ctx, errs, sizeof *errs, sel, nb);
    }
    if (stop) { /* some blocks were skipped: nothing of this pass counts */
        smp_set_error(ctx, p.steps[p.nsteps - 1].node->origin, "%s", smp_stop_text(stop));
        ok = false;
    }
    if (ok && seen && p.branchy) {
        ok = careful_pass(ctx, roots, nroots, p.multi, errs, nb, sel, threads);
    } else if (ok && seen) {
        for (size_t b = 0; b < nb && ok; b++)
            if (errs[b].set) {
                report_error(ctx, &p, &errs[b]);
                ok = false;
            }
    }
    free(errs);
    if (ok && spread && dst) smp_dist_gather_draws(ctx, dst, sel, nb);
    /* Draws stored for sharing may hold a failed draw that no root used: not kept then. */
    plan_finish_mat(&p, ctx, ok && !seen, spread);
    plan_free(&p);
    tm_leave(ctx->timings);
    return ok;
}

bool smp_eval_blocks(SampleCtx *ctx, Samples *root, double *dst, SmpBlockSink sink, void *arg) {
    return smp_eval_some_blocks(ctx, root, dst, sink, arg, NULL, smp_nblocks(ctx->n));
}

static bool eval_some(SampleCtx *ctx, Samples *root, double *dst, SmpBlockSink sink, void *arg,
                      const size_t *sel, size_t nsel, bool spread) {
    if ((sel ? nsel : smp_nblocks(ctx->n)) == 0) return true;
#ifdef SQC_MPI
    if (!spread && smp_spread(ctx)) smp_dist_whole_below(ctx, &root, 1); /* a pass of all blocks reads all */
#endif
    Plan p;
    /* arrays stored for sharing by a spread pass hold each process's own blocks (draws_partial) */
    plan_build(&p, &root, 1, false, dst != NULL, ctx, sel == NULL);
    return run_plan(ctx, &p, &root, 1, dst, sink, arg, NULL, sel, nsel, spread);
}

bool smp_eval_some_blocks(SampleCtx *ctx, Samples *root, double *dst, SmpBlockSink sink, void *arg,
                          const size_t *sel, size_t nsel) {
    return eval_some(ctx, root, dst, sink, arg, sel, nsel, false);
}

bool smp_eval_spread(SampleCtx *ctx, Samples *root, double *dst, SmpBlockSink sink, void *arg,
                     const size_t *sel, size_t nsel) {
    return eval_some(ctx, root, dst, sink, arg, sel, nsel, smp_spread(ctx));
}

static bool eval_roots(SampleCtx *ctx, Samples *const *roots, int nroots, SmpRootSink sink, void *arg,
                       const size_t *sel, size_t nsel, bool spread) {
    if (nroots == 0 || (sel ? nsel : smp_nblocks(ctx->n)) == 0) return true;
#ifdef SQC_MPI
    if (!spread && smp_spread(ctx)) smp_dist_whole_below(ctx, roots, nroots);
#endif
    Plan p;
    plan_build(&p, roots, nroots, true, false, ctx, false);
    RootSink rs = {sink, arg};
    return run_plan(ctx, &p, roots, nroots, NULL, NULL, NULL, &rs, sel, nsel, spread);
}

bool smp_eval_roots(SampleCtx *ctx, Samples *const *roots, int nroots, SmpRootSink sink, void *arg,
                    const size_t *sel, size_t nsel) {
    return eval_roots(ctx, roots, nroots, sink, arg, sel, nsel, false);
}

bool smp_eval_roots_spread(SampleCtx *ctx, Samples *const *roots, int nroots, SmpRootSink sink, void *arg,
                           const size_t *sel, size_t nsel) {
    return eval_roots(ctx, roots, nroots, sink, arg, sel, nsel, smp_spread(ctx));
}

/* ====================================================================================== */
/* Materialization                                                                        */
/* ====================================================================================== */

#ifdef SQC_MPI
void smp_dist_whole_below(SampleCtx *ctx, Samples *const *roots, int nroots) {
    uint64_t gen = new_generation();
    size_t cap = 64, depth = 0;
    Samples **stack = smp_xmalloc(cap * sizeof *stack);
    for (int r = 0; r < nroots; r++) {
        if (roots[r]->plan_mark == gen) continue;
        roots[r]->plan_mark = gen;
        stack[depth++] = roots[r];
        while (depth) { /* the same order on every process: the graphs are the same */
            Samples *s = stack[--depth];
            if (s->draws) {
                if (s->draws_partial) smp_dist_gather_draws(ctx, s->draws, NULL, smp_nblocks(ctx->n));
                s->draws_partial = false;
                continue;
            }
            for (int k = 0; k < s->nops; k++) {
                Samples *c = s->ops[k].node;
                if (!c || c->plan_mark == gen) continue;
                c->plan_mark = gen;
                MEM_GROW(stack, cap, depth + 1);
                stack[depth++] = c;
            }
        }
    }
    free(stack);
}
#endif

bool smp_materialize(SampleCtx *ctx, Samples *s) {
#ifdef SQC_MPI
    if (s->draws && s->draws_partial) smp_dist_whole_below(ctx, &s, 1);
#endif
    if (s->draws) {
        smp_lru_touch(ctx, s);
        return true;
    }
    double *d = smp_xmalloc(ctx->n * sizeof(double));
    if (!smp_eval_spread(ctx, s, d, NULL, NULL, NULL, smp_nblocks(ctx->n))) {
        free(d);
        return false;
    }
    s->draws = d;
    s->draws_len = ctx->n;
    smp_lru_add(ctx, s);
    return true;
}

bool smp_store_fits(const SampleCtx *ctx) { return ctx->n <= ctx->cache_budget / 2 / sizeof(double); }

bool smp_stored(const Samples *s) { return s->draws != NULL; }

const double *smp_draws(SampleCtx *ctx, Samples *s) {
    smp_query(ctx, s, SMP_WANT_DRAWS, NULL, 0);
    return smp_materialize(ctx, s) ? s->draws : NULL;
}

/* ====================================================================================== */
/* Streaming reducers                                                                     */
/* ====================================================================================== */

/* numpy-style pairwise summation: 8 accumulators at the leaves, halving above 128. */
EVAL_CLONES static double pairwise_sum(const double *x, size_t n) {
    if (n < 8) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += x[i];
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (int k = 0; k < 8; k++) r[k] = x[k];
        size_t i;
        for (i = 8; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++) r[k] += x[i + k];
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += x[i];
        return s;
    }
    size_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(x, half) + pairwise_sum(x + half, n - half);
}

double smp_pairwise_sum(const double *x, size_t n) { return pairwise_sum(x, n); }

/* Neumaier's compensated running sum, for combining per-block partials in block order. */
typedef struct KSum {
    double s, c;
} KSum;

static void ksum_add(KSum *k, double x) {
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x)) k->c += (k->s - t) + x;
    else k->c += (x - t) + k->s;
    k->s = t;
}

/* Once the sum is infinite the compensation is inf - inf = NaN: the sum alone is the answer
 * (numpy's mean of draws holding inf is inf, of draws holding inf and -inf NaN). */
static double ksum_value(const KSum *k) { return isfinite(k->s) ? k->s + k->c : k->s; }

EVAL_CLONES void smp_block_stats(BlockStats *bs, const double *x, size_t len) {
    double dev[SMP_BLOCK];
    double sum = pairwise_sum(x, len), mean = sum / (double)len;
    for (size_t i = 0; i < len; i++) {
        double d = x[i] - mean;
        dev[i] = d * d;
    }
    /* extremes and counts in doubles (exact up to 2^53), in a loop that vectorizes */
    double mn = INFINITY, mx = -INFINITY, nan = 0, inf = 0;
#pragma omp simd reduction(min : mn) reduction(max : mx) reduction(+ : nan, inf)
    for (size_t i = 0; i < len; i++) {
        double v = x[i];
        mn = v < mn ? v : mn; /* NaN compares false: counted instead */
        mx = v > mx ? v : mx;
        nan += v != v ? 1.0 : 0.0;
        inf += fabs(v) == INFINITY ? 1.0 : 0.0;
    }
    *bs = (BlockStats){sum, pairwise_sum(dev, len), mn, mx, len, (size_t)nan, (size_t)inf};
}

static void stats_sink(void *arg, size_t b, const double *x, size_t len) {
    smp_block_stats(&((BlockStats *)arg)[b], x, len);
}

/* Mean, population variance, min, max and non-finite counts in one streaming pass, cached. */
static bool ensure_stats(SampleCtx *ctx, Samples *s) {
    smp_query(ctx, s, SMP_WANT_STATS, NULL, 0);
    if (s->have_stats) return true;
    size_t n = ctx->n, nb = smp_nblocks(n);
    if (n == 0) {
        s->mean = s->var = s->min = s->max = NAN;
        s->have_stats = true;
        return true;
    }
    BlockStats *bs = smp_xcalloc(nb, sizeof *bs);
    if (s->draws) smp_lru_touch(ctx, s);
    if (!smp_eval_spread(ctx, s, NULL, stats_sink, bs, NULL, nb)) {
        free(bs);
        return false;
    }
    if (smp_spread(ctx)) smp_dist_gather(ctx, bs, sizeof *bs, NULL, nb);
    smp_stats_finish(s, bs, n);
    free(bs);
    return true;
}

void smp_stats_finish(Samples *s, const BlockStats *bs, size_t n) {
    size_t nb = smp_nblocks(n);
    KSum sum = {0, 0}, m2 = {0, 0};
    double mn = INFINITY, mx = -INFINITY;
    size_t nan = 0, inf = 0;
    for (size_t b = 0; b < nb; b++) {
        ksum_add(&sum, bs[b].sum);
        mn = bs[b].min < mn ? bs[b].min : mn;
        mx = bs[b].max > mx ? bs[b].max : mx;
        nan += bs[b].nan;
        inf += bs[b].inf;
    }
    double mean = ksum_value(&sum) / (double)n;
    /* Chan et al.: the total squared deviation is each block's plus its mean's offset. */
    for (size_t b = 0; b < nb; b++) {
        double d = bs[b].sum / (double)bs[b].len - mean;
        ksum_add(&m2, bs[b].m2);
        ksum_add(&m2, (double)bs[b].len * d * d);
    }
    s->mean = mean;
    s->var = ksum_value(&m2) / (double)n;
    s->min = nan ? NAN : mn;
    s->max = nan ? NAN : mx;
    if (nan) s->mean = s->var = NAN;
    s->nan_count = nan;
    s->inf_count = inf;
    s->have_stats = true;
}

bool smp_mean(SampleCtx *ctx, Samples *s, double *out) {
    if (!ensure_stats(ctx, s)) return false;
    *out = s->mean;
    return true;
}

bool smp_var(SampleCtx *ctx, Samples *s, double *out) {
    if (!ensure_stats(ctx, s)) return false;
    *out = s->var;
    return true;
}

bool smp_min(SampleCtx *ctx, Samples *s, double *out) {
    if (!ensure_stats(ctx, s)) return false;
    *out = s->min;
    return true;
}

bool smp_max(SampleCtx *ctx, Samples *s, double *out) {
    if (!ensure_stats(ctx, s)) return false;
    *out = s->max;
    return true;
}

bool smp_nonfinite(SampleCtx *ctx, Samples *s, size_t *nan_count, size_t *inf_count) {
    if (!ensure_stats(ctx, s)) return false;
    if (nan_count) *nan_count = s->nan_count;
    if (inf_count) *inf_count = s->inf_count;
    return true;
}

typedef struct CdfArg {
    double v;
    size_t *counts; /* per block */
} CdfArg;

static void cdf_sink(void *arg, size_t b, const double *x, size_t len) {
    CdfArg *a = arg;
    double v = a->v;
    size_t c = 0;
    for (size_t i = 0; i < len; i++) c += x[i] <= v;
    a->counts[b] = c;
}

bool smp_cdf(SampleCtx *ctx, Samples *s, double v, double *out) {
    size_t n = ctx->n, nb = smp_nblocks(n);
    CdfArg a = {v, smp_xcalloc(nb, sizeof(size_t))};
    if (s->draws) smp_lru_touch(ctx, s);
    bool ok = smp_eval_spread(ctx, s, NULL, cdf_sink, &a, NULL, nb);
    if (ok && smp_spread(ctx)) smp_dist_gather(ctx, a.counts, sizeof *a.counts, NULL, nb);
    if (ok) {
        size_t total = 0;
        for (size_t b = 0; b < nb; b++) total += a.counts[b];
        *out = n ? (double)total / (double)n : NAN;
    }
    free(a.counts);
    return ok;
}
