/* test_mem.c — the memory limit (runtime/base/mem.c): cgroup v2 and v1 limits read up a nested
 * hierarchy (on a fake cgroup tree in a temporary folder, so no privileges are needed),
 * the sizes in messages, the allocation check against a small SQC_MEMORY_LIMIT, MEM_GROW's int
 * and size_t capacities, a buffer taken before anything was put in it (strbuf.c grows through
 * MEM_GROW), and the place an out-of-memory end on a pass's worker thread reports
 * (in child processes: the end is an exit). */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <omp.h>

#include "mem.h"
#include "strbuf.h"

#include "unit_check.h"

static char root[256];

static void put(const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) { /* the folders on the way */
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *fp = fopen(path, "w");
    if (!fp) {
        perror(path);
        exit(1);
    }
    fputs(text, fp);
    fclose(fp);
}

static double limit_of(const char *proc_cgroup_text) {
    put("/proc_cgroup", proc_cgroup_text);
    char proc[300];
    snprintf(proc, sizeof proc, "%s/proc_cgroup", root);
    char fs[300];
    snprintf(fs, sizeof fs, "%s/fs", root);
    return mem_cgroup_limit(proc, fs);
}

static void test_cgroups(void) {
    snprintf(root, sizeof root, "/tmp/sqc-test-mem-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        exit(1);
    }
    /* v2, nested: the parent's limit is lower than the leaf's, the leaf says "max" */
    put("/fs/memory.max", "max\n");
    put("/fs/ci/memory.max", "1000000000\n");
    put("/fs/ci/job/memory.max", "4000000000\n");
    put("/fs/ci/job/step/memory.max", "max\n");
    check("v2 nested: the least up the hierarchy", limit_of("0::/ci/job/step\n") == 1e9);
    check("v2 at the root: none", isinf(limit_of("0::/\n")));
    check("v2 leaf lowest", (put("/fs/ci/job/step/memory.max", "300000000\n"), limit_of("0::/ci/job/step\n")) == 3e8);
    check("a path that is not there: its parents still count", limit_of("0::/ci/other\n") == 1e9);

    /* v1: the memory controller's line, alone or with others, nested */
    put("/fs/memory/memory.limit_in_bytes", "9223372036854771712\n");
    put("/fs/memory/docker/memory.limit_in_bytes", "2000000000\n");
    put("/fs/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
    check("v1 nested", limit_of("12:pids:/x\n4:memory:/docker/abc\n1:name=systemd:/\n") == 2e9);
    check("v1 with other controllers", limit_of("4:cpu,memory:/docker/abc\n") == 2e9);
    check("v1 memsw is not memory", isinf(limit_of("4:memsw:/docker/abc\n")));
    check("v1 unlimited", isinf(limit_of("4:memory:/\n")));
    /* a hybrid layout: v1 memory and v2's unified tree; the least wins */
    put("/fs/unified/ci/memory.max", "500000000\n");
    check("hybrid", limit_of("4:memory:/docker/abc\n0::/ci\n") == 5e8);
    check("no file", mem_cgroup_limit("/nonexistent/cgroup", "/nonexistent") == INFINITY);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) printf("note: could not remove %s\n", root);
}

static void test_sizes(void) {
    char buf[32];
    mem_human(buf, sizeof buf, 1.6e9);
    check("human GB", strcmp(buf, "1.6 GB") == 0);
    mem_human(buf, sizeof buf, 512);
    check("human bytes", strcmp(buf, "512 bytes") == 0);
}

static void test_check(void) {
    setenv("SQC_MEMORY_LIMIT", "200M", 1); /* read on first use */
    const char *source = NULL;
    check("the limit", mem_limit(&source) <= 2e8 && strcmp(source, "allowed by SQC_MEMORY_LIMIT") == 0);
    check("small allocations are not weighed", mem_fits(MEM_CHECK_FROM - 1, NULL, 0));
    check("10 MB fits", mem_fits(10000000, NULL, 0));
    char why[200] = "";
    check("300 MB does not", !mem_fits(300000000, why, sizeof why));
    check("and says why", strcmp(why, "300.0 MB more would pass the 200.0 MB allowed by SQC_MEMORY_LIMIT") == 0);
    if (failed) printf("  why: %s\n", why);
    void *p = mem_alloc(50000000);
    check("mem_alloc within the limit", p != NULL);
    p = mem_realloc(p, 60000000); /* only the 10 MB of growth is new */
    check("mem_realloc within the limit", p != NULL);
    free(p);
}

