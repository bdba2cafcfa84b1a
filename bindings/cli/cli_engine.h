/* cli_engine.h: opening a scoring engine (lib/dealscore.h) from the command line's
 * finished policy options and loaded model. */
#ifndef CLI_ENGINE_H
#define CLI_ENGINE_H

#include "cli_opts.h"
#include "dealscore.h"

/* An engine scoring with the policies, field and budgets of a (finished by
 * cli_policy_finish), judging deals without as_of at as_of ("YYYY-MM-DD"; NULL
 * or "": not at all), with `flags` and the counts for DEALSCORE_ACTIONS and
 * DEALSCORE_QUESTIONS (< 0: the model's), each deal given deal_memory bytes (0:
 * the default). Prints "dealscore: policy: ..." (with a command: "dealscore
 * COMMAND: policy: ...") when a policy does not load and "dealscore: ..." when
 * the model's actions or questions section is broken, and returns NULL. The
 * model must outlive the engine. */
dealscore_engine *cli_engine_open(const char *command, const cli_policy_args *a,
                                  const dealscore_model *m, const char *as_of, unsigned flags,
                                  int max_actions, int max_questions, size_t deal_memory);

#endif
