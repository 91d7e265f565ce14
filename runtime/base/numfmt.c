/* numfmt.c — numbers as text: shortest round-trip form, compact K/M/B form, and Python's
 * format mini-language (https://docs.python.org/3/library/string.html#formatspec).
 *
 * Locale: the program may call setlocale() (for UTF-8 detection), which can make printf write a
 * decimal comma and strtod expect one. So printf output goes through c_printf(), which puts back
 * a '.', or round_digits(), which keeps only the digits; and strtod only ever sees text without a
 * decimal point ("15e-1"), which it reads the same in every locale. No global state: thread-safe. */
#include "numfmt.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond these a spec is a mistake, not a request: refuse it rather than build huge strings. */
enum { MAX_WIDTH = 10000, MAX_PRECISION = 1000 };

/* No type, no precision: integral values below this format as integers (as the header says). */
#define INT_FORMAT_LIMIT 1e16

/* ------------------------------------------------------------------------------------------------
 * Small helpers */

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Drops whatever was appended to out after it had length len (used to undo partial output). */
static void sb_truncate(StrBuf *out, size_t len) {
    out->len = len;
    if (out->data) out->data[len] = '\0';
}

static void put_repeat(StrBuf *out, const char *s, size_t slen, long n) {
    for (long i = 0; i < n; i++) sb_put(out, s, slen);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the UTF-8 sequence that starts with byte c (1 for a stray or invalid byte, so that
 * malformed text still advances). */
static size_t utf8_len(unsigned char c) {
    if (c >= 0xF0 && c <= 0xF4) return 4;
    if (c >= 0xE0) return c <= 0xEF ? 3 : 1;
    if (c >= 0xC2) return 2;
    return 1;
}

/* Number of characters (code points) in s, as Python counts string width. */
static long utf8_count(const char *s, size_t len) {
    long n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

/* Byte length of the first `chars` characters of s. */
static size_t utf8_prefix(const char *s, size_t len, long chars) {
    size_t i = 0;
    for (long c = 0; c < chars && i < len; c++) {
        size_t step = utf8_len((unsigned char)s[i]);
        i += step <= len - i ? step : len - i;
    }
    return i;
}

/* The spec as shown inside error messages: "{:>5d}", cut short if it is long. */
#define SPEC_SHOWN 40
static int shown_len(const char *spec, size_t speclen) {
    return (int)(speclen <= SPEC_SHOWN ? speclen : utf8_prefix(spec, speclen, SPEC_SHOWN));
}

/* ------------------------------------------------------------------------------------------------
 * Locale-independent digits */

/* Appends printf's %e / %E / %f / %F conversion (with '#' when alt) of x, with the locale's
 * decimal separator (possibly several bytes, possibly ',') replaced by '.'. No grouping flag is
 * used, so the separator is the only locale-dependent part of the output. */
static void c_printf(StrBuf *out, char conv, bool alt, int prec, double x) {
    char fmt[8];
    snprintf(fmt, sizeof fmt, "%%%s.*%c", alt ? "#" : "", conv);

    StrBuf raw;
    sb_init(&raw);
    sb_printf(&raw, fmt, prec, x);
    const char *p = raw.data;
    while (*p == '-' || *p == '+' || is_digit(*p)) sb_putc(out, *p++);
    if (*p && *p != 'e' && *p != 'E') { /* the decimal separator */
        sb_putc(out, '.');
        while (*p && !is_digit(*p) && *p != 'e' && *p != 'E') p++;
    }
    sb_puts(out, p);
    sb_free(&raw);
}

/* Rounds |x| (finite, nonzero) correctly to n significant digits (1 <= n <= 17), writing them to
 * digits (NUL-terminated, n + 1 bytes) and returning the decimal exponent of the first digit:
 * |x| ~ d.ddd × 10^exp. */
static int round_digits(double x, int n, char *digits) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", n - 1, fabs(x));
    const char *p = buf;
    int k = 0;
    for (; *p && *p != 'e'; p++)
        if (is_digit(*p) && k < n) digits[k++] = *p;
    digits[k] = '\0';
    return *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
}

/* Whether the n digits (d.ddd × 10^exp) read back as target. The text handed to strtod has no
 * decimal point ("15e-1"), so the locale cannot change how it is read. */
static bool reads_back(const char *digits, int n, int exp, double target) {
    char probe[48];
    snprintf(probe, sizeof probe, "%se%d", digits, exp - (n - 1));
    return strtod(probe, NULL) == target;
}

/* Adds one unit in the last place of the n digits; returns the new exponent (one more when the
 * digits were all nines: 99e0 + 1 -> 10e1, kept at n digits). */
static int increment_digits(char *digits, int n, int exp) {
    int i = n - 1;
    while (i >= 0 && digits[i] == '9') digits[i--] = '0';
    if (i >= 0) {
        digits[i]++;
        return exp;
    }
    digits[0] = '1';
    return exp + 1;
}

/* Shortest digits that read back to |x| (finite, nonzero), as Python's repr picks them: the fewest
 * digits, and of those the nearest to x. Returns the exponent as round_digits does; no trailing
 * zeros. */
static int shortest_digits_probed(double x, char digits[18]) {
    double target = fabs(x);
    int exp, binexp;
    if (frexp(target, &binexp) != 0.5) {
        /* x's rounding interval is symmetric, so if n correctly rounded digits read back, so do
         * n + 1 (they are at least as near): binary search for the smallest n. 17 always works. */
        int lo = 1, hi = 17;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            exp = round_digits(target, mid, digits);
            if (reads_back(digits, mid, exp, target))
                hi = mid;
            else
                lo = mid + 1;
        }
        exp = round_digits(target, lo, digits);
    } else {
        /* A power of two: the interval above x is twice as wide as the one below, so the nearest
         * n digits may fail while the next n-digit value up reads back (2^-1016 is
         * "7.120236347223045e-307", not the 17 digits the nearest rounding needs). */
        for (int n = 1;; n++) {
            exp = round_digits(target, n, digits);
            if (n == 17 || reads_back(digits, n, exp, target)) break;
            char up[18];
            memcpy(up, digits, (size_t)n + 1);
            int up_exp = increment_digits(up, n, exp);
            if (reads_back(up, n, up_exp, target)) {
                memcpy(digits, up, (size_t)n + 1);
                exp = up_exp;
                break;
            }
        }
    }
    size_t k = strlen(digits);
    while (k > 1 && digits[k - 1] == '0') digits[--k] = '\0';
    return exp;
}

