/* atomic_file.h — files that appear whole or not at all: written to a temporary file in
 * the same folder, then renamed over the target. Missing parent folders are created. A path
 * that holds a folder, a device, a FIFO or a socket is an error, never replaced; a symbolic
 * link is written through (its target is rewritten); a rewritten file keeps its mode, a new
 * one follows the umask. The temporary file is removed on error and on SIGINT, SIGTERM and
 * SIGHUP; one left by a killed process is removed by the next write to the same path
 * (docs/reliability.md, "Files"). */
#ifndef SQC_ATOMIC_FILE_H
#define SQC_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct AtomicFile {
    FILE *fp;        /* write here */
    char *path;      /* the target (a symbolic link's target, resolved) */
    char *shown;     /* the path as given, for messages */
    char *tmp_path;  /* the temporary file */
} AtomicFile;

/* Opens a temporary file beside path. False with a message in err (e.g. "cannot create
 * folder 'out': Permission denied"). */
bool afile_open(AtomicFile *f, const char *path, char *err, size_t errlen);
/* Flushes, closes and renames into place; on failure removes the temporary file. */
bool afile_commit(AtomicFile *f, char *err, size_t errlen);
/* Drops the temporary file; the target is untouched. */
void afile_abort(AtomicFile *f);
/* From now on afile_open fails with "writing files is turned off (why)"; NULL allows
 * writing again. The fuzzer uses it so that no generated program touches the disk. */
void afile_deny(const char *why);
/* While on, afile_open succeeds without touching the disk (writes go to /dev/null) and
 * afile_commit writes nothing: a rehearsal (rehearsal.h) runs a script's writes this way. */
void afile_dry_run(bool on);
/* Removes the temporary files open now; async-signal-safe, for a signal handler of the
 * program's own that is about to end the process (the REPL's third Ctrl-C). */
void afile_unlink_temps(void);

#endif
