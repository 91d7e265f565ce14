/* mem.c — the memory limit and the one allocation check (mem.h). */
#define _POSIX_C_SOURCE 200809L
#include "mem.h"

#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "count.h"

/* The reporter of the interpreter running on this thread: two interpreters on two threads
 * each report their own place. */
static _Thread_local MemReporter reporter;
static _Thread_local void *reporter_ctx;

/* The reporter a worker thread of a parallel pass uses: it has none of its own, and OpenMP does
 * not say which thread leads its team. So the reporter last installed is published here, and a
 * worker takes it while exactly one thread holds a reporter (sqc runs one interpreter): that
 * thread leads every pass. The worker only reads: the reporter prints the place the leading
 * thread is at, which stays put while its pass runs. With interpreters on several threads there
 * is no telling whose pass it is, and a worker's message has no place rather than a wrong one.
 * The published reporter is always a holder's current one: forgetting it clears it. */
static pthread_mutex_t published_lock = PTHREAD_MUTEX_INITIALIZER;
static MemReporter published;
static void *published_ctx;
static int holders; /* threads whose reporter is set */

void mem_set_reporter(MemReporter fn, void *ctx) {
    pthread_mutex_lock(&published_lock);
    if (!reporter) holders++;
    reporter = fn, reporter_ctx = ctx;
    published = fn, published_ctx = ctx;
    pthread_mutex_unlock(&published_lock);
}

void mem_forget_reporter(void *ctx) {
    pthread_mutex_lock(&published_lock);
    if (reporter && reporter_ctx == ctx) reporter = NULL, reporter_ctx = NULL, holders--;
    if (published_ctx == ctx) published = NULL, published_ctx = NULL;
    pthread_mutex_unlock(&published_lock);
}

/* This thread's reporter; on a worker thread of a parallel region, the published one. */
static MemReporter reporter_here(void **ctx) {
    *ctx = reporter_ctx;
    if (reporter) return reporter;
    MemReporter fn = NULL;
#ifdef _OPENMP
    if (omp_in_parallel()) {
        pthread_mutex_lock(&published_lock);
        if (holders == 1) fn = published, *ctx = published_ctx;
        pthread_mutex_unlock(&published_lock);
    }
#endif
    return fn;
}

void mem_human(char *buf, size_t len, double bytes) {
    static const char *units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1000 && u < 6) bytes /= 1000, u++;
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

/* ---------- the limit ---------- */

/* A limit file's number ("max" and v1's 2^63-rounded "no limit" read as none). */
static double read_limit_file(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return INFINITY;
    char text[64] = "";
    bool got = fgets(text, sizeof text, fp) != NULL;
    fclose(fp);
    char *end;
    double x = got ? strtod(text, &end) : 0;
    if (!got || end == text || x <= 0 || x >= 9.2e18) return INFINITY;
    return x;
}

/* The least limit in `file` from fs_root/mount/path up to fs_root/mount itself. */
static double walk_up(const char *fs_root, const char *mount, const char *path, const char *file) {
    double best = INFINITY;
    char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s%s%s", fs_root, mount, path);
    if (n < 0 || (size_t)n >= sizeof dir) return best;
    size_t root_len = strlen(fs_root) + strlen(mount);
    for (;;) {
        char file_path[4200];
        snprintf(file_path, sizeof file_path, "%s/%s", dir, file);
        double x = read_limit_file(file_path);
        if (x < best) best = x;
        char *slash = strrchr(dir, '/');
        if (!slash || (size_t)(slash - dir) < root_len) break;
        *slash = '\0';
        if (strlen(dir) < root_len) break;
    }
    return best;
}

double mem_cgroup_limit(const char *proc_cgroup, const char *fs_root) {
    double best = INFINITY;
    FILE *fp = fopen(proc_cgroup, "r");
    if (!fp) return best;
    char line[4096];
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        /* "ID:CONTROLLERS:PATH": v2 is "0::PATH", v1's memory line names "memory" */
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2) continue;
        *c1 = *c2 = '\0';
        const char *controllers = c1 + 1, *path = c2 + 1;
        if (strcmp(path, "/") == 0) path = "";
        double x = INFINITY;
        if (!*controllers && strcmp(line, "0") == 0) {
            x = walk_up(fs_root, "", path, "memory.max");
            double u = walk_up(fs_root, "/unified", path, "memory.max"); /* a hybrid layout */
            if (u < x) x = u;
        } else {
            bool memory = false; /* "memory" among the comma-separated controllers */
            for (const char *p = controllers; *p;) {
                size_t len = strcspn(p, ",");
                if (len == 6 && strncmp(p, "memory", 6) == 0) memory = true;
                p += len + (p[len] == ',');
            }
            if (memory) x = walk_up(fs_root, "/memory", path, "memory.limit_in_bytes");
        }
        if (x < best) best = x;
    }
    fclose(fp);
    return best;
}

static double limit_bytes = INFINITY;
static const char *limit_source = "available";
static pthread_once_t limit_once = PTHREAD_ONCE_INIT;

