/* read_csv.c — read_csv(path): a CSV file as a list of records (docs/language.md, "Data in").
 * The file is read through a fixed buffer, one row at a time, so memory holds the records
 * being built and one row's text, never the whole file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry.h"
#include "mem.h"

#define MAX_ROWS 10000000 /* a list's limit */

typedef struct Reader {
    FILE *fp;
    size_t pos, len;
    bool eof, failed;
    int err; /* errno of a failed read */
    unsigned char buf[1 << 16];
} Reader;

static int rd_get(Reader *r) {
    if (r->pos == r->len) {
        if (r->eof) return EOF;
        errno = 0;
        r->len = fread(r->buf, 1, sizeof r->buf, r->fp);
        r->pos = 0;
        if (r->len == 0) {
            r->eof = true;
            if (ferror(r->fp)) r->failed = true, r->err = errno;
            return EOF;
        }
    }
    return r->buf[r->pos++];
}

/* One row's fields: their text back to back in `text`, each an offset and length. */
typedef struct Field {
    size_t start, len;
    bool quoted;
} Field;

typedef struct Row {
    StrBuf text;
    Field *f;
    int n, cap;
    long line; /* where the row starts */
} Row;

typedef enum { ROW_OK, ROW_END, ROW_ERROR } RowStatus;

typedef struct Csv {
    Args *a;
    const char *path;
    Reader *r;
    long line; /* the line being read, from 1 */
} Csv;

static bool csv_error(Csv *c, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool csv_error(Csv *c, long line, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return arg_error(c->a, 0, "%s, line %ld: %s", c->path, line, msg);
}

static void row_push(Row *row, size_t start, bool quoted) {
    MEM_GROW(row->f, row->cap, (size_t)row->n + 1);
    row->f[row->n++] = (Field){start, row->text.len - start, quoted};
}

/* Reads one row (RFC 4180: fields split by commas, a row ended by CRLF or LF; a quoted field
 * may hold commas, line breaks and "" for a quote). */
static RowStatus read_row(Csv *c, Row *row) {
    Reader *r = c->r;
    row->n = 0;
    sb_clear(&row->text);
    row->line = c->line;
    int ch = rd_get(r);
    if (ch == EOF) return ROW_END;
    for (;;) {
        size_t start = row->text.len;
        bool quoted = ch == '"';
        if (quoted) {
            long opened = c->line;
            for (;;) {
                ch = rd_get(r);
                if (ch == EOF) {
                    if (r->failed) return ROW_END;
                    csv_error(c, opened, "a quoted field is never closed (a \" opens it on this line and no \" ends it)");
                    return ROW_ERROR;
                }
                if (ch == '"') {
                    ch = rd_get(r);
                    if (ch != '"') break;
                } else if (ch == '\n') {
                    c->line++;
                }
                sb_putc(&row->text, (char)ch);
            }
            if (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
                csv_error(c, c->line, "text after a closing quote in field %d: inside a quoted field write \"\" for a quote",
                          row->n + 1);
                return ROW_ERROR;
            }
        } else {
            while (ch != ',' && ch != '\n' && ch != '\r' && ch != EOF) {
                if (ch == '"') {
                    csv_error(c, c->line, "a quote inside unquoted field %d: quote the whole field and write \"\" for a quote",
                              row->n + 1);
                    return ROW_ERROR;
                }
                sb_putc(&row->text, (char)ch);
                ch = rd_get(r);
            }
        }
        row_push(row, start, quoted);
        if (ch == ',') {
            ch = rd_get(r);
            continue;
        }
        if (ch == '\r') {
            ch = rd_get(r);
            if (ch != '\n' && ch != EOF) r->pos--; /* a lone CR ends the row too */
        }
        if (ch != EOF) c->line++;
        return r->failed ? ROW_END : ROW_OK;
    }
}

/* The length of a valid UTF-8 text's prefix: len when all of it is valid. */
static size_t utf8_valid_prefix(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0) return i;
            i++;
            continue;
        }
        int n = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 ? (c <= 0xEF ? 2 : -1) : c >= 0xC2 ? 1 : -1;
        if (n < 0 || i + (size_t)n >= len) return i; /* a bad lead byte, or cut short */
        unsigned c1 = s[i + 1];
        if ((c1 & 0xC0) != 0x80) return i;
        if (c == 0xE0 && c1 < 0xA0) return i;  /* overlong */
        if (c == 0xED && c1 > 0x9F) return i;  /* surrogates */
        if (c == 0xF0 && c1 < 0x90) return i;  /* overlong */
        if (c == 0xF4 && c1 > 0x8F) return i;  /* above U+10FFFF */
        for (int k = 2; k <= n; k++)
            if ((s[i + (size_t)k] & 0xC0) != 0x80) return i;
        i += (size_t)n + 1;
    }
    return len;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* Digits as the language writes them: 1_000 (an underscore between two digits). */
