/* dsl.h: the Lua 5.4 policy runtime, the one header of bindings/lua.
 *
 * A policy is a Lua file that returns a table:
 *
 *     return { name = "default", version = 1,
 *              init = function(model) ... end,            -- optional
 *              score = function(deal, scores) ... end }   -- required
 *
 * score() receives a read-only view of the deal (dsl_view.c) and the five core
 * scores, and returns { viability = 0..100, verdict = "pursue"|"shape"|"at_risk"|
 * "walk_away", reasons = {...} }. Each dsl_policy owns one lua_State: one per
 * worker thread, never shared. */
#ifndef DSL_H
#define DSL_H

#include <lua.h>
#include <stddef.h>

#include "dealscore.h"

typedef struct dsl_policy dsl_policy;

/* Loads and initialises a policy file. Returns NULL with a message naming the file
 * and line in err. */
dsl_policy *dsl_policy_open(const char *path, const ds_params *params, char *err, size_t errlen);
void dsl_policy_close(dsl_policy *p);
const char *dsl_policy_label(const dsl_policy *p); /* "name@version" */

/* Runs the policy on an analysed deal. Strings in the outcome live in the arena.
 * Returns 0, or -1 with err set (code policy_error, message with file:line). */
int dsl_policy_decide(dsl_policy *p, ds_analysis *an, ds_arena *a, ds_outcome *out, ds_error *err);

/* The policy's Lua state and file, for other parts of the runtime (dsl_actions.c). */
lua_State *dsl_policy_state(dsl_policy *p);
const char *dsl_policy_path(const dsl_policy *p);
/* Calls the policy's optional function `name`(deal, scores) on an analysed deal.
 * Returns 0 when the policy has no such function; 1 with the result on top of the
 * state's stack (the deal view stays valid until dsl_policy_call_end()); -1 with
 * err set (policy_error) when it raised an error. */
int dsl_policy_call(dsl_policy *p, const char *name, ds_analysis *an, ds_error *err);
void dsl_policy_call_end(dsl_policy *p);

/* ---- next best actions (dsl_actions.c) ---- */

/* Applies every catalogue action and every action of the policy's optional
 * actions(deal, scores) to copies of the analysed deal, re-analyses each copy and
 * re-runs the policy on it, and puts the best (gain above settings->min_gain, at
 * most max) into out->actions. Memory for the copies is given back as it goes.
 * Returns 0, or -1 with err set (policy_error names the action). */
int dsl_actions_rank(dsl_policy *p, ds_analysis *base, ds_outcome *out,
                     const ds_action_settings *settings, int max, ds_arena *a, ds_error *err);

/* ---- the deal view (dsl_view.c) ---- */

/* Registers the view's metatables in L. */
void dsl_view_register(lua_State *L);
/* Pushes a view of the deal being decided; views stay valid until
 * dsl_view_release() and raise an error afterwards. */
void dsl_view_push(lua_State *L, ds_analysis *an);
void dsl_view_release(lua_State *L);

/* ---- JSON to Lua (dsl_convert.c) ---- */

/* Pushes a cJSON value as Lua values (objects and arrays as tables, null as nil). */
void dsl_push_json(lua_State *L, const cJSON *v);

/* ---- scoring one deal end to end (dsl_scorer.c) ---- */

typedef struct dsl_scorer {
    const ds_params *params;
    dsl_policy *policy;
    ds_arena arena;
    ds_buf out;     /* the last result line, without newline */
    unsigned flags; /* DS_OUT_* */
    int default_as_of;
    struct ds_idset *seen;      /* deal ids seen in this batch, or NULL for no check */
    ds_action_settings actions; /* with DS_OUT_ACTIONS: the model's actions section */
    int max_actions;            /* how many actions to report */
    /* the last deal scored, valid until the next run (explain, map, diff read it) */
    bool scored;
    ds_deal deal;
    ds_analysis analysis;
    ds_outcome outcome;
} dsl_scorer;

void dsl_scorer_init(dsl_scorer *s, const ds_params *params, dsl_policy *policy);
/* Turns next best actions on (max < 0: the model's max_actions). Returns -1 with
 * a message naming the model key when the actions section is broken. */
int dsl_scorer_enable_actions(dsl_scorer *s, int max, char *err, size_t errlen);
void dsl_scorer_free(dsl_scorer *s);
/* Scores one JSON text into s->out. `where` names the input position for
 * messages ("deals.jsonl:17"). Returns 0 for a result, 1 for an error result. */
int dsl_scorer_run(dsl_scorer *s, const char *text, size_t len, const char *where);

#endif
