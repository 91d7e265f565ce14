/* unit_check.h — the unit tests' one check: counts, prints "FAIL what" for a failed check, and
 * check_report() prints the tally and gives main's exit status. Include it once per test. */
#ifndef SQC_UNIT_CHECK_H
#define SQC_UNIT_CHECK_H

#include <stdio.h>

static int passed, failed;

static void check(const char *what, int ok) {
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s\n", what);
}

static int check_report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif
