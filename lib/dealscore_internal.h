/* dealscore_internal.h: what lib/ and the project's own front ends may see of the
 * engine behind the public API (lib/dealscore.h). Not installed.
 *
 * A front end that needs the decoded deal or the analysis (explain's sentences,
 * the deal map) reads them here until that wording moves into lib/ itself. */
#ifndef DEALSCORE_INTERNAL_H
#define DEALSCORE_INTERNAL_H

#include "dealscore.h"
#include "ds_core.h"
#include "dsl.h"

struct dealscore_model {
    const ds_params *params; /* &own, or a front end's own parameters */
    ds_params own;
};

/* Key notes counted over the deals of a run, by path without array indexes
 * (dealscore_keys.c). */
typedef struct key_count {
    char *path, *field; /* field NULL: a repeated key */
    long deals;
} key_count;
typedef struct key_tally {
    key_count *items;
    int n, cap;
    long more; /* deals with notes on paths past the last kept one */
} key_tally;
/* Counts the key notes of r, each path once. */
void key_tally_add(key_tally *t, const dealscore_result *r);
void key_tally_free(key_tally *t);

struct dealscore_engine {
    const ds_params *params; /* the model's: they outlive the engine */
    key_tally keys;          /* the key notes of the deals scored */
    dsl_scorer scorer;       /* owns the policy set */
    ds_seen seen;            /* DEALSCORE_UNIQUE_IDS */
    unsigned flags;
    int max_actions, max_questions; /* as the options gave them (< 0: the model's) */
    dealscore_result result;
    char default_policy[4096]; /* the bundled default's path while opening */
};

/* The model's parameters (read-only). */
const ds_params *dealscore_model_params(const dealscore_model *m);
/* A model over parameters the caller loaded and keeps (they must outlive every
 * engine made from it): m is the caller's, never freed. Returns m. */
dealscore_model *dealscore_model_borrow(dealscore_model *m, const ds_params *params);
/* dealscore_score with the decision made by the policy table at index `policy`
 * of the caller's state L (the Lua module's policy tables: their functions live
 * in L, outside any sandbox) instead of the engine's policy: parse, validation,
 * analysis and the result are the engine's. `source` names the table in
 * messages. The engine's ACTIONS and QUESTIONS flags are not used. */
const dealscore_result *dealscore_score_table(dealscore_engine *e, lua_State *L, int policy,
                                              const char *source, const char *text, size_t len,
                                              const char *where);
/* The engine's scorer: after a result without error, scorer.deal, .analysis and
 * .outcome describe the deal until the next call. */
dsl_scorer *dealscore_engine_scorer(dealscore_engine *e);

/* What a scored result is made of: the analysis (and through it the deal), the
 * policy's outcome, the arena the result's arrays come from, and the policy's
 * own proposed actions. */
typedef struct dealscore_parts {
    const ds_analysis *analysis;
    const ds_outcome *outcome;
    ds_arena *arena;
    const dsl_action *proposals;
    int n_proposals;
} dealscore_parts;

/* A scored result from its parts, with the parts `flags` asks for (the Lua
 * module's policy tables are decided outside an engine). Pointers go into the
 * parts and the arena. Returns -1 when the arena is exhausted. */
int dealscore_result_from(dealscore_result *r, const dealscore_parts *p, unsigned flags);

/* Fills the typed result from the scorer after a run (dealscore_result.c).
 * Returns -1 when the arena is exhausted. */
int dealscore_result_fill(dealscore_engine *e, int rc, const char *where);

#endif
