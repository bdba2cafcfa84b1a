/* dsl_actions.c: next best actions, re-scored through the team's own policy.
 *
 * For one analysed deal: the catalogue of core/ds_action.c plus whatever the
 * policy's optional actions(deal, scores) returns (read and checked by
 * dsl_policy_actions(), under the policy's budgets). Each action is applied to a
 * copy of the deal, the copy is analysed (reusing what the action cannot change)
 * and decided by the same policy, and the gain is the computed viability (before
 * any override) minus the base deal's. Each copy's memory is given back to the
 * arena before the next, so a deal with many actions needs the memory of two
 * analyses, not of all of them. */
#include <stdio.h>
#include <string.h>

#include "ds_json.h"
#include "dsl.h"

static double computed_viability(const ds_outcome *o) {
    return o->overridden ? o->computed_viability : o->viability;
}

/* ---- the policy's own actions ---- */

/* A policy action replaces a catalogue action of the same name: the team's own
 * definition wins. Catalogue actions are items[0..catalogue_n). */
static int drop_replaced(ds_action *items, int n, int catalogue_n) {
    int kept = 0;
    for (int i = 0; i < n; i++) {
        bool replaced = false;
        for (int j = catalogue_n; i < catalogue_n && j < n && !replaced; j++)
            replaced = strcmp(items[i].name, items[j].name) == 0;
        if (!replaced) items[kept++] = items[i];
    }
    return kept;
}

/* Appends the policy's actions (their patches parsed into the arena) to the
 * catalogue's; returns the new count, or -1 with err set. */
static int add_policy_actions(ds_action **items, int n, const dsl_action *custom, int n_custom,
                              ds_arena *a, ds_error *err) {
    if (n_custom == 0) return n;
    ds_action *all = ds_arena_alloc(a, sizeof(ds_action) * (size_t)(n + n_custom));
    if (!all) goto no_memory;
    memcpy(all, *items, sizeof(ds_action) * (size_t)n);
    for (int i = 0; i < n_custom; i++) {
        size_t at = 0;
        const cJSON *patch = ds_json_parse(a, custom[i].patch, strlen(custom[i].patch), &at);
        if (!patch) goto no_memory; /* written by dsl_write_json: valid unless memory ran out */
        all[n + i] = (ds_action){custom[i].action,
                                 custom[i].target,
                                 DS_ACT_CUSTOM,
                                 -1,
                                 -1,
                                 -1,
                                 DS_TOUCH_GRAPH,
                                 patch,
                                 0};
    }
    *items = all;
    return drop_replaced(all, n + n_custom, n);
no_memory:
    ds_error_set(err, "out_of_memory", "$", "no memory for the policy's actions");
    return -1;
}

/* ---- evaluating ---- */

/* Names the action in the error of its copy. A copy that is not a valid deal is
 * the policy's fault (its patch), so it is a policy_error naming code and path. */
static int action_error(dsl_policy *p, const ds_action *act, ds_error *err) {
    char inner[sizeof err->message], path[sizeof err->path];
    snprintf(inner, sizeof inner, "%s", err->message);
    snprintf(path, sizeof path, "%s", err->path);
    const char *code = err->code;
    if (strncmp(code, "policy_", 7) == 0 || strcmp(code, "out_of_memory") == 0)
        ds_error_set(err, code, "$", "action %s: %s", act->name, inner);
    else
        ds_error_set(err, "policy_error", "$", "%s: action %s makes an invalid deal: %s (%s at %s)",
                     dsl_policy_path(p), act->name, inner, code, path);
    return -1;
}

static int evaluate(dsl_policy *p, ds_analysis *base, double base_viability, ds_action *act,
                    const ds_action_settings *settings, ds_arena *a, ds_error *err) {
    ds_arena_mark mark = ds_arena_mark_now(a);
    ds_deal copy;
    ds_analysis an;
    ds_outcome o;
    int rc = ds_action_apply(base->deal, act, settings, base->params, a, &copy, err);
    if (rc == 0) rc = ds_analyse_derived(&an, &copy, base, act->touch, a, err);
    if (rc == 0) rc = dsl_policy_decide(p, &an, a, &o, err);
    if (rc == 0) act->gain = computed_viability(&o) - base_viability;
    ds_arena_release(a, mark);
    return rc < 0 ? action_error(p, act, err) : 0;
}

int dsl_actions_rank(dsl_policy *p, ds_analysis *base, ds_outcome *out,
                     const ds_action_settings *settings, int max, ds_arena *a, dsl_action **custom,
                     int *n_custom, ds_error *err) {
    ds_action *items = NULL;
    int n = ds_action_catalogue(base->deal, settings, a, &items);
    if (n >= 0) n = ds_action_prune(items, n, base->graph.effective, settings->max_candidates, a);
    if (n < 0) {
        ds_error_set(err, "out_of_memory", "$", "deal too large for actions");
        return -1;
    }
    if (dsl_policy_actions(p, base, a, custom, n_custom, err) < 0) return -1;
    if ((n = add_policy_actions(&items, n, *custom, *n_custom, a, err)) < 0) return -1;
    double base_viability = computed_viability(out);
    for (int i = 0; i < n; i++)
        if (evaluate(p, base, base_viability, &items[i], settings, a, err) < 0) return -1;
    out->actions = items;
    out->n_actions = ds_action_rank(items, n, settings->min_gain, max);
    return 0;
}
