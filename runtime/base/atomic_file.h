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
    bool (*agree)(bool ok, char *err, size_t errlen); /* AfilePolicy.agree, for afile_commit */
} AtomicFile;

/* What a program may do with files (Interp.files): each interpreter has its own. */
typedef struct AfilePolicy {
    /* afile_open succeeds without touching the disk (writes go to /dev/null) and afile_commit
     * writes nothing: a rehearsal (rehearsal.h) and the fuzzer run a script's writes this way */
    bool dry;
    const char *denied; /* non-NULL: afile_open fails with "writing files is turned off (denied)" */
    /* A run spread over processes (an MPI run, docs/scale.md): outside a dry run, after each
     * afile_open and afile_commit every process calls agree(ok, err, errlen), which gives every
     * one the outcome (and message) of the process that writes, so that all go on alike; a muted
     * process writes nothing, as in a dry run. agree NULL: none of this. */
    bool (*agree)(bool ok, char *err, size_t errlen);
    bool muted;
} AfilePolicy;

/* Opens a temporary file beside path, as policy allows. False with a message in err (e.g.
 * "cannot create folder 'out': Permission denied"). */
bool afile_open(AtomicFile *f, const char *path, AfilePolicy policy, char *err, size_t errlen);
/* Flushes, closes and renames into place; on failure removes the temporary file. */
bool afile_commit(AtomicFile *f, char *err, size_t errlen);
/* Drops the temporary file; the target is untouched. */
void afile_abort(AtomicFile *f);
/* Removes the temporary files open now; async-signal-safe, for a signal handler of the
 * program's own that is about to end the process (the REPL's third Ctrl-C). */
void afile_unlink_temps(void);

#endif
