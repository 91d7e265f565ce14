/* samples.c — samples nodes: constructors, reference counting, bool marks, the LRU array cache. */
#include "samples_internal.h"

#include "check.h"
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

#include "rng.h"
#include "rng_inline.h"

#define BIG_DRAWS_BYTES ((size_t)32 << 20) /* glibc maps blocks this big on their own (its largest threshold) */

/* Draw arrays are the largest allocations: they go through the memory check (mem.h), so a
 * run with too many draws for the memory ends with an error at its place, not an OOM kill. */
void *smp_xmalloc(size_t size) { return mem_alloc(size); }

void *smp_xcalloc(size_t count, size_t size) { return mem_calloc(count, size); }

#define xstrdup mem_strdup

void smp_set_error(SampleCtx *ctx, Span span, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sq_error_vset(&ctx->err, span, fmt, ap);
    va_end(ap);
}

const char *smp_stop_text(int reason) {
    switch (reason) {
    case SMP_STOP_INTERRUPT: return "interrupted";
    case SMP_STOP_TIME:
        return "stopped: the run took longer than its time limit (--max-time); raise it, or use fewer draws "
               "(--samples)";
    default: return "stopped";
    }
}

double smp_monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int smp_should_stop(SampleCtx *ctx) {
    int stop = smp_stop_requested(ctx);
    if (stop || ctx->deadline <= 0 || smp_monotonic_seconds() <= ctx->deadline) return stop;
    int none = SMP_STOP_NONE;
    atomic_compare_exchange_strong(&ctx->stop, &none, SMP_STOP_TIME);
    return smp_stop_requested(ctx);
}

void smp_fmt_num(char *buf, size_t len, double x) {
    if (isnan(x)) { /* "%g" writes a NaN with its sign bit set as "-nan" */
        snprintf(buf, len, "nan");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, x);
        if (isnan(x) || strtod(buf, NULL) == x) return;
    }
}

/* ---- context ---- */

void smp_ctx_init(SampleCtx *ctx, size_t n, uint64_t seed, int threads) {
    memset(ctx, 0, sizeof *ctx);
    ctx->n = n;
    ctx->seed = seed;
    ctx->threads = threads >= 1 ? threads : 1;
    ctx->quantile_margin_sd = SMP_QUANTILE_MARGIN_SD;
    ctx->ranks = 1;
    ctx->cache_budget = (size_t)512 << 20; /* 512 MiB: room for a handful of 10M-draw arrays */
    double limit = mem_limit(NULL); /* and at most a quarter of the memory sqc may use (mem.h) */
    if (limit / 4 < (double)ctx->cache_budget) ctx->cache_budget = (size_t)(limit / 4);
}

void smp_free_draws(double *d, size_t len, int threads) {
    size_t bytes = len * sizeof *d;
    if (d && threads > 1 && bytes >= BIG_DRAWS_BYTES) {
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        uintptr_t lo = ((uintptr_t)d + page - 1) & ~(uintptr_t)(page - 1);
        uintptr_t hi = ((uintptr_t)d + bytes) & ~(uintptr_t)(page - 1);
        size_t pages = (hi - lo) / page;
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int t = 0; t < threads; t++) {
            size_t p0 = pages * (size_t)t / (size_t)threads, p1 = pages * (size_t)(t + 1) / (size_t)threads;
            madvise((void *)(lo + p0 * page), (p1 - p0) * page, MADV_DONTNEED);
        }
    }
    free(d);
}

static void drop_draws(SampleCtx *ctx, Samples *s) {
    smp_free_draws(s->draws, s->draws_len, ctx->threads);
    s->draws = NULL;
    s->draws_len = 0;
    s->share_value = 0;
#ifdef SQC_MPI
    s->draws_partial = false;
#endif
}

void smp_ctx_free(SampleCtx *ctx) {
    Samples *s = ctx->lru_head;
    while (s) {
        Samples *next = s->lru_next;
        drop_draws(ctx, s);
        s->lru_prev = s->lru_next = NULL;
        s->in_lru = false;
        s->ctx = NULL;
        s = next;
    }
    ctx->lru_head = ctx->lru_tail = NULL;
    ctx->cache_used = 0;
}

