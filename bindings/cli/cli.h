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
dsl_policy *cli_open_policy(const char *path, const ds_params *params);

int cli_score(int argc, char **argv);
int cli_serve(int argc, char **argv);

#endif
