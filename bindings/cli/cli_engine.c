/* cli_engine.c: a scoring engine from the command line's options; see cli_engine.h. */
#include "cli_engine.h"

#include <stdio.h>
#include <stdlib.h>

#include "dealscore_internal.h"

dealscore_engine *cli_engine_open(const char *command, const dsl_config *c, const ds_params *params,
                                  int as_of, unsigned flags, int max_actions, int max_questions,
                                  size_t deal_memory) {
    char err[1024], day[11], who[80];
    snprintf(who, sizeof who, "dealscore%s%s", command ? " " : "", command ? command : "");
    dealscore_model model;
    dealscore_options opts;
    dealscore_options_from_config(&opts, c);
    if (as_of != DS_NO_DATE) {
        ds_date_format(as_of, day);
        opts.as_of = day;
    }
    opts.deal_memory = deal_memory;
    opts.max_actions = max_actions;
    opts.max_questions = max_questions;
    /* the policies first, then what the flags need of the model: each failure
     * says what it is */
    opts.flags = flags & ~(unsigned)(DEALSCORE_ACTIONS | DEALSCORE_QUESTIONS);
    dealscore_engine *e =
        dealscore_engine_new(dealscore_model_borrow(&model, params), &opts, err, sizeof err);
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

dealscore_model *cli_model(const ds_params *params) {
    dealscore_model *m = malloc(sizeof *m);
    return m ? dealscore_model_borrow(m, params) : NULL;
}

void cli_model_free(dealscore_model *m) {
    free(m); /* borrowed: the parameters are the caller's */
}
