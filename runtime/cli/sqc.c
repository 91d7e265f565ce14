/* sqc.c — the command line: run a file, code given with -e, a program on standard
 * input, or the REPL; flags override the script's `set` statements. */
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli_help.h"
#include "timings.h"
#include "count.h"
#include "display.h"
#include "eval.h"
#include "json_out.h"
#include "parse.h"
#include "builtins.h"
#include "rehearsal.h"
#include "repl.h"
#include "sqc_embed.h"
#include "serve.h"

#ifdef SQC_MPI
#include "dist.h"
#include "mem.h"
#endif

#ifndef SQC_VERSION
#define SQC_VERSION "0.1.0"
#endif

#define INTERP_STACK_BYTES ((size_t)1 << 30) /* deep recursion ends in a clean error, not a crash */

typedef struct Options {
    const char *file;
    const char *code; /* -e */
    double samples, seed, threads; /* < 0: not given */
    double max_steps, max_time;    /* --max-steps, --max-time; 0: no limit */
    bool ascii;
    bool json; /* --json: no text output; the bindings as JSON at the end */
    bool check; /* --check: parse only */
    bool serve; /* --serve: requests on standard input (docs/jupyter.md) */
    enum { REHEARSE_AUTO, REHEARSE_ALWAYS, REHEARSE_NEVER } rehearse;
    enum { SAMPLING_UNSET, SAMPLING_MC, SAMPLING_LHS } sampling; /* --sampling */
    /* SQC_TIMINGS: the run's table, lent to the rehearsal's interpreter and the real run's so that
     * each mark lands in it (timings.h); NULL: off */
    Timings *timings;
} Options;

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "sqc: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'sqc --help' for more information.\n");
    return 2;
}

