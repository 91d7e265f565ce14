/* serve.c — `sqc --serve`: one REPL session driven through a pipe, for the Jupyter kernel
 * (docs/jupyter.md, "The protocol"). Requests come on standard input and replies go to standard
 * output, one JSON object per line each, in order: a reply for every request.
 *
 * Output. What a cell prints (print, hist, :help, notes on standard error) is caught at the file
 * descriptors: 1 and 2 point at two unlinked temporary files for the whole session and the replies
 * go to a copy of the original standard output. So everything the session writes, from any layer,
 * ends up in the cell's outputs, in order: the text written so far is cut into a stream item
 * whenever a chart or a value is shown.
 *
 * Interrupts. SIGINT (the notebook's stop button; the kernel forwards it) sets the session's stop
 * request, as Ctrl-C does in the REPL: the cell stops with nothing of it kept. It never ends sqc:
 * a kernel restart does that. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "serve.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "strbuf.h"
#include "text_escape.h"

#ifndef SQC_VERSION
#define SQC_VERSION "0.1.0"
#endif

typedef struct Serve {
    SqcInterp *interp;
    SqcSession *r;
    FILE *reply;    /* the original standard output */
    StrBuf items;   /* the reply's "outputs" array, items comma-separated */
    int nitems;
    StrBuf diag;    /* the cell's error, as sqc writes it (sqc_set_errors) */
} Serve;

static SqcInterp *the_interp; /* for the signal handler */

static void on_sigint(int sig) {
    (void)sig;
    sqc_interrupt(the_interp);
}

/* ---------- requests: a flat JSON object of strings and whole numbers ---------- */

typedef struct Request {
    char *op, *code, *name;
    size_t code_len;
    long cursor;
} Request;

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    return p;
}

static int hex4(const char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static void put_utf8(StrBuf *o, unsigned cp) {
    if (cp < 0x80) sb_putc(o, (char)cp);
    else if (cp < 0x800) sb_putc(o, (char)(0xC0 | cp >> 6)), sb_putc(o, (char)(0x80 | (cp & 0x3F)));
    else if (cp < 0x10000)
        sb_putc(o, (char)(0xE0 | cp >> 12)), sb_putc(o, (char)(0x80 | (cp >> 6 & 0x3F))), sb_putc(o, (char)(0x80 | (cp & 0x3F)));
    else
        sb_putc(o, (char)(0xF0 | cp >> 18)), sb_putc(o, (char)(0x80 | (cp >> 12 & 0x3F))),
            sb_putc(o, (char)(0x80 | (cp >> 6 & 0x3F))), sb_putc(o, (char)(0x80 | (cp & 0x3F)));
}

/* A JSON string at p (at its '"') into o; returns the end, or NULL when malformed. */
static const char *json_string(const char *p, StrBuf *o) {
    if (*p++ != '"') return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"') return p;
        if (c == '\0') return NULL;
        if (c != '\\') {
            sb_putc(o, (char)c);
            continue;
        }
        c = (unsigned char)*p++;
        switch (c) {
        case '"': case '\\': case '/': sb_putc(o, (char)c); break;
        case 'b': sb_putc(o, '\b'); break;
        case 'f': sb_putc(o, '\f'); break;
        case 'n': sb_putc(o, '\n'); break;
        case 'r': sb_putc(o, '\r'); break;
        case 't': sb_putc(o, '\t'); break;
        case 'u': {
            int cp = hex4(p);
            if (cp < 0) return NULL;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u') { /* a surrogate pair */
                int lo = hex4(p + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            put_utf8(o, cp >= 0xD800 && cp < 0xE000 ? 0xFFFD : (unsigned)cp);
            break;
        }
        default: return NULL;
        }
    }
}

static char *take(StrBuf *b, size_t *len) {
    if (len) *len = b->len;
    return sb_take(b); /* "" when nothing was put: a request's empty string */
}

/* Parses one request line; false when it is not a JSON object of strings and numbers. */
static bool request_parse(const char *line, Request *rq) {
    *rq = (Request){.cursor = -1};
    const char *p = skip_ws(line);
    if (*p++ != '{') return false;
    p = skip_ws(p);
    if (*p == '}') return true;
    for (;;) {
        StrBuf key, val;
        sb_init(&key), sb_init(&val);
        p = json_string(skip_ws(p), &key);
        if (!p || *(p = skip_ws(p)) != ':') return sb_free(&key), false;
        p = skip_ws(p + 1);
        if (*p == '"') {
            p = json_string(p, &val);
            if (!p) return sb_free(&key), sb_free(&val), false;
            const char *k = key.data ? key.data : "";
            if (!strcmp(k, "op")) free(rq->op), rq->op = take(&val, NULL);
            else if (!strcmp(k, "code")) free(rq->code), rq->code = take(&val, &rq->code_len);
            else if (!strcmp(k, "name")) free(rq->name), rq->name = take(&val, NULL);
            sb_free(&val);
        } else if (*p == '-' || isdigit((unsigned char)*p)) {
            char *end;
            long v = strtol(p, &end, 10);
            while (*end && strchr("0123456789.eE+-", *end)) end++;
            if (key.data && !strcmp(key.data, "cursor")) rq->cursor = v;
            p = end;
        } else if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4)) {
            p += 4;
        } else if (!strncmp(p, "false", 5)) {
            p += 5;
        } else {
            return sb_free(&key), false;
        }
        sb_free(&key);
        p = skip_ws(p);
        if (*p == '}') return true;
        if (*p++ != ',') return false;
    }
}

