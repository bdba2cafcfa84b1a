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
#include <stdbool.h>
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
    struct ds_idset *seen; /* deal ids seen in this batch, or NULL for no check */
    /* After a run: whether the deal passed validation (so its id takes part in the
     * batch's duplicate check) and its id (in the arena, valid until the next run).
     * A multi-threaded caller leaves seen NULL and checks ids in input order. */
    bool validated;
    const char *deal_id;
} dsl_scorer;

void dsl_scorer_init(dsl_scorer *s, const ds_params *params, dsl_policy *policy);
void dsl_scorer_free(dsl_scorer *s);
/* Scores one JSON text into s->out. `where` names the input position for
 * messages ("deals.jsonl:17"). Returns 0 for a result, 1 for an error result. */
int dsl_scorer_run(dsl_scorer *s, const char *text, size_t len, const char *where);
/* The duplicate_id error result for a deal id already scored in this batch. */
void dsl_scorer_write_duplicate(ds_buf *out, const char *id, const char *where);

#endif
