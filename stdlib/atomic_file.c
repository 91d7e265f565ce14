/* atomic_file.c — write to a temporary file, then rename: never a half-written file. */
#define _POSIX_C_SOURCE 200809L
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p for the folders above path. */
static bool make_parents(const char *path, char *err, size_t errlen) {
    char *dir = strdup(path);
    if (!dir) abort();
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create folder '%s': %s", dir, strerror(errno));
            free(dir);
            return false;
        }
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "cannot create folder '%s': a file of that name is in the way", dir);
            free(dir);
            return false;
        }
        *p = '/';
    }
    free(dir);
    return true;
}

static const char *files_denied; /* afile_deny: why no file may be written */

void afile_deny(const char *why) { files_denied = why; }

static bool files_dry; /* afile_dry_run */

void afile_dry_run(bool on) { files_dry = on; }

bool afile_open(AtomicFile *f, const char *path, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    if (files_denied) {
        snprintf(err, errlen, "writing files is turned off (%s)", files_denied);
        return false;
    }
    if (!*path) {
        snprintf(err, errlen, "the path is empty");
        return false;
    }
    if (files_dry) { /* no path, no temporary file: commit and abort only close */
        f->fp = fopen("/dev/null", "w");
        if (!f->fp) {
            snprintf(err, errlen, "cannot open /dev/null: %s", strerror(errno));
            return false;
        }
        return true;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "'%s' is a folder", path);
        return false;
    }
    if (!make_parents(path, err, errlen)) return false;
    size_t n = strlen(path) + 16;
    f->tmp_path = malloc(n);
    f->path = strdup(path);
    if (!f->tmp_path || !f->path) abort();
    snprintf(f->tmp_path, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        free(f->tmp_path);
        free(f->path);
        memset(f, 0, sizeof *f);
        return false;
    }
    fchmod(fd, 0644);
    f->fp = fdopen(fd, "w");
    if (!f->fp) abort();
    return true;
}

bool afile_commit(AtomicFile *f, char *err, size_t errlen) {
    bool ok = fflush(f->fp) == 0 && !ferror(f->fp);
    int saved = errno;
    if (fclose(f->fp) != 0 && ok) ok = false, saved = errno;
    f->fp = NULL;
    if (!f->tmp_path) return true; /* a dry run */
    if (ok && rename(f->tmp_path, f->path) != 0) ok = false, saved = errno;
    if (!ok) {
        snprintf(err, errlen, "cannot write '%s': %s", f->path, strerror(saved));
        unlink(f->tmp_path);
    }
    free(f->tmp_path);
    free(f->path);
    memset(f, 0, sizeof *f);
    return ok;
}

void afile_abort(AtomicFile *f) {
    if (f->fp) fclose(f->fp);
    if (f->tmp_path) unlink(f->tmp_path);
    free(f->tmp_path);
    free(f->path);
    memset(f, 0, sizeof *f);
}
