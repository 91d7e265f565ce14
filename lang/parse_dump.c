/* parse_dump.c — `sq_parse_dump [--spans|--at-end] FILE`: prints the syntax tree of FILE (for the
 * parser's golden tests), or its syntax error and exits 1. --spans adds each node's byte span;
 * --at-end adds a line "(at end of input)" after an error the REPL would read more input for. */
#include <stdio.h>
#include <string.h>

#include "parse.h"

int main(int argc, char **argv)
{
    bool spans = argc == 3 && strcmp(argv[1], "--spans") == 0;
    bool at_end = argc == 3 && strcmp(argv[1], "--at-end") == 0;
    if (argc != 2 && !spans && !at_end) {
        fprintf(stderr, "usage: sq_parse_dump [--spans|--at-end] FILE\n");
        return 2;
    }
    char err[512];
    Source *src = source_from_file(argv[argc - 1], err, sizeof err);
    if (!src) {
        fprintf(stderr, "sq_parse_dump: %s\n", err);
        return 2;
    }
    ParseError perr;
    SymTab syms = {0};
    Program *prog = parse_program(src, &syms, &perr);
    int status = 0;
    if (prog) {
        ast_dump_ex(stdout, program_root(prog), 0, spans);
        program_free(prog);
    } else {
        diag_print(stderr, perr.span, perr.message);
        if (at_end && perr.at_end)
            fprintf(stderr, "(at end of input)\n");
        status = 1;
    }
    source_free(src);
    symtab_free(&syms);
    return status;
}
