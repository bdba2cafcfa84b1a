/* ds_action.c: the action catalogue, applying actions to deal copies, ranking;
 * see ds_action.h.
 *
 * Catalogue actions change the decoded deal directly (cheap: a copy of one array);
 * a field an action writes counts as given for coverage, exactly as if the seller
 * had typed it into the CRM, so the copy equals what decoding the modified deal
 * JSON gives. Policy actions are merged into the deal's JSON and decoded again. */
#include "ds_action.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_json.h"

/* ---- settings ---- */

int ds_action_settings_load(ds_action_settings *s, const ds_params *p, char *err, size_t errlen) {
    static const struct {
        const char *key;
        size_t offset;
    } keys[] = {
        {"recruit_stance", offsetof(ds_action_settings, recruit_stance)},
        {"recruit_ai_interest", offsetof(ds_action_settings, recruit_ai_interest)},
        {"relate_strength", offsetof(ds_action_settings, relate_strength)},
        {"engage_buyer_stance", offsetof(ds_action_settings, engage_buyer_stance)},
        {"consult_users_benefit", offsetof(ds_action_settings, consult_users_benefit)},
        {"min_gain", offsetof(ds_action_settings, min_gain)},
    };
    const cJSON *section = cJSON_GetObjectItemCaseSensitive(p->json, "actions");
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(section, keys[i].key);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
            snprintf(err, errlen, "model key actions.%s: %s", keys[i].key,
                     v ? "not a number" : "missing");
            return -1;
        }
        *(double *)((char *)s + keys[i].offset) = v->valuedouble;
    }
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(section, "max_actions");
    if (!cJSON_IsNumber(max) || max->valuedouble < 0 || max->valuedouble > 1000) {
        snprintf(err, errlen, "model key actions.max_actions: %s",
                 max ? "not a number in 0..1000" : "missing");
        return -1;
    }
    s->max_actions = (int)max->valuedouble;
    /* optional, so models written before it still load */
    const cJSON *cand = cJSON_GetObjectItemCaseSensitive(section, "max_candidates");
    s->max_candidates = DS_ACTION_MAX_CANDIDATES;
    if (cand && (!cJSON_IsNumber(cand) || cand->valuedouble < 0 || cand->valuedouble > 100000)) {
        snprintf(err, errlen, "model key actions.max_candidates: not a number in 0..100000");
        return -1;
    }
    if (cand) s->max_candidates = (int)cand->valuedouble;
    return 0;
}

/* ---- the catalogue ---- */

typedef struct catalogue {
    ds_action *items;
    int n, cap;
    ds_arena *arena;
    bool failed;
} catalogue;

static ds_action *push(catalogue *c, int kind, int touch, int who, int other, const char *name,
                       const char *target) {
    if (c->failed || !name || c->n == c->cap) {
        c->failed = true;
        return NULL;
    }
    ds_action *act = &c->items[c->n++];
    *act = (ds_action){name, target, kind, who, other, -1, touch, NULL, 0};
    return act;
}

int ds_action_best_it(const ds_deal *d) {
    int best = -1;
    for (int t = 0; t < d->n_stakeholders; t++) {
        const ds_stakeholder *s = &d->stakeholders[t];
        if (!(s->sets & DS_SET_IT)) continue;
        if (best < 0) {
            best = t;
            continue;
        }
        const ds_stakeholder *b = &d->stakeholders[best];
        if (s->ai_interest != b->ai_interest) {
            if (s->ai_interest > b->ai_interest) best = t;
        } else if (s->stance != b->stance) {
            if (s->stance > b->stance) best = t;
        } else if (strcmp(s->id, b->id) < 0) {
            best = t;
        }
    }
    return best;
}

static void add_convince(catalogue *c, const ds_deal *d) {
    static const char *const aspects[2] = {"capability", "strategic"};
    for (int i = 0; i < d->n_stakeholders; i++) {
        const ds_stakeholder *s = &d->stakeholders[i];
        if (!(s->sets & DS_SET_KEY)) continue;
        for (int k = 0; k < 2; k++) {
            if (s->convinced[k]) continue;
            ds_action *act =
                push(c, DS_ACT_CONVINCE, DS_TOUCH_FACTS, i, -1,
                     ds_arena_printf(c->arena, "convince:%s:%s", s->id, aspects[k]), s->id);
            if (act) act->aspect = k;
        }
    }
}