/* ---- LRU ---- */

static void lru_unlink(SampleCtx *ctx, Samples *s) {
    if (s->lru_prev) s->lru_prev->lru_next = s->lru_next;
    else ctx->lru_head = s->lru_next;
    if (s->lru_next) s->lru_next->lru_prev = s->lru_prev;
    else ctx->lru_tail = s->lru_prev;
    s->lru_prev = s->lru_next = NULL;
}

static void lru_push_front(SampleCtx *ctx, Samples *s) {
    s->lru_prev = NULL;
    s->lru_next = ctx->lru_head;
    if (ctx->lru_head) ctx->lru_head->lru_prev = s;
    else ctx->lru_tail = s;
    ctx->lru_head = s;
}

#ifdef SQC_DEBUG_CHECKS
/* The LRU's invariants (debug builds): the links agree both ways, every node on it is marked
 * in_lru, holds draws and belongs to ctx, and cache_used is the sum of their bytes. */
static void lru_check(const SampleCtx *ctx) {
    size_t used = 0;
    const Samples *prev = NULL;
    for (const Samples *s = ctx->lru_head; s; prev = s, s = s->lru_next) {
        sq_assert(s->in_lru && s->draws && s->ctx == ctx);
        sq_assert(s->lru_prev == prev);
        used += s->draws_len * sizeof(double);
    }
    sq_assert(ctx->lru_tail == prev);
    sq_assert(used == ctx->cache_used);
}
#define LRU_CHECK(ctx) lru_check(ctx)
#else
#define LRU_CHECK(ctx) ((void)0)
#endif

void smp_lru_touch(SampleCtx *ctx, Samples *s) {
    if (!s->in_lru || ctx->lru_head == s) return;
    lru_unlink(ctx, s);
    lru_push_front(ctx, s);
    LRU_CHECK(ctx);
}

/* Drops least recently used arrays until the budget holds, sparing `keep`. */
static void lru_evict(SampleCtx *ctx, const Samples *keep) {
    while (ctx->cache_used > ctx->cache_budget && ctx->lru_tail && ctx->lru_tail != keep) {
        Samples *victim = ctx->lru_tail;
        lru_unlink(ctx, victim);
        ctx->cache_used -= victim->draws_len * sizeof(double);
        victim->in_lru = false;
        victim->ctx = NULL;
        drop_draws(ctx, victim);
    }
    LRU_CHECK(ctx);
}

bool smp_lru_make_room(SampleCtx *ctx, size_t need, uint64_t spare, double value) {
    if (need > ctx->cache_budget) return false;
    Samples *v = ctx->lru_tail;
    while (ctx->cache_used + need > ctx->cache_budget && v) {
        Samples *prev = v->lru_prev;
        if (v->plan_mark != spare && v->share_value < value) {
            lru_unlink(ctx, v);
            ctx->cache_used -= v->draws_len * sizeof(double);
            v->in_lru = false;
            v->ctx = NULL;
            drop_draws(ctx, v);
        }
        v = prev;
    }
    LRU_CHECK(ctx);
    return ctx->cache_used + need <= ctx->cache_budget;
}

void smp_lru_add(SampleCtx *ctx, Samples *s) {
    s->in_lru = true;
    s->ctx = ctx;
    lru_push_front(ctx, s);
    ctx->cache_used += s->draws_len * sizeof(double);
    lru_evict(ctx, s);
}

/* ---- fingerprints ---- */

typedef struct FpState {
    uint64_t a, b;
} FpState;

static void fp_add(FpState *h, uint64_t x) {
    h->a = rng_mix_a(h->a ^ x) + 0x9E3779B97F4A7C15u;
    h->b = rng_mix_b(h->b + x) ^ 0xD1B54A32D192ED03u;
}

static uint64_t fp_bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

