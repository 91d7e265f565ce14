/* repl.c — the interactive session: read a line, run it, show its value. */
#include "repl.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"

int repl_run(Interp *I) {
    printf("sqc — type an expression; Ctrl-D or :quit to leave\n");
    for (;;) {
        char *line = readline("sq> ");
        if (!line) break;
        if (!strcmp(line, ":quit")) {
            free(line);
            break;
        }
        if (*line) add_history(line);
        ParseError perr;
        Value last;
        EvStatus st = interp_run(I, source_from_string("<repl>", line, strlen(line)), &perr, &last);
        free(line);
        if (st != EV_OK) {
            if (I->has_error) interp_print_error(I, stderr);
            else diag_print(stderr, perr.span, perr.message);
            continue;
        }
        if (last.kind != VAL_NIL) {
            StrBuf sb;
            sb_init(&sb);
            if (display_value(I, &last, &sb, false)) printf("%s\n", sb.data);
            else interp_print_error(I, stderr);
            sb_free(&sb);
        }
        value_release(last);
        fflush(stdout);
    }
    return 0;
}