static void add_recruit(catalogue *c, const ds_deal *d, const ds_action_settings *set) {
    for (int t = 0; t < d->n_stakeholders; t++) {
        const ds_stakeholder *s = &d->stakeholders[t];
        if (!(s->sets & DS_SET_IT)) continue;
        if (s->stance >= set->recruit_stance && s->ai_interest >= set->recruit_ai_interest)
            continue;
        int touch = s->stance < set->recruit_stance ? DS_TOUCH_STANCE : DS_TOUCH_FACTS;
        push(c, DS_ACT_RECRUIT_IT_CHAMPION, touch, t, -1,
             ds_arena_printf(c->arena, "recruit_it_champion:%s", s->id), s->id);
    }
}

/* relate: one action per decision maker, so the seller sees which tie pays most. */
static void add_relate(catalogue *c, const ds_deal *d) {
    int t = ds_action_best_it(d);
    if (t < 0) return;
    const char *tid = d->stakeholders[t].id;
    for (int b = 0; b < d->n_stakeholders; b++) {
        if (b == t || !(d->stakeholders[b].sets & DS_SET_DECIDERS)) continue;
        const char *bid = d->stakeholders[b].id;
        push(c, DS_ACT_RELATE, DS_TOUCH_GRAPH, t, b,
             ds_arena_printf(c->arena, "relate:%s:%s", tid, bid),
             ds_arena_printf(c->arena, "%s,%s", tid, bid));
    }
}

static void add_engage(catalogue *c, const ds_deal *d) {
    for (int i = 0; i < d->n_stakeholders; i++) {
        const ds_stakeholder *s = &d->stakeholders[i];
        if (!(s->sets & DS_SET_DECIDERS) || s->stance >= 1) continue;
        push(c, DS_ACT_ENGAGE_BUYER, DS_TOUCH_STANCE, i, -1,
             ds_arena_printf(c->arena, "engage_buyer:%s", s->id), s->id);
    }
}

int ds_action_catalogue(const ds_deal *d, const ds_action_settings *s, ds_arena *a,
                        ds_action **out) {
    int n = d->n_stakeholders;
    catalogue c = {NULL, 0, 2 * n + n + n + n + 3, a, false};
    c.items = ds_arena_alloc(a, sizeof(ds_action) * (size_t)c.cap);
    if (!c.items) return -1;
    add_convince(&c, d);
    add_recruit(&c, d, s);
    add_relate(&c, d);
    if (!d->solution.it_burden_framed)
        push(&c, DS_ACT_FRAME_IT_WORKLOAD, DS_TOUCH_FACTS, -1, -1, "frame_it_workload", NULL);
    if (!d->solution.users_consulted)
        push(&c, DS_ACT_CONSULT_USERS, DS_TOUCH_FACTS, -1, -1, "consult_users", NULL);
    add_engage(&c, d);
    if (!d->solution.prototype)
        push(&c, DS_ACT_PROTOTYPE, DS_TOUCH_FACTS, -1, -1, "prototype", NULL);
    *out = c.items;
    return c.failed ? -1 : c.n;
}

/* ---- a bounded catalogue ---- */

typedef struct ranked {
    double weight;
    int at;
} ranked;

static int by_weight(const void *x, const void *y) {
    const ranked *a = x, *b = y;
    if (a->weight != b->weight) return a->weight > b->weight ? -1 : 1;
    return a->at - b->at;
}

int ds_action_prune(ds_action *items, int n, const double *weight, int max, ds_arena *a) {
    if (n <= max) return n;
    ranked *order = ds_arena_alloc_raw(a, sizeof(ranked) * (size_t)n);
    unsigned char *keep = ds_arena_alloc(a, (size_t)n);
    if (!order || !keep) return -1;
    for (int i = 0; i < n; i++) {
        int who = items[i].kind == DS_ACT_RELATE ? items[i].other : items[i].who;
        order[i] = (ranked){who < 0 ? INFINITY : weight[who], i};
    }
    qsort(order, (size_t)n, sizeof *order, by_weight);
    for (int i = 0; i < max; i++) keep[order[i].at] = 1;
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (keep[i]) items[kept++] = items[i];
    return kept;
}

