/* cli.h: the dealscore program's commands and what they share. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli_opts.h"
#include "dealscore.h"

/* exit codes */
/* CLI_STOPPED: a run that stopped before the end of its input (the --server went
 * away); 128 + N is a run ended by signal N (cli_output.h) */
enum { CLI_OK = 0, CLI_DEAL_ERRORS = 1, CLI_USAGE = 2, CLI_STOPPED = 3 };

#define CLI_MAX_JOBS 256 /* worker threads of score and serve */

/* A bundled file's path under dealscore_home() (lib/dealscore.h: $DEALSCORE_HOME,
 * else share/dealscore of the installed tree the program is in, else the folder
 * above the program when it holds models/, else the source tree it was built
 * from); "" when it does not fit. */
void cli_bundled(char *out, size_t len, const char *relative);

/* Loads the model (--model, or the bundled default when path is NULL); prints
 * the error and returns NULL on failure. Freed with dealscore_model_free. */
dealscore_model *cli_load_model(const char *path);

/* --as-of: "YYYY-MM-DD", or "today" (the local date). Returns 0 with the date
 * in day, or -1 after a message naming the command. */
int cli_parse_as_of(const char *command, const char *arg, char day[11]);
/* Says once, on stderr, that `undated` deals have contact dates but no as_of, so
 * staleness was not judged, and how to fix it. Nothing when undated is 0. */
void cli_note_undated(const char *command, long undated);
/* The key notes of the deals the engines scored (near-miss and repeated keys,
 * docs/model.md), one line per key path, on standard error. */
void cli_note_keys(const char *command, dealscore_engine *const *engines, int n);
/* "dealscore CMD: no deal to VERB (...); OUTPUT is left as it was": said even
 * with -q, as it is why the run exits 1 (the output, when not NULL, is not
 * replaced by one that holds no deal: a nightly job keeps last night's). */
void cli_note_no_deals(const char *command, const char *verb, const char *output);

int cli_score(int argc, char **argv);
int cli_backtest(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_map(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_convert(int argc, char **argv);

#endif