/* Runs fn in a child process: its exit status, and its standard error in err. */
static int in_child(void (*fn)(void), char *err, size_t len) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < len && (n = read(fds[0], err + got, len - 1 - got)) > 0) got += (size_t)n;
    err[got] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Checks that a child ended with exit status 1 and a message that starts with `start`. */
static void check_end(const char *what, int status, const char *err, const char *start) {
    int ok = status == 1 && strncmp(err, start, strlen(start)) == 0;
    check(what, ok);
    if (!ok) printf("  status %d: %s\n", status, err);
}

static void grow_past_int_max(void) {
    char *p = NULL;
    int cap = INT_MAX / 2 + 1;
    MEM_GROW(p, cap, (size_t)cap + 1); /* doubling would overflow: it stops at INT_MAX */
}

static void grow_beyond_int(void) {
    char *p = NULL;
    int cap = 0;
    MEM_GROW(p, cap, (size_t)INT_MAX + 1);
}

static void test_grow(void) {
    int *xs = NULL, cap = 0;
    MEM_GROW(xs, cap, 1);
    check("an int capacity starts at 16", cap == 16);
    MEM_GROW(xs, cap, 17);
    check("and doubles", cap == 32);
    MEM_GROW(xs, cap, 32);
    check("room enough: unchanged", cap == 32);
    free(xs);
    double *ds = NULL;
    size_t dcap = 0;
    MEM_GROW_FROM(ds, dcap, 5, 4);
    check("a size_t capacity from a first of 4", dcap == 8);
    MEM_GROW_FROM(ds, dcap, 1000, 4);
    check("doubles to hold the need", dcap == 1024);
    free(ds);
    char err[600];
    check_end("an int capacity near INT_MAX grows to INT_MAX (2.1 GB of bytes), not past it",
              in_child(grow_past_int_max, err, sizeof err), err, "sqc: error: out of memory: 2.1 GB more would pass");
    check_end("more than an int capacity holds is an error", in_child(grow_beyond_int, err, sizeof err), err,
              "sqc: error: out of memory: an array of more than 2147483647 elements was asked for");
}

/* A StrBuf taken before anything was put in it is "", not the new allocation's leftovers. The
 * freed block of that size is filled first so that the allocation reuses dirty memory (and the
 * sanitizer build fills every new allocation anyway). */
static void test_take_empty(void) {
    char *dirty = mem_alloc(64);
    memset(dirty, 'x', 64);
    free(dirty);
    StrBuf sb;
    sb_init(&sb);
    char *taken = sb_take(&sb);
    check("an empty buffer is taken as \"\"", taken[0] == '\0');
    free(taken);
}

/* ---- the place of an out-of-memory end on a worker thread ---- */

static void report_at_place(void *ctx, const char *message) {
    fprintf(stderr, "%s: error: %s\n", (const char *)ctx, message);
    _exit(1);
}

/* A parallel region whose second thread runs out of memory, as a pass's worker would. */
static void fail_on_worker(void) {
#pragma omp parallel num_threads(2)
    {
        if (omp_get_thread_num() == 1) (void)mem_alloc(300000000); /* beyond the 200 MB limit */
    }
}

static void worker_of_the_one_interpreter(void) {
    mem_set_reporter(report_at_place, "prog.sq:3:1");
    fail_on_worker();
}

static void *hold_a_reporter(void *ctx) {
    mem_set_reporter(report_at_place, ctx);
    return NULL; /* (the thread ends holding it, as an interpreter's thread may) */
}

static void worker_of_two_interpreters(void) {
    mem_set_reporter(report_at_place, "prog.sq:3:1");
    pthread_t t;
    pthread_create(&t, NULL, hold_a_reporter, "other.sq:9:9");
    pthread_join(t, NULL);
    fail_on_worker();
}

static void test_worker_place(void) {
    char err[600];
    check_end("a worker's out of memory is reported at the leading thread's place",
              in_child(worker_of_the_one_interpreter, err, sizeof err), err,
              "prog.sq:3:1: error: out of memory: 300.0 MB more would pass");
    check_end("with two interpreters' threads, no place rather than a wrong one",
              in_child(worker_of_two_interpreters, err, sizeof err), err, "sqc: error: out of memory: 300.0 MB");
}

int main(void) {
    test_cgroups();
    test_sizes();
    test_check();
    test_grow();
    test_take_empty();
    test_worker_place();
    return check_report();
}