/* ---- applying catalogue actions ---- */

/* 1 when the deal's JSON did not give this field, or marked it inferred (so writing
 * it adds coverage). */
static int newly_given(const cJSON *obj, const ds_inferred *inferred, int n_inferred,
                       const char *key, const char *sub) {
    if (!obj) return 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (sub) v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, sub) : NULL;
    if (v == NULL) return 1;
    char field[64];
    snprintf(field, sizeof field, "%s%s%s", key, sub ? "." : "", sub ? sub : "");
    return ds_inferred_source(inferred, n_inferred, field) != NULL;
}

static const cJSON *stakeholder_json(const ds_deal *d, int i) {
    const cJSON *list = d->json ? cJSON_GetObjectItemCaseSensitive(d->json, "stakeholders") : NULL;
    return cJSON_GetArrayItem(list, i);
}

static int solution_given(const ds_deal *d, const char *key) {
    const cJSON *sol = d->json ? cJSON_GetObjectItemCaseSensitive(d->json, "solution") : NULL;
    if (!d->json) return 0;
    return sol ? newly_given(sol, d->solution.inferred, d->solution.n_inferred, key, NULL) : 1;
}

static ds_stakeholder *own_stakeholder(ds_deal *copy, ds_arena *a, int i) {
    size_t size = sizeof(ds_stakeholder) * (size_t)copy->n_stakeholders;
    ds_stakeholder *list = ds_arena_alloc(a, size ? size : 1);
    if (!list) return NULL;
    memcpy(list, copy->stakeholders, size);
    copy->stakeholders = list;
    return &list[i];
}

static void count(ds_deal *copy, int *given, int added) {
    *given += added;
    copy->coverage_given += added;
}

static int apply_to_stakeholder(const ds_deal *base, const ds_action *act,
                                const ds_action_settings *set, ds_arena *a, ds_deal *copy) {
    ds_stakeholder *s = own_stakeholder(copy, a, act->who);
    if (!s) return -1;
    const cJSON *json = stakeholder_json(base, act->who);
    const ds_inferred *inf = s->inferred;
    int n_inf = s->n_inferred;
    static const char *const aspects[2] = {"capability", "strategic"};
    switch (act->kind) {
    case DS_ACT_CONVINCE:
        s->convinced[act->aspect] = true;
        count(copy, &s->given, newly_given(json, inf, n_inf, "convinced", aspects[act->aspect]));
        break;
    case DS_ACT_RECRUIT_IT_CHAMPION:
        s->stance = fmax(s->stance, set->recruit_stance);
        s->ai_interest = fmax(s->ai_interest, set->recruit_ai_interest);
        count(copy, &s->given,
              newly_given(json, inf, n_inf, "stance", NULL) +
                  newly_given(json, inf, n_inf, "ai_interest", NULL));
        break;
    case DS_ACT_ENGAGE_BUYER:
        s->stance = fmin(1.0, s->stance + set->engage_buyer_stance);
        count(copy, &s->given, newly_given(json, inf, n_inf, "stance", NULL));
        break;
    }
    return 0;
}

static int apply_relate(const ds_deal *base, const ds_action *act, const ds_action_settings *set,
                        ds_arena *a, ds_deal *copy) {
    size_t size = sizeof(ds_relationship) * (size_t)base->n_relationships;
    ds_relationship *list = ds_arena_alloc(a, size + sizeof(ds_relationship));
    if (!list) return -1;
    if (size) memcpy(list, base->relationships, size);
    list[base->n_relationships] =
        (ds_relationship){act->who, act->other, DS_REL_TRUSTS, set->relate_strength};
    copy->relationships = list;
    copy->n_relationships = base->n_relationships + 1;
    return 0;
}

