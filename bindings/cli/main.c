/* main.c: the dealscore program: one binary, one command per job.
 *
 * The command table is the one list of commands: dispatch, the command list of
 * `dealscore --help` and the man page (scripts/gen-man, which reads the list
 * back with `dealscore --commands`) all come from it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dealscore.h"

typedef struct cli_command_entry {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary; /* one line, for the list of commands */
} cli_command_entry;

static const cli_command_entry commands[] = {
    {"score", cli_score, "score deals from JSONL, JSON or CRM CSV exports"},
    {"explain", cli_explain,
     "a deal's scores, reasons, warnings and next best actions, for people"},
    {"map", cli_map, "the stakeholder map of a deal as Graphviz DOT or SVG"},
    {"diff", cli_diff, "what changed between two exports of the same pipeline"},
    {"backtest", cli_backtest, "measure policies on closed deals, calibrate win probability"},
    {"check", cli_check, "load a Lua policy and try it on example deals"},
    {"convert", cli_convert, "the deals a CSV mapping makes, as JSONL"},
    {"serve", cli_serve, "answer scoring requests over TCP"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
    fputs("usage: dealscore COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "dealscore scores enterprise AI and IT deals by the people around them: whether the\n"
          "champion is convinced of more than short-term numbers, whether IT will resist,\n"
          "whether users feel threatened, and whether the people sold to can buy.\n"
          "\n"
          "commands (dealscore COMMAND --help for each):\n",
          out);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "options:\n"
          "  -h, --help      this text\n"
          "  -V, --version   print the version\n"
          "\n"
          "environment:\n"
          "  DEALSCORE_HOME  folder holding models/ and scripts/ (default: share/dealscore of\n"
          "                  the installed tree the program is in, else the source tree it\n"
          "                  was built from)\n"
          "  NO_COLOR        no colour in explain's report, even on a terminal\n"
          "\n"
          "exit status: 0 everything done, 1 some deals (or rows) had errors, the rest was\n"
          "done, or there was no deal at all (an output file is then left as it was),\n"
          "2 usage or setup error.\n",
          out);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("dealscore %s\n", DEALSCORE_VERSION);
        return CLI_OK;
    }
    if (strcmp(cmd, "--commands") == 0) { /* for scripts/gen-man: name TAB summary */
        for (size_t i = 0; i < N_COMMANDS; i++)
            printf("%s\t%s\n", commands[i].name, commands[i].summary);
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "dealscore: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CLI_USAGE;
}
