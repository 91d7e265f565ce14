/* pty_driver.c — runs sqc's REPL in a pseudo-terminal and checks what it shows.
 *
 * usage: pty_driver SQC SOURCE_DIR SCRIPT.repl
 *
 * The script has one directive per line ('#' starts a comment line); in TEXT, ${SRC}
 * is SOURCE_DIR and \t \r \e \\ \xHH are escapes:
 *   spawn [ARG...]   start `SQC ARG...` in a new pseudo-terminal (any earlier one must have exited)
 *   send TEXT        wait for a prompt ("sq> " or "... "), type TEXT and Enter, wait for the echo
 *   type TEXT        wait for a prompt and type TEXT without Enter (Tab, Ctrl-D, Ctrl-C, ...);
 *                    a send right after it goes on with the same line
 *   press TEXT       type TEXT now, without waiting for a prompt (Ctrl-C while an entry runs)
 *   expect TEXT      wait until TEXT shows up after what earlier directives consumed
 *   absent TEXT      TEXT has not shown up since the last send (after its echo) or type
 *   exit N           wait for sqc to end with status N ("exit signal N": killed by signal N)
 *   capture          keep what the session (ended) showed, for `expect-captured`
 *   expect-captured  wait until the captured text shows up, all of it in one piece
 *   file NAME TEXT   file NAME in the session's home folder contains TEXT
 *   unset VAR        remove VAR from the environment of later spawns
 *
 * Every session is hermetic: a fresh temporary folder is HOME and the working folder,
 * SQC_HISTORY is HOME/history, TERM=dumb, INPUTRC=/dev/null, LC_ALL=C.UTF-8. Output is
 * compared with escape sequences and carriage returns removed. Each wait gives up after
 * a timeout and the failure message shows the whole screen so far. With PTY_DRIVER_SHOW
 * set, the last session's screen is printed at the end.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 15000

static const char *sqc_path, *src_dir, *script_path;
static char home[4096];
static int line_no;

static int master = -1;
static pid_t child = -1;
static bool child_done;
static int child_status;

static char *raw;        /* everything read from the terminal */
static size_t raw_len, raw_cap;
static char *screen;     /* raw without escape sequences and \r */
static size_t screen_len;
static size_t pos;       /* what directives have consumed of screen */
static char *captured;   /* a copy of an earlier session's screen (capture) */
static size_t mark;      /* screen offset of the last send/type */
static size_t prompt_from; /* where to look for the next prompt */
static bool mid_line;    /* a `type` left a line unfinished: the next send goes on with it */

static void cleanup(void);

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: ", script_path, line_no);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n--- screen ---\n%.*s\n--- end of screen ---\n", (int)screen_len,
            screen ? screen : "");
    cleanup();
    exit(1);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Rebuilds screen from raw: drops CSI/OSC/other escape sequences, \r, BEL and BS. */
static void rebuild_screen(void) {
    free(screen);
    screen = malloc(raw_len + 1);
    if (!screen) abort();
    size_t n = 0;
    for (size_t i = 0; i < raw_len; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == 0x1b && i + 1 < raw_len) {
            unsigned char k = (unsigned char)raw[++i];
            if (k == '[') {
                while (i + 1 < raw_len && !((unsigned char)raw[i + 1] >= 0x40 && (unsigned char)raw[i + 1] <= 0x7e)) i++;
                i++;
            } else if (k == ']') {
                while (i + 1 < raw_len && raw[i + 1] != '\a' && raw[i + 1] != 0x1b) i++;
                i++;
            }
            continue;
        }
        if (c == '\r' || c == '\a' || c == '\b' || c == 0x1b) continue;
        screen[n++] = (char)c;
    }
    screen[n] = '\0';
    screen_len = n;
}

/* Reads what is available within `ms`; returns false at end of output. */
static bool pump(int ms) {
    if (master < 0) return false;
    struct pollfd p = {master, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r <= 0) return true;
    char buf[4096];
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) {
        if (n < 0 && errno == EINTR) return true;
        return false; /* EIO: the child side closed */
    }
    if (raw_len + (size_t)n + 1 > raw_cap) {
        raw_cap = (raw_len + (size_t)n + 1) * 2;
        raw = realloc(raw, raw_cap);
        if (!raw) abort();
    }
    memcpy(raw + raw_len, buf, (size_t)n);
    raw_len += (size_t)n;
    rebuild_screen();
    return true;
}

