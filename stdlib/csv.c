/* csv.c — RFC 4180 field quoting. */
#include "csv.h"

#include <stdbool.h>

void csv_field(StrBuf *out, const char *s, size_t len) {
    bool quote = false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = true;
    if (!quote) {
        sb_put(out, s, len);
        return;
    }
    sb_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') sb_putc(out, '"');
        sb_putc(out, s[i]);
    }
    sb_putc(out, '"');
}
