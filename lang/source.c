/* source.c — loading program text, byte offsets to line:column, and caret diagnostics. */
#define _POSIX_C_SOURCE 200809L
#include "source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"

#define DIAG_MAX_LINE 200 /* longer source lines are shown as a window around the caret */
#define DIAG_BEFORE 60    /* bytes of context kept before the caret in a window */
#define DIAG_WINDOW 150   /* bytes shown in a window */

static Source *source_new(const char *name, char *text, size_t len)
{
    Source *src = mem_alloc(sizeof *src);
    src->name = mem_strdup(name ? name : "<input>");
    src->text = text;
    src->len = (uint32_t)len;
    return src;
}

/* Bytes to skip at the start of a program: a UTF-8 byte order mark, which some editors write. */
static size_t bom_len(const char *text, size_t len)
{
    return len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

Source *source_from_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    /* A file known to be too large is refused before any of it is read; a device or a pipe
     * (/dev/zero) is read only up to the limit. */
    struct stat st;
    bool too_large = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > SOURCE_MAX_BYTES;
    size_t cap = 0, len = 0;
    char *text = NULL;
    int read_errno = 0;
    while (!too_large) {
        if (len + 1 >= cap) {
            if (len > SOURCE_MAX_BYTES) {
                too_large = true;
                break;
            }
            MEM_GROW_FROM(text, cap, len + 2, 4096);
        }
        size_t n = fread(text + len, 1, cap - 1 - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                read_errno = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    if (len > SOURCE_MAX_BYTES)
        too_large = true;
    if (read_errno || too_large) {
        if (err && errlen) {
            if (too_large)
                snprintf(err, errlen, "cannot read '%s': a program may be at most %s; this one is larger", path,
                         SOURCE_MAX_TEXT);
            else
                snprintf(err, errlen, "cannot read '%s': %s", path, strerror(read_errno));
        }
        free(text);
        return NULL;
    }
    size_t skip = bom_len(text, len);
    if (skip)
        memmove(text, text + skip, (len -= skip) + 1);
    text[len] = '\0';
    return source_new(path, text, len);
}

Source *source_from_string(const char *name, const char *text, size_t len)
{
    size_t skip = bom_len(text, len);
    text += skip, len -= skip;
    if (len >= (size_t)UINT32_MAX)
        return NULL;
    char *copy = mem_alloc(len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return source_new(name, copy, len);
}

void source_free(Source *src)
{
    if (!src)
        return;
    free(src->name);
    free(src->text);
    free(src);
}

void source_line_col(const Source *src, uint32_t offset, int *line, int *col)
{
    int ln = 1;
    uint32_t line_start = 0;
    if (offset > src->len)
        offset = src->len;
    for (uint32_t i = 0; i < offset; i++) {
        if (src->text[i] == '\n') {
            ln++;
            line_start = i + 1;
        }
    }
    if (line)
        *line = ln;
    if (col)
        *col = (int)(offset - line_start) + 1;
}

Span span_join(Span a, Span b)
{
    Span s = a;
    if (!s.src)
        s.src = b.src;
    if (b.start < s.start)
        s.start = b.start;
    if (b.end > s.end)
        s.end = b.end;
    return s;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 if invalid. */
static int utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    int len;
    unsigned min;
    if (c < 0x80)
        return c == 0 ? 0 : 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)len > n)
        return 0;
    unsigned cp = c & (0x7Fu >> len);
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void diag_print(FILE *out, Span span, const char *message)
{
    const Source *src = span.src;
    if (!src) {
        fprintf(out, "error: %s\n", message);
        return;
    }
    uint32_t start = span.start, end = span.end;
    if (start > src->len)
        start = src->len;
    if (end < start)
        end = start;
    if (end > src->len)
        end = src->len;
    if (start == src->len) {
        /* at end of input: point just past the last visible character */
        while (start > 0) {
            char c = src->text[start - 1];
            if (c != '\n' && c != '\r' && c != ' ' && c != '\t' && c != '\f' && c != '\v')
                break;
            start--;
        }
        end = start;
    }
    int line, col;
    source_line_col(src, start, &line, &col);
    fprintf(out, "%s:%d:%d: error: %s\n", src->name, line, col, message);

    const unsigned char *text = (const unsigned char *)src->text;
    uint32_t ls = start - (uint32_t)(col - 1), le = start;
    while (le < src->len && text[le] != '\n')
        le++;
    uint32_t tail_end = end < le ? end : le; /* span part on this line */
    if (le > ls && text[le - 1] == '\r')
        le--; /* don't print a CR of a CRLF line */

    /* the shown window [ws, we) of the line */
    uint32_t ws = ls, we = le;
    bool dots_before = false, dots_after = false;
    if (le - ls > DIAG_MAX_LINE) {
        if (start - ls > DIAG_BEFORE) {
            ws = start - DIAG_BEFORE;
            while (ws < start && (text[ws] & 0xC0) == 0x80)
                ws++;
            dots_before = true;
        }
        if (le - ws > DIAG_WINDOW) {
            we = ws + DIAG_WINDOW;
            if (we < start + 1)
                we = start + 1;
            while (we < le && (text[we] & 0xC0) == 0x80)
                we++;
            dots_after = we < le;
        }
    }
    if (tail_end > we)
        tail_end = we;

    if (dots_before)
        fputs("...", out);
    for (uint32_t i = ws; i < we;) {
        unsigned c = text[i];
        if (c == '\t' || (c >= 0x20 && c < 0x7F)) {
            fputc((int)c, out);
            i++;
            continue;
        }
        int n = c >= 0x80 ? utf8_len(text + i, we - i) : 0;
        if (n > 0) {
            fwrite(text + i, 1, (size_t)n, out);
            i += (uint32_t)n;
        } else {
            fputc('?', out);
            i++;
        }
    }
    if (dots_after)
        fputs("...", out);
    fputc('\n', out);

    /* the caret line: one column per character shown */
    if (dots_before)
        fputs("   ", out);
    uint32_t i = ws;
    while (i < start && i < we) {
        unsigned c = text[i];
        fputc(c == '\t' ? '\t' : ' ', out);
        int n = c >= 0x80 ? utf8_len(text + i, we - i) : 0;
        i += n > 0 ? (uint32_t)n : 1;
    }
    fputc('^', out);
    if (i < we) {
        int n = text[i] >= 0x80 ? utf8_len(text + i, we - i) : 0;
        i += n > 0 ? (uint32_t)n : 1;
    }
    while (i < tail_end) {
        fputc('~', out);
        int n = text[i] >= 0x80 ? utf8_len(text + i, we - i) : 0;
        i += n > 0 ? (uint32_t)n : 1;
    }
    fputc('\n', out);
}

void sq_error_vset(SqError *e, Span span, const char *fmt, va_list ap)
{
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    e->span = span;
    e->at_end = false;
    e->set = true;
}

void sq_error_set(SqError *e, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sq_error_vset(e, span, fmt, ap);
    va_end(ap);
}

void sq_error_print(FILE *out, const SqError *e)
{
    if (!e->set)
        return;
    if (e->span.src)
        diag_print(out, e->span, e->message);
    else
        fprintf(out, "sqc: error: %s\n", e->message);
}
