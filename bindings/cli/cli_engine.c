/* cli_engine.c: a scoring engine from the command line's options; see cli_engine.h. */
#include "cli_engine.h"

#include <stdio.h>

dealscore_engine *cli_engine_open(const char *command, const cli_policy_args *a,
                                  const dealscore_model *m, const char *as_of, unsigned flags,
                                  int max_actions, int max_questions, size_t deal_memory) {
    char err[1024], who[80];
    snprintf(who, sizeof who, "dealscore%s%s", command ? " " : "", command ? command : "");
    dealscore_options opts;
    cli_policy_options(a, &opts);
    opts.as_of = as_of && *as_of ? as_of : NULL;
    opts.deal_memory = deal_memory;
    opts.max_actions = max_actions;
    opts.max_questions = max_questions;
    /* the policies first, then what the flags need of the model: each failure
     * says what it is */
    opts.flags = flags & ~(unsigned)(DEALSCORE_ACTIONS | DEALSCORE_QUESTIONS);
    dealscore_engine *e = dealscore_engine_new(m, &opts, err, sizeof err);
    if (!e) {
        fprintf(stderr, "%s: policy: %s\n", who, err);
        return NULL;
    }
    unsigned steps[] = {flags & ~(unsigned)DEALSCORE_QUESTIONS, flags};
    for (int i = 0; i < 2; i++)
        if (steps[i] != opts.flags &&
            dealscore_engine_set_flags(e, steps[i], err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", who, err);
            dealscore_engine_free(e);
            return NULL;
        }
    return e;
}
