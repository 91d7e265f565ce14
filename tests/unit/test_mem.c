/* test_mem.c — the memory limit (runtime/base/mem.c): cgroup v2 and v1 limits read up a nested
 * hierarchy (on a fake cgroup tree in a temporary folder, so no privileges are needed),
 * the sizes in messages, and the allocation check against a small SQC_MEMORY_LIMIT. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

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

int main(void) {
    test_cgroups();
    test_sizes();
    test_check();
    return check_report();
}