void smp_fingerprint(Samples *s) {
    FpState h = {0x243F6A8885A308D3u, 0x13198A2E03707344u};
    s->fp_none = s->kind == NK_ARRAY;
    fp_add(&h, (uint64_t)s->kind << 8 | s->op);
    fp_add(&h, s->key);
    if (s->lhs) fp_add(&h, 0x4C4853); /* other draws from the same stream (Monte Carlo's fingerprints unchanged) */
    fp_add(&h, (uint64_t)s->nops);
    for (int k = 0; k < s->nops; k++) {
        const Samples *c = s->ops[k].node;
        if (c) {
            s->fp_none |= c->fp_none;
            fp_add(&h, 1);
            fp_add(&h, c->fp[0]);
            fp_add(&h, c->fp[1]);
        } else {
            fp_add(&h, 2);
            fp_add(&h, fp_bits(s->ops[k].num));
        }
    }
    if (s->cumw && s->kind == NK_MIXTURE)
        for (int k = 0; k < s->nops; k++) fp_add(&h, fp_bits(s->cumw[k]));
    if (s->kind == NK_TABLE) {
        fp_add(&h, (uint64_t)s->ntable);
        for (size_t c = 0; c < s->ntable; c++) fp_add(&h, fp_bits(s->table[c])), fp_add(&h, fp_bits(s->cumw[c]));
    }
    if (s->draw) {
        uintptr_t fn;
        memcpy(&fn, &s->draw, sizeof fn < sizeof s->draw ? sizeof fn : sizeof s->draw);
        fp_add(&h, (uint64_t)fn);
    }
    s->fp[0] = h.a;
    s->fp[1] = h.b;
}

/* ---- constructors ---- */

/* True if operand k of s is a node that no earlier operand of s is. */
static bool first_use(const Samples *s, int k) {
    for (int j = 0; j < k; j++)
        if (s->ops[j].node == s->ops[k].node) return false;
    return true;
}

static Samples *node_new(NodeKind kind, int nops, const Operand *ops) {
    Samples *s = smp_xcalloc(1, sizeof *s + (size_t)nops * sizeof(Operand));
    s->refcount = 1;
    s->kind = (uint8_t)kind;
    s->nops = nops;
    for (int k = 0; k < nops; k++) {
        s->ops[k] = ops[k];
        if (ops[k].node) {
            smp_retain(ops[k].node);
            if (first_use(s, k)) ops[k].node->consumers++;
        }
    }
    return s;
}

static Samples *random_node(SampleCtx *ctx, NodeKind kind, int nops, const Operand *ops, Span origin) {
    Samples *s = node_new(kind, nops, ops);
    s->key = rng_stream_key(ctx->seed, ctx->next_stream++);
    s->lhs = ctx->lhs;
    s->origin = origin;
    return s;
}

static Samples *sealed(Samples *s) {
    smp_fingerprint(s);
    return s;
}

Samples *smp_normal(SampleCtx *ctx, Operand mean, Operand sd, Span origin) {
    return sealed(random_node(ctx, NK_NORMAL, 2, (Operand[]){mean, sd}, origin));
}

Samples *smp_lognormal(SampleCtx *ctx, Operand mu, Operand sigma, Span origin) {
    return sealed(random_node(ctx, NK_LOGNORMAL, 2, (Operand[]){mu, sigma}, origin));
}

Samples *smp_uniform(SampleCtx *ctx, Operand lo, Operand hi, Span origin) {
    return sealed(random_node(ctx, NK_UNIFORM, 2, (Operand[]){lo, hi}, origin));
}

Samples *smp_custom(SampleCtx *ctx, const char *name, SmpDrawFn draw, SmpQuantFn quant, int nparams,
                    const Operand *params, const char *const *param_names, Span origin) {
    Samples *s = random_node(ctx, NK_CUSTOM, nparams, params, origin);
    if (s->lhs && !quant) abort(); /* a caller's bug: lhs needs the inverse CDF (samples.h) */
    s->name = xstrdup(name ? name : "distribution");
    s->draw = draw;
    s->quant = quant;
    s->param_names = smp_xcalloc((size_t)nparams, sizeof(char *));
    for (int k = 0; k < nparams; k++)
        s->param_names[k] = xstrdup(param_names && param_names[k] ? param_names[k] : "?");
    return sealed(s);
}