static void request_free(Request *rq) { free(rq->op), free(rq->code), free(rq->name); }

/* ---------- replies ---------- */

static void json_str(StrBuf *o, const char *s, size_t len) { json_escape(o, s ? s : "", s ? len : 0); }

static void send_reply(Serve *S, const StrBuf *body) {
    fwrite(body->data, 1, body->len, S->reply);
    fputc('\n', S->reply);
    fflush(S->reply);
}

/* ---------- what the session writes: fds 1 and 2 ---------- */

static bool capture(int fd) {
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/sqc-serve-XXXXXX", dir && *dir ? dir : "/tmp");
    int t = mkstemp(path);
    if (t < 0) return false;
    unlink(path);
    fcntl(t, F_SETFL, fcntl(t, F_GETFL) | O_APPEND); /* writes go to the end, wherever it is */
    bool ok = dup2(t, fd) == fd;
    close(t);
    return ok;
}

/* Moves what was written to fd into out and empties the file. */
static void drain(int fd, StrBuf *out) {
    off_t end = lseek(fd, 0, SEEK_END);
    char buf[65536];
    for (off_t at = 0; at < end;) {
        ssize_t n = pread(fd, buf, sizeof buf, at);
        if (n <= 0) break;
        sb_put(out, buf, (size_t)n);
        at += n;
    }
    if (ftruncate(fd, 0) != 0) { /* nothing to do: the next cell would repeat this text */
    }
}

static void item_start(Serve *S, const char *type) {
    if (S->nitems++) sb_putc(&S->items, ',');
    sb_printf(&S->items, "{\"type\":\"%s\"", type);
}

/* The text written since the last item, as stream items (stdout, then stderr). */
static void segment(Serve *S) {
    fflush(stdout);
    fflush(stderr);
    static const struct { int fd; const char *name; } STREAMS[2] = {{STDOUT_FILENO, "stdout"}, {STDERR_FILENO, "stderr"}};
    for (int i = 0; i < 2; i++) {
        StrBuf text;
        sb_init(&text);
        drain(STREAMS[i].fd, &text);
        if (text.len) {
            item_start(S, "stream");
            sb_printf(&S->items, ",\"name\":\"%s\",\"text\":", STREAMS[i].name);
            json_str(&S->items, text.data, text.len);
            sb_putc(&S->items, '}');
        }
        sb_free(&text);
    }
}

/* hist, plot and tornado in a cell (SqcSessionConfig.chart). */
static bool on_chart(void *ctx, const char *text, size_t tlen, const char *svg, size_t slen) {
    Serve *S = ctx;
    segment(S);
    item_start(S, "display");
    sb_puts(&S->items, ",\"text\":");
    json_str(&S->items, text, tlen);
    sb_puts(&S->items, ",\"svg\":");
    json_str(&S->items, svg, slen);
    sb_putc(&S->items, '}');
    return true;
}

/* An entry's value (SqcSessionConfig.show): its text as the REPL shows it, and for samples a small
 * histogram. */
