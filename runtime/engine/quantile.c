/* quantile.c — exact sample quantiles (numpy's "linear" method) by bracketing and selection. */
#include "samples_internal.h"

#include "dist.h"
#include "mem.h"
#include "rng_inline.h"
#include "timings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define SUBSAMPLE 32768    /* strided subsample that locates each quantile's bracket */

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Stable merge sort of NaN-free doubles by `<`: the same order as glibc's qsort (a stable merge
 * sort) with cmp_double, so where -0 and +0 tie they keep their input order just the same, without
 * a call per comparison. */
static void msort_rec(double *a, double *tmp, size_t n) {
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) { /* stable: shift only past strictly greater elements */
            double v = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    msort_rec(a, tmp, h);
    msort_rec(a + h, tmp, n - h);
    if (!(a[h] < a[h - 1])) return; /* already in order */
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) a[k++] = a[j] < tmp[i] ? a[j++] : tmp[i++]; /* ties: the left one first */
    while (i < h) a[k++] = tmp[i++];
}

static void sort_doubles(double *a, size_t n) {
    if (n < 2) return;
    double *tmp = smp_xmalloc((n / 2 + 1) * sizeof *tmp);
    msort_rec(a, tmp, n);
    free(tmp);
}

static inline void swap_d(double *a, double *b) {
    double t = *a;
    *a = *b;
    *b = t;
}

static double median3(double a, double b, double c) {
    if (a > b) swap_d(&a, &b);
    if (b > c) b = c;
    return a > b ? a : b;
}

/* Three-way partition of a[lo..hi) around the median of three: afterwards a[lo..*lt) < p,
 * a[*lt..*gt) == p and a[*gt..hi) > p (ties cost nothing). */
static void partition3(double *a, size_t lo, size_t hi, size_t *lt_out, size_t *gt_out) {
    double p = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
    size_t lt = lo, i = lo, gt = hi;
    while (i < gt) {
        if (a[i] < p) swap_d(&a[lt++], &a[i++]);
        else if (a[i] > p) swap_d(&a[i], &a[--gt]);
        else i++;
    }
    *lt_out = lt, *gt_out = gt;
}

