/* fuzz_sqc.c — the libFuzzer target: parse and run one program with small limits.
 *
 * Each input is program text. It runs in a fresh interpreter with 64 samples, one thread,
 * calls nested at most 200 deep, loops of at most 10,000 iterations, a budget of 200,000
 * evaluation steps and 2 seconds, no file writing and output thrown away; the interpreter
 * is then freed, so a leak anywhere shows up in LeakSanitizer. It runs after a rehearsal
 * (rehearsal.h), as `sqc --rehearse=always` would, so the prefetching is fuzzed too.
 *
 * Built with clang and -DSQC_FUZZ=ON it is a libFuzzer binary (see docs/reliability.md).
 * Built without libFuzzer (-DSQC_FUZZ_MAIN) it is a plain program that runs each file or
 * folder given on the command line through the same entry point: the test suite runs the
 * seed corpus and every saved crash that way, in the normal and the sanitizer build. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "eval.h"
#include "rehearsal.h"

#define FUZZ_SAMPLES 64
#define FUZZ_MAX_DEPTH 200
#define FUZZ_LOOP_LIMIT 10000
#define FUZZ_STEP_LIMIT 200000
#define FUZZ_SECONDS 2.0

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_limits(Interp *I, const void *unused) {
    (void)unused;
    I->smp.n = FUZZ_SAMPLES;
    I->smp.threads = 1;
    I->samples_fixed = true; /* `set samples = 1B` is ignored, as --samples would make it */
    I->max_depth = FUZZ_MAX_DEPTH;
    I->loop_limit = FUZZ_LOOP_LIMIT;
    I->step_limit = FUZZ_STEP_LIMIT;
    I->time_limit = FUZZ_SECONDS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!sink) {
        sink = fopen("/dev/null", "w");
        if (!sink) abort();
        afile_deny("fuzzing");
    }
    Source *src = source_from_string("<fuzz>", (const char *)data, size);
    if (!src) return 0;
    RehearsalSetup setup = {fuzz_limits, NULL, true, false, 0};
    Prefetch *pf = rehearse(src, &setup);
    Interp I;
    interp_init(&I, sink);
    fuzz_limits(&I, NULL);
    I.smp.serve = pf;
    ParseError perr;
    Value last;
    EvStatus st = interp_run(&I, src, &perr, &last);
    if (st != EV_OK) {
        if (I.has_error) interp_print_error(&I, sink);
        else diag_print(sink, perr.span, perr.message);
    }
    value_release(last);
    interp_free(&I);
    pf_free(pf);
    return 0;
}

#ifdef SQC_FUZZ_MAIN
static int run_path(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "fuzz_sqc: cannot read '%s'\n", path);
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) return 1;
        int bad = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char *child;
            if (asprintf(&child, "%s/%s", path, e->d_name) < 0) abort();
            bad |= run_path(child);
            free(child);
        }
        closedir(d);
        return bad;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) return 1;
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) abort();
    size_t n = fread(buf, 1, (size_t)st.st_size, fp);
    fclose(fp);
    LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    int bad = 0;
    for (int i = 1; i < argc; i++) bad |= run_path(argv[i]);
    if (sink) fclose(sink);
    return bad;
}
#endif