/* ------------------------------------------------------------------------------------------------
 * The same digits by exact integer arithmetic
 *
 * shortest_digits_probed costs about 4 us a number (each probe is a printf and a strtod), which
 * made str(range(10M)) take 48 s (#15). For 1e-5 <= |x| < 2^53 -- almost every number a model
 * prints -- the same search runs here on exact 128-bit integers: x = m * 2^e, and x * 10^j is the
 * fraction num / den with num = m * 10^j and den = 2^-e (j >= 0), or num = m and
 * den = 2^-e * 10^-j (j < 0). In that range every quantity stays below 2^126. Rounding to n digits
 * is num / den rounded half to even (as printf rounds the exact value), and "reads back" is exact
 * too: the digits lie in x's rounding interval, whose ends are halfway to the neighbouring
 * doubles (closer below a power of two) and belong to it when m is even (strtod rounds ties to
 * even). The search itself is the probed one's, so the digits are the same
 * (tests/unit/test_numfmt.c compares the two on 300,000 doubles). */

typedef unsigned __int128 u128;

typedef struct Exact {
    uint64_t m;  /* x = m * 2^e, 2^52 <= m < 2^53 */
    int e;       /* -70 <= e <= 0 */
    int exp10;   /* 10^exp10 <= x < 10^(exp10 + 1) */
} Exact;

static u128 pow10_u128(int k) {
    static const uint64_t small[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
                                       10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
                                       100000000000ull, 1000000000000ull, 10000000000000ull,
                                       100000000000000ull, 1000000000000000ull, 10000000000000000ull,
                                       100000000000000000ull, 1000000000000000000ull,
                                       10000000000000000000ull};
    return k < 20 ? small[k] : (u128)small[19] * small[k - 19];
}

/* x * 10^j as num / den. */
static void exact_fraction(const Exact *ex, int j, u128 *num, u128 *den) {
    *num = (u128)ex->m * (j > 0 ? pow10_u128(j) : 1);
    *den = ((u128)1 << -ex->e) * (j < 0 ? pow10_u128(-j) : 1);
}

/* x rounded to n significant digits: the digits as an integer (10^(n-1) <= *q < 10^n) and the
 * exponent of the first, as round_digits gives them. */