static void on_show(void *ctx, const char *text, size_t len, const char *svg, size_t svg_len) {
    Serve *S = ctx;
    segment(S);
    item_start(S, "value");
    sb_puts(&S->items, ",\"text\":");
    json_str(&S->items, text, len);
    if (svg) sb_puts(&S->items, ",\"svg\":"), json_str(&S->items, svg, svg_len);
    sb_putc(&S->items, '}');
}

static void on_error(void *ctx, const char *text, size_t len) {
    Serve *S = ctx;
    sb_put(&S->diag, text, len);
}

/* The error item from a diagnostic "FILE:LINE:COL: error: MESSAGE\nsource\n   ^\n" (or a
 * command's one-line complaint). */
static void error_item(Serve *S, const char *diag, size_t len) {
    item_start(S, "error");
    sb_puts(&S->items, ",\"text\":");
    json_str(&S->items, diag, len);
    size_t first = strcspn(diag, "\n");
    const char *mark = memmem(diag, first, ": error: ", 9);
    if (mark) {
        /* FILE:LINE:COL before the mark; FILE may hold ':' itself, LINE and COL do not */
        const char *c2 = mark, *c1;
        while (c2 > diag && c2[-1] != ':') c2--;
        c1 = c2 > diag ? c2 - 1 : diag;
        while (c1 > diag && c1[-1] != ':') c1--;
        long line = strtol(c1, NULL, 10), col = strtol(c2, NULL, 10);
        if (c1 > diag && line > 0 && col > 0) {
            sb_puts(&S->items, ",\"file\":");
            json_str(&S->items, diag, (size_t)(c1 - 1 - diag));
            sb_printf(&S->items, ",\"line\":%ld,\"col\":%ld", line, col);
        }
        sb_puts(&S->items, ",\"message\":");
        json_str(&S->items, mark + 9, first - (size_t)(mark + 9 - diag));
    } else {
        sb_puts(&S->items, ",\"message\":");
        json_str(&S->items, diag, first);
    }
    sb_putc(&S->items, '}');
}

/* ---------- the requests ---------- */

/* A line that is a command: `:name ...` or the magic `%name ...`. */
static bool command_line(const char *line, size_t len) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    return i + 1 < len && (line[i] == ':' || line[i] == '%') && isalpha((unsigned char)line[i + 1]);
}

/* A cell: its commands run on their own and the code between them as one entry each, numbered
 * by the cell's lines; the first that fails or is stopped ends the cell. */
static void execute(Serve *S, const Request *rq) {
    const char *code = rq->code ? rq->code : "", *name = rq->name ? rq->name : "<cell>";
    size_t len = rq->code ? rq->code_len : 0;
    SqcSession *r = S->r;
    sb_clear(&S->diag);
    S->items = (StrBuf){0};
    S->nitems = 0;
    SqcOutcome outcome = SQC_OK;
    StrBuf chunk;
    sb_init(&chunk);
    bool has_code = false;
    size_t lineno = 0;
    for (size_t at = 0; at <= len && outcome == SQC_OK; lineno++) {
        size_t end = at;
        while (end < len && code[end] != '\n') end++;
        bool last = end >= len;
        if (command_line(code + at, end - at)) {
            if (has_code) outcome = sqc_session_entry(r, name, chunk.data, chunk.len);
            sb_clear(&chunk), has_code = false;
            if (outcome == SQC_OK) {
                char *cmd = strndup(code + at, end - at);
                if (!cmd) abort();
                char *c = cmd + strspn(cmd, " \t");
                *c = ':'; /* %samples is :samples */
                outcome = sqc_session_command(r, c);
                free(cmd);
            }
        } else {
            if (!has_code) /* the lines before it, so that errors name the cell's line */
                for (size_t k = 0; k < lineno; k++) sb_putc(&chunk, '\n');
            sb_put(&chunk, code + at, end - at);
            sb_putc(&chunk, '\n');
            has_code = true;
        }
        at = end + 1;
        if (last) break;
    }
    if (has_code && outcome == SQC_OK) outcome = sqc_session_entry(r, name, chunk.data, chunk.len);
    sb_free(&chunk);
    segment(S);
    if (outcome == SQC_ERROR && S->diag.len) error_item(S, S->diag.data, S->diag.len);
    StrBuf body;
    sb_init(&body);
    sb_printf(&body, "{\"status\":\"%s\",\"outputs\":[",
              outcome == SQC_OK ? "ok" : outcome == SQC_ERROR ? "error" : "interrupted");
    if (S->items.len) sb_put(&body, S->items.data, S->items.len);
    size_t samples;
    uint64_t seed;
    sqc_settings(S->interp, &samples, &seed);
    sb_printf(&body, "],\"samples\":%zu,\"seed\":%llu}", samples, (unsigned long long)seed);
    send_reply(S, &body);
    sb_free(&body);
    sb_free(&S->items);
}