Samples *smp_table(SampleCtx *ctx, size_t k, const double *values, const double *weights, Span origin) {
    Samples *s = random_node(ctx, NK_TABLE, 0, NULL, origin);
    s->ntable = k;
    s->table = smp_xmalloc(k * sizeof(double));
    s->cumw = smp_xmalloc(k * sizeof(double));
    s->guide = smp_xmalloc(k * sizeof(int32_t));
    memcpy(s->table, values, k * sizeof(double));
    double total = 0, acc = 0;
    for (size_t c = 0; c < k; c++) total += weights ? weights[c] : 1;
    for (size_t c = 0; c < k; c++) { /* as smp_mixture, so that the same uniform picks the same value */
        acc += weights ? weights[c] : 1;
        s->cumw[c] = acc / total;
    }
    s->cumw[k - 1] = 1.0;
    for (size_t b = 0, c = 0; b < k; b++) {
        double t = (double)b / (double)k;
        while (c < k - 1 && s->cumw[c] <= t) c++;
        s->guide[b] = (int32_t)c;
    }
    return sealed(s);
}

Samples *smp_mixture(SampleCtx *ctx, int k, const Operand *components, const double *weights,
                     Span origin) {
    Samples *s = random_node(ctx, NK_MIXTURE, k, components, origin);
    double total = 0;
    for (int c = 0; c < k; c++) total += weights[c];
    s->cumw = smp_xmalloc((size_t)k * sizeof(double));
    double acc = 0;
    for (int c = 0; c < k; c++) {
        acc += weights[c];
        s->cumw[c] = acc / total;
    }
    s->cumw[k - 1] = 1.0; /* rounding must not leave a gap at the top */
    return sealed(s);
}

Samples *smp_unary(SmpUnary op, Samples *x) {
    Samples *s = node_new(NK_UNARY, 1, (Operand[]){opnd_smp(x)});
    s->op = (uint8_t)op;
    s->is_bool = op == SU_NOT;
    return sealed(s);
}

Samples *smp_binary(SmpBinary op, Operand a, Operand b) {
    Samples *s = node_new(NK_BINARY, 2, (Operand[]){a, b});
    s->op = (uint8_t)op;
    s->is_bool = op >= SB_EQ && op <= SB_OR;
    return sealed(s);
}

Samples *smp_select(Samples *cond, Operand if_true, Operand if_false) {
    return sealed(node_new(NK_SELECT, 3, (Operand[]){opnd_smp(cond), if_true, if_false}));
}

Samples *smp_clamp(Operand x, Operand lo, Operand hi) {
    return sealed(node_new(NK_CLAMP, 3, (Operand[]){x, lo, hi}));
}

Samples *smp_from_array(double *draws) {
    Samples *s = sealed(node_new(NK_ARRAY, 0, NULL));
    s->draws = draws;
    return s; /* draws_len stays 0: the array is not counted against the cache budget */
}

static void *memdup(const void *p, size_t bytes) { return p ? memcpy(smp_xmalloc(bytes), p, bytes) : NULL; }

Samples *smp_copy_with(const Samples *s, const Operand *ops) {
    Samples *c = node_new((NodeKind)s->kind, s->nops, ops);
    c->op = s->op;
    c->is_bool = s->is_bool;
    c->key = s->key;
    c->lhs = s->lhs;
    c->origin = s->origin;
    c->draw = s->draw;
    c->quant = s->quant;
    if (s->name) c->name = xstrdup(s->name);
    if (s->param_names) {
        c->param_names = smp_xcalloc((size_t)s->nops, sizeof(char *));
        for (int k = 0; k < s->nops; k++) c->param_names[k] = xstrdup(s->param_names[k]);
    }
    size_t ncum = s->kind == NK_TABLE ? s->ntable : (size_t)s->nops;
    c->cumw = memdup(s->cumw, ncum * sizeof(double));
    c->table = memdup(s->table, s->ntable * sizeof(double));
    c->guide = memdup(s->guide, s->ntable * sizeof(int32_t));
    c->ntable = s->ntable;
    if (s->has_interval) smp_set_interval(c, s->interval[0], s->interval[1]);
    return sealed(c);
}