/* Parses argv; returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, Options *o) {
    *o = (Options){.samples = -1, .seed = -1, .threads = -1, .max_steps = -1};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        double *target = NULL;
        const char *name = arg;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(SQC_HELP_TEXT, stdout);
            return 0;
        }
        if (!strcmp(arg, "--version")) {
            printf("sqc %s\n", SQC_VERSION);
            return 0;
        }
        if (!strcmp(arg, "--list-builtins")) { /* for the docs test: every registered name */
            SqcInterp *S = sqc_open(NULL);
            for (int k = 0; k < registry_count(sqc_interp(S)); k++) puts(registry_at(sqc_interp(S), k)->name);
            sqc_close(S);
            return 0;
        }
        if (!strcmp(arg, "--ascii")) {
            o->ascii = true;
            continue;
        }
        if (!strcmp(arg, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(arg, "--serve")) {
            o->serve = true;
            continue;
        }
        if (!strcmp(arg, "--check")) {
            o->check = true;
            continue;
        }
        if (!strncmp(arg, "--rehearse", 10) && (arg[10] == '=' || !arg[10])) {
            const char *v = arg[10] == '=' ? arg + 11 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) return usage_error("%s needs a value (auto, always or never)", arg);
            if (!strcmp(v, "auto")) o->rehearse = REHEARSE_AUTO;
            else if (!strcmp(v, "always")) o->rehearse = REHEARSE_ALWAYS;
            else if (!strcmp(v, "never")) o->rehearse = REHEARSE_NEVER;
            else return usage_error("--rehearse must be auto, always or never, got '%s'", v);
            continue;
        }
        if (!strncmp(arg, "--sampling", 10) && (arg[10] == '=' || !arg[10])) {
            const char *v = arg[10] == '=' ? arg + 11 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) return usage_error("%s needs a value: mc (Monte Carlo, the default) or lhs (Latin hypercube)", "--sampling");
            if (!strcmp(v, "mc")) o->sampling = SAMPLING_MC;
            else if (!strcmp(v, "lhs")) o->sampling = SAMPLING_LHS;
            else return usage_error("--sampling must be mc (Monte Carlo, the default) or lhs (Latin hypercube), got '%s'", v);
            continue;
        }
        if (!strcmp(arg, "-e")) {
            if (i + 1 >= argc) return usage_error("%s needs the code to run", arg);
            if (o->code || o->file) return usage_error("%s: give one program (a file or -e CODE)", arg);
            o->code = argv[++i];
            continue;
        }
        if (!strncmp(arg, "--max-time", 10) && (arg[10] == '=' || !arg[10])) {
            const char *v = arg[10] == '=' ? arg + 11 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) return usage_error("%s needs a value (seconds)", "--max-time");
            char *end;
            double x = strtod(v, &end);
            bool plain = (isdigit((unsigned char)v[0]) || v[0] == '.') && !strpbrk(v, "xX"); /* no sign, hex, inf */
            if (!plain || end == v || *end || !(x > 0) || x > 1e9)
                return usage_error("--max-time needs seconds (a number greater than 0, such as 10 or 0.5), got '%s'", v);
            o->max_time = x;
            continue;
        }
        const char *value = NULL;
        if (!strncmp(arg, "--max-steps", 11)) target = &o->max_steps, value = arg + 11;
        else if (!strncmp(arg, "--samples", 9)) target = &o->samples, value = arg + 9;
        else if (!strncmp(arg, "--seed", 6)) target = &o->seed, value = arg + 6;
        else if (!strncmp(arg, "--threads", 9)) target = &o->threads, value = arg + 9;
        if (target) {
            if (*value == '=') value++;
            else if (*value) return usage_error("unknown option '%s'", arg);
            else if (i + 1 < argc) value = argv[++i];
            else return usage_error("%s needs a value", name);
            if (!count_parse(value, target)) {
                char why[160];
                snprintf(why, sizeof why, "%.*s: '%%s' is not a whole number; write digits, with _ only between "
                         "two digits and an optional K, M or B suffix (10000, 10_000, 10K, 1M)",
                         (int)strcspn(name, "="), name);
                return usage_error(why, value);
            }
            continue;
        }
        if (arg[0] == '-' && arg[1]) return usage_error("unknown option '%s'", arg);
        if (o->file || o->code) return usage_error("unexpected argument '%s': give one program (a file or -e CODE)", arg);
        o->file = arg;
    }
    if (o->samples == 0 || o->samples > 1e9) {
        char given[32];
        snprintf(given, sizeof given, "%.0f", o->samples);
        return usage_error("--samples must be from 1 to 1B, got %s", given);
    }
    if (o->max_steps == 0) return usage_error("--max-steps must be at least 1, got %s", "0");
    if (o->max_steps > 1e18) return usage_error("--max-steps is too large%s", "");
    if (o->threads == 0 || o->threads > 256) return usage_error("--threads must be from 1 to 256, got %s", o->threads == 0 ? "0" : "more than 256");
    if (o->seed > 18446744073709549568.0) return usage_error("--seed is too large%s", "");
    const char *limit = getenv("SQC_MEMORY_LIMIT");
    double bytes;
    if (limit && *limit && !bytes_parse(limit, &bytes))
        return usage_error("SQC_MEMORY_LIMIT must be a number of bytes with an optional K, M, G or T suffix "
                           "(powers of 1000), such as 2G or 500M; got '%s'", limit);
    if (o->check && !o->file && !o->code && isatty(STDIN_FILENO))
        return usage_error("--check needs a program (a FILE, -e CODE or one on standard input)%s", "");
    if (o->serve && (o->file || o->code || o->json || o->check))
        return usage_error("--serve takes no program and no --json or --check: cells come as requests%s", "");
    if (o->json && !o->file && !o->code && isatty(STDIN_FILENO))
        return usage_error("--json needs a program (a FILE, -e CODE or one on standard input)%s", "");
    return -1;
}

/* The default thread count: one per CPU this process may run on (taskset, cpusets), at most 64. */
static int default_threads(void) {
    long cores = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
    if (cores <= 0) cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)(cores < 64 ? cores : 64) : 1;
}

static int threads_of(const Options *o) { return o->threads > 0 ? (int)o->threads : default_threads(); }

