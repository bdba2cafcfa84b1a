/* main.c: the dealscore program: one binary, one command per job. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dealscore.h"

static const char usage[] =
    "usage: dealscore COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "dealscore scores enterprise AI and IT deals by the people around them: whether the\n"
    "champion is convinced of more than short-term numbers, whether IT will resist,\n"
    "whether users feel threatened, and whether the people sold to can buy.\n"
    "\n"
    "commands:\n"
    "  score     score deals from JSONL, JSON or CRM CSV exports (dealscore score --help)\n"
    "  backtest  measure policies on closed deals, calibrate win probability\n"
    "            (see dealscore backtest --help)\n"
    "  check     load a Lua policy and try it on example deals (dealscore check --help)\n"
    "  serve     answer scoring requests over TCP (see dealscore serve --help)\n"
    "  explain   a deal's scores, reasons, warnings and next best actions, for people\n"
    "  map       the stakeholder map of a deal as Graphviz DOT or SVG\n"
    "  diff      what changed between two exports of the same pipeline\n"
    "  convert   the deals a CSV mapping makes, as JSONL (dealscore convert --help)\n"
    "\n"
    "options:\n"
    "  -h, --help      this text\n"
    "  -V, --version   print the version\n"
    "\n"
    "environment:\n"
    "  DEALSCORE_HOME  folder holding models/ and scripts/ (default: next to the program)\n";

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("dealscore %s\n", DEALSCORE_VERSION);
        return CLI_OK;
    }
    if (strcmp(cmd, "score") == 0) return cli_score(argc - 1, argv + 1);
    if (strcmp(cmd, "backtest") == 0) return cli_backtest(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0) return cli_check(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) return cli_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0) return cli_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "map") == 0) return cli_map(argc - 1, argv + 1);
    if (strcmp(cmd, "diff") == 0) return cli_diff(argc - 1, argv + 1);
    if (strcmp(cmd, "convert") == 0) return cli_convert(argc - 1, argv + 1);
    fprintf(stderr, "dealscore: unknown command '%s'\n\n%s", cmd, usage);
    return CLI_USAGE;
}
