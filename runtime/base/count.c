/* count.c — parse "10K", "1M", "100_000" into a whole number, and "2G" into bytes. */
#include "count.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Digits with single `_` between two digits ("10_000"), a '.' part and an exponent: what strtod
 * reads, less hex, inf, nan, signs and blanks. */
static bool plain_decimal(const char *s) {
    const char *p = s;
    bool digits = false;
    while ((*p >= '0' && *p <= '9') || (*p == '_' && digits && p[1] >= '0' && p[1] <= '9')) digits |= *p++ != '_';
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits = true;
    }
    if (!digits) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    return !*p;
}

bool count_parse(const char *text, double *out) {
    char digits[64];
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (n + 1 >= sizeof digits) return false;
        digits[n++] = *p;
    }
    digits[n] = '\0';
    if (!n) return false;
    double scale = 1;
    switch (digits[n - 1]) {
    case 'k': case 'K': scale = 1e3; break;
    case 'M': scale = 1e6; break;
    case 'B': scale = 1e9; break;
    }
    if (scale != 1) digits[--n] = '\0';
    if (!plain_decimal(digits)) return false; /* strtod alone would also take "inf", "-1", hex */
    size_t kept = 0;
    for (size_t i = 0; digits[i]; i++)
        if (digits[i] != '_') digits[kept++] = digits[i];
    digits[kept] = '\0';
    char *end;
    errno = 0;
    double x = strtod(digits, &end);
    if (*end || errno || !(x >= 0)) return false;
    x *= scale;
    if (x > 18446744073709549568.0 || x != floor(x)) return false;
    *out = x;
    return true;
}

bool bytes_parse(const char *text, double *out) {
    size_t n = strlen(text);
    if (!n || n >= 64) return false;
    char digits[64];
    memcpy(digits, text, n + 1);
    double scale = 1;
    switch (digits[n - 1]) {
    case 'k': case 'K': scale = 1e3; break;
    case 'M': scale = 1e6; break;
    case 'G': scale = 1e9; break;
    case 'T': scale = 1e12; break;
    }
    if (scale != 1) digits[--n] = '\0';
    if (!plain_decimal(digits) || strchr(digits, '_')) return false;
    char *end;
    errno = 0;
    double x = strtod(digits, &end) * scale;
    if (*end || errno || !(x >= 1) || !isfinite(x)) return false;
    *out = x;
    return true;
}