static void apply_to_solution(const ds_deal *base, const ds_action *act,
                              const ds_action_settings *set, ds_deal *copy) {
    ds_solution *sol = &copy->solution;
    switch (act->kind) {
    case DS_ACT_FRAME_IT_WORKLOAD:
        sol->it_burden_framed = true;
        count(copy, &sol->given, solution_given(base, "it_burden_framed"));
        break;
    case DS_ACT_CONSULT_USERS:
        sol->users_consulted = true;
        sol->user_benefit = fmin(1.0, sol->user_benefit + set->consult_users_benefit);
        count(copy, &sol->given,
              solution_given(base, "users_consulted") + solution_given(base, "user_benefit"));
        break;
    case DS_ACT_PROTOTYPE:
        sol->prototype = true;
        count(copy, &sol->given, solution_given(base, "prototype"));
        break;
    }
}

/* ---- policy actions: declarative changes merged into the deal's JSON ---- */

/* RFC 7396 merge patch: objects merge member by member, null removes, any other
 * value replaces. */
static int merge_patch(cJSON *target, const cJSON *patch) {
    for (const cJSON *p = patch->child; p; p = p->next) {
        cJSON *t = cJSON_GetObjectItemCaseSensitive(target, p->string);
        if (cJSON_IsNull(p)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
        } else if (cJSON_IsObject(p)) {
            if (!cJSON_IsObject(t)) {
                cJSON *fresh = cJSON_CreateObject();
                if (!fresh) return -1;
                if (t)
                    cJSON_ReplaceItemInObjectCaseSensitive(target, p->string, fresh);
                else
                    cJSON_AddItemToObject(target, p->string, fresh);
                t = fresh;
            }
            if (merge_patch(t, p) < 0) return -1;
        } else {
            cJSON *value = cJSON_Duplicate(p, 1);
            if (!value) return -1;
            if (t)
                cJSON_ReplaceItemInObjectCaseSensitive(target, p->string, value);
            else
                cJSON_AddItemToObject(target, p->string, value);
        }
    }
    return 0;
}

/* The member `key` of parent as an object (or an array), made or replaced when it
 * is missing or of another type; NULL when out of memory. */
static cJSON *child(cJSON *parent, const char *key, bool array) {
    cJSON *c = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (array ? cJSON_IsArray(c) : cJSON_IsObject(c)) return c;
    c = array ? cJSON_CreateArray() : cJSON_CreateObject();
    if (!c) return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
    cJSON_AddItemToObject(parent, key, c);
    return c;
}

static int bad_change(ds_error *err, const char *path, const char *name, const char *what) {
    ds_error_set(err, "bad_type", path, "action %s: %s", name, what);
    return -1;
}

/* stakeholders = {id = {changes}}: merged into the stakeholder with that id */
static int patch_stakeholders(cJSON *deal, const cJSON *changes, const char *name, ds_error *err) {
    cJSON *list = cJSON_GetObjectItemCaseSensitive(deal, "stakeholders");
    for (const cJSON *c = changes->child; c; c = c->next) {
        if (!cJSON_IsObject(c))
            return bad_change(err, "$.stakeholders", name,
                              "patch.stakeholders maps stakeholder ids to tables of changes");
        cJSON *target = NULL;
        for (cJSON *s = cJSON_IsArray(list) ? list->child : NULL; s && !target; s = s->next) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "id");
            if (cJSON_IsString(id) && strcmp(id->valuestring, c->string) == 0) target = s;
        }
        if (!target) {
            ds_error_set(err, "unknown_id", "$.stakeholders", "action %s: no stakeholder '%s'",
                         name, c->string);
            return -1;
        }
        if (merge_patch(target, c) < 0) return -1;
    }
    return 0;
}

static int append_all(cJSON *deal, const char *key, const cJSON *items, const char *name,
                      ds_error *err) {
    if (!cJSON_IsArray(items))
        return bad_change(err, "$", name, "relationships and add_stakeholders are lists");
    cJSON *list = child(deal, key, true);
    if (!list) return -1;
    for (const cJSON *c = items->child; c; c = c->next) {
        cJSON *copy = cJSON_Duplicate(c, 1);
        if (!copy) return -1;
        cJSON_AddItemToArray(list, copy);
    }
    return 0;
}