static int exact_round(const Exact *ex, int n, u128 *q) {
    u128 num, den;
    exact_fraction(ex, n - 1 - ex->exp10, &num, &den);
    u128 r = num % den;
    *q = num / den;
    if (2 * r > den || (2 * r == den && (*q & 1))) ++*q;
    if (*q == pow10_u128(n)) { /* 9.99 -> 10.0: one more digit before the point */
        *q = pow10_u128(n - 1);
        return ex->exp10 + 1;
    }
    return ex->exp10;
}

/* Whether q * 10^(exp - n + 1) reads back as x: whether it lies in x's rounding interval,
 * [(4m - g) * 2^(e-2), (4m + 2) * 2^(e-2)], g = 1 below a power of two, else 2. */
static bool exact_reads_back(const Exact *ex, u128 q, int n, int exp) {
    int j = n - 1 - exp; /* q / 10^j against (4m + d) * 2^(e-2): multiply out both denominators */
    u128 lhs = q * ((u128)4 << -ex->e) * (j < 0 ? pow10_u128(-j) : 1);
    u128 scale = j > 0 ? pow10_u128(j) : 1;
    u128 lo = ((u128)4 * ex->m - (ex->m == (1ull << 52) ? 1 : 2)) * scale;
    u128 hi = ((u128)4 * ex->m + 2) * scale;
    bool even = (ex->m & 1) == 0;
    return even ? lo <= lhs && lhs <= hi : lo < lhs && lhs < hi;
}

static void exact_text(u128 q, int n, char digits[18]) {
    for (int i = n - 1; i >= 0; i--) digits[i] = (char)('0' + (int)(q % 10)), q /= 10;
    digits[n] = '\0';
}

/* shortest_digits_probed's answer for 1e-5 <= |x| < 2^53; false outside that range. */
static bool exact_shortest(double x, char digits[18], int *exp_out) {
    double a = fabs(x);
    if (!(a >= 1e-5 && a < 9007199254740992.0)) return false;
    int binexp;
    double frac = frexp(a, &binexp);
    Exact ex = {(uint64_t)ldexp(frac, 53), binexp - 53, (int)floor(log10(a))};
    u128 num, den; /* log10 may be off by one next to a power of ten: settle it exactly */
    exact_fraction(&ex, -ex.exp10, &num, &den);
    if (num < den) ex.exp10--;
    else if (num >= 10 * den) ex.exp10++;

    u128 q;
    int n, exp;
    if (ex.m != (1ull << 52)) { /* the probed search: binary, as its intervals are symmetric */
        int lo = 1, hi = 17;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            exp = exact_round(&ex, mid, &q);
            if (exact_reads_back(&ex, q, mid, exp)) hi = mid;
            else lo = mid + 1;
        }
        n = lo;
        exp = exact_round(&ex, n, &q);
    } else { /* a power of two: upwards, trying the next n-digit value up too */
        for (n = 1;; n++) {
            exp = exact_round(&ex, n, &q);
            if (n == 17 || exact_reads_back(&ex, q, n, exp)) break;
            u128 up = q + 1;
            int up_exp = exp;
            if (up == pow10_u128(n)) up = pow10_u128(n - 1), up_exp++;
            if (exact_reads_back(&ex, up, n, up_exp)) {
                q = up, exp = up_exp;
                break;
            }
        }
    }
    exact_text(q, n, digits);
    while (n > 1 && digits[n - 1] == '0') digits[--n] = '\0';
    *exp_out = exp;
    return true;
}

/* Shortest digits that read back to |x| (finite, nonzero), as Python's repr picks them. */
static int shortest_digits(double x, char digits[18]) {
    int exp;
    if (exact_shortest(x, digits, &exp)) return exp;
    return shortest_digits_probed(x, digits);
}

/* Appends d1.d2d3… × 10^exp the way Python's repr lays out a float (without its ".0"):
 * positional when -4 <= exp < 16, otherwise "d.ddde+XX". */
