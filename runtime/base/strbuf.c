/* strbuf.c — growable byte strings. They grow through the memory check (mem.h): running out
 * ends the run with an error at its place. */
#include "strbuf.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sb_reserve(StrBuf *sb, size_t extra) {
    MEM_GROW_FROM(sb->data, sb->cap, sb->len + extra + 1, 64);
}

void sb_init(StrBuf *sb) { sb->data = NULL, sb->len = 0, sb->cap = 0; }

void sb_free(StrBuf *sb) {
    free(sb->data);
    sb_init(sb);
}

void sb_clear(StrBuf *sb) {
    sb->len = 0;
    if (sb->data) sb->data[0] = '\0';
}

void sb_put(StrBuf *sb, const char *s, size_t len) {
    sb_reserve(sb, len);
    if (len) memcpy(sb->data + sb->len, s, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void sb_putc(StrBuf *sb, char c) { sb_put(sb, &c, 1); }

void sb_puts(StrBuf *sb, const char *s) { sb_put(sb, s, strlen(s)); }

void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return;
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(StrBuf *sb, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *sb_take(StrBuf *sb) {
    sb_reserve(sb, 0);
    sb->data[sb->len] = '\0'; /* a buffer nothing was put in has no terminator yet */
    char *p = sb->data;
    sb_init(sb);
    return p;
}
