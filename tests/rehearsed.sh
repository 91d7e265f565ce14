#!/usr/bin/env bash
# rehearsed.sh ARGS... — sqc ($SQC_UNDER_TEST) with --rehearse=always: the golden cases run through
# this must give exactly their expected output, so a rehearsal can never change what a script does.
exec "$SQC_UNDER_TEST" --rehearse=always "$@"
