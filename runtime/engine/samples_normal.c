/* samples_normal.c — the block Box-Muller sampler, on our own log and sin/cos.
 *
 * Why not libm/libmvec: libmvec's SSE4, AVX2 and AVX-512 variants of sin and log give different
 * bits for the same input (about half of all 8-lane groups differ), and which one runs depends on
 * the machine, so draws would too. The functions below are plain IEEE arithmetic (fdlibm's
 * kernels, within 1 ulp): built without contraction into FMA (-ffp-contract=off, see
 * CMakeLists.txt), every vector width performs the same operations in the same order, so the
 * draws are the same bits on every x86-64 machine, and the loops can run 8 lanes wide on AVX-512.
 * Only sqrt (correctly rounded everywhere) comes from the hardware. */
#include "samples_internal.h"

#include <math.h>
#include <string.h>

/* Also built for AVX2 and AVX-512 machines: the same operations at any width (see above).
 * tests/unit/test_normal_widths.c builds this file again without clones or vectors
 * (SQC_NORMAL_SCALAR) and checks that the draws are the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && !defined(SQC_NORMAL_SCALAR)
#define NORMAL_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define NORMAL_CLONES
#endif

static inline double bits_to_double(uint64_t b) {
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static inline uint64_t double_to_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* log(u) for a normal, positive, finite u: fdlibm's __ieee754_log without its branches. u is
 * 2^k * m with m in [sqrt(2)/2, sqrt(2)); log(m) = f - f^2/2 + s*(f^2/2 + R(s^2)), f = m - 1,
 * s = f / (2 + f), R a minimax polynomial (error < 1 ulp). k comes from the exponent bits, turned
 * into a double by the 2^52 trick (no integer conversion, which AVX2 lacks for 64 bits). */
static inline double log_normal_positive(double u) {
    static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    static const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                        Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                        Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                        Lg7 = 1.479819860511658591e-01;
    uint64_t b = double_to_bits(u);
    double k = bits_to_double(0x4330000000000000u | (b >> 52)) - (4503599627370496.0 + 1023.0);
    double m = bits_to_double((b & 0x000FFFFFFFFFFFFFu) | 0x3FF0000000000000u); /* [1, 2) */
    bool big = m > 1.4142135623730951;
    m = big ? m * 0.5 : m;
    k = big ? k + 1.0 : k;
    double f = m - 1.0;
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1, hfsq = 0.5 * f * f;
    return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
}

/* fdlibm's __kernel_sin and __kernel_cos for |x| <= pi/4 (tail y = 0), each within 1 ulp. */
static inline double kernel_sin(double x) {
    static const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                        S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                        S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    double z = x * x, v = z * x;
    double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    return x + v * (S1 + z * r);
}

static inline double kernel_cos(double x) {
    static const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                        C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                        C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    double z = x * x;
    double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    double hz = 0.5 * z, w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + z * r);
}

/* sin(2*pi*u) and cos(2*pi*u) for u in [0, 1). The reduction is exact: t = 4u splits into a
 * quarter turn q and a fraction r (t - q is exact), and r > 1/2 folds to 1 - r (exact), so only
 * x = r * pi/2 in [0, pi/4] is rounded once before the kernels. Quadrants by selects, no branch. */
static inline void sincos_2pi(double u, double *sn, double *cs) {
    double t = u * 4.0;
    double q = (double)(int)t; /* 0, 1, 2 or 3 */
    double r = t - q;
    bool fold = r > 0.5;
    double x = (fold ? 1.0 - r : r) * 1.57079632679489661923;
    double s0 = kernel_sin(x), c0 = kernel_cos(x);
    double sr = fold ? c0 : s0, cr = fold ? s0 : c0; /* sin and cos of r * pi/2 */
    bool odd = q == 1.0 || q == 3.0;
    double s1 = odd ? cr : sr, c1 = odd ? sr : cr;
    *sn = q >= 2.0 ? -s1 : s1;
    *cs = q == 1.0 || q == 2.0 ? -c1 : c1;
}

