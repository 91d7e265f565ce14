/* fuzz_sqc.c — the libFuzzer target: parse and run one program with small limits.
 *
 * Each input is program text. It runs in a fresh interpreter under the limits of fuzz_limits.h
 * (64 samples, one thread, small depth, loop, step and time budgets), with output thrown away
 * and files written as a rehearsal writes them (Interp.files.dry: to /dev/null, never to the
 * path, so write_csv, plot and write_samples are fuzzed up to their last byte); the interpreter
 * is then freed, so a leak anywhere shows up in LeakSanitizer. It runs after a rehearsal
 * (rehearsal.h), as `sqc --rehearse=always` would, so the prefetching is fuzzed too.
 *
 * Built with clang and -DSQC_FUZZ=ON it is a libFuzzer binary (see docs/reliability.md).
 * Built without libFuzzer (-DSQC_FUZZ_MAIN) it is a plain program that runs each file or
 * folder given on the command line through the same entry point: the test suite runs the
 * seed corpus and every saved crash that way, in the normal and the sanitizer build. The seeds
 * are tests/fuzz/regressions/, the goldens and examples, and a program per builtin that
 * fuzz_seeds.c generates from the registry into the build tree. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "builtins.h"
#include "eval.h"
#include "fuzz_limits.h"
#include "rehearsal.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!sink) {
        sink = fopen("/dev/null", "w");
        if (!sink) abort();
    }
    Source *src = source_from_string("<fuzz>", (const char *)data, size);
    if (!src) return 0;
    RehearsalSetup setup = {fuzz_limits, NULL, true, false, 0};
    Prefetch *pf = rehearse(src, &setup);
    Interp I;
    interp_init(&I, sink);
    stdlib_open(&I);
    fuzz_limits(&I, NULL);
    I.files.dry = true; /* write_csv, plot, write_samples: checked, written to /dev/null */
    pf_serve(&I.smp, pf);
    ParseError perr;
    Value last;
    EvStatus st = interp_run(&I, src, &perr, &last);
    if (st != EV_OK) {
        if (I.err.set) interp_print_error(&I, sink);
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