static size_t scan_digits(const char *s, size_t i, size_t len) {
    if (i >= len || !is_digit(s[i])) return i;
    i++;
    while (i < len && (is_digit(s[i]) || (s[i] == '_' && i + 1 < len && is_digit(s[i + 1])))) i++;
    return i;
}

/* Digits grouped by thousands: 1,234,567 (1 to 3 digits, then groups of 3). */
static size_t scan_grouped(const char *s, size_t i, size_t len) {
    size_t j = i;
    while (j < len && is_digit(s[j]) && j - i < 3) j++;
    if (j == i || j >= len || s[j] != ',') return i;
    while (j + 3 < len && s[j] == ',' && is_digit(s[j + 1]) && is_digit(s[j + 2]) && is_digit(s[j + 3])) j += 4;
    return j;
}

/* A field that is a number: [+-] digits [. digits] [e [+-] digits], digits as the language's
 * (1_000), or, in a quoted field, with thousands separators (1,234.5). Returns 1 and the value,
 * 0 when the text is not a number, -1 when it is one too large for a double. */
static int parse_number(const char *s, size_t len, bool quoted, double *out) {
    size_t i = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) i++;
    size_t int_start = i, j = quoted ? scan_grouped(s, i, len) : i;
    bool grouped = j > i;
    i = grouped ? j : scan_digits(s, i, len);
    if (i == int_start) return 0;
    if (i < len && s[i] == '.' && i + 1 < len && is_digit(s[i + 1])) i = scan_digits(s, i + 1, len);
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t k = i + 1;
        if (k < len && (s[k] == '+' || s[k] == '-')) k++;
        if (k < len && is_digit(s[k])) i = scan_digits(s, k, len);
        else return 0;
    }
    if (i != len) return 0;
    char small[64], *buf = len < sizeof small ? small : mem_alloc(len + 1);
    size_t o = 0;
    for (size_t k = 0; k < len; k++)
        if (s[k] != '_' && s[k] != ',') buf[o++] = s[k];
    buf[o] = '\0';
    double v = strtod(buf, NULL);
    if (buf != small) free(buf);
    if (isinf(v)) return -1;
    *out = v;
    return 1;
}

/* Repeated text in a column (a category, a region) shares one string: a small table per
 * column, indexed by a hash of the text, holds the last string seen in each slot. */
#define SHARE_SLOTS 64
#define SHARE_MAX_LEN 64

static Value shared_str(SqString **slots, const char *t, size_t len) {
    if (len > SHARE_MAX_LEN) return val_str(t, len);
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)t[i]) * 16777619u;
    SqString **slot = &slots[(h ^ (h >> 16)) % SHARE_SLOTS];
    if (*slot && (*slot)->len == len && memcmp((*slot)->bytes, t, len) == 0) {
        (*slot)->refs++;
        return val_str_take(*slot);
    }
    sqstr_release(*slot);
    *slot = sqstr_new(t, len);
    (*slot)->refs++;
    return val_str_take(*slot);
}

static const char *field_text(const Row *row, int i) { return row->text.data ? row->text.data + row->f[i].start : ""; }

/* Checks a row's text: valid UTF-8 and no NUL byte. */
static bool check_text(Csv *c, const Row *row) {
    const unsigned char *s = (const unsigned char *)(row->text.data ? row->text.data : "");
    size_t n = utf8_valid_prefix(s, row->text.len);
    if (n == row->text.len) return true;
    int field = 0;
    while (field + 1 < row->n && row->f[field + 1].start <= n) field++;
    /* the line of the bad byte: the row's first line plus the line breaks before it */
    long line = row->line;
    for (size_t k = 0; k < n; k++) line += s[k] == '\n';
    if (s[n] == 0)
        return csv_error(c, line, "field %d holds a NUL byte (is this a text file?)", field + 1);
    return csv_error(c, line, "field %d is not valid UTF-8 (byte 0x%02X): save the file as UTF-8", field + 1, s[n]);
}

