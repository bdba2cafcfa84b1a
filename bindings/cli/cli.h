/* cli.h: the dealscore program's commands and what they share. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "dsl.h"

/* exit codes */
enum { CLI_OK = 0, CLI_DEAL_ERRORS = 1, CLI_USAGE = 2 };

/* Where bundled files live: $DEALSCORE_HOME, else the folder above the program
 * when it holds models/default.json, else the source tree it was built from. */
const char *cli_home(void);
/* A bundled file's path (static buffer per call site is the caller's). */
void cli_bundled(char *out, size_t len, const char *relative);

/* Loads the model (--model or the bundled default); prints the error and returns
 * -1 on failure. */
int cli_load_model(ds_params *params, const char *path);

/* The policy options of score and check: --policy [NAME=]FILE (repeatable),
 * --policy-field, --policy-instructions, --policy-memory. */
typedef struct cli_policy_args {
    dsl_config config;
    const char *field, *instructions, *memory;
} cli_policy_args;

#define CLI_POLICY_HELP                                                                            \
    "  -p, --policy [NAME=]FILE\n"                                                                 \
    "                      Lua scoring policy (default: scripts/default.lua). Give\n"              \
    "                      NAME=FILE once per segment: a deal's \"policy\" field names\n"          \
    "                      the one that scores it; FILE alone replaces the default\n"              \
    "      --policy-field FIELD\n"                                                                 \
    "                      the deal key naming its policy (default: policy, read only\n"           \
    "                      when named policies are given or with this option)\n"                   \
    "      --policy-instructions N\n"                                                              \
    "                      Lua instructions a policy may run per deal (model:\n"                   \
    "                      runtime.instruction_budget; k/M/G suffixes; 0 = no limit)\n"            \
    "      --policy-memory MB\n"                                                                   \
    "                      memory cap of the policies' Lua state per worker (model:\n"             \
    "                      runtime.memory_limit_mb; 0 = no limit)\n"

enum { CLI_OPT_POLICY_FIELD = 1000, CLI_OPT_POLICY_INSTRUCTIONS, CLI_OPT_POLICY_MEMORY };

/* Adds one --policy argument; prints the error and returns -1 when malformed. */
int cli_policy_add(cli_policy_args *a, const char *spec);
/* Takes the policy options of a getopt loop (-p and the CLI_OPT_POLICY_* ones):
 * 1 when c was one of them, 0 when not, -1 when its argument is bad. */
int cli_policy_option(cli_policy_args *a, int c, const char *arg);

/* getopt_long entries for the options cli_policy_option() takes */
/* clang-format off */
#define CLI_POLICY_LONGOPTS                                                    \
    {"policy", required_argument, NULL, 'p'},                                  \
    {"policy-field", required_argument, NULL, CLI_OPT_POLICY_FIELD},           \
    {"policy-instructions", required_argument, NULL, CLI_OPT_POLICY_INSTRUCTIONS}, \
    {"policy-memory", required_argument, NULL, CLI_OPT_POLICY_MEMORY}
/* clang-format on */
/* Completes the config after the model is loaded: the bundled default when no
 * FILE replaced it, the budgets (model, then options), the deal field. Prints
 * the error and returns -1 on a bad value. */
int cli_policy_finish(cli_policy_args *a, const ds_params *params);
/* Opens a policy set; prints "dealscore: policy: file:line: ..." on failure. */
dsl_policies *cli_open_policies(const dsl_config *c, const ds_params *params);

/* A count in 0..1000 (--max-actions); -1 when s is not one. */
int cli_parse_count(const char *s);
/* --as-of: "YYYY-MM-DD", or "today" (the local date). Returns 0 with *day set,
 * or -1 after a message naming the command. */
int cli_parse_as_of(const char *command, const char *arg, int *day);
/* Says once, on stderr, that `undated` deals have contact dates but no as_of, so
 * staleness was not judged, and how to fix it. Nothing when undated is 0. */
void cli_note_undated(const char *command, long undated);

int cli_score(int argc, char **argv);
int cli_backtest(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_map(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_convert(int argc, char **argv);

/* "256M", "1G", "65536": a size in bytes (K, M, G binary suffixes); 0 when it
 * is not one, or under the 1 MiB a deal needs. */
size_t cli_parse_size(const char *s);

#endif