static double resident_bytes(void) {
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp) return 0;
    unsigned long size = 0, resident = 0;
    int got = fscanf(fp, "%lu %lu", &size, &resident);
    fclose(fp);
    return got == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) : 0;
}

static void read_limit(void) {
    /* what the machine has: available memory now, plus what this process already holds */
    double avail = INFINITY;
    FILE *fp = fopen("/proc/meminfo", "r");
    if (fp) {
        char line[256];
        double kb;
        while (fgets(line, sizeof line, fp))
            if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) avail = kb * 1024;
        fclose(fp);
    }
    if (!isfinite(avail)) {
        long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        if (pages > 0 && size > 0) avail = (double)pages * (double)size;
    }
    if (isfinite(avail)) limit_bytes = avail + resident_bytes();
    double cg = mem_cgroup_limit("/proc/self/cgroup", "/sys/fs/cgroup");
    if (cg < limit_bytes) limit_bytes = cg, limit_source = "allowed by the cgroup";
    const char *env = getenv("SQC_MEMORY_LIMIT");
    double x;
    if (env && *env && bytes_parse(env, &x) && x < limit_bytes) /* (sqc refuses a malformed one) */
        limit_bytes = x, limit_source = "allowed by SQC_MEMORY_LIMIT";
}

double mem_limit(const char **source) {
    pthread_once(&limit_once, read_limit);
    if (source) *source = limit_source;
    return limit_bytes;
}

/* ---------- the check ---------- */

bool mem_fits(size_t bytes, char *why, size_t whylen) {
    if (bytes < MEM_CHECK_FROM) return true;
    const char *source;
    double limit = mem_limit(&source);
    double held = isfinite(limit) ? resident_bytes() : 0;
    if ((double)bytes <= limit - held) return true;
    if (why && whylen) {
        char need[32], lim[32];
        mem_human(need, sizeof need, (double)bytes);
        mem_human(lim, sizeof lim, limit);
        snprintf(why, whylen, "%s more would pass the %s %s", need, lim, source);
    }
    return false;
}

_Noreturn void mem_fail(const char *why) {
    static atomic_flag reporting = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&reporting)) /* another thread reports: wait for its exit */
        for (;;) pause();
    char message[400];
    snprintf(message, sizeof message, "out of memory: %s", why);
    void *ctx;
    MemReporter fn = reporter_here(&ctx);
    if (fn) fn(ctx, message);
    fflush(stdout);
    fprintf(stderr, "sqc: error: %s\n", message);
    _exit(1);
}

static _Noreturn void fail_bytes(size_t bytes) {
    char why[300];
    if (mem_fits(bytes, why, sizeof why)) { /* it fitted the limit, yet malloc failed */
        char need[32];
        mem_human(need, sizeof need, (double)bytes);
        snprintf(why, sizeof why, "%s more could not be allocated", need);
    }
    mem_fail(why);
}

void *mem_alloc(size_t bytes) {
    if (!mem_fits(bytes, NULL, 0)) fail_bytes(bytes);
    void *p = malloc(bytes ? bytes : 1);
    if (!p) fail_bytes(bytes);
    return p;
}

void *mem_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) mem_fail("an allocation larger than the address space was asked for");
    size_t bytes = count * size;
    if (!mem_fits(bytes, NULL, 0)) fail_bytes(bytes);
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) fail_bytes(bytes);
    return p;
}

void *mem_realloc(void *p, size_t bytes) {
    size_t had = p ? malloc_usable_size(p) : 0; /* only the growth is new memory */
    if (bytes > had && !mem_fits(bytes - had, NULL, 0)) fail_bytes(bytes - had);
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) fail_bytes(bytes > had ? bytes - had : bytes);
    return q;
}

char *mem_strdup(const char *s) {
    size_t len = strlen(s) + 1;
    return memcpy(mem_alloc(len), s, len);
}

/* The capacity, doubled from cap (or first) until it holds need elements, at most `most`. */
static size_t grown(size_t cap, size_t need, size_t first, size_t most, const char *too_many) {
    if (need > most) mem_fail(too_many);
    size_t c = cap ? cap : first ? first : 1;
    if (c > most) c = most;
    while (c < need) c = c > most / 2 ? most : 2 * c;
    return c;
}

void mem_grow(void **p, size_t *cap, size_t need, size_t size, size_t first) {
    if (need <= *cap) return;
    size_t c = grown(*cap, need, first, SIZE_MAX / size, "an allocation larger than the address space was asked for");
    *p = mem_realloc(*p, c * size);
    *cap = c;
}

void mem_grow_int(void **p, int *cap, size_t need, size_t size, size_t first) {
    size_t most = SIZE_MAX / size < INT_MAX ? SIZE_MAX / size : INT_MAX;
    size_t had = *cap > 0 ? (size_t)*cap : 0;
    if (need <= had) return;
    size_t c = grown(had, need, first, most, "an array of more than 2147483647 elements was asked for");
    *p = mem_realloc(*p, c * size);
    *cap = (int)c;
}
