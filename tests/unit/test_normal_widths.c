/* test_normal_widths.c — the normal sampler gives the same bits at every vector width, and is
 * accurate.
 *
 * runtime/engine/samples_normal.c is compiled here a second time, scalar (no clones, no vectorizing,
 * no FMA contraction), under other names; its draws must equal, bit for bit, those of the
 * library's sampler, which runs the AVX-512 or AVX2 clone where the machine has one. Then every
 * draw is compared with a long double Box-Muller (same uniforms, the same exact reduction of
 * 2*pi*u): within 4 ulp. The lognormal's exp likewise: the same bits as the scalar build, within
 * 1 ulp of expl, and libm's answer outside |x| <= 708. Exit status 0 when every check passes. */
#define SQC_NORMAL_SCALAR
#define smp_std_normal_block scalar_std_normal_block
#define smp_std_normal_pairs scalar_std_normal_pairs
#define smp_exp_block scalar_exp_block
#include "../../runtime/engine/samples_normal.c"
#undef smp_std_normal_block
#undef smp_std_normal_pairs
#undef smp_exp_block

#include <stdio.h>

#include "rng_inline.h"

void smp_std_normal_block(double *restrict z, uint64_t key, size_t i0, size_t len);
void smp_std_normal_pairs(double *restrict zc, double *restrict zs, uint64_t key, const uint64_t *pairs, size_t m);
void smp_exp_block(double *restrict x, size_t len);

static double ulps(double got, long double ref) {
    double r = fabs((double)ref), u = nextafter(r, INFINITY) - r;
    return (double)(fabsl((long double)got - ref) / u);
}

/* sqrt(-2 log u1) * (cos, sin)(2 pi u2) in long double, reduced as the sampler reduces: exactly. */
static void reference(double u1, double u2, long double *c, long double *s) {
    const long double pio2 = 1.570796326794896619231321691639751442L;
    long double rad = sqrtl(-2.0L * logl(u1)), t = 4.0L * u2, q = floorl(t), r = t - q, sr, cr;
    if (r > 0.5L) sr = cosl((1.0L - r) * pio2), cr = sinl((1.0L - r) * pio2);
    else sr = sinl(r * pio2), cr = cosl(r * pio2);
    long double sv = q == 0 ? sr : q == 1 ? cr : q == 2 ? -sr : -cr;
    long double cv = q == 0 ? cr : q == 1 ? -sr : q == 2 ? -cr : sr;
    *c = rad * cv, *s = rad * sv;
}

int main(void) {
    static double lib[SMP_BLOCK], scalar[SMP_BLOCK], zc[SMP_BLOCK / 2], zs[SMP_BLOCK / 2];
    static uint64_t pairs[SMP_BLOCK / 2];
    size_t draws = 0, differ = 0, pair_differ = 0;
    double worst = 0;
    for (uint64_t key = 1; key <= 60; key++)
        for (size_t b = 0; b < 6; b++) {
            size_t len = b == 5 ? 4095 : SMP_BLOCK; /* a final partial block, odd */
            smp_std_normal_block(lib, key * 0x9E3779B97F4A7C15u, b * SMP_BLOCK, len);
            scalar_std_normal_block(scalar, key * 0x9E3779B97F4A7C15u, b * SMP_BLOCK, len);
            differ += memcmp(lib, scalar, len * sizeof *lib) != 0;
            size_t m = 0; /* every third pair, gathered */
            for (size_t p = 0; p < len / 2; p += 3) pairs[m++] = b * SMP_BLOCK / 2 + p;
            smp_std_normal_pairs(zc, zs, key * 0x9E3779B97F4A7C15u, pairs, m);
            for (size_t j = 0; j < m; j++) {
                size_t p = pairs[j] - b * SMP_BLOCK / 2;
                pair_differ += memcmp(&zc[j], &lib[2 * p], sizeof *zc) != 0 || memcmp(&zs[j], &lib[2 * p + 1], sizeof *zs) != 0;
            }
            for (size_t p = 0; p < len / 2; p++) {
                uint64_t k = b * SMP_BLOCK / 2 + p;
                long double c, s;
                reference(rng_open01_inline(key * 0x9E3779B97F4A7C15u, k, 0), rng_open01_inline(key * 0x9E3779B97F4A7C15u, k, 1), &c, &s);
                double e = fmax(ulps(lib[2 * p], c), ulps(lib[2 * p + 1], s));
                worst = e > worst ? e : worst;
                draws += 2;
            }
        }
    /* exp over the lognormal's range and beyond, the edges included */
    static double ex[SMP_BLOCK], elib[SMP_BLOCK], escalar[SMP_BLOCK];
    size_t exp_differ = 0;
    double exp_worst = 0;
    for (uint64_t round = 0; round < 200; round++) {
        for (size_t i = 0; i < SMP_BLOCK; i++) {
            double u = rng_open01_inline(round, i, 7);
            ex[i] = round % 2 ? (u - 0.5) * 1500.0 : (u - 0.5) * 20.0;
        }
        if (round == 0) {
            double edges[] = {708.0, -708.0, 709.7, 710.0, -745.0, -746.0, 0.0, -0.0, NAN, INFINITY, -INFINITY};
            memcpy(ex, edges, sizeof edges);
        }
        memcpy(elib, ex, sizeof ex);
        memcpy(escalar, ex, sizeof ex);
        smp_exp_block(elib, SMP_BLOCK);
        scalar_exp_block(escalar, SMP_BLOCK);
        exp_differ += memcmp(elib, escalar, sizeof elib) != 0;
        for (size_t i = 0; i < SMP_BLOCK; i++) {
            if (!(fabs(ex[i]) <= 708.0)) { /* libm's exp, NaN included */
                double want = exp(ex[i]);
                exp_differ += memcmp(&want, &elib[i], sizeof want) != 0;
                continue;
            }
            double e = ulps(elib[i], expl((long double)ex[i]));
            exp_worst = e > exp_worst ? e : exp_worst;
        }
    }
    int failed = 0;
    if (exp_differ) printf("FAIL %zu exp blocks or edge values differ between widths or from libm\n", exp_differ), failed = 1;
    if (exp_worst > 1) printf("FAIL exp is %.2f ulp from expl (> 1)\n", exp_worst), failed = 1;
    printf("exp: same bits at every width: %s, worst %.2f ulp\n", exp_differ ? "no" : "yes", exp_worst);
    if (differ) printf("FAIL %zu blocks differ between the library's sampler and the scalar build\n", differ), failed = 1;
    if (pair_differ) printf("FAIL %zu gathered pairs differ from the dense block\n", pair_differ), failed = 1;
    if (worst > 4) printf("FAIL the worst draw is %.2f ulp from the long double Box-Muller (> 4)\n", worst), failed = 1;
    printf("normal widths: %zu draws, same bits at every width: %s, gathered pairs: %s, worst %.2f ulp\n", draws,
           differ ? "no" : "yes", pair_differ ? "no" : "yes", worst);
    return failed;
}