/* Threads waiting for work sleep instead of spinning, unless the user chose (OMP_WAIT_POLICY or
 * GOMP_SPINCOUNT): libgomp's default spins some 300,000 times first, and on a machine whose cores
 * are busy the spinning threads take the time the working ones need (#15: --threads 2 ran 17x
 * slower than --threads 1 under load). libgomp reads the policy once, when it is loaded, before
 * main: so it is set and sqc started again (once: then it is set). Not at one thread (no thread
 * waits), and not under valgrind, which an exec would leave. See docs/cli.md "Threads". */
static void sleep_while_waiting(char **argv, int threads) {
    if (threads <= 1 || getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload")) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
    execv("/proc/self/exe", argv);
    unsetenv("OMP_WAIT_POLICY"); /* no exec (no /proc): run with the default policy */
}

static void apply_options(Interp *I, const void *arg) {
    const Options *o = arg;
    I->smp.threads = threads_of(o);
    I->smp.timings = o->timings;
#ifdef _OPENMP
    omp_set_num_threads(I->smp.threads); /* for the parallel loops that take no SampleCtx (chart.c) */
#endif
    if (o->samples > 0) I->smp.n = (size_t)o->samples, I->samples_fixed = true;
    if (o->seed >= 0) I->smp.seed = (uint64_t)o->seed, I->seed_fixed = true;
    if (o->sampling != SAMPLING_UNSET) I->smp.lhs = o->sampling == SAMPLING_LHS, I->sampling_fixed = true;
    if (o->max_steps > 0) I->step_limit = (unsigned long)o->max_steps, I->step_limit_flag = "--max-steps";
    if (o->max_time > 0) I->time_limit = o->max_time, I->time_limit_flag = "--max-time";
    const char *lang = setlocale(LC_CTYPE, "");
    I->ascii = o->ascii || !lang || !(strstr(lang, "UTF-8") || strstr(lang, "utf8") || strstr(lang, "UTF8"));
}

static int output_errno; /* why the first failed flush of the output failed */

static void flush_output(FILE *fp) {
    if (fflush(fp) != 0 && !output_errno) output_errno = errno;
}

/* Runs one program; prints its last value when `show_last`. Returns the exit status. */
static int run_source(Interp *I, Source *src, bool show_last) {
    ParseError perr;
    Value last;
    EvStatus st = interp_run(I, src, &perr, show_last ? &last : NULL);
    flush_output(I->out);
    if (st != EV_OK) {
        if (I->err.set) interp_print_error(I, stderr);
        else diag_print(stderr, perr.span, perr.message);
        return 1;
    }
    if (show_last) {
        int status = 0;
        if (last.kind != VAL_NIL) {
            StrBuf sb;
            sb_init(&sb);
            if (display_value(I, &last, &sb, true)) sb_putc(&sb, '\n'), fwrite(sb.data, 1, sb.len, I->out);
            else interp_print_error(I, stderr), status = 1;
            sb_free(&sb);
        }
        value_release(last);
        flush_output(I->out);
        return status;
    }
    return 0;
}

/* A program on standard input, read to its end; NULL with *status 2 (and the message) when it
 * is too large. */
static Source *read_stdin(int *status) {
    StrBuf in;
    sb_init(&in);
    char buf[65536];
    size_t n;
    while (in.len <= SOURCE_MAX_BYTES && (n = fread(buf, 1, sizeof buf, stdin)) > 0) sb_put(&in, buf, n);
    if (in.len > SOURCE_MAX_BYTES) {
        fprintf(stderr, "sqc: cannot read the program on standard input: a program may be at most %s; "
                        "this one is larger\n", SOURCE_MAX_TEXT);
        sb_free(&in);
        *status = 2;
        return NULL;
    }
    Source *src = source_from_string("<stdin>", in.data ? in.data : "", in.len);
    sb_free(&in);
    return src;
}

#ifdef SQC_MPI
/* An MPI run (docs/scale.md): every process runs the program; the first (rank 0) alone prints and
 * writes files. The others write nothing to standard output and keep what they write to standard
 * error, which is shown only if one of them fails where the first did not. */
static int mpi_stderr = -1; /* the real standard error of a process other than the first */
static FILE *mpi_kept;      /* what it wrote there instead */

static void mpi_quiet_others(void) {
    if (smp_dist_launch_rank() <= 0) return;
    if (!freopen("/dev/null", "w", stdout)) return;
    fflush(stderr);
    mpi_kept = tmpfile();
    if (!mpi_kept) {
        if (!freopen("/dev/null", "w", stderr)) return;
        return;
    }
    mpi_stderr = dup(STDERR_FILENO);
    dup2(fileno(mpi_kept), STDERR_FILENO);
}

static void mpi_show_kept(void) {
    if (mpi_stderr < 0) return;
    fflush(stderr);
    rewind(mpi_kept);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, mpi_kept)) > 0)
        if (write(mpi_stderr, buf, n) < 0) break;
}

