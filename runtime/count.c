/* count.c — parse "10K", "1M", "100_000" into a whole number. */
#include "count.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

bool count_parse(const char *text, double *out) {
    char digits[64];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof digits; p++)
        if (*p != '_') digits[n++] = *p;
    digits[n] = '\0';
    if (!n) return false;
    double scale = 1;
    switch (digits[n - 1]) {
    case 'k': case 'K': scale = 1e3; break;
    case 'M': scale = 1e6; break;
    case 'B': scale = 1e9; break;
    }
    if (scale != 1) digits[--n] = '\0';
    /* strtod alone would also take "inf", "nan", "-1" and hex */
    if (!n || !(isdigit((unsigned char)digits[0]) || digits[0] == '.')) return false;
    char *end;
    errno = 0;
    double x = strtod(digits, &end);
    if (*end || errno || !(x >= 0)) return false;
    x *= scale;
    if (x > 18446744073709549568.0 || x != floor(x)) return false;
    *out = x;
    return true;
}
