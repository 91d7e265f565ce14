/* text_escape.c — text for SVG (XML) and JSON (text_escape.h). */
#include "text_escape.h"

/* Length of the valid UTF-8 sequence at s (at most len bytes) and its code point; 0 if invalid. */
static int utf8_decode(const unsigned char *s, size_t len, unsigned *cp) {
    unsigned c = s[0];
    if (c < 0x80) return *cp = c, 1;
    int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (c >= 0xF5) n = 0;
    if (!n || (size_t)n > len) return 0;
    unsigned v = c & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

void xml_escape(StrBuf *out, const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        int n = utf8_decode(u + i, len - i, &cp);
        if (!n || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF) {
            sb_puts(out, REPLACEMENT);
            i += n ? (size_t)n : 1;
            continue;
        }
        switch (cp) {
        case '&': sb_puts(out, "&amp;"); break;
        case '<': sb_puts(out, "&lt;"); break;
        case '>': sb_puts(out, "&gt;"); break;
        case '"': sb_puts(out, "&quot;"); break;
        case '\'': sb_puts(out, "&apos;"); break;
        default: sb_put(out, s + i, (size_t)n);
        }
        i += (size_t)n;
    }
}

void json_escape(StrBuf *out, const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    sb_putc(out, '"');
    for (size_t i = 0; i < len;) {
        unsigned cp;
        int n = utf8_decode(u + i, len - i, &cp);
        if (!n) {
            sb_puts(out, "\\ufffd");
            i++;
            continue;
        }
        switch (cp) {
        case '"': sb_puts(out, "\\\""); break;
        case '\\': sb_puts(out, "\\\\"); break;
        case '\n': sb_puts(out, "\\n"); break;
        case '\r': sb_puts(out, "\\r"); break;
        case '\t': sb_puts(out, "\\t"); break;
        case '\b': sb_puts(out, "\\b"); break;
        case '\f': sb_puts(out, "\\f"); break;
        default:
            if (cp < 0x20) sb_printf(out, "\\u%04x", cp);
            else sb_put(out, s + i, (size_t)n);
        }
        i += (size_t)n;
    }
    sb_putc(out, '"');
}