/* The job's end: the processes agree on the exit status; one that failed alone shows why. */
static int mpi_end(int status) {
    if (!smp_dist_started()) return status;
    bool alone;
    bool together = smp_dist_finish(&status, &alone);
    if (!together || alone) mpi_show_kept();
    if (together) return status;
    fflush(stdout);
    _exit(status); /* the others wait on this process: its end ends the job (mpirun) */
}

/* Standard input under mpirun reaches the first process only: it reads the program and hands it
 * to the others. No REPL: its terminal is the first process's alone. */
static Source *mpi_read_stdin(int rank, int *status) {
    int info[2] = {isatty(STDIN_FILENO), 0};
    smp_dist_bcast(info, sizeof info);
    if (info[0]) {
        *status = usage_error("the REPL does not run in an MPI job of more than one process: give a FILE or "
                              "-e CODE%s", "");
        return NULL;
    }
    Source *src = NULL;
    uint64_t len = 0;
    if (rank == 0) {
        src = read_stdin(status);
        len = src ? src->len : UINT64_MAX;
    }
    smp_dist_bcast(&len, sizeof len);
    if (len == UINT64_MAX) {
        *status = 2;
        return NULL;
    }
    char *text = mem_alloc(len ? len : 1);
    if (src) memcpy(text, src->text, len);
    smp_dist_bcast(text, len);
    if (!src) src = source_from_string("<stdin>", text, len);
    free(text);
    return src;
}
#endif

typedef struct Job {
    int argc;
    char **argv;
    int status;
} Job;