static void put_repr_layout(StrBuf *out, const char *digits, int exp) {
    int n = (int)strlen(digits);
    if (exp < -4 || exp >= 16) {
        sb_putc(out, digits[0]);
        if (n > 1) {
            sb_putc(out, '.');
            sb_puts(out, digits + 1);
        }
        sb_printf(out, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        sb_puts(out, "0.");
        put_repeat(out, "0", 1, -exp - 1);
        sb_puts(out, digits);
    } else if (exp >= n - 1) {
        sb_puts(out, digits);
        put_repeat(out, "0", 1, exp - (n - 1));
    } else {
        sb_put(out, digits, (size_t)exp + 1);
        sb_putc(out, '.');
        sb_puts(out, digits + exp + 1);
    }
}

/* "inf", "-inf" or "nan" (a NaN's sign bit is arbitrary, so it is never shown, as in Python). */
static void put_nonfinite(StrBuf *out, double x) {
    if (isnan(x))
        sb_puts(out, "nan");
    else
        sb_puts(out, x < 0 ? "-inf" : "inf");
}

/* An integer below 2^53 reads back from its own digits and from no shorter ones (every shorter
 * candidate is a multiple of 10, at least 1 away, and the interval is at most +-1/2), so it prints
 * as itself: the common case (counts, indices, range()) takes no search at all. */
static bool put_small_integer(StrBuf *out, double x) {
    double a = fabs(x);
    if (!(a < 9007199254740992.0) || a != floor(a)) return false;
    char buf[24];
    int i = (int)sizeof buf;
    uint64_t u = (uint64_t)a;
    do buf[--i] = (char)('0' + (int)(u % 10)), u /= 10; while (u);
    if (x < 0) buf[--i] = '-';
    sb_put(out, buf + i, sizeof buf - (size_t)i);
    return true;
}

static void put_shortest(StrBuf *out, double x, int (*digits_of)(double, char[18])) {
    if (!isfinite(x)) {
        put_nonfinite(out, x);
        return;
    }
    if (x == 0) { /* -0 prints as 0 too */
        sb_putc(out, '0');
        return;
    }
    char digits[18];
    int exp = digits_of(x, digits);
    if (x < 0) sb_putc(out, '-');
    put_repr_layout(out, digits, exp);
}

const char *num_text(NumText *t, double x) {
    StrBuf sb;
    sb_init(&sb);
    num_shortest(&sb, x);
    snprintf(t->s, sizeof t->s, "%.*s", (int)sb.len, sb.data ? sb.data : "");
    sb_free(&sb);
    return t->s;
}

void num_shortest(StrBuf *out, double x) {
    if (x != 0 && put_small_integer(out, x)) return;
    put_shortest(out, x, shortest_digits);
}

void num_shortest_probed(StrBuf *out, double x) { put_shortest(out, x, shortest_digits_probed); }

/* ------------------------------------------------------------------------------------------------
 * Compact form */

/* Three significant digits d1d2d3 with the first at 10^exp, -3 <= exp <= 2, positionally:
 * "0.00123", "0.225", "1.50", "12.0", "189". */
static void put_three_digits(StrBuf *out, const char *d, int exp) {
    if (exp < 0) {
        sb_puts(out, "0.");
        put_repeat(out, "0", 1, -exp - 1);
        sb_put(out, d, 3);
        return;
    }
    sb_put(out, d, (size_t)exp + 1);
    if (exp < 2) {
        sb_putc(out, '.');
        sb_put(out, d + exp + 1, (size_t)(2 - exp));
    }
}

void num_compact(StrBuf *out, double x) {
    if (!isfinite(x)) {
        put_nonfinite(out, x);
        return;
    }
    if (x == 0) {
        sb_putc(out, '0');
        return;
    }
    /* Round first, then pick the form from the rounded exponent: 999.96K rounds to 1.00e+06 and
     * so prints as "1.00M" rather than "1000K". */
    char d[4];
    int exp = round_digits(x, 3, d);
    if (x < 0) sb_putc(out, '-');
    if (exp < -3 || exp >= 15) {
        sb_printf(out, "%c.%c%ce%c%02d", d[0], d[1], d[2], exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 3) {
        put_three_digits(out, d, exp);
    } else {
        int group = exp / 3; /* 1 = K, 2 = M, 3 = B, 4 = T */
        put_three_digits(out, d, exp - 3 * group);
        sb_putc(out, "KMBT"[group - 1]);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Format specs: [[fill]align][sign][#][0][width][grouping][.precision][type] */

typedef struct Spec {
    char fill[5]; /* one UTF-8 character */
    size_t fill_len;
    char align;    /* '<' '>' '^' '=' or 0 for the default */
    char sign;     /* '+' '-' ' ' or 0 */
    bool alt;      /* '#' */
    long width;    /* -1 when absent */
    char group;    /* ',' '_' or 0 */
    long precision; /* -1 when absent */
    char type;     /* 0 when absent */
} Spec;

static bool is_align(char c) { return c == '<' || c == '>' || c == '^' || c == '='; }

/* Reads a run of digits at *pos as a non-negative count; false (err filled) beyond `limit`. */
static bool parse_count(const char *spec, size_t len, size_t *pos, long limit, const char *what,
                        long *value, char *err, size_t errlen) {
    long v = 0;
    for (; *pos < len && is_digit(spec[*pos]); (*pos)++) {
        v = v * 10 + (spec[*pos] - '0');
        if (v > limit) {
            fail(err, errlen, "format: %s too large in {:%.*s} (at most %ld)", what,
                 shown_len(spec, len), spec, limit);
            return false;
        }
    }
    *value = v;
    return true;
}

/* Parses a spec the way CPython's parse_internal_render_format_spec does. `numeric` selects the
 * default alignment, which decides what a leading '0' means (zero padding after the sign for
 * numbers, just a '0' fill for strings). */
static bool parse_spec(Spec *s, const char *spec, size_t len, bool numeric, char *err,
                       size_t errlen) {
    *s = (Spec){.fill = " ", .fill_len = 1, .width = -1, .precision = -1};
    size_t pos = 0;
    bool fill_given = false;

    size_t first = len ? utf8_len((unsigned char)spec[0]) : 0;
    if (first && first < len && is_align(spec[first])) {
        memcpy(s->fill, spec, first);
        s->fill[first] = '\0';
        s->fill_len = first;
        s->align = spec[first];
        fill_given = true;
        pos = first + 1;
    } else if (len && is_align(spec[0])) {
        s->align = spec[0];
        pos = 1;
    }
    if (pos < len && (spec[pos] == '+' || spec[pos] == '-' || spec[pos] == ' ')) s->sign = spec[pos++];
    if (pos < len && spec[pos] == '#') s->alt = true, pos++;
    if (!fill_given && pos < len && spec[pos] == '0') {
        strcpy(s->fill, "0");
        s->fill_len = 1;
        if (!s->align && numeric) s->align = '=';
        pos++;
    }
    if (pos < len && is_digit(spec[pos]) &&
        !parse_count(spec, len, &pos, MAX_WIDTH, "width", &s->width, err, errlen))
        return false;
    if (pos < len && (spec[pos] == ',' || spec[pos] == '_')) {
        s->group = spec[pos++];
        if (pos < len && (spec[pos] == ',' || spec[pos] == '_')) {
            fail(err, errlen, "format: {:%.*s} has two grouping options ('%c' and '%c')",
                 shown_len(spec, len), spec, s->group, spec[pos]);
            return false;
        }
    }
    if (pos < len && spec[pos] == '.') {
        pos++;
        if (pos >= len || !is_digit(spec[pos])) {
            fail(err, errlen, "format: {:%.*s} is missing the precision after '.'",
                 shown_len(spec, len), spec);
            return false;
        }
        if (!parse_count(spec, len, &pos, MAX_PRECISION, "precision", &s->precision, err, errlen))
            return false;
    }
    if (len - pos > 1) {
        fail(err, errlen, "format: invalid format spec {:%.*s}", shown_len(spec, len), spec);
        return false;
    }
    if (pos < len) s->type = spec[pos];
    return true;
}

/* ------------------------------------------------------------------------------------------------
 * Padding and grouping (CPython's calc_number_widths / fill_number) */

/* Appends digits with a separator every three from the right. When min_width > 0 (a '0' fill
 * with '=' alignment) it pads with zeros up to min_width characters, and the separators continue
 * into the zeros: format(1234, "010,") is "00,001,234". Mirrors CPython's
 * _PyUnicode_InsertThousandsGrouping. */
static void put_grouped(StrBuf *out, const char *digits, long n, char sep, long min_width) {
    if (n == 0) return; /* "inf" and "nan" have no digits and get no zeros */
    if (!sep) {
        put_repeat(out, "0", 1, min_width - n);
        sb_put(out, digits, (size_t)n);
        return;
    }
    StrBuf rev; /* built right to left, then reversed */
    sb_init(&rev);
    long remaining = n;
    for (bool first = true;; first = false) {
        if (!first) sb_putc(&rev, sep);
        long want = remaining > min_width ? remaining : min_width;
        long size = want < 1 ? 1 : (want > 3 ? 3 : want);
        long take = remaining < size ? remaining : size;
        for (long i = 0; i < take; i++) sb_putc(&rev, digits[--remaining]);
        put_repeat(&rev, "0", 1, size - take);
        min_width -= size;
        if (remaining <= 0 && min_width <= 0) break;
        min_width -= 1; /* the separator */
    }
    for (size_t i = 0; i < rev.len; i++) sb_putc(out, rev.data[rev.len - 1 - i]);
    sb_free(&rev);
}

/* Lays out sign, digits (the integer part, grouped) and rest (".5e+10", "%", "inf", …) in the
 * spec's width. All of it is ASCII, so bytes count as characters. */
static void put_number_padded(StrBuf *out, const Spec *s, char sign, const char *digits, long ndigits,
                              const char *rest) {
    long nfixed = (sign ? 1 : 0) + (long)strlen(rest);
    bool zero_pad = s->fill_len == 1 && s->fill[0] == '0' && s->align == '=';
    StrBuf grouped;
    sb_init(&grouped);
    put_grouped(&grouped, digits, ndigits, s->group, zero_pad ? s->width - nfixed : 0);

    long pad = s->width - nfixed - (long)grouped.len;
    long left = 0, inner = 0, right = 0;
    if (pad > 0) {
        switch (s->align ? s->align : '>') {
        case '<': right = pad; break;
        case '^': left = pad / 2, right = pad - left; break;
        case '=': inner = pad; break;
        default: left = pad; break;
        }
    }
    put_repeat(out, s->fill, s->fill_len, left);
    if (sign) sb_putc(out, sign);
    put_repeat(out, s->fill, s->fill_len, inner);
    sb_put(out, grouped.data ? grouped.data : "", grouped.len);
    sb_puts(out, rest);
    put_repeat(out, s->fill, s->fill_len, right);
    sb_free(&grouped);
}

/* ------------------------------------------------------------------------------------------------
 * Number bodies: the text of |x| without sign, as Python would produce it */

static bool is_integral(double x) { return isfinite(x) && x == floor(x); }

/* |x| for type 'd' or an integral value with no type: all digits, exactly. */
static void put_int_body(StrBuf *body, double x) { c_printf(body, 'f', false, 0, fabs(x)); }

/* Python's general format of |x| (finite) with p significant digits: scientific when the rounded
 * exponent is below -4 or at least `sci_from`, else positional; trailing zeros dropped unless '#'.
 * Type 'g' switches at p (as C's %g); no type switches at p - 1 (format(1234.0, ".4") is
 * "1.234e+03"). */
static void put_general(StrBuf *body, double x, int p, bool alt, bool upper, int sci_from) {
    StrBuf probe;
    sb_init(&probe);
    c_printf(&probe, 'e', false, p - 1, x);
    int exp = (int)strtol(strchr(probe.data, 'e') + 1, NULL, 10);
    sb_free(&probe);

    size_t start = body->len;
    if (exp < -4 || exp >= sci_from)
        c_printf(body, upper ? 'E' : 'e', alt, p - 1, x);
    else
        c_printf(body, 'f', alt, p - 1 - exp, x);
    if (alt || !strchr(body->data + start, '.')) return;

    /* drop the mantissa's trailing zeros, and its '.' if nothing follows it */
    char *mant = body->data + start;
    size_t mlen = strcspn(mant, "eE"), cut = mlen;
    while (mant[cut - 1] == '0') cut--;
    if (mant[cut - 1] == '.') cut--;
    memmove(mant + cut, mant + mlen, strlen(mant + mlen) + 1);
    body->len -= mlen - cut;
}

/* Python's repr of |x| (finite), with a '.' added for '#' even in "1.e+20". */
static void put_repr(StrBuf *body, double x, bool alt) {
    char digits[18] = "0";
    size_t start = body->len;
    put_repr_layout(body, digits, x == 0 ? 0 : shortest_digits(x, digits));
    if (alt && !strchr(body->data + start, '.')) {
        size_t at = start + strcspn(body->data + start, "e");
        sb_putc(body, ' ');
        memmove(body->data + at + 1, body->data + at, body->len - at - 1);
        body->data[at] = '.';
    }
}

/* |x| for the float types and for no type (Python's float formatting). */
static void put_float_body(StrBuf *body, const Spec *s, double x) {
    char type = s->type;
    bool upper = type == 'E' || type == 'F' || type == 'G';
    int p = s->precision < 0 ? 6 : (int)s->precision;
    x = fabs(type == '%' ? x * 100 : x);
    if (!isfinite(x)) {
        sb_puts(body, isnan(x) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"));
    } else if (type == 0 && s->precision < 0) {
        put_repr(body, x, s->alt);
    } else if (type == 0 || type == 'g' || type == 'G') {
        if (p == 0) p = 1;
        put_general(body, x, p, s->alt, upper, type == 0 ? p - 1 : p);
        /* no type always shows it is a float: format(3.0, ".3") is "3.0" */
        if (type == 0 && !strpbrk(body->data, ".e")) sb_puts(body, ".0");
    } else {
        c_printf(body, type == '%' ? 'f' : type, s->alt, p, x);
    }
    if (type == '%') sb_putc(body, '%');
}

/* Checks the parsed spec against x; false with a message when the type does not fit. */
static bool check_number_spec(const Spec *s, const char *spec, size_t len, double x, char *err,
                              size_t errlen) {
    int shown = shown_len(spec, len);
    switch (s->type) {
    case 0: case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%':
        break;
    case 'd':
        if (s->precision >= 0) {
            fail(err, errlen, "format: {:%.*s} cannot have a precision with type 'd'", shown, spec);
            return false;
        }
        if (!is_integral(x)) {
            StrBuf v;
            sb_init(&v);
            num_shortest(&v, x);
            fail(err, errlen, "format: {:%.*s} needs a whole number, got %s", shown, spec, v.data);
            sb_free(&v);
            return false;
        }
        break;
    case 's':
        fail(err, errlen, "format: {:%.*s} needs a string, got a number", shown, spec);
        return false;
    default:
        if ((unsigned char)s->type < 0x20 || (unsigned char)s->type >= 0x7F)
            fail(err, errlen, "format: unknown type in {:%.*s}; use d, f, e, g or %%", shown, spec);
        else
            fail(err, errlen, "format: unknown type '%c' in {:%.*s}; use d, f, e, g or %%", s->type,
                 shown, spec);
        return false;
    }
    return true;
}

bool fmt_number(StrBuf *out, const char *spec, size_t speclen, double x, char *err, size_t errlen) {
    Spec s;
    if (!parse_spec(&s, spec, speclen, true, err, errlen)) return false;
    if (!check_number_spec(&s, spec, speclen, x, err, errlen)) return false;

    StrBuf body;
    sb_init(&body);
    sb_puts(&body, "");
    bool as_int = s.type == 'd' ||
                  (s.type == 0 && s.precision < 0 && is_integral(x) && fabs(x) < INT_FORMAT_LIMIT);
    if (as_int)
        put_int_body(&body, x);
    else
        put_float_body(&body, &s, x);

    /* Python never shows a NaN's sign, and an integer has no negative zero. */
    bool negative = as_int ? x < 0 : (signbit(x) && !isnan(x));
    char sign = negative ? '-' : (s.sign == '+' || s.sign == ' ') ? s.sign : 0;
    long ndigits = 0;
    while (is_digit(body.data[ndigits])) ndigits++;
    put_number_padded(out, &s, sign, body.data, ndigits, body.data + ndigits);
    sb_free(&body);
    return true;
}

/* ------------------------------------------------------------------------------------------------
 * Strings */

bool fmt_string(StrBuf *out, const char *spec, size_t speclen, const char *str, size_t len,
                char *err, size_t errlen) {
    Spec s;
    if (!parse_spec(&s, spec, speclen, false, err, errlen)) return false;
    int shown = shown_len(spec, speclen);
    const char *problem = NULL;
    if (s.type && s.type != 's')
        problem = "is for numbers";
    else if (s.align == '=')
        problem = "cannot use '=' alignment";
    else if (s.sign)
        problem = "cannot have a sign";
    else if (s.alt)
        problem = "cannot use '#'";
    else if (s.group)
        problem = "cannot use grouping";
    if (problem) {
        fail(err, errlen, "format: {:%.*s} %s, got a string", shown, spec, problem);
        return false;
    }

    if (s.precision >= 0) len = utf8_prefix(str, len, s.precision);
    long pad = s.width - utf8_count(str, len);
    long left = 0, right = 0;
    if (pad > 0) {
        if (s.align == '>')
            left = pad;
        else if (s.align == '^')
            left = pad / 2, right = pad - left;
        else
            right = pad;
    }
    put_repeat(out, s.fill, s.fill_len, left);
    sb_put(out, str, len);
    put_repeat(out, s.fill, s.fill_len, right);
    return true;
}

/* ------------------------------------------------------------------------------------------------
 * Templates */

typedef enum { NUMBERING_NONE, NUMBERING_AUTO, NUMBERING_MANUAL } Numbering;

/* Resolves a field name ("" or digits) to an argument index; false with a message otherwise. */
static bool field_index(const char *name, size_t len, int nargs, Numbering *mode, int *next_auto,
                        int *index, char *err, size_t errlen) {
    long idx = 0;
    if (len == 0) {
        if (*mode == NUMBERING_MANUAL) goto mixed;
        *mode = NUMBERING_AUTO;
        idx = (*next_auto)++;
    } else {
        for (size_t i = 0; i < len; i++) {
            if (!is_digit(name[i])) {
                fail(err, errlen, "format: named fields are not supported; use {} or {0}");
                return false;
            }
            if (idx <= INT_MAX) idx = idx * 10 + (name[i] - '0');
        }
        if (*mode == NUMBERING_AUTO) goto mixed;
        *mode = NUMBERING_MANUAL;
    }
    if (idx >= nargs) {
        int shown = len ? (int)(len <= 20 ? len : 20) : 0;
        if (len)
            fail(err, errlen, "format: field {%.*s} but ", shown, name);
        else
            fail(err, errlen, "format: field {%ld} but ", idx);
        size_t used = err && errlen ? strlen(err) : 0;
        if (nargs == 0)
            fail(err + used, errlen - used, "no arguments");
        else
            fail(err + used, errlen - used, "only %d argument%s", nargs, nargs == 1 ? "" : "s");
        return false;
    }
    *index = (int)idx;
    return true;
mixed:
    fail(err, errlen, "format: cannot mix automatic {} and numbered {0} fields");
    return false;
}

/* Expands one "{…}" whose text (without braces) is field; renders it into out. */
static bool expand_field(StrBuf *out, const char *field, size_t len, int nargs, Numbering *mode,
                         int *next_auto, FmtArgRenderer render, void *ctx, char *err, size_t errlen) {
    size_t name_end = 0;
    while (name_end < len && field[name_end] != ':' && field[name_end] != '!') name_end++;
    if (name_end < len && field[name_end] == '!') {
        fail(err, errlen, "format: conversions like {!r} are not supported");
        return false;
    }
    int index;
    if (!field_index(field, name_end, nargs, mode, next_auto, &index, err, errlen)) return false;
    const char *spec = name_end < len ? field + name_end + 1 : field + len;
    size_t speclen = name_end < len ? len - name_end - 1 : 0;
    return render(ctx, index, spec, speclen, out, err, errlen);
}

bool fmt_template(StrBuf *out, const char *tmpl, size_t len, int nargs, FmtArgRenderer render,
                  void *ctx, char *err, size_t errlen) {
    size_t start = out->len;
    Numbering mode = NUMBERING_NONE;
    int next_auto = 0;
    size_t i = 0;
    while (i < len) {
        char c = tmpl[i];
        if (c != '{' && c != '}') { /* a run of literal text */
            size_t j = i;
            while (j < len && tmpl[j] != '{' && tmpl[j] != '}') j++;
            sb_put(out, tmpl + i, j - i);
            i = j;
            continue;
        }
        if (i + 1 < len && tmpl[i + 1] == c) { /* "{{" or "}}" */
            sb_putc(out, c);
            i += 2;
            continue;
        }
        if (c == '}') {
            fail(err, errlen, "format: single '}' in template");
            goto error;
        }
        size_t j = i + 1;
        while (j < len && tmpl[j] != '}' && tmpl[j] != '{') j++;
        if (j >= len) {
            fail(err, errlen, "format: '{' is not closed");
            goto error;
        }
        if (tmpl[j] == '{') {
            fail(err, errlen, "format: nested fields like {:{}} are not supported");
            goto error;
        }
        if (!expand_field(out, tmpl + i + 1, j - i - 1, nargs, &mode, &next_auto, render, ctx, err,
                          errlen))
            goto error;
        i = j + 1;
    }
    return true;
error:
    sb_truncate(out, start);
    return false;
}