static bool word_byte(char c) { return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80; }

typedef struct Matches {
    StrBuf *o;
    int n;
    bool magic; /* the word began with %: the matches do too */
} Matches;

static void add_match(void *ctx, const char *name, char after) {
    (void)after; /* the front end adds nothing after a match */
    Matches *m = ctx;
    if (m->n++) sb_putc(m->o, ',');
    if (m->magic && name[0] == ':') {
        sb_puts(m->o, "\"%");
        StrBuf tmp;
        sb_init(&tmp);
        json_str(&tmp, name + 1, strlen(name + 1));
        sb_put(m->o, tmp.data + 1, tmp.len - 1);
        sb_free(&tmp);
    } else {
        json_str(m->o, name, strlen(name));
    }
}

/* Tab: the names that complete the word before the cursor (a byte offset). */
static void complete(Serve *S, const Request *rq) {
    const char *code = rq->code ? rq->code : "";
    size_t len = rq->code ? rq->code_len : 0;
    size_t cur = rq->cursor < 0 || (size_t)rq->cursor > len ? len : (size_t)rq->cursor;
    size_t line0 = cur;
    while (line0 > 0 && code[line0 - 1] != '\n') line0--;
    size_t start = cur;
    while (start > line0 && word_byte(code[start - 1])) start--;
    bool magic = false;
    if (start > line0 && (code[start - 1] == ':' || code[start - 1] == '%')) {
        size_t lead = line0;
        while (lead < start - 1 && (code[lead] == ' ' || code[lead] == '\t')) lead++;
        if (lead == start - 1) start--, magic = code[start] == '%';
    }
    char *line = strndup(code + line0, cur - line0);
    if (!line) abort();
    char *lead = line + strspn(line, " \t");
    if (*lead == '%') *lead = ':'; /* a magic completes as its command */
    StrBuf body;
    sb_init(&body);
    sb_puts(&body, "{\"matches\":[");
    Matches m = {&body, 0, magic};
    sqc_session_complete(S->r, line, start - line0, cur - line0, add_match, &m);
    sb_printf(&body, "],\"start\":%zu,\"end\":%zu}", start, cur);
    send_reply(S, &body);
    sb_free(&body);
    free(line);
}

/* :help NAME into out; false when unknown. */
static bool help_text(Serve *S, const char *name, size_t n, StrBuf *out) {
    if (!n) return false;
    char *word = strndup(name, n);
    if (!word) abort();
    char *text = sqc_session_help(S->r, word);
    if (text) sb_puts(out, text);
    free(text);
    free(word);
    return text != NULL;
}

/* Shift-Tab: :help of the name at the cursor, else of the call the cursor is in. */
static void inspect(Serve *S, const Request *rq) {
    const char *code = rq->code ? rq->code : "";
    size_t len = rq->code ? rq->code_len : 0;
    size_t cur = rq->cursor < 0 || (size_t)rq->cursor > len ? len : (size_t)rq->cursor;
    StrBuf text;
    sb_init(&text);
    size_t a = cur, b = cur;
    while (a > 0 && word_byte(code[a - 1])) a--;
    while (b < len && word_byte(code[b])) b++;
    bool found = help_text(S, code + a, b - a, &text);
    if (!found) { /* the innermost call still open before the cursor */
        int depth = 0;
        for (size_t i = a; i-- > 0;) {
            char c = code[i];
            if (c == ')' || c == ']' || c == '}') depth++;
            else if ((c == '(' || c == '[' || c == '{') && depth) depth--;
            else if (c == '(') {
                size_t e = i;
                while (e > 0 && (code[e - 1] == ' ' || code[e - 1] == '\t')) e--;
                size_t s = e;
                while (s > 0 && word_byte(code[s - 1])) s--;
                found = help_text(S, code + s, e - s, &text);
                break;
            } else if (c == '[' || c == '{') {
                break;
            }
        }
    }
    StrBuf body;
    sb_init(&body);
    sb_printf(&body, "{\"found\":%s,\"text\":", found ? "true" : "false");
    json_str(&body, text.data, text.len);
    sb_putc(&body, '}');
    send_reply(S, &body);
    sb_free(&body);
    sb_free(&text);
}

/* Whether the code is a whole entry yet (a console's Enter): "complete", "incomplete" (it ends
 * too soon: an open bracket, a trailing operator) or "invalid". */
static void is_complete(Serve *S, const Request *rq) {
    const char *code = rq->code ? rq->code : "";
    size_t len = rq->code ? rq->code_len : 0;
    StrBuf src;
    sb_init(&src);
    for (size_t at = 0; at < len;) { /* commands aside */
        size_t end = at;
        while (end < len && code[end] != '\n') end++;
        if (!command_line(code + at, end - at)) sb_put(&src, code + at, end - at);
        sb_putc(&src, '\n');
        at = end + 1;
    }
    SqcCompleteness c = sqc_completeness(S->interp, src.data ? src.data : "", src.len);
    const char *status = c == SQC_WHOLE ? "complete" : c == SQC_INCOMPLETE ? "incomplete" : "invalid";
    sb_free(&src);
    StrBuf body;
    sb_init(&body);
    sb_printf(&body, "{\"status\":\"%s\"}", status);
    send_reply(S, &body);
    sb_free(&body);
}

int serve_run(SqcInterp *interp) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* the kernel that started us is gone: so are we */
#endif
    int out = dup(STDOUT_FILENO);
    FILE *reply = out >= 0 ? fdopen(out, "w") : NULL;
    if (!reply || !capture(STDOUT_FILENO) || !capture(STDERR_FILENO)) {
        fprintf(stderr, "sqc: --serve: cannot set up the output files: %s\n", strerror(errno));
        return 2;
    }
    Serve S = {.interp = interp, .reply = reply};
    S.r = sqc_session_open(interp, &(SqcSessionConfig){.notebook = true, .show = on_show, .show_ctx = &S,
                                                   .value_svg = true, .chart = on_chart, .chart_ctx = &S});
    sqc_set_errors(interp, on_error, &S);
    the_interp = interp;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);

    StrBuf hello;
    sb_init(&hello);
    size_t samples;
    uint64_t seed;
    sqc_settings(interp, &samples, &seed);
    sb_printf(&hello, "{\"ready\":true,\"version\":\"%s\",\"samples\":%zu,\"seed\":%llu}", SQC_VERSION, samples,
              (unsigned long long)seed);
    send_reply(&S, &hello);
    sb_free(&hello);

    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        Request rq;
        StrBuf body;
        sb_init(&body);
        if (!request_parse(line, &rq) || !rq.op) {
            sb_puts(&body, "{\"status\":\"error\",\"message\":\"not a request: one JSON object a line, with an op\"}");
            send_reply(&S, &body);
        } else if (!strcmp(rq.op, "execute")) {
            execute(&S, &rq);
        } else if (!strcmp(rq.op, "complete")) {
            complete(&S, &rq);
        } else if (!strcmp(rq.op, "inspect")) {
            inspect(&S, &rq);
        } else if (!strcmp(rq.op, "is_complete")) {
            is_complete(&S, &rq);
        } else {
            StrBuf msg;
            sb_init(&msg);
            sb_printf(&msg, "unknown op '%s' (execute, complete, inspect, is_complete)", rq.op);
            sb_puts(&body, "{\"status\":\"error\",\"message\":");
            json_str(&body, msg.data, msg.len);
            sb_putc(&body, '}');
            sb_free(&msg);
            send_reply(&S, &body);
        }
        sb_free(&body);
        request_free(&rq);
    }
    free(line);
    signal(SIGINT, SIG_DFL);
    sqc_session_close(S.r);
    sqc_set_errors(interp, NULL, NULL);
    sb_free(&S.diag);
    the_interp = NULL;
    fclose(reply);
    return 0;
}