static void insertion_sort(double *a, size_t lo, size_t hi) {
    for (size_t i = lo + 1; i < hi; i++) {
        double v = a[i];
        size_t j = i;
        for (; j > lo && a[j - 1] > v; j--) a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Rearranges a[0..n) (no NaN) so that a[k] is its k-th smallest, with nothing larger before it
 * and nothing smaller after it. Quickselect with three-way partitioning; falls back to sorting
 * the remaining range if the pivots keep being poor. */
static void select_kth(double *a, size_t n, size_t k) {
    size_t lo = 0, hi = n;
    int limit = 16;
    for (size_t m = n; m > 1; m /= 2) limit += 2;
    while (hi - lo > 16) {
        if (--limit < 0) {
            qsort(a + lo, hi - lo, sizeof *a, cmp_double);
            return;
        }
        size_t lt, gt;
        partition3(a, lo, hi, &lt, &gt);
        if (k < lt) hi = lt;
        else if (k >= gt) lo = gt;
        else return; /* a[k] == p, partitioned around it */
    }
    insertion_sort(a, lo, hi); /* the last small range */
}

/* The smallest of a[from..n). */
static double min_from(const double *a, size_t from, size_t n) {
    double m = a[from];
    for (size_t i = from + 1; i < n; i++) m = a[i] < m ? a[i] : m;
    return m;
}

/* numpy's _lerp (monotone form) on neighbouring order statistics a <= b. Where numpy's formula
 * meets inf*0 or inf-inf (numpy issues 12282, 21932) we return the limit instead of NaN. */
static double lerp_numpy(double a, double b, double t) {
    if (!isfinite(a) || !isfinite(b)) {
        if (a == b || t == 0) return a;
        if (a == -INFINITY && b == INFINITY) return NAN;
        return a == -INFINITY ? a : b;
    }
    double d = b - a;
    if (isinf(d)) return (1 - t) * a + t * b; /* b - a overflowed (numpy says inf): -1e308 and 1e308 */
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* Where quantile q lies among n sorted draws: order statistic lo, and the weight t of lo+1.
 * Past the last index both neighbours are the last draw (numpy's _get_indexes). */
typedef struct QPos {
    size_t lo, hi;
    double t;
} QPos;

static QPos qpos(double q, size_t n) {
    double h = (double)(n - 1) * q;
    if (h >= (double)(n - 1)) return (QPos){n - 1, n - 1, 0};
    double f = floor(h);
    return (QPos){(size_t)f, (size_t)f + 1, h - f};
}

static double quantile_of_sorted(const double *x, size_t n, double q) {
    QPos p = qpos(q, n);
    return lerp_numpy(x[p.lo], x[p.hi], p.t);
}

double smp_quantile_sorted(const double *x, size_t n, double q) { return quantile_of_sorted(x, n, q); }

/* Small n: copy, sort, read off. */
static void quantiles_by_sort(const double *x, size_t n, const double *q, int k, double *out) {
    double *c = smp_xmalloc(n * sizeof *c);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) break;
        c[m++] = x[i];
    }
    if (m < n) {
        for (int j = 0; j < k; j++) out[j] = NAN; /* numpy: any NaN draw makes every quantile NaN */
    } else {
        sort_doubles(c, n);
        for (int j = 0; j < k; j++) out[j] = quantile_of_sorted(c, n, q[j]);
    }
    free(c);
}

/* The draws of one quantile's bracket [a, b] and how many draws lie below it. */
typedef struct Bracket {
    double a, b;
    size_t below;
    double *buf;
    size_t len, cap;
    size_t limit;  /* streaming: more draws than this inside means a bad bracket (overflow) */
    bool overflow;
    bool in_arena; /* buf is part of its QStream's one allocation (not freed on its own) */
} Bracket;

static void bracket_reserve(Bracket *br, size_t need) {
    if (need <= br->cap) return;
    double *room = br->in_arena ? br->buf : NULL; /* outgrew its room: move to an allocation of its own */
    if (room) br->buf = NULL, br->in_arena = false;
    MEM_GROW_FROM(br->buf, br->cap, need, need > 4096 ? need : 4096);
    if (room) memcpy(br->buf, room, br->len * sizeof(double));
}

static void bracket_free(Bracket *br) {
    if (!br->in_arena) free(br->buf);
}

/* The scan only compares, counts whole numbers and copies, so wider vectors cannot change a
 * result: build it also for AVX2 and AVX-512 machines (gcc picks one at load time). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SCAN_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define SCAN_CLONES
#endif

#define SCAN_CHUNK 1024 /* draws per chunk: the chunk and its flags stay in L1 */
#define SCAN_GROUP 4    /* brackets per vector loop */

/* Scans x[0..n) once for all k brackets, chunk by chunk. One loop that vectorizes takes up to
 * SCAN_GROUP brackets at once: it counts NaN draws and the draws below each bracket, and flags the
 * draws inside any of them (a <= v <= b: NaN is inside none, both zeros lie inside a bracket that
 * reaches 0 from either side). The few flagged draws are then gathered, skipping runs of eight
 * unflagged ones with one test, and appended to the brackets that hold them without a branch.
 * (Per-draw branches would be coin flips near a median.) Returns the number of NaN draws. */
SCAN_CLONES static size_t scan_brackets_portable(const double *x, size_t n, Bracket *br, int k) {
    size_t nan = 0;
    double flag[SCAN_CHUNK];
    int idx[SCAN_CHUNK];
    for (size_t c0 = 0; c0 < n; c0 += SCAN_CHUNK) {
        const double *restrict v = x + c0;
        size_t len = n - c0 < SCAN_CHUNK ? n - c0 : SCAN_CHUNK;
        bool collect = false;
        for (int j0 = 0; j0 < k; j0 += SCAN_GROUP) {
            /* unused lanes and overflowed brackets flag nothing ([+inf, -inf] holds no draw) */
            double a[SCAN_GROUP], fa[SCAN_GROUP], fb[SCAN_GROUP];
            for (int g = 0; g < SCAN_GROUP; g++) {
                int j = j0 + g;
                bool live = j < k && !br[j].overflow;
                a[g] = j < k ? br[j].a : INFINITY;
                fa[g] = live ? br[j].a : INFINITY;
                fb[g] = live ? br[j].b : -INFINITY;
                collect |= live;
            }
            double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
            double fa0 = fa[0], fa1 = fa[1], fa2 = fa[2], fa3 = fa[3];
            double fb0 = fb[0], fb1 = fb[1], fb2 = fb[2], fb3 = fb[3];
            /* all in doubles (counts <= SCAN_CHUNK are exact): gcc -O2 vectorizes only this form */
            double c0n = 0, c1 = 0, c2 = 0, c3 = 0, cn = 0;
            double *restrict f = flag;
            bool first = j0 == 0;
#pragma omp simd reduction(+ : c0n, c1, c2, c3, cn)
            for (size_t i = 0; i < len; i++) {
                double w = v[i];
                c0n += w < a0 ? 1.0 : 0.0;
                c1 += w < a1 ? 1.0 : 0.0;
                c2 += w < a2 ? 1.0 : 0.0;
                c3 += w < a3 ? 1.0 : 0.0;
                cn += w != w ? 1.0 : 0.0;
                double in0 = w >= fa0 ? 1.0 : 0.0, in1 = w >= fa1 ? 1.0 : 0.0;
                double in2 = w >= fa2 ? 1.0 : 0.0, in3 = w >= fa3 ? 1.0 : 0.0;
                in0 = w <= fb0 ? in0 : 0.0, in1 = w <= fb1 ? in1 : 0.0;
                in2 = w <= fb2 ? in2 : 0.0, in3 = w <= fb3 ? in3 : 0.0;
                double in = (in0 + in1) + (in2 + in3); /* brackets may overlap: any nonzero flags */
                f[i] = first ? in : f[i] + in;
            }
            double cnt[SCAN_GROUP] = {c0n, c1, c2, c3};
            for (int g = 0; g < SCAN_GROUP && j0 + g < k; g++) br[j0 + g].below += (size_t)cnt[g];
            if (first) nan += (size_t)cn;
        }
        if (!collect) continue;
        size_t m = 0, i = 0;
        for (; i + 8 <= len; i += 8) {
            uint64_t any = 0;
            for (int g = 0; g < 8; g++) {
                uint64_t bits;
                memcpy(&bits, &flag[i + g], sizeof bits);
                any |= bits;
            }
            if (!any) continue;
            for (size_t g = i; g < i + 8; g++) {
                idx[m] = (int)g;
                m += flag[g] != 0;
            }
        }
        for (; i < len; i++) {
            idx[m] = (int)i;
            m += flag[i] != 0;
        }
        if (m == 0) continue;
        for (int j = 0; j < k; j++) {
            if (br[j].overflow) continue;
            double a = br[j].a, b = br[j].b;
            bracket_reserve(&br[j], br[j].len + m);
            double *buf = br[j].buf;
            size_t cnt = br[j].len;
            for (size_t q = 0; q < m; q++) {
                double w = v[idx[q]];
                buf[cnt] = w;
                cnt += (w >= a) & (w <= b);
            }
            if (cnt > br[j].limit) { /* a bad bracket: stop collecting */
                br[j].overflow = true;
                continue;
            }
            br[j].len = cnt;
        }
    }
    return nan;
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#define HAVE_SCAN_AVX512 1
#define AVX512_TARGET __attribute__((target("avx512f,avx512dq,popcnt")))
#define SCAN_VECS (SCAN_CHUNK / 8)

/* The lanes of vector i of a chunk of len draws that hold a draw. */
AVX512_TARGET static inline __mmask8 scan_live(size_t len, size_t i) {
    size_t left = len - 8 * i;
    return left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);
}

/* Pass 1 of a chunk for G brackets (G <= 4, a constant where inlined): per bracket, the draws
 * below it are counted in vector lanes (no mask moves), and flags[i] is nonzero if a lane of vector
 * i lies inside a bracket (ORed with earlier groups' unless first; it may also be for a lane that
 * pass 2 then finds in none). With count_nan, also the NaN draws. */
AVX512_TARGET __attribute__((always_inline)) static inline size_t
scan_pass1(const double *v, size_t len, Bracket *br, int G, bool in_order, uint8_t *flags, bool first,
           bool count_nan) {
    /* four brackets in named registers (gcc keeps an array of vectors in memory); lanes past G are
     * never used, as G and in_order are constants where this is inlined */
    const __m512i one = _mm512_set1_epi64(1);
    const __m512d none = _mm512_set1_pd(-INFINITY);
    __m512i b0 = _mm512_setzero_si512(), b1 = b0, b2 = b0, b3 = b0, nan = b0;
#define SCAN_ENDS(g) \
    __m512d a##g = _mm512_set1_pd(G > g ? br[g].a : 0); \
    /* an overflowed bracket flags nothing: no draw is <= -inf but -inf, and pass 2 skips it */ \
    __m512d f##g = _mm512_set1_pd(G > g && (in_order || !br[g].overflow) ? br[g].b : -INFINITY);
    SCAN_ENDS(0) SCAN_ENDS(1) SCAN_ENDS(2) SCAN_ENDS(3)
#undef SCAN_ENDS
    size_t nv = (len + 7) / 8;
    for (size_t i = 0; i < nv; i++) {
        __mmask8 live = scan_live(len, i);
        __m512d w = _mm512_maskz_loadu_pd(live, v + 8 * i);
        __mmask8 any = 0, lt0 = 0, lt1 = 0, lt2 = 0, lt3 = 0;
#define SCAN_BELOW(g) \
        if (G > g) { \
            lt##g = _mm512_mask_cmp_pd_mask(live, w, a##g, _CMP_LT_OQ); \
            b##g = _mm512_mask_add_epi64(b##g, lt##g, b##g, one); \
        }
        SCAN_BELOW(0) SCAN_BELOW(1) SCAN_BELOW(2) SCAN_BELOW(3)
#undef SCAN_BELOW
        if (in_order) {
            /* Both ends ascend: a draw lies in some bracket iff it is <= the upper end of the last
             * bracket whose lower end it reaches. That end is picked per lane from the `below`
             * masks (nested), so one comparison flags all brackets, and no mask logic is needed
             * (slow on some machines). A -inf draw below every bracket is flagged for nothing:
             * pass 2 checks each bracket. */
            __m512d upper = G == 1 ? f0 : G == 2 ? f1 : G == 3 ? f2 : f3;
            if (G > 3) upper = _mm512_mask_mov_pd(upper, lt3, f2);
            if (G > 2) upper = _mm512_mask_mov_pd(upper, lt2, f1);
            if (G > 1) upper = _mm512_mask_mov_pd(upper, lt1, f0);
            upper = _mm512_mask_mov_pd(upper, lt0, none);
            any = _mm512_mask_cmp_pd_mask(live, w, upper, _CMP_LE_OQ);
        } else {
#define SCAN_IN(g) \
            if (G > g) \
                any = _kor_mask8(any, _kandn_mask8(lt##g, _mm512_mask_cmp_pd_mask(live, w, f##g, _CMP_LE_OQ)));
            SCAN_IN(0) SCAN_IN(1) SCAN_IN(2) SCAN_IN(3) /* a <= w <= b: NaN is in none */
#undef SCAN_IN
        }
        if (count_nan) nan = _mm512_mask_add_epi64(nan, _mm512_mask_cmp_pd_mask(live, w, w, _CMP_UNORD_Q), nan, one);
        flags[i] = first ? (uint8_t)_cvtmask8_u32(any) : (uint8_t)(flags[i] | _cvtmask8_u32(any));
    }
    __m512i below[4] = {b0, b1, b2, b3};
    for (int g = 0; g < G; g++) br[g].below += (size_t)_mm512_reduce_add_epi64(below[g]);
    return count_nan ? (size_t)_mm512_reduce_add_epi64(nan) : 0;
}

/* Whether the G brackets' lower ends ascend and their upper ends too (quantiles asked in order,
 * as they usually are): then scan_pass1 flags them with one comparison. */
static bool ends_in_order(const Bracket *br, int G) {
    for (int g = 1; g < G; g++)
        if (!(br[g - 1].a <= br[g].a && br[g - 1].b <= br[g].b)) return false;
    return true;
}

/* scan_brackets for AVX-512 machines, in two passes per chunk. Pass 1 takes up to four brackets
 * per loop: it counts, and flags the vectors holding a draw inside a bracket (a few percent of the
 * draws lie inside one). Pass 2 visits only the flagged vectors, listed without a branch, and packs
 * each bracket's draws together with a compress (register form: its memory form is slow on AMD)
 * stored at the bracket's end. The same counts and the same draws in the same order as
 * scan_brackets_portable. */
AVX512_TARGET static size_t scan_brackets_avx512(const double *x, size_t n, Bracket *br, int k) {
    size_t nan = 0;
    uint8_t flags[SCAN_VECS];
    uint16_t vec[SCAN_VECS];
    for (size_t c0 = 0; c0 < n; c0 += SCAN_CHUNK) {
        const double *v = x + c0;
        size_t len = n - c0 < SCAN_CHUNK ? n - c0 : SCAN_CHUNK;
        if (k == 0) {
            for (size_t i = 0; i < len; i++) nan += v[i] != v[i];
            continue;
        }
        for (int j0 = 0; j0 < k; j0 += 4) {
            bool first = j0 == 0;
            int G = k - j0 < 4 ? k - j0 : 4;
            if (ends_in_order(br + j0, G)) {
                switch (G) {
                case 1: nan += scan_pass1(v, len, br + j0, 1, true, flags, first, first); break;
                case 2: nan += scan_pass1(v, len, br + j0, 2, true, flags, first, first); break;
                case 3: nan += scan_pass1(v, len, br + j0, 3, true, flags, first, first); break;
                default: nan += scan_pass1(v, len, br + j0, 4, true, flags, first, first); break;
                }
            } else { /* G >= 2: one bracket is always in order */
                switch (G) {
                case 2: nan += scan_pass1(v, len, br + j0, 2, false, flags, first, first); break;
                case 3: nan += scan_pass1(v, len, br + j0, 3, false, flags, first, first); break;
                default: nan += scan_pass1(v, len, br + j0, 4, false, flags, first, first); break;
                }
            }
        }
        size_t nv = (len + 7) / 8, m = 0;
        for (size_t i = 0; i < nv; i++) {
            vec[m] = (uint16_t)i;
            m += flags[i] != 0;
        }
        if (m == 0) continue;
        for (int j = 0; j < k; j++) {
            Bracket *b = &br[j];
            if (b->overflow) continue;
            __m512d a = _mm512_set1_pd(b->a), hi = _mm512_set1_pd(b->b);
            bracket_reserve(b, b->len + 8 * m); /* a full vector is stored at the end */
            double *buf = b->buf;
            size_t cnt = b->len;
            for (size_t q = 0; q < m; q++) {
                size_t i = vec[q];
                __mmask8 live = scan_live(len, i);
                __m512d w = _mm512_maskz_loadu_pd(live, v + 8 * i);
                __mmask8 in = _mm512_mask_cmp_pd_mask(_mm512_mask_cmp_pd_mask(live, w, a, _CMP_GE_OQ), w, hi, _CMP_LE_OQ);
                _mm512_storeu_pd(buf + cnt, _mm512_maskz_compress_pd(in, w));
                cnt += (size_t)__builtin_popcount(_cvtmask8_u32(in));
            }
            if (cnt > b->limit) b->overflow = true; /* a bad bracket: stop collecting */
            else b->len = cnt;
        }
    }
    return nan;
}
#endif

static size_t scan_brackets(const double *x, size_t n, Bracket *br, int k) {
#ifdef HAVE_SCAN_AVX512
    if (smp_cpu_features() & SMP_CPU_AVX512) return scan_brackets_avx512(x, n, br, k);
#endif
    return scan_brackets_portable(x, n, br, k);
}

/* The draws below quantile j's bracket and inside it, over the threads' parts (k brackets each). */
static void bracket_totals(const Bracket *br, int threads, int k, int j, size_t *below, size_t *len) {
    *below = 0, *len = 0;
    for (int t = 0; t < threads; t++) {
        *below += br[(size_t)t * (size_t)k + (size_t)j].below;
        *len += br[(size_t)t * (size_t)k + (size_t)j].len;
    }
}

/* Order statistics r and, with need_hi, r+1 (0-based) of one quantile's bracket draws, all within
 * [lo, hi] and none NaN, held in the parts br[0], br[stride], .. br[(parts-1)*stride] (one per
 * thread that scanned; read, never merged: copying them costs more than selecting). Large brackets
 * are bucketed first: bucket(v) = (v - lo) * scale rounds monotonically, so a draw in a lower
 * bucket is never greater than one in a higher bucket; only the bucket holding rank r is then
 * selected in (and the next nonempty one read for r+1). Exact, and about three passes instead of
 * quickselect's many. Small or unbounded brackets are gathered and selected in. */
/* The draws of a bracket's parts br[0], br[stride], .. (n in all) copied into one new array. */
static double *gather_parts(const Bracket *br, int parts, size_t stride, size_t n) {
    double *a = smp_xmalloc((n ? n : 1) * sizeof *a);
    size_t m = 0;
    for (int t = 0; t < parts; t++) {
        const Bracket *b = &br[(size_t)t * stride];
        if (b->len) memcpy(a + m, b->buf, b->len * sizeof *a);
        m += b->len;
    }
    return a;
}

static inline size_t bucket_of(double v, double lo, double scale, size_t nbk) {
    size_t k = (size_t)((v - lo) * scale);
    return k < nbk ? k : nbk - 1;
}

static void bracket_select(const Bracket *br, int parts, size_t stride, size_t r, bool need_hi, double *vlo,
                           double *vhi) {
    double lo = br[0].a, hi = br[0].b;
    size_t n = 0;
    for (int t = 0; t < parts; t++) n += br[(size_t)t * stride].len;
    size_t nbk = n / 64;
    if (nbk < 64 || !(hi > lo) || !isfinite(lo) || !isfinite(hi) || !isfinite((hi - lo) * (double)nbk)) {
        double *a = gather_parts(br, parts, stride, n);
        select_kth(a, n, r);
        *vlo = a[r];
        *vhi = need_hi ? min_from(a, r + 1, n) : *vlo;
        free(a);
        return;
    }
    double scale = (double)nbk / (hi - lo);
    size_t *count = smp_xcalloc(nbk, sizeof *count);
    for (int t = 0; t < parts; t++) {
        const Bracket *b = &br[(size_t)t * stride];
        for (size_t i = 0; i < b->len; i++) count[bucket_of(b->buf[i], lo, scale, nbk)]++;
    }
    size_t below = 0, bk = 0;
    while (below + count[bk] <= r) below += count[bk++];
    double *in = smp_xmalloc((count[bk] + 1) * sizeof *in); /* +1: every draw is written, then kept or not */
    size_t m = 0;
    for (int t = 0; t < parts; t++) {
        const Bracket *b = &br[(size_t)t * stride];
        for (size_t i = 0; i < b->len; i++) { /* no branch: which draws are kept is random */
            in[m] = b->buf[i];
            m += bucket_of(b->buf[i], lo, scale, nbk) == bk;
        }
    }
    size_t rr = r - below;
    select_kth(in, m, rr);
    *vlo = in[rr];
    if (!need_hi) {
        *vhi = *vlo;
    } else if (rr + 1 < m) {
        *vhi = min_from(in, rr + 1, m);
    } else { /* rank r+1 is the least draw of a higher bucket (rare): one more pass */
        double above = INFINITY;
        for (int t = 0; t < parts; t++) {
            const Bracket *b = &br[(size_t)t * stride];
            for (size_t i = 0; i < b->len; i++)
                if (bucket_of(b->buf[i], lo, scale, nbk) > bk && b->buf[i] < above) above = b->buf[i];
        }
        *vhi = above;
    }
    free(in);
    free(count);
}

/* Order statistics lo and hi (hi is lo or lo+1) of x by exact selection on a full copy. */
static void select_full(const double *x, size_t n, QPos p, double *vlo, double *vhi) {
    double *c = smp_xmalloc(n * sizeof *c);
    memcpy(c, x, n * sizeof *c);
    select_kth(c, n, p.lo);
    *vlo = c[p.lo];
    *vhi = p.hi == p.lo ? *vlo : min_from(c, p.lo + 1, n);
    free(c);
}

static void brackets_from_pilot(double *sub, size_t m, const double *q, int k, Bracket *br, double margin_sd);

/* Brackets around each quantile from a sorted, stratified subsample of m draws; returns false
 * (and NaN results) if the subsample already shows a NaN. */
static bool place_brackets(const double *x, size_t n, const double *q, int k, Bracket *br, double margin_sd) {
    size_t m = SUBSAMPLE;
    double *sub = smp_xmalloc(m * sizeof *sub);
    for (size_t i = 0; i < m; i++) {
        /* one draw from each of m equal strata, at a hashed offset so that periodic data
         * (every other draw infinite, say) cannot fool a fixed stride */
        size_t start = (size_t)((uint64_t)i * n / m), end = (size_t)((uint64_t)(i + 1) * n / m);
        sub[i] = x[start + (size_t)(rng_mix_a(i) % (end - start))];
        if (isnan(sub[i])) {
            free(sub);
            return false;
        }
    }
    brackets_from_pilot(sub, m, q, k, br, margin_sd);
    free(sub);
    return true;
}

static int cmp_size(const void *pa, const void *pb) {
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

/* Rearranges a[lo..hi) (no NaN) so that a[r] is the r-th smallest for every rank r in
 * ranks[0..nr) (ascending, within [lo, hi)): quickselect that splits the ranks along with the
 * range, O(n log nr) instead of a sort's O(n log n). */
static void multiselect(double *a, size_t lo, size_t hi, const size_t *ranks, size_t nr, int limit) {
    while (nr > 0 && hi - lo > 16) {
        if (nr == 1) {
            select_kth(a + lo, hi - lo, ranks[0] - lo);
            return;
        }
        if (--limit < 0) { /* the pivots keep being poor: sort what is left */
            sort_doubles(a + lo, hi - lo);
            return;
        }
        size_t lt, gt;
        partition3(a, lo, hi, &lt, &gt);
        size_t below = 0, inside = 0; /* ranks in [lo, lt), [lt, gt) (already placed), [gt, hi) */
        while (below < nr && ranks[below] < lt) below++;
        inside = below;
        while (inside < nr && ranks[inside] < gt) inside++;
        multiselect(a, lo, lt, ranks, below, limit);
        ranks += inside;
        nr -= inside;
        lo = gt;
    }
    if (nr > 0) insertion_sort(a, lo, hi); /* the last small range */
}

/* Brackets from the pilot's order statistics at each quantile's rank -+ the margin. Only those
 * 2k ranks are selected (the same values a full sort would put there). */
/* The rank of each bracket end in bucket terms: a is the least draw of the bucket holding rank
 * ia, b the greatest of the bucket holding rank ib, so [a, b] holds the pilot's order statistics
 * ia..ib (and at most a bucket's draws more on each side). A bracket only needs to hold the rank
 * it is for: it may be a little wide, and no selection is needed. False when the pilot's range is
 * not finite (then select exactly). */
static bool brackets_by_buckets(const double *sub, size_t m, const double *ia, const double *ib, int k,
                                Bracket *br) {
    size_t nbk = m / 16;
    double lo = INFINITY, hi = -INFINITY;
#pragma omp simd reduction(min : lo) reduction(max : hi)
    for (size_t i = 0; i < m; i++) {
        lo = sub[i] < lo ? sub[i] : lo;
        hi = sub[i] > hi ? sub[i] : hi;
    }
    if (nbk < 64 || !isfinite(lo) || !isfinite(hi) || !(hi > lo) || !isfinite((hi - lo) * (double)nbk))
        return false;
    double scale = (double)nbk / (hi - lo);
    size_t *count = smp_xcalloc(nbk, sizeof *count);
    double *bmin = smp_xmalloc(2 * nbk * sizeof *bmin), *bmax = bmin + nbk;
    for (size_t b = 0; b < nbk; b++) bmin[b] = INFINITY, bmax[b] = -INFINITY;
    for (size_t i = 0; i < m; i++) {
        double v = sub[i];
        size_t b = (size_t)((v - lo) * scale);
        b = b < nbk ? b : nbk - 1;
        count[b]++;
        bmin[b] = v < bmin[b] ? v : bmin[b];
        bmax[b] = v > bmax[b] ? v : bmax[b];
    }
    for (int j = 0; j < k; j++) {
        size_t rank[2] = {ia[j] > 0 ? (size_t)ia[j] : 0, ib[j] < (double)(m - 1) ? (size_t)ib[j] : m - 1};
        double end[2];
        for (int e = 0; e < 2; e++) {
            size_t below = 0, b = 0;
            while (below + count[b] <= rank[e]) below += count[b++];
            end[e] = e == 0 ? bmin[b] : bmax[b];
        }
        br[j].a = ia[j] <= 0 ? -INFINITY : end[0];
        br[j].b = ib[j] >= (double)(m - 1) ? INFINITY : end[1];
        br[j].limit = SIZE_MAX;
    }
    free(bmin);
    free(count);
    return true;
}

static void brackets_from_pilot(double *sub, size_t m, const double *q, int k, Bracket *br, double margin_sd) {
    size_t *ranks = smp_xmalloc(2 * (size_t)k * sizeof *ranks), nr = 0;
    double *ia = smp_xmalloc(2 * (size_t)k * sizeof *ia), *ib = ia + k;
    for (int j = 0; j < k; j++) {
        double pos = q[j] * (double)(m - 1);
        double margin = smp_bracket_margin(margin_sd, m, q[j]);
        ia[j] = floor(pos - margin), ib[j] = ceil(pos + margin);
        if (ia[j] > 0) ranks[nr++] = (size_t)ia[j];
        if (ib[j] < (double)(m - 1)) ranks[nr++] = (size_t)ib[j];
    }
    if (!brackets_by_buckets(sub, m, ia, ib, k, br)) {
        qsort(ranks, nr, sizeof *ranks, cmp_size);
        size_t distinct = 0;
        for (size_t i = 0; i < nr; i++)
            if (!distinct || ranks[distinct - 1] != ranks[i]) ranks[distinct++] = ranks[i];
        int limit = 16;
        for (size_t len = m; len > 1; len /= 2) limit += 2;
        multiselect(sub, 0, m, ranks, distinct, limit);
        for (int j = 0; j < k; j++) {
            br[j].a = ia[j] <= 0 ? -INFINITY : sub[(size_t)ia[j]];
            br[j].b = ib[j] >= (double)(m - 1) ? INFINITY : sub[(size_t)ib[j]];
            br[j].limit = SIZE_MAX;
        }
    }
    free(ia);
    free(ranks);
}

/* Large n: a sorted subsample brackets each quantile; one pass (split over threads, each with
 * its own counts and buffers, merged after) counts the draws below every bracket and keeps those
 * inside; selection inside the small bracket buffer is exact. The merged buffers hold the same
 * multiset for any thread count, so the order statistics are too. */
static void quantiles_by_bracket(const double *x, size_t n, const double *q, int k, double *out,
                                 int threads, double margin_sd) {
    Bracket *proto = smp_xcalloc((size_t)k, sizeof *proto);
    if (!place_brackets(x, n, q, k, proto, margin_sd)) {
        for (int j = 0; j < k; j++) out[j] = NAN; /* numpy: any NaN draw makes every quantile NaN */
        free(proto);
        return;
    }
    if (threads < 1) threads = 1;
    Bracket *br = smp_xcalloc((size_t)threads * (size_t)k, sizeof *br);
    size_t *nans = smp_xcalloc((size_t)threads, sizeof *nans);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int t = 0; t < threads; t++) {
        Bracket *mine = br + (size_t)t * (size_t)k;
        for (int j = 0; j < k; j++) mine[j] = (Bracket){proto[j].a, proto[j].b, 0, NULL, 0, 0, SIZE_MAX, false, false};
        size_t lo = n / (size_t)threads * (size_t)t, hi = t == threads - 1 ? n : n / (size_t)threads * (size_t)(t + 1);
        nans[t] = scan_brackets(x + lo, hi - lo, mine, k);
    }
    size_t nan = 0;
    for (int t = 0; t < threads; t++) nan += nans[t];
    for (int j = 0; j < k; j++) {
        size_t below, len;
        bracket_totals(br, threads, k, j, &below, &len);
        QPos p = qpos(q[j], n);
        double vlo, vhi;
        if (nan) {
            out[j] = NAN;
        } else if (p.lo >= below && p.hi < below + len) {
            bracket_select(&br[j], threads, (size_t)k, p.lo - below, p.hi != p.lo, &vlo, &vhi);
            out[j] = lerp_numpy(vlo, vhi, p.t);
        } else { /* the subsample misjudged the rank (rare): exact but slower */
            select_full(x, n, p, &vlo, &vhi);
            out[j] = lerp_numpy(vlo, vhi, p.t);
        }
    }
    for (size_t i = 0; i < (size_t)threads * (size_t)k; i++) bracket_free(&br[i]);
    free(nans);
    free(br);
    free(proto);
}

bool smp_qcache_get(const Samples *s, double q, double *v) {
    for (int j = 0; j < s->nq; j++)
        if (s->qkey[j] == q) {
            *v = s->qval[j];
            return true;
        }
    return false;
}

void smp_qcache_put(Samples *s, double q, double v) {
    int j = s->nq < SMP_QCACHE ? s->nq++ : s->q_next;
    if (s->nq == SMP_QCACHE) s->q_next = (j + 1) % SMP_QCACHE;
    s->qkey[j] = q;
    s->qval[j] = v;
}

/* ---- streaming: order statistics of a node that is never stored ---- */

/* True if every draw of s comes from a recipe (no smp_from_array array below it): then the
 * draws are exchangeable and a few blocks are a fair pilot. */
static bool exchangeable(Samples *root) {
    size_t cap = 64, depth = 0;
    Samples **stack = smp_xmalloc(cap * sizeof *stack);
    bool ok = true;
    stack[depth++] = root;
    while (depth && ok) { /* a DAG: shared nodes may be visited more than once; graphs are small */
        Samples *s = stack[--depth];
        if (s->kind == NK_ARRAY) ok = false;
        if (s->draws) continue;
        for (int k = 0; k < s->nops; k++)
            if (s->ops[k].node) {
                MEM_GROW(stack, cap, depth + 1);
                stack[depth++] = s->ops[k].node;
            }
        if (depth > 4096) ok = false; /* an unusually deep graph: not worth the walk */
    }
    free(stack);
    return ok;
}

/* The pilot of a streaming quantile: 8 blocks (32K draws), more for longer runs (up to 32 blocks,
 * from 10M draws on), since a bracket's share of the draws shrinks as 1/sqrt(pilot draws) and
 * every draw inside a bracket is copied and selected among. */
#define PILOT_MIN_BLOCKS 8

size_t smp_pilot_blocks(size_t n, size_t *sel) {
    size_t nb = smp_nblocks(n), count = nb / 64;
    count = count < PILOT_MIN_BLOCKS ? PILOT_MIN_BLOCKS : count > SMP_PILOT_MAX_BLOCKS ? SMP_PILOT_MAX_BLOCKS : count;
    if (count > nb) count = nb;
    for (size_t j = 0; j < count; j++) sel[j] = j * nb / count;
    return count;
}

size_t smp_pilot_draws(size_t n) {
    size_t nb = smp_nblocks(n), sel[SMP_PILOT_MAX_BLOCKS];
    size_t count = smp_pilot_blocks(n, sel);
    return (count - 1) * SMP_BLOCK + (sel[count - 1] == nb - 1 ? n - (nb - 1) * SMP_BLOCK : SMP_BLOCK);
}

bool smp_qstream_init(QStream *qs, double *pilot, size_t m, const double *q, int k, size_t n, int threads,
                      double margin_sd) {
    memset(qs, 0, sizeof *qs);
    for (size_t i = 0; i < m; i++)
        if (isnan(pilot[i])) return false; /* numpy: any NaN draw makes every quantile NaN */
    Bracket *proto = smp_xcalloc((size_t)k, sizeof *proto);
    brackets_from_pilot(pilot, m, q, k, proto, margin_sd);
    qs->k = k;
    qs->margin_sd = margin_sd;
    qs->n = n;
    qs->threads = threads < 1 ? 1 : threads;
    qs->q = smp_xmalloc((size_t)k * sizeof *qs->q);
    memcpy(qs->q, q, (size_t)k * sizeof *q);
    qs->br = smp_xcalloc((size_t)qs->threads * (size_t)k, sizeof(Bracket));
    qs->nans = smp_xcalloc(2 * (size_t)qs->threads, sizeof *qs->nans);
    qs->seen = qs->nans + qs->threads; /* one allocation */
    Bracket *br = qs->br;
    /* Room for what each bracket should get (any thread may scan most blocks): growing by realloc
     * would copy into fresh pages, and pages never written cost nothing. All of it in one
     * allocation: each free() of a block this size is an munmap, which at two threads must also
     * flush the other vCPU's TLB; threads x k of them per node took 4.5-5.7 ms of CPU at two
     * threads (1.9 ms at one) in the timeline at 10M draws. */
    size_t total = 0;
    for (int t = 0; t < qs->threads; t++)
        for (int j = 0; j < k; j++) {
            /* a bracket holds ~2*margin/m of the draws; 4x that (and 64K) means the pilot lied */
            double share = smp_bracket_share(margin_sd, m, q[j]);
            size_t limit = (size_t)(4 * share * (double)n) + 65536;
            size_t room = ((size_t)(1.25 * share * (double)n) + 4096 + 7) & ~(size_t)7; /* 64-byte multiples */
            Bracket *b = &br[(size_t)t * (size_t)k + (size_t)j];
            *b = (Bracket){proto[j].a, proto[j].b, 0, NULL, 0, room, limit, false, true};
            total += room;
        }
    qs->arena = smp_xmalloc(total * sizeof(double));
    double *next = qs->arena;
    for (size_t i = 0; i < (size_t)qs->threads * (size_t)k; i++) br[i].buf = next, next += br[i].cap;
    free(proto);
    return true;
}

void smp_qstream_scan(QStream *qs, int thread, const double *x, size_t len) {
    qs->nans[thread] += scan_brackets(x, len, (Bracket *)qs->br + (size_t)thread * (size_t)qs->k, qs->k);
    qs->seen[thread] += len;
}

#define STAGE_MIN_BLOCKS 100 /* below this many blocks the brackets are small anyway */

bool smp_stage_blocks(size_t n, size_t **first, size_t *na, size_t **rest, size_t *nrest) {
    size_t nb = smp_nblocks(n);
    if (nb < STAGE_MIN_BLOCKS) return false;
    size_t *sel = smp_xmalloc(nb * sizeof *sel);
    *na = 0, *nrest = 0;
    for (size_t b = SMP_STAGE_EVERY / 2; b < nb; b += SMP_STAGE_EVERY) sel[(*na)++] = b;
    for (size_t b = 0; b < nb; b++)
        if (b % SMP_STAGE_EVERY != SMP_STAGE_EVERY / 2) sel[*na + (*nrest)++] = b;
    *first = sel;
    *rest = sel + *na;
    return true;
}

/* Quantile j of qs narrowed (see smp_qstream_narrow). */
static void narrow_one(QStream *qs, int j, size_t seen) {
    Bracket *br = qs->br;
    int threads = qs->threads, k = qs->k;
    size_t below, len;
    for (int t = 0; t < threads; t++)
        if (br[(size_t)t * (size_t)k + (size_t)j].overflow) return;
    bracket_totals(br, threads, k, j, &below, &len);
    /* the ranks, among the draws seen, that the new ends should hold between them: the quantile's
     * rank -+ the margin, now for `seen` draws */
    double q = qs->q[j], pos = q * (double)(seen - 1);
    double margin = smp_bracket_margin(qs->margin_sd, seen, q);
    double ra = floor(pos - margin), rb = ceil(pos + margin);
    bool lower = ra >= (double)below && ra < (double)(below + len); /* else keep that end */
    bool upper = rb >= (double)below && rb < (double)(below + len);
    if (!lower && !upper) return;
    double *all = gather_parts(&br[j], threads, (size_t)k, len);
    size_t m = len;
    double a = br[j].a, z = br[j].b;
    if (lower) {
        select_kth(all, m, (size_t)ra - below);
        a = all[(size_t)ra - below];
    }
    if (upper) {
        select_kth(all, m, (size_t)rb - below);
        z = all[(size_t)rb - below];
    }
    free(all);
    double share = 2 * (margin + 1) / (double)seen;
    size_t limit = (size_t)(4 * share * (double)qs->n) + 65536;
    for (int t = 0; t < threads; t++) { /* keep a <= v <= z; what falls below a counts as below */
        Bracket *b = &br[(size_t)t * (size_t)k + (size_t)j];
        size_t kept = 0, under = 0;
        for (size_t i = 0; i < b->len; i++) {
            double v = b->buf[i];
            b->buf[kept] = v;
            kept += (v >= a) & (v <= z);
            under += v < a;
        }
        b->a = a, b->b = z;
        b->below += under;
        b->len = kept;
        b->limit = limit > b->limit ? b->limit : limit;
    }
}

void smp_qstream_narrow(QStream *qs) {
    size_t seen = 0, nan = 0;
    for (int t = 0; t < qs->threads; t++) seen += qs->seen[t], nan += qs->nans[t];
    if (nan || seen < 2) return; /* every quantile is NaN anyway, or nothing to go by */
    for (int j = 0; j < qs->k; j++) narrow_one(qs, j, seen);
}

bool smp_qstream_finish(QStream *qs, double *out) {
    Bracket *br = qs->br;
    int threads = qs->threads, k = qs->k;
    size_t nan = 0;
    for (int t = 0; t < threads; t++) nan += qs->nans[t];
    bool overflow = false;
    for (size_t i = 0; i < (size_t)threads * (size_t)k; i++) overflow |= br[i].overflow;
    /* Each quantile's selection is independent of the others: one per thread. */
    int ok = 1;
#pragma omp parallel for schedule(dynamic) num_threads(threads) reduction(& : ok)
    for (int j = 0; j < k; j++) {
        size_t below, len;
        bracket_totals(br, threads, k, j, &below, &len);
        QPos p = qpos(qs->q[j], qs->n);
        if (nan) {
            out[j] = NAN;
        } else if (!overflow && p.lo >= below && p.hi < below + len) {
            double vlo, vhi;
            bracket_select(&br[j], threads, (size_t)k, p.lo - below, p.hi != p.lo, &vlo, &vhi);
            out[j] = lerp_numpy(vlo, vhi, p.t);
        } else {
            ok = 0;
        }
    }
    return ok;
}

#ifdef SQC_MPI
void smp_qstream_gather(QStream *qs, const SampleCtx *ctx) {
    Bracket *br = qs->br;
    int threads = qs->threads, k = qs->k;
    /* counts: per quantile the draws below and whether a part overflowed; then NaN and seen */
    uint64_t *cnt = smp_xcalloc(2 * (size_t)k + 2, sizeof *cnt);
    size_t mine = 0;
    for (int t = 0; t < threads; t++) {
        for (int j = 0; j < k; j++) {
            Bracket *b = &br[(size_t)t * (size_t)k + (size_t)j];
            cnt[2 * j] += b->below;
            cnt[2 * j + 1] += b->overflow;
            mine += b->overflow ? 0 : b->len;
        }
        cnt[2 * k] += qs->nans[t];
        cnt[2 * k + 1] += qs->seen[t];
    }
    smp_dist_sum(cnt, 2 * (size_t)k + 2);
    /* candidates: this process's, quantile by quantile, then every process's in rank order */
    double *local = smp_xmalloc((mine ? mine : 1) * sizeof *local);
    uint64_t *lens = smp_xcalloc((size_t)k * (size_t)ctx->ranks, sizeof *lens); /* [rank][j] */
    size_t m = 0;
    for (int j = 0; j < k; j++) {
        for (int t = 0; t < threads; t++) {
            Bracket *b = &br[(size_t)t * (size_t)k + (size_t)j];
            if (b->overflow || !b->len) continue;
            memcpy(local + m, b->buf, b->len * sizeof *local);
            m += b->len;
            lens[(size_t)ctx->rank * (size_t)k + (size_t)j] += b->len;
        }
    }
    smp_dist_sum(lens, (size_t)k * (size_t)ctx->ranks); /* each process filled its own row */
    double *all;
    size_t total, *parts;
    smp_dist_concat(local, m, &all, &total, &parts);
    free(local);
    for (size_t i = 0; i < (size_t)threads * (size_t)k; i++) bracket_free(&br[i]);
    free(qs->arena);
    qs->arena = NULL;
    /* every quantile's candidates into thread 0's bracket; the other threads' are empty */
    for (int j = 0; j < k; j++) {
        size_t len = 0;
        for (int r = 0; r < ctx->ranks; r++) len += lens[(size_t)r * (size_t)k + (size_t)j];
        double *buf = smp_xmalloc((len ? len : 1) * sizeof *buf);
        size_t at = 0, from = 0;
        for (int r = 0; r < ctx->ranks; r++) {
            size_t off = from; /* rank r's part of `all` holds its quantiles in order */
            for (int i = 0; i < j; i++) off += lens[(size_t)r * (size_t)k + (size_t)i];
            size_t l = lens[(size_t)r * (size_t)k + (size_t)j];
            memcpy(buf + at, all + off, l * sizeof *buf);
            at += l;
            from += parts[r];
        }
        for (int t = 0; t < threads; t++) {
            Bracket *b = &br[(size_t)t * (size_t)k + (size_t)j];
            b->below = t ? 0 : cnt[2 * j];
            b->overflow = cnt[2 * j + 1] != 0;
            b->buf = t ? NULL : buf;
            b->len = t ? 0 : len;
            b->cap = b->len;
            b->in_arena = false;
        }
    }
    for (int t = 0; t < threads; t++) qs->nans[t] = t ? 0 : cnt[2 * k], qs->seen[t] = t ? 0 : cnt[2 * k + 1];
    free(all);
    free(parts);
    free(lens);
    free(cnt);
}

void smp_qstream_keep_on_first(QStream *qs, const SampleCtx *ctx) {
    if (ctx->rank == 0) return;
    Bracket *br = qs->br;
    for (size_t i = 0; i < (size_t)qs->threads * (size_t)qs->k; i++) br[i].below = 0, br[i].len = 0;
    for (int t = 0; t < qs->threads; t++) qs->nans[t] = 0, qs->seen[t] = 0;
}
#endif

void smp_qstream_free(QStream *qs) {
    if (qs->br)
        for (size_t i = 0; i < (size_t)qs->threads * (size_t)qs->k; i++) bracket_free((Bracket *)qs->br + i);
    free(qs->arena);
    free(qs->br);
    free(qs->nans);
    free(qs->q);
    memset(qs, 0, sizeof *qs);
}

typedef struct PilotArg {
    const size_t *sel;
    double *sub;
} PilotArg;

static void pilot_sink(void *arg, size_t b, const double *x, size_t len) {
    PilotArg *a = arg;
    int j = 0;
    while (a->sel[j] != b) j++;
    memcpy(a->sub + (size_t)j * SMP_BLOCK, x, len * sizeof *x);
}

typedef struct StreamArg {
    QStream *qs;
    BlockStats *bs; /* per block, or NULL */
} StreamArg;

static void stream_sink(void *arg, size_t b, const double *x, size_t len) {
    StreamArg *a = arg;
#ifdef _OPENMP
    int t = omp_get_thread_num();
#else
    int t = 0;
#endif
    smp_qstream_scan(a->qs, t, x, len);
    if (a->bs) smp_block_stats(&a->bs[b], x, len);
}

/* Quantiles of a node's draws in two streaming passes over its graph (a pilot of a few blocks
 * spread over the run, then one bracket pass), without an n-draw array; the bracket pass
 * also fills the node's mean/var/min/max. Returns 1 on success, 0 if a bracket missed (the caller
 * falls back to the stored array), -1 on an evaluation error in the main pass. */
static int quantiles_streaming(SampleCtx *ctx, Samples *s, const double *q, int k, double *out) {
    size_t n = ctx->n, nb = smp_nblocks(n);
    size_t sel[SMP_PILOT_MAX_BLOCKS];
    size_t nsel = smp_pilot_blocks(n, sel);
    double *sub = smp_xmalloc(nsel * SMP_BLOCK * sizeof *sub);
    PilotArg pa = {sel, sub};
    if (!smp_eval_spread(ctx, s, NULL, pilot_sink, &pa, sel, nsel)) {
        ctx->err.set = false; /* the full pass reports the lowest failing draw instead */
        free(sub);
        return 0;
    }
    if (smp_spread(ctx)) smp_dist_gather_draws(ctx, sub, sel, nsel);
    QStream qs;
    bool no_nan = smp_qstream_init(&qs, sub, smp_pilot_draws(n), q, k, n, ctx->threads, ctx->quantile_margin_sd);
    free(sub);
    if (!no_nan) {
        for (int j = 0; j < k; j++) out[j] = NAN;
        return 1;
    }
    StreamArg sa = {&qs, s->have_stats ? NULL : smp_xcalloc(nb, sizeof(BlockStats))};
    int ok = -1;
    if (smp_eval_spread(ctx, s, NULL, stream_sink, &sa, NULL, nb)) {
#ifdef SQC_MPI
        if (smp_spread(ctx)) {
            if (sa.bs) smp_dist_gather(ctx, sa.bs, sizeof *sa.bs, NULL, nb);
            smp_qstream_gather(&qs, ctx);
        }
#endif
        if (sa.bs) smp_stats_finish(s, sa.bs, n);
        ok = smp_qstream_finish(&qs, out) ? 1 : 0;
    }
    smp_qstream_free(&qs);
    free(sa.bs);
    return ok;
}

/* Every first request for a node's quantiles also computes these, so that the p5/p50/p95 of a
 * table row, a summary and a printed CI cost one pass between them. */
static const double STANDARD_Q[] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
#define NSTANDARD (int)(sizeof STANDARD_Q / sizeof STANDARD_Q[0])

void smp_quantiles_of_array(const double *x, size_t n, const double *q, int k, double *out, int threads,
                            double margin_sd) {
    if (n < SMALL_N) quantiles_by_sort(x, n, q, k, out);
    else quantiles_by_bracket(x, n, q, k, out, threads, margin_sd);
}

bool smp_quantiles(SampleCtx *ctx, Samples *s, const double *q, int k, double *out) {
    size_t n = ctx->n;
    smp_query(ctx, s, SMP_WANT_QUANTILES, q, k);
    int cap = k + NSTANDARD;
    double *want = smp_xmalloc((size_t)cap * sizeof *want);
    int nwant = 0;
    for (int j = 0; j < k; j++) {
        if (isnan(q[j]) || n == 0) out[j] = NAN;
        else if (!smp_qcache_get(s, q[j], &out[j])) {
            bool dup = false;
            for (int i = 0; i < nwant; i++) dup |= want[i] == q[j];
            if (!dup) want[nwant++] = q[j];
        }
    }
    int asked = nwant;
    if (nwant && nwant + NSTANDARD <= SMP_QCACHE) {
        for (int i = 0; i < NSTANDARD; i++) {
            double v, sq = STANDARD_Q[i];
            bool dup = smp_qcache_get(s, sq, &v);
            for (int j = 0; j < nwant; j++) dup |= want[j] == sq;
            if (!dup) want[nwant++] = sq;
        }
    }
    bool ok = true;
    if (nwant) {
        tm_enter(ctx->timings, TM_EVAL);
        double *got = smp_xmalloc((size_t)nwant * sizeof *got);
        int done = 0;
        if (n >= SMALL_N && !s->draws && exchangeable(s)) {
            done = quantiles_streaming(ctx, s, want, nwant, got);
            if (done < 0) ok = false;
        }
        if (ok && !done) {
            ok = smp_materialize(ctx, s);
            if (ok) smp_quantiles_of_array(s->draws, n, want, nwant, got, ctx->threads, ctx->quantile_margin_sd);
        }
        if (ok) {
            /* the asked-for ones last, so that the ring keeps them if it is short */
            for (int j = asked; j < nwant; j++) smp_qcache_put(s, want[j], got[j]);
            for (int j = 0; j < asked; j++) smp_qcache_put(s, want[j], got[j]);
            for (int j = 0; j < k; j++)
                if (!(isnan(q[j]) || n == 0)) smp_qcache_get(s, q[j], &out[j]);
        }
        free(got);
        tm_leave(ctx->timings);
    }
    free(want);
    return ok;
}