Samples *smp_constant(double v) {
    Samples *s = node_new(NK_TABLE, 0, NULL);
    s->ntable = 1;
    s->table = memdup(&v, sizeof v);
    s->cumw = memdup(&(double){1.0}, sizeof(double));
    s->guide = memdup(&(int32_t){0}, sizeof(int32_t));
    return sealed(s);
}

/* ---- labels ---- */

static bool is_random(const Samples *s) {
    return s->kind != NK_UNARY && s->kind != NK_BINARY && s->kind != NK_SELECT && s->kind != NK_CLAMP &&
           !(s->kind == NK_TABLE && s->ntable == 1);
}

void smp_bind_label(Samples *s, const char *name) {
    while (s && !is_random(s)) { /* down a chain of steps with one samples operand */
        Samples *only = NULL;
        int nodes = 0;
        for (int k = 0; k < s->nops; k++)
            if (s->ops[k].node && s->ops[k].node != only) only = s->ops[k].node, nodes++;
        s = nodes == 1 ? only : NULL;
    }
    if (!s || s->label_bound) return;
    free(s->label);
    s->label = xstrdup(name);
    s->label_bound = true;
}

void smp_default_label(Samples *s, const char *name) {
    if (s->label) return;
    s->label = xstrdup(name);
}

const char *smp_label(const Samples *s) { return s->label; }
Span smp_origin(const Samples *s) { return s->origin; }

/* ---- reference counting ---- */

Samples *smp_retain(Samples *s) {
    sq_assert(!s || s->refcount > 0); /* retaining a freed node */
    if (s) s->refcount++;
    return s;
}

/* Frees one dead node's own storage (not its operands). */
static void node_free(Samples *s) {
    int threads = 1;
    if (s->in_lru) {
        SampleCtx *ctx = s->ctx;
        lru_unlink(ctx, s);
        ctx->cache_used -= s->draws_len * sizeof(double);
        s->in_lru = false;
        LRU_CHECK(ctx);
        threads = ctx->threads;
    }
    if (s->ext_free) s->ext_free(s->ext);
    free(s->label);
    smp_free_draws(s->draws, s->draws_len, threads);
    if (s->param_names)
        for (int k = 0; k < s->nops; k++) free(s->param_names[k]);
    free(s->param_names);
    free(s->name);
    free(s->cumw);
    free(s->table);
    free(s->guide);
    free(s);
}

void smp_release(Samples *s) {
    sq_assert(!s || s->refcount > 0); /* released more often than retained */
    if (!s || --s->refcount > 0) return;
    /* Dead nodes form an intrusive stack through free_next: no recursion, no allocation. */
    s->free_next = NULL;
    Samples *stack = s;
    while (stack) {
        Samples *dead = stack;
        stack = dead->free_next;
        for (int k = 0; k < dead->nops; k++) {
            Samples *c = dead->ops[k].node;
            if (c && first_use(dead, k)) c->consumers--;
            if (c && --c->refcount == 0) {
                c->free_next = stack;
                stack = c;
            }
        }
        for (int k = 0; k < 2; k++) {
            Samples *c = dead->interval[k].node;
            if (c && --c->refcount == 0) {
                c->free_next = stack;
                stack = c;
            }
        }
        node_free(dead);
    }
}

/* ---- extension data ---- */

void smp_set_ext(Samples *s, void *ext, void (*ext_free)(void *)) {
    if (s->ext_free) s->ext_free(s->ext);
    s->ext = ext;
    s->ext_free = ext_free;
}

void *smp_ext(const Samples *s) { return s->ext; }

void smp_set_interval(Samples *s, Operand lo, Operand hi) {
    smp_retain(lo.node), smp_retain(hi.node);
    for (int k = 0; k < 2; k++) smp_release(s->interval[k].node);
    s->interval[0] = lo, s->interval[1] = hi;
    s->has_interval = true;
}

bool smp_reads(const Samples *s, const Samples *operand) {
    for (int k = 0; k < s->nops; k++)
        if (s->ops[k].node == operand) return true;
    return false;
}

/* ---- bool marks ---- */

bool smp_is_bool(const Samples *s) { return s->is_bool; }

Samples *smp_mark_bool(Samples *s) {
    s->is_bool = true;
    return s;
}
