/* ds_result.h: one result line per deal (SCORING.md section 5).
 *
 * The policy's outcome (viability, verdict, reasons) joins the core's analysis
 * here and is written as JSON with a fixed key order: scores to one decimal,
 * factors to four. */
#ifndef DS_RESULT_H
#define DS_RESULT_H

#include "ds_action.h"
#include "ds_buf.h"
#include "ds_question.h"
#include "ds_score.h"

typedef struct ds_outcome {
    const char *policy; /* "name@version" */
    double viability;
    bool overridden;           /* viability came from override.viability */
    double computed_viability; /* the policy's own value, when overridden */
    const char *verdict;
    int n_reasons;
    const char **reasons;
    int n_factors; /* optional viability factors from the policy */
    ds_factor *factors;
    int n_actions; /* next best actions, best first (DS_OUT_ACTIONS) */
    const ds_action *actions;
    int n_questions; /* questions, largest swing first (DS_OUT_QUESTIONS) */
    const ds_question *questions;
} ds_outcome;

enum { DS_OUT_EXPLAIN = 1, DS_OUT_ACTIONS = 2, DS_OUT_QUESTIONS = 4 };

/* The decimals each number is written with (docs/output.md), one name per kind:
 * the line and the typed readers of a result (lib/dealscore.h's
 * DEALSCORE_DECIMALS_*, the Python and Lua bindings) round alike. */
enum {
    DS_DECIMALS_SCORE = 1, /* scores, viability, computed_viability, a question's low/high */
    DS_DECIMALS_GAIN = 2,  /* an action's gain, a question's swing */
    DS_DECIMALS_SHARE = 4  /* coverage, win_probability, effects, influence, predicted stance */
};

void ds_result_write(ds_buf *b, const ds_analysis *an, const ds_outcome *o, unsigned flags);
/* {"id": id-or-null, "error": {"code", "message", "path"}} */
void ds_result_write_error(ds_buf *b, const char *id, const ds_error *err);

#endif