/* Box-Muller on pairs of uniforms: zc[p] = sqrt(-2 log r[p]) cos(2 pi a[p]), zs[p] the sine. */
NORMAL_CLONES static void box_muller(double *restrict zc, double *restrict zs, const double *restrict r,
                                     const double *restrict a, size_t np) {
    for (size_t p = 0; p < np; p++) {
        double rad = sqrt(-2.0 * log_normal_positive(r[p]));
        double sn, cs;
        sincos_2pi(a[p], &sn, &cs);
        zc[p] = rad * cs;
        zs[p] = rad * sn;
    }
}

/* exp(x) for |x| <= 708 (within 1 ulp): fdlibm's __ieee754_exp without its branches. x = k ln2 + r
 * with k = round(x / ln2) (by adding and removing 1.5 * 2^52, so no integer conversion), r split
 * hi + lo, exp(r) from a minimax rational form, and 2^k put together from bits. */
static inline double exp_in_range(double x) {
    static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                        inv_ln2 = 1.44269504088896338700e+00, round_magic = 6755399441055744.0;
    static const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
                        P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                        P5 = 4.13813679705723846039e-08;
    double k = (x * inv_ln2 + round_magic) - round_magic; /* round to nearest */
    double hi = x - k * ln2_hi, lo = k * ln2_lo, r = hi - lo;
    double t = r * r;
    double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    /* |k| <= 1022: k + 2048 sits in the low 12 bits of 1.5 * 2^52 + 2048 + k */
    int64_t kk = (int64_t)(double_to_bits(k + (round_magic + 2048.0)) & 0xFFFu) - 2048;
    int64_t k1 = kk / 2, k2 = kk - k1; /* 2^k as two factors, each a normal number: exact */
    return y * bits_to_double((uint64_t)(k1 + 1023) << 52) * bits_to_double((uint64_t)(k2 + 1023) << 52);
}

NORMAL_CLONES void smp_exp_block(double *restrict x, size_t len) {
    double out_of_range = 0;
    for (size_t i = 0; i < len; i++) out_of_range += fabs(x[i]) <= 708.0 ? 0.0 : 1.0; /* NaN too */
    if (out_of_range) {
        for (size_t i = 0; i < len; i++) x[i] = fabs(x[i]) <= 708.0 ? exp_in_range(x[i]) : exp(x[i]);
        return;
    }
    for (size_t i = 0; i < len; i++) x[i] = exp_in_range(x[i]);
}

/* Standard normals for draws i0 .. i0+len-1 (i0 even). Pair k = i/2 gives draw 2k the cosine
 * and draw 2k+1 the sine half, so each draw is a pure function of its index. */
void smp_std_normal_block(double *restrict z, uint64_t key, size_t i0, size_t len) {
    double r[SMP_BLOCK / 2 + 1], a[SMP_BLOCK / 2 + 1], c[SMP_BLOCK / 2 + 1], s[SMP_BLOCK / 2 + 1];
    size_t np = (len + 1) / 2; /* an odd final block uses only the cosine of its last pair */
    smp_uniform_pairs(r, a, key, i0 / 2, np);
    box_muller(c, s, r, a, np);
    for (size_t p = 0; p < len / 2; p++) {
        z[2 * p] = c[p];
        z[2 * p + 1] = s[p];
    }
    if (len & 1) z[len - 1] = c[np - 1];
}

/* The standard normal pairs pairs[0..m) (pair k: draws 2k and 2k+1) of stream key: cosine halves
 * into zc, sine halves into zs (m <= SMP_BLOCK / 2). The same arithmetic as smp_std_normal_block,
 * so the same bits as the dense sampler's draws 2k and 2k+1, in any block. */
void smp_std_normal_pairs(double *restrict zc, double *restrict zs, uint64_t key, const uint64_t *pairs,
                          size_t m) {
    double r[SMP_BLOCK / 2], a[SMP_BLOCK / 2];
    if (m == 0) return;
    smp_uniform_pairs_at(r, a, key, pairs, m, m);
    box_muller(zc, zs, r, a, m);
}
