/* atomic_file.c — write to a temporary file, then rename: never a half-written file, never a
 * replaced device, FIFO or folder, never a temporary file left behind (docs/reliability.md). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* realpath */
#include "atomic_file.h"
#include "mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporary files are named `.NAME.sqc-tmp.PID.XXXXXX` beside the target: hidden, recognisable,
 * and carrying the writer's process id so that a later write to the same path can tell a file
 * left by a killed process (kill -9, a power cut) from one being written now. */
#define TMP_TAG ".sqc-tmp."
#define TMP_RANDOM 6

/* ---------- removal on SIGINT, SIGTERM and SIGHUP ---------- */

/* The temporary files open now. A slot is set after the file exists and cleared before it is
 * renamed or removed; the signal handler takes each path with an atomic exchange, so it and
 * the writer never both own one. */
#define TMP_SLOTS 8
_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2, "the signal handler needs lock-free pointers");
static _Atomic(char *) tmp_slots[TMP_SLOTS];
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

void afile_unlink_temps(void) {
    int saved = errno;
    for (int i = 0; i < TMP_SLOTS; i++) {
        char *p = atomic_exchange(&tmp_slots[i], NULL);
        if (p) unlink(p);
    }
    errno = saved;
}

static void on_fatal_signal(int sig) {
    int saved = errno;
    afile_unlink_temps();
    /* die of the same signal, so the parent sees the usual status (130 for SIGINT, ...) */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig); /* blocked until this handler returns, then the default action ends the process */
    errno = saved;
}

/* Installs the handler for each signal whose action is still the default: an ignored signal
 * (nohup) stays ignored, and a handler of the program's own (the REPL's SIGINT) is kept. */
static void install_cleanup(void) {
    static atomic_flag done = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&done)) return;
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof *cleanup_signals; i++) {
        struct sigaction old, sa;
        if (sigaction(cleanup_signals[i], NULL, &old) != 0) continue;
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t k = 0; k < sizeof cleanup_signals / sizeof *cleanup_signals; k++)
            sigaddset(&sa.sa_mask, cleanup_signals[k]);
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

static void publish(char *tmp_path) {
    for (int i = 0; i < TMP_SLOTS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&tmp_slots[i], &expected, tmp_path)) return;
    }
    /* more than TMP_SLOTS files open at once: this one is left to the next write's cleanup */
}

/* Takes tmp_path back from the signal handler; false when the handler has it (the process is
 * ending: the caller must neither free nor reuse it). */
static bool unpublish(char *tmp_path) {
    for (int i = 0; i < TMP_SLOTS; i++) {
        char *expected = tmp_path;
        if (atomic_compare_exchange_strong(&tmp_slots[i], &expected, NULL)) return true;
    }
    return false;
}

/* ---------- paths ---------- */

/* mkdir -p for the folders above path. */
static bool make_parents(const char *path, char *err, size_t errlen) {
    char *dir = mem_strdup(path);
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

static const char *file_kind(mode_t m) {
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISFIFO(m)) return "a FIFO (named pipe)";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

/* What is at path now, following symbolic links: absent, or a regular file (its mode and
 * owner in *st). A folder, a device, a FIFO or a socket is an error: it is never replaced. */
static bool check_target(const char *path, bool *exists, struct stat *st, char *err, size_t errlen) {
    *exists = false;
    if (stat(path, st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return true; /* make_parents says what is in the way */
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return false;
    }
    struct stat lst;
    bool link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
    if (S_ISDIR(st->st_mode)) {
        snprintf(err, errlen, link ? "'%s' is a symbolic link to a folder" : "'%s' is a folder", path);
        return false;
    }
    if (!S_ISREG(st->st_mode)) {
        snprintf(err, errlen, "'%s' is %s%s, not a regular file: sqc never replaces one; give the path of a regular file",
                 path, link ? "a symbolic link to " : "", file_kind(st->st_mode));
        return false;
    }
    *exists = true;
    return true;
}

/* The path to write: path itself, or for a symbolic link the file it points to (the link stays
 * a link and its target is rewritten in the target's folder). NULL with a message on error. */
static char *resolve_target(const char *path, bool exists, char *err, size_t errlen) {
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) return mem_strdup(path);
    char *real = exists ? realpath(path, NULL) : NULL;
    if (!exists)
        snprintf(err, errlen, "'%s' is a symbolic link to a file that does not exist; write to the file's own path",
                 path);
    else if (!real)
        snprintf(err, errlen, "cannot follow the symbolic link '%s': %s", path, strerror(errno));
    return real;
}

/* Splits target into its folder ("" for the current one) and its file name. */
static void split_path(const char *target, char **dir, const char **base) {
    const char *slash = strrchr(target, '/');
    size_t dlen = slash ? (size_t)(slash - target) + 1 : 0;
    *dir = mem_alloc(dlen + 1);
    memcpy(*dir, target, dlen);
    (*dir)[dlen] = '\0';
    *base = slash ? slash + 1 : target;
}

/* The longest prefix of name, at most max bytes, that does not cut a UTF-8 character. */
static size_t utf8_prefix(const char *name, size_t max) {
    size_t n = strlen(name);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)name[max] & 0xC0) == 0x80) max--;
    return max;
}

/* `.NAME.sqc-tmp.` for the file name base, NAME shortened so that the whole temporary name,
 * with the process id and the random part, fits in the folder's longest file name. */
static char *tmp_prefix(const char *dir, const char *base) {
    long name_max = pathconf(*dir ? dir : ".", _PC_NAME_MAX);
    if (name_max <= 0 || name_max > 255) name_max = 255;
    size_t fixed = 1 + strlen(TMP_TAG) + 10 /* pid */ + 1 + TMP_RANDOM;
    size_t keep = utf8_prefix(base, (size_t)name_max > fixed ? (size_t)name_max - fixed : 1);
    size_t n = 1 + keep + strlen(TMP_TAG) + 1;
    char *prefix = mem_alloc(n);
    snprintf(prefix, n, ".%.*s%s", (int)keep, base, TMP_TAG);
    return prefix;
}

/* Removes `PREFIX<pid>.XXXXXX` files in dir whose process is gone: what a killed write left. */
static void remove_stale(const char *dir, const char *prefix) {
    DIR *d = opendir(*dir ? dir : ".");
    if (!d) return;
    size_t plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strncmp(name, prefix, plen) != 0) continue;
        const char *p = name + plen;
        long pid = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 10) pid = pid * 10 + (*p++ - '0'), digits++;
        if (!digits || *p++ != '.' || strlen(p) != TMP_RANDOM || pid <= 0 || pid > INT_MAX) continue;
        if ((pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive */
        struct stat st;
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            unlinkat(dirfd(d), name, 0);
    }
    closedir(d);
}

/* Creates the temporary file with O_EXCL: mode 0666 less the umask for a new file; for a
 * rewrite, 0600 until fchmod gives it the old file's mode. */
static int create_tmp(const char *dir, const char *prefix, bool exists, char **tmp_path) {
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static _Atomic uint64_t counter;
    size_t n = strlen(dir) + strlen(prefix) + 12 + TMP_RANDOM + 1;
    *tmp_path = mem_alloc(n);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t r = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    for (int attempt = 0; attempt < 100; attempt++) {
        r ^= atomic_fetch_add(&counter, 1) * 0x9E3779B97F4A7C15u;
        r ^= r >> 31, r *= 0xBF58476D1CE4E5B9u, r ^= r >> 27;
        char rnd[TMP_RANDOM + 1];
        uint64_t x = r;
        for (int i = 0; i < TMP_RANDOM; i++) rnd[i] = letters[x % (sizeof letters - 1)], x /= sizeof letters - 1;
        rnd[TMP_RANDOM] = '\0';
        snprintf(*tmp_path, n, "%s%s%ld.%s", dir, prefix, (long)getpid(), rnd);
        /* published before it exists, so that no signal finds the file made and not yet known;
         * a name with this process's id that exists already is a dead process's leftover */
        publish(*tmp_path);
        int fd = open(*tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exists ? 0600 : 0666);
        if (fd >= 0) return fd;
        int e = errno;
        unpublish(*tmp_path);
        if (e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

/* ---------- the writer ---------- */

static bool open_file(AtomicFile *f, const char *path, AfilePolicy policy, char *err, size_t errlen);

bool afile_open(AtomicFile *f, const char *path, AfilePolicy policy, char *err, size_t errlen) {
    if (policy.dry || !policy.agree) return open_file(f, path, policy, err, errlen);
    AfilePolicy mine = policy;
    mine.dry = policy.muted;
    bool ok = open_file(f, path, mine, err, errlen);
    bool agreed = policy.agree(ok, err, errlen);
    if (ok && !agreed) afile_abort(f); /* a muted process: the one that writes could not */
    if (ok && agreed) f->agree = policy.agree;
    return ok && agreed;
}

static bool open_file(AtomicFile *f, const char *path, AfilePolicy policy, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    if (policy.denied) {
        snprintf(err, errlen, "writing files is turned off (%s)", policy.denied);
        return false;
    }
    if (!*path) {
        snprintf(err, errlen, "the path is empty");
        return false;
    }
    if (policy.dry) { /* no path, no temporary file: commit and abort only close */
        f->fp = fopen("/dev/null", "w");
        if (!f->fp) {
            snprintf(err, errlen, "cannot open /dev/null: %s", strerror(errno));
            return false;
        }
        return true;
    }
    bool exists;
    struct stat st;
    if (!check_target(path, &exists, &st, err, errlen)) return false;
    char *target = resolve_target(path, exists, err, errlen);
    if (!target) return false;
    char *dir;
    const char *base;
    split_path(target, &dir, &base);
    if (!*base) {
        snprintf(err, errlen, "'%s' ends in '/'; give a file name", path);
        free(dir);
        free(target);
        return false;
    }
    if (!make_parents(target, err, errlen)) {
        free(dir);
        free(target);
        return false;
    }
    char *prefix = tmp_prefix(dir, base);
    remove_stale(dir, prefix);
    install_cleanup();
    char *tmp_path;
    int fd = create_tmp(dir, prefix, exists, &tmp_path);
    free(prefix);
    free(dir);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        free(tmp_path); /* unpublished by create_tmp */
        free(target);
        return false;
    }
    if (exists) { /* a rewrite keeps the file's owner (where allowed) and mode */
        /* not allowed (not root): the file becomes ours, as an editor's rewrite makes it */
        if ((st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0) errno = 0;
        if (fchmod(fd, st.st_mode & 07777) != 0) {
            snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
            close(fd);
            f->tmp_path = tmp_path, f->path = target;
            afile_abort(f);
            return false;
        }
    }
    f->fp = fdopen(fd, "w");
    if (!f->fp) mem_fail("no stream for the file could be allocated"); /* (fdopen fails for want of memory only) */
    f->path = target;
    f->shown = mem_strdup(path);
    f->tmp_path = tmp_path;
    return true;
}

static bool commit_file(AtomicFile *f, char *err, size_t errlen);

bool afile_commit(AtomicFile *f, char *err, size_t errlen) {
    bool (*agree)(bool, char *, size_t) = f->agree;
    bool ok = commit_file(f, err, errlen);
    return agree ? agree(ok, err, errlen) : ok;
}

static bool commit_file(AtomicFile *f, char *err, size_t errlen) {
    bool ok = fflush(f->fp) == 0 && !ferror(f->fp);
    int saved = errno;
    if (ok && f->tmp_path && fsync(fileno(f->fp)) != 0 && errno != EINVAL && errno != EROFS) ok = false, saved = errno;
    if (fclose(f->fp) != 0 && ok) ok = false, saved = errno;
    f->fp = NULL;
    if (!f->tmp_path) return true; /* a dry run */
    if (ok) { /* the target may have changed since afile_open: never rename over a special file */
        bool exists;
        struct stat st;
        if (!check_target(f->path, &exists, &st, err, errlen)) {
            afile_abort(f);
            return false;
        }
    }
    if (ok && rename(f->tmp_path, f->path) != 0) ok = false, saved = errno;
    if (!ok) {
        snprintf(err, errlen, "cannot write '%s': %s", f->shown, strerror(saved));
        afile_abort(f);
        return false;
    }
    if (unpublish(f->tmp_path)) free(f->tmp_path);
    free(f->path);
    free(f->shown);
    memset(f, 0, sizeof *f);
    return true;
}

void afile_abort(AtomicFile *f) {
    if (f->fp) fclose(f->fp);
    if (f->tmp_path) {
        unlink(f->tmp_path);
        if (unpublish(f->tmp_path)) free(f->tmp_path);
    }
    free(f->path);
    free(f->shown);
    memset(f, 0, sizeof *f);
}