static bool read_rows(Csv *c, Row *row, Value *out) {
    if (read_row(c, row) != ROW_OK) {
        if (c->r->failed) goto read_failed;
        if (row->n == 0 && !c->r->failed) return csv_error(c, 1, "the file is empty: a CSV needs a header row of column names");
        return false;
    }
    /* the header: a UTF-8 byte order mark before it is not part of the first name */
    if (!check_text(c, row)) return false;
    int ncols = row->n;
    SqString **keys = mem_calloc((size_t)ncols, sizeof *keys);
    bool ok = true;
    for (int k = 0; k < ncols && ok; k++) {
        const char *t = field_text(row, k);
        size_t len = row->f[k].len;
        if (k == 0 && len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) t += 3, len -= 3;
        if (len == 0) {
            ok = csv_error(c, row->line, "column %d of the header has no name: every column needs one", k + 1);
            break;
        }
        for (int p = 0; p < k; p++)
            if (keys[p]->len == len && memcmp(keys[p]->bytes, t, len) == 0) {
                ok = csv_error(c, row->line, "the header names the column \"%.*s\" twice (columns %d and %d)", (int)len,
                               t, p + 1, k + 1);
                break;
            }
        if (ok) keys[k] = sqstr_new(t, len);
    }
    SqString **share = mem_calloc((size_t)ncols * SHARE_SLOTS, sizeof *share);
    Value list = val_list_new(0);
    while (ok) {
        RowStatus st = read_row(c, row);
        if (st == ROW_ERROR) {
            ok = false;
            break;
        }
        if (st == ROW_END) {
            if (c->r->failed) goto read_failed_list;
            break;
        }
        if (row->n == 1 && row->f[0].len == 0 && !row->f[0].quoted && ncols > 1) continue; /* a blank line */
        if (!check_text(c, row)) {
            ok = false;
            break;
        }
        if (row->n != ncols) {
            ok = csv_error(c, row->line, "this row has %d field%s, but the header has %d column%s", row->n,
                           row->n == 1 ? "" : "s", ncols, ncols == 1 ? "" : "s");
            break;
        }
        if (list.as.list->len >= MAX_ROWS) {
            ok = csv_error(c, row->line, "more than 10M rows, the limit of a list");
            break;
        }
        Value rec = val_record_new();
        for (int k = 0; k < ncols; k++) {
            const char *t = field_text(row, k);
            size_t len = row->f[k].len;
            Value v;
            double x;
            int num = len ? parse_number(t, len, row->f[k].quoted, &x) : 0;
            if (num < 0) {
                value_release(rec);
                ok = csv_error(c, row->line, "column \"%s\": %.*s is too large for a number (above 1.8e308)",
                               keys[k]->bytes, len > 40 ? 40 : (int)len, t);
                break;
            }
            v = len == 0 ? val_nil() : num ? val_num(x) : shared_str(share + (size_t)k * SHARE_SLOTS, t, len);
            SqRecord *r = rec.as.rec;
            record_set(r, keys[k]->bytes, keys[k]->len, v);
            /* every row's record shares the header's key strings (the keys are distinct, so the
             * field was appended last): a million rows hold one copy of each name */
            sqstr_release(r->keys[r->len - 1]);
            keys[k]->refs++;
            r->keys[r->len - 1] = keys[k];
        }
        if (!ok) break;
        list_push(list.as.list, rec);
    }
    for (size_t k = 0; k < (size_t)ncols * SHARE_SLOTS; k++) sqstr_release(share[k]);
    free(share);
    for (int k = 0; k < ncols; k++) sqstr_release(keys[k]);
    free(keys);
    if (!ok) {
        value_release(list);
        return false;
    }
    *out = list;
    return true;
read_failed_list:
    for (size_t k = 0; k < (size_t)ncols * SHARE_SLOTS; k++) sqstr_release(share[k]);
    free(share);
    for (int k = 0; k < ncols; k++) sqstr_release(keys[k]);
    free(keys);
    value_release(list);
read_failed:
    return arg_error(c->a, 0, "cannot read \"%s\": %s", c->path, strerror(c->r->err ? c->r->err : EIO));
}

static bool fn_read_csv(Args *a, Value *out) {
    const SqString *path;
    if (!need_str(a, 0, &path)) return false;
    if (strlen(path->bytes) != path->len) return arg_error(a, 0, "the path holds a NUL byte");
    if (path->len == 0) return arg_error(a, 0, "the path is empty: write the name of a CSV file");
    FILE *fp = fopen(path->bytes, "rb");
    if (!fp) {
        int e = errno;
        return arg_error(a, 0, "cannot open \"%s\": %s%s", path->bytes, strerror(e),
                         e == ENOENT ? " (a relative path is read from the current folder)" : "");
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return arg_error(a, 0, "\"%s\" is a folder, not a CSV file", path->bytes);
    }
    Reader *r = mem_calloc(1, sizeof *r);
    r->fp = fp;
    Csv c = {.a = a, .path = path->bytes, .r = r, .line = 1};
    Row row = {0};
    sb_init(&row.text);
    bool ok = read_rows(&c, &row, out);
    sb_free(&row.text);
    free(row.f);
    free(r);
    fclose(fp);
    return ok;
}

const BuiltinDef builtins_read_csv[] = {
    BUILTIN("read_csv", "path", "data",
     "a CSV file as a list of records (header keys in order; numbers, nil for empty, else strings)", fn_read_csv),
    {.name = NULL},
};