static void *run_main(void *arg) {
    Job *job = arg;
    Options o;
    int status = parse_options(job->argc, job->argv, &o);
    if (status >= 0) {
        job->status = status;
        return NULL;
    }
    if (!o.check) sleep_while_waiting(job->argv, threads_of(&o));
    int rank = 0;
#ifdef SQC_MPI
    int ranks = 1;
    if (!o.check && smp_dist_launch_rank() >= 0) rank = smp_dist_start(&ranks);
#endif
    Timings timings; /* SQC_TIMINGS (timings.h): the run's phases, printed at its end; under MPI, the first process's */
    if (!o.check && rank == 0 && tm_requested()) {
        tm_start(&timings);
        o.timings = &timings;
    }
    /* The program, read before anything runs so that a rehearsal can run it first. */
    Source *src = NULL;
    bool show_last = false;
    if (o.code) {
        src = source_from_string("<command line>", o.code, strlen(o.code));
        show_last = true;
    } else if (o.file) {
        char err[600];
        src = source_from_file(o.file, err, sizeof err);
        if (!src) {
            fprintf(stderr, "sqc: %s\n", err);
            job->status = 2;
            return NULL;
        }
#ifdef SQC_MPI
    } else if (ranks > 1 && !o.check) {
        src = mpi_read_stdin(rank, &job->status);
        if (!src) return NULL;
#endif
    } else if (!isatty(STDIN_FILENO) && !o.serve) {
        src = read_stdin(&job->status);
        if (!src) return NULL;
    }
    if (o.check) { /* syntax only: nothing runs */
        ParseError perr;
        SqcInterp *S = sqc_open(NULL);
        Interp *I = sqc_interp(S);
        Program *prog = parse_program(src, &I->syms, &perr);
        bool ok = prog && program_check_idiv_names(prog, interp_knows_builtin, I, &perr);
        if (!ok) diag_print(stderr, perr.span, perr.message);
        program_free(prog);
        sqc_close(S);
        source_free(src);
        job->status = ok ? 0 : 1;
        return NULL;
    }
    Prefetch *pf = NULL;
    if (src && o.rehearse != REHEARSE_NEVER) {
        RehearsalSetup rs = {apply_options, &o, show_last, o.json,
                             o.rehearse == REHEARSE_ALWAYS ? 0 : REHEARSAL_MIN_DRAWS};
        tm_enter(o.timings, TM_REHEARSAL);
        pf = rehearse(src, &rs);
        tm_leave(o.timings);
    }

    SqcInterp *S = sqc_open(NULL); /* stdout and stderr */
    Interp *I = sqc_interp(S);
    apply_options(I, &o);
#ifdef SQC_MPI
    if (ranks > 1) { /* docs/scale.md */
        /* each process rehearsed on its own (a rehearsal may stop on its clock): prefetch only
         * what all recorded alike, so that all make the same passes */
        if (!smp_dist_same(pf_digest(pf))) pf_free(pf), pf = NULL;
        I->smp.ranks = ranks, I->smp.rank = rank;
        /* arrays are kept alike everywhere, whatever each machine's memory */
        I->smp.cache_budget = (size_t)smp_dist_min(I->smp.cache_budget);
        if (rank != 0) I->time_limit = 0; /* the first process's clock decides; a pass's stop is agreed */
        I->files.agree = smp_dist_agree, I->files.muted = rank != 0;
    }
#endif
    pf_serve(&I->smp, pf);
    FILE *discard = NULL;
    if (o.json) { /* the script's own output (print, hist) goes nowhere */
        discard = fopen("/dev/null", "w");
        if (!discard) {
            fprintf(stderr, "sqc: --json: cannot open /dev/null\n");
            sqc_close(S);
            pf_free(pf);
            source_free(src);
            job->status = 1;
            return NULL;
        }
        I->out = discard;
    }
    if (o.serve) I->ascii = o.ascii; /* notebooks are UTF-8, whatever the kernel's locale */
    status = src ? run_source(I, src, show_last) : o.serve ? serve_run(S) : repl_run(S);
    if (discard) {
        if (status == 0) {
            StrBuf json;
            sb_init(&json);
            if (json_globals(I, &json)) fwrite(json.data, 1, json.len, stdout);
            else interp_print_error(I, stderr), status = 1;
            sb_free(&json);
        }
        I->out = stdout;
        fclose(discard);
    }
    size_t draws = I->smp.n;
    int threads = I->smp.threads;
    tm_enter(o.timings, TM_EXIT);
    sqc_close(S);
    pf_free(pf);
    tm_leave(o.timings);
    tm_report(o.timings, stderr, draws, threads);
    job->status = status;
    return NULL;
}

int main(int argc, char **argv) {
#ifdef SQC_MPI
    mpi_quiet_others();
#endif
    Job job = {argc, argv, 0};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, INTERP_STACK_BYTES);
    pthread_t t;
    if (pthread_create(&t, &attr, run_main, &job) != 0) run_main(&job);
    else pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    /* a write that failed earlier (a full disk) leaves ferror set even when this flush succeeds */
    flush_output(stdout);
    if ((output_errno || ferror(stdout)) && job.status == 0) {
        fprintf(stderr, "sqc: error: cannot write the output%s%s\n", output_errno ? ": " : "",
                output_errno ? strerror(output_errno) : "");
        job.status = 1;
    }
#ifdef SQC_MPI
    job.status = mpi_end(job.status);
#endif
    return job.status;
}
