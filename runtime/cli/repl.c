/* repl.c — the REPL on a terminal (docs/cli.md, "The REPL"): read a line with GNU readline, run it
 * in the session (sqc_embed.h, "a session"; session.c has the entries, the commands, the re-runs).
 * This file is a front end of the embedding API only: it sees sqc_embed.h and the base utilities,
 * nothing of the interpreter (CMakeLists.txt, "front ends").
 *
 * Entries. A line is added to the pending entry; the session runs the entry when it parses, and
 * says SQC_UNFINISHED when it ends too soon (an open bracket, a trailing operator, `{` without
 * `}`): the next line is read with the continuation prompt, as Lua's REPL does.
 *
 * Interrupts. While an entry runs, Ctrl-C asks it to stop (sqc_interrupt); the session then puts
 * itself back as it was before the entry and says `interrupted`. A third Ctrl-C before the entry
 * has stopped ends sqc, for what never looks at the request (a system call that hangs). Ctrl-C
 * while a line is read drops the entry being typed.
 *
 * History: one item per entry (a multi-line entry is recalled whole) or command, appended to
 * the history file as each is read or run (so a session that is killed keeps them) and
 * trimmed to HISTORY_MAX on exit.
 * The file is $SQC_HISTORY, else $HOME/.sqc_history.
 */
#define _POSIX_C_SOURCE 200809L
#include "repl.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "atomic_file.h"
#include "mem.h"
#include "strbuf.h"

#ifndef SQC_VERSION
#define SQC_VERSION "0.1.0"
#endif

#define PROMPT "sq> "
#define PROMPT_MORE "... "
#define HISTORY_MAX 1000

/* for readline's callbacks and the signal handlers, which take no context */
static SqcInterp *the_interp;
static SqcSession *the_session;
static volatile sig_atomic_t got_sigint;
static bool entry_cancelled;
static volatile sig_atomic_t presses; /* Ctrl-C presses since the running entry began */

static bool blank(const char *s) {
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return false;
    return true;
}

/* ---------- completion: the session's candidates ---------- */

typedef struct Candidate {
    char *name;
    char after; /* what follows it when it is completed whole (sqc_embed.h, SqcCandidate) */
} Candidate;

typedef struct Candidates {
    Candidate *v;
    int n, cap;
} Candidates;

static Candidates candidates;
static int candidate_next;

static void add_candidate(void *ctx, const char *name, char after) {
    Candidates *c = ctx;
    MEM_GROW_FROM(c->v, c->cap, (size_t)c->n + 1, 64);
    c->v[c->n++] = (Candidate){mem_strdup(name), after};
}

static void candidates_clear(void) {
    for (int i = 0; i < candidates.n; i++) free(candidates.v[i].name);
    candidates.n = 0;
}

static char *candidate(const char *text, int state) {
    (void)text; /* the session offered only what starts with it */
    if (!state) candidate_next = 0;
    return candidate_next < candidates.n ? mem_strdup(candidates.v[candidate_next++].name) : NULL;
}

static char **complete(const char *text, int start, int end) {
    candidates_clear();
    SqcCompletion what = sqc_session_complete(the_session, rl_line_buffer, (size_t)start, (size_t)end, add_candidate,
                                              &candidates);
    if (what == SQC_COMPLETE_FILES) return NULL; /* readline completes file names */
    rl_attempted_completion_over = 1;
    if (what == SQC_COMPLETE_NONE) return NULL;
    char **matches = rl_completion_matches(text, candidate);
    /* after a whole name: "(" for a function, a space for a keyword or command, else nothing */
    rl_completion_append_character = '\0';
    if (matches && !matches[1]) rl_completion_append_character = candidates.v[0].after;
    return matches;
}

/* ---------- Ctrl-C while reading: drop the entry, fresh prompt ---------- */

static pthread_t repl_thread; /* sqc runs the interpreter on a thread of its own */

static void on_sigint(int sig) {
    got_sigint = 1;
    /* the kernel may pick another thread (sqc's main thread waits in pthread_join):
     * pass the signal on so that the REPL thread's read is interrupted */
    if (!pthread_equal(pthread_self(), repl_thread)) pthread_kill(repl_thread, sig);
}

/* Called by readline (outside the signal handler) when a read is interrupted. */
static int after_signal(void) {
    if (!got_sigint) return 0;
    got_sigint = 0;
    entry_cancelled = true;
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    rl_crlf();
    rl_set_prompt(PROMPT);
    rl_on_new_line();
    rl_redisplay();
    return 0;
}

