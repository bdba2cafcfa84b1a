/* cli_engine.h: opening a scoring engine (lib/dealscore.h) from the command line's
 * finished policy options and loaded model. */
#ifndef CLI_ENGINE_H
#define CLI_ENGINE_H

#include "dealscore.h"
#include "dsl.h"

/* An engine scoring with the policies, field and budgets of c (the bundled default
 * already in it), judging deals without as_of at as_of (DS_NO_DATE: not at all),
 * with `flags` and the counts for DEALSCORE_ACTIONS and DEALSCORE_QUESTIONS (< 0:
 * the model's). Prints "dealscore: policy: ..." (with a command: "dealscore
 * COMMAND: policy: ...") when a policy does not load and "dealscore: ..." when
 * the model's actions or questions section is broken, and returns NULL. params must outlive the
 * engine. */
dealscore_engine *cli_engine_open(const char *command, const dsl_config *c, const ds_params *params,
                                  int as_of, unsigned flags, int max_actions, int max_questions,
                                  size_t deal_memory);

/* The model over params (which the caller loaded, and which outlive it), for the
 * library's objects that take a dealscore_model; NULL when out of memory. Freed
 * with cli_model_free (params stay the caller's). */
dealscore_model *cli_model(const ds_params *params);
void cli_model_free(dealscore_model *m);

#endif
