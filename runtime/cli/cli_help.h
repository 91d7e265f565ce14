/* cli_help.h — the text of `sqc --help` (docs/cli.md says the same at length). */
#ifndef SQC_CLI_HELP_H
#define SQC_CLI_HELP_H

#define SQC_HELP_TEXT \
    "usage: sqc FILE.sq [options]     run a script\n" \
    "       sqc -e CODE [options]     run code given on the line; print its last value\n" \
    "       sqc [options]             the REPL when standard input is a terminal,\n" \
    "                                 otherwise run the program read from standard input\n" \
    "\n" \
    "options:\n" \
    "  --samples N   draws per uncertain value (default 10000; 1M, 10K, 10_000 work);\n" \
    "                overrides the script's `set samples`\n" \
    "  --seed S      random seed (default 0); overrides the script's `set seed`\n" \
    "  --threads T   worker threads (default: one per CPU); output is the same for any T\n" \
    "  --sampling M  mc (Monte Carlo, the default) or lhs (Latin hypercube: each random\n" \
    "                input's N uniforms stratified, one per [k/N, (k+1)/N)); overrides\n" \
    "                the script's `set sampling`\n" \
    "  --rehearse M  auto (default), always or never: first run the script silently on\n" \
    "                a few draws to learn what it asks, then compute all of it in one\n" \
    "                pass (auto: runs of 50K draws or more); output is the same for any M\n" \
    "  --ascii       no Unicode in histograms and sparklines\n" \
    "  --json        print no text; at the end, every top-level binding as one JSON\n" \
    "                object (samples as {mean, sd, p1 ... p99, min, max})\n" \
    "  --max-steps N stop with an error after N evaluation steps (default: no limit)\n" \
    "  --max-time S  stop with an error after S seconds of running (default: no limit)\n" \
    "  --check       only parse the program: report a syntax error (exit 1) or nothing\n" \
    "  --serve       the REPL's session for a front end (the Jupyter kernel): JSON\n" \
    "                requests and replies, one a line, on standard input and output\n" \
    "                (docs/jupyter.md)\n" \
    "  -e CODE       run CODE instead of a file\n" \
    "  --help        this text\n" \
    "  --version     the version\n" \
    "  --list-builtins  every builtin's name, one a line (for editors' syntax files)\n" \
    "\n" \
    "exit status: 0 success, 1 syntax or runtime error or output not written, 2 bad command-line use\n" \
    "errors: FILE:LINE:COL: error: MESSAGE, then the source line and a caret\n" \
    "\n" \
    "The language and every builtin: docs/language.md; the command line: docs/cli.md.\n"

#endif