/* ---------- Ctrl-C while an entry runs: ask it to stop ---------- */

static void on_sigint_running(int sig) {
    (void)sig;
    sqc_interrupt(the_interp);
    if (++presses >= 3) { /* it does not stop: the third press ends sqc */
        afile_unlink_temps(); /* a write_csv in progress leaves no temporary file */
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
    }
}

/* reading: Ctrl-C drops the line; otherwise it stops the running entry. */
static void catch_sigint(bool reading) {
    if (reading) got_sigint = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = reading ? on_sigint : on_sigint_running;
    sa.sa_flags = reading ? 0 : SA_RESTART; /* reading: no SA_RESTART, the read returns EINTR */
    sigaction(SIGINT, &sa, NULL);
}

/* ---------- history ---------- */

typedef struct History {
    char *path; /* NULL: no history file */
    bool exists;
} History;

static void history_open(History *r) {
    const char *env = getenv("SQC_HISTORY");
    if (env && *env) {
        r->path = mem_strdup(env);
    } else {
        const char *home = getenv("HOME");
        if (home && *home) {
            size_t n = strlen(home) + sizeof "/.sqc_history";
            r->path = mem_alloc(n);
            snprintf(r->path, n, "%s/.sqc_history", home);
        }
    }
    using_history();
    stifle_history(HISTORY_MAX);
    /* a time stamp line before each entry, so that a multi-line entry is read back as one */
    history_comment_char = '#'; /* the stamp is "#<seconds>" (readline writes none without it) */
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    if (r->path) r->exists = read_history(r->path) == 0;
}

static void history_note(History *r, const char *line) {
    if (blank(line)) return;
    HIST_ENTRY *prev = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (prev && !strcmp(prev->line, line)) return; /* no repeats in a row */
    add_history(line);
    if (!r->path) return;
    if (r->exists && append_history(1, r->path) == 0) return;
    r->exists = write_history(r->path) == 0;
}

static void history_close(History *r) {
    if (r->path && r->exists) history_truncate_file(r->path, HISTORY_MAX);
    free(r->path);
    clear_history();
}

/* ---------- the loop ---------- */

int repl_run(SqcInterp *S) {
    the_interp = S;
    the_session = sqc_session_open(S, NULL);
    repl_thread = pthread_self();
    rl_readline_name = "sqc";
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{(}),[]+-*/^!%#~.";
    rl_catch_signals = 0;
    rl_signal_event_hook = after_signal;
    History history = {0};
    history_open(&history);

    size_t samples;
    uint64_t seed;
    sqc_settings(S, &samples, &seed);
    printf("sqc %s: samples = %zu, seed = %llu. :help for help, Ctrl-D or :quit to leave\n",
           SQC_VERSION, samples, (unsigned long long)seed);
    fflush(stdout);

    StrBuf entry;
    sb_init(&entry);
    bool more = false;
    for (;;) {
        catch_sigint(true);
        entry_cancelled = false;
        char *line = readline(more ? PROMPT_MORE : PROMPT);
        presses = 0;
        catch_sigint(false);
        if (got_sigint && line) { /* Ctrl-C came while readline was busy, not waiting */
            free(line);
            line = mem_strdup("");
            entry_cancelled = true;
            printf("\n");
        }
        if (entry_cancelled) sb_clear(&entry), more = false;
        if (!line) {
            printf("\n");
            break;
        }
        if (!more && line[strspn(line, " \t")] == ':') {
            history_note(&history, line);
            SqcOutcome done = sqc_session_command(the_session, line);
            free(line);
            if (done == SQC_QUIT) break;
            continue;
        }
        if (more) sb_putc(&entry, '\n');
        sb_puts(&entry, line);
        free(line);
        if (!entry.data || blank(entry.data)) {
            sb_clear(&entry);
            more = false;
            continue;
        }
        more = sqc_session_entry(the_session, "<repl>", entry.data, entry.len) == SQC_UNFINISHED;
        if (!more) history_note(&history, entry.data), sb_clear(&entry); /* the whole entry, lines and all */
    }
    fflush(stdout);
    signal(SIGINT, SIG_DFL);
    sb_free(&entry);
    history_close(&history);
    candidates_clear();
    free(candidates.v);
    candidates = (Candidates){0};
    sqc_session_close(the_session);
    the_session = NULL;
    the_interp = NULL;
    return 0;
}