static int patch_deal(cJSON *deal, const cJSON *changes, const char *name, ds_error *err) {
    if (!cJSON_IsObject(changes)) return bad_change(err, "$", name, "the patch is not a table");
    for (const cJSON *c = changes->child; c; c = c->next) {
        int rc = 0;
        if (strcmp(c->string, "deal") == 0 && cJSON_IsObject(c)) {
            rc = merge_patch(deal, c);
        } else if (strcmp(c->string, "solution") == 0 && cJSON_IsObject(c)) {
            cJSON *sol = child(deal, "solution", false);
            rc = sol ? merge_patch(sol, c) : -1;
        } else if (strcmp(c->string, "stakeholders") == 0 && cJSON_IsObject(c)) {
            rc = patch_stakeholders(deal, c, name, err);
        } else if (strcmp(c->string, "add_stakeholders") == 0) {
            rc = append_all(deal, "stakeholders", c, name, err);
        } else if (strcmp(c->string, "relationships") == 0) {
            rc = append_all(deal, "relationships", c, name, err);
        } else {
            ds_error_set(err, "bad_type", "$",
                         "action %s: patch.%s is not one of solution, stakeholders, "
                         "relationships, add_stakeholders, deal (or not a table)",
                         name, c->string);
            return -1;
        }
        if (rc < 0) {
            if (!err->code) ds_error_set(err, "out_of_memory", "$", "action %s: no memory", name);
            return -1;
        }
    }
    return 0;
}

static int apply_custom(const ds_deal *base, const ds_action *act, const ds_params *p, ds_arena *a,
                        ds_deal *copy, ds_error *err) {
    if (!base->json) {
        ds_error_set(err, "bad_type", "$", "action %s: the deal has no JSON to change", act->name);
        return -1;
    }
    cJSON *json = cJSON_Duplicate(base->json, 1);
    char *text = NULL;
    int rc = -1;
    if (json && patch_deal(json, act->changes, act->name, err) == 0 &&
        (text = cJSON_PrintUnformatted(json)) != NULL) {
        size_t at = 0;
        cJSON *parsed = ds_json_parse(a, text, strlen(text), &at);
        if (parsed && ds_deal_decode(parsed, p, base->as_of, a, copy, err) == 0) rc = 0;
    }
    if (rc < 0 && !err->code)
        ds_error_set(err, "out_of_memory", "$", "action %s: no memory", act->name);
    free(text);
    cJSON_Delete(json);
    return rc;
}

int ds_action_apply(const ds_deal *base, const ds_action *act, const ds_action_settings *s,
                    const ds_params *p, ds_arena *a, ds_deal *copy, ds_error *err) {
    *copy = *base;
    int rc = 0;
    switch (act->kind) {
    case DS_ACT_CONVINCE:
    case DS_ACT_RECRUIT_IT_CHAMPION:
    case DS_ACT_ENGAGE_BUYER:
        rc = apply_to_stakeholder(base, act, s, a, copy);
        break;
    case DS_ACT_RELATE:
        rc = apply_relate(base, act, s, a, copy);
        break;
    case DS_ACT_CUSTOM:
        return apply_custom(base, act, p, a, copy, err);
    default:
        apply_to_solution(base, act, s, copy);
    }
    if (rc < 0) ds_error_set(err, "out_of_memory", "$", "deal too large for actions");
    return rc;
}

/* ---- ranking ---- */

static int by_gain(const void *x, const void *y) {
    const ds_action *a = x, *b = y;
    if (fabs(a->gain - b->gain) > 1e-9) return a->gain > b->gain ? -1 : 1;
    return strcmp(a->name, b->name);
}

int ds_action_rank(ds_action *acts, int n, double min_gain, int max) {
    if (n <= 0) return 0;
    qsort(acts, (size_t)n, sizeof *acts, by_gain);
    int kept = 0;
    while (kept < n && kept < max && acts[kept].gain > min_gain) kept++;
    return kept;
}
