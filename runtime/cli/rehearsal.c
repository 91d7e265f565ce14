/* rehearsal.c — running a script on a few draws, silently, to record its summaries. */
#include "rehearsal.h"

#include <stdio.h>

#include "atomic_file.h"
#include "builtins.h"
#include "display.h"
#include "json_out.h"
#include "strbuf.h"

Prefetch *rehearse(const Source *src, const RehearsalSetup *setup) {
    FILE *discard = fopen("/dev/null", "w");
    if (!discard) return NULL;
    Interp R;
    interp_init(&R, discard);
    stdlib_open(&R);
    setup->apply(&R, setup->arg);
    R.rehearsal_n = R.smp.n; /* the draws the real run will have, until `set samples` says more */
    R.rehearsal_min_n = setup->min_n;
    R.smp.n = R.smp.n < REHEARSAL_DRAWS ? R.smp.n : REHEARSAL_DRAWS;
    R.smp.threads = 1;
    if (!R.time_limit || R.time_limit > REHEARSAL_SECONDS) R.time_limit = REHEARSAL_SECONDS;
    R.time_limit_flag = NULL; /* its limits are its own: stopping only means less is prefetched */
    R.step_limit_flag = NULL;
    Prefetch *pf = pf_new();
    pf_record(&R.smp, pf);
    R.files.dry = true;

    Value last;
    EvStatus st = interp_run(&R, source_from_string(src->name, src->text, src->len), NULL,
                             setup->show_last ? &last : NULL);
    bool worth = R.rehearsal_n >= setup->min_n;
    if (st == EV_OK && worth) {
        StrBuf sink;
        sb_init(&sink);
        if (setup->show_last && last.kind != VAL_NIL) display_value(&R, &last, &sink, true);
        if (setup->json) json_globals(&R, &sink);
        sb_free(&sink);
    }
    if (setup->show_last) value_release(last);

    pf_record(&R.smp, NULL);
    interp_free(&R); /* drops the rehearsal's arrays: the recorded nodes keep only their recipes */
    fclose(discard);
    if (!worth || pf_count(pf) == 0) {
        pf_free(pf);
        return NULL;
    }
    return pf;
}