static const char *find_after(size_t from, const char *text) {
    if (!screen || from > screen_len) return NULL;
    return strstr(screen + from, text);
}

/* Waits for text after pos; moves pos past it. */
static void wait_for(const char *text, const char *what) {
    long long deadline = now_ms() + WAIT_MS;
    for (;;) {
        const char *hit = find_after(pos, text);
        if (hit) {
            pos = (size_t)(hit - screen) + strlen(text);
            return;
        }
        if (now_ms() > deadline) fail("timed out waiting for %s '%s'", what, text);
        if (!pump(100)) {
            hit = find_after(pos, text);
            if (hit) {
                pos = (size_t)(hit - screen) + strlen(text);
                return;
            }
            fail("sqc ended while waiting for %s '%s'", what, text);
        }
    }
}

static void wait_prompt(void) {
    if (mid_line) {
        mid_line = false;
        return;
    }
    long long deadline = now_ms() + WAIT_MS;
    for (;;) {
        /* the first prompt after the last typed line, even if an expect has read past it */
        const char *a = find_after(prompt_from, "sq> "), *b = find_after(prompt_from, "... ");
        const char *hit = a && (!b || a < b) ? a : b;
        if (hit) {
            size_t end = (size_t)(hit - screen) + 4;
            if (end > pos) pos = end;
            prompt_from = end;
            /* let the rest of the prompt's output arrive before typing */
            while (pump(30) && master >= 0) {
                struct pollfd p = {master, POLLIN, 0};
                if (poll(&p, 1, 0) <= 0) break;
            }
            return;
        }
        if (now_ms() > deadline) fail("timed out waiting for a prompt");
        if (!pump(100)) fail("sqc ended while waiting for a prompt");
    }
}

static void type_bytes(const char *s, size_t len) {
    mark = pos;
    while (len) {
        ssize_t n = write(master, s, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write to the terminal: %s", strerror(errno));
        }
        s += n, len -= (size_t)n;
    }
}

/* TEXT with ${SRC} expanded and backslash escapes decoded. */
static char *decode(const char *in, size_t *out_len) {
    size_t cap = strlen(in) + strlen(src_dir) * 4 + 1;
    char *out = malloc(cap), *o = out;
    if (!out) abort();
    for (const char *p = in; *p;) {
        if (!strncmp(p, "${SRC}", 6)) {
            o += sprintf(o, "%s", src_dir);
            p += 6;
        } else if (*p == '\\' && p[1]) {
            p++;
            switch (*p) {
            case 't': *o++ = '\t'; p++; break;
            case 'r': *o++ = '\r'; p++; break;
            case 'n': *o++ = '\n'; p++; break;
            case 'e': *o++ = 0x1b; p++; break;
            case 'x': {
                char hex[3] = {p[1], p[1] ? p[2] : 0, 0};
                *o++ = (char)strtol(hex, NULL, 16);
                p += 3;
                break;
            }
            default: *o++ = *p++; break;
            }
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    *out_len = (size_t)(o - out);
    return out;
}

static void reap(int ms) {
    if (child < 0 || child_done) return;
    long long deadline = now_ms() + ms;
    for (;;) {
        pump(50);
        int st;
        pid_t r = waitpid(child, &st, WNOHANG);
        if (r == child) {
            child_done = true;
            child_status = st;
            while (pump(0)) {
                struct pollfd p = {master, POLLIN, 0};
                if (poll(&p, 1, 0) <= 0) break;
            }
            return;
        }
        if (now_ms() > deadline) return;
    }
}

static void spawn(char *args) {
    if (child > 0 && !child_done) fail("spawn: the previous sqc is still running");
    if (master >= 0) close(master);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)sqc_path;
    for (char *t = strtok(args, " "); t && argc < 31; t = strtok(NULL, " ")) argv[argc++] = t;
    argv[argc] = NULL;
    struct winsize ws = {.ws_row = 50, .ws_col = 200};
    fflush(NULL);
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0) fail("forkpty: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(home) != 0) _exit(126);
        execv(sqc_path, argv);
        _exit(127);
    }
    child = pid;
    child_done = false;
    mid_line = false;
    raw_len = 0;
    rebuild_screen();
    pos = mark = prompt_from = 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void cleanup(void) {
    if (child > 0 && !child_done) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child_done = true;
    }
    if (master >= 0) close(master), master = -1;
    if (home[0]) nftw(home, rm_entry, 16, FTW_DEPTH | FTW_PHYS), home[0] = '\0';
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: pty_driver SQC SOURCE_DIR SCRIPT.repl\n");
        return 2;
    }
    sqc_path = argv[1], src_dir = argv[2], script_path = argv[3];
    FILE *f = fopen(script_path, "r");
    if (!f) {
        fprintf(stderr, "pty_driver: cannot open %s: %s\n", script_path, strerror(errno));
        return 2;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(home, sizeof home, "%s/sqc-repl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(home)) {
        fprintf(stderr, "pty_driver: mkdtemp: %s\n", strerror(errno));
        return 2;
    }
    char history[4200];
    snprintf(history, sizeof history, "%s/history", home);
    setenv("HOME", home, 1);
    setenv("SQC_HISTORY", history, 1);
    setenv("TERM", "dumb", 1);
    setenv("INPUTRC", "/dev/null", 1);
    setenv("LC_ALL", "C.UTF-8", 1);
    unsetenv("COLUMNS"), unsetenv("LINES");
    signal(SIGPIPE, SIG_IGN);

    char line[8192];
    while (fgets(line, sizeof line, f)) {
        line_no++;
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        char *cmd = line, *rest = strchr(line, ' ');
        if (rest) *rest++ = '\0';
        else rest = line + strlen(line);
        size_t len;
        char *text = decode(rest, &len);
        if (!strcmp(cmd, "spawn")) {
            spawn(text);
        } else if (!strcmp(cmd, "send")) {
            wait_prompt();
            type_bytes(text, len);
            type_bytes("\r", 1);
            if (pos < prompt_from) pos = prompt_from;
            wait_for("\n", "the end of the typed line");
            mark = prompt_from = pos;
        } else if (!strcmp(cmd, "press")) {
            type_bytes(text, len);
        } else if (!strcmp(cmd, "capture")) {
            reap(WAIT_MS);
            free(captured);
            captured = strdup(screen ? screen : "");
            if (!captured) abort();
        } else if (!strcmp(cmd, "expect-captured")) {
            if (!captured || !*captured) fail("expect-captured: nothing was captured");
            wait_for(captured, "the captured text");
        } else if (!strcmp(cmd, "type")) {
            wait_prompt();
            type_bytes(text, len);
            mid_line = true;
        } else if (!strcmp(cmd, "expect")) {
            mid_line = false;
            wait_for(text, "");
        } else if (!strcmp(cmd, "absent")) {
            pump(200);
            const char *hit = find_after(mark, text);
            if (hit) fail("'%s' showed up and should not have", text);
        } else if (!strcmp(cmd, "exit")) {
            reap(WAIT_MS);
            if (!child_done) fail("timed out waiting for sqc to end");
            if (!strncmp(text, "signal ", 7)) {
                int sig = atoi(text + 7);
                if (!WIFSIGNALED(child_status) || WTERMSIG(child_status) != sig)
                    fail("sqc was not ended by signal %d (status %d)", sig, child_status);
                free(text);
                continue;
            }
            int want = atoi(text);
            if (!WIFEXITED(child_status)) fail("sqc ended by signal %d", WTERMSIG(child_status));
            if (WEXITSTATUS(child_status) != want)
                fail("sqc exited with %d, expected %d", WEXITSTATUS(child_status), want);
        } else if (!strcmp(cmd, "file")) {
            char *sp = strchr(text, ' ');
            if (!sp) fail("file needs NAME TEXT");
            *sp = '\0';
            char path[8400];
            snprintf(path, sizeof path, "%s/%s", home, text);
            FILE *h = fopen(path, "r");
            if (!h) fail("cannot open %s: %s", text, strerror(errno));
            char content[65536];
            size_t n = fread(content, 1, sizeof content - 1, h);
            content[n] = '\0';
            fclose(h);
            if (!strstr(content, sp + 1))
                fail("%s does not contain '%s'; it holds:\n%s", text, sp + 1, content);
        } else if (!strcmp(cmd, "unset")) {
            unsetenv(text);
        } else {
            fail("unknown directive '%s'", cmd);
        }
        free(text);
    }
    fclose(f);
    if (getenv("PTY_DRIVER_SHOW")) printf("%.*s\n", (int)screen_len, screen ? screen : "");
    /* a script that does not end its session: make sure sqc is not left running */
    reap(0);
    cleanup();
    free(raw);
    free(screen);
    free(captured);
    return 0;
}
